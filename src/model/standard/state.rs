//! One PBX's state handed from one model to another: a collector's model exports it, a
//! consumer's model (another process, rebuilt from a stream of changes) takes it over in
//! place of what it had for that PBX, and goes on from there with the changes after it.

use super::store::{pbx_entry, ChannelKey, Room};
use super::Model;
use crate::model::bridges::Bridge;
use crate::model::channel::Channel;
use crate::model::parking::ParkedCall;
use crate::model::presence::{Contact, Extension, Peer, Registration};
use crate::model::queues::Queue;
use crate::model::Text;
use serde::{Deserialize, Serialize};

/// The version of [`PbxState`]'s form; a model takes only its own. Parts added since
/// (presence) are read as empty when missing and skipped by readers that do not know
/// them, so a collector and a consumer a release apart still agree on the rest.
pub const STATE_VERSION: u32 = 1;

/// Everything a model holds of one PBX, in the orders it lists them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PbxState {
    pub v: u32,
    /// In creation order (without their calls: see `calls`).
    pub channels: Vec<Channel>,
    /// Each call holding a channel of this PBX: all its members, other PBXes' included
    /// (joined through the trunk variable), in the call's order.
    pub calls: Vec<Vec<ChannelKey>>,
    /// Channels waiting for their trunk twin (by Uniqueid).
    pub waiting: Vec<Text>,
    /// Conference rooms in opening order: name, members in order of joining.
    pub rooms: Vec<(Text, Vec<Text>)>,
    /// Channel name -> caller id number.
    pub numbers: Vec<(Text, Text)>,
    pub bridges: Vec<Bridge>,
    pub parked: Vec<ParkedCall>,
    pub queues: Vec<Queue>,
    /// Presence: (device, state).
    #[serde(default)]
    pub devices: Vec<(Text, Text)>,
    #[serde(default)]
    pub extensions: Vec<Extension>,
    #[serde(default)]
    pub contacts: Vec<Contact>,
    #[serde(default)]
    pub registrations: Vec<Registration>,
    #[serde(default)]
    pub peers: Vec<Peer>,
}

impl Model {
    /// Other PBXes' channels whose trunk twin was one of `pbx`'s (they carry the value of
    /// one of its channels and no longer wait for it). When `pbx`'s channels are replaced
    /// by a state, these wait again, and the state's waiting channels find them: taking
    /// a second state of a PBX split every call it shared with another.
    fn twins_of(&self, pbx: &str) -> Vec<(Text, ChannelKey)> {
        let Some(p) = self.pbxes.get(pbx) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for value in p.legs.keys() {
            for (other, o) in self.pbxes.iter().filter(|(name, _)| *name != pbx) {
                let Some(leg) = o.legs.get(value) else {
                    continue;
                };
                let key: ChannelKey = (other.clone(), leg.clone());
                if self.trunks.get(value) != Some(&key) {
                    out.push((value.clone(), key));
                }
            }
        }
        out
    }

    /// What this model holds of `pbx`.
    pub fn export_pbx(&self, pbx: &str) -> PbxState {
        let channels = self.channels_of(pbx);
        let mut calls: Vec<Vec<ChannelKey>> = Vec::new();
        let mut seen = Vec::new();
        for c in &channels {
            if let Some(id) = c.call.filter(|id| !seen.contains(id)) {
                seen.push(id);
                if let Some(members) = self.calls.get(&id) {
                    calls.push(members.clone());
                }
            }
        }
        let waiting = self
            .trunks
            .values()
            .filter(|(p, _)| p == pbx)
            .map(|(_, uid)| uid.clone())
            .collect();
        PbxState {
            v: STATE_VERSION,
            channels: channels
                .iter()
                .map(|c| Channel {
                    call: None,
                    seq: 0,
                    ..(*c).clone()
                })
                .collect(),
            calls,
            waiting,
            rooms: self
                .rooms_of(pbx)
                .into_iter()
                .map(|(name, members)| (name.into(), members.to_vec()))
                .collect(),
            numbers: self
                .numbers_of(pbx)
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
            // Without this model's numbering (their order says it).
            bridges: self
                .bridges_of(pbx)
                .into_iter()
                .map(|b| Bridge {
                    seq: 0,
                    ..b.clone()
                })
                .collect(),
            parked: self.parked_of(pbx).into_iter().cloned().collect(),
            queues: self
                .queues_of(pbx)
                .into_iter()
                .map(|q| Queue {
                    seq: 0,
                    ..q.clone()
                })
                .collect(),
            devices: self
                .devices_of(pbx)
                .into_iter()
                .map(|(d, s)| (d.into(), s.into()))
                .collect(),
            extensions: self.extensions_of(pbx).into_iter().cloned().collect(),
            contacts: self.contacts_of(pbx).into_iter().cloned().collect(),
            registrations: self.registrations_of(pbx).into_iter().cloned().collect(),
            peers: self.peers_of(pbx).into_iter().cloned().collect(),
        }
    }

