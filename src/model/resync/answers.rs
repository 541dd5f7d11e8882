//! [`Resync`]: collecting each PBX's answers while live events go on, and turning the
//! difference between a complete answer and the model into changes.

use super::lists::Part as PresencePart;
use super::presence::{self as presence_sync, key_of};
use super::state::{Entry, Listed, ListedBridge, PbxSync, SyncStep, MAX_SEEN};
use super::{channels, parking, queues, rooms};
use crate::ami::sync::{
    SYNC_AGAIN as AGAIN, SYNC_BRIDGES as BRIDGES, SYNC_CHANNELS as CHANNELS, SYNC_PARKED as PARKED,
    SYNC_PREFIX, SYNC_QUEUES as QUEUES, SYNC_ROOMS as ROOMS, SYNC_STATUS as STATUS,
};
use crate::ami::Message;
use crate::model::normalize::{parked_call, queue_member_fields, seconds_before};
use crate::model::{means_none, or_none, Change, Clock, Model, Rules, Text};
use std::collections::hash_map::Entry as Slot;
use std::collections::{HashMap, HashSet};

/// Resync state of every PBX.
#[derive(Debug, Default)]
pub struct Resync {
    pbxes: HashMap<Text, PbxSync>,
    /// The presence lists a PBX refused, said once (at INFO) per PBX and list.
    refused: HashSet<(Text, PresencePart)>,
}

fn text(m: &Message, key: &str) -> Text {
    m.get(key).map(Text::from_utf8_lossy).unwrap_or_default()
}

/// The value of the channel variable `name` in a `Status` answer (`Variable:
/// NAME=value` lines), unless it means none: Asterisk prints `NAME=(null)` for a channel
/// that lacks the variable.
fn variable(m: &Message, name: &str) -> Option<Text> {
    m.get_all("Variable").find_map(|v| {
        let v = String::from_utf8_lossy(v);
        let (k, value) = v.split_once('=')?;
        (k.trim_start_matches('_') == name && !means_none(value.as_bytes())).then(|| value.into())
    })
}

/// Events that can belong to a resync answer (responses carry no Event at all).
pub(crate) fn may_answer(event: Option<&[u8]>) -> bool {
    const ANSWERS: [&[u8]; 24] = [
        b"BridgeListItem",
        b"BridgeListComplete",
        b"CoreShowChannel",
        b"CoreShowChannelsComplete",
        b"ConfbridgeList",
        b"ConfbridgeListComplete",
        b"ConfbridgeListRooms",
        b"ConfbridgeListRoomsComplete",
        b"Status",
        b"StatusComplete",
        b"ParkedCall",
        b"ParkedCallsComplete",
        b"QueueParams",
        b"QueueMember",
        b"QueueEntry",
        b"QueueStatusComplete",
        b"ExtensionStatus",
        b"ExtensionStateListComplete",
        b"DeviceStateChange",
        b"DeviceStateListComplete",
        b"ContactList",
        b"ContactListComplete",
        b"OutboundRegistrationDetail",
        b"OutboundRegistrationDetailComplete",
    ];
    event.is_none_or(|e| {
        // Every message passes here: most are turned away by their first letter.
        matches!(
            e.first(),
            Some(
                b'B' | b'b'
                    | b'C'
                    | b'c'
                    | b'S'
                    | b's'
                    | b'P'
                    | b'p'
                    | b'Q'
                    | b'q'
                    | b'E'
                    | b'e'
                    | b'D'
                    | b'd'
                    | b'O'
                    | b'o'
            )
        ) && ANSWERS.iter().any(|k| e.eq_ignore_ascii_case(k))
    })
}

impl Resync {
    /// Is a resync of `pbx` under way?
    pub fn active(&self, pbx: &str) -> bool {
        self.pbxes.contains_key(pbx)
    }

    /// PBXes whose resync is under way, and the live changes it keeps track of (for leak
    /// checks).
    pub fn tracked(&self) -> (usize, usize) {
        let seen = self.pbxes.values().map(PbxSync::seen).sum();
        (self.pbxes.len(), seen)
    }

