//! `Change`: one model event, the same for every AMI generation. The first nineteen are
//! the hooks of the 2014 framework (`newchannel`, `dial`, `bridge`...) plus `dialend`;
//! the rest (bridges, parking lots, queues, transfers) are AMI 2.x+ state the 2014
//! framework never had, named after the AMI events they come from.
//!
//! The kinds are one table (the `changes!` invocation below): each row is a variant, its
//! hook name, its fields in hook-argument order (every field is text, `pbx` first), the
//! fields naming the channels it is about, its coarser kind in `--json` output, for the
//! 2014 kinds the arguments of the 2014 Model's hook (`hackamore.compat`), and after `=>`
//! the model rule that applies it with the fields it reads. Everything else — the enum,
//! [`Model::apply`](super::Model::apply), the Python hook names, the compat argument
//! lists, the JSON kinds — is derived from it ([`Change::KINDS`]); adding a kind is a row
//! here plus its rule (a method in `model/standard/`).

use super::Text;

/// What the table says of one kind of change.
#[derive(Clone, Copy, Debug)]
pub struct ChangeKind {
    /// The hook name.
    pub name: &'static str,
    /// Its fields after `pbx`, in hook-argument order.
    pub fields: &'static [&'static str],
    /// The coarser kind `--json` records carry (`channel_created`, `call_joined`...).
    pub json: &'static str,
    /// The arguments of the 2014 Model's hook, `pbx` first (2014 kinds only).
    pub hook_2014: Option<&'static [&'static str]>,
}

