//! Actions in flight on one connection, and their answers routed back by ActionID: the
//! `Response`, and for an event list (`EventList: start`) every event up to the one that
//! completes it. Whoever reads the connection calls [`Requests::route`] on each message;
//! what it takes never reaches the event stream.

use crate::ami::Message;
use crossbeam_channel::{Receiver, Sender};
use parking_lot::Mutex;
use std::collections::HashMap;

/// One request's answers.
struct InFlight {
    tx: Sender<Message>,
    /// The response said `EventList: start`: events follow until the list completes.
    listing: bool,
}

#[derive(Default)]
pub struct Requests {
    in_flight: Mutex<HashMap<String, InFlight>>,
}

impl Requests {
    /// Expect answers for `action_id`; they arrive on the receiver, in order.
    pub fn register(&self, action_id: &str) -> Receiver<Message> {
        let (tx, rx) = crossbeam_channel::unbounded();
        self.in_flight
            .lock()
            .insert(action_id.to_string(), InFlight { tx, listing: false });
        rx
    }

    /// Stop expecting answers (a caller that gave up); later ones are dropped.
    pub fn cancel(&self, action_id: &str) {
        self.in_flight.lock().remove(action_id);
    }

    /// Forget every request: their receivers see the channel close (the connection ended).
    pub fn fail_all(&self) {
        self.in_flight.lock().clear();
    }

    /// Take `m` if it answers a request in flight.
    pub fn route(&self, m: &Message) -> bool {
        let Some(id) = m.get("ActionID") else {
            return false;
        };
        let id = String::from_utf8_lossy(id);
        let mut in_flight = self.in_flight.lock();
        let Some(req) = in_flight.get_mut(id.as_ref()) else {
            return false;
        };
        let done = if m.response().is_some() {
            req.listing = opens_list(m);
            !req.listing
        } else {
            completes_list(m)
        };
        req.tx.send(m.clone()).ok();
        if done {
            in_flight.remove(id.as_ref());
        }
        true
    }
}

/// Does this response open an event list?
pub fn opens_list(m: &Message) -> bool {
    m.get("EventList")
        .is_some_and(|v| v.eq_ignore_ascii_case(b"start"))
}

/// The event that completes a list: `EventList: Complete`, or a name ending in `Complete`
/// for the older lists that say nothing more.
pub fn completes_list(m: &Message) -> bool {
    m.response().is_none()
        && (m
            .get("EventList")
            .is_some_and(|v| v.eq_ignore_ascii_case(b"Complete"))
            || m.event().is_some_and(|e| e.ends_with("Complete")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(fields: &[(&str, &str)]) -> Message {
        fields.iter().copied().collect()
    }

    #[test]
    fn responses_and_lists_are_routed_then_forgotten() {
        let r = Requests::default();
        let simple = r.register("a");
        let list = r.register("b");
        assert!(!r.route(&msg(&[("Event", "Newchannel")])));
        assert!(!r.route(&msg(&[("Response", "Success"), ("ActionID", "zzz")])));
        assert!(r.route(&msg(&[("Response", "Success"), ("ActionID", "a")])));
        assert!(!r.route(&msg(&[("Response", "Success"), ("ActionID", "a")])));
        assert_eq!(simple.try_iter().count(), 1);
        let start = msg(&[
            ("Response", "Success"),
            ("ActionID", "b"),
            ("EventList", "start"),
        ]);
        assert!(r.route(&start));
        assert!(r.route(&msg(&[("Event", "QueueMember"), ("ActionID", "b")])));
        assert!(r.route(&msg(&[("Event", "QueueStatusComplete"), ("ActionID", "b")])));
        assert!(!r.route(&msg(&[("Event", "QueueMember"), ("ActionID", "b")])));
        assert_eq!(list.try_iter().count(), 3);
        let gone = r.register("c");
        r.fail_all();
        assert!(gone.recv().is_err());
    }
}
