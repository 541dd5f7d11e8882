//! Passing over the events the model does not read (`Decoder::next_wanted`) against
//! reading every message whole: the same boundaries, counts and drops on hostile input,
//! and on every recorded capture the same changes, message by message.

mod common;

use common::*;
use hackamore::ami::{Decoder, Interest, Limits, Message, Next, Want};
use hackamore::model::{Change, Clock, Rules, Tracker, DEFAULT_TRUNK_VARIABLE};
use memchr::memmem::Finder;
use proptest::prelude::*;

/// Wants events whose name starts with `A`, and `VarSet`s that hold `WANTED`.
struct Some_(Finder<'static>);

impl Some_ {
    fn new() -> Self {
        Some_(Finder::new(b"WANTED"))
    }
}

impl Interest for Some_ {
    fn wants(&self, event: &[u8]) -> Want<'_> {
        match event {
            b"VarSet" => Want::IfContains(&self.0),
            [b'A', ..] => Want::Yes,
            _ => Want::No,
        }
    }
}

/// What each reading gives, message by message: the message read whole, or `None` where
/// it was passed over; then the stats, banner and resume offset.
fn read(
    wire: &[u8],
    chunk: usize,
    limits: Limits,
    skip: bool,
) -> (Vec<Option<Message>>, (u64, u64), Option<String>, u64) {
    let mut d = Decoder::with_limits(limits);
    let interest = Some_::new();
    let mut out = Vec::new();
    for piece in wire.chunks(chunk) {
        d.feed(piece);
        loop {
            let next = if skip {
                d.next_wanted(&interest)
            } else {
                d.next_message().map(Next::Message)
            };
            match next {
                Some(Next::Message(m)) => out.push(Some(m)),
                Some(Next::Skipped) => out.push(None),
                None => break,
            }
        }
    }
    let at = d.resume_offset();
    d.finish();
    let s = d.stats();
    assert_eq!(s.skipped, out.iter().filter(|m| m.is_none()).count() as u64);
    (
        out,
        (s.messages, s.dropped()),
        d.banner().map(|b| b.text.clone()),
        at,
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 600, .. ProptestConfig::default() })]

    /// A soup of hostile lines near every cap: each message passed over is one the whole
    /// reading found there and did not want; every other is the same message.
    #[test]
    fn passing_over_agrees_with_reading_whole(
        lines in prop::collection::vec(prop_oneof![
            Just(String::new()),
            Just(String::new()),
            Just("Event: Newexten".to_string()),
            Just("Event: Apple".to_string()),
            Just("Event: VarSet".to_string()),
            Just("Event: Newexten\r".to_string()),
            Just("Variable: WANTED".to_string()),
            Just("Event:Newexten".to_string()),
            Just("Response: Follows".to_string()),
            Just("--END COMMAND--".to_string()),
            Just("Asterisk Call Manager/2.10.4".to_string()),
            "[A-Za-z]{1,6}: [ -~]{0,30}",
            "[ -~]{0,40}",
            (0usize..60).prop_map(|n| format!("K: {}", "v".repeat(n))),
        ], 0..120),
        endings in prop::collection::vec(prop_oneof![Just("\r\n"), Just("\n")], 1..8),
        limits in (24usize..64, 16usize..200, 1usize..10),
        chunk in 1usize..300,
    ) {
        let limits = Limits { max_line: limits.0, max_message: limits.1, max_headers: limits.2 };
        let mut wire = Vec::new();
        for (i, l) in lines.iter().enumerate() {
            wire.extend_from_slice(l.as_bytes());
            wire.extend_from_slice(endings[i % endings.len()].as_bytes());
        }
        let whole = read(&wire, chunk, limits, false);
        let passing = read(&wire, chunk, limits, true);
        prop_assert_eq!(&whole.1, &passing.1);
        prop_assert_eq!(&whole.2, &passing.2);
        prop_assert_eq!(whole.3, passing.3);
        prop_assert_eq!(whole.0.len(), passing.0.len());
        for (w, p) in whole.0.iter().zip(&passing.0) {
            let w = w.as_ref().expect("reading whole gives every message");
            match p {
                Some(p) => prop_assert_eq!(p, w),
                None => {
                    let name = w.get("Event").unwrap_or_default();
                    let unwanted = match Some_::new().wants(name) {
                        Want::No => true,
                        Want::IfContains(f) => f.find(&w.to_wire()).is_none(),
                        Want::UnlessNothingIn(nothing) => nothing(&w.to_wire()),
                        Want::Yes => false,
                    };
                    prop_assert!(unwanted, "passed over a wanted {:?}", w);
                }
            }
        }
    }
}