    /// Hold `state` for `pbx` instead of what this model had for it. Its calls are
    /// joined with the channels of other PBXes this model has (by the members each call
    /// lists, and by the trunk variable of the channels that wait for a twin).
    pub fn import_pbx(&mut self, pbx: &str, state: &PbxState) {
        self.counted(pbx, |m| m.take_over(pbx, state));
    }

    fn take_over(&mut self, pbx: &str, state: &PbxState) {
        let orphans = self.twins_of(pbx);
        self.end(pbx);
        self.pbxes.remove(pbx);
        for c in &state.channels {
            let seq = self.seq();
            let p = pbx_entry(&mut self.pbxes, pbx);
            p.channels.insert(
                c.uniqueid.clone(),
                Channel {
                    pbx: pbx.into(),
                    call: None,
                    seq,
                    ..c.clone()
                },
            );
        }
        for (name, members) in &state.rooms {
            let seq = self.seq();
            let room = Room {
                seq,
                members: members.clone(),
            };
            pbx_entry(&mut self.pbxes, pbx)
                .rooms
                .insert(name.clone(), room);
        }
        // Each value's first channel (creation order) is this PBX's leg of that dialog.
        let p = pbx_entry(&mut self.pbxes, pbx);
        for c in &state.channels {
            if let Some(v) = &c.sipcallid {
                p.legs
                    .entry(v.clone())
                    .or_insert_with(|| c.uniqueid.clone());
            }
        }
        for (channel, number) in &state.numbers {
            pbx_entry(&mut self.pbxes, pbx)
                .numbers
                .insert(channel.clone(), number.clone());
        }
        for b in &state.bridges {
            let seq = self.seq();
            let bridge = Bridge { seq, ..b.clone() };
            pbx_entry(&mut self.pbxes, pbx)
                .bridges
                .insert(b.id.clone(), bridge);
        }
        for p in &state.parked {
            pbx_entry(&mut self.pbxes, pbx)
                .parked
                .insert(p.uniqueid.clone(), p.clone());
        }
        for q in &state.queues {
            let seq = self.seq();
            let queue = Queue { seq, ..q.clone() };
            pbx_entry(&mut self.pbxes, pbx)
                .queues
                .insert(q.name.clone(), queue);
        }
        let p = pbx_entry(&mut self.pbxes, pbx);
        p.devices.extend(state.devices.iter().cloned());
        p.extensions.extend(
            state
                .extensions
                .iter()
                .map(|e| ((e.exten.clone(), e.context.clone()), e.clone())),
        );
        p.contacts
            .extend(state.contacts.iter().map(|c| (c.uri.clone(), c.clone())));
        p.registrations.extend(
            state
                .registrations
                .iter()
                .map(|r| ((r.username.clone(), r.domain.clone()), r.clone())),
        );
        p.peers
            .extend(state.peers.iter().map(|pe| (pe.peer.clone(), pe.clone())));
        for members in &state.calls {
            // This PBX's members first, in the call's order; then each other PBX's
            // member this model has joins (merging their calls).
            let (own, others): (Vec<&ChannelKey>, Vec<&ChannelKey>) =
                members.iter().partition(|(p, _)| p == pbx);
            let own: Vec<ChannelKey> = own
                .into_iter()
                .filter(|(p, u)| self.exists(p, u))
                .cloned()
                .collect();
            let Some(first) = own.first().cloned() else {
                continue;
            };
            self.new_call(own);
            for key in others {
                if self.exists(&key.0, &key.1) {
                    self.merge(&first, key);
                }
            }
        }
        for (value, key) in orphans {
            if self.exists(&key.0, &key.1) {
                self.trunks.entry(value).or_insert(key);
            }
        }
        for uid in &state.waiting {
            let value = self.channel(pbx, uid).and_then(|c| c.sipcallid.clone());
            if let Some(value) = value {
                // Waits, or finds its twin from another PBX waiting here.
                self.sipcallid(pbx, uid, &value);
            }
        }
        self.drop_if_empty(pbx);
    }
}
