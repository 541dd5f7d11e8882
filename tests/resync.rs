//! Resync: a monitor that connects to a PBX in the middle of calls (the stand-in server
//! starts its replay at a recorded checkpoint and answers `CoreShowChannels` and the
//! conference queries with that checkpoint's recorded answers) must agree with every
//! later checkpoint; so must one that reconnects after losing the connection mid-call.

mod common;

use common::checkpoints::Checker;
use common::*;
use hackamore::ami::{Message, Secret};
use hackamore::engine::{self, EngineOptions, FeedSpec, Sink};
use hackamore::model::{ModelInterest, Tracker};
use hackamore::source::{Socket, SocketConfig, Source, Step};
use hackamore::standin::{ReplayConfig, ReplayServer};
use parking_lot::Mutex;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

const USER: &str = "hackamore";
const SECRET: &str = "s3cret-pw";

/// Checkpoint numbers recorded in a capture, in order.
fn checkpoints(path: &Path) -> Vec<u32> {
    let text = String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned();
    let mut ks: Vec<u32> = text
        .lines()
        .filter_map(|l| l.strip_prefix("ActionID: truth-"))
        .filter_map(|k| k.trim().parse().ok())
        .collect();
    ks.dedup();
    ks
}

fn server(path: &Path, cfg: impl FnOnce(&mut ReplayConfig)) -> ReplayServer {
    let mut c = ReplayConfig::new(std::fs::read(path).unwrap(), USER, Secret::new(SECRET));
    cfg(&mut c);
    ReplayServer::start(c, "127.0.0.1", 0).unwrap()
}

fn socket_config(port: u16) -> SocketConfig {
    SocketConfig::new("pbx1", "127.0.0.1", port).credentials(USER, Secret::new(SECRET))
}

/// Drain a socket through a tracker and `checker`. Returns (checker, messages).
fn follow(mut s: Socket, mut checker: Checker) -> (Checker, Vec<Message>) {
    let mut tracker = Tracker::default();
    let mut all = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        assert!(Instant::now() < deadline, "socket did not end");
        match s.next_step(Duration::from_millis(50)) {
            Ok(Step::Message(m)) => {
                tracker.process("pbx1", &m, |_, _| {});
                if m.is_end() {
                    return (checker, all);
                }
                checker.observe(tracker.model(), "pbx1", &m);
                all.push(m);
            }
            Ok(Step::Ended) => return (checker, all),
            Ok(Step::Idle) => {}
            Err(e) => panic!("{e}"),
        }
    }
}

#[test]
fn starting_mid_stream_agrees_with_every_later_checkpoint() {
    let mut runs = 0;
    for path in fixtures() {
        if path.extension().is_some_and(|e| e == "trace") {
            continue;
        }
        let ks = checkpoints(&path);
        for (i, &k) in ks.iter().enumerate() {
            let later = ks.len() - i - 1;
            let srv = server(&path, |c| {
                c.start_at = Some(k);
                c.piece = Some(4096); // delivered in pieces, answering actions as it goes
            });
            let checker = Checker::from_checkpoint(&path, "pbx1", k);
            let (checker, ms) = follow(Socket::new(socket_config(srv.port())), checker);
            let name = path.file_name().unwrap().to_string_lossy();
            assert!(
                checker.errors.is_empty(),
                "{name} from checkpoint {k}:\n{}",
                checker.errors.join("\n")
            );
            // Every later truth-k (and its conf-k) was checked.
            assert!(
                checker.checked >= later,
                "{name} from {k}: {}",
                checker.checked
            );
            assert!(
                ms.iter().any(|m| m
                    .get_str("ActionID")
                    .is_some_and(|id| id.starts_with("hackamore-sync-"))),
                "{name}: no resync answer seen"
            );
            runs += 1;
        }
    }
    assert!(runs >= 20, "only {runs} starts");
}

/// Without resync the same starts fail their later checkpoints: the test above can fail.
#[test]
fn without_resync_a_mid_stream_start_disagrees() {
    for (name, k) in [
        ("conference-pbx1.ami", 1),
        ("churn-pbx2.ami", 2),
        ("cross-pbx-pbx1.ami", 1),
    ] {
        let srv = server(&fixtures_dir().join(name), |c| c.start_at = Some(k));
        let mut config = socket_config(srv.port());
        config.resync = false;
        let (checker, _) = follow(Socket::new(config), Checker::default());
        assert!(checker.checked > 0, "{name}");
        assert!(!checker.errors.is_empty(), "{name} from {k}");
    }
}

