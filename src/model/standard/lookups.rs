//! What the model holds, read: by PBX in the orders the views show.

use super::store::{ChannelKey, ModelSizes, Room};
use super::Model;
use crate::model::bridges::Bridge;
use crate::model::channel::{CallId, Channel};
use crate::model::parking::ParkedCall;
use crate::model::presence::{Contact, Extension, Peer, Registration};
use crate::model::queues::Queue;
use crate::model::Text;
use std::sync::Arc;

impl Model {
    pub fn channel(&self, pbx: &str, uniqueid: &str) -> Option<&Channel> {
        self.pbxes.get(pbx)?.channels.get(uniqueid)
    }

    /// The channel itself, shared: it stays as it is now however the model changes later.
    pub fn channel_shared(&self, pbx: &str, uniqueid: &str) -> Option<Arc<Channel>> {
        self.pbxes.get(pbx)?.channels.shared(uniqueid)
    }

    /// PBX names that have any state, sorted.
    pub fn pbx_names(&self) -> impl Iterator<Item = &str> {
        let mut names: Vec<&str> = self.pbxes.keys().map(Text::as_str).collect();
        names.sort_unstable();
        names.into_iter()
    }

    /// Channels of one PBX in creation order.
    pub fn channels_of(&self, pbx: &str) -> Vec<&Channel> {
        let mut v: Vec<&Channel> = self
            .pbxes
            .get(pbx)
            .map(|p| p.channels.values().collect())
            .unwrap_or_default();
        v.sort_by_key(|c| c.seq);
        v
    }

    /// Call groups in creation order, each its members in order.
    pub fn calls(&self) -> impl Iterator<Item = (CallId, &[ChannelKey])> {
        self.calls.iter().map(|(id, v)| (*id, v.as_slice()))
    }

    /// Conference rooms of one PBX in creation order: (conference, member uniqueids).
    pub fn rooms_of(&self, pbx: &str) -> Vec<(&str, &[Text])> {
        let Some(p) = self.pbxes.get(pbx) else {
            return Vec::new();
        };
        let mut v: Vec<(&Text, &Room)> = p.rooms.iter().collect();
        v.sort_by_key(|(_, r)| r.seq);
        v.into_iter()
            .map(|(k, r)| (k.as_str(), r.members.as_slice()))
            .collect()
    }

    /// AMI 2.x bridges of one PBX in the order they were first seen.
    pub fn bridges_of(&self, pbx: &str) -> Vec<&Bridge> {
        let mut v: Vec<&Bridge> = self
            .pbxes
            .get(pbx)
            .map(|p| p.bridges.values().collect())
            .unwrap_or_default();
        v.sort_by_key(|b| b.seq);
        v
    }

    /// Parked calls of one PBX by lot and space.
    pub fn parked_of(&self, pbx: &str) -> Vec<&ParkedCall> {
        let mut v: Vec<&ParkedCall> = self
            .pbxes
            .get(pbx)
            .map(|p| p.parked.values().collect())
            .unwrap_or_default();
        v.sort_by(|a, b| (&a.lot, &a.space, &a.uniqueid).cmp(&(&b.lot, &b.space, &b.uniqueid)));
        v
    }

    /// Queues of one PBX by name.
    pub fn queues_of(&self, pbx: &str) -> Vec<&Queue> {
        self.pbxes
            .get(pbx)
            .map(|p| p.queues.values().collect())
            .unwrap_or_default()
    }

    /// Channels waiting for their trunk twin, by correlation value (sorted).
    pub fn trunks(&self) -> Vec<(&str, &ChannelKey)> {
        let mut v: Vec<_> = self.trunks.iter().map(|(k, c)| (k.as_str(), c)).collect();
        v.sort();
        v
    }

    /// Caller id numbers of one PBX by channel name (sorted by name).
    pub fn numbers_of(&self, pbx: &str) -> Vec<(&str, &str)> {
        let mut v: Vec<(&str, &str)> = self
            .pbxes
            .get(pbx)
            .map(|p| {
                p.numbers
                    .iter()
                    .map(|(k, n)| (k.as_str(), n.as_str()))
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v
    }

    /// `pbx`'s device states (device, state), by device.
    pub fn devices_of(&self, pbx: &str) -> Vec<(&str, &str)> {
        self.pbxes
            .get(pbx)
            .map(|p| {
                p.devices
                    .iter()
                    .map(|(d, s)| (d.as_str(), s.as_str()))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// `pbx`'s extension states, by extension and context.
    pub fn extensions_of(&self, pbx: &str) -> Vec<&Extension> {
        self.pbxes
            .get(pbx)
            .map(|p| p.extensions.values().collect())
            .unwrap_or_default()
    }

    /// The contacts `pbx`'s endpoints registered, by URI.
    pub fn contacts_of(&self, pbx: &str) -> Vec<&Contact> {
        self.pbxes
            .get(pbx)
            .map(|p| p.contacts.values().collect())
            .unwrap_or_default()
    }

    /// The registrations `pbx` makes to others, by username and domain.
    pub fn registrations_of(&self, pbx: &str) -> Vec<&Registration> {
        self.pbxes
            .get(pbx)
            .map(|p| p.registrations.values().collect())
            .unwrap_or_default()
    }

    /// `pbx`'s peers and their reachability, by peer.
    pub fn peers_of(&self, pbx: &str) -> Vec<&Peer> {
        self.pbxes
            .get(pbx)
            .map(|p| p.peers.values().collect())
            .unwrap_or_default()
    }

    pub fn sizes(&self) -> ModelSizes {
        ModelSizes {
            pbxes: self.pbxes.len(),
            calls: self.calls.len(),
            trunks: self.trunks.len(),
            ..self.pbx_totals
        }
    }

    /// The sizes of one PBX's own containers (zero for a PBX without state).
    pub(super) fn pbx_sizes(&self, pbx: &str) -> ModelSizes {
        self.pbxes.get(pbx).map(|p| p.sizes()).unwrap_or_default()
    }

    /// [`Model::sizes`] summed afresh over every PBX: what the running totals must equal.
    pub fn sizes_by_walking(&self) -> ModelSizes {
        let mut s = ModelSizes {
            pbxes: self.pbxes.len(),
            calls: self.calls.len(),
            trunks: self.trunks.len(),
            ..ModelSizes::default()
        };
        for p in self.pbxes.values() {
            s = s.replaced(ModelSizes::default(), p.sizes());
        }
        s
    }
}
