//! A trunk leg's twin is the other PBX's leg of the same SIP dialog. The receiving leg
//! sets the trunk variable in its inherited form (`__SIPCALLID`), so every channel it
//! dials says the value too; none of those may become its twin, whichever PBX's events
//! arrive first. Checked on the recorded two-PBX traces, replayed as recorded and with
//! one PBX's events held back, against an oracle that reads the capture on its own: a
//! channel that says a value after a live channel of its PBX with the same Linkedid said
//! it inherited the value; any other is its PBX's leg of that dialog.

mod common;

use common::*;
use hackamore::ami::Message;
use hackamore::model::{Role, Tracker};
use hackamore::source::{CaptureFile, Source, Step};
use std::collections::BTreeMap;
use std::time::Duration;

type Key = (String, String);

fn field(m: &Message, name: &str) -> String {
    m.get_str(name).map(|s| s.into_owned()).unwrap_or_default()
}

/// A trace's messages by PBX, in the order each PBX's events would arrive if those of
/// `delayed` took `by` seconds longer than the other's.
fn arrival(path: &std::path::Path, delayed: Option<&str>, by: f64) -> Vec<(String, Message)> {
    let mut src = CaptureFile::trace("trace", path).unwrap();
    let mut timed = Vec::new();
    let mut last = 0.0;
    while let Step::Message(m) = src.next_step(Duration::ZERO).unwrap() {
        let pbx = field(&m, "SOURCE");
        let t = field(&m, "TIME").parse().unwrap_or(last);
        last = t;
        let skew = if delayed == Some(pbx.as_str()) {
            by
        } else {
            0.0
        };
        timed.push((t + skew, pbx, m));
    }
    // Stable: each PBX's own order stays as recorded.
    timed.sort_by(|a, b| a.0.total_cmp(&b.0));
    timed.into_iter().map(|(_, p, m)| (p, m)).collect()
}

/// What the oracle expects of each value: which channel waits for its twin.
#[derive(Default)]
struct Oracle {
    /// Value -> (pbx, uniqueid, linkedid) of every channel that said it, in order.
    said: BTreeMap<String, Vec<(String, String, String)>>,
    /// Value -> the leg waiting for its twin.
    waiting: BTreeMap<String, Key>,
    /// Value -> the legs found twins.
    paired: BTreeMap<String, (Key, Key)>,
    /// Inheritors that said a value before the other PBX's leg did: the case at stake.
    inherited_before_twin: usize,
}

struct Outcome {
    errors: Vec<String>,
    inherited_before_twin: usize,
    pairs: usize,
}