struct CheckingSink(Arc<Mutex<(Tracker, Checker, usize)>>);

impl Sink for CheckingSink {
    fn deliver(&mut self, pbx: &str, m: &Message) {
        let mut g = self.0.lock();
        let (tracker, checker, ends) = &mut *g;
        tracker.process(pbx, m, |_, _| {});
        if m.is_end() {
            *ends += 1;
        } else {
            checker.observe(tracker.model(), pbx, m);
        }
    }
}

/// Asterisk's `Status` prints `Variable: SIPCALLID=(null)` for a channel without the
/// variable: a resync that took that (or another spelling of "none") for a trunk value
/// paired strangers, merging unrelated calls (on one PBX and across two). Both PBXes of
/// recordings with calls over the trunk are started at each checkpoint, one engine
/// watching both; every later checkpoint must agree, with no call holding channels the
/// recording never connected.
#[test]
fn resynced_channels_without_the_trunk_variable_are_paired_with_nobody() {
    let mut runs = 0;
    for spelling in ["(null)", "<unknown>", "<none>", ""] {
        for scenario in ["cross-pbx", "attended-transfer", "churn"] {
            let paths =
                ["pbx1", "pbx2"].map(|p| fixtures_dir().join(format!("{scenario}-{p}.ami")));
            let ks = checkpoints(&paths[0]);
            for &k in &ks {
                let servers = paths.clone().map(|path| {
                    server(&path, |c| {
                        c.start_at = Some(k);
                        c.unset_variable = spelling.into();
                    })
                });
                let mut checker = Checker::default();
                for (path, pbx) in paths.iter().zip(["pbx1", "pbx2"]) {
                    checker.learn_until_checkpoint(path, pbx, k);
                }
                let state = Arc::new(Mutex::new((Tracker::default(), checker, 0)));
                let feeds = servers
                    .iter()
                    .zip(["pbx1", "pbx2"])
                    .map(|(srv, pbx)| {
                        let mut c = socket_config(srv.port());
                        c.name = pbx.into();
                        FeedSpec::Server(c)
                    })
                    .collect();
                let opts = EngineOptions {
                    threaded: false,
                    backoff: Duration::from_secs(60),
                    backoff_max: Duration::from_secs(60),
                    // The checker reads the recorded checkpoints' answers, which the model passes over.
                    interest: Some(ModelInterest::default().reading_others_answers()),
                };
                let handle =
                    engine::start(feeds, opts, Box::new(CheckingSink(state.clone()))).unwrap();
                let deadline = Instant::now() + Duration::from_secs(30);
                while state.lock().2 < 2 {
                    assert!(Instant::now() < deadline, "{scenario} from {k}: no END");
                    std::thread::sleep(Duration::from_millis(5));
                }
                handle.stop();
                let g = state.lock();
                assert!(
                    g.1.errors.is_empty(),
                    "{scenario} from {k}, unset variables as {spelling:?}:\n{}",
                    g.1.errors.join("\n")
                );
                if Some(&k) != ks.last() {
                    assert!(g.1.checked > 0, "{scenario} from {k}: nothing checked");
                }
                runs += 1;
            }
        }
    }
    assert!(runs >= 40, "{runs} runs");
}

#[test]
fn reconnecting_after_a_drop_mid_call_agrees_with_the_next_checkpoints() {
    let (checked, errors) = reconnect(true);
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    // Checkpoint 1 on the first connection, 4 and later on the second.
    assert!(checked > 3, "{checked} checked");
    // Without resync the same reconnect disagrees: the test can fail.
    assert!(!reconnect(false).1.is_empty());
}

