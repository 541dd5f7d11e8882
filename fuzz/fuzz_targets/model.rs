//! Arbitrary bytes through decoder, normaliser and model, spread over two PBXes by the
//! input itself. Never a panic; the model never holds more channels than messages seen;
//! and once both PBXes have ended, nothing of them is left (channels, calls, rooms,
//! trunks, bridges).
#![no_main]

use hackamore::ami::{Decoder, Limits, Message};
use hackamore::model::Tracker;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = Limits { max_line: 512, max_message: 4096, max_headers: 32 };
    let (head, body) = data.split_at(data.len().min(2));
    let split = head.first().map_or(1, |s| usize::from(*s).max(1));
    let spread = head.get(1).copied().unwrap_or(0);
    let pbxes = ["pbx1", "pbx2"];
    let mut d = Decoder::with_limits(limits);
    let mut t = Tracker::default();
    let mut seen = 0usize;
    for chunk in body.chunks(split) {
        d.feed(chunk);
        while let Some(m) = d.next_message() {
            let pbx = pbxes[usize::from(spread >> (seen % 8)) & 1];
            seen += 1;
            t.process(pbx, &m, |_, _| {});
            assert!(t.model.sizes().channels <= seen);
        }
    }
    d.finish();
    for pbx in pbxes {
        t.process(pbx, &Message::end(seen as u64 + 1), |_, _| {});
    }
    assert!(t.model.sizes().is_empty(), "{:?}", t.model.sizes());
    assert_eq!(t.normalizer.tracked_bridges(), 0);
});