fn replay(path: &std::path::Path, delayed: Option<&str>, by: f64) -> Outcome {
    let mut tracker = Tracker::default();
    let mut o = Oracle::default();
    let mut errors = Vec::new();
    let mut pairs = 0;
    for (i, (pbx, m)) in arrival(path, delayed, by).into_iter().enumerate() {
        let varset = m.event().is_some_and(|e| e.eq_ignore_ascii_case("VarSet"));
        let variable = field(&m, "Variable");
        let said = varset
            && variable
                .trim_start_matches('_')
                .eq_ignore_ascii_case("SIPCALLID")
            && !field(&m, "Value").is_empty();
        let before: BTreeMap<String, Key> = tracker
            .model()
            .trunks()
            .into_iter()
            .map(|(v, k)| (v.to_string(), (k.0.to_string(), k.1.to_string())))
            .collect();
        tracker.process(&pbx, &m, |_, _| {});
        let model = tracker.model();
        let alive = |k: &Key| model.channel(&k.0, &k.1).is_some();
        o.waiting.retain(|_, k| alive(k));
        let at = format!("{} message {i}", path.display());
        if said {
            let (uid, linkedid, value) = (
                field(&m, "Uniqueid"),
                field(&m, "Linkedid"),
                field(&m, "Value"),
            );
            let key: Key = (pbx.clone(), uid.clone());
            // A channel saying a new value waits no more under its old one.
            o.waiting.retain(|v, k| !(k == &key && v != &value));
            let earlier = o.said.entry(value.clone()).or_default();
            let inherited = earlier.iter().any(|(p, u, l)| {
                *p == pbx && *u != uid && *l == linkedid && alive(&(p.clone(), u.clone()))
            });
            let other_leg_seen = earlier.iter().any(|(p, ..)| *p != pbx);
            earlier.push((pbx.clone(), uid.clone(), linkedid));
            if inherited {
                if !other_leg_seen {
                    o.inherited_before_twin += 1;
                }
                let role = model.channel(&pbx, &uid).map(|c| c.role);
                let local = field(&m, "Channel").starts_with("Local/");
                if !local && role == Some(Role::Trunk) {
                    errors.push(format!(
                        "{at}: {key:?} inherited {value} and became a trunk"
                    ));
                }
            } else {
                match o.waiting.get(&value).cloned() {
                    Some(twin) if twin.0 != pbx => {
                        o.waiting.remove(&value);
                        o.paired.insert(value.clone(), (twin.clone(), key.clone()));
                        pairs += 1;
                        for k in [&twin, &key] {
                            let c = model.channel(&k.0, &k.1);
                            if c.map(|c| c.role) != Some(Role::Trunk) {
                                errors.push(format!("{at}: {k:?}, a leg of {value}, not a trunk"));
                            }
                        }
                        let call = |k: &Key| model.channel(&k.0, &k.1).and_then(|c| c.call);
                        if call(&twin).is_none() || call(&twin) != call(&key) {
                            errors.push(format!("{at}: {twin:?} and {key:?} not in one call"));
                        }
                    }
                    Some(_) => {}
                    None => {
                        o.waiting.insert(value.clone(), key.clone());
                    }
                }
            }
        }
        let now: BTreeMap<String, Key> = model
            .trunks()
            .into_iter()
            .map(|(v, k)| (v.to_string(), (k.0.to_string(), k.1.to_string())))
            .collect();
        if now != o.waiting {
            errors.push(format!(
                "{at} ({}): waiting {now:?}, the oracle says {:?} (before: {before:?})",
                field(&m, "Channel"),
                o.waiting
            ));
            // Go on from what the model holds, to report each disagreement once.
            o.waiting = now;
        }
    }
    Outcome {
        errors,
        inherited_before_twin: o.inherited_before_twin,
        pairs,
    }
}

/// The recorded traces of two PBXes whose trunk sets the variable.
fn traces() -> Vec<std::path::PathBuf> {
    fixtures()
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "trace"))
        .filter(|p| std::fs::read_to_string(p).unwrap().contains("SIPCALLID"))
        .collect()
}

#[test]
fn a_channel_the_receiving_leg_dialled_is_never_its_twin_whoever_comes_first() {
    let paths = traces();
    assert!(paths.iter().any(|p| p.to_string_lossy().contains("sip-")));
    let (mut inherited_first, mut pairs) = (0, 0);
    let mut errors = Vec::new();
    for path in &paths {
        let mut orders: Vec<(Option<&str>, f64)> = vec![(None, 0.0)];
        for pbx in ["pbx1", "pbx2"] {
            for by in [0.05, 0.5, 2.0] {
                orders.push((Some(pbx), by));
            }
        }
        for (delayed, by) in orders {
            let out = replay(path, delayed, by);
            inherited_first += out.inherited_before_twin;
            pairs += out.pairs;
            errors.extend(
                out.errors
                    .into_iter()
                    .map(|e| format!("[{delayed:?} +{by}s] {e}")),
            );
        }
    }
    for e in errors.iter().take(20) {
        eprintln!("{e}");
    }
    assert!(errors.is_empty(), "{} disagreements", errors.len());
    // Not vacuous: channels inherited a value before the other PBX's leg said it, and
    // legs were paired.
    assert!(inherited_first >= 10, "{inherited_first} inherited first");
    assert!(pairs >= 100, "{pairs} pairs");
}
