//! Feed arbitrary bytes to the decoder in chunks chosen by the input itself; it must never
//! panic, must keep every message within the caps, and must hold bounded memory. A second
//! decoder gets every message back to reuse (`recycle`) and must decode the same.
#![no_main]

use hackamore::ami::{Decoder, Limits};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Small caps so the fuzzer reaches every drop path with short inputs.
    let limits = Limits { max_line: 256, max_message: 1024, max_headers: 8 };
    let (split, body) = match data.split_first() {
        Some((s, rest)) => (usize::from(*s).max(1), rest),
        None => (1, data),
    };
    let mut d = Decoder::with_limits(limits);
    let mut recycling = Decoder::with_limits(limits);
    for chunk in body.chunks(split) {
        d.feed(chunk);
        recycling.feed(chunk);
        while let Some(m) = d.next_message() {
            assert!(m.len() <= limits.max_headers);
            assert!(m.byte_len() <= limits.max_message);
            let _ = m.to_wire();
            let again = recycling.next_message().expect("the same message");
            assert_eq!(again, m);
            recycling.recycle(again);
        }
        assert!(recycling.next_message().is_none());
        assert!(d.pending_bytes() <= limits.max_line + limits.max_message + split + 2);
    }
    d.finish();
    assert_eq!(d.pending_bytes(), 0);
});
