//! The checkpoint checker: the model must agree with every answer to `CoreShowChannels`
//! (`truth-k`) and `ConfbridgeList` (`conf-k`) recorded in the fixtures (see their README).

use hackamore::ami::Message;
use hackamore::model::Model;
use std::collections::{BTreeSet, HashMap};

#[derive(Default)]
pub struct Pending {
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
                c.uniqueid.to_string(),
                c.channel.to_string(),
                c.channelstate.to_string(),
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
                by_value.entry(v.to_string()).or_default().push((
                    c.pbx.to_string(),
                    c.uniqueid.to_string(),
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
        .flat_map(|(_, members)| members.iter())
        .map(|uid| {
            model
                .channel(pbx, uid)
                .map_or_else(|| uid.to_string(), |c| c.channel.to_string())
        })
        .collect();
    if want == have {
        vec![]
    } else {
        vec![format!("room 100: want {want:?}, have {have:?}")]
    }
}

/// Watches a stream go by and checks the model at each recorded checkpoint.
#[derive(Default)]
pub struct Checker {
    pending: HashMap<String, Pending>,
    pub checked: usize,
    pub errors: Vec<String>,
}

impl Checker {
    /// Call after the model has taken `m` from `pbx`.
    pub fn observe(&mut self, model: &Model, pbx: &str, m: &Message) {
        let id = get(m, "ActionID");
        let event = get(m, "Event");
        let p = self.pending.entry(pbx.to_string()).or_default();
        let errs = match event.as_str() {
            "CoreShowChannel" | "ConfbridgeList" => {
                p.entries.entry(id).or_default().push(m.clone());
                return;
            }
            "CoreShowChannelsComplete" if id.starts_with("truth-") => {
                let entries = p.entries.remove(&id).unwrap_or_default();
                let mut e = check_channels(model, pbx, &entries);
                e.extend(check_sipcallids(model));
                e
            }
            "ConfbridgeListComplete" if id.starts_with("conf-") => {
                let entries = p.entries.remove(&id).unwrap_or_default();
                check_room(model, pbx, &entries)
            }
            "" if id.starts_with("conf-") && get(m, "Response") == "Error" => {
                check_room(model, pbx, &[])
            }
            _ => return,
        };
        self.checked += 1;
        self.errors
            .extend(errs.into_iter().map(|e| format!("{pbx} {id}: {e}")));
    }
}
