//! The engines against three stand-in servers: per PBX, exactly the messages a File
//! replay gives, in order, whether one thread polls them all or a thread reads each.

mod common;

use common::*;
use hackamore::ami::{Message, Secret};
use hackamore::engine::{self, EngineOptions, FeedSpec};
use hackamore::source::{CaptureFile, ReplayConfig, ReplayServer, SocketConfig, Source, Step};
use parking_lot::Mutex;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn file_events(name: &str) -> Vec<Option<String>> {
    let mut f = CaptureFile::raw("p", fixtures_dir().join(name)).unwrap();
    let mut out = Vec::new();
    while let Step::Message(m) = f.next_step(Duration::ZERO).unwrap() {
        out.push(m.event().map(|e| e.into_owned()));
    }
    out
}

fn run(threaded: bool) -> HashMap<String, Vec<Message>> {
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
    let out = got.lock().clone();
    out
}

#[test]
fn main_and_mains_deliver_each_pbx_stream_in_order() {
    let expected = file_events("dial-local-pbx1.ami");
    for threaded in [false, true] {
        let got = run(threaded);
        assert_eq!(got.len(), 3);
        for (pbx, ms) in got {
            // Answers to the socket's own resync actions are not part of the replay.
            let events: Vec<Option<String>> = ms
                .iter()
                .filter(|m| {
                    !m.get_str("ActionID")
                        .is_some_and(|id| id.starts_with("hackamore-sync-"))
                })
                .map(|m| m.event().map(|e| e.into_owned()))
                .collect();
            assert_eq!(events, expected, "{pbx} (threaded: {threaded})");
        }
    }
}
