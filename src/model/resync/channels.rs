//! The channel list (`CoreShowChannels`, with `BridgeList` before it): channels, their
//! bridges, and the calls those make.

use super::state::{Listed, PbxSync, SyncStep};
use crate::model::{Activity, Change, Model, Text};
use std::collections::{BTreeMap, HashMap};

/// The changes that make the model's channels of `pbx` those listed.
pub(super) fn channels(pbx: &str, s: &PbxSync, model: &Model, out: &mut Vec<SyncStep>) {
    let listed: HashMap<&str, &Listed> = s
        .listed
        .iter()
        .filter(|l| !l.uniqueid.is_empty() && !s.hung_up.contains(&l.uniqueid))
        .map(|l| (l.uniqueid.as_str(), l))
        .collect();
    // Gone while we were away: known here, unknown to the PBX, not created meanwhile.
    for c in model.channels_of(pbx) {
        if !listed.contains_key(c.uniqueid.as_str()) && !s.created.contains(&c.uniqueid) {
            out.push(SyncStep::Apply(Change::Hangup {
                pbx: pbx.into(),
                uniqueid: c.uniqueid.clone(),
                channel: c.channel.clone(),
            }));
        }
    }
    for l in &s.listed {
        if !listed.contains_key(l.uniqueid.as_str()) {
            continue;
        }
        let known = model.channel(pbx, &l.uniqueid);
        if known.is_none() {
            out.push(SyncStep::Apply(Change::NewChannel {
                pbx: pbx.into(),
                uniqueid: l.uniqueid.clone(),
                channel: l.channel.clone(),
                calleridnum: l.calleridnum.clone(),
                channelstate: l.channelstate.clone(),
                channelstatedesc: l.channelstatedesc.clone(),
                linkedid: l.linkedid.clone(),
            }));
        }
        let held = known.is_some_and(|c| c.activity == Activity::Held);
        if !held && l.application.eq_ignore_ascii_case("MusicOnHold") {
            out.push(SyncStep::Apply(Change::MusicOnHold {
                pbx: pbx.into(),
                uniqueid: l.uniqueid.clone(),
                channel: l.channel.clone(),
            }));
        }
    }
    bridge_state(pbx, s, &listed, model, out);
    // Calls: members of one bridge (2.x), bridged pairs (1.x), the halves of a Local.
    let mut bridges: BTreeMap<&str, Vec<&Listed>> = BTreeMap::new();
    for l in s
        .listed
        .iter()
        .filter(|l| listed.contains_key(l.uniqueid.as_str()))
    {
        if !l.bridgeid.is_empty() {
            bridges.entry(&l.bridgeid).or_default().push(l);
        }
    }
    for (id, members) in bridges {
        let holding = s.holding.contains(id);
        if !holding {
            let first = members[0];
            for other in &members[1..] {
                bridge(pbx, first, other, model, out);
            }
        }
        out.push(SyncStep::AdoptBridge {
            pbx: pbx.into(),
            bridge: id.into(),
            holding,
            members: members
                .iter()
                .map(|l| (l.uniqueid.clone(), l.channel.clone(), l.calleridnum.clone()))
                .collect(),
        });
    }
    for l in listed.values() {
        if let Some(other) = listed.get(l.bridged_uniqueid.as_str()) {
            if l.uniqueid < other.uniqueid {
                bridge(pbx, l, other, model, out);
            }
        }
        if let Some(base) = l.channel.strip_suffix(";1") {
            let twin = format!("{base};2");
            if let Some(other) = listed.values().find(|o| o.channel == twin) {
                if !same_call(model, pbx, &l.uniqueid, &other.uniqueid) {
                    out.push(SyncStep::Apply(Change::LocalBridge {
                        pbx: pbx.into(),
                        uniqueid1: l.uniqueid.clone(),
                        channel1: l.channel.clone(),
                        uniqueid2: other.uniqueid.clone(),
                        channel2: other.channel.clone(),
                    }));
                }
            }
        }
    }
}

/// Two channels already in one call (as the model stood before the resync).
fn same_call(model: &Model, pbx: &str, a: &str, b: &str) -> bool {
    let call = |u| model.channel(pbx, u).and_then(|c| c.call);
    call(a).is_some() && call(a) == call(b)
}

fn bridge(pbx: &str, a: &Listed, b: &Listed, model: &Model, out: &mut Vec<SyncStep>) {
    if same_call(model, pbx, &a.uniqueid, &b.uniqueid) {
        return;
    }
    out.push(SyncStep::Apply(Change::Bridge {
        pbx: pbx.into(),
        uniqueid1: a.uniqueid.clone(),
        channel1: a.channel.clone(),
        callerid1: a.calleridnum.clone(),
        uniqueid2: b.uniqueid.clone(),
        channel2: b.channel.clone(),
        callerid2: b.calleridnum.clone(),
    }));
}

/// The model's bridges as the PBX listed them: listed bridges it lacks are made, each
/// listed channel is put in its bridge (or taken out of one), and bridges the PBX no
/// longer has go. What moved while the lists were being sent is the events' to tell.
fn bridge_state(
    pbx: &str,
    s: &PbxSync,
    listed: &HashMap<&str, &Listed>,
    model: &Model,
    out: &mut Vec<SyncStep>,
) {
    if !s.bridges_listed {
        return; // AMI 1.x: bridges are no objects of their own
    }
    let apply = |out: &mut Vec<SyncStep>, c| out.push(SyncStep::Apply(c));
    let known = |id: &str| model.bridges_of(pbx).iter().any(|b| b.id == id);
    for b in &s.bridges {
        if !known(&b.id) && !s.live_bridges.contains(&b.id) {
            apply(
                out,
                Change::BridgeCreate {
                    pbx: pbx.into(),
                    bridge: b.id.clone(),
                    bridgetype: b.bridgetype.clone(),
                    technology: b.technology.clone(),
                },
            );
        }
    }
    for l in s
        .listed
        .iter()
        .filter(|l| listed.contains_key(l.uniqueid.as_str()))
    {
        if s.created.contains(&l.uniqueid) || s.moved.contains(&l.uniqueid) {
            continue;
        }
        let now = model
            .channel(pbx, &l.uniqueid)
            .and_then(|c| c.bridge.as_deref());
        if !l.bridgeid.is_empty() && now != Some(l.bridgeid.as_str()) {
            let b = s.bridges.iter().find(|b| b.id == l.bridgeid);
            let field =
                |f: fn(&super::state::ListedBridge) -> &Text| b.map(f).cloned().unwrap_or_default();
            apply(
                out,
                Change::BridgeEnter {
                    pbx: pbx.into(),
                    bridge: l.bridgeid.clone(),
                    uniqueid: l.uniqueid.clone(),
                    channel: l.channel.clone(),
                    bridgetype: field(|b| &b.bridgetype),
                    technology: field(|b| &b.technology),
                    numchannels: field(|b| &b.numchannels),
                },
            );
        } else if let (true, Some(old)) = (l.bridgeid.is_empty(), now) {
            apply(
                out,
                Change::BridgeLeave {
                    pbx: pbx.into(),
                    bridge: old.into(),
                    uniqueid: l.uniqueid.clone(),
                    channel: l.channel.clone(),
                    numchannels: Text::default(),
                },
            );
        }
    }
    for b in model.bridges_of(pbx) {
        let listed = s.bridges.iter().any(|l| l.id == b.id);
        if !listed && !s.live_bridges.contains(&b.id) {
            apply(
                out,
                Change::BridgeDestroy {
                    pbx: pbx.into(),
                    bridge: b.id.clone(),
                },
            );
        }
    }
}
