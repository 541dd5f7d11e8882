//! Resync: rebuilding one PBX's state from its answers to `BridgeList`,
//! `CoreShowChannels`, `Status`, `ParkedCalls`, `QueueStatus` and `ConfbridgeList`, for a
//! monitor that starts (or reconnects) in the middle of calls.
//!
//! The socket sends the actions after login with ActionIDs under `ami::sync`; this
//! module collects the answers while live events go on being applied, then turns the
//! difference between the answer and the model into ordinary [`Change`]s, so hooks see
//! resynced channels as `newchannel`, `bridge`, `confbridgejoin`... like any other.
//!
//! Listing is not atomic: events interleave with the answer. A channel hung up while the
//! list was being sent may still be listed, and one created meanwhile may be missing; so
//! channels seen hanging up since the sync began are never resurrected, and channels seen
//! created since then are never removed. Once every answer is in, the resync of that PBX
//! is over and what it kept is let go (a monitor runs for months).
//!
//! What a PBX cannot tell on connect stays unknown: who dialled whom (roles), and a
//! channel put on hold by its phone (`Hold`); a channel in the `MusicOnHold` application
//! is HELD.

mod channels;
mod parking;
mod queues;
mod rooms;

use super::normalize::{clock, parked_call, queue_member_fields, seconds_before};
use super::Text;
use super::{Change, Model, Rules};
use crate::ami::sync::{
    SYNC_BRIDGES as BRIDGES, SYNC_CHANNELS as CHANNELS, SYNC_PARKED as PARKED, SYNC_PREFIX,
    SYNC_QUEUES as QUEUES, SYNC_ROOMS as ROOMS, SYNC_STATUS as STATUS,
};
use crate::ami::Message;
use std::collections::{HashMap, HashSet};

/// One `BridgeListItem`.
#[derive(Debug)]
struct ListedBridge {
    id: Text,
    bridgetype: Text,
    technology: Text,
    numchannels: Text,
}

/// One `CoreShowChannel` entry.
#[derive(Debug)]
struct Listed {
    uniqueid: Text,
    channel: Text,
    calleridnum: Text,
    channelstate: Text,
    channelstatedesc: Text,
    linkedid: Text,
    /// AMI 2.x+: the bridge the channel is in.
    bridgeid: Text,
    /// AMI 1.x: the channel it is bridged to.
    bridged_uniqueid: Text,
    /// The dialplan application it runs (`MusicOnHold`: it is held).
    application: Text,
}

#[derive(Debug, Default)]
struct PbxSync {
    /// `CoreShowChannels` answered with success: collecting.
    listing: bool,
    listed: Vec<Listed>,
    /// Conference entries by the ActionID of their `ConfbridgeList`.
    rooms: HashMap<Text, Vec<(Text, Text, Text)>>,
    created: HashSet<Text>,
    hung_up: HashSet<Text>,
    /// Bridges that only hold (parking lots, holding bridges) from `BridgeList`: their
    /// members are in no call together, as the normaliser has it for live events.
    holding: HashSet<Text>,
    /// `BridgeList` answered (AMI 2.x): its bridges.
    bridges_listed: bool,
    bridges: Vec<ListedBridge>,
    /// Bridges seen created or entered, and channels seen entering or leaving one,
    /// since the resync began: the events know better than the lists.
    live_bridges: HashSet<Text>,
    moved: HashSet<Text>,
    /// Channels seen parked, unparked, joining or leaving a queue since it began, and
    /// queue members (queue, interface) seen described.
    touched: HashSet<Text>,
    touched_members: HashSet<(Text, Text)>,
    /// The `ParkedCalls` answer so far (each line as its `parkedcall` change).
    parked: Vec<Change>,
    parked_done: bool,
    /// The `QueueStatus` answer so far.
    queue_members: Vec<queues::MemberLine>,
    queue_entries: Vec<queues::Entry>,
    queues_done: bool,
    /// The channel list has been applied.
    channels_done: bool,
    /// Each channel's trunk value from the `Status` answer: (Uniqueid, Channel, value).
    trunk_values: Vec<(Text, Text, Text)>,
    status_done: bool,
    /// Rooms `ConfbridgeListRooms` named; how many room lists to expect once it is
    /// complete; how many have been answered.
    rooms_named: usize,
    rooms_expected: Option<usize>,
    rooms_answered: usize,
}

/// Live changes a resync keeps track of at most while it waits for its answers: past
/// that, a PBX that never finishes answering is given up on (the memory stays bounded).
const MAX_SEEN: usize = 100_000;

impl PbxSync {
    /// Everything it keeps about live changes and answers so far.
    fn seen(&self) -> usize {
        self.created.len()
            + self.hung_up.len()
            + self.listed.len()
            + self.live_bridges.len()
            + self.moved.len()
            + self.touched.len()
            + self.touched_members.len()
            + self.parked.len()
            + self.queue_members.len()
            + self.queue_entries.len()
    }

    /// Every answer is in: nothing more for this resync to do.
    fn finished(&self) -> bool {
        self.channels_done
            && self.status_done
            && self.parked_done
            && self.queues_done
            && self
                .rooms_expected
                .is_some_and(|n| self.rooms_answered >= n)
    }
}

