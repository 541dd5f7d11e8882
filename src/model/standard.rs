//! The standard model: channels, calls, conference rooms, trunks and numbers, changed by
//! [`Change`]s under the rules of the 2014 framework (forgiving: a change about a channel
//! it never saw created is ignored); and beyond it, AMI 2.x bridges, parked calls and
//! queues.

use super::bridges::Bridge;
use super::change::Change;
use super::channel::{Activity, CallId, Channel, Role};
use super::parking::ParkedCall;
use super::queues::{Queue, QueueCaller, QueueMember};
use super::Map;
use super::Rules;
use super::Text;
use std::collections::BTreeMap;
use std::sync::Arc;

/// (pbx, uniqueid): Uniqueids are unique only within one PBX.
pub type ChannelKey = (Text, Text);

#[derive(Debug, Default, Clone)]
struct Room {
    seq: u64,
    /// Uniqueids in order of joining.
    members: Vec<Text>,
}

/// One PBX's channels by Uniqueid. Each is shared with the snapshots hooks are given
/// ([`Model::channel_shared`]) and copied only when it changes while one is still held,
/// so a snapshot costs a reference count, not a copy of every string.
#[derive(Debug, Default)]
struct Channels(Map<Text, Arc<Channel>>);

impl Channels {
    fn get(&self, uid: &str) -> Option<&Channel> {
        self.0.get(uid).map(|c| &**c)
    }

    fn shared(&self, uid: &str) -> Option<Arc<Channel>> {
        self.0.get(uid).cloned()
    }

    fn get_mut(&mut self, uid: &str) -> Option<&mut Channel> {
        self.0.get_mut(uid).map(Arc::make_mut)
    }

    fn insert(&mut self, uid: Text, c: Channel) {
        self.0.insert(uid, Arc::new(c));
    }

    fn remove(&mut self, uid: &str) -> Option<Arc<Channel>> {
        self.0.remove(uid)
    }

    fn values(&self) -> impl Iterator<Item = &Channel> {
        self.0.values().map(|c| &**c)
    }

