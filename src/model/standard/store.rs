//! What the model holds: per PBX its channels, rooms, numbers, bridges, parked calls
//! and queues; across PBXes the calls and the trunks waiting for their twin.

use crate::model::bridges::Bridge;
use crate::model::channel::{Activity, CallId, Channel};
use crate::model::parking::ParkedCall;
use crate::model::presence::{Contact, Extension, Peer, Registration};
use crate::model::queues::Queue;
use crate::model::{Map, Rules, Text};
use std::collections::BTreeMap;
use std::sync::Arc;

/// (pbx, uniqueid): Uniqueids are unique only within one PBX.
pub type ChannelKey = (Text, Text);

#[derive(Debug, Default, Clone)]
pub(super) struct Room {
    pub(super) seq: u64,
    /// Uniqueids in order of joining.
    pub(super) members: Vec<Text>,
}

/// One PBX's channels by Uniqueid. Each is shared with the snapshots hooks are given
/// ([`Model::channel_shared`]) and copied only when it changes while one is still held,
/// so a snapshot costs a reference count, not a copy of every string.
#[derive(Debug, Default)]
pub(super) struct Channels(Map<Text, Arc<Channel>>);

impl Channels {
    pub(super) fn get(&self, uid: &str) -> Option<&Channel> {
        self.0.get(uid).map(|c| &**c)
    }

    pub(super) fn shared(&self, uid: &str) -> Option<Arc<Channel>> {
        self.0.get(uid).cloned()
    }

    pub(super) fn get_mut(&mut self, uid: &str) -> Option<&mut Channel> {
        self.0.get_mut(uid).map(Arc::make_mut)
    }

    pub(super) fn insert(&mut self, uid: Text, c: Channel) {
        self.0.insert(uid, Arc::new(c));
    }

    pub(super) fn remove(&mut self, uid: &str) -> Option<Arc<Channel>> {
        self.0.remove(uid)
    }

    pub(super) fn values(&self) -> impl Iterator<Item = &Channel> {
        self.0.values().map(|c| &**c)
    }

    pub(super) fn len(&self) -> usize {
        self.0.len()
    }

    pub(super) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[derive(Debug, Default)]
pub(super) struct Pbx {
    pub(super) channels: Channels,
    pub(super) rooms: Map<Text, Room>,
    /// Channel name -> caller id number.
    pub(super) numbers: Map<Text, Text>,
    /// AMI 2.x bridges by `BridgeUniqueid`.
    pub(super) bridges: Map<Text, Bridge>,
    /// Parked calls by the parked channel's Uniqueid.
    pub(super) parked: Map<Text, ParkedCall>,
    pub(super) queues: BTreeMap<Text, Queue>,
    /// The trunk variable's value -> this PBX's leg of that SIP dialog: the first of
    /// its channels to say the value. Channels it dials later inherit the variable
    /// (`__SIPCALLID`) and say it too; they are not legs (standard rules).
    pub(super) legs: Map<Text, Text>,
    /// Presence (`model::presence`): device -> state.
    pub(super) devices: BTreeMap<Text, Text>,
    /// By (exten, context).
    pub(super) extensions: BTreeMap<(Text, Text), Extension>,
    /// By URI.
    pub(super) contacts: BTreeMap<Text, Contact>,
    /// By (username, domain).
    pub(super) registrations: BTreeMap<(Text, Text), Registration>,
    /// By peer.
    pub(super) peers: BTreeMap<Text, Peer>,
}

impl Pbx {
    pub(super) fn is_empty(&self) -> bool {
        self.channels.is_empty()
            && self.rooms.is_empty()
            && self.numbers.is_empty()
            && self.bridges.is_empty()
            && self.parked.is_empty()
            && self.queues.is_empty()
            && self.devices.is_empty()
            && self.extensions.is_empty()
            && self.contacts.is_empty()
            && self.registrations.is_empty()
            && self.peers.is_empty()
    }

    /// The sizes of this PBX's own containers (the model-wide ones left at zero).
    pub(super) fn sizes(&self) -> ModelSizes {
        let mut s = ModelSizes {
            channels: self.channels.len(),
            rooms: self.rooms.len(),
            numbers: self.numbers.len(),
            bridges: self.bridges.len(),
            parked: self.parked.len(),
            queues: self.queues.len(),
            devices: self.devices.len(),
            extensions: self.extensions.len(),
            contacts: self.contacts.len(),
            registrations: self.registrations.len(),
            peers: self.peers.len(),
            ..ModelSizes::default()
        };
        for q in self.queues.values() {
            s.queue_callers += q.callers.len();
            s.queue_members += q.members.len();
        }
        s
    }

    /// The queue named `name`, made on first use.
    pub(super) fn queue(&mut self, name: &str, seq: u64) -> &mut Queue {
        self.queues.entry(name.into()).or_insert_with(|| Queue {
            name: name.into(),
            seq,
            ..Queue::default()
        })
    }

    /// A queue that holds nobody any more goes (it comes back with its next caller or
    /// member).
    pub(super) fn drop_queue_if_empty(&mut self, name: &str) {
        if self.queues.get(name).is_some_and(Queue::is_empty) {
            self.queues.remove(name);
        }
    }
}

/// Sizes of every container, for leak checks and health reporting.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ModelSizes {
    pub pbxes: usize,
    pub channels: usize,
    pub calls: usize,
    pub rooms: usize,
    pub trunks: usize,
    pub numbers: usize,
    pub bridges: usize,
    pub parked: usize,
    pub queues: usize,
    pub queue_callers: usize,
    pub queue_members: usize,
    pub devices: usize,
    pub extensions: usize,
    pub contacts: usize,
    pub registrations: usize,
    pub peers: usize,
}