/// The first connection dies with calls up, shortly before checkpoint 2; the PBX, still
/// running, is reached again at checkpoint 3. Returns (checkpoints checked, errors).
fn reconnect(resync: bool) -> (usize, Vec<String>) {
    let path = fixtures_dir().join("churn-pbx1.ami");
    let data = std::fs::read(&path).unwrap();
    let cut = data
        .windows(b"ActionID: truth-2".len())
        .position(|w| w == b"ActionID: truth-2")
        .unwrap()
        - 2000;
    let first = server(&path, |c| c.cut_after = Some(cut));
    let port = first.port();
    let mut config = socket_config(port);
    config.resync = resync;
    let state = Arc::new(Mutex::new((Tracker::default(), Checker::default(), 0)));
    let opts = EngineOptions {
        threaded: false,
        backoff: Duration::from_millis(300),
        backoff_max: Duration::from_millis(300),
        // As the engines run for a model: what it ignores is passed over.
        // The checker reads the recorded checkpoints' answers, which the model passes over.
        interest: Some(ModelInterest::default().reading_others_answers()),
    };
    let handle = engine::start(
        vec![FeedSpec::Server(config)],
        opts,
        Box::new(CheckingSink(state.clone())),
    )
    .unwrap();
    let wait_for = |what: &str, cond: &dyn Fn() -> bool| {
        let deadline = Instant::now() + Duration::from_secs(30);
        while !cond() {
            assert!(Instant::now() < deadline, "{what}");
            std::thread::sleep(Duration::from_millis(10));
        }
    };
    wait_for("first END", &|| state.lock().2 >= 1);
    drop(first);
    let mut c = ReplayConfig::new(data.clone(), USER, Secret::new(SECRET));
    c.start_at = Some(3);
    let _second = ReplayServer::start(c, "127.0.0.1", port).unwrap();
    wait_for("second END", &|| state.lock().2 >= 2);
    handle.stop();
    let g = state.lock();
    (g.1.checked, g.1.errors.clone())
}

fn msg(fields: &[(&str, &str)]) -> Message {
    let mut m = Message::new();
    for (k, v) in fields {
        m.push(k, v);
    }
    m
}

/// Every resync answer of one PBX, as a PBX with `listed` channels and no conference
/// gives them: (Uniqueid, Channel, CallerIDNum, Application, trunk value).
fn answers(listed: &[(&str, &str, &str, &str, &str)]) -> Vec<Message> {
    let id = |what: &str| format!("hackamore-sync-1-{what}");
    let (bridges, channels, status, rooms) =
        (id("bridges"), id("channels"), id("status"), id("rooms"));
    let mut out = vec![
        msg(&[
            ("Response", "Success"),
            ("ActionID", &bridges),
            ("EventList", "start"),
        ]),
        msg(&[("Event", "BridgeListComplete"), ("ActionID", &bridges)]),
        msg(&[
            ("Response", "Success"),
            ("ActionID", &channels),
            ("EventList", "start"),
        ]),
    ];
    for (uid, name, number, app, _) in listed {
        out.push(msg(&[
            ("Event", "CoreShowChannel"),
            ("ActionID", &channels),
            ("Channel", name),
            ("ChannelState", "6"),
            ("ChannelStateDesc", "Up"),
            ("CallerIDNum", number),
            ("Uniqueid", uid),
            ("Linkedid", uid),
            ("Application", app),
            ("BridgeId", ""),
        ]));
    }
    out.push(msg(&[
        ("Event", "CoreShowChannelsComplete"),
        ("ActionID", &channels),
    ]));
    out.push(msg(&[
        ("Response", "Success"),
        ("ActionID", &status),
        ("EventList", "start"),
    ]));
    for (uid, name, _, _, value) in listed {
        let variable = format!("SIPCALLID={value}");
        out.push(msg(&[
            ("Event", "Status"),
            ("ActionID", &status),
            ("Channel", name),
            ("Uniqueid", uid),
            ("Variable", &variable),
        ]));
    }
    out.push(msg(&[("Event", "StatusComplete"), ("ActionID", &status)]));
    for (list, complete) in [
        (id("parked"), "ParkedCallsComplete"),
        (id("queues"), "QueueStatusComplete"),
    ] {
        out.push(msg(&[("Response", "Success"), ("ActionID", &list)]));
        out.push(msg(&[("Event", complete), ("ActionID", &list)]));
    }
    out.push(msg(&[
        ("Response", "Error"),
        ("ActionID", &rooms),
        ("Message", "No active conferences."),
    ]));
    // A PBX without the presence modules refuses each list; the resync is over all the same.
    for part in ["extensions", "devices", "contacts", "registrations"] {
        out.push(msg(&[
            ("Response", "Error"),
            ("ActionID", &id(part)),
            ("Message", "Invalid/unknown command"),
        ]));
    }
    out
}