/// What a completed answer asks of the tracker.
#[derive(Debug)]
pub(crate) enum SyncStep {
    /// Apply this change (and show it to hooks).
    Apply(Change),
    /// Tell the normaliser that these (Uniqueid, Channel, CallerIDNum) are in an AMI 2.x
    /// bridge, so later `BridgeEnter`s join them (or, in a holding bridge, join nobody).
    AdoptBridge {
        pbx: Text,
        bridge: Text,
        holding: bool,
        members: Vec<(Text, Text, Text)>,
    },
}

/// Resync state of every PBX.
#[derive(Debug, Default)]
pub struct Resync {
    pbxes: HashMap<Text, PbxSync>,
}

fn text(m: &Message, key: &str) -> Text {
    m.get(key).map(Text::from_utf8_lossy).unwrap_or_default()
}

/// The non-empty value of the channel variable `name` in a `Status` answer
/// (`Variable: NAME=value` lines).
fn variable(m: &Message, name: &str) -> Option<Text> {
    m.get_all("Variable").find_map(|v| {
        let v = String::from_utf8_lossy(v);
        let (k, value) = v.split_once('=')?;
        (k.trim_start_matches('_') == name && !value.is_empty()).then(|| value.into())
    })
}

/// Events that can belong to a resync answer (responses carry no Event at all).
pub(crate) fn may_answer(event: Option<&[u8]>) -> bool {
    const ANSWERS: [&[u8]; 16] = [
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
    ];
    event.is_none_or(|e| {
        // Every message passes here: most are turned away by their first letter.
        matches!(
            e.first(),
            Some(b'B' | b'b' | b'C' | b'c' | b'S' | b's' | b'P' | b'p' | b'Q' | b'q')
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
        out: &mut Vec<SyncStep>,
    ) -> bool {
        let ours = self.answer(pbx, m, model, trunk_variable, out);
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
                if let Some(s) = self.pbxes.get_mut(pbx) {
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
            (None, Some(_)) => {}
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
                    for (uid, channel, value) in std::mem::take(&mut s.trunk_values) {
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
                    s.parked.extend(parked_call(m, pbx.into()));
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
                    s.queue_entries.push(queues::Entry {
                        queue: text(m, "Queue"),
                        uniqueid: text(m, "Uniqueid"),
                        channel: text(m, "Channel"),
                        position: text(m, "Position").parse().unwrap_or(u32::MAX),
                        since: seconds_before(clock(m), m, "Wait"),
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
                    if calleridnum == "<unknown>" && model.rules() == Rules::Standard {
                        calleridnum = Text::default(); // as events have it: no number
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

#[cfg(test)]
mod tests {
    use crate::ami::Message;
    use crate::model::Tracker;

    fn msg(fields: &[(&str, &str)]) -> Message {
        fields.iter().copied().collect()
    }

    fn listed(uid: &str, name: &str, bridge: &str) -> Message {
        listed_for("hackamore-sync-7-channels", uid, name, bridge)
    }

    fn listed_for(action_id: &str, uid: &str, name: &str, bridge: &str) -> Message {
        msg(&[
            ("Event", "CoreShowChannel"),
            ("ActionID", action_id),
            ("Channel", name),
            ("ChannelState", "6"),
            ("Uniqueid", uid),
            ("Linkedid", uid),
            ("BridgeId", bridge),
        ])
    }

    fn newchannel(uid: &str, name: &str) -> Message {
        msg(&[
            ("Event", "Newchannel"),
            ("Channel", name),
            ("Uniqueid", uid),
            ("ChannelState", "0"),
        ])
    }

    #[test]
    fn events_during_the_listing_win_over_the_list() {
        let mut t = Tracker::default();
        let mut names = Vec::new();
        let mut feed =
            |t: &mut Tracker, m: Message| t.process("p", &m, |_, c| names.push(c.name()));
        feed(&mut t, newchannel("stale", "SIP/stale"));
        feed(
            &mut t,
            msg(&[
                ("Response", "Success"),
                ("ActionID", "hackamore-sync-7-channels"),
                ("EventList", "start"),
            ]),
        );
        feed(&mut t, listed("a", "SIP/a", "b1"));
        // b hangs up while the list is being sent, but is listed after its hangup...
        feed(
            &mut t,
            msg(&[("Event", "Hangup"), ("Channel", "SIP/b"), ("Uniqueid", "b")]),
        );
        feed(&mut t, listed("b", "SIP/b", "b1"));
        // ...and c is created after the list was taken, so it is not listed.
        feed(&mut t, newchannel("c", "SIP/c"));
        feed(&mut t, listed("d", "SIP/d", "b1"));
        feed(
            &mut t,
            msg(&[
                ("Event", "CoreShowChannelsComplete"),
                ("ActionID", "hackamore-sync-7-channels"),
            ]),
        );
        let uids: Vec<_> = t
            .model()
            .channels_of("p")
            .iter()
            .map(|c| c.uniqueid.clone())
            .collect();
        assert_eq!(uids, ["c", "a", "d"]); // stale gone, b not resurrected, c kept
        let call = |t: &Tracker, u| t.model().channel("p", u).and_then(|c| c.call);
        assert!(call(&t, "a").is_some() && call(&t, "a") == call(&t, "d"));
        // A later BridgeEnter into the same bridge joins the resynced members' call.
        feed(&mut t, newchannel("e", "SIP/e"));
        feed(
            &mut t,
            msg(&[
                ("Event", "BridgeEnter"),
                ("BridgeUniqueid", "b1"),
                ("Uniqueid", "e"),
                ("Channel", "SIP/e"),
            ]),
        );
        assert_eq!(call(&t, "e"), call(&t, "a"));
        // END clears everything, resync state included.
        feed(&mut t, Message::end(9));
        assert!(t.model().sizes().is_empty() && !t.resync().active("p"));
        assert_eq!(t.normalizer().tracked_bridges(), 0);
        assert_eq!(names.iter().filter(|n| **n == "newchannel").count(), 3 + 2);
        // live + resynced a, d
    }

    #[test]
    fn ami_1x_answers_pair_bridged_channels() {
        // AMI 1.1 (Asterisk 1.8-11): `UniqueID`, and `BridgedUniqueID` instead of BridgeId.
        let mut t = Tracker::default();
        let id = ("ActionID", "hackamore-sync-3-channels");
        t.process("p", &msg(&[("Response", "Success"), id]), |_, _| {});
        for (uid, name, peer) in [
            ("1.1", "SIP/a-1", "1.2"),
            ("1.2", "SIP/b-2", "1.1"),
            ("1.3", "SIP/c-3", ""),
        ] {
            let m = msg(&[
                ("Event", "CoreShowChannel"),
                id,
                ("Channel", name),
                ("UniqueID", uid),
                ("ChannelState", "6"),
                ("BridgedUniqueID", peer),
            ]);
            t.process("p", &m, |_, _| {});
        }
        t.process(
            "p",
            &msg(&[("Event", "CoreShowChannelsComplete"), id]),
            |_, _| {},
        );
        let call = |u| t.model().channel("p", u).and_then(|c| c.call);
        assert_eq!(t.model().sizes().channels, 3);
        assert!(call("1.1").is_some() && call("1.1") == call("1.2"));
        assert_eq!(call("1.3"), None);
    }

    #[test]
    fn members_of_a_holding_bridge_are_not_put_in_one_call() {
        // Two parked channels share a holding bridge; two others a basic one.
        let mut t = Tracker::default();
        let bridges = ("ActionID", "hackamore-sync-5-bridges");
        let channels = ("ActionID", "hackamore-sync-5-channels");
        t.process(
            "p",
            &msg(&[("Response", "Success"), bridges, ("EventList", "start")]),
            |_, _| {},
        );
        for (id, kind) in [("park", "holding"), ("talk", "basic")] {
            let item = msg(&[
                ("Event", "BridgeListItem"),
                bridges,
                ("BridgeUniqueid", id),
                ("BridgeType", kind),
            ]);
            t.process("p", &item, |_, _| {});
        }
        t.process(
            "p",
            &msg(&[("Event", "BridgeListComplete"), bridges]),
            |_, _| {},
        );
        t.process("p", &msg(&[("Response", "Success"), channels]), |_, _| {});
        for (uid, bridge) in [("1", "park"), ("2", "park"), ("3", "talk"), ("4", "talk")] {
            let m = listed_for(
                "hackamore-sync-5-channels",
                uid,
                &format!("SIP/{uid}"),
                bridge,
            );
            t.process("p", &m, |_, _| {});
        }
        t.process(
            "p",
            &msg(&[("Event", "CoreShowChannelsComplete"), channels]),
            |_, _| {},
        );
        let call = |t: &Tracker, u| t.model().channel("p", u).and_then(|c| c.call);
        assert_eq!(t.model().sizes().channels, 4);
        assert_eq!((call(&t, "1"), call(&t, "2")), (None, None));
        assert!(call(&t, "3").is_some() && call(&t, "3") == call(&t, "4"));
        // A channel parked later joins nobody either, as for live events.
        t.process("p", &newchannel("5", "SIP/5"), |_, _| {});
        let enter = msg(&[
            ("Event", "BridgeEnter"),
            ("BridgeUniqueid", "park"),
            ("Uniqueid", "5"),
            ("Channel", "SIP/5"),
        ]);
        t.process("p", &enter, |_, _| {});
        assert_eq!(call(&t, "5"), None);
    }

    #[test]
    fn a_refused_coreshowchannels_leaves_event_only_tracking() {
        let mut t = Tracker::default();
        t.process(
            "p",
            &msg(&[
                ("Response", "Error"),
                ("ActionID", "hackamore-sync-1-channels"),
                ("Message", "Permission denied"),
            ]),
            |_, _| {},
        );
        assert!(!t.resync().active("p"));
        t.process("p", &newchannel("x", "SIP/x"), |_, _| {});
        assert_eq!(t.model().sizes().channels, 1);
    }
}
