//! Measurement kernels for the benchmark suite (`benches/bench.py`): the same work as the
//! engine, on bytes already in memory, so figures compare like with like.

use crate::ami::Decoder;
use crate::model::Tracker;
use memchr::memmem;

/// The limit: count message boundaries (`\r\n\r\n`) with a memchr scan.
pub fn scan_boundaries(data: &[u8]) -> usize {
    memmem::find_iter(data, b"\r\n\r\n").count()
}

/// The decoder alone: messages decoded from `data` fed in 64 KiB reads.
pub fn decode_count(data: &[u8]) -> usize {
    let mut d = Decoder::new();
    let mut n = 0;
    for chunk in data.chunks(64 * 1024) {
        d.feed(chunk);
        while d.next_message().is_some() {
            n += 1;
        }
    }
    n
}

/// Decoder, normaliser and standard model: (messages, changes). Messages name their PBX
/// in `SOURCE` when they have one, else `pbx`.
pub fn decode_and_model(data: &[u8], pbx: &str) -> (usize, usize) {
    let mut d = Decoder::new();
    let mut t = Tracker::default();
    let (mut messages, mut changes) = (0, 0);
    for chunk in data.chunks(64 * 1024) {
        d.feed(chunk);
        while let Some(m) = d.next_message() {
            messages += 1;
            let source = m.get_exact("SOURCE").map(String::from_utf8_lossy);
            let pbx = source.as_deref().unwrap_or(pbx);
            t.process(pbx, &m, |_, _| changes += 1);
        }
    }
    (messages, changes)
}