    /// Note a change applied live while a resync is under way.
    pub(crate) fn saw(&mut self, change: &Change) {
        if let Change::End { pbx } = change {
            self.pbxes.remove(pbx);
            return;
        }
        let pbx = change.pbx();
        let Some(s) = self.pbxes.get_mut(pbx) else {
            return;
        };
        match change {
            Change::NewChannel { uniqueid, .. } => {
                s.created.insert(uniqueid.clone());
            }
            Change::Hangup { uniqueid, .. } => {
                s.hung_up.insert(uniqueid.clone());
            }
            Change::BridgeCreate { bridge, .. } => {
                s.live_bridges.insert(bridge.clone());
            }
            Change::BridgeEnter {
                bridge, uniqueid, ..
            } => {
                s.live_bridges.insert(bridge.clone());
                s.moved.insert(uniqueid.clone());
            }
            Change::BridgeLeave { uniqueid, .. } => {
                s.moved.insert(uniqueid.clone());
            }
            Change::ParkedCall { uniqueid, .. }
            | Change::UnParkedCall { uniqueid, .. }
            | Change::ParkedCallTimeOut { uniqueid, .. }
            | Change::ParkedCallGiveUp { uniqueid, .. }
            | Change::QueueCallerJoin { uniqueid, .. }
            | Change::QueueCallerLeave { uniqueid, .. } => {
                s.touched.insert(uniqueid.clone());
            }
            Change::DeviceState { .. }
            | Change::ExtensionStatus { .. }
            | Change::ContactStatus { .. }
            | Change::Registry { .. } => {
                s.touched_presence.extend(key_of(change));
            }
            Change::QueueMemberAdded {
                queue, interface, ..
            }
            | Change::QueueMemberStatus {
                queue, interface, ..
            }
            | Change::QueueMemberPause {
                queue, interface, ..
            }
            | Change::QueueMemberRemoved {
                queue, interface, ..
            } => {
                s.touched_members.insert((queue.clone(), interface.clone()));
            }
            _ => return,
        }
        if s.seen() > MAX_SEEN {
            log::warn!("{pbx}: the resync's answers never completed; following events only");
            self.pbxes.remove(pbx);
        }
    }

    /// Take a message that answers a resync action; `true` if it was one. Changes that
    /// bring the model in line with a completed answer go to `out`.
    pub(crate) fn on_message(
        &mut self,
        pbx: &str,
        m: &Message,
        model: &Model,
        trunk_variable: &str,
        clock: Clock,
        out: &mut Vec<SyncStep>,
    ) -> bool {
        let ours = self.answer(pbx, m, model, trunk_variable, clock, out);
        if ours && self.pbxes.get(pbx).is_some_and(PbxSync::finished) {
            self.pbxes.remove(pbx);
            log::debug!("{pbx}: resync complete");
        }
        ours
    }

