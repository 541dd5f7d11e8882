//! AMI 1.x and 2.x+ events -> [`Change`]s. Stateful only for AMI 2.x bridges: a channel
//! entering a bridge is bridged with the bridge's first member, so the normaliser keeps
//! each bridge's members (per PBX) until they leave, hang up, or the bridge goes.
//!
//! An event that carries an `ActionID` is a line of an answer to a list action (a
//! `ParkedCall` in a `ParkedCalls` answer is not a call being parked): it never changes
//! the model. The resync reads the answers to its own actions before this sees them.

use super::bridges::holds_only;
use super::change::{Change, MemberEvent, MemberState};
use super::legacy::{self, Dispatch};
use super::Map;
use super::Rules;
use super::Text;
use crate::ami::Message;

/// The default name of the trunk-correlation channel variable.
pub const DEFAULT_TRUNK_VARIABLE: &str = "SIPCALLID";

#[derive(Debug, Default)]
struct Bridge {
    /// Bridges that only hold their channels (parking lots, holding bridges: see
    /// [`holds_only`]) join nobody.
    holding: bool,
    /// (Uniqueid, Channel, CallerIDNum) in order of entry.
    members: Vec<(Text, Text, Text)>,
}

/// Turns messages into changes. One per engine; it sees every PBX's stream.
#[derive(Debug)]
pub struct Normalizer {
    trunk_variable: Text,
    rules: Rules,
    bridges: Map<(Text, Text), Bridge>,
    /// The (Uniqueid, Linkedid) an AMI 2.x model event carried: a channel's Linkedid
    /// changes when an operator bridges it elsewhere, and later events say so.
    linked: Option<(Text, Text)>,
}

impl Default for Normalizer {
    fn default() -> Self {
        Normalizer::new(DEFAULT_TRUNK_VARIABLE)
    }
}

/// Text of a field, `""` when absent. `<unknown>` is how AMI says "no number".
fn text(m: &Message, key: &str) -> Text {
    m.get(key).map(Text::from_utf8_lossy).unwrap_or_default()
}

fn number(m: &Message, key: &str) -> Text {
    let n = text(m, key);
    if n == "<unknown>" {
        Text::default()
    } else {
        n
    }
}

/// A required field: the change is skipped when it is absent or empty (the old framework
/// ignored events it could not use, never failed on them).
fn required(m: &Message, key: &str) -> Option<Text> {
    m.get(key)
        .filter(|v| !v.is_empty())
        .map(Text::from_utf8_lossy)
}

impl Normalizer {
    pub fn new(trunk_variable: &str) -> Self {
        Normalizer::with_rules(trunk_variable, Rules::Standard)
    }

    pub fn with_rules(trunk_variable: &str, rules: Rules) -> Self {
        Normalizer {
            trunk_variable: trunk_variable.into(),
            rules,
            bridges: Map::default(),
            linked: None,
        }
    }

    /// The (Uniqueid, Linkedid) the last message carried, if it was a model event that
    /// carries both (AMI 2.x), for the model to follow.
    pub fn take_linkedid(&mut self) -> Option<(Text, Text)> {
        self.linked.take()
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
        members: Vec<(Text, Text, Text)>,
    ) {
        let b = self.bridges.entry((pbx, bridge)).or_default();
        b.holding |= holding;
        for m in members {
            if !b.members.iter().any(|(u, _, _)| *u == m.0) {
                b.members.push(m);
            }
        }
    }

    /// AMI 2.x bridges currently tracked (for leak checks).
    pub fn tracked_bridges(&self) -> usize {
        self.bridges.len()
    }

