//! The engines against three stand-in servers: per PBX, exactly the messages a File
//! replay gives, in order, whether one thread polls them all or a thread reads each.

mod common;

use common::*;
use hackamore::ami::{Interest, Message, Secret, Want};
use hackamore::engine::{self, EngineOptions, FeedSpec};
use hackamore::model::ModelInterest;
use hackamore::source::{CaptureFile, SocketConfig, Source, Step};
use hackamore::standin::{ReplayConfig, ReplayServer};
use parking_lot::Mutex;
use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The event names a stand-in sends for a capture: its own, `Shutdown`, then the END
/// (which has none).
fn file_events(name: &str) -> Vec<Option<String>> {
    let mut f = CaptureFile::raw("p", fixtures_dir().join(name)).unwrap();
    let mut out = Vec::new();
    while let Step::Message(m) = f.next_step(Duration::ZERO).unwrap() {
        out.push(m.event().map(|e| e.into_owned()));
    }
    let end = out.pop();
    assert_eq!(end, Some(None), "the capture's END");
    out.extend([Some("Shutdown".to_string()), None]);
    out
}

/// The event names of what a PBX delivered, less the answers to the socket's own resync
/// actions (not part of the replay).
fn replay_events(ms: &[Message]) -> Vec<Option<String>> {
    ms.iter()
        .filter(|m| {
            !m.get_str("ActionID")
                .is_some_and(|id| id.starts_with("hackamore-sync-"))
        })
        .map(|m| m.event().map(|e| e.into_owned()))
        .collect()
}

