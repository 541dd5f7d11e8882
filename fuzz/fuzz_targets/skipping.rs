//! The decoder passing over events the model does not read (`next_wanted`) against the
//! decoder reading every message whole, each feeding its own tracker: message by message,
//! the same boundaries (a passed-over event is where a whole one was), the same changes
//! (none for a passed-over one), the same sizes and the same counts, under the standard
//! rules and the 2014 framework's (which read an event's last `Event:` line).
#![no_main]

use hackamore::ami::{Decoder, Limits, Next};
use hackamore::model::{Change, Clock, Rules, Tracker, DEFAULT_TRUNK_VARIABLE};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (head, body) = data.split_at(data.len().min(2));
    let split = head.first().map_or(1, |s| usize::from(*s).max(1));
    let flags = head.get(1).copied().unwrap_or(0);
    let rules = if flags & 1 == 1 { Rules::Framework2014 } else { Rules::Standard };
    // Small caps now and then, so that skipping meets every cap.
    let limits = if flags & 2 == 2 {
        Limits { max_line: 200, max_message: 700, max_headers: 12 }
    } else {
        Limits::default()
    };
    let (mut whole, mut skipping) = (Decoder::with_limits(limits), Decoder::with_limits(limits));
    let mut read = Tracker::with_rules(DEFAULT_TRUNK_VARIABLE, rules);
    let mut passed = Tracker::with_rules(DEFAULT_TRUNK_VARIABLE, rules);
    // Captures read back: a time they do not record is unknown, not now (which moves).
    read.set_clock(Clock::Recorded);
    passed.set_clock(Clock::Recorded);
    let (mut a, mut b): (Vec<Change>, Vec<Change>) = (Vec::new(), Vec::new());
    for chunk in body.chunks(split) {
        whole.feed(chunk);
        skipping.feed(chunk);
        while let Some(m) = whole.next_message() {
            a.clear();
            b.clear();
            read.process("pbx1", &m, |_, c| a.push(c.clone()));
            match skipping.next_wanted(&passed).expect("the same message, read or passed over") {
                Next::Message(n) => {
                    assert_eq!(n, m);
                    passed.process("pbx1", &n, |_, c| b.push(c.clone()));
                }
                Next::Skipped => {}
            }
            assert_eq!(a, b, "{m:?}");
            assert_eq!(read.model().sizes(), passed.model().sizes());
        }
        assert!(skipping.next_wanted(&passed).is_none());
        let (s, w) = (skipping.stats(), whole.stats());
        assert_eq!((s.messages, s.dropped()), (w.messages, w.dropped()));
        assert_eq!(skipping.pending_bytes(), whole.pending_bytes());
    }
});
