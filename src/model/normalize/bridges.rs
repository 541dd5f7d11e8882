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

/// Every PBX's bridges by (pbx, BridgeUniqueid).
#[derive(Debug, Default)]
pub(super) struct Bridges(Map<(Text, Text), Bridge>);

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
        let b = self.0.entry((pbx.clone(), bridge.clone())).or_default();
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
            .0
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
        if let Some(b) = self.0.get_mut(&(pbx.clone(), bridge.clone())) {
            b.members.retain(|(u, _, _)| *u != uniqueid);
        }
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
        self.0.remove(&(pbx.clone(), bridge.clone()));
        Some(Change::BridgeDestroy { pbx, bridge })
    }

    /// Members of a bridge learnt from a resync rather than from `BridgeEnter`.
    pub(super) fn adopt(&mut self, pbx: Text, bridge: Text, holding: bool, members: Vec<Member>) {
        let b = self.0.entry((pbx, bridge)).or_default();
        b.holding |= holding;
        for m in members {
            if !b.members.iter().any(|(u, _, _)| *u == m.0) {
                b.members.push(m);
            }
        }
    }

    /// A channel hung up: it is in no bridge any more.
    pub(super) fn forget(&mut self, pbx: &str, uid: &str) {
        for ((p, _), b) in self.0.iter_mut() {
            if *p == pbx {
                b.members.retain(|(u, _, _)| u != uid);
            }
        }
    }

    /// The PBX's source ended: its bridges go.
    pub(super) fn end(&mut self, pbx: &str) {
        self.0.retain(|(p, _), _| p != pbx);
    }

    /// A member of the bridge other than those given, if any.
    pub(super) fn other_member(
        &self,
        pbx: &Text,
        bridge: &Text,
        not: [&Text; 2],
    ) -> Option<&Member> {
        self.0
            .get(&(pbx.clone(), bridge.clone()))?
            .members
            .iter()
            .find(|(u, _, _)| !not.contains(&u))
    }

    pub(super) fn len(&self) -> usize {
        self.0.len()
    }
}
