//! The 2014 framework's event dispatch (its Manifold), for [`Rules::Framework2014`].
//!
//! It knew the AMI 1.x events below by their exact names, read fields by their exact
//! names (a repeated field's last line winning, as in its event dicts), did nothing when
//! a field it read was absent (an empty value was fine), and passed values on as the PBX
//! sent them (`<unknown>` included).
//!
//! [`Rules::Framework2014`]: super::Rules::Framework2014

use super::change::Change;
use super::Text;
use crate::ami::Message;

/// What the 2014 dispatch makes of a message.
// Made and matched at once, never stored: the size of a Change costs nothing here.
#[allow(clippy::large_enum_variant)]
pub(super) enum Dispatch {
    /// An event it handled: the change it meant, or none (a field absent, a state it did
    /// not act on).
    Handled(Option<Change>),
    /// An AMI 2.x+ event it never knew: the standard normalisation reads it.
    Standard,
    /// Anything else: it did nothing with it.
    Ignored,
}

/// The values of `keys`, or None when any is absent.
fn fields<const N: usize>(m: &Message, keys: [&str; N]) -> Option<[Text; N]> {
    let mut out = [(); N].map(|()| Text::default());
    for (slot, key) in out.iter_mut().zip(keys) {
        *slot = Text::from_utf8_lossy(m.get_exact_last(key)?);
    }
    Some(out)
}

/// Does this exact field hold exactly `value`?
fn says(m: &Message, key: &str, value: &str) -> bool {
    m.get_exact_last(key) == Some(value.as_bytes())
}

