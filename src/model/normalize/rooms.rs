//! ConfBridge events.

use super::events::Event;
use super::fields::{required, text};
use crate::ami::Message;
use crate::model::{Change, Text};

pub(super) fn change(event: Event, m: &Message, pbx: Text) -> Option<Change> {
    let conference = required(m, "Conference")?;
    Some(match event {
        Event::ConfbridgeStart => Change::ConfbridgeStart { pbx, conference },
        Event::ConfbridgeEnd => Change::ConfbridgeEnd { pbx, conference },
        Event::ConfbridgeJoin => Change::ConfbridgeJoin {
            uniqueid: required(m, "Uniqueid")?,
            channel: text(m, "Channel"),
            conference,
            pbx,
        },
        Event::ConfbridgeLeave => Change::ConfbridgeLeave {
            uniqueid: required(m, "Uniqueid")?,
            channel: text(m, "Channel"),
            conference,
            pbx,
        },
        _ => return None,
    })
}
