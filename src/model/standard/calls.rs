//! Rules that put channels in one call: a bridge, the halves of a Local channel, trunk
//! twins found by the trunk variable.

use super::store::ChannelKey;
use super::Model;
use crate::model::channel::{Activity, CallId, Role};
use crate::model::means_none;

impl Model {
    /// Two channels joined: the first stops dialling, and their calls merge.
    pub(crate) fn bridge(&mut self, pbx: &str, uid1: &str, uid2: &str) {
        let both = self.exists(pbx, uid1) && self.exists(pbx, uid2);
        if both || self.rules_2014() {
            self.set_activity(pbx, uid1, Activity::Idle);
        }
        if both {
            self.merge(&(pbx.into(), uid1.into()), &(pbx.into(), uid2.into()));
        }
    }

    /// The two halves of a Local channel: both are trunks, in one call.
    pub(crate) fn localbridge(&mut self, pbx: &str, uid1: &str, uid2: &str) {
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
    /// value (usually on another PBX) is its twin: both are trunks, in one call. Under
    /// the standard rules the second must be on another PBX: one of the same PBX
    /// inherited the value from that PBX's leg.
    pub(crate) fn sipcallid(&mut self, pbx: &str, uid: &str, value: &str) {
        if !self.rules_2014() && means_none(value.as_bytes()) {
            return; // no value: nothing to pair on (the 2014 framework paired any)
        }
        let key: ChannelKey = (pbx.into(), uid.into());
        let rules_2014 = self.rules_2014();
        let Some(p) = self.pbxes.get_mut(pbx) else {
            return;
        };
        let Some(c) = p.channels.get_mut(uid) else {
            return;
        };
        let previous = c.sipcallid.replace(value.into());
        // A channel waiting under an older value waits no more.
        if let Some(old) = previous.filter(|old| old != value) {
            if p.legs.get(&old).is_some_and(|leg| leg == uid) {
                p.legs.remove(&old);
            }
            if self.trunks.get(&old) == Some(&key) {
                self.trunks.remove(&old);
            }
        }
        let inherited = match p.legs.get(value) {
            Some(leg) => leg != uid && p.channels.get(leg).is_some(),
            None => false,
        };
        if !inherited {
            p.legs.insert(value.into(), uid.into());
        } else if !rules_2014 {
            // Inherited from this PBX's leg (a channel it dialled): it carries the value
            // but is no leg of the dialog, and so nobody's twin.
            return;
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

    fn set_call(&mut self, key: &ChannelKey, call: Option<CallId>) {
        if let Some(c) = self.chan_mut(&key.0, &key.1) {
            c.call = call;
        }
    }

    pub(super) fn new_call(&mut self, members: Vec<ChannelKey>) -> CallId {
        let id = self.next_call;
        self.next_call += 1;
        for k in &members {
            self.set_call(k, Some(id));
        }
        self.calls.insert(id, members);
        id
    }

    /// Put two channels in one call (see the module rules).
    pub(super) fn merge(&mut self, k1: &ChannelKey, k2: &ChannelKey) {
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
