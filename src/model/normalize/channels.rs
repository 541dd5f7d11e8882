//! Events of a channel's own life: created, its state, dialling, hold, hangup requests,
//! caller id, name, hangup.

use super::events::Event;
use super::fields::{number, required, text};
use crate::ami::Message;
use crate::model::{Change, Text};

/// The change a channel event means (None: a field it needs is missing).
pub(super) fn change(event: Event, m: &Message, pbx: Text) -> Option<Change> {
    match event {
        Event::NewChannel => new_channel(m, pbx),
        Event::NewState => new_state(m, pbx),
        // AMI 1.x: Dial with SubEvent Begin/End (1.4 had no SubEvent: a begin).
        Event::Dial => {
            let sub = text(m, "SubEvent");
            if sub.is_empty() || sub.eq_ignore_ascii_case("Begin") {
                dial(
                    m,
                    pbx,
                    ["Channel", "UniqueID", "Destination", "DestUniqueID"],
                )
            } else if sub.eq_ignore_ascii_case("End") {
                dial_end(m, pbx)
            } else {
                None
            }
        }
        Event::DialBegin => dial(
            m,
            pbx,
            ["Channel", "Uniqueid", "DestChannel", "DestUniqueid"],
        ),
        Event::DialEnd => dial_end(m, pbx),
        // AMI 1.x: MusicOnHold with State Start/Stop.
        Event::MusicOnHold => hold(m, pbx, !text(m, "State").eq_ignore_ascii_case("Stop")),
        Event::MusicOnHoldStart => hold(m, pbx, true),
        Event::MusicOnHoldStop => hold(m, pbx, false),
        // 1.8's SIP Hold carries Status: On/Off; 12+ has Hold and Unhold.
        Event::Hold => hold(m, pbx, !text(m, "Status").eq_ignore_ascii_case("Off")),
        Event::HangupRequest => hangup_request(m, pbx),
        Event::SoftHangupRequest => soft_hangup_request(m, pbx),
        Event::NewCallerId => new_caller_id(m, pbx),
        Event::Rename => rename(m, pbx),
        Event::Hangup => hangup(m, pbx),
        _ => None,
    }
}

fn new_channel(m: &Message, pbx: Text) -> Option<Change> {
    Some(Change::NewChannel {
        uniqueid: required(m, "Uniqueid")?,
        channel: text(m, "Channel"),
        calleridnum: number(m, "CallerIDNum"),
        channelstate: text(m, "ChannelState"),
        channelstatedesc: text(m, "ChannelStateDesc"),
        linkedid: text(m, "Linkedid"),
        pbx,
    })
}

fn new_state(m: &Message, pbx: Text) -> Option<Change> {
    Some(Change::NewState {
        uniqueid: required(m, "Uniqueid")?,
        channel: text(m, "Channel"),
        channelstate: text(m, "ChannelState"),
        channelstatedesc: text(m, "ChannelStateDesc"),
        pbx,
    })
}

/// A dial, its fields named as this AMI generation names them: the caller's channel and
/// Uniqueid, the callee's.
fn dial(
    m: &Message,
    pbx: Text,
    [channel, uniqueid, destination, destuniqueid]: [&str; 4],
) -> Option<Change> {
    Some(Change::Dial {
        uniqueid: required(m, uniqueid)?,
        channel: text(m, channel),
        destuniqueid: required(m, destuniqueid)?,
        destination: text(m, destination),
        pbx,
    })
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

fn hangup_request(m: &Message, pbx: Text) -> Option<Change> {
    Some(Change::HangupRequest {
        uniqueid: required(m, "Uniqueid")?,
        channel: text(m, "Channel"),
        pbx,
    })
}

fn soft_hangup_request(m: &Message, pbx: Text) -> Option<Change> {
    Some(Change::SoftHangupRequest {
        uniqueid: required(m, "Uniqueid")?,
        channel: text(m, "Channel"),
        cause: text(m, "Cause"),
        pbx,
    })
}

/// A 2.x NewConnectedLine carries the channel's own CallerIDNum in its snapshot.
fn new_caller_id(m: &Message, pbx: Text) -> Option<Change> {
    Some(Change::NewCallerId {
        uniqueid: required(m, "Uniqueid")?,
        channel: text(m, "Channel"),
        calleridnum: number(m, "CallerIDNum"),
        pbx,
    })
}

/// AMI 1.x names the old name `Oldname`, 2.x `Channel`.
fn rename(m: &Message, pbx: Text) -> Option<Change> {
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
}

fn hangup(m: &Message, pbx: Text) -> Option<Change> {
    Some(Change::Hangup {
        uniqueid: required(m, "Uniqueid")?,
        channel: text(m, "Channel"),
        pbx,
    })
}
