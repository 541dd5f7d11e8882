//! `Change`: one model event, the same for every AMI generation. Its variants are the
//! hooks of the 2014 framework (`newchannel`, `dial`, `bridge`...), plus `dialend`.

use super::Text;
/// A normalised model event. Fields are text (lossy UTF-8 of the AMI values); `pbx` is
/// the source's name, never the host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    NewChannel {
        pbx: Text,
        uniqueid: Text,
        channel: Text,
        calleridnum: Text,
        channelstate: Text,
        channelstatedesc: Text,
        linkedid: Text,
    },
    NewState {
        pbx: Text,
        uniqueid: Text,
        channel: Text,
        channelstate: Text,
        channelstatedesc: Text,
    },
    Dial {
        pbx: Text,
        uniqueid: Text,
        channel: Text,
        destuniqueid: Text,
        destination: Text,
    },
    /// A dial finished; a status other than ANSWER returns the caller to IDLE activity.
    DialEnd {
        pbx: Text,
        uniqueid: Text,
        channel: Text,
        dialstatus: Text,
    },
    Bridge {
        pbx: Text,
        uniqueid1: Text,
        channel1: Text,
        callerid1: Text,
        uniqueid2: Text,
        channel2: Text,
        callerid2: Text,
    },
    LocalBridge {
        pbx: Text,
        uniqueid1: Text,
        channel1: Text,
        uniqueid2: Text,
        channel2: Text,
    },
    /// The trunk-correlation variable (default `SIPCALLID`) was set on a channel.
    SipCallId {
        pbx: Text,
        uniqueid: Text,
        channel: Text,
        value: Text,
    },
    ConfbridgeStart {
        pbx: Text,
        conference: Text,
    },
    ConfbridgeJoin {
        pbx: Text,
        uniqueid: Text,
        channel: Text,
        conference: Text,
    },
    ConfbridgeLeave {
        pbx: Text,
        uniqueid: Text,
        channel: Text,
        conference: Text,
    },
    ConfbridgeEnd {
        pbx: Text,
        conference: Text,
    },
    MusicOnHold {
        pbx: Text,
        uniqueid: Text,
        channel: Text,
    },
    MusicOffHold {
        pbx: Text,
        uniqueid: Text,
        channel: Text,
    },
    HangupRequest {
        pbx: Text,
        uniqueid: Text,
        channel: Text,
    },
    SoftHangupRequest {
        pbx: Text,
        uniqueid: Text,
        channel: Text,
        cause: Text,
    },
    NewCallerId {
        pbx: Text,
        uniqueid: Text,
        channel: Text,
        calleridnum: Text,
    },
    Rename {
        pbx: Text,
        uniqueid: Text,
        channel: Text,
        newname: Text,
    },
    Hangup {
        pbx: Text,
        uniqueid: Text,
        channel: Text,
    },
    /// The source of this PBX ended: every channel of it goes.
    End {
        pbx: Text,
    },
}

impl Change {
    /// Every change name (the old framework's Model method names), in the order of
    /// [`Change::index`].
    pub const NAMES: [&'static str; 19] = [
        "newchannel",
        "newstate",
        "dial",
        "dialend",
        "bridge",
        "localbridge",
        "sipcallid",
        "confbridgestart",
        "confbridgejoin",
        "confbridgeleave",
        "confbridgeend",
        "musiconhold",
        "musicoffhold",
        "hanguprequest",
        "softhanguprequest",
        "newcallerid",
        "rename",
        "hangup",
        "end",
    ];

