//! Measurement kernels for the benchmark suite (`benches/bench.py`): the same work as the
//! engine, on bytes already in memory, so figures compare like with like.

use crate::ami::{Decoder, Next};
use crate::model::{ModelInterest, Tracker};
use memchr::memmem;

/// Message boundaries (`\r\n\r\n`) counted by memchr's substring search, whose prefilter
/// skips most bytes unread: faster than anything that must look at every line.
pub fn scan_boundaries(data: &[u8]) -> usize {
    memmem::find_iter(data, b"\r\n\r\n").count()
}

/// The limit, line by line: find every `\n` with memchr and count the blank lines that end
/// a message, which is the least any AMI decoder must do.
pub fn scan_lines(data: &[u8]) -> usize {
    let (mut messages, mut line_start, mut in_message) = (0, 0, false);
    for newline in memchr::memchr_iter(b'\n', data) {
        let blank = newline - line_start <= 1; // `\n` or `\r\n`
        messages += usize::from(blank && in_message);
        in_message = !blank;
        line_start = newline + 1;
    }
    messages
}

/// The decoder alone: messages decoded from `data` fed in 64 KiB reads.
pub fn decode_count(data: &[u8]) -> usize {
    let mut d = Decoder::new();
    let mut n = 0;
    for chunk in data.chunks(64 * 1024) {
        d.feed(chunk);
        while let Some(m) = d.next_message() {
            d.recycle(m); // as the engines do
            n += 1;
        }
    }
    n
}

/// The decoder alone, passing over the events the model does not read: the ceiling of
/// [`decode_wanted_and_model`] with a model that cost nothing.
pub fn decode_wanted_count(data: &[u8]) -> usize {
    let interest = ModelInterest::default();
    let mut d = Decoder::new();
    let mut n = 0;
    for chunk in data.chunks(64 * 1024) {
        d.feed(chunk);
        while let Some(next) = d.next_wanted(&interest) {
            if let Next::Message(m) = next {
                d.recycle(m);
            }
            n += 1;
        }
    }
    n
}

/// [`decode_and_model`] passing over the events the model does not read
/// ([`Decoder::next_wanted`]): what the engines do. (messages, changes).
pub fn decode_wanted_and_model(data: &[u8], pbx: &str) -> (usize, usize) {
    feed_wanted(&mut Decoder::new(), &mut Tracker::default(), data, pbx)
}

/// The model's cost with live state: `warm` is applied first (bringing calls up), then
/// `data` is timed, passing over what the model ignores as the engines do. Returns
/// (messages, changes, seconds) of `data`, and the channels up after `warm`.
pub fn model_after(warm: &[u8], data: &[u8], pbx: &str) -> (usize, usize, f64, usize) {
    let (mut d, mut t) = (Decoder::new(), Tracker::default());
    feed_wanted(&mut d, &mut t, warm, pbx);
    let channels = t.model().sizes().channels;
    let start = std::time::Instant::now();
    let (messages, changes) = feed_wanted(&mut d, &mut t, data, pbx);
    (messages, changes, start.elapsed().as_secs_f64(), channels)
}

/// `bytes` through `d` (passing over what `t` does not read) and `t`: (messages, changes).
fn feed_wanted(d: &mut Decoder, t: &mut Tracker, bytes: &[u8], pbx: &str) -> (usize, usize) {
    let (mut messages, mut changes) = (0, 0);
    for chunk in bytes.chunks(64 * 1024) {
        d.feed(chunk);
        while let Some(next) = d.next_wanted(&*t) {
            messages += 1;
            let Next::Message(m) = next else { continue };
            let source = m.trace_source().map(String::from_utf8_lossy);
            t.process(source.as_deref().unwrap_or(pbx), &m, |_, _| changes += 1);
            drop(source);
            d.recycle(m); // as the engines do
        }
    }
    (messages, changes)
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
            let source = m.trace_source().map(String::from_utf8_lossy);
            t.process(source.as_deref().unwrap_or(pbx), &m, |_, _| changes += 1);
            drop(source);
            d.recycle(m); // as the engines do
        }
    }
    (messages, changes)
}
