//! Every recorded fixture, replayed through the normaliser and the standard model, agrees
//! with every checkpoint recorded inside it (see tests/fixtures/asterisk and DESIGN §6).

mod common;

use common::*;
use hackamore::ami::Message;
use hackamore::model::{Model, Tracker};
use hackamore::source::{CaptureFile, Source, Step};
use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

#[derive(Default)]
struct Pending {
    /// ActionID -> CoreShowChannel / ConfbridgeList entries so far.
    entries: HashMap<String, Vec<Message>>,
}

fn get(m: &Message, k: &str) -> String {
    m.get_str(k).map(|s| s.into_owned()).unwrap_or_default()
}

fn same_call(model: &Model, pbx: &str, a: &str, b: &str) -> bool {
    let ca = model.channel(pbx, a).and_then(|c| c.call);
    let cb = model.channel(pbx, b).and_then(|c| c.call);
    ca.is_some() && ca == cb
}

/// Check one truth checkpoint; returns a description of each disagreement.
fn check_channels(model: &Model, pbx: &str, entries: &[Message]) -> Vec<String> {
    let mut errs = Vec::new();
    let want: BTreeSet<(String, String, String)> = entries
        .iter()
        .map(|e| {
            (
                get(e, "Uniqueid"),
                get(e, "Channel"),
                get(e, "ChannelState"),
            )
        })
        .collect();
    let have: BTreeSet<(String, String, String)> = model
        .channels_of(pbx)
        .iter()
        .map(|c| {
            (
                c.uniqueid.clone(),
                c.channel.clone(),
                c.channelstate.clone(),
            )
        })
        .collect();
    if want != have {
        errs.push(format!(
            "channels differ: missing {:?}, extra {:?}",
            want.difference(&have).collect::<Vec<_>>(),
            have.difference(&want).collect::<Vec<_>>()
        ));
    }
    let mut by_bridge: HashMap<String, Vec<String>> = HashMap::new();
    for e in entries {
        let b = get(e, "BridgeId");
        if !b.is_empty() {
            by_bridge.entry(b).or_default().push(get(e, "Uniqueid"));
        }
    }
    for (b, uids) in by_bridge {
        for u in &uids[1..] {
            if !same_call(model, pbx, &uids[0], u) {
                errs.push(format!("bridge {b}: {} and {u} not in one call", uids[0]));
            }
        }
    }
    let by_name: HashMap<String, String> = entries
        .iter()
        .map(|e| (get(e, "Channel"), get(e, "Uniqueid")))
        .collect();
    for (name, uid) in &by_name {
        if let Some(base) = name.strip_suffix(";1") {
            if let Some(other) = by_name.get(&format!("{base};2")) {
                if !same_call(model, pbx, uid, other) {
                    errs.push(format!("Local {base}: halves not in one call"));
                }
            }
        }
    }
    errs
}

fn check_sipcallids(model: &Model) -> Vec<String> {
    let mut by_value: HashMap<String, Vec<(String, String, Option<u64>)>> = HashMap::new();
    for pbx in model.pbx_names() {
        for c in model.channels_of(pbx) {
            if let Some(v) = &c.sipcallid {
                by_value.entry(v.clone()).or_default().push((
                    c.pbx.clone(),
                    c.uniqueid.clone(),
                    c.call,
                ));
            }
        }
    }
    let mut errs = Vec::new();
    for (v, chans) in by_value {
        let calls: BTreeSet<_> = chans.iter().map(|c| c.2).collect();
        if chans.len() > 1 && (calls.len() != 1 || calls.contains(&None)) {
            errs.push(format!("SIPCALLID {v}: {chans:?} not in one call"));
        }
    }
    errs
}

fn check_room(model: &Model, pbx: &str, entries: &[Message]) -> Vec<String> {
    let want: BTreeSet<String> = entries.iter().map(|e| get(e, "Channel")).collect();
    let have: BTreeSet<String> = model
        .rooms_of(pbx)
        .into_iter()
        .filter(|(conf, _)| *conf == "100")
        .flat_map(|(_, members)| members.to_vec())
        .map(|uid| {
            model
                .channel(pbx, &uid)
                .map(|c| c.channel.clone())
                .unwrap_or(uid)
        })
        .collect();
    if want == have {
        vec![]
    } else {
        vec![format!("room 100: want {want:?}, have {have:?}")]
    }
}

/// Replay one fixture; returns (checkpoints checked, disagreements).
fn replay(path: &std::path::Path) -> (usize, Vec<String>) {
    let trace = path.extension().is_some_and(|e| e == "trace");
    let name = "pbx";
    let mut src = if trace {
        CaptureFile::trace(name, path).unwrap()
    } else {
        CaptureFile::raw(name, path).unwrap()
    };
    let mut tracker = Tracker::default();
    let mut pending: HashMap<String, Pending> = HashMap::new();
    let (mut checked, mut errs) = (0, Vec::new());
    while let Step::Message(m) = src.next_step(Duration::ZERO).unwrap() {
        let pbx = match m.get_exact("SOURCE") {
            Some(s) if trace => String::from_utf8_lossy(s).into_owned(),
            _ => name.to_string(),
        };
        tracker.process(&pbx, &m, |_, _| {});
        let id = get(&m, "ActionID");
        let event = get(&m, "Event");
        let p = pending.entry(pbx.clone()).or_default();
        match event.as_str() {
            "CoreShowChannel" | "ConfbridgeList" => {
                p.entries.entry(id).or_default().push(m.clone())
            }
            "CoreShowChannelsComplete" if id.starts_with("truth-") => {
                let entries = p.entries.remove(&id).unwrap_or_default();
                let mut e = check_channels(&tracker.model, &pbx, &entries);
                e.extend(check_sipcallids(&tracker.model));
                errs.extend(e.into_iter().map(|e| format!("{pbx} {id}: {e}")));
                checked += 1;
            }
            "ConfbridgeListComplete" if id.starts_with("conf-") => {
                let entries = p.entries.remove(&id).unwrap_or_default();
                errs.extend(
                    check_room(&tracker.model, &pbx, &entries)
                        .into_iter()
                        .map(|e| format!("{pbx} {id}: {e}")),
                );
                checked += 1;
            }
            "" if id.starts_with("conf-") && get(&m, "Response") == "Error" => {
                errs.extend(
                    check_room(&tracker.model, &pbx, &[])
                        .into_iter()
                        .map(|e| format!("{pbx} {id}: {e}")),
                );
                checked += 1;
            }
            _ => {}
        }
    }
    assert!(
        tracker.model.sizes().is_empty(),
        "{}: model not empty after END: {:?}",
        path.display(),
        tracker.model.sizes()
    );
    (checked, errs)
}

#[test]
fn every_fixture_agrees_with_every_checkpoint() {
    let mut total = 0;
    let mut all_errs = Vec::new();
    for path in fixtures() {
        let (n, errs) = replay(&path);
        assert!(n > 0, "{} has no checkpoints", path.display());
        total += n;
        all_errs.extend(
            errs.into_iter()
                .map(|e| format!("{}: {e}", path.file_name().unwrap().to_string_lossy())),
        );
    }
    for e in all_errs.iter().take(30) {
        eprintln!("{e}");
    }
    assert!(all_errs.is_empty(), "{} disagreements", all_errs.len());
    assert_eq!(total, 160, "the recorded fixtures hold 160 checkpoints");
}