/// A member the model saw connected to a caller, listed by `QueueStatus` out of any call
/// when the model connects again: its AgentComplete came while the connection was down.
/// The resync says so (an `agentcomplete`), and the member is out of the call.
#[test]
fn a_member_listed_out_of_its_call_is_done_with_it() {
    let mut t = Tracker::default();
    let member = |event: &str, incall: &str| {
        msg(&[
            ("Event", event),
            ("Queue", "support"),
            ("MemberName", "Agent One"),
            ("Name", "Agent One"),
            ("Interface", "PJSIP/2001"),
            ("Location", "PJSIP/2001"),
            ("StateInterface", "PJSIP/2001"),
            ("Membership", "static"),
            ("CallsTaken", "1"),
            ("InCall", incall),
            ("Status", "1"),
            ("Paused", "0"),
        ])
    };
    t.process("pbx1", &member("QueueMemberAdded", "0"), |_, _| {});
    let connect = msg(&[
        ("Event", "AgentConnect"),
        ("Queue", "support"),
        ("Interface", "PJSIP/2001"),
        ("MemberName", "Agent One"),
        ("Uniqueid", "1.1"),
        ("DestUniqueid", "1.2"),
    ]);
    t.process("pbx1", &connect, |_, _| {});
    let incall = |t: &Tracker| {
        let q = t.model().queues_of("pbx1");
        q.first()
            .and_then(|q| q.members.first())
            .map(|m| (m.incall, m.connected.is_some()))
    };
    assert_eq!(incall(&t), Some((true, true)));
    let mut answered = answers(&[]);
    let queues = "hackamore-sync-1-queues";
    let complete = answered
        .iter()
        .position(|m| m.get_str("ActionID").as_deref() == Some(queues) && m.event().is_some())
        .expect("the queues' answer");
    let mut line = member("QueueMember", "0");
    line.push("ActionID", queues);
    answered.insert(complete, line);
    let mut said = Vec::new();
    for m in &answered {
        t.process("pbx1", m, |_, c| said.push(c.name()));
    }
    assert_eq!(t.resync().tracked(), (0, 0), "the resync is over");
    assert_eq!(incall(&t), Some((false, false)));
    assert!(said.contains(&"agentcomplete"), "{said:?}");
}

/// Once every answer is in, the resync of a PBX lets go of what it kept about live
/// changes: a connection that lives for months holds nothing more for it.
#[test]
fn a_finished_resync_keeps_nothing_however_long_the_connection_lives() {
    let mut t = Tracker::default();
    for m in answers(&[("1.1", "SIP/a-1", "100", "Dial", "")]) {
        t.process("pbx1", &m, |_, _| {});
    }
    assert_eq!(t.resync().tracked(), (0, 0));
    for i in 0..20_000 {
        let uid = format!("2.{i}");
        t.process(
            "pbx1",
            &msg(&[
                ("Event", "Newchannel"),
                ("Channel", "SIP/b-1"),
                ("Uniqueid", &uid),
                ("ChannelState", "0"),
            ]),
            |_, _| {},
        );
        t.process(
            "pbx1",
            &msg(&[
                ("Event", "Hangup"),
                ("Channel", "SIP/b-1"),
                ("Uniqueid", &uid),
            ]),
            |_, _| {},
        );
    }
    assert_eq!(t.resync().tracked(), (0, 0));
    assert_eq!(t.model().sizes().channels, 1);
}

/// A resync reads what events would have said: `<unknown>` is no number, a channel in
/// MusicOnHold is HELD, and channels carrying the same trunk value on two PBXes are one
/// call.
#[test]
fn a_resync_reads_numbers_hold_and_the_trunk_variable_as_events_do() {
    let mut t = Tracker::default();
    for m in answers(&[
        ("1.1", "SIP/caller-1", "<unknown>", "Dial", "1.1@pbx1"),
        ("1.2", "Local/moh@test-1;2", "", "MusicOnHold", ""),
    ]) {
        t.process("pbx1", &m, |_, _| {});
    }
    for m in answers(&[("9.1", "IAX2/pbx1-1", "100", "Echo", "1.1@pbx1")]) {
        t.process("pbx2", &m, |_, _| {});
    }
    let caller = t.model().channel("pbx1", "1.1").unwrap();
    assert_eq!(caller.calleridnum, "");
    assert!(t.model().numbers_of("pbx1").is_empty());
    assert_eq!(
        t.model().channel("pbx1", "1.2").unwrap().activity.name(),
        "HELD"
    );
    let leg = t.model().channel("pbx2", "9.1").unwrap();
    assert!(caller.call.is_some() && caller.call == leg.call);
    assert_eq!(leg.role.name(), "TRUNK");
}