    fn answer(
        &mut self,
        pbx: &str,
        m: &Message,
        model: &Model,
        trunk_variable: &str,
        clock: Clock,
        out: &mut Vec<SyncStep>,
    ) -> bool {
        let Some(id) = m.get_str("ActionID") else {
            return false;
        };
        let Some(rest) = id.strip_prefix(SYNC_PREFIX) else {
            return false;
        };
        let event = m.get_str("Event");
        let response = m.response();
        let is_channels = rest.ends_with(CHANNELS);
        let is_bridges = rest.ends_with(BRIDGES);
        let is_status = rest.ends_with(STATUS);
        let is_parked = rest.ends_with(PARKED);
        let is_queues = rest.ends_with(QUEUES);
        let is_rooms = rest.ends_with(ROOMS);
        let is_room_list = rest.contains(&format!("{ROOMS}-"));
        let presence = PresencePart::of(rest);
        let success = response
            .as_deref()
            .is_some_and(|r| r.eq_ignore_ascii_case("Success"));
        match (event.as_deref(), response.as_deref()) {
            // Without BridgeList (AMI 1.x) every listed bridge is taken as a call.
            (None, Some(r)) if is_bridges && r.eq_ignore_ascii_case("Success") => {
                self.pbxes.entry(pbx.into()).or_default();
            }
            (Some(e), _) if e.eq_ignore_ascii_case("BridgeListItem") => {
                if let Some(s) = self.pbxes.get_mut(pbx) {
                    let b = ListedBridge {
                        id: text(m, "BridgeUniqueid"),
                        bridgetype: text(m, "BridgeType"),
                        technology: text(m, "BridgeTechnology"),
                        numchannels: text(m, "BridgeNumChannels"),
                    };
                    if crate::model::holds_only(&b.bridgetype, &b.technology) {
                        s.holding.insert(b.id.clone());
                    }
                    s.bridges_listed = true;
                    s.bridges.push(b);
                }
            }
            (Some(e), _) if e.eq_ignore_ascii_case("BridgeListComplete") => {
                if let Some(s) = self.pbxes.get_mut(pbx) {
                    s.bridges_listed = true;
                }
            }
            (None, Some(r)) if is_channels => {
                if r.eq_ignore_ascii_case("Success") {
                    let s = self.pbxes.entry(pbx.into()).or_default();
                    s.listing = true;
                    s.listed.clear();
                } else {
                    log::info!(
                        "{pbx}: CoreShowChannels refused ({}): following events only",
                        text(m, "Message")
                    );
                    self.pbxes.remove(pbx);
                }
            }
            // Refused: that part of the answer is complete, empty.
            (None, Some(_)) if !success => {
                if let (Some(part), Some(s)) = (presence, self.pbxes.get_mut(pbx)) {
                    // A PBX without the module (pbx_config's hints, res_pjsip): that
                    // part is empty, and said once.
                    if self.refused.insert((pbx.into(), part)) {
                        log::info!(
                            "{pbx}: {} refused ({}): no {} from it",
                            part.action(),
                            text(m, "Message").trim(),
                            match part {
                                PresencePart::Extensions => "extension states",
                                PresencePart::Devices => "device states",
                                PresencePart::Contacts => "contacts",
                                PresencePart::Registrations => "outbound registrations",
                            }
                        );
                    }
                    s.presence_lines[part as usize].clear();
                    s.presence_done[part as usize] = true;
                    presence_sync::presence(pbx, part, s, model, out);
                } else if let Some(s) = self.pbxes.get_mut(pbx) {
                    if is_status {
                        s.status_done = true;
                    } else if is_parked {
                        s.parked_done = true;
                    } else if is_queues {
                        s.queues_done = true;
                    } else if is_rooms {
                        s.rooms_expected = Some(0);
                    } else if is_room_list {
                        s.rooms_answered += 1;
                    }
                }
            }
            (None, Some(_)) if presence.is_some() => {
                let part = presence.expect("checked");
                let s = match self.pbxes.entry(pbx.into()) {
                    Slot::Occupied(s) => s.into_mut(),
                    Slot::Vacant(v) if rest.contains(AGAIN) => v.insert(PbxSync::partial()),
                    Slot::Vacant(_) => return true,
                };
                s.presence_lines[part as usize].clear();
                s.presence_done[part as usize] = false;
            }
            // The same part of a whole resync, or a part asked again on its own.
            (None, Some(_)) if is_parked || is_queues || is_rooms => {
                let s = match self.pbxes.entry(pbx.into()) {
                    Slot::Occupied(s) => s.into_mut(),
                    Slot::Vacant(v) if rest.contains(AGAIN) => v.insert(PbxSync::partial()),
                    Slot::Vacant(_) => return true, // its resync was given up on
                };
                if is_parked {
                    s.parked_done = false;
                    s.parked.clear();
                } else if is_queues {
                    s.queues_done = false;
                    s.queue_members.clear();
                    s.queue_entries.clear();
                } else {
                    s.rooms_named = 0;
                    s.rooms_expected = None;
                    s.rooms_answered = 0;
                }
            }
            (None, Some(_)) => {}
            (Some(e), _) if presence.is_some_and(|p| e.eq_ignore_ascii_case(p.events().0)) => {
                let part = presence.expect("checked");
                if let Some(s) = self.pbxes.get_mut(pbx) {
                    let line = part.line(m, pbx.into());
                    s.presence_lines[part as usize].push(line);
                }
            }
            (Some(e), _) if presence.is_some_and(|p| e.eq_ignore_ascii_case(p.events().1)) => {
                let part = presence.expect("checked");
                if let Some(s) = self.pbxes.get_mut(pbx) {
                    s.presence_done[part as usize] = true;
                    presence_sync::presence(pbx, part, s, model, out);
                    s.presence_lines[part as usize] = Vec::new();
                }
            }
            (Some(e), _) if is_status && e.eq_ignore_ascii_case("Status") => {
                if let Some(s) = self.pbxes.get_mut(pbx) {
                    if let Some(value) = variable(m, trunk_variable) {
                        s.trunk_values
                            .push((text(m, "Uniqueid"), text(m, "Channel"), value));
                    }
                }
            }
            (Some(e), _) if is_status && e.eq_ignore_ascii_case("StatusComplete") => {
                if let Some(s) = self.pbxes.get_mut(pbx) {
                    s.status_done = true;
                    // Oldest first: a PBX's leg of a SIP dialog is older than the channels
                    // it dialled, which inherit its value (`__SIPCALLID`); the model takes
                    // the first of a PBX to say a value as its leg.
                    let mut values = std::mem::take(&mut s.trunk_values);
                    values.sort_by(|a, b| creation_order(&a.0).cmp(&creation_order(&b.0)));
                    for (uid, channel, value) in values {
                        let known = model.channel(pbx, &uid);
                        let waiting = known.is_some_and(|c| c.sipcallid.as_ref() == Some(&value));
                        if !waiting && !uid.is_empty() && !s.hung_up.contains(&uid) {
                            out.push(SyncStep::Apply(Change::SipCallId {
                                pbx: pbx.into(),
                                uniqueid: uid,
                                channel,
                                value,
                            }));
                        }
                    }
                }
            }
            (Some(e), _) if is_parked && e.eq_ignore_ascii_case("ParkedCall") => {
                if let Some(s) = self.pbxes.get_mut(pbx) {
                    s.parked.extend(parked_call(m, pbx.into(), clock));
                }
            }
            (Some(e), _) if is_parked && e.eq_ignore_ascii_case("ParkedCallsComplete") => {
                if let Some(s) = self.pbxes.get_mut(pbx) {
                    s.parked_done = true;
                    parking::parked(pbx, s, model, out);
                    s.parked = Vec::new();
                }
            }
            (Some(e), _) if is_queues && e.eq_ignore_ascii_case("QueueMember") => {
                if let Some(s) = self.pbxes.get_mut(pbx) {
                    s.queue_members.extend(queue_member_fields(m));
                }
            }
            (Some(e), _) if is_queues && e.eq_ignore_ascii_case("QueueEntry") => {
                if let Some(s) = self.pbxes.get_mut(pbx) {
                    s.queue_entries.push(Entry {
                        queue: text(m, "Queue"),
                        uniqueid: text(m, "Uniqueid"),
                        channel: text(m, "Channel"),
                        position: text(m, "Position").parse().unwrap_or(u32::MAX),
                        since: seconds_before(clock.at(m), m, "Wait"),
                    });
                }
            }
            (Some(e), _) if is_queues && e.eq_ignore_ascii_case("QueueStatusComplete") => {
                if let Some(s) = self.pbxes.get_mut(pbx) {
                    s.queues_done = true;
                    queues::queues(pbx, s, model, out);
                    s.queue_members = Vec::new();
                    s.queue_entries = Vec::new();
                }
            }
            (Some(e), _) if is_rooms && e.eq_ignore_ascii_case("ConfbridgeListRooms") => {
                if let Some(s) = self.pbxes.get_mut(pbx) {
                    s.rooms_named += 1;
                }
            }
            (Some(e), _) if is_rooms && e.eq_ignore_ascii_case("ConfbridgeListRoomsComplete") => {
                if let Some(s) = self.pbxes.get_mut(pbx) {
                    s.rooms_expected = Some(s.rooms_named);
                }
            }
            (Some(e), _) if e.eq_ignore_ascii_case("CoreShowChannel") => {
                if let Some(s) = self.pbxes.get_mut(pbx).filter(|s| s.listing) {
                    let mut calleridnum = text(m, "CallerIDNum");
                    if model.rules() == Rules::Standard {
                        calleridnum = or_none(calleridnum); // as events have it
                    }
                    s.listed.push(Listed {
                        uniqueid: text(m, "Uniqueid"),
                        channel: text(m, "Channel"),
                        calleridnum,
                        channelstate: text(m, "ChannelState"),
                        channelstatedesc: text(m, "ChannelStateDesc"),
                        linkedid: text(m, "Linkedid"),
                        bridgeid: text(m, "BridgeId"),
                        bridged_uniqueid: text(m, "BridgedUniqueID"),
                        application: text(m, "Application"),
                    });
                }
            }
            (Some(e), _) if e.eq_ignore_ascii_case("CoreShowChannelsComplete") => {
                if let Some(s) = self.pbxes.get_mut(pbx).filter(|s| s.listing) {
                    s.listing = false;
                    s.channels_done = true;
                    let n = s.listed.len();
                    channels::channels(pbx, s, model, out);
                    s.listed = Vec::new();
                    log::info!("{pbx}: resynced {n} channels from CoreShowChannels");
                }
            }
            (Some(e), _) if e.eq_ignore_ascii_case("ConfbridgeList") => {
                if let Some(s) = self.pbxes.get_mut(pbx) {
                    s.rooms.entry(id.into()).or_default().push((
                        text(m, "Conference"),
                        text(m, "Uniqueid"),
                        text(m, "Channel"),
                    ));
                }
            }
            (Some(e), _) if e.eq_ignore_ascii_case("ConfbridgeListComplete") => {
                if let Some(s) = self.pbxes.get_mut(pbx) {
                    let entries = s.rooms.remove(id.as_ref()).unwrap_or_default();
                    rooms::rooms(pbx, s, &entries, model, out);
                    s.rooms_answered += 1;
                }
            }
            _ => {}
        }
        true
    }
}

/// A Uniqueid's place in its PBX's creation order: Asterisk makes them
/// `[systemname-]<seconds>.<count>`, the count rising across the PBX's life. One it did
/// not make sorts after, by its text.
fn creation_order(uniqueid: &str) -> ((u64, u64), &str) {
    let tail = uniqueid.rsplit('-').next().unwrap_or(uniqueid);
    let parsed = tail
        .split_once('.')
        .and_then(|(s, n)| Some((s.parse().ok()?, n.parse().ok()?)));
    (parsed.unwrap_or((u64::MAX, u64::MAX)), uniqueid)
}
