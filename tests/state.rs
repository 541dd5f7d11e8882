//! One PBX's state exported by one model and taken over by another: after every message
//! of every recorded trace, a model that imports each PBX's state holds what the
//! exporting model holds (calls joined across PBXes included), and goes on to the same
//! model with the messages that follow.

mod common;

use common::*;
use hackamore::model::{Model, PbxState, Tracker};
use hackamore::source::{CaptureFile, Source, Step};
use std::time::Duration;

/// A model's state in a form that does not depend on call numbering or on the order in
/// which a call's members were joined.
fn comparable(m: &Model) -> Vec<(String, PbxState)> {
    m.pbx_names()
        .map(|pbx| {
            let mut s = m.export_pbx(pbx);
            for call in &mut s.calls {
                call.sort();
            }
            s.calls.sort();
            s.waiting.sort();
            s.numbers.sort();
            (pbx.to_string(), s)
        })
        .collect()
}

fn taken_over(from: &Model) -> Model {
    let mut m = Model::new();
    for pbx in from.pbx_names() {
        m.import_pbx(pbx, &from.export_pbx(pbx));
    }
    m
}

#[test]
fn a_model_that_takes_over_every_pbx_holds_the_same() {
    let mut checked = 0;
    for path in fixtures()
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "trace"))
    {
        let mut src = CaptureFile::trace("pbx", &path).unwrap();
        let mut tracker = Tracker::default();
        while let Step::Message(m) = src.next_step(Duration::ZERO).unwrap() {
            let pbx = String::from_utf8_lossy(m.get_exact("SOURCE").unwrap_or(b"pbx")).into_owned();
            tracker.process(&pbx, &m, |_, _| {});
            let model = tracker.model();
            let copy = taken_over(model);
            assert_eq!(comparable(&copy), comparable(model), "{}", path.display());
            assert_eq!(copy.sizes(), model.sizes(), "{}", path.display());
            assert_eq!(copy.sizes(), copy.sizes_by_walking());
            checked += 1;
        }
    }
    assert!(checked > 1000, "{checked} messages");
}

#[test]
fn the_state_survives_json() {
    let path = fixtures_dir().join("cross-pbx.trace");
    let mut src = CaptureFile::trace("pbx", &path).unwrap();
    let mut tracker = Tracker::default();
    let mut most = 0;
    while let Step::Message(m) = src.next_step(Duration::ZERO).unwrap() {
        let pbx = String::from_utf8_lossy(m.get_exact("SOURCE").unwrap_or(b"pbx")).into_owned();
        tracker.process(&pbx, &m, |_, _| {});
        for pbx in tracker.model().pbx_names() {
            let state = tracker.model().export_pbx(pbx);
            most = most.max(state.channels.len());
            let json = serde_json::to_string(&state).unwrap();
            assert_eq!(serde_json::from_str::<PbxState>(&json).unwrap(), state);
        }
    }
    assert!(most > 0);
}

#[test]
fn a_model_that_took_over_goes_on_with_the_changes_that_follow() {
    for path in fixtures()
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "trace"))
    {
        let total = {
            let mut src = CaptureFile::trace("pbx", &path).unwrap();
            std::iter::from_fn(|| match src.next_step(Duration::ZERO).unwrap() {
                Step::Message(m) => Some(m),
                _ => None,
            })
            .count()
        };
        let mut src = CaptureFile::trace("pbx", &path).unwrap();
        let mut tracker = Tracker::default();
        let mut copy: Option<Model> = None;
        let mut n = 0;
        while let Step::Message(m) = src.next_step(Duration::ZERO).unwrap() {
            let pbx = String::from_utf8_lossy(m.get_exact("SOURCE").unwrap_or(b"pbx")).into_owned();
            let mut changes = Vec::new();
            tracker.process(&pbx, &m, |_, c| changes.push(c.clone()));
            n += 1;
            match &mut copy {
                Some(c) => {
                    for change in &changes {
                        c.apply(change);
                    }
                    assert_eq!(
                        comparable(c),
                        comparable(tracker.model()),
                        "{} message {n}",
                        path.display()
                    );
                }
                None if n == total / 2 => copy = Some(taken_over(tracker.model())),
                None => {}
            }
        }
        assert!(
            copy.is_some_and(|c| c.sizes().is_empty()),
            "{}",
            path.display()
        );
    }
}

/// The state of a PBX read alone (as a collector reads its own), up to where its
/// capture asks for checkpoint `k`.
fn alone_until(path: &std::path::Path, pbx: &str, k: u32) -> PbxState {
    let mut src = CaptureFile::raw(pbx, path).unwrap();
    let mut tracker = Tracker::default();
    let needle = format!("truth-{k}");
    while let Step::Message(m) = src.next_step(Duration::ZERO).unwrap() {
        if m.get_str("ActionID").is_some_and(|id| id == needle) {
            break;
        }
        tracker.process(pbx, &m, |_, _| {});
    }
    tracker.model().export_pbx(pbx)
}

/// A consumer takes each collector's state over again and again (one a minute): the
/// calls joined across the two PBXes (trunk legs of one value, each waiting on its own
/// side) stay joined. Taking a PBX's state a second time split them: its new channels
/// waited for twins that had stopped waiting.
#[test]
fn taking_a_pbx_over_again_keeps_its_calls_with_other_pbxes() {
    let mut joined = 0;
    for pair in ["cross-pbx", "churn", "churn-features", "attended-transfer"] {
        let path = |pbx: &str| fixtures_dir().join(format!("{pair}-{pbx}.ami"));
        for k in 1..=20 {
            let text = std::fs::read_to_string(path("pbx1")).unwrap();
            if !text.contains(&format!("ActionID: truth-{k}\r\n")) {
                break;
            }
            let states = ["pbx1", "pbx2"].map(|pbx| alone_until(&path(pbx), pbx, k));
            let mut once = Model::new();
            once.import_pbx("pbx1", &states[0]);
            once.import_pbx("pbx2", &states[1]);
            let mut again = Model::new();
            again.import_pbx("pbx2", &states[1]);
            for (i, pbx) in ["pbx1", "pbx1", "pbx2", "pbx2", "pbx1"].iter().enumerate() {
                again.import_pbx(pbx, &states[usize::from(*pbx == "pbx2")]);
                let at = format!("{pair} at {k}, import {i} ({pbx})");
                assert_eq!(comparable(&again), comparable(&once), "{at}");
                assert_eq!(again.sizes(), once.sizes(), "{at}");
            }
            joined += once
                .calls()
                .filter(|(_, members)| members.iter().any(|(p, _)| p == "pbx1"))
                .filter(|(_, members)| members.iter().any(|(p, _)| p == "pbx2"))
                .count();
        }
    }
    assert!(joined > 0, "no call joined across the PBXes");
}