/// After an operator bridges a channel elsewhere its later events carry a new Linkedid.
#[test]
fn a_channel_follows_the_linkedid_its_events_carry() {
    let mut t = Tracker::default();
    let event = |name: &'static str, linked: &'static str| {
        msg(&[
            ("Event", name),
            ("Channel", "PJSIP/a-1"),
            ("Uniqueid", "1.1"),
            ("Linkedid", linked),
            ("ChannelState", "6"),
            ("ChannelStateDesc", "Up"),
            ("BridgeUniqueid", "b2"),
        ])
    };
    t.process("pbx1", &event("Newchannel", "1.1"), |_, _| {});
    t.process("pbx1", &event("BridgeEnter", "7.7"), |_, _| {});
    assert_eq!(t.model().channel("pbx1", "1.1").unwrap().linkedid, "7.7");
    t.process("pbx1", &event("Newstate", "8.8"), |_, _| {});
    assert_eq!(t.model().channel("pbx1", "1.1").unwrap().linkedid, "8.8");
}

/// Two PBXes met in the middle of a call between them: the legs carrying the same trunk
/// value (read back with `Status`) are one call, as live events would have made them.
#[test]
fn a_cross_pbx_call_met_in_the_middle_is_one_call() {
    /// (trunk values on both PBXes, those whose legs are in one call).
    type Pairs = Option<(usize, usize)>;
    /// Checks the model once, as soon as both PBXes' resyncs are over.
    struct PairSink(Arc<Mutex<(Tracker, Pairs)>>);
    impl Sink for PairSink {
        fn deliver(&mut self, pbx: &str, m: &Message) {
            let mut g = self.0.lock();
            let (t, seen) = &mut *g;
            t.process(pbx, m, |_, _| {});
            let both = ["pbx1", "pbx2"]
                .iter()
                .all(|p| t.model().channels_of(p).len() > 1);
            if seen.is_some() || !both || t.resync().tracked().0 > 0 {
                return;
            }
            let (mut pairs, mut joined) = (0, 0);
            for a in t.model().channels_of("pbx1") {
                for b in t.model().channels_of("pbx2") {
                    if a.sipcallid.is_some() && a.sipcallid == b.sipcallid {
                        pairs += 1;
                        joined += usize::from(a.call.is_some() && a.call == b.call);
                    }
                }
            }
            *seen = Some((pairs, joined));
        }
    }
    let dir = fixtures_dir();
    let servers: Vec<ReplayServer> = ["cross-pbx-pbx1.ami", "cross-pbx-pbx2.ami"]
        .iter()
        .map(|f| {
            server(&dir.join(f), |c| {
                // Met at checkpoint 1, and silent after answering: the model is the
                // resync's alone.
                c.start_at = Some(1);
                c.stall_after = Some(0);
            })
        })
        .collect();
    let specs = servers
        .iter()
        .zip(["pbx1", "pbx2"])
        .map(|(s, name)| {
            let mut c = socket_config(s.port());
            c.name = name.into();
            FeedSpec::Server(c)
        })
        .collect();
    let state = Arc::new(Mutex::new((Tracker::default(), None)));
    let opts = EngineOptions {
        threaded: false,
        backoff: Duration::from_secs(60),
        backoff_max: Duration::from_secs(60),
        // The checker reads the recorded checkpoints' answers, which the model passes over.
        interest: Some(ModelInterest::default().reading_others_answers()),
    };
    let handle = engine::start(specs, opts, Box::new(PairSink(state.clone()))).unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let seen = loop {
        if let Some(seen) = state.lock().1 {
            break seen;
        }
        assert!(Instant::now() < deadline, "no resync of both PBXes");
        std::thread::sleep(Duration::from_millis(5));
    };
    handle.stop();
    let (pairs, joined) = seen;
    assert!(pairs > 0, "no trunk value on both PBXes");
    assert_eq!(joined, pairs);
}

/// A monitor that connects while calls are parked and queued agrees with the PBX as soon
/// as its resync is over, before any event: each answer the PBX recorded at that
/// checkpoint (channels, bridges, parked calls, queues, conference) is checked against
/// the model the resync alone built.
#[test]
fn a_resync_with_calls_parked_and_queued_agrees_from_its_first_answer() {
    resync_agrees_from_its_first_answer(false);
}

/// Asterisk accepts a login before its modules are loaded: a PBX still booting answers
/// `ParkedCalls` (not loaded: refused) and `QueueStatus` (queues.conf not read: empty)
/// for that reason alone, and says `FullyBooted` later. The parts answered so are asked
/// again after it, and the model agrees with the PBX as a booted one's resync does.
#[test]
fn a_pbx_still_booting_is_asked_again_for_its_queues_and_parked_calls_after_fully_booted() {
    resync_agrees_from_its_first_answer(true);
}