/// Each PBX's messages as the sink got them, and the messages its feed counted.
fn run(
    threaded: bool,
    interest: Option<ModelInterest>,
) -> (HashMap<String, Vec<Message>>, HashMap<String, u64>) {
    let capture = std::fs::read(fixtures_dir().join("dial-local-pbx1.ami")).unwrap();
    let servers: Vec<ReplayServer> = (0..3)
        .map(|i| {
            let mut c = ReplayConfig::new(capture.clone(), "u", Secret::new("s"));
            c.piece = Some(11);
            c.seed = i;
            ReplayServer::start(c, "127.0.0.1", 0).unwrap()
        })
        .collect();
    let specs = servers
        .iter()
        .enumerate()
        .map(|(i, s)| {
            FeedSpec::Server(
                SocketConfig::new(format!("pbx{i}"), "127.0.0.1", s.port())
                    .credentials("u", Secret::new("s")),
            )
        })
        .collect();
    let got: Arc<Mutex<HashMap<String, Vec<Message>>>> = Arc::default();
    let sink = {
        let got = got.clone();
        move |pbx: &str, m: &Message| {
            got.lock()
                .entry(pbx.to_string())
                .or_default()
                .push(m.clone())
        }
    };
    let opts = EngineOptions {
        threaded,
        backoff: Duration::from_secs(60),
        interest,
        ..EngineOptions::default()
    };
    let mut handle = engine::start(specs, opts, Box::new(sink)).unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while got
        .lock()
        .values()
        .filter(|v| v.last().is_some_and(Message::is_end))
        .count()
        < 3
    {
        assert!(
            Instant::now() < deadline,
            "engine did not finish the three replays"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    handle.stop();
    handle.join();
    let counted = handle
        .stats()
        .feeds
        .iter()
        .map(|(name, s)| (name.clone(), s.messages.load(Ordering::Relaxed)))
        .collect();
    let out = got.lock().clone();
    (out, counted)
}

#[test]
fn main_and_mains_deliver_each_pbx_stream_in_order() {
    let expected = file_events("dial-local-pbx1.ami");
    for threaded in [false, true] {
        let (got, counted) = run(threaded, None);
        assert_eq!(got.len(), 3);
        for (pbx, ms) in got {
            assert_eq!(counted[&pbx], ms.len() as u64, "{pbx}");
            let events = replay_events(&ms);
            assert_eq!(events, expected, "{pbx} (threaded: {threaded})");
        }
    }
}

#[test]
fn an_engine_feeding_a_model_passes_over_what_it_ignores_and_counts_it() {
    let interest = ModelInterest::default();
    // What the stand-in sends, by event name, and which of those the model reads.
    let all = file_events("dial-local-pbx1.ami");
    let mut f = CaptureFile::raw("p", fixtures_dir().join("dial-local-pbx1.ami")).unwrap();
    let mut wanted = Vec::new();
    while let Step::Message(m) = f.next_step(Duration::ZERO).unwrap() {
        let keep = match m.get("Event") {
            None => true,
            // The connection's own: the PBX has booted (and, added below, shuts down).
            Some(b"FullyBooted") => true,
            Some(e) => match interest.wants(e) {
                Want::Yes => true,
                Want::No => false,
                Want::IfContains(f) => f.find(&m.to_wire()).is_some(),
                Want::UnlessNothingIn(nothing) => !nothing(&m.to_wire()),
            },
        };
        if keep && !m.is_end() {
            wanted.push(m.event().map(|e| e.into_owned()));
        }
    }
    wanted.extend([Some("Shutdown".to_string()), None]);
    assert!(
        wanted.len() * 3 < all.len() * 2,
        "{} of {}",
        wanted.len(),
        all.len()
    );
    for threaded in [false, true] {
        let (got, counted) = run(threaded, Some(interest.clone()));
        assert_eq!(got.len(), 3);
        for (pbx, ms) in got {
            let events = replay_events(&ms);
            assert_eq!(events, wanted, "{pbx} (threaded: {threaded})");
            // Every message is counted, passed over or not; the END says so too.
            let resync = ms.len() - events.len();
            assert_eq!(counted[&pbx], (all.len() + resync) as u64, "{pbx}");
            assert_eq!(ms.last().unwrap().end_count(), Some(counted[&pbx]));
        }
    }
}

/// The nice value of a thread of this process (`/proc/self/task/<tid>/stat`, field 19).
#[cfg(target_os = "linux")]
fn nice_of(stat: &str) -> i32 {
    let after_name = &stat[stat.rfind(')').unwrap() + 2..]; // from field 3 on
    after_name.split(' ').nth(19 - 3).unwrap().parse().unwrap()
}

#[cfg(target_os = "linux")]
#[test]
fn mains_readers_run_below_the_model_threads_priority() {
    let capture = std::fs::read(fixtures_dir().join("dial-local-pbx1.ami")).unwrap();
    let mut c = ReplayConfig::new(capture, "u", Secret::new("s"));
    c.linger = true; // the reader stays alive, connected, until stopped
    let server = ReplayServer::start(c, "127.0.0.1", 0).unwrap();
    let spec = FeedSpec::Server(
        SocketConfig::new("niced", "127.0.0.1", server.port()).credentials("u", Secret::new("s")),
    );
    let seen = Arc::new(Mutex::new(0usize));
    let sink = {
        let seen = seen.clone();
        move |_: &str, _: &Message| *seen.lock() += 1
    };
    let opts = EngineOptions {
        threaded: true,
        ..EngineOptions::default()
    };
    let mine = nice_of(&std::fs::read_to_string("/proc/thread-self/stat").unwrap());
    let mut handle = engine::start(vec![spec], opts, Box::new(sink)).unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while *seen.lock() == 0 {
        assert!(
            Instant::now() < deadline,
            "no message from the stand-in server"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    // Thread names are cut to 15 bytes: "hackamore-niced", "hackamore-model".
    let mut niced = HashMap::<String, Vec<i32>>::new();
    for task in std::fs::read_dir("/proc/self/task").unwrap() {
        let path = task.unwrap().path();
        let (Ok(name), Ok(stat)) = (
            std::fs::read_to_string(path.join("comm")),
            std::fs::read_to_string(path.join("stat")),
        ) else {
            continue; // a thread that ended meanwhile
        };
        niced
            .entry(name.trim_end().to_string())
            .or_default()
            .push(nice_of(&stat));
    }
    handle.stop();
    handle.join();
    let reader = (mine + engine::READER_NICENESS).min(19);
    assert_eq!(niced["hackamore-niced"], [reader], "{niced:?}");
    // Other tests run engines in parallel: every model thread is at the callers' nice.
    assert!(
        niced["hackamore-model"].iter().all(|&n| n == mine),
        "{niced:?}"
    );
}

/// Wait (up to 30 s) until `done`, looking every millisecond.
fn wait_until(what: &str, done: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done() {
        assert!(Instant::now() < deadline, "{what}");
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// Each PBX's messages and ENDs.
type Counts = Arc<Mutex<HashMap<String, (usize, usize)>>>;

/// A sink counting each PBX's messages and ENDs.
fn counting() -> (Counts, impl engine::Sink) {
    let seen: Counts = Arc::default();
    let sink = {
        let seen = seen.clone();
        move |pbx: &str, m: &Message| {
            let mut g = seen.lock();
            let e = g.entry(pbx.to_string()).or_default();
            e.0 += 1;
            e.1 += usize::from(m.is_end());
        }
    };
    (seen, sink)
}

/// Stopping logs each PBX off and waits for its Goodbye, a quarter of a second at most:
/// the single-thread engine did that one PBX after the other (100 PBXes that never
/// answer Logoff: 25 s). Now they close together: every END is delivered, and the stop
/// takes about one wait (measured: benches/bench.py; the bound here only tells the two
/// apart on a loaded machine).
#[test]
fn stopping_a_hundred_pbxes_that_never_answer_logoff_waits_for_none_of_them_in_turn() {
    let mut c = ReplayConfig::new(
        std::fs::read(fixtures_dir().join("basic-pbx1.ami")).unwrap(),
        "u",
        Secret::new("s"),
    );
    c.linger = true;
    c.answer_logoff = false;
    let server = ReplayServer::start(c, "127.0.0.1", 0).unwrap();
    for threaded in [false, true] {
        let specs: Vec<FeedSpec> = (0..100)
            .map(|i| {
                FeedSpec::Server(
                    SocketConfig::new(format!("pbx{i}"), "127.0.0.1", server.port())
                        .credentials("u", Secret::new("s")),
                )
            })
            .collect();
        let (seen, sink) = counting();
        let opts = EngineOptions {
            threaded,
            backoff: Duration::from_secs(60),
            ..EngineOptions::default()
        };
        let mut handle = engine::start(specs, opts, Box::new(sink)).unwrap();
        let stats = handle.stats().clone();
        wait_until("every PBX logged in", || {
            stats
                .feeds
                .iter()
                .all(|(_, f)| f.connects.load(Ordering::Relaxed) == 1)
        });
        let started = Instant::now();
        handle.stop();
        handle.join();
        let took = started.elapsed();
        let g = seen.lock();
        assert_eq!(g.len(), 100);
        assert!(g.values().all(|(_, ends)| *ends == 1), "an END each");
        assert!(
            took < Duration::from_secs(3),
            "threaded {threaded}: stop took {took:?}"
        );
    }
}

/// One thread serves every PBX: a PBX that stops reading must not stop it. Its actions
/// wait in the connection's outbox (written when the socket can take them), and the
/// other PBX's stream goes on to its end while that one stays connected with its
/// actions unsent. (A blocking write held the thread for its 5 s timeout, then ended
/// the silent PBX.)
#[test]
fn a_pbx_that_stops_reading_never_holds_up_the_others() {
    let capture = |name: &str| std::fs::read(fixtures_dir().join(name)).unwrap();
    let mut stalled = ReplayConfig::new(capture("basic-pbx1.ami"), "u", Secret::new("s"));
    stalled.stall_after = Some(0); // logs in, then neither reads nor writes
    let stalled = ReplayServer::start(stalled, "127.0.0.1", 0).unwrap();
    let mut busy = ReplayConfig::new(capture("churn-pbx1.ami"), "u", Secret::new("s"));
    busy.delay = Duration::from_micros(500);
    let busy = ReplayServer::start(busy, "127.0.0.1", 0).unwrap();
    let specs = [("silent", stalled.port()), ("busy", busy.port())]
        .map(|(name, port)| {
            FeedSpec::Server(
                SocketConfig::new(name, "127.0.0.1", port).credentials("u", Secret::new("s")),
            )
        })
        .to_vec();
    let (seen, sink) = counting();
    let opts = EngineOptions {
        threaded: false,
        backoff: Duration::from_secs(60),
        ..EngineOptions::default()
    };
    let mut handle = engine::start(specs, opts, Box::new(sink)).unwrap();
    let stats = handle.stats().clone();
    let feed = |name: &str| {
        stats
            .feeds
            .iter()
            .find(|(n, _)| n == name)
            .unwrap()
            .1
            .clone()
    };
    let (silent, busy_feed) = (feed("silent"), feed("busy"));
    wait_until("the silent PBX logged in", || {
        silent.connects.load(Ordering::Relaxed) == 1
    });
    // Actions for the silent PBX until the kernel's buffers are full and the rest wait
    // in its outbox.
    let value = "x".repeat(1000);
    let mut sent = 0;
    while silent.outgoing.load(Ordering::Relaxed) == 0 {
        // About 8 KB (an action line holds at most 1 KiB).
        let action = (0..8).fold(hackamore::ami::Action::new("Setvar"), |a, i| {
            a.with("Variable", format!("V{i}={value}"))
        });
        let (_, _, outbox) = handle.send("silent", action).unwrap();
        sent += 1;
        assert!(sent < 10_000, "80 MB sent and nothing waits?");
        wait_until("the engine took the action", || outbox.queued() == 0);
    }
    wait_until("the busy PBX's replay to its end", || {
        seen.lock().get("busy").is_some_and(|(_, ends)| *ends == 1)
    });
    assert_eq!(seen.lock().get("silent").map_or(0, |(_, ends)| *ends), 0);
    assert!(silent.outgoing.load(Ordering::Relaxed) > 0);
    assert!(busy_feed.messages.load(Ordering::Relaxed) > 1000);
    handle.stop();
    handle.join();
    assert_eq!(
        seen.lock()["silent"].1,
        1,
        "the silent PBX's END at the stop"
    );
}
