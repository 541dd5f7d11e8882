//! Rules of AMI 2.x bridges (basic, holding, parking...), beside the calls they make.

use super::store::{pbx_entry, set_text};
use super::Model;
use crate::model::bridges::Bridge;
use crate::model::Text;

impl Model {
    /// A bridge came to be (a repeated create keeps its members, takes the type given).
    pub(crate) fn bridgecreate(&mut self, pbx: &str, id: &str, bridgetype: &str, technology: &str) {
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
    pub(crate) fn bridgeenter(
        &mut self,
        pbx: &str,
        id: &str,
        uid: &str,
        bridgetype: &str,
        technology: &str,
        numchannels: &str,
    ) {
        self.enter(pbx, id, uid, bridgetype, technology);
        self.bridge_count(pbx, id, numchannels);
    }

    fn enter(&mut self, pbx: &str, id: &str, uid: &str, bridgetype: &str, technology: &str) {
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

    pub(crate) fn bridgeleave(&mut self, pbx: &str, id: &str, uid: &str, numchannels: &str) {
        self.leave(pbx, id, uid);
        self.bridge_count(pbx, id, numchannels);
    }

    fn leave(&mut self, pbx: &str, id: &str, uid: &str) {
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
    pub(crate) fn bridgedestroy(&mut self, pbx: &str, id: &str) {
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
}