fn resync_agrees_from_its_first_answer(booting: bool) {
    // (capture, checkpoint, parked calls then, queue callers then); the sip-* ones list
    // presence too (pbx1's hints, contacts and devices; pbx2's registrations, and its
    // refusals of the rest), and are not started booting.
    let mut starts = vec![
        ("park-two-pbx1.ami", 2, 2, 0),
        ("park-two-pbx2.ami", 7, 2, 0),
        ("queue-pbx1.ami", 1, 0, 2),
    ];
    if !booting {
        starts.extend([
            ("sip-phones-pbx1.ami", 9, 0, 0),
            ("sip-phones-pbx2.ami", 9, 0, 0),
            ("sip-churn-pbx1.ami", 9, 0, 2),
        ]);
    }
    for (file, k, parked, waiting) in starts {
        let path = fixtures_dir().join(file);
        let srv = server(&path, |c| {
            c.start_at = Some(k);
            c.stall_after = Some(0); // silent after its answers: the model is the resync's
            c.booting = booting;
        });
        let mut s = Socket::new(socket_config(srv.port()));
        let mut t = Tracker::default();
        // It learns bridge types and queue members from what the socket brings.
        let mut checker = Checker::default();
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut started = false;
        // Booting: the parked calls and queues asked again after FullyBooted, answered.
        let mut again = if booting { 2 } else { 0 };
        // The model when the PBX said FullyBooted, if its queues were answered before.
        let mut early = None;
        let mut queues_answered = false;
        while !(started && again == 0 && t.resync().tracked() == (0, 0)) {
            assert!(Instant::now() < deadline, "{file}: resync never finished");
            if let Ok(Step::Message(m)) = s.next_step(Duration::from_millis(50)) {
                let id = m.get_str("ActionID").unwrap_or_default().into_owned();
                started |= id.starts_with("hackamore-sync-");
                queues_answered |= id.ends_with("-queues") && m.event().is_some();
                if m.event().is_some_and(|e| e == "FullyBooted") && queues_answered {
                    let sizes = t.model().sizes();
                    early = Some((sizes.parked, sizes.queue_callers + sizes.queue_members));
                }
                if id.contains("-again-") && m.event().is_some_and(|e| e.ends_with("Complete")) {
                    again -= 1;
                }
                t.process("pbx1", &m, |_, _| {});
                checker.observe(t.model(), "pbx1", &m);
            }
        }
        assert_eq!(
            checker.checked, 0,
            "{file}: the stand-in sent recorded answers"
        );
        let sizes = t.model().sizes();
        assert_eq!(
            (sizes.parked, sizes.queue_callers),
            (parked, waiting),
            "{file}"
        );
        if booting {
            // What the PBX answered before it had booted: nothing parked or queued.
            assert_eq!(
                early,
                Some((0, 0)),
                "{file}: the stand-in did not boot late"
            );
        }
        // The answers recorded at checkpoint k, against that model.
        let recorded = std::fs::read(&path).unwrap();
        let mut d = hackamore::ami::Decoder::new();
        d.feed(&recorded);
        let suffix = format!("-{k}");
        let kinds = [
            "truth",
            "conf",
            "bridges",
            "parked",
            "queues",
            "exten",
            "devices",
            "contacts",
            "registrations",
        ];
        let mut answers = std::collections::BTreeSet::new();
        while let Some(m) = d.next_message() {
            let id = m.get_str("ActionID").unwrap_or_default();
            if kinds.iter().any(|kind| id == format!("{kind}{suffix}")) {
                answers.insert(id.to_string());
                checker.observe(t.model(), "pbx1", &m);
            }
        }
        assert!(checker.errors.is_empty(), "{file}: {:?}", checker.errors);
        assert_eq!(checker.checked, answers.len(), "{file}");
        if file.starts_with("sip-") {
            assert_eq!(answers.len(), 9, "{file}");
            let sizes = t.model().sizes();
            let presence = [sizes.extensions, sizes.contacts, sizes.registrations];
            let listed = if file.contains("pbx1") {
                [4, 4, 0]
            } else {
                [0, 0, 4]
            };
            assert_eq!(presence.map(|n| n > 0), listed.map(|n| n > 0), "{file}");
            assert!(sizes.devices > 0, "{file}");
        }
    }
}