macro_rules! changes {
    ($(
        $(#[$doc:meta])*
        $variant:ident $name:literal { $($field:ident),* } about [$($about:ident),*]
            json $json:literal $(hook_2014 [$($hook:ident),*])?
            => $rule:ident($($arg:ident),*);
    )*) => {
        /// A normalised model event. Fields are text (lossy UTF-8 of the AMI values);
        /// `pbx` is the source's name, never the host.
        #[derive(Clone, Debug, PartialEq, Eq)]
        pub enum Change {
            $(
                $(#[$doc])*
                $variant { pbx: Text, $($field: Text),* },
            )*
        }

        /// The kinds in table order: [`Change::index`].
        #[derive(Clone, Copy)]
        #[allow(dead_code)]
        enum Kind { $($variant),* }

        impl Change {
            /// How many kinds there are.
            pub const COUNT: usize = [$($name),*].len();

            /// Every change name (the hook names), in the order of [`Change::index`].
            pub const NAMES: [&'static str; Change::COUNT] = [$($name),*];

            /// Every kind as the table describes it, in the order of [`Change::index`].
            pub const KINDS: [ChangeKind; Change::COUNT] = [$(ChangeKind {
                name: $name,
                fields: &[$(stringify!($field)),*],
                json: $json,
                hook_2014: changes!(@hook $([$($hook),*])?),
            }),*];

            /// The change `name` with its fields from `field` (a field it does not give
            /// is empty); None for an unknown name.
            pub fn from_fields(
                name: &str,
                pbx: Text,
                mut field: impl FnMut(&str) -> Option<Text>,
            ) -> Option<Change> {
                Some(match name {
                    $($name => Change::$variant {
                        pbx,
                        $($field: field(stringify!($field)).unwrap_or_default(),)*
                    },)*
                    _ => return None,
                })
            }

            /// The position of this kind of change in [`Change::NAMES`]: a table index
            /// for whoever keeps something per kind (hooks).
            pub fn index(&self) -> usize {
                match self {
                    $(Change::$variant { .. } => Kind::$variant as usize,)*
                }
            }

            /// Every field by name, `pbx` first, in the order of the hook arguments (for
            /// the 2014 kinds, the View's, which include channel names).
            pub fn fields(&self) -> Vec<(&'static str, &str)> {
                match self {
                    $(Change::$variant { pbx, $($field),* } => {
                        vec![("pbx", pbx.as_str()) $(, (stringify!($field), $field.as_str()))*]
                    })*
                }
            }

            pub fn pbx(&self) -> &str {
                match self {
                    $(Change::$variant { pbx, .. } => pbx,)*
                }
            }

            /// The Uniqueids this change is about, first the main one.
            pub fn uniqueids(&self) -> (Option<&str>, Option<&str>) {
                match self {
                    $(Change::$variant { $($about,)* .. } => {
                        let about: &[&Text] = &[$($about),*];
                        (
                            about.first().map(|t| t.as_str()),
                            about.get(1).map(|t| t.as_str()),
                        )
                    })*
                }
            }
        }

        impl super::Model {
            /// Apply one change: the rule its row of the table names (a `Model` method
            /// taking `pbx` and the fields the row lists).
            pub fn apply(&mut self, change: &Change) {
                self.counted(change.pbx(), |model| match change {
                    $(Change::$variant { pbx, $($arg,)* .. } => model.$rule(pbx $(, $arg)*),)*
                });
                debug_assert_eq!(self.sizes(), self.sizes_by_walking(), "after {change:?}");
            }
        }
    };
    (@hook [$($hook:ident),*]) => { Some(&["pbx" $(, stringify!($hook))*]) };
    (@hook) => { None };
}

changes! {
    NewChannel "newchannel" {
        uniqueid, channel, calleridnum, channelstate, channelstatedesc, linkedid
    } about [uniqueid]
        json "channel_created" hook_2014 [uniqueid, channel, calleridnum, channelstate, channelstatedesc]
        => newchannel(uniqueid, channel, calleridnum, channelstate, channelstatedesc, linkedid);
    NewState "newstate" {
        uniqueid, channel, channelstate, channelstatedesc
    } about [uniqueid]
        json "channel_state" hook_2014 [uniqueid, channelstate, channelstatedesc]
        => newstate(uniqueid, channelstate, channelstatedesc);
    Dial "dial" { uniqueid, channel, destuniqueid, destination } about [uniqueid, destuniqueid]
        json "dialing" hook_2014 [uniqueid, destuniqueid]
        => dial(uniqueid, destuniqueid);
    /// A dial finished; a status other than ANSWER returns the caller to IDLE activity.
    DialEnd "dialend" { uniqueid, channel, dialstatus } about [uniqueid]
        json "dial_ended" hook_2014 [uniqueid, dialstatus]
        => dialend(uniqueid, dialstatus);
    /// Two channels joined: their calls merge.
    Bridge "bridge" {
        uniqueid1, channel1, callerid1, uniqueid2, channel2, callerid2
    } about [uniqueid1, uniqueid2]
        json "call_joined" hook_2014 [uniqueid1, uniqueid2]
        => bridge(uniqueid1, uniqueid2);
    LocalBridge "localbridge" {
        uniqueid1, channel1, uniqueid2, channel2
    } about [uniqueid1, uniqueid2]
        json "call_joined" hook_2014 [uniqueid1, uniqueid2]
        => localbridge(uniqueid1, uniqueid2);
    /// The trunk-correlation variable (default `SIPCALLID`) was set on a channel.
    SipCallId "sipcallid" { uniqueid, channel, value } about [uniqueid]
        json "trunk_linked" hook_2014 [uniqueid, value]
        => sipcallid(uniqueid, value);
    ConfbridgeStart "confbridgestart" { conference } about []
        json "room_opened" hook_2014 [conference]
        => confbridgestart(conference);
    ConfbridgeJoin "confbridgejoin" { uniqueid, channel, conference } about [uniqueid]
        json "room_joined" hook_2014 [uniqueid, conference]
        => confbridgejoin(uniqueid, conference);
    ConfbridgeLeave "confbridgeleave" { uniqueid, channel, conference } about [uniqueid]
        json "room_left" hook_2014 [uniqueid, conference]
        => confbridgeleave(uniqueid, conference);
    ConfbridgeEnd "confbridgeend" { conference } about []
        json "room_closed" hook_2014 [conference]
        => confbridgeend(conference);
    MusicOnHold "musiconhold" { uniqueid, channel } about [uniqueid]
        json "hold" hook_2014 [uniqueid]
        => musiconhold(uniqueid);
    MusicOffHold "musicoffhold" { uniqueid, channel } about [uniqueid]
        json "hold" hook_2014 [uniqueid]
        => musicoffhold(uniqueid);
    HangupRequest "hanguprequest" { uniqueid, channel } about [uniqueid]
        json "hangup_requested" hook_2014 [uniqueid]
        => hanguprequest(uniqueid);
    SoftHangupRequest "softhanguprequest" { uniqueid, channel, cause } about [uniqueid]
        json "hangup_requested" hook_2014 [uniqueid, cause]
        => softhanguprequest(uniqueid);
    NewCallerId "newcallerid" { uniqueid, channel, calleridnum } about [uniqueid]
        json "callerid" hook_2014 [uniqueid, channel, calleridnum]
        => newcallerid(uniqueid, channel, calleridnum);
    Rename "rename" { uniqueid, channel, newname } about [uniqueid]
        json "renamed" hook_2014 [uniqueid, newname]
        => rename(uniqueid, newname);
    Hangup "hangup" { uniqueid, channel } about [uniqueid]
        json "channel_gone" hook_2014 [uniqueid]
        => hangup(uniqueid);
    /// The source of this PBX ended: every channel of it goes.
    End "end" {} about []
        json "pbx_ended" hook_2014 []
        => end();

    /// An AMI 2.x bridge came to be (`BridgeType` basic, holding, parking...;
    /// `BridgeTechnology` simple_bridge, softmix, holding_bridge...).
    BridgeCreate "bridgecreate" { bridge, bridgetype, technology } about []
        json "bridge_created"
        => bridgecreate(bridge, bridgetype, technology);
    /// A channel entered a bridge (a bridge not seen created is made here);
    /// `numchannels` is the PBX's count after it, hidden channels included (ConfBridge's
    /// announcer).
    BridgeEnter "bridgeenter" {
        bridge, uniqueid, channel, bridgetype, technology, numchannels
    } about [uniqueid]
        json "bridge_entered"
        => bridgeenter(bridge, uniqueid, bridgetype, technology, numchannels);
    BridgeLeave "bridgeleave" { bridge, uniqueid, channel, numchannels } about [uniqueid]
        json "bridge_left"
        => bridgeleave(bridge, uniqueid, numchannels);
    BridgeDestroy "bridgedestroy" { bridge } about []
        json "bridge_destroyed"
        => bridgedestroy(bridge);

    /// A call was parked: `lot` and `space`, who parked it (`parker`, the parker's dial
    /// string), `timeout` in seconds from `since` (Unix time).
    ParkedCall "parkedcall" {
        uniqueid, channel, lot, space, parker, timeout, since
    } about [uniqueid]
        json "parked"
        => parkedcall(uniqueid, channel, lot, space, parker, timeout, since);
    /// A parked call was taken back by `retriever`.
    UnParkedCall "unparkedcall" {
        uniqueid, channel, lot, space, retriever, retrieverchannel
    } about [uniqueid, retriever]
        json "unparked"
        => unparked(uniqueid);
    /// A parked call's time ran out (Asterisk sends it back to its parker or on).
    ParkedCallTimeOut "parkedcalltimeout" { uniqueid, channel, lot, space } about [uniqueid]
        json "unparked"
        => unparked(uniqueid);
    /// A parked caller hung up.
    ParkedCallGiveUp "parkedcallgiveup" { uniqueid, channel, lot, space } about [uniqueid]
        json "unparked"
        => unparked(uniqueid);

    /// A caller entered a queue at `position` (1 first), waiting since `since`.
    QueueCallerJoin "queuecallerjoin" {
        queue, uniqueid, channel, position, since
    } about [uniqueid]
        json "queue_joined"
        => queuecallerjoin(queue, uniqueid, channel, position, since);
    /// A caller left the queue: answered (an `agentconnect` follows), abandoned (a
    /// `queuecallerabandon` came first), or timed out.
    QueueCallerLeave "queuecallerleave" { queue, uniqueid, channel } about [uniqueid]
        json "queue_left"
        => queuecallerleave(queue, uniqueid);
    QueueCallerAbandon "queuecallerabandon" {
        queue, uniqueid, channel, position, holdtime
    } about [uniqueid]
        json "queue_abandoned"
        => queuecallerabandon(queue, uniqueid);
    /// A member's phone rings for a waiting caller (`destuniqueid`: the member's channel).
    AgentCalled "agentcalled" {
        queue, interface, membername, uniqueid, channel, destuniqueid, destchannel
    } about [uniqueid, destuniqueid]
        json "agent_ringing"
        => agentcalled(queue, interface, uniqueid);
    /// A member answered a caller.
    AgentConnect "agentconnect" {
        queue, interface, membername, uniqueid, channel, destuniqueid, destchannel, holdtime
    } about [uniqueid, destuniqueid]
        json "agent_connected"
        => agentconnect(queue, interface, uniqueid);
    /// A member's call with a caller ended.
    AgentComplete "agentcomplete" {
        queue, interface, membername, uniqueid, channel, talktime, reason
    } about [uniqueid]
        json "agent_done"
        => agentcomplete(queue, interface);
    AgentRingNoAnswer "agentringnoanswer" {
        queue, interface, membername, uniqueid, channel, destuniqueid, destchannel
    } about [uniqueid, destuniqueid]
        json "agent_no_answer"
        => agentringnoanswer(queue, interface, uniqueid);
    /// A member joined a queue (`QueueAdd`, or a queue member listed by a resync);
    /// `status` is its device state as AMI numbers it.
    QueueMemberAdded "queuememberadded" {
        queue, interface, membername, stateinterface, membership, status, paused,
        callstaken, incall
    } about []
        json "queue_member"
        => queuemember(queue, interface, membername, stateinterface, membership, status, paused, callstaken, incall);
    QueueMemberStatus "queuememberstatus" {
        queue, interface, membername, stateinterface, membership, status, paused,
        callstaken, incall
    } about []
        json "queue_member"
        => queuemember(queue, interface, membername, stateinterface, membership, status, paused, callstaken, incall);
    QueueMemberPause "queuememberpause" {
        queue, interface, membername, stateinterface, membership, status, paused,
        callstaken, incall
    } about []
        json "queue_member"
        => queuemember(queue, interface, membername, stateinterface, membership, status, paused, callstaken, incall);
    QueueMemberRemoved "queuememberremoved" { queue, interface, membername } about []
        json "queue_member_removed"
        => queuememberremoved(queue, interface);

    /// `transferer` sent `transferee` to `extension@context` (`result`: Success...).
    BlindTransfer "blindtransfer" {
        result, transferer, transfererchannel, transferee, transfereechannel, extension,
        context, isexternal
    } about [transferee, transferer]
        json "transferred"
        => transfer();
    /// `transferer` joined `transferee` to `target` (the channel it had called;
    /// empty when the PBX did not say and the destination bridge held no one else).
    AttendedTransfer "attendedtransfer" {
        result, transferer, transfererchannel, transferee, transfereechannel, target,
        targetchannel, desttype, destbridge, isexternal
    } about [transferee, target]
        json "transferred"
        => transfer();

    /// A channel's Linkedid is now another (an AMI 2.x event carried a new one: a Local
    /// channel optimised away, a transfer). A change of its own so that a model rebuilt
    /// from changes follows it too.
    Linkedid "linkedid" { uniqueid, channel, linkedid } about [uniqueid]
        json "relinked"
        => linkedid(uniqueid, linkedid);

    /// A device's state (`DeviceStateChange`): NOT_INUSE, INUSE, BUSY, RINGING,
    /// RINGINUSE, ONHOLD, UNAVAILABLE, INVALID, UNKNOWN. A device Asterisk keeps no state
    /// for (a Local channel, a conference announcer) is not kept; an empty state (a resync
    /// that no longer finds it) takes the device out.
    DeviceState "devicestate" { device, state } about []
        json "device_state"
        => devicestate(device, state);
    /// An extension's state from its hint (`ExtensionStatus`): `status` as AMI numbers it
    /// (-1 or empty: the hint is gone), `statustext` as it names it.
    ExtensionStatus "extensionstatus" { exten, context, hint, status, statustext } about []
        json "extension_state"
        => extensionstatus(exten, context, hint, status, statustext);
    /// A contact an endpoint registered (`ContactStatus`): Created, Reachable,
    /// Unreachable, NonQualified, Unknown; Removed (or empty) takes it out. `roundtrip`
    /// in microseconds.
    ContactStatus "contactstatus" { aor, uri, endpoint, status, roundtrip } about []
        json "contact_state"
        => contactstatus(aor, uri, endpoint, status, roundtrip);
    /// A registration this PBX makes to another (`Registry`): Registered, Unregistered,
    /// Rejected, Failed...; empty takes it out.
    Registry "registry" { channeltype, username, domain, status } about []
        json "registration"
        => registry(channeltype, username, domain, status);
    /// A peer's reachability (`PeerStatus`): Registered, Unregistered, Reachable,
    /// Unreachable, Lagged, Rejected; empty takes it out.
    PeerStatus "peerstatus" { channeltype, peer, status, address } about []
        json "peer_state"
        => peerstatus(channeltype, peer, status, address);
}

/// The `queuemember*` changes that carry a member's whole state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemberEvent {
    Added,
    Status,
    Pause,
}

/// A queue member's whole state as those changes carry it: queue, interface, membername,
/// stateinterface, membership, status, paused, callstaken, incall.
pub type MemberState = [Text; 9];

impl Change {
    /// The `queuemember*` change of `event` for a member in `state`.
    pub fn queue_member(event: MemberEvent, pbx: Text, state: MemberState) -> Change {
        let [queue, interface, membername, stateinterface, membership, status, paused, callstaken, incall] =
            state;
        macro_rules! member {
            ($variant:ident) => {
                Change::$variant {
                    pbx,
                    queue,
                    interface,
                    membername,
                    stateinterface,
                    membership,
                    status,
                    paused,
                    callstaken,
                    incall,
                }
            };
        }
        match event {
            MemberEvent::Added => member!(QueueMemberAdded),
            MemberEvent::Status => member!(QueueMemberStatus),
            MemberEvent::Pause => member!(QueueMemberPause),
        }
    }

    /// Kinds the 2014 framework had (and `hackamore.compat` shows): the first nineteen.
    pub const FRAMEWORK_2014: usize = 19;

    /// The hook name.
    pub fn name(&self) -> &'static str {
        Change::NAMES[self.index()]
    }

    /// Is this a kind beyond the 2014 framework's (bridges, parking, queues, transfers)?
    pub fn beyond_2014(&self) -> bool {
        self.index() >= Change::FRAMEWORK_2014
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_numbers_names_and_fields_alike() {
        let c = Change::Dial {
            pbx: "p".into(),
            uniqueid: "1".into(),
            channel: "SIP/a".into(),
            destuniqueid: "2".into(),
            destination: "SIP/b".into(),
        };
        assert_eq!(c.name(), "dial");
        assert_eq!(Change::NAMES[c.index()], "dial");
        assert_eq!(
            c.fields(),
            [
                ("pbx", "p"),
                ("uniqueid", "1"),
                ("channel", "SIP/a"),
                ("destuniqueid", "2"),
                ("destination", "SIP/b")
            ]
        );
        assert_eq!(c.uniqueids(), (Some("1"), Some("2")));
        let end = Change::End { pbx: "p".into() };
        assert_eq!((end.index(), end.uniqueids()), (18, (None, None)));
        assert!(!end.beyond_2014());
        assert_eq!(Change::NAMES[Change::FRAMEWORK_2014], "bridgecreate");
        assert_eq!(Change::KINDS[18].hook_2014, Some(&["pbx"][..]));
        assert_eq!(Change::KINDS[19].hook_2014, None);
        let dial = Change::from_fields("dial", "p".into(), |f| Some(f.into())).unwrap();
        assert_eq!(dial.fields()[3], ("destuniqueid", "destuniqueid"));
        assert!(Change::from_fields("nosuch", "p".into(), |_| None).is_none());
        let mut names = Change::NAMES.to_vec();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Change::COUNT);
    }
}
