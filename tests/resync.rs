//! Resync: a monitor that connects to a PBX in the middle of calls (the stand-in server
//! starts its replay at a recorded checkpoint and answers `CoreShowChannels` and the
//! conference queries with that checkpoint's recorded answers) must agree with every
//! later checkpoint; so must one that reconnects after losing the connection mid-call.

mod common;

use common::checkpoints::Checker;
use common::*;
use hackamore::ami::{Message, Secret};
use hackamore::engine::{self, EngineOptions, FeedSpec, Sink};
use hackamore::model::Tracker;
use hackamore::source::{ReplayConfig, ReplayServer, Socket, SocketConfig, Source, Step};
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

/// Drain a socket through a tracker and the checker. Returns (checker, messages).
fn follow(mut s: Socket) -> (Checker, Vec<Message>) {
    let mut tracker = Tracker::default();
    let mut checker = Checker::default();
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
                checker.observe(&tracker.model, "pbx1", &m);
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
            let (checker, ms) = follow(Socket::new(socket_config(srv.port())));
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
        let (checker, _) = follow(Socket::new(config));
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
            checker.observe(&tracker.model, pbx, m);
        }
    }
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
