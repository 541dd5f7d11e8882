//! The normaliser: which events mean something to the model, and one family of
//! events to each module beside this one.

use super::bridges::{Bridges, Member};
use super::events::{model_event, Event};
use super::{calls, channels, parking, presence, queues, rooms, transfers};
use crate::ami::sync::DEFAULT_TRUNK_VARIABLE;
use crate::ami::Message;
use crate::model::legacy::{self, Dispatch};
use crate::model::{Change, Clock, Rules, Text};

/// Whether an event named `event` may mean a change: `Some(true)` for a model event,
/// `None` for a `VarSet` (only one that names the trunk variable), `Some(false)` for the
/// rest. (The resync's answers are the tracker's to add.)
pub(crate) fn reads(event: &[u8]) -> Option<bool> {
    match model_event(event) {
        None => Some(false),
        Some(Event::VarSet) => None,
        Some(_) => Some(true),
    }
}

/// Turns messages into changes. One per engine; it sees every PBX's stream.
#[derive(Debug)]
pub struct Normalizer {
    trunk_variable: Text,
    rules: Rules,
    bridges: Bridges,
    /// The (Uniqueid, Linkedid) an AMI 2.x model event carried: a channel's Linkedid
    /// changes when an operator bridges it elsewhere, and later events say so.
    linked: Option<(Text, Text)>,
    clock: Clock,
}

impl Default for Normalizer {
    fn default() -> Self {
        Normalizer::new(DEFAULT_TRUNK_VARIABLE)
    }
}

impl Normalizer {
    pub fn new(trunk_variable: &str) -> Self {
        Normalizer::with_rules(trunk_variable, Rules::Standard)
    }

    pub fn with_rules(trunk_variable: &str, rules: Rules) -> Self {
        Normalizer {
            trunk_variable: trunk_variable.into(),
            rules,
            bridges: Bridges::default(),
            linked: None,
            clock: Clock::Wall,
        }
    }

    /// The (Uniqueid, Linkedid) the last message carried, if it was a model event that
    /// carries both (AMI 2.x), for the model to follow.
    pub fn take_linkedid(&mut self) -> Option<(Text, Text)> {
        self.linked.take()
    }

    /// What "when" means for the messages that follow (a capture's or now).
    pub fn set_clock(&mut self, clock: Clock) {
        self.clock = clock;
    }

    pub fn clock(&self) -> Clock {
        self.clock
    }

    pub fn rules(&self) -> Rules {
        self.rules
    }

    pub fn trunk_variable(&self) -> &str {
        &self.trunk_variable
    }

    /// Does this VarSet set the trunk variable? Inherited variables show with their
    /// `_`/`__` prefix.
    fn is_trunk_variable(&self, m: &Message) -> bool {
        let variable = m.get("Variable").unwrap_or_default();
        let unprefixed = &variable[variable.iter().take_while(|&&b| b == b'_').count()..];
        unprefixed == self.trunk_variable.as_bytes()
    }

    /// Members of an AMI 2.x bridge learnt from a resync rather than from `BridgeEnter`.
    pub(crate) fn adopt_bridge(
        &mut self,
        pbx: Text,
        bridge: Text,
        holding: bool,
        members: Vec<Member>,
    ) {
        self.bridges.adopt(pbx, bridge, holding, members);
    }

    /// AMI 2.x bridges currently tracked, and channels tracked as in one (for leak
    /// checks: both are 0 once every PBX has ended).
    pub fn tracked_bridges(&self) -> usize {
        self.bridges.len()
    }

    /// Channels tracked as members of some AMI 2.x bridge.
    pub fn tracked_bridge_members(&self) -> usize {
        self.bridges.members()
    }

    /// Normalise one message from `pbx`, appending zero or more changes to `out`.
    pub fn normalize(&mut self, pbx: &str, m: &Message, out: &mut Vec<Change>) {
        if m.is_end() {
            self.bridges.end(pbx);
            out.push(Change::End { pbx: pbx.into() });
            return;
        }
        if self.rules == Rules::Framework2014 {
            match legacy::dispatch(m, pbx, &self.trunk_variable) {
                Dispatch::Handled(change) => {
                    if let Some(Change::Hangup { uniqueid, .. }) = &change {
                        self.bridges.forget(pbx, uniqueid);
                    }
                    out.extend(change);
                    return;
                }
                Dispatch::Ignored => return,
                Dispatch::Standard => {}
            }
        }
        let Some(event) = m.get("Event") else { return };
        // Most events mean nothing to the model (VarSet of other variables, Newexten,
        // DeviceStateChange...): decide that before allocating anything.
        let Some(event) = model_event(event) else {
            return;
        };
        if event == Event::VarSet && !self.is_trunk_variable(m) {
            return; // most VarSets: decided without allocating
        }
        if m.get("ActionID").is_some() {
            return; // a line of a list action's answer, not something that happened
        }
        if let (Some(uid), Some(linked)) = (m.get("Uniqueid"), m.get("Linkedid")) {
            // The 2014 framework kept the Linkedid a channel was created with.
            if self.rules == Rules::Standard {
                self.linked = Some((Text::from_utf8_lossy(uid), Text::from_utf8_lossy(linked)));
            }
        }
        let start = out.len();
        self.changes(event, pbx.into(), m, out);
        if self.rules == Rules::Framework2014 {
            // The 2014 framework had none of the kinds beyond its own.
            let mut i = start;
            while i < out.len() {
                if out[i].beyond_2014() {
                    out.remove(i);
                } else {
                    i += 1;
                }
            }
        }
    }

    /// The changes one model event means, by its family.
    fn changes(&mut self, event: Event, pbx: Text, m: &Message, out: &mut Vec<Change>) {
        use Event::*;
        let change = match event {
            NewChannel | NewState | Dial | DialBegin | DialEnd | MusicOnHold | MusicOnHoldStart
            | MusicOnHoldStop | Hold | HangupRequest | SoftHangupRequest | NewCallerId | Rename => {
                channels::change(event, m, pbx)
            }
            Hangup => {
                let change = channels::change(event, m, pbx);
                if let Some(Change::Hangup { pbx, uniqueid, .. }) = &change {
                    self.bridges.forget(pbx, uniqueid);
                }
                change
            }
            Bridge | LocalBridge | VarSet => calls::change(event, m, pbx),
            BridgeCreate | BridgeEnter | BridgeLeave | BridgeDestroy => {
                return self.bridges.changes(event, m, pbx, out);
            }
            ConfbridgeStart | ConfbridgeEnd | ConfbridgeJoin | ConfbridgeLeave => {
                rooms::change(event, m, pbx)
            }
            ParkedCall | UnParkedCall | ParkedCallTimeOut | ParkedCallGiveUp => {
                parking::change(event, m, pbx, self.clock)
            }
            QueueCallerJoin | QueueCallerLeave | QueueCallerAbandon | AgentCalled
            | AgentConnect | AgentComplete | AgentRingNoAnswer | QueueMemberAdded
            | QueueMemberStatus | QueueMemberPause | QueueMemberRemoved => {
                queues::change(event, m, pbx, self.clock)
            }
            DeviceStateChange | ExtensionStatus | ContactStatus | Registry | PeerStatus => {
                presence::change(event, m, pbx)
            }
            BlindTransfer => Some(transfers::blind(m, pbx)),
            AttendedTransfer => Some(transfers::attended(m, pbx, &self.bridges)),
        };
        out.extend(change);
    }
}
