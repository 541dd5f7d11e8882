//! Actions in flight on one connection, and their answers routed back by ActionID: the
//! `Response`, and for an event list (`EventList: start`) every event up to the one that
//! completes it. Callers queue actions through an [`Outbox`]; the connection's reader steps
//! its socket through [`ActionPort::next_step`], which sends them once logged in and takes
//! their answers out, so they never reach the event stream.

use super::{Socket, Source, SourceError, Step};
use crate::ami::{Action, Message};
use crossbeam_channel::{Receiver, Sender};
use parking_lot::Mutex;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// A way for actions to reach one connection: the caller's [`Outbox`] and the reader's
/// [`ActionPort`].
pub fn action_channel() -> (Outbox, ActionPort) {
    let (tx, rx) = crossbeam_channel::unbounded();
    let requests = Arc::new(Requests::default());
    (
        Outbox {
            actions: tx,
            requests: requests.clone(),
        },
        ActionPort {
            actions: rx,
            requests,
        },
    )
}

/// The caller's side: queue an action, get its answers.
#[derive(Clone)]
pub struct Outbox {
    actions: Sender<Action>,
    requests: Arc<Requests>,
}

impl std::fmt::Debug for Outbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outbox")
            .field("queued", &self.actions.len())
            .finish_non_exhaustive()
    }
}

impl Outbox {
    /// Queue `action` (an ActionID is added if it has none); returns the ActionID and
    /// where its answers will arrive, or `None` once the reader has gone.
    pub fn send(&self, mut action: Action) -> Option<(String, Receiver<Message>)> {
        let id = action.ensure_action_id();
        let answers = self.requests.register(&id);
        if self.actions.send(action).is_err() {
            self.requests.cancel(&id);
            return None;
        }
        Some((id, answers))
    }

    /// Actions queued that the connection has not taken yet.
    pub fn queued(&self) -> usize {
        self.actions.len()
    }

    /// Give up waiting for the answers to `action_id`.
    pub fn cancel(&self, action_id: &str) {
        self.requests.cancel(action_id);
    }
}

/// The reader's side: sends queued actions once the socket is logged in, and takes their
/// answers out of what the socket delivers.
pub struct ActionPort {
    actions: Receiver<Action>,
    requests: Arc<Requests>,
}

impl ActionPort {
    /// `socket.next_step(wait)`, with queued actions sent first and answers routed away.
    pub fn next_step(&self, socket: &mut Socket, wait: Duration) -> Result<Step, SourceError> {
        if socket.is_streaming() {
            for action in self.actions.try_iter() {
                if let Err(e) = socket.send(&action) {
                    log::warn!("{e}");
                }
            }
        }
        // Answers awaited may be any events: read whole until they are in.
        socket.want_everything(self.requests.waiting());
        loop {
            match socket.next_step(wait) {
                Ok(Step::Message(m)) if self.requests.route(&m) => {}
                r => return r,
            }
        }
    }

    /// The connection has ended: every caller still waiting sees its answers stop.
    pub fn connection_ended(&self) {
        self.requests.fail_all();
    }
}

/// One request's answers.
struct InFlight {
    tx: Sender<Message>,
    /// The response said `EventList: start`: events follow until the list completes.
    listing: bool,
}

#[derive(Default)]
pub(crate) struct Requests {
    in_flight: Mutex<HashMap<String, InFlight>>,
    /// How many are in flight, read on every step of the connection without the lock.
    awaited: AtomicUsize,
}

impl Requests {
    /// Are answers to some action awaited?
    pub fn waiting(&self) -> bool {
        self.awaited.load(Ordering::Acquire) > 0
    }

    fn count(&self, in_flight: &HashMap<String, InFlight>) {
        self.awaited.store(in_flight.len(), Ordering::Release);
    }

    /// Expect answers for `action_id`; they arrive on the receiver, in order.
    pub fn register(&self, action_id: &str) -> Receiver<Message> {
        let (tx, rx) = crossbeam_channel::unbounded();
        let mut in_flight = self.in_flight.lock();
        in_flight.insert(action_id.to_string(), InFlight { tx, listing: false });
        self.count(&in_flight);
        rx
    }

    /// Stop expecting answers (a caller that gave up); later ones are dropped.
    pub fn cancel(&self, action_id: &str) {
        let mut in_flight = self.in_flight.lock();
        in_flight.remove(action_id);
        self.count(&in_flight);
    }

    /// Forget every request: their receivers see the channel close (the connection ended).
    pub fn fail_all(&self) {
        let mut in_flight = self.in_flight.lock();
        in_flight.clear();
        self.count(&in_flight);
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
            self.count(&in_flight);
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