impl ModelSizes {
    pub fn is_empty(&self) -> bool {
        *self == ModelSizes::default()
    }

    /// `self` with `before` taken out and `after` put in, field by field.
    pub(super) fn replaced(self, before: ModelSizes, after: ModelSizes) -> ModelSizes {
        let f = |total: usize, b: usize, a: usize| total - b + a;
        ModelSizes {
            pbxes: f(self.pbxes, before.pbxes, after.pbxes),
            channels: f(self.channels, before.channels, after.channels),
            calls: f(self.calls, before.calls, after.calls),
            rooms: f(self.rooms, before.rooms, after.rooms),
            trunks: f(self.trunks, before.trunks, after.trunks),
            numbers: f(self.numbers, before.numbers, after.numbers),
            bridges: f(self.bridges, before.bridges, after.bridges),
            parked: f(self.parked, before.parked, after.parked),
            queues: f(self.queues, before.queues, after.queues),
            queue_callers: f(
                self.queue_callers,
                before.queue_callers,
                after.queue_callers,
            ),
            queue_members: f(
                self.queue_members,
                before.queue_members,
                after.queue_members,
            ),
            devices: f(self.devices, before.devices, after.devices),
            extensions: f(self.extensions, before.extensions, after.extensions),
            contacts: f(self.contacts, before.contacts, after.contacts),
            registrations: f(
                self.registrations,
                before.registrations,
                after.registrations,
            ),
            peers: f(self.peers, before.peers, after.peers),
        }
    }

    /// Every size by name.
    pub fn named(&self) -> [(&'static str, usize); 16] {
        [
            ("pbxes", self.pbxes),
            ("channels", self.channels),
            ("calls", self.calls),
            ("rooms", self.rooms),
            ("trunks", self.trunks),
            ("numbers", self.numbers),
            ("bridges", self.bridges),
            ("parked", self.parked),
            ("queues", self.queues),
            ("queue_callers", self.queue_callers),
            ("queue_members", self.queue_members),
            ("devices", self.devices),
            ("extensions", self.extensions),
            ("contacts", self.contacts),
            ("registrations", self.registrations),
            ("peers", self.peers),
        ]
    }
}

/// The standard call-state model.
#[derive(Debug, Default)]
pub struct Model {
    /// By name; hashed, as every event looks its PBX up (sorted where shown).
    pub(super) pbxes: Map<Text, Pbx>,
    /// Call groups in creation order; a merge makes a new group at the end.
    pub(super) calls: BTreeMap<CallId, Vec<ChannelKey>>,
    /// Trunk-correlation value -> the channel waiting for its twin.
    pub(super) trunks: Map<Text, ChannelKey>,
    pub(super) next_call: CallId,
    pub(super) next_seq: u64,
    pub(super) rules: Rules,
    /// The per-PBX sizes summed over every PBX, kept up to date by [`Model::apply`]
    /// (which changes one PBX's containers at a time): hooks read the sizes after every
    /// change, and summing them afresh cost a walk of every PBX each time.
    pub(super) pbx_totals: ModelSizes,
}

impl Model {
    pub fn new() -> Self {
        Self::default()
    }

    /// A model under the 2014 framework's rules where they differ (see [`Rules`]).
    pub fn with_rules(rules: Rules) -> Self {
        Model {
            rules,
            ..Self::default()
        }
    }

    pub fn rules(&self) -> Rules {
        self.rules
    }

    pub(super) fn rules_2014(&self) -> bool {
        self.rules == Rules::Framework2014
    }

    // ----- lookups -----

    pub(super) fn chan_mut(&mut self, pbx: &str, uid: &str) -> Option<&mut Channel> {
        self.pbxes.get_mut(pbx)?.channels.get_mut(uid)
    }

    pub(super) fn exists(&self, pbx: &str, uid: &str) -> bool {
        self.channel(pbx, uid).is_some()
    }

    pub(super) fn set_activity(&mut self, pbx: &str, uid: &str, a: Activity) {
        if let Some(c) = self.chan_mut(pbx, uid) {
            c.activity = a;
        }
    }

    pub(super) fn drop_if_empty(&mut self, pbx: &str) {
        if self.pbxes.get(pbx).is_some_and(Pbx::is_empty) {
            self.pbxes.remove(pbx);
        }
    }

    /// Run `rule`, which changes the containers of PBX `pbx` only (and the model-wide
    /// calls and trunks, counted afresh), keeping the running totals.
    pub(crate) fn counted(&mut self, pbx: &str, rule: impl FnOnce(&mut Self)) {
        let before = self.pbx_sizes(pbx);
        rule(self);
        self.pbx_totals = self.pbx_totals.replaced(before, self.pbx_sizes(pbx));
    }

    pub(super) fn seq(&mut self) -> u64 {
        self.next_seq += 1;
        self.next_seq - 1
    }
}

/// A PBX's state, made on first use (its name copied only then).
pub(super) fn pbx_entry<'a>(pbxes: &'a mut Map<Text, Pbx>, pbx: &str) -> &'a mut Pbx {
    if !pbxes.contains_key(pbx) {
        pbxes.insert(pbx.into(), Pbx::default());
    }
    pbxes.get_mut(pbx).expect("inserted above")
}

/// Replace a short text keeping its allocation.
pub(super) fn set_text(field: &mut Text, value: &str) {
    if field != value {
        field.clear();
        field.push_str(value);
    }
}
