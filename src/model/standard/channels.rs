//! Rules of a channel's own life: created, its state, dialling, hold, caller id, name,
//! hangup, and the end of its PBX.

use super::store::{pbx_entry, set_text, ChannelKey};
use super::Model;
use crate::model::channel::{Activity, Channel, Role};
use crate::model::{Map, Text};

impl Model {
    /// Create a channel (a repeated Newchannel for a live Uniqueid replaces it).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn newchannel(
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

    /// Would `linkedid` (as an event now gives it) change the channel's?
    pub fn relinks(&self, pbx: &str, uid: &str, linkedid: &str) -> bool {
        self.channel(pbx, uid)
            .is_some_and(|c| !linkedid.is_empty() && c.linkedid != linkedid)
    }

    /// A channel's Linkedid as an event now gives it.
    pub(crate) fn linkedid(&mut self, pbx: &str, uid: &str, linkedid: &str) {
        if let Some(c) = self.chan_mut(pbx, uid).filter(|_| !linkedid.is_empty()) {
            set_text(&mut c.linkedid, linkedid);
        }
    }

    pub(crate) fn newstate(&mut self, pbx: &str, uid: &str, state: &str, desc: &str) {
        if let Some(c) = self.chan_mut(pbx, uid) {
            // In place: a state is a few bytes, and the strings keep their capacity.
            set_text(&mut c.channelstate, state);
            set_text(&mut c.channelstatedesc, desc);
        }
    }

    /// The caller dials (role CALLING, activity DIALING), the callee is dialled.
    pub(crate) fn dial(&mut self, pbx: &str, uid: &str, destuid: &str) {
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
    pub(crate) fn dialend(&mut self, pbx: &str, uid: &str, dialstatus: &str) {
        if dialstatus.eq_ignore_ascii_case("ANSWER") {
            return;
        }
        self.set_activity(pbx, uid, Activity::Idle);
    }

    pub(crate) fn musiconhold(&mut self, pbx: &str, uid: &str) {
        self.set_activity(pbx, uid, Activity::Held);
    }

    pub(crate) fn musicoffhold(&mut self, pbx: &str, uid: &str) {
        self.set_activity(pbx, uid, Activity::Idle);
    }

    pub(crate) fn hanguprequest(&mut self, pbx: &str, uid: &str) {
        self.set_activity(pbx, uid, Activity::Hungup);
    }

    pub(crate) fn softhanguprequest(&mut self, pbx: &str, uid: &str) {
        self.set_activity(pbx, uid, Activity::Caused);
    }

    /// A new caller id: the channel's number, recorded under its name when not empty
    /// (under the 2014 rules: under the event's `channel`, empty or not).
    pub(crate) fn newcallerid(&mut self, pbx: &str, uid: &str, channel: &str, calleridnum: &str) {
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
    pub(crate) fn rename(&mut self, pbx: &str, uid: &str, newname: &str) {
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
    pub(crate) fn hangup(&mut self, pbx: &str, uid: &str) {
        let Some(p) = self.pbxes.get_mut(pbx) else {
            return;
        };
        let Some(c) = p.channels.remove(uid) else {
            return;
        };
        p.numbers.remove(&c.channel);
        if let Some(v) = &c.sipcallid {
            if p.legs.get(v).is_some_and(|leg| leg == uid) {
                p.legs.remove(v);
            }
        }
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
    pub(crate) fn end(&mut self, pbx: &str) {
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

    /// Transfers move channels by the bridge events around them; the change itself tells
    /// who did what.
    pub(crate) fn transfer(&mut self, _pbx: &str) {}
}
