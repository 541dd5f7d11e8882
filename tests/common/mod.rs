//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod checkpoints;
pub mod presence_checks;

use hackamore::ami::{Decoder, Message};
use hackamore::source::{Source, SourceError, Step};
use std::time::{Duration, Instant};

/// Everything a source delivers until it ends, with errors collected in order.
pub fn drain(src: &mut dyn Source) -> (Vec<Message>, Vec<SourceError>) {
    let (mut ms, mut errs) = (Vec::new(), Vec::new());
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        assert!(Instant::now() < deadline, "source did not end");
        match src.next_step(Duration::from_millis(50)) {
            Ok(Step::Message(m)) => ms.push(m),
            Ok(Step::Idle) => {}
            Ok(Step::Ended) => return (ms, errs),
            Err(e) => errs.push(e),
        }
    }
}

/// The events among messages (responses left out).
pub fn events(ms: &[Message]) -> Vec<Message> {
    ms.iter().filter(|m| m.event().is_some()).cloned().collect()
}

/// The events a stand-in server sends for a capture's messages: the capture's own, then
/// the `Shutdown` Asterisk says before it closes the connection.
pub fn served_events(capture: &[Message]) -> Vec<Message> {
    let mut d = Decoder::new();
    d.feed(
        b"Event: Shutdown\r\nPrivilege: system,all\r\nShutdown: Cleanly\r\nRestart: False\r\n\r\n",
    );
    let mut out = events(capture);
    out.extend(d.next_message());
    assert_eq!(
        out.last().and_then(|m| m.get_str("Shutdown")).as_deref(),
        Some("Cleanly")
    );
    out
}

use std::path::PathBuf;

pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/asterisk")
}

/// The recorded captures copied into the repo (raw `.ami` files and merged `.trace`s).
pub fn fixtures() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(fixtures_dir())
        .expect("tests/fixtures/asterisk")
        .map(|e| e.unwrap().path())
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("ami" | "trace")
            )
        })
        .collect();
    v.sort();
    assert!(
        v.len() >= 21,
        "expected the 21 recorded captures, found {}",
        v.len()
    );
    v
}

/// `../shared/fixtures/legacy` beside the repo. Tests may read these but the files are
/// not copied into the repo. Missing is a failure, never a silent pass.
pub fn legacy(name: &str) -> PathBuf {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/fixtures/legacy")
        .join(name);
    assert!(
        p.exists(),
        "{} is missing: the legacy captures are read from ../shared beside the clone",
        p.display()
    );
    p
}

/// Decode `bytes` fed in the given chunk sizes (cycled), then finish.
pub fn decode_chunked(bytes: &[u8], chunks: &[usize]) -> (Vec<Message>, Decoder) {
    let mut d = Decoder::new();
    let mut out = Vec::new();
    let mut rest = bytes;
    let mut i = 0;
    while !rest.is_empty() {
        let n = chunks[i % chunks.len()].clamp(1, rest.len());
        i += 1;
        d.feed(&rest[..n]);
        rest = &rest[n..];
        out.extend(std::iter::from_fn(|| d.next_message()));
    }
    d.finish();
    (out, d)
}

pub fn decode_all(bytes: &[u8]) -> Vec<Message> {
    decode_chunked(bytes, &[bytes.len().max(1)]).0
}