    /// Normalise one message from `pbx`, appending zero or more changes to `out`.
    pub fn normalize(&mut self, pbx: &str, m: &Message, out: &mut Vec<Change>) {
        if m.is_end() {
            self.bridges.retain(|(p, _), _| p != pbx);
            out.push(Change::End { pbx: pbx.into() });
            return;
        }
        if self.rules == Rules::Framework2014 {
            match legacy::dispatch(m, pbx, &self.trunk_variable) {
                Dispatch::Handled(change) => {
                    if let Some(Change::Hangup { uniqueid, .. }) = &change {
                        self.forget(pbx, uniqueid);
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
        let Some(name) = model_event(event) else {
            return;
        };
        if name == Event::VarSet && !self.is_trunk_variable(m) {
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
        self.changes(name, pbx.into(), m, out);
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

    /// The changes one model event means.
    fn changes(&mut self, name: Event, pbx: Text, m: &Message, out: &mut Vec<Change>) {
        let change = match name {
            Event::NewChannel => (|| {
                Some(Change::NewChannel {
                    uniqueid: required(m, "Uniqueid")?,
                    channel: text(m, "Channel"),
                    calleridnum: number(m, "CallerIDNum"),
                    channelstate: text(m, "ChannelState"),
                    channelstatedesc: text(m, "ChannelStateDesc"),
                    linkedid: text(m, "Linkedid"),
                    pbx,
                })
            })(),
            Event::NewState => (|| {
                Some(Change::NewState {
                    uniqueid: required(m, "Uniqueid")?,
                    channel: text(m, "Channel"),
                    channelstate: text(m, "ChannelState"),
                    channelstatedesc: text(m, "ChannelStateDesc"),
                    pbx,
                })
            })(),
            // AMI 1.x: Dial with SubEvent Begin/End (1.4 had no SubEvent: a begin).
            Event::Dial => {
                let sub = text(m, "SubEvent");
                if sub.is_empty() || sub.eq_ignore_ascii_case("Begin") {
                    self.dial(m, pbx, "Channel", "UniqueID", "Destination", "DestUniqueID")
                } else if sub.eq_ignore_ascii_case("End") {
                    dial_end(m, pbx)
                } else {
                    None
                }
            }
            Event::DialBegin => {
                self.dial(m, pbx, "Channel", "Uniqueid", "DestChannel", "DestUniqueid")
            }
            Event::DialEnd => dial_end(m, pbx),
            // AMI 1.x: Bridge with Bridgestate Link/Unlink (1.4: Link/Unlink events).
            Event::Bridge => {
                let state = text(m, "Bridgestate");
                if state.eq_ignore_ascii_case("Unlink") {
                    None
                } else {
                    (|| {
                        Some(Change::Bridge {
                            uniqueid1: required(m, "Uniqueid1")?,
                            channel1: text(m, "Channel1"),
                            callerid1: number(m, "CallerID1"),
                            uniqueid2: required(m, "Uniqueid2")?,
                            channel2: text(m, "Channel2"),
                            callerid2: number(m, "CallerID2"),
                            pbx,
                        })
                    })()
                }
            }
            Event::BridgeCreate => required(m, "BridgeUniqueid").map(|bridge| {
                let b = self
                    .bridges
                    .entry((pbx.clone(), bridge.clone()))
                    .or_default();
                b.holding = is_holding(m);
                Change::BridgeCreate {
                    pbx,
                    bridge,
                    bridgetype: text(m, "BridgeType"),
                    technology: text(m, "BridgeTechnology"),
                }
            }),
            Event::BridgeEnter => {
                if let (Some(bridge), Some(uniqueid)) =
                    (required(m, "BridgeUniqueid"), required(m, "Uniqueid"))
                {
                    out.push(Change::BridgeEnter {
                        pbx: pbx.clone(),
                        bridge,
                        uniqueid,
                        channel: text(m, "Channel"),
                        bridgetype: text(m, "BridgeType"),
                        technology: text(m, "BridgeTechnology"),
                        numchannels: text(m, "BridgeNumChannels"),
                    });
                }
                self.bridge_enter(m, pbx)
            }
            Event::BridgeLeave => {
                let (Some(bridge), Some(uniqueid)) =
                    (required(m, "BridgeUniqueid"), required(m, "Uniqueid"))
                else {
                    return;
                };
                if let Some(b) = self.bridges.get_mut(&(pbx.clone(), bridge.clone())) {
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
            Event::BridgeDestroy => required(m, "BridgeUniqueid").map(|bridge| {
                self.bridges.remove(&(pbx.clone(), bridge.clone()));
                Change::BridgeDestroy { pbx, bridge }
            }),
            Event::ParkedCall => parked(m, pbx, ParkEvent::Parked),
            Event::UnParkedCall => parked(m, pbx, ParkEvent::Unparked),
            Event::ParkedCallTimeOut => parked(m, pbx, ParkEvent::TimedOut),
            Event::ParkedCallGiveUp => parked(m, pbx, ParkEvent::GaveUp),
            Event::QueueCallerJoin => (|| {
                Some(Change::QueueCallerJoin {
                    queue: required(m, "Queue")?,
                    uniqueid: required(m, "Uniqueid")?,
                    channel: text(m, "Channel"),
                    position: text(m, "Position"),
                    since: seconds(clock(m)),
                    pbx,
                })
            })(),
            Event::QueueCallerLeave => (|| {
                Some(Change::QueueCallerLeave {
                    queue: required(m, "Queue")?,
                    uniqueid: required(m, "Uniqueid")?,
                    channel: text(m, "Channel"),
                    pbx,
                })
            })(),
            Event::QueueCallerAbandon => (|| {
                Some(Change::QueueCallerAbandon {
                    queue: required(m, "Queue")?,
                    uniqueid: required(m, "Uniqueid")?,
                    channel: text(m, "Channel"),
                    position: text(m, "Position"),
                    holdtime: text(m, "HoldTime"),
                    pbx,
                })
            })(),
            Event::AgentCalled | Event::AgentConnect | Event::AgentRingNoAnswer => {
                agent(m, pbx, name)
            }
            Event::AgentComplete => (|| {
                Some(Change::AgentComplete {
                    queue: required(m, "Queue")?,
                    interface: interface(m)?,
                    membername: text(m, "MemberName"),
                    uniqueid: text(m, "Uniqueid"),
                    channel: text(m, "Channel"),
                    talktime: text(m, "TalkTime"),
                    reason: text(m, "Reason"),
                    pbx,
                })
            })(),
            Event::QueueMemberAdded | Event::QueueMemberStatus | Event::QueueMemberPause => {
                queue_member(m, pbx, name)
            }
            Event::QueueMemberRemoved => (|| {
                Some(Change::QueueMemberRemoved {
                    queue: required(m, "Queue")?,
                    interface: interface(m)?,
                    membername: text(m, "MemberName"),
                    pbx,
                })
            })(),
            Event::BlindTransfer => Some(Change::BlindTransfer {
                result: text(m, "Result"),
                transferer: text(m, "TransfererUniqueid"),
                transfererchannel: text(m, "TransfererChannel"),
                transferee: text(m, "TransfereeUniqueid"),
                transfereechannel: text(m, "TransfereeChannel"),
                extension: text(m, "Extension"),
                context: text(m, "Context"),
                isexternal: text(m, "IsExternal"),
                pbx,
            }),
            Event::AttendedTransfer => Some(self.attended_transfer(m, pbx)),
            Event::LocalBridge => (|| {
                // AMI 2.x names the halves LocalOne/LocalTwo; 1.x numbers them 1/2.
                let (u1, c1, u2, c2) = if m.get("LocalOneUniqueid").is_some() {
                    (
                        "LocalOneUniqueid",
                        "LocalOneChannel",
                        "LocalTwoUniqueid",
                        "LocalTwoChannel",
                    )
                } else {
                    ("Uniqueid1", "Channel1", "Uniqueid2", "Channel2")
                };
                Some(Change::LocalBridge {
                    uniqueid1: required(m, u1)?,
                    channel1: text(m, c1),
                    uniqueid2: required(m, u2)?,
                    channel2: text(m, c2),
                    pbx,
                })
            })(),
            Event::VarSet => (|| {
                Some(Change::SipCallId {
                    uniqueid: required(m, "Uniqueid")?,
                    channel: text(m, "Channel"),
                    value: required(m, "Value")?,
                    pbx,
                })
            })(),
            Event::ConfbridgeStart => required(m, "Conference")
                .map(|conference| Change::ConfbridgeStart { pbx, conference }),
            Event::ConfbridgeEnd => required(m, "Conference")
                .map(|conference| Change::ConfbridgeEnd { pbx, conference }),
            Event::ConfbridgeJoin => (|| {
                Some(Change::ConfbridgeJoin {
                    uniqueid: required(m, "Uniqueid")?,
                    channel: text(m, "Channel"),
                    conference: required(m, "Conference")?,
                    pbx,
                })
            })(),
            Event::ConfbridgeLeave => (|| {
                Some(Change::ConfbridgeLeave {
                    uniqueid: required(m, "Uniqueid")?,
                    channel: text(m, "Channel"),
                    conference: required(m, "Conference")?,
                    pbx,
                })
            })(),
            // AMI 1.x: MusicOnHold with State Start/Stop.
            Event::MusicOnHold => {
                let state = text(m, "State");
                let start = !state.eq_ignore_ascii_case("Stop");
                hold(m, pbx, start)
            }
            Event::MusicOnHoldStart => hold(m, pbx, true),
            Event::MusicOnHoldStop => hold(m, pbx, false),
            // 1.8's SIP Hold carries Status: On/Off; 12+ has Hold and Unhold.
            Event::Hold => {
                let status = text(m, "Status");
                hold(m, pbx, !status.eq_ignore_ascii_case("Off"))
            }
            Event::HangupRequest => required(m, "Uniqueid").map(|uniqueid| Change::HangupRequest {
                uniqueid,
                channel: text(m, "Channel"),
                pbx,
            }),
            Event::SoftHangupRequest => {
                required(m, "Uniqueid").map(|uniqueid| Change::SoftHangupRequest {
                    uniqueid,
                    channel: text(m, "Channel"),
                    cause: text(m, "Cause"),
                    pbx,
                })
            }
            // A 2.x NewConnectedLine carries the channel's own CallerIDNum in its snapshot.
            Event::NewCallerId => required(m, "Uniqueid").map(|uniqueid| Change::NewCallerId {
                uniqueid,
                channel: text(m, "Channel"),
                calleridnum: number(m, "CallerIDNum"),
                pbx,
            }),
            Event::Rename => (|| {
                let channel = m
                    .get("Channel")
                    .or_else(|| m.get("Oldname"))
                    .map(Text::from_utf8_lossy)
                    .unwrap_or_default();
                Some(Change::Rename {
                    uniqueid: required(m, "Uniqueid")?,
                    newname: required(m, "Newname")?,
                    channel,
                    pbx,
                })
            })(),
            Event::Hangup => {
                let uniqueid = required(m, "Uniqueid");
                if let Some(uid) = &uniqueid {
                    self.forget(&pbx, uid);
                }
                uniqueid.map(|uniqueid| Change::Hangup {
                    uniqueid,
                    channel: text(m, "Channel"),
                    pbx,
                })
            }
        };
        out.extend(change);
    }

    /// Who joined whom: the transfer target is named by the PBX (`TransferTarget*`), or
    /// is whoever else is in the destination bridge.
    fn attended_transfer(&self, m: &Message, pbx: Text) -> Change {
        let transferee = text(m, "TransfereeUniqueid");
        let transferer = text(m, "OrigTransfererUniqueid");
        let mut target = (
            text(m, "TransferTargetUniqueid"),
            text(m, "TransferTargetChannel"),
        );
        let destbridge = text(m, "DestBridgeUniqueid");
        if target.0.is_empty() {
            let other = self
                .bridges
                .get(&(pbx.clone(), destbridge.clone()))
                .and_then(|b| {
                    b.members
                        .iter()
                        .find(|(u, _, _)| *u != transferee && *u != transferer)
                });
            if let Some((u, c, _)) = other {
                target = (u.clone(), c.clone());
            }
        }
        Change::AttendedTransfer {
            result: text(m, "Result"),
            transferer,
            transfererchannel: text(m, "OrigTransfererChannel"),
            transferee,
            transfereechannel: text(m, "TransfereeChannel"),
            target: target.0,
            targetchannel: target.1,
            desttype: text(m, "DestType"),
            destbridge,
            isexternal: text(m, "IsExternal"),
            pbx,
        }
    }

    /// A channel hung up: it is in no bridge any more.
    fn forget(&mut self, pbx: &str, uid: &str) {
        for ((p, _), b) in self.bridges.iter_mut() {
            if *p == pbx {
                b.members.retain(|(u, _, _)| u != uid);
            }
        }
    }

    fn dial(
        &self,
        m: &Message,
        pbx: Text,
        channel: &str,
        uniqueid: &str,
        destination: &str,
        destuniqueid: &str,
    ) -> Option<Change> {
        Some(Change::Dial {
            uniqueid: required(m, uniqueid)?,
            channel: text(m, channel),
            destuniqueid: required(m, destuniqueid)?,
            destination: text(m, destination),
            pbx,
        })
    }

    fn bridge_enter(&mut self, m: &Message, pbx: Text) -> Option<Change> {
        let id = required(m, "BridgeUniqueid")?;
        let uid = required(m, "Uniqueid")?;
        let channel = text(m, "Channel");
        let callerid = number(m, "CallerIDNum");
        let bridge = self
            .bridges
            .entry((pbx.clone(), id))
            .or_insert_with(|| Bridge {
                holding: is_holding(m),
                members: Vec::new(),
            });
        if bridge.holding || bridge.members.iter().any(|(u, _, _)| *u == uid) {
            return None;
        }
        let first = bridge.members.first().cloned();
        bridge
            .members
            .push((uid.clone(), channel.clone(), callerid.clone()));
        let (uniqueid1, channel1, callerid1) = first?;
        Some(Change::Bridge {
            pbx,
            uniqueid1,
            channel1,
            callerid1,
            uniqueid2: uid,
            channel2: channel,
            callerid2: callerid,
        })
    }
}

/// The events the model uses. Aliases share a variant: 1.4's `Link` is a `Bridge`, 12+'s
/// `Unhold` a `MusicOnHoldStop`, a 2.x `NewConnectedLine` a `NewCallerId`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Event {
    NewChannel,
    NewState,
    Dial,
    DialBegin,
    DialEnd,
    Bridge,
    BridgeCreate,
    BridgeEnter,
    BridgeLeave,
    BridgeDestroy,
    LocalBridge,
    VarSet,
    ConfbridgeStart,
    ConfbridgeEnd,
    ConfbridgeJoin,
    ConfbridgeLeave,
    MusicOnHold,
    MusicOnHoldStart,
    MusicOnHoldStop,
    Hold,
    HangupRequest,
    SoftHangupRequest,
    NewCallerId,
    Rename,
    Hangup,
    ParkedCall,
    UnParkedCall,
    ParkedCallTimeOut,
    ParkedCallGiveUp,
    QueueCallerJoin,
    QueueCallerLeave,
    QueueCallerAbandon,
    AgentCalled,
    AgentConnect,
    AgentComplete,
    AgentRingNoAnswer,
    QueueMemberAdded,
    QueueMemberStatus,
    QueueMemberPause,
    QueueMemberRemoved,
    BlindTransfer,
    AttendedTransfer,
}

/// The model event an `Event:` value names, compared without case and without
/// allocating; None for every other event. A `match` on the bytes compiles to a
/// decision on length and content, not a scan of every name.
fn model_event(name: &[u8]) -> Option<Event> {
    let mut lower = [0u8; 18]; // the longest name the model uses
    let lower = lower.get_mut(..name.len())?;
    for (l, n) in lower.iter_mut().zip(name) {
        *l = n.to_ascii_lowercase();
    }
    Some(match &*lower {
        b"newchannel" => Event::NewChannel,
        b"newstate" => Event::NewState,
        b"dial" => Event::Dial,
        b"dialbegin" => Event::DialBegin,
        b"dialend" => Event::DialEnd,
        b"bridge" => Event::Bridge,
        b"link" => Event::Bridge,
        b"bridgecreate" => Event::BridgeCreate,
        b"bridgeenter" => Event::BridgeEnter,
        b"bridgeleave" => Event::BridgeLeave,
        b"bridgedestroy" => Event::BridgeDestroy,
        b"localbridge" => Event::LocalBridge,
        b"varset" => Event::VarSet,
        b"confbridgestart" => Event::ConfbridgeStart,
        b"confbridgeend" => Event::ConfbridgeEnd,
        b"confbridgejoin" => Event::ConfbridgeJoin,
        b"confbridgeleave" => Event::ConfbridgeLeave,
        b"musiconhold" => Event::MusicOnHold,
        b"musiconholdstart" => Event::MusicOnHoldStart,
        b"musiconholdstop" => Event::MusicOnHoldStop,
        b"unhold" => Event::MusicOnHoldStop,
        b"hold" => Event::Hold,
        b"hanguprequest" => Event::HangupRequest,
        b"softhanguprequest" => Event::SoftHangupRequest,
        b"newcallerid" => Event::NewCallerId,
        b"newconnectedline" => Event::NewCallerId,
        b"rename" => Event::Rename,
        b"hangup" => Event::Hangup,
        b"parkedcall" => Event::ParkedCall,
        b"unparkedcall" => Event::UnParkedCall,
        b"parkedcalltimeout" => Event::ParkedCallTimeOut,
        b"parkedcallgiveup" => Event::ParkedCallGiveUp,
        b"queuecallerjoin" => Event::QueueCallerJoin,
        b"queuecallerleave" => Event::QueueCallerLeave,
        b"queuecallerabandon" => Event::QueueCallerAbandon,
        b"agentcalled" => Event::AgentCalled,
        b"agentconnect" => Event::AgentConnect,
        b"agentcomplete" => Event::AgentComplete,
        b"agentringnoanswer" => Event::AgentRingNoAnswer,
        b"queuememberadded" => Event::QueueMemberAdded,
        b"queuememberstatus" => Event::QueueMemberStatus,
        // Asterisk 12 named it QueueMemberPaused; 13 and later QueueMemberPause.
        b"queuememberpause" | b"queuememberpaused" => Event::QueueMemberPause,
        b"queuememberremoved" => Event::QueueMemberRemoved,
        b"blindtransfer" => Event::BlindTransfer,
        b"attendedtransfer" => Event::AttendedTransfer,
        _ => return None,
    })
}

fn is_holding(m: &Message) -> bool {
    holds_only(&text(m, "BridgeType"), &text(m, "BridgeTechnology"))
}

/// When a message happened, in Unix seconds: its `TIME` (a Trace records one per
/// message), else now.
pub(crate) fn clock(m: &Message) -> f64 {
    m.get_exact("TIME")
        .and_then(|t| std::str::from_utf8(t).ok()?.trim().parse::<f64>().ok())
        .filter(|t| t.is_finite())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0.0, |d| d.as_secs_f64())
        })
}

/// Unix seconds as a change field (milliseconds are plenty).
pub(crate) fn seconds(t: f64) -> Text {
    compact_str::format_compact!("{t:.3}")
}

/// `at` less `field` seconds (how long it has been so), as a change field.
pub(crate) fn seconds_before(at: f64, m: &Message, field: &str) -> Text {
    let ago = text(m, field).trim().parse::<f64>().unwrap_or(0.0);
    seconds(at - ago.max(0.0))
}

/// A `ParkedCall` (event or line of a `ParkedCalls` answer) as its change.
pub(crate) fn parked_call(m: &Message, pbx: Text) -> Option<Change> {
    parked(m, pbx, ParkEvent::Parked)
}

enum ParkEvent {
    Parked,
    Unparked,
    TimedOut,
    GaveUp,
}

fn parked(m: &Message, pbx: Text, event: ParkEvent) -> Option<Change> {
    let uniqueid = required(m, "ParkeeUniqueid")?;
    let channel = text(m, "ParkeeChannel");
    let lot = text(m, "Parkinglot");
    let space = text(m, "ParkingSpace");
    Some(match event {
        ParkEvent::Parked => Change::ParkedCall {
            parker: text(m, "ParkerDialString"),
            timeout: text(m, "ParkingTimeout"),
            since: seconds_before(clock(m), m, "ParkingDuration"),
            pbx,
            uniqueid,
            channel,
            lot,
            space,
        },
        ParkEvent::Unparked => Change::UnParkedCall {
            retriever: text(m, "RetrieverUniqueid"),
            retrieverchannel: text(m, "RetrieverChannel"),
            pbx,
            uniqueid,
            channel,
            lot,
            space,
        },
        ParkEvent::TimedOut => Change::ParkedCallTimeOut {
            pbx,
            uniqueid,
            channel,
            lot,
            space,
        },
        ParkEvent::GaveUp => Change::ParkedCallGiveUp {
            pbx,
            uniqueid,
            channel,
            lot,
            space,
        },
    })
}

/// A queue member's interface: `Interface` (Asterisk 12+), `Location` (older, and the
/// `QueueMember` lines of a `QueueStatus` answer).
fn interface(m: &Message) -> Option<Text> {
    required(m, "Interface").or_else(|| required(m, "Location"))
}

fn agent(m: &Message, pbx: Text, name: Event) -> Option<Change> {
    let queue = required(m, "Queue")?;
    let interface = interface(m)?;
    let membername = text(m, "MemberName");
    let uniqueid = text(m, "Uniqueid");
    let channel = text(m, "Channel");
    let destuniqueid = text(m, "DestUniqueid");
    let destchannel = text(m, "DestChannel");
    Some(match name {
        Event::AgentCalled => Change::AgentCalled {
            pbx,
            queue,
            interface,
            membername,
            uniqueid,
            channel,
            destuniqueid,
            destchannel,
        },
        Event::AgentConnect => Change::AgentConnect {
            holdtime: text(m, "HoldTime"),
            pbx,
            queue,
            interface,
            membername,
            uniqueid,
            channel,
            destuniqueid,
            destchannel,
        },
        _ => Change::AgentRingNoAnswer {
            pbx,
            queue,
            interface,
            membername,
            uniqueid,
            channel,
            destuniqueid,
            destchannel,
        },
    })
}

/// A queue member's whole state, as `QueueMemberAdded`, `...Status` and `...Pause` (and a
/// `QueueStatus` answer's `QueueMember` lines) carry it.
pub(crate) fn queue_member_fields(m: &Message) -> Option<MemberState> {
    Some([
        required(m, "Queue")?,
        interface(m)?,
        // The QueueStatus answer calls the member's name `Name`.
        required(m, "MemberName").unwrap_or_else(|| text(m, "Name")),
        text(m, "StateInterface"),
        text(m, "Membership"),
        text(m, "Status"),
        text(m, "Paused"),
        text(m, "CallsTaken"),
        text(m, "InCall"),
    ])
}

fn queue_member(m: &Message, pbx: Text, name: Event) -> Option<Change> {
    let event = match name {
        Event::QueueMemberAdded => MemberEvent::Added,
        Event::QueueMemberStatus => MemberEvent::Status,
        _ => MemberEvent::Pause,
    };
    Some(Change::queue_member(event, pbx, queue_member_fields(m)?))
}

fn dial_end(m: &Message, pbx: Text) -> Option<Change> {
    Some(Change::DialEnd {
        uniqueid: required(m, "Uniqueid")?,
        channel: text(m, "Channel"),
        dialstatus: text(m, "DialStatus"),
        pbx,
    })
}

fn hold(m: &Message, pbx: Text, start: bool) -> Option<Change> {
    let uniqueid = required(m, "Uniqueid")?;
    let channel = text(m, "Channel");
    Some(if start {
        Change::MusicOnHold {
            pbx,
            uniqueid,
            channel,
        }
    } else {
        Change::MusicOffHold {
            pbx,
            uniqueid,
            channel,
        }
    })
}
