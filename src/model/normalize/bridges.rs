//! AMI 2.x bridges as the normaliser tracks them: a channel entering a bridge is bridged
//! with the bridge's first member, so each bridge's members are kept (per PBX) until
//! they leave, hang up, or the bridge goes.

use super::events::Event;
use super::fields::{is_holding, number, required, text};
use crate::ami::Message;
use crate::model::{Change, Map, Text};

/// (Uniqueid, Channel, CallerIDNum) of a bridge member.
pub(crate) type Member = (Text, Text, Text);

#[derive(Debug, Default)]
struct Bridge {
    /// Bridges that only hold their channels (parking lots, holding bridges: see
    /// [`holds_only`](crate::model::holds_only)) join nobody.
    holding: bool,
    /// In order of entry.
    members: Vec<Member>,
}

/// Every PBX's bridges by (pbx, BridgeUniqueid), and the bridges each channel is in by
/// (pbx, Uniqueid): a hangup finds its channel's bridges without looking at the others,
/// so its cost does not grow with the calls up.
#[derive(Debug, Default)]
pub(super) struct Bridges {
    bridges: Map<(Text, Text), Bridge>,
    member_of: Map<(Text, Text), Vec<Text>>,
}

impl Bridges {
    /// The changes a bridge event means, appended to `out`.
    pub(super) fn changes(&mut self, event: Event, m: &Message, pbx: Text, out: &mut Vec<Change>) {
        let change = match event {
            Event::BridgeCreate => self.create(m, pbx),
            Event::BridgeEnter => {
                let (Some(bridge), Some(uniqueid)) =
                    (required(m, "BridgeUniqueid"), required(m, "Uniqueid"))
                else {
                    return;
                };
                let channel = text(m, "Channel");
                let joined = self.enter(m, &pbx, &bridge, &uniqueid, &channel);
                out.push(Change::BridgeEnter {
                    pbx,
                    bridge,
                    uniqueid,
                    channel,
                    bridgetype: text(m, "BridgeType"),
                    technology: text(m, "BridgeTechnology"),
                    numchannels: text(m, "BridgeNumChannels"),
                });
                joined
            }
            Event::BridgeLeave => self.leave(m, pbx),
            Event::BridgeDestroy => self.destroy(m, pbx),
            _ => None,
        };
        out.extend(change);
    }

    fn create(&mut self, m: &Message, pbx: Text) -> Option<Change> {
        let bridge = required(m, "BridgeUniqueid")?;
        let b = self
            .bridges
            .entry((pbx.clone(), bridge.clone()))
            .or_default();
        b.holding = is_holding(m);
        Some(Change::BridgeCreate {
            pbx,
            bridge,
            bridgetype: text(m, "BridgeType"),
            technology: text(m, "BridgeTechnology"),
        })
    }

    /// The channel joins the bridge's first member (none for the first, none in a bridge
    /// that only holds).
    fn enter(
        &mut self,
        m: &Message,
        pbx: &Text,
        id: &Text,
        uid: &Text,
        channel: &Text,
    ) -> Option<Change> {
        let callerid = number(m, "CallerIDNum");
        let bridge = self
            .bridges
            .entry((pbx.clone(), id.clone()))
            .or_insert_with(|| Bridge {
                holding: is_holding(m),
                members: Vec::new(),
            });
        if bridge.holding || bridge.members.iter().any(|(u, _, _)| u == uid) {
            return None;
        }
        let first = bridge.members.first().cloned();
        bridge
            .members
            .push((uid.clone(), channel.clone(), callerid.clone()));
        self.joined(pbx, uid, id);
        let (uniqueid1, channel1, callerid1) = first?;
        Some(Change::Bridge {
            pbx: pbx.clone(),
            uniqueid1,
            channel1,
            callerid1,
            uniqueid2: uid.clone(),
            channel2: channel.clone(),
            callerid2: callerid,
        })
    }

    fn leave(&mut self, m: &Message, pbx: Text) -> Option<Change> {
        let bridge = required(m, "BridgeUniqueid")?;
        let uniqueid = required(m, "Uniqueid")?;
        if let Some(b) = self.bridges.get_mut(&(pbx.clone(), bridge.clone())) {
            b.members.retain(|(u, _, _)| *u != uniqueid);
        }
        self.left(&pbx, &uniqueid, &bridge);
        Some(Change::BridgeLeave {
            pbx,
            bridge,
            uniqueid,
            channel: text(m, "Channel"),
            numchannels: text(m, "BridgeNumChannels"),
        })
    }

    fn destroy(&mut self, m: &Message, pbx: Text) -> Option<Change> {
        let bridge = required(m, "BridgeUniqueid")?;
        if let Some(b) = self.bridges.remove(&(pbx.clone(), bridge.clone())) {
            for (uid, _, _) in &b.members {
                self.left(&pbx, uid, &bridge);
            }
        }
        Some(Change::BridgeDestroy { pbx, bridge })
    }

    /// Members of a bridge learnt from a resync rather than from `BridgeEnter`.
    pub(super) fn adopt(&mut self, pbx: Text, bridge: Text, holding: bool, members: Vec<Member>) {
        let b = self
            .bridges
            .entry((pbx.clone(), bridge.clone()))
            .or_default();
        b.holding |= holding;
        let mut joined = Vec::new();
        for m in members {
            if !b.members.iter().any(|(u, _, _)| *u == m.0) {
                joined.push(m.0.clone());
                b.members.push(m);
            }
        }
        for uid in joined {
            self.joined(&pbx, &uid, &bridge);
        }
    }

    /// A channel hung up: it is in no bridge any more.
    pub(super) fn forget(&mut self, pbx: &str, uid: &str) {
        let Some(bridges) = self.member_of.remove(&(Text::from(pbx), Text::from(uid))) else {
            return;
        };
        for bridge in bridges {
            if let Some(b) = self.bridges.get_mut(&(Text::from(pbx), bridge)) {
                b.members.retain(|(u, _, _)| u != uid);
            }
        }
    }

    /// The PBX's source ended: its bridges go.
    pub(super) fn end(&mut self, pbx: &str) {
        self.bridges.retain(|(p, _), _| p != pbx);
        self.member_of.retain(|(p, _), _| p != pbx);
    }

    fn joined(&mut self, pbx: &Text, uid: &Text, bridge: &Text) {
        let of = self
            .member_of
            .entry((pbx.clone(), uid.clone()))
            .or_default();
        if !of.contains(bridge) {
            of.push(bridge.clone());
        }
    }

    fn left(&mut self, pbx: &Text, uid: &Text, bridge: &Text) {
        let key = (pbx.clone(), uid.clone());
        if let Some(of) = self.member_of.get_mut(&key) {
            of.retain(|b| b != bridge);
            if of.is_empty() {
                self.member_of.remove(&key);
            }
        }
    }

    /// A member of the bridge other than those given, if any.
    pub(super) fn other_member(
        &self,
        pbx: &Text,
        bridge: &Text,
        not: [&Text; 2],
    ) -> Option<&Member> {
        self.bridges
            .get(&(pbx.clone(), bridge.clone()))?
            .members
            .iter()
            .find(|(u, _, _)| !not.contains(&u))
    }

    pub(super) fn len(&self) -> usize {
        self.bridges.len()
    }

    /// Channels in some bridge (for leak checks).
    pub(super) fn members(&self) -> usize {
        self.member_of.len()
    }
}