pub(super) fn dispatch(m: &Message, pbx: &str, trunk_variable: &str) -> Dispatch {
    let Some(name) = m.get_exact_last("Event") else {
        return Dispatch::Ignored;
    };
    let pbx = Text::from(pbx);
    let change = match name {
        b"Newchannel" => fields(
            m,
            [
                "Uniqueid",
                "Channel",
                "CallerIDNum",
                "ChannelState",
                "ChannelStateDesc",
            ],
        )
        .map(
            |[uniqueid, channel, calleridnum, channelstate, channelstatedesc]| Change::NewChannel {
                linkedid: m
                    .get_exact_last("Linkedid")
                    .map(Text::from_utf8_lossy)
                    .unwrap_or_default(),
                pbx,
                uniqueid,
                channel,
                calleridnum,
                channelstate,
                channelstatedesc,
            },
        ),
        b"Newstate" => fields(
            m,
            ["Uniqueid", "Channel", "ChannelState", "ChannelStateDesc"],
        )
        .map(
            |[uniqueid, channel, channelstate, channelstatedesc]| Change::NewState {
                pbx,
                uniqueid,
                channel,
                channelstate,
                channelstatedesc,
            },
        ),
        b"Dial" if says(m, "SubEvent", "Begin") => {
            fields(m, ["UniqueID", "Channel", "DestUniqueID", "Destination"]).map(
                |[uniqueid, channel, destuniqueid, destination]| Change::Dial {
                    pbx,
                    uniqueid,
                    channel,
                    destuniqueid,
                    destination,
                },
            )
        }
        // Link and Unlink alike: it never looked at Bridgestate.
        b"Bridge" => fields(
            m,
            [
                "Uniqueid1",
                "Channel1",
                "CallerID1",
                "Uniqueid2",
                "Channel2",
                "CallerID2",
            ],
        )
        .map(
            |[uniqueid1, channel1, callerid1, uniqueid2, channel2, callerid2]| Change::Bridge {
                pbx,
                uniqueid1,
                channel1,
                callerid1,
                uniqueid2,
                channel2,
                callerid2,
            },
        ),
        b"LocalBridge" => {
            match fields(m, ["Uniqueid1", "Channel1", "Uniqueid2", "Channel2"]) {
                Some([uniqueid1, channel1, uniqueid2, channel2]) => Some(Change::LocalBridge {
                    pbx,
                    uniqueid1,
                    channel1,
                    uniqueid2,
                    channel2,
                }),
                // AMI 2.x names the halves LocalOne/LocalTwo.
                None if m.get("LocalOneUniqueid").is_some() => return Dispatch::Standard,
                None => None,
            }
        }
        b"VarSet" if says(m, "Variable", trunk_variable) => {
            fields(m, ["Uniqueid", "Channel", "Value"]).map(|[uniqueid, channel, value]| {
                Change::SipCallId {
                    pbx,
                    uniqueid,
                    channel,
                    value,
                }
            })
        }
        b"ConfbridgeStart" => fields(m, ["Conference"])
            .map(|[conference]| Change::ConfbridgeStart { pbx, conference }),
        b"ConfbridgeEnd" => {
            fields(m, ["Conference"]).map(|[conference]| Change::ConfbridgeEnd { pbx, conference })
        }
        b"ConfbridgeJoin" => fields(m, ["Uniqueid", "Channel", "Conference"]).map(
            |[uniqueid, channel, conference]| Change::ConfbridgeJoin {
                pbx,
                uniqueid,
                channel,
                conference,
            },
        ),
        b"ConfbridgeLeave" => fields(m, ["Uniqueid", "Channel", "Conference"]).map(
            |[uniqueid, channel, conference]| Change::ConfbridgeLeave {
                pbx,
                uniqueid,
                channel,
                conference,
            },
        ),
        // Its hold events spell the Uniqueid `UniqueID`; any State but Start/Stop is ignored.
        b"MusicOnHold" => {
            fields(m, ["UniqueID", "Channel", "State"]).and_then(|[uniqueid, channel, state]| {
                match state.as_str() {
                    "Start" => Some(Change::MusicOnHold {
                        pbx,
                        uniqueid,
                        channel,
                    }),
                    "Stop" => Some(Change::MusicOffHold {
                        pbx,
                        uniqueid,
                        channel,
                    }),
                    _ => None,
                }
            })
        }
        b"HangupRequest" => {
            fields(m, ["Uniqueid", "Channel"]).map(|[uniqueid, channel]| Change::HangupRequest {
                pbx,
                uniqueid,
                channel,
            })
        }
        b"SoftHangupRequest" => {
            fields(m, ["Uniqueid", "Channel", "Cause"]).map(|[uniqueid, channel, cause]| {
                Change::SoftHangupRequest {
                    pbx,
                    uniqueid,
                    channel,
                    cause,
                }
            })
        }
        b"NewCallerid" => fields(m, ["Uniqueid", "Channel", "CallerIDNum"]).map(
            |[uniqueid, channel, calleridnum]| Change::NewCallerId {
                pbx,
                uniqueid,
                channel,
                calleridnum,
            },
        ),
        b"Rename" => {
            fields(m, ["Uniqueid", "Channel", "Newname"]).map(|[uniqueid, channel, newname]| {
                Change::Rename {
                    pbx,
                    uniqueid,
                    channel,
                    newname,
                }
            })
        }
        b"Hangup" => fields(m, ["Uniqueid", "Channel"]).map(|[uniqueid, channel]| Change::Hangup {
            pbx,
            uniqueid,
            channel,
        }),
        // Names it dispatched on, with the field value it then required not matching.
        b"Dial" | b"VarSet" => None,
        _ if is_ami2(name, m) => return Dispatch::Standard,
        _ => return Dispatch::Ignored,
    };
    Dispatch::Handled(change)
}

/// An event of AMI 2.x+ (Asterisk 12 and later) that the 2014 framework could not have
/// known. 1.8's SIP `Hold` carries a `Status` (and was ignored); 12+'s has none.
fn is_ami2(name: &[u8], m: &Message) -> bool {
    const NAMES: [&[u8]; 10] = [
        b"DialBegin",
        b"DialEnd",
        b"BridgeCreate",
        b"BridgeEnter",
        b"BridgeLeave",
        b"BridgeDestroy",
        b"MusicOnHoldStart",
        b"MusicOnHoldStop",
        b"Unhold",
        b"NewConnectedLine",
    ];
    NAMES.iter().any(|n| n.eq_ignore_ascii_case(name))
        || name.eq_ignore_ascii_case(b"Hold") && m.get("Status").is_none()
}
