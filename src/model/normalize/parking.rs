//! Parking lot events: a call parked, and the three ways it leaves its space.

use super::events::Event;
use super::fields::{required, seconds_before, text};
use crate::ami::Message;
use crate::model::{Change, Clock, Text};

pub(super) fn change(event: Event, m: &Message, pbx: Text, clock: Clock) -> Option<Change> {
    let event = match event {
        Event::ParkedCall => ParkEvent::Parked,
        Event::UnParkedCall => ParkEvent::Unparked,
        Event::ParkedCallTimeOut => ParkEvent::TimedOut,
        Event::ParkedCallGiveUp => ParkEvent::GaveUp,
        _ => return None,
    };
    parked(m, pbx, event, clock)
}

/// A `ParkedCall` (event or line of a `ParkedCalls` answer) as its change.
pub(crate) fn parked_call(m: &Message, pbx: Text, clock: Clock) -> Option<Change> {
    parked(m, pbx, ParkEvent::Parked, clock)
}

#[derive(Clone, Copy)]
enum ParkEvent {
    Parked,
    Unparked,
    TimedOut,
    GaveUp,
}

fn parked(m: &Message, pbx: Text, event: ParkEvent, clock: Clock) -> Option<Change> {
    let uniqueid = required(m, "ParkeeUniqueid")?;
    let channel = text(m, "ParkeeChannel");
    let lot = text(m, "Parkinglot");
    let space = text(m, "ParkingSpace");
    Some(match event {
        ParkEvent::Parked => Change::ParkedCall {
            parker: text(m, "ParkerDialString"),
            timeout: text(m, "ParkingTimeout"),
            since: seconds_before(clock.at(m), m, "ParkingDuration"),
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
