//! Rules of ConfBridge conference rooms.

use super::store::{pbx_entry, Room};
use super::Model;

impl Model {
    /// An empty room (a repeated start keeps the room as it is; under the 2014 rules it
    /// empties it, its members still naming it).
    pub(crate) fn confbridgestart(&mut self, pbx: &str, conference: &str) {
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
    pub(crate) fn confbridgejoin(&mut self, pbx: &str, uid: &str, conference: &str) {
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

    pub(crate) fn confbridgeleave(&mut self, pbx: &str, uid: &str, conference: &str) {
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
    pub(crate) fn confbridgeend(&mut self, pbx: &str, conference: &str) {
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
}