    /// The hook name (the old framework's Model method name).
    pub fn name(&self) -> &'static str {
        Change::NAMES[self.index()]
    }

    /// The position of this kind of change in [`Change::NAMES`]: a table index for
    /// whoever keeps something per kind (hooks).
    pub fn index(&self) -> usize {
        match self {
            Change::NewChannel { .. } => 0,
            Change::NewState { .. } => 1,
            Change::Dial { .. } => 2,
            Change::DialEnd { .. } => 3,
            Change::Bridge { .. } => 4,
            Change::LocalBridge { .. } => 5,
            Change::SipCallId { .. } => 6,
            Change::ConfbridgeStart { .. } => 7,
            Change::ConfbridgeJoin { .. } => 8,
            Change::ConfbridgeLeave { .. } => 9,
            Change::ConfbridgeEnd { .. } => 10,
            Change::MusicOnHold { .. } => 11,
            Change::MusicOffHold { .. } => 12,
            Change::HangupRequest { .. } => 13,
            Change::SoftHangupRequest { .. } => 14,
            Change::NewCallerId { .. } => 15,
            Change::Rename { .. } => 16,
            Change::Hangup { .. } => 17,
            Change::End { .. } => 18,
        }
    }

    /// Every field by name, `pbx` first, in the order of the old framework's hook
    /// arguments (the View's, which include channel names).
    pub fn fields(&self) -> Vec<(&'static str, &str)> {
        match self {
            Change::NewChannel {
                pbx,
                uniqueid,
                channel,
                calleridnum,
                channelstate,
                channelstatedesc,
                linkedid,
            } => vec![
                ("pbx", pbx),
                ("uniqueid", uniqueid),
                ("channel", channel),
                ("calleridnum", calleridnum),
                ("channelstate", channelstate),
                ("channelstatedesc", channelstatedesc),
                ("linkedid", linkedid),
            ],
            Change::NewState {
                pbx,
                uniqueid,
                channel,
                channelstate,
                channelstatedesc,
            } => vec![
                ("pbx", pbx),
                ("uniqueid", uniqueid),
                ("channel", channel),
                ("channelstate", channelstate),
                ("channelstatedesc", channelstatedesc),
            ],
            Change::Dial {
                pbx,
                uniqueid,
                channel,
                destuniqueid,
                destination,
            } => vec![
                ("pbx", pbx),
                ("uniqueid", uniqueid),
                ("channel", channel),
                ("destuniqueid", destuniqueid),
                ("destination", destination),
            ],
            Change::DialEnd {
                pbx,
                uniqueid,
                channel,
                dialstatus,
            } => vec![
                ("pbx", pbx),
                ("uniqueid", uniqueid),
                ("channel", channel),
                ("dialstatus", dialstatus),
            ],
            Change::Bridge {
                pbx,
                uniqueid1,
                channel1,
                callerid1,
                uniqueid2,
                channel2,
                callerid2,
            } => vec![
                ("pbx", pbx),
                ("uniqueid1", uniqueid1),
                ("channel1", channel1),
                ("callerid1", callerid1),
                ("uniqueid2", uniqueid2),
                ("channel2", channel2),
                ("callerid2", callerid2),
            ],
            Change::LocalBridge {
                pbx,
                uniqueid1,
                channel1,
                uniqueid2,
                channel2,
            } => vec![
                ("pbx", pbx),
                ("uniqueid1", uniqueid1),
                ("channel1", channel1),
                ("uniqueid2", uniqueid2),
                ("channel2", channel2),
            ],
            Change::SipCallId {
                pbx,
                uniqueid,
                channel,
                value,
            } => vec![
                ("pbx", pbx),
                ("uniqueid", uniqueid),
                ("channel", channel),
                ("value", value),
            ],
            Change::ConfbridgeStart { pbx, conference }
            | Change::ConfbridgeEnd { pbx, conference } => {
                vec![("pbx", pbx), ("conference", conference)]
            }
            Change::ConfbridgeJoin {
                pbx,
                uniqueid,
                channel,
                conference,
            }
            | Change::ConfbridgeLeave {
                pbx,
                uniqueid,
                channel,
                conference,
            } => vec![
                ("pbx", pbx),
                ("uniqueid", uniqueid),
                ("channel", channel),
                ("conference", conference),
            ],
            Change::MusicOnHold {
                pbx,
                uniqueid,
                channel,
            }
            | Change::MusicOffHold {
                pbx,
                uniqueid,
                channel,
            }
            | Change::HangupRequest {
                pbx,
                uniqueid,
                channel,
            }
            | Change::Hangup {
                pbx,
                uniqueid,
                channel,
            } => vec![("pbx", pbx), ("uniqueid", uniqueid), ("channel", channel)],
            Change::SoftHangupRequest {
                pbx,
                uniqueid,
                channel,
                cause,
            } => vec![
                ("pbx", pbx),
                ("uniqueid", uniqueid),
                ("channel", channel),
                ("cause", cause),
            ],
            Change::NewCallerId {
                pbx,
                uniqueid,
                channel,
                calleridnum,
            } => vec![
                ("pbx", pbx),
                ("uniqueid", uniqueid),
                ("channel", channel),
                ("calleridnum", calleridnum),
            ],
            Change::Rename {
                pbx,
                uniqueid,
                channel,
                newname,
            } => vec![
                ("pbx", pbx),
                ("uniqueid", uniqueid),
                ("channel", channel),
                ("newname", newname),
            ],
            Change::End { pbx } => vec![("pbx", pbx)],
        }
    }

    pub fn pbx(&self) -> &str {
        match self {
            Change::NewChannel { pbx, .. }
            | Change::NewState { pbx, .. }
            | Change::Dial { pbx, .. }
            | Change::DialEnd { pbx, .. }
            | Change::Bridge { pbx, .. }
            | Change::LocalBridge { pbx, .. }
            | Change::SipCallId { pbx, .. }
            | Change::ConfbridgeStart { pbx, .. }
            | Change::ConfbridgeJoin { pbx, .. }
            | Change::ConfbridgeLeave { pbx, .. }
            | Change::ConfbridgeEnd { pbx, .. }
            | Change::MusicOnHold { pbx, .. }
            | Change::MusicOffHold { pbx, .. }
            | Change::HangupRequest { pbx, .. }
            | Change::SoftHangupRequest { pbx, .. }
            | Change::NewCallerId { pbx, .. }
            | Change::Rename { pbx, .. }
            | Change::Hangup { pbx, .. }
            | Change::End { pbx } => pbx,
        }
    }

    /// The Uniqueids this change is about, first the main one.
    pub fn uniqueids(&self) -> (Option<&str>, Option<&str>) {
        match self {
            Change::Dial {
                uniqueid,
                destuniqueid,
                ..
            } => (Some(uniqueid), Some(destuniqueid)),
            Change::Bridge {
                uniqueid1,
                uniqueid2,
                ..
            }
            | Change::LocalBridge {
                uniqueid1,
                uniqueid2,
                ..
            } => (Some(uniqueid1), Some(uniqueid2)),
            Change::NewChannel { uniqueid, .. }
            | Change::NewState { uniqueid, .. }
            | Change::DialEnd { uniqueid, .. }
            | Change::SipCallId { uniqueid, .. }
            | Change::ConfbridgeJoin { uniqueid, .. }
            | Change::ConfbridgeLeave { uniqueid, .. }
            | Change::MusicOnHold { uniqueid, .. }
            | Change::MusicOffHold { uniqueid, .. }
            | Change::HangupRequest { uniqueid, .. }
            | Change::SoftHangupRequest { uniqueid, .. }
            | Change::NewCallerId { uniqueid, .. }
            | Change::Rename { uniqueid, .. }
            | Change::Hangup { uniqueid, .. } => (Some(uniqueid), None),
            Change::ConfbridgeStart { .. } | Change::ConfbridgeEnd { .. } | Change::End { .. } => {
                (None, None)
            }
        }
    }
}
