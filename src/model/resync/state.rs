//! What a resync keeps per PBX while its answers come in, and what a completed answer
//! asks of the tracker.

use super::lists::Part;
use crate::model::change::MemberState;
use crate::model::{Change, Text};
use std::collections::{HashMap, HashSet};

/// One `BridgeListItem`.
#[derive(Debug)]
pub(super) struct ListedBridge {
    pub(super) id: Text,
    pub(super) bridgetype: Text,
    pub(super) technology: Text,
    pub(super) numchannels: Text,
}

/// One `CoreShowChannel` entry.
#[derive(Debug)]
pub(super) struct Listed {
    pub(super) uniqueid: Text,
    pub(super) channel: Text,
    pub(super) calleridnum: Text,
    pub(super) channelstate: Text,
    pub(super) channelstatedesc: Text,
    pub(super) linkedid: Text,
    /// AMI 2.x+: the bridge the channel is in.
    pub(super) bridgeid: Text,
    /// AMI 1.x: the channel it is bridged to.
    pub(super) bridged_uniqueid: Text,
    /// The dialplan application it runs (`MusicOnHold`: it is held).
    pub(super) application: Text,
}

#[derive(Debug, Default)]
pub(super) struct PbxSync {
    /// `CoreShowChannels` answered with success: collecting.
    pub(super) listing: bool,
    pub(super) listed: Vec<Listed>,
    /// Conference entries by the ActionID of their `ConfbridgeList`.
    pub(super) rooms: HashMap<Text, Vec<(Text, Text, Text)>>,
    pub(super) created: HashSet<Text>,
    pub(super) hung_up: HashSet<Text>,
    /// Bridges that only hold (parking lots, holding bridges) from `BridgeList`: their
    /// members are in no call together, as the normaliser has it for live events.
    pub(super) holding: HashSet<Text>,
    /// `BridgeList` answered (AMI 2.x): its bridges.
    pub(super) bridges_listed: bool,
    pub(super) bridges: Vec<ListedBridge>,
    /// Bridges seen created or entered, and channels seen entering or leaving one,
    /// since the resync began: the events know better than the lists.
    pub(super) live_bridges: HashSet<Text>,
    pub(super) moved: HashSet<Text>,
    /// Channels seen parked, unparked, joining or leaving a queue since it began, and
    /// queue members (queue, interface) seen described.
    pub(super) touched: HashSet<Text>,
    pub(super) touched_members: HashSet<(Text, Text)>,
    /// The `ParkedCalls` answer so far (each line as its `parkedcall` change).
    pub(super) parked: Vec<Change>,
    pub(super) parked_done: bool,
    /// The `QueueStatus` answer so far.
    pub(super) queue_members: Vec<MemberLine>,
    pub(super) queue_entries: Vec<Entry>,
    pub(super) queues_done: bool,
    /// The channel list has been applied.
    pub(super) channels_done: bool,
    /// Each channel's trunk value from the `Status` answer: (Uniqueid, Channel, value).
    pub(super) trunk_values: Vec<(Text, Text, Text)>,
    pub(super) status_done: bool,
    /// Rooms `ConfbridgeListRooms` named; how many room lists to expect once it is
    /// complete; how many have been answered.
    pub(super) rooms_named: usize,
    pub(super) rooms_expected: Option<usize>,
    pub(super) rooms_answered: usize,
    /// The presence lists so far (by `Part`, each line as its change), which are in, and
    /// what events said meanwhile (part, key).
    pub(super) presence_lines: [Vec<Change>; 4],
    pub(super) presence_done: [bool; 4],
    pub(super) touched_presence: HashSet<(Part, Text)>,
}

/// Live changes a resync keeps track of at most while it waits for its answers: past
/// that, a PBX that never finishes answering is given up on (the memory stays bounded).
pub(super) const MAX_SEEN: usize = 100_000;

impl PbxSync {
    /// A resync of some parts only, asked again after the rest was in (a PBX that said
    /// `FullyBooted` after answering them empty): every part done until its response.
    pub(super) fn partial() -> Self {
        PbxSync {
            channels_done: true,
            status_done: true,
            parked_done: true,
            queues_done: true,
            rooms_expected: Some(0),
            presence_done: [true; 4],
            ..PbxSync::default()
        }
    }

    /// Everything it keeps about live changes and answers so far.
    pub(super) fn seen(&self) -> usize {
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
            + self.presence_lines.iter().map(Vec::len).sum::<usize>()
            + self.touched_presence.len()
    }

    /// Every answer is in: nothing more for this resync to do.
    pub(super) fn finished(&self) -> bool {
        self.channels_done
            && self.status_done
            && self.parked_done
            && self.queues_done
            && self
                .rooms_expected
                .is_some_and(|n| self.rooms_answered >= n)
            && self.presence_done.iter().all(|d| *d)
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

/// A `QueueEntry` line: a caller waiting.
#[derive(Debug)]
pub(super) struct Entry {
    pub queue: Text,
    pub uniqueid: Text,
    pub channel: Text,
    pub position: u32,
    /// Unix seconds it joined (now less its `Wait`).
    pub since: Text,
}

/// A `QueueMember` line's fields, as the `queuemember*` changes carry them.
pub(super) type MemberLine = MemberState;
