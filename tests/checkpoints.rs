//! Every recorded fixture, replayed through the normaliser and the standard model, agrees
//! with every checkpoint recorded inside it (see tests/fixtures/asterisk and DESIGN §6):
//! channels, calls, rooms, bridges, parked calls, queues and, in the sip-* recordings,
//! extension and device states, contacts and outbound registrations.

mod common;

use common::checkpoints::Checker;
use common::*;
use hackamore::model::Tracker;
use hackamore::source::{CaptureFile, Source, Step};
use std::collections::BTreeMap;
use std::time::Duration;

/// Replay one fixture; returns (answers checked by kind, disagreements).
fn replay(path: &std::path::Path) -> (BTreeMap<String, usize>, Vec<String>) {
    let trace = path.extension().is_some_and(|e| e == "trace");
    let name = "pbx";
    let mut src = if trace {
        CaptureFile::trace(name, path).unwrap()
    } else {
        CaptureFile::raw(name, path).unwrap()
    };
    let mut tracker = Tracker::default();
    let mut checker = Checker::default();
    while let Step::Message(m) = src.next_step(Duration::ZERO).unwrap() {
        let pbx = match m.get_exact("SOURCE") {
            Some(s) if trace => String::from_utf8_lossy(s).into_owned(),
            _ => name.to_string(),
        };
        tracker.process(&pbx, &m, |_, _| {});
        checker.observe(tracker.model(), &pbx, &m);
    }
    assert!(
        tracker.model().sizes().is_empty(),
        "{}: model not empty after END: {:?}",
        path.display(),
        tracker.model().sizes()
    );
    (checker.kinds, checker.errors)
}

#[test]
fn every_fixture_agrees_with_every_checkpoint() {
    let mut total: BTreeMap<String, usize> = BTreeMap::new();
    let mut all_errs = Vec::new();
    for path in fixtures() {
        let (kinds, errs) = replay(&path);
        assert!(!kinds.is_empty(), "{} has no checkpoints", path.display());
        for (kind, n) in kinds {
            *total.entry(kind).or_default() += n;
        }
        all_errs.extend(
            errs.into_iter()
                .map(|e| format!("{}: {e}", path.file_name().unwrap().to_string_lossy())),
        );
    }
    for e in all_errs.iter().take(30) {
        eprintln!("{e}");
    }
    assert!(all_errs.is_empty(), "{} disagreements", all_errs.len());
    // Each answer is checked in the PBX's own capture and again in the merged trace.
    // The sip-* recordings also list presence (exten, devices, contacts, registrations).
    let want = [
        ("bridges", 564),
        ("conf", 644),
        ("contacts", 276),
        ("devices", 276),
        ("exten", 276),
        ("parked", 564),
        ("queues", 564),
        ("registrations", 276),
        ("truth", 644),
    ];
    let want: BTreeMap<String, usize> = want.iter().map(|(k, n)| (k.to_string(), *n)).collect();
    assert_eq!(total, want, "answers checked, by kind");
}

fn msg(fields: &[(&str, &str)]) -> hackamore::ami::Message {
    fields.iter().copied().collect()
}

/// The checker fails an invented merge (a call of channels no bridge, dial, Local pair
/// or trunk twin ever connected), not only a split, and passes the same call when the
/// recording connected them.
#[test]
fn the_checker_fails_a_call_of_channels_nothing_connected() {
    use hackamore::model::Change;
    for connected in [false, true] {
        let mut tracker = Tracker::default();
        let mut checker = Checker::default();
        let seen = |tracker: &mut Tracker, checker: &mut Checker, m: hackamore::ami::Message| {
            tracker.process("pbx1", &m, |_, _| {});
            checker.observe(tracker.model(), "pbx1", &m);
        };
        for (uid, name) in [("1.1", "PJSIP/a-1"), ("1.2", "PJSIP/b-2")] {
            let m = msg(&[
                ("Event", "Newchannel"),
                ("Channel", name),
                ("Uniqueid", uid),
                ("ChannelState", "6"),
            ]);
            seen(&mut tracker, &mut checker, m);
        }
        if connected {
            for uid in ["1.1", "1.2"] {
                let m = msg(&[
                    ("Event", "BridgeEnter"),
                    ("Uniqueid", uid),
                    ("BridgeUniqueid", "b1"),
                    ("BridgeType", "basic"),
                ]);
                seen(&mut tracker, &mut checker, m);
            }
        } else {
            // A merge nothing recorded (as a resync pairing on `SIPCALLID=(null)` made):
            // a change straight to the model, which the checker never saw.
            tracker.apply(&Change::Bridge {
                pbx: "pbx1".into(),
                uniqueid1: "1.1".into(),
                channel1: "PJSIP/a-1".into(),
                callerid1: "".into(),
                uniqueid2: "1.2".into(),
                channel2: "PJSIP/b-2".into(),
                callerid2: "".into(),
            });
        }
        let calls: Vec<_> = tracker.model().calls().collect();
        assert_eq!(calls.len(), 1, "the model put both in one call");
        let truth = msg(&[
            ("Event", "CoreShowChannelsComplete"),
            ("ActionID", "truth-1"),
        ]);
        seen(&mut tracker, &mut checker, truth);
        let invented: Vec<_> = checker
            .errors
            .iter()
            .filter(|e| e.contains("never connected"))
            .collect();
        assert_eq!(
            invented.len(),
            usize::from(!connected),
            "{:?}",
            checker.errors
        );
    }
}