    fn len(&self) -> usize {
        self.0.len()
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[derive(Debug, Default)]
struct Pbx {
    channels: Channels,
    rooms: Map<Text, Room>,
    /// Channel name -> caller id number.
    numbers: Map<Text, Text>,
    /// AMI 2.x bridges by `BridgeUniqueid`.
    bridges: Map<Text, Bridge>,
    /// Parked calls by the parked channel's Uniqueid.
    parked: Map<Text, ParkedCall>,
    queues: BTreeMap<Text, Queue>,
}

impl Pbx {
    fn is_empty(&self) -> bool {
        self.channels.is_empty()
            && self.rooms.is_empty()
            && self.numbers.is_empty()
            && self.bridges.is_empty()
            && self.parked.is_empty()
            && self.queues.is_empty()
    }

    /// The queue named `name`, made on first use.
    fn queue(&mut self, name: &str, seq: u64) -> &mut Queue {
        self.queues.entry(name.into()).or_insert_with(|| Queue {
            name: name.into(),
            seq,
            ..Queue::default()
        })
    }

    /// A queue that holds nobody any more goes (it comes back with its next caller or
    /// member).
    fn drop_queue_if_empty(&mut self, name: &str) {
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
}

impl ModelSizes {
    pub fn is_empty(&self) -> bool {
        *self == ModelSizes::default()
    }

    /// Every size by name.
    pub fn named(&self) -> [(&'static str, usize); 11] {
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
        ]
    }
}

/// The standard call-state model.
#[derive(Debug, Default)]
pub struct Model {
    pbxes: BTreeMap<Text, Pbx>,
    /// Call groups in creation order; a merge makes a new group at the end.
    calls: BTreeMap<CallId, Vec<ChannelKey>>,
    /// Trunk-correlation value -> the channel waiting for its twin.
    trunks: Map<Text, ChannelKey>,
    next_call: CallId,
    next_seq: u64,
    rules: Rules,
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

    fn rules_2014(&self) -> bool {
        self.rules == Rules::Framework2014
    }

    // ----- lookups -----

    pub fn channel(&self, pbx: &str, uniqueid: &str) -> Option<&Channel> {
        self.pbxes.get(pbx)?.channels.get(uniqueid)
    }

    /// The channel itself, shared: it stays as it is now however the model changes later.
    pub fn channel_shared(&self, pbx: &str, uniqueid: &str) -> Option<Arc<Channel>> {
        self.pbxes.get(pbx)?.channels.shared(uniqueid)
    }

    /// PBX names that have any state, sorted.
    pub fn pbx_names(&self) -> impl Iterator<Item = &str> {
        self.pbxes.keys().map(Text::as_str)
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

    pub fn sizes(&self) -> ModelSizes {
        let mut s = ModelSizes {
            pbxes: self.pbxes.len(),
            calls: self.calls.len(),
            trunks: self.trunks.len(),
            ..ModelSizes::default()
        };
        for p in self.pbxes.values() {
            s.channels += p.channels.len();
            s.rooms += p.rooms.len();
            s.numbers += p.numbers.len();
            s.bridges += p.bridges.len();
            s.parked += p.parked.len();
            s.queues += p.queues.len();
            for q in p.queues.values() {
                s.queue_callers += q.callers.len();
                s.queue_members += q.members.len();
            }
        }
        s
    }

    // ----- rules -----

    fn chan_mut(&mut self, pbx: &str, uid: &str) -> Option<&mut Channel> {
        self.pbxes.get_mut(pbx)?.channels.get_mut(uid)
    }

    fn exists(&self, pbx: &str, uid: &str) -> bool {
        self.channel(pbx, uid).is_some()
    }

    /// Apply one change.
    pub fn apply(&mut self, change: &Change) {
        match change {
            Change::NewChannel {
                pbx,
                uniqueid,
                channel,
                calleridnum,
                channelstate,
                channelstatedesc,
                linkedid,
            } => self.newchannel(
                pbx,
                uniqueid,
                channel,
                calleridnum,
                channelstate,
                channelstatedesc,
                linkedid,
            ),
            Change::NewState {
                pbx,
                uniqueid,
                channelstate,
                channelstatedesc,
                ..
            } => self.newstate(pbx, uniqueid, channelstate, channelstatedesc),
            Change::Dial {
                pbx,
                uniqueid,
                destuniqueid,
                ..
            } => self.dial(pbx, uniqueid, destuniqueid),
            Change::DialEnd {
                pbx,
                uniqueid,
                dialstatus,
                ..
            } => self.dialend(pbx, uniqueid, dialstatus),
            Change::Bridge {
                pbx,
                uniqueid1,
                uniqueid2,
                ..
            } => self.bridge(pbx, uniqueid1, uniqueid2),
            Change::LocalBridge {
                pbx,
                uniqueid1,
                uniqueid2,
                ..
            } => self.localbridge(pbx, uniqueid1, uniqueid2),
            Change::SipCallId {
                pbx,
                uniqueid,
                value,
                ..
            } => self.sipcallid(pbx, uniqueid, value),
            Change::ConfbridgeStart { pbx, conference } => self.confbridgestart(pbx, conference),
            Change::ConfbridgeJoin {
                pbx,
                uniqueid,
                conference,
                ..
            } => self.confbridgejoin(pbx, uniqueid, conference),
            Change::ConfbridgeLeave {
                pbx,
                uniqueid,
                conference,
                ..
            } => self.confbridgeleave(pbx, uniqueid, conference),
            Change::ConfbridgeEnd { pbx, conference } => self.confbridgeend(pbx, conference),
            Change::MusicOnHold { pbx, uniqueid, .. } => self.musiconhold(pbx, uniqueid),
            Change::MusicOffHold { pbx, uniqueid, .. } => self.musicoffhold(pbx, uniqueid),
            Change::HangupRequest { pbx, uniqueid, .. } => self.hanguprequest(pbx, uniqueid),
            Change::SoftHangupRequest { pbx, uniqueid, .. } => {
                self.softhanguprequest(pbx, uniqueid)
            }
            Change::NewCallerId {
                pbx,
                uniqueid,
                channel,
                calleridnum,
            } => self.newcallerid(pbx, uniqueid, channel, calleridnum),
            Change::Rename {
                pbx,
                uniqueid,
                newname,
                ..
            } => self.rename(pbx, uniqueid, newname),
            Change::Hangup { pbx, uniqueid, .. } => self.hangup(pbx, uniqueid),
            Change::End { pbx } => self.end(pbx),
            Change::BridgeCreate {
                pbx,
                bridge,
                bridgetype,
                technology,
            } => self.bridgecreate(pbx, bridge, bridgetype, technology),
            Change::BridgeEnter {
                pbx,
                bridge,
                uniqueid,
                bridgetype,
                technology,
                numchannels,
                ..
            } => {
                self.bridgeenter(pbx, bridge, uniqueid, bridgetype, technology);
                self.bridge_count(pbx, bridge, numchannels);
            }
            Change::BridgeLeave {
                pbx,
                bridge,
                uniqueid,
                numchannels,
                ..
            } => {
                self.bridgeleave(pbx, bridge, uniqueid);
                self.bridge_count(pbx, bridge, numchannels);
            }
            Change::BridgeDestroy { pbx, bridge } => self.bridgedestroy(pbx, bridge),
            Change::ParkedCall {
                pbx,
                uniqueid,
                channel,
                lot,
                space,
                parker,
                timeout,
                since,
            } => self.parkedcall(
                ParkedCall {
                    uniqueid: uniqueid.clone(),
                    channel: channel.clone(),
                    lot: lot.clone(),
                    space: space.clone(),
                    parker: parker.clone(),
                    timeout: timeout.parse().unwrap_or(0),
                    since: since.parse().unwrap_or(0.0),
                },
                pbx,
            ),
            Change::UnParkedCall { pbx, uniqueid, .. }
            | Change::ParkedCallTimeOut { pbx, uniqueid, .. }
            | Change::ParkedCallGiveUp { pbx, uniqueid, .. } => self.unparked(pbx, uniqueid),
            Change::QueueCallerJoin {
                pbx,
                queue,
                uniqueid,
                channel,
                position,
                since,
            } => self.queuecallerjoin(
                pbx,
                queue,
                QueueCaller {
                    uniqueid: uniqueid.clone(),
                    channel: channel.clone(),
                    position: position.parse().unwrap_or(u32::MAX),
                    since: since.parse().unwrap_or(0.0),
                    ringing: Vec::new(),
                    abandoned: false,
                },
            ),
            Change::QueueCallerLeave {
                pbx,
                queue,
                uniqueid,
                ..
            } => self.queuecallerleave(pbx, queue, uniqueid),
            Change::QueueCallerAbandon {
                pbx,
                queue,
                uniqueid,
                ..
            } => self.queuecallerabandon(pbx, queue, uniqueid),
            Change::AgentCalled {
                pbx,
                queue,
                interface,
                uniqueid,
                ..
            } => self.agentcalled(pbx, queue, interface, uniqueid),
            Change::AgentConnect {
                pbx,
                queue,
                interface,
                uniqueid,
                ..
            } => self.agentconnect(pbx, queue, interface, uniqueid),
            Change::AgentComplete {
                pbx,
                queue,
                interface,
                ..
            } => self.agent_free(pbx, queue, interface),
            Change::AgentRingNoAnswer {
                pbx,
                queue,
                interface,
                uniqueid,
                ..
            } => self.agentringnoanswer(pbx, queue, interface, uniqueid),
            Change::QueueMemberAdded { pbx, .. }
            | Change::QueueMemberStatus { pbx, .. }
            | Change::QueueMemberPause { pbx, .. } => {
                let state = change.member_state().expect("a queuemember change");
                self.queuemember(pbx, state[0], QueueMember::from_state(state));
            }
            Change::QueueMemberRemoved {
                pbx,
                queue,
                interface,
                ..
            } => self.queuememberremoved(pbx, queue, interface),
            // Transfers move channels by the bridge events around them; the change itself
            // tells who did what.
            Change::BlindTransfer { .. } | Change::AttendedTransfer { .. } => {}
        }
    }

    /// Create a channel (a repeated Newchannel for a live Uniqueid replaces it).
    #[allow(clippy::too_many_arguments)]
    pub fn newchannel(
        &mut self,
        pbx: &str,
        uniqueid: &str,
        channel: &str,
        calleridnum: &str,
        channelstate: &str,
        channelstatedesc: &str,
        linkedid: &str,
    ) {
        if self.exists(pbx, uniqueid) {
            self.hangup(pbx, uniqueid);
        }
        let seq = self.next_seq;
        self.next_seq += 1;
        let p = pbx_entry(&mut self.pbxes, pbx);
        p.channels.insert(
            uniqueid.into(),
            Channel {
                pbx: pbx.into(),
                uniqueid: uniqueid.into(),
                channel: channel.into(),
                calleridnum: calleridnum.into(),
                linkedid: linkedid.into(),
                sipcallid: None,
                conference: None,
                bridge: None,
                channelstate: channelstate.into(),
                channelstatedesc: channelstatedesc.into(),
                role: Role::Idle,
                activity: Activity::Idle,
                call: None,
                seq,
            },
        );
        if !calleridnum.is_empty() {
            p.numbers.insert(channel.into(), calleridnum.into());
        }
    }

    /// A channel's Linkedid as an event now gives it; true when it changed.
    pub fn follow_linkedid(&mut self, pbx: &str, uid: &str, linkedid: &str) -> bool {
        match self.chan_mut(pbx, uid) {
            Some(c) if !linkedid.is_empty() && c.linkedid != linkedid => {
                set_text(&mut c.linkedid, linkedid);
                true
            }
            _ => false,
        }
    }

    pub fn newstate(&mut self, pbx: &str, uid: &str, state: &str, desc: &str) {
        if let Some(c) = self.chan_mut(pbx, uid) {
            // In place: a state is a few bytes, and the strings keep their capacity.
            set_text(&mut c.channelstate, state);
            set_text(&mut c.channelstatedesc, desc);
        }
    }

    /// The caller dials (role CALLING, activity DIALING), the callee is dialled.
    pub fn dial(&mut self, pbx: &str, uid: &str, destuid: &str) {
        let Some(c) = self.chan_mut(pbx, uid) else {
            return;
        };
        c.role = c.role.calling();
        c.activity = Activity::Dialing;
        if let Some(d) = self.chan_mut(pbx, destuid) {
            d.role = d.role.called();
        }
    }

    /// A dial that ended other than ANSWER leaves the caller idle.
    pub fn dialend(&mut self, pbx: &str, uid: &str, dialstatus: &str) {
        if dialstatus.eq_ignore_ascii_case("ANSWER") {
            return;
        }
        self.set_activity(pbx, uid, Activity::Idle);
    }

    /// Two channels joined: the first stops dialling, and their calls merge.
    pub fn bridge(&mut self, pbx: &str, uid1: &str, uid2: &str) {
        let both = self.exists(pbx, uid1) && self.exists(pbx, uid2);
        if both || self.rules_2014() {
            self.set_activity(pbx, uid1, Activity::Idle);
        }
        if both {
            self.merge(&(pbx.into(), uid1.into()), &(pbx.into(), uid2.into()));
        }
    }

    /// The two halves of a Local channel: both are trunks, in one call.
    pub fn localbridge(&mut self, pbx: &str, uid1: &str, uid2: &str) {
        if !(self.exists(pbx, uid1) && self.exists(pbx, uid2)) {
            return;
        }
        for uid in [uid1, uid2] {
            if let Some(c) = self.chan_mut(pbx, uid) {
                c.role = Role::Trunk;
            }
        }
        self.merge(&(pbx.into(), uid1.into()), &(pbx.into(), uid2.into()));
    }

    /// The trunk variable: the first channel with a value waits; the second with the same
    /// value (usually on another PBX) is its twin: both are trunks, in one call.
    pub fn sipcallid(&mut self, pbx: &str, uid: &str, value: &str) {
        let key: ChannelKey = (pbx.into(), uid.into());
        let Some(c) = self.chan_mut(pbx, uid) else {
            return;
        };
        let previous = c.sipcallid.replace(value.into());
        // A channel waiting under an older value waits no more.
        if let Some(old) = previous.filter(|old| old != value) {
            if self.trunks.get(&old) == Some(&key) {
                self.trunks.remove(&old);
            }
        }
        match self.trunks.get(value) {
            None => {
                self.trunks.insert(value.into(), key);
            }
            Some(waiting) if *waiting == key => {
                if self.rules_2014() {
                    // It found itself waiting: no longer waiting, and a trunk.
                    self.trunks.remove(value);
                    if let Some(c) = self.chan_mut(pbx, uid) {
                        c.role = Role::Trunk;
                    }
                }
            }
            Some(_) => {
                let twin = self.trunks.remove(value).expect("checked above");
                for (p, u) in [&key, &twin] {
                    if let Some(c) = self.chan_mut(p, u) {
                        c.role = Role::Trunk;
                    }
                }
                self.merge(&key, &twin);
            }
        }
    }

    /// An empty room (a repeated start keeps the room as it is; under the 2014 rules it
    /// empties it, its members still naming it).
    pub fn confbridgestart(&mut self, pbx: &str, conference: &str) {
        let seq = self.next_seq;
        let rules_2014 = self.rules_2014();
        let p = pbx_entry(&mut self.pbxes, pbx);
        if let Some(room) = p.rooms.get_mut(conference).filter(|_| rules_2014) {
            room.members.clear();
        } else if !p.rooms.contains_key(conference) {
            self.next_seq += 1;
            p.rooms.insert(
                conference.into(),
                Room {
                    seq,
                    members: Vec::new(),
                },
            );
        }
    }

    /// Join a room that exists; a channel is in at most one room.
    pub fn confbridgejoin(&mut self, pbx: &str, uid: &str, conference: &str) {
        let Some(p) = self.pbxes.get_mut(pbx) else {
            return;
        };
        if !p.rooms.contains_key(conference) {
            return;
        }
        let Some(c) = p.channels.get_mut(uid) else {
            return;
        };
        let old = c.conference.replace(conference.into());
        if let Some(old) = old.filter(|o| o != conference) {
            if let Some(r) = p.rooms.get_mut(&old) {
                r.members.retain(|u| u != uid);
            }
        }
        let room = p.rooms.get_mut(conference).expect("checked above");
        if !room.members.iter().any(|u| u == uid) {
            room.members.push(uid.into());
        }
    }

    pub fn confbridgeleave(&mut self, pbx: &str, uid: &str, conference: &str) {
        let Some(p) = self.pbxes.get_mut(pbx) else {
            return;
        };
        let Some(room) = p.rooms.get_mut(conference) else {
            return;
        };
        let before = room.members.len();
        room.members.retain(|u| u != uid);
        if room.members.len() != before {
            if let Some(c) = p.channels.get_mut(uid) {
                c.conference = None;
            }
        }
    }

    /// The room empties and goes.
    pub fn confbridgeend(&mut self, pbx: &str, conference: &str) {
        let Some(p) = self.pbxes.get_mut(pbx) else {
            return;
        };
        if let Some(room) = p.rooms.remove(conference) {
            for uid in room.members {
                if let Some(c) = p.channels.get_mut(&uid) {
                    c.conference = None;
                }
            }
        }
        self.drop_if_empty(pbx);
    }

    fn set_activity(&mut self, pbx: &str, uid: &str, a: Activity) {
        if let Some(c) = self.chan_mut(pbx, uid) {
            c.activity = a;
        }
    }

    pub fn musiconhold(&mut self, pbx: &str, uid: &str) {
        self.set_activity(pbx, uid, Activity::Held);
    }

    pub fn musicoffhold(&mut self, pbx: &str, uid: &str) {
        self.set_activity(pbx, uid, Activity::Idle);
    }

    pub fn hanguprequest(&mut self, pbx: &str, uid: &str) {
        self.set_activity(pbx, uid, Activity::Hungup);
    }

    pub fn softhanguprequest(&mut self, pbx: &str, uid: &str) {
        self.set_activity(pbx, uid, Activity::Caused);
    }

    /// A new caller id: the channel's number, recorded under its name when not empty
    /// (under the 2014 rules: under the event's `channel`, empty or not).
    pub fn newcallerid(&mut self, pbx: &str, uid: &str, channel: &str, calleridnum: &str) {
        let rules_2014 = self.rules_2014();
        let Some(p) = self.pbxes.get_mut(pbx) else {
            return;
        };
        let Some(c) = p.channels.get_mut(uid) else {
            return;
        };
        c.calleridnum = calleridnum.into();
        if rules_2014 {
            p.numbers.insert(channel.into(), calleridnum.into());
        } else if !calleridnum.is_empty() {
            p.numbers.insert(c.channel.clone(), calleridnum.into());
        }
    }

    /// A new name: the number recorded under the old name moves with it; a channel with
    /// no number takes the one recorded under its new name.
    pub fn rename(&mut self, pbx: &str, uid: &str, newname: &str) {
        let Some(p) = self.pbxes.get_mut(pbx) else {
            return;
        };
        let Some(c) = p.channels.get_mut(uid) else {
            return;
        };
        let oldname = std::mem::replace(&mut c.channel, newname.into());
        if c.calleridnum.is_empty() {
            if let Some(n) = p.numbers.get(newname) {
                c.calleridnum = n.clone();
            }
        } else if let Some(n) = p.numbers.remove(&oldname) {
            p.numbers.insert(newname.into(), n);
        }
    }

    /// Remove a channel from everything, then from the channels.
    pub fn hangup(&mut self, pbx: &str, uid: &str) {
        let Some(p) = self.pbxes.get_mut(pbx) else {
            return;
        };
        let Some(c) = p.channels.remove(uid) else {
            return;
        };
        p.numbers.remove(&c.channel);
        if let Some(bridge) = c.bridge.as_ref().and_then(|b| p.bridges.get_mut(b)) {
            bridge.members.retain(|u| u != uid);
        }
        p.parked.remove(uid);
        if !p.queues.is_empty() {
            for q in p.queues.values_mut() {
                q.forget(uid);
            }
            p.queues.retain(|_, q| !q.is_empty());
        }
        if let Some(conf) = &c.conference {
            if let Some(room) = p.rooms.get_mut(conf) {
                let before = room.members.len();
                room.members.retain(|u| u != uid);
                // A room goes with its last member (not when this one was not in it).
                if room.members.is_empty() && before > 0 {
                    p.rooms.remove(conf);
                }
            }
        }
        let rules_2014 = self.rules_2014();
        let is_this = |(p, u): &ChannelKey| p == pbx && u == uid;
        if let Some(call) = c.call {
            if let Some(members) = self.calls.get_mut(&call) {
                members.retain(|k| !is_this(k));
                if members.is_empty() {
                    self.calls.remove(&call);
                }
            }
        }
        if let Some(v) = &c.sipcallid {
            // The 2014 rules drop the wait under its value whoever waits there.
            if self.trunks.get(v).is_some_and(|k| rules_2014 || is_this(k)) {
                self.trunks.remove(v);
                if self.trunks.is_empty() {
                    // Hash tables keep their capacity; after a busy hour, give it back.
                    self.trunks = Map::default();
                }
            }
        }
        self.drop_if_empty(pbx);
    }

    /// The PBX's source ended: every channel of it goes, as if hung up, and its rooms
    /// (the 2014 rules leave what its channels' hangups did not take).
    pub fn end(&mut self, pbx: &str) {
        let uids: Vec<Text> = self
            .channels_of(pbx)
            .iter()
            .map(|c| c.uniqueid.clone())
            .collect();
        for uid in uids {
            self.hangup(pbx, &uid);
        }
        if !self.rules_2014() {
            self.pbxes.remove(pbx);
        }
    }

    fn drop_if_empty(&mut self, pbx: &str) {
        if self.pbxes.get(pbx).is_some_and(Pbx::is_empty) {
            self.pbxes.remove(pbx);
        }
    }

    fn seq(&mut self) -> u64 {
        self.next_seq += 1;
        self.next_seq - 1
    }

    // ----- AMI 2.x bridges -----

    /// A bridge came to be (a repeated create keeps its members, takes the type given).
    pub fn bridgecreate(&mut self, pbx: &str, id: &str, bridgetype: &str, technology: &str) {
        let seq = self.seq();
        let p = pbx_entry(&mut self.pbxes, pbx);
        let b = p.bridges.entry(id.into()).or_insert_with(|| Bridge {
            id: id.into(),
            bridgetype: Text::default(),
            technology: Text::default(),
            members: Vec::new(),
            numchannels: 0,
            seq,
        });
        if !bridgetype.is_empty() {
            set_text(&mut b.bridgetype, bridgetype);
        }
        if !technology.is_empty() {
            set_text(&mut b.technology, technology);
        }
    }

    /// A known channel entered a bridge (made here if it was not seen created); a
    /// channel is in one bridge at a time.
    pub fn bridgeenter(
        &mut self,
        pbx: &str,
        id: &str,
        uid: &str,
        bridgetype: &str,
        technology: &str,
    ) {
        if !self.exists(pbx, uid) {
            return;
        }
        self.bridgecreate(pbx, id, bridgetype, technology);
        let p = self.pbxes.get_mut(pbx).expect("the channel's PBX");
        let c = p.channels.get_mut(uid).expect("checked above");
        if let Some(old) = c.bridge.replace(id.into()).filter(|old| old != id) {
            if let Some(b) = p.bridges.get_mut(&old) {
                b.members.retain(|u| u != uid);
            }
        }
        let b = p.bridges.get_mut(id).expect("created above");
        if !b.members.iter().any(|u| u == uid) {
            b.members.push(uid.into());
        }
    }

    /// The PBX's own count of a bridge's channels (absent or unreadable: the members
    /// the model knows).
    fn bridge_count(&mut self, pbx: &str, id: &str, numchannels: &str) {
        let Some(b) = self.pbxes.get_mut(pbx).and_then(|p| p.bridges.get_mut(id)) else {
            return;
        };
        b.numchannels = numchannels
            .parse()
            .unwrap_or_else(|_| u32::try_from(b.members.len()).unwrap_or(u32::MAX));
    }

    pub fn bridgeleave(&mut self, pbx: &str, id: &str, uid: &str) {
        let Some(p) = self.pbxes.get_mut(pbx) else {
            return;
        };
        if let Some(b) = p.bridges.get_mut(id) {
            b.members.retain(|u| u != uid);
        }
        if let Some(c) = p.channels.get_mut(uid) {
            if c.bridge.as_deref() == Some(id) {
                c.bridge = None;
            }
        }
    }

    /// The bridge goes; its members are in no bridge.
    pub fn bridgedestroy(&mut self, pbx: &str, id: &str) {
        let Some(p) = self.pbxes.get_mut(pbx) else {
            return;
        };
        if let Some(b) = p.bridges.remove(id) {
            for uid in b.members {
                if let Some(c) = p.channels.get_mut(&uid) {
                    c.bridge = None;
                }
            }
        }
        self.drop_if_empty(pbx);
    }

    // ----- parking -----

    /// A known channel was parked (parked again: its new space).
    pub fn parkedcall(&mut self, parked: ParkedCall, pbx: &str) {
        if let Some(p) = self.pbxes.get_mut(pbx) {
            if p.channels.get(&parked.uniqueid).is_some() {
                p.parked.insert(parked.uniqueid.clone(), parked);
            }
        }
    }

    /// A parked call left its space (taken back, timed out, or hung up).
    pub fn unparked(&mut self, pbx: &str, uid: &str) {
        if let Some(p) = self.pbxes.get_mut(pbx) {
            p.parked.remove(uid);
        }
        self.drop_if_empty(pbx);
    }

    // ----- queues -----

    /// A known channel joined a queue's line.
    pub fn queuecallerjoin(&mut self, pbx: &str, queue: &str, caller: QueueCaller) {
        if !self.exists(pbx, &caller.uniqueid) {
            return;
        }
        let seq = self.seq();
        let p = self.pbxes.get_mut(pbx).expect("the channel's PBX");
        p.queue(queue, seq).join(caller);
    }

    pub fn queuecallerleave(&mut self, pbx: &str, queue: &str, uid: &str) {
        let Some(p) = self.pbxes.get_mut(pbx) else {
            return;
        };
        if let Some(q) = p.queues.get_mut(queue) {
            q.leave(uid);
        }
        p.drop_queue_if_empty(queue);
        self.drop_if_empty(pbx);
    }

    pub fn queuecallerabandon(&mut self, pbx: &str, queue: &str, uid: &str) {
        let caller = self
            .pbxes
            .get_mut(pbx)
            .and_then(|p| p.queues.get_mut(queue))
            .and_then(|q| q.caller_mut(uid));
        if let Some(c) = caller {
            c.abandoned = true;
        }
    }

    fn queue_mut(&mut self, pbx: &str, queue: &str) -> Option<&mut Queue> {
        self.pbxes.get_mut(pbx)?.queues.get_mut(queue)
    }

    /// A member's phone rings for a waiting caller.
    pub fn agentcalled(&mut self, pbx: &str, queue: &str, interface: &str, caller: &str) {
        let Some(q) = self.queue_mut(pbx, queue) else {
            return;
        };
        if let Some(c) = q.caller_mut(caller) {
            if !c.ringing.iter().any(|i| i == interface) {
                c.ringing.push(interface.into());
            }
        }
        if let Some(m) = q.member_mut(interface) {
            m.ringing = Some(caller.into());
        }
    }

    pub fn agentringnoanswer(&mut self, pbx: &str, queue: &str, interface: &str, caller: &str) {
        let Some(q) = self.queue_mut(pbx, queue) else {
            return;
        };
        if let Some(c) = q.caller_mut(caller) {
            c.ringing.retain(|i| i != interface);
        }
        if let Some(m) = q.member_mut(interface) {
            m.ringing = None;
        }
    }

    /// A member answered the caller (who has left the line by now).
    pub fn agentconnect(&mut self, pbx: &str, queue: &str, interface: &str, caller: &str) {
        if let Some(m) = self
            .queue_mut(pbx, queue)
            .and_then(|q| q.member_mut(interface))
        {
            m.ringing = None;
            m.connected = Some(caller.into());
            m.incall = true;
        }
    }

    /// A member's call ended.
    pub fn agent_free(&mut self, pbx: &str, queue: &str, interface: &str) {
        if let Some(m) = self
            .queue_mut(pbx, queue)
            .and_then(|q| q.member_mut(interface))
        {
            m.connected = None;
            m.incall = false;
        }
    }

    /// A member joined, or its state changed: the event carries all of it.
    pub fn queuemember(&mut self, pbx: &str, queue: &str, member: QueueMember) {
        if member.interface.is_empty() {
            return;
        }
        let seq = self.seq();
        let q = pbx_entry(&mut self.pbxes, pbx).queue(queue, seq);
        match q.member_mut(&member.interface) {
            Some(m) => {
                let (ringing, connected) = (m.ringing.take(), m.connected.take());
                *m = QueueMember {
                    ringing,
                    connected,
                    ..member
                };
            }
            None => q.members.push(member),
        }
    }

    pub fn queuememberremoved(&mut self, pbx: &str, queue: &str, interface: &str) {
        let Some(p) = self.pbxes.get_mut(pbx) else {
            return;
        };
        if let Some(q) = p.queues.get_mut(queue) {
            q.members.retain(|m| m.interface != interface);
        }
        p.drop_queue_if_empty(queue);
        self.drop_if_empty(pbx);
    }

    fn set_call(&mut self, key: &ChannelKey, call: Option<CallId>) {
        if let Some(c) = self.chan_mut(&key.0, &key.1) {
            c.call = call;
        }
    }

    fn new_call(&mut self, members: Vec<ChannelKey>) -> CallId {
        let id = self.next_call;
        self.next_call += 1;
        for k in &members {
            self.set_call(k, Some(id));
        }
        self.calls.insert(id, members);
        id
    }

    /// Put two channels in one call (see the module rules).
    fn merge(&mut self, k1: &ChannelKey, k2: &ChannelKey) {
        if k1 == k2 {
            return;
        }
        let c1 = self.channel(&k1.0, &k1.1).and_then(|c| c.call);
        let c2 = self.channel(&k2.0, &k2.1).and_then(|c| c.call);
        match (c1, c2) {
            (None, None) => {
                self.new_call(vec![k1.clone(), k2.clone()]);
            }
            (None, Some(b)) => {
                self.calls
                    .get_mut(&b)
                    .expect("live call")
                    .insert(0, k1.clone());
                self.set_call(k1, Some(b));
            }
            (Some(a), None) => {
                self.calls.get_mut(&a).expect("live call").push(k2.clone());
                self.set_call(k2, Some(a));
            }
            (Some(a), Some(b)) if a != b => {
                let mut members = self.calls.remove(&a).expect("live call");
                members.extend(self.calls.remove(&b).expect("live call"));
                self.new_call(members);
            }
            _ => {} // already together (a re-bridge)
        }
    }
}

/// A PBX's state, made on first use (its name copied only then).
fn pbx_entry<'a>(pbxes: &'a mut BTreeMap<Text, Pbx>, pbx: &str) -> &'a mut Pbx {
    if !pbxes.contains_key(pbx) {
        pbxes.insert(pbx.into(), Pbx::default());
    }
    pbxes.get_mut(pbx).expect("inserted above")
}

/// Replace a short text keeping its allocation.
fn set_text(field: &mut Text, value: &str) {
    if field != value {
        field.clear();
        field.push_str(value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(interface: &str) -> QueueMember {
        QueueMember {
            interface: interface.into(),
            status: "1".into(),
            ..QueueMember::default()
        }
    }

    #[test]
    fn a_hangup_takes_a_channel_out_of_its_bridge_lot_and_queue() {
        let mut m = Model::new();
        for (uid, name) in [("1", "SIP/a"), ("2", "SIP/b"), ("3", "SIP/c")] {
            m.newchannel("p", uid, name, "", "6", "Up", uid);
        }
        m.bridgeenter("p", "b1", "1", "basic", "simple_bridge");
        m.bridgeenter("p", "b1", "2", "basic", "simple_bridge");
        // A channel is in one bridge at a time.
        m.bridgeenter("p", "lot", "2", "parking", "holding_bridge");
        m.parkedcall(
            ParkedCall {
                uniqueid: "2".into(),
                channel: "SIP/b".into(),
                lot: "default".into(),
                space: "701".into(),
                parker: "SIP/a".into(),
                timeout: 45,
                since: 1.0,
            },
            "p",
        );
        m.queuemember("p", "support", member("Local/agent1@test"));
        m.queuecallerjoin(
            "p",
            "support",
            QueueCaller {
                uniqueid: "3".into(),
                channel: "SIP/c".into(),
                position: 1,
                since: 2.0,
                ringing: Vec::new(),
                abandoned: false,
            },
        );
        m.agentcalled("p", "support", "Local/agent1@test", "3");
        let bridges = |m: &Model| -> Vec<(String, Vec<String>)> {
            m.bridges_of("p")
                .iter()
                .map(|b| {
                    let members = b.members.iter().map(|u| u.to_string()).collect();
                    (b.id.to_string(), members)
                })
                .collect()
        };
        assert_eq!(
            bridges(&m),
            [
                ("b1".to_string(), vec!["1".to_string()]),
                ("lot".to_string(), vec!["2".to_string()])
            ]
        );
        assert_eq!(m.channel("p", "2").unwrap().bridge.as_deref(), Some("lot"));
        let q = &m.queues_of("p")[0];
        assert_eq!(q.callers[0].ringing, ["Local/agent1@test"]);
        assert_eq!(q.members[0].ringing.as_deref(), Some("3"));
        for uid in ["2", "3"] {
            m.hangup("p", uid);
        }
        let s = m.sizes();
        assert_eq!((s.parked, s.queue_callers, s.queue_members), (0, 0, 1));
        assert_eq!(bridges(&m)[1].1, Vec::<String>::new());
        assert_eq!(m.queues_of("p")[0].members[0].ringing, None);
        // The bridge goes: its members are in none.
        m.bridgedestroy("p", "b1");
        assert_eq!(m.channel("p", "1").unwrap().bridge, None);
        m.end("p");
        assert!(m.sizes().is_empty());
    }

    #[test]
    fn a_shared_channel_keeps_its_state_while_the_model_moves_on() {
        let mut m = Model::new();
        m.newchannel("p", "1", "SIP/1", "100", "4", "Ring", "L1");
        let before = m.channel_shared("p", "1").expect("created");
        m.newstate("p", "1", "6", "Up");
        m.rename("p", "1", "SIP/one");
        assert_eq!(
            (before.channel.as_str(), before.channelstatedesc.as_str()),
            ("SIP/1", "Ring")
        );
        let now = m.channel("p", "1").expect("still there");
        assert_eq!(
            (now.channel.as_str(), now.channelstatedesc.as_str()),
            ("SIP/one", "Up")
        );
        // With no snapshot held, a change is made in place: no copy.
        drop(before);
        let at = m.channel("p", "1").map(|c| c as *const Channel);
        m.newstate("p", "1", "5", "Ringing");
        assert_eq!(m.channel("p", "1").map(|c| c as *const Channel), at);
    }
}
