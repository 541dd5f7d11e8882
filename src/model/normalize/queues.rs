//! Queue events: callers joining, leaving and abandoning the line, members rung,
//! connected and done, members added, changed and removed.

use super::events::Event;
use super::fields::{required, seconds, text};
use crate::ami::Message;
use crate::model::change::{MemberEvent, MemberState};
use crate::model::{Change, Clock, Text};

pub(super) fn change(event: Event, m: &Message, pbx: Text, clock: Clock) -> Option<Change> {
    match event {
        Event::QueueCallerJoin => caller_join(m, pbx, clock),
        Event::QueueCallerLeave => caller_leave(m, pbx),
        Event::QueueCallerAbandon => caller_abandon(m, pbx),
        Event::AgentCalled | Event::AgentConnect | Event::AgentRingNoAnswer => agent(m, pbx, event),
        Event::AgentComplete => agent_complete(m, pbx),
        Event::QueueMemberAdded | Event::QueueMemberStatus | Event::QueueMemberPause => {
            queue_member(m, pbx, event)
        }
        Event::QueueMemberRemoved => member_removed(m, pbx),
        _ => None,
    }
}

fn caller_join(m: &Message, pbx: Text, clock: Clock) -> Option<Change> {
    Some(Change::QueueCallerJoin {
        queue: required(m, "Queue")?,
        uniqueid: required(m, "Uniqueid")?,
        channel: text(m, "Channel"),
        position: text(m, "Position"),
        since: seconds(clock.at(m)),
        pbx,
    })
}

fn caller_leave(m: &Message, pbx: Text) -> Option<Change> {
    Some(Change::QueueCallerLeave {
        queue: required(m, "Queue")?,
        uniqueid: required(m, "Uniqueid")?,
        channel: text(m, "Channel"),
        pbx,
    })
}

fn caller_abandon(m: &Message, pbx: Text) -> Option<Change> {
    Some(Change::QueueCallerAbandon {
        queue: required(m, "Queue")?,
        uniqueid: required(m, "Uniqueid")?,
        channel: text(m, "Channel"),
        position: text(m, "Position"),
        holdtime: text(m, "HoldTime"),
        pbx,
    })
}

fn agent_complete(m: &Message, pbx: Text) -> Option<Change> {
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
}

fn member_removed(m: &Message, pbx: Text) -> Option<Change> {
    Some(Change::QueueMemberRemoved {
        queue: required(m, "Queue")?,
        interface: interface(m)?,
        membername: text(m, "MemberName"),
        pbx,
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