/// Every capture through two trackers, one reading every message whole and one passing
/// over what it does not want: after each message the same changes and sizes.
fn same_changes(path: &std::path::Path, rules: Rules, chunk: usize) -> (u64, u64) {
    let bytes = std::fs::read(path).unwrap();
    let (mut whole, mut skipping) = (Decoder::new(), Decoder::new());
    let mut read = Tracker::with_rules(DEFAULT_TRUNK_VARIABLE, rules);
    let mut passed = Tracker::with_rules(DEFAULT_TRUNK_VARIABLE, rules);
    // Captures read back: a time they do not record is unknown, not now (which moves).
    read.set_clock(Clock::Recorded);
    passed.set_clock(Clock::Recorded);
    let (mut a, mut b): (Vec<Change>, Vec<Change>) = (Vec::new(), Vec::new());
    for piece in bytes.chunks(chunk) {
        whole.feed(piece);
        skipping.feed(piece);
        while let Some(m) = whole.next_message() {
            let pbx = m
                .trace_source()
                .map(|s| String::from_utf8_lossy(s).into_owned());
            let pbx = pbx.as_deref().unwrap_or("pbx1");
            a.clear();
            b.clear();
            read.process(pbx, &m, |_, c| a.push(c.clone()));
            match skipping.next_wanted(&passed).expect("the same message") {
                Next::Message(n) => {
                    assert_eq!(n, m);
                    passed.process(pbx, &n, |_, c| b.push(c.clone()));
                }
                Next::Skipped => {}
            }
            assert_eq!(a, b, "{}: {m:?}", path.display());
            assert_eq!(read.model().sizes(), passed.model().sizes());
        }
    }
    let (s, w) = (skipping.stats(), whole.stats());
    assert_eq!(s.messages, w.messages);
    (s.messages, s.skipped)
}

#[test]
fn every_capture_gives_the_same_changes_passing_over_what_the_model_ignores() {
    let (mut messages, mut skipped) = (0, 0);
    for path in fixtures() {
        for rules in [Rules::Standard, Rules::Framework2014] {
            for chunk in [64 * 1024, 1000, 37] {
                let (m, s) = same_changes(&path, rules, chunk);
                messages += m;
                skipped += s;
            }
        }
    }
    // Many events are ones the model does not read (Newexten, VarSet, DeviceStateChange).
    assert!(
        skipped * 3 > messages,
        "{skipped} of {messages} passed over"
    );
}

#[test]
fn the_2014_rules_read_an_event_with_a_later_event_line_whole() {
    // The 2014 framework read the last `Event:` line: this one is a Hangup to it.
    let wire = b"Event: Newexten\r\nUniqueid: 1.1\r\nChannel: SIP/a-1\r\nEvent: Hangup\r\n\r\n";
    for (rules, skipped) in [(Rules::Standard, 1), (Rules::Framework2014, 0)] {
        let t = Tracker::with_rules(DEFAULT_TRUNK_VARIABLE, rules);
        let mut d = Decoder::new();
        d.feed(wire);
        let next = d.next_wanted(&t).unwrap();
        assert_eq!(matches!(next, Next::Skipped) as u64, skipped, "{rules:?}");
        assert_eq!(d.stats().messages, 1);
    }
}

#[test]
fn a_varset_is_read_whole_only_when_it_may_set_the_trunk_variable() {
    let t = Tracker::default();
    let mut d = Decoder::new();
    d.feed(b"Event: VarSet\r\nChannel: SIP/a-1\r\nVariable: RTPAUDIOQOS\r\nValue: x\r\nUniqueid: 1.1\r\n\r\n");
    d.feed(b"Event: VarSet\r\nChannel: SIP/a-1\r\nVariable: __SIPCALLID\r\nValue: c@h\r\nUniqueid: 1.1\r\n\r\n");
    assert!(matches!(d.next_wanted(&t), Some(Next::Skipped)));
    let Some(Next::Message(m)) = d.next_wanted(&t) else {
        panic!("the trunk variable's VarSet is read whole")
    };
    assert_eq!(m.get_str("Variable").as_deref(), Some("__SIPCALLID"));
    assert_eq!((d.stats().messages, d.stats().skipped), (2, 1));
}
