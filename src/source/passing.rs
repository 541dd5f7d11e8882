//! A connection whose reader wants only some events (the engines: the model's) passes
//! over the rest unread ([`Decoder::next_wanted`]), except while answers to an action
//! are awaited, which are wanted whole whatever their events.

use super::step::Tally;
use crate::ami::{Decoder, Interest, Message, Next, Want};
use std::sync::Arc;

/// What a reader wants, shared by every connection of an engine.
pub type SharedInterest = Arc<dyn Interest + Send + Sync>;

#[derive(Default)]
pub(crate) struct Passing {
    interest: Option<SharedInterest>,
    /// An action's answers are awaited: read everything whole.
    everything: bool,
}

impl std::fmt::Debug for Passing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Passing")
            .field("interested", &self.interest.is_some())
            .field("everything", &self.everything)
            .finish()
    }
}

impl Passing {
    pub(crate) fn set_interest(&mut self, interest: Option<SharedInterest>) {
        self.interest = interest;
    }

    pub(crate) fn want_everything(&mut self, everything: bool) {
        self.everything = everything;
    }

    pub(crate) fn is_interested(&self) -> bool {
        self.interest.is_some()
    }

    /// The next message the reader wants, passing over the rest (counted by `tally`).
    pub(crate) fn next(&mut self, decoder: &mut Decoder, tally: &mut Tally) -> Option<Message> {
        let Some(interest) = self.interest.as_deref().filter(|_| !self.everything) else {
            return decoder.next_message();
        };
        let interest = Connection(interest);
        loop {
            match decoder.next_wanted(&interest)? {
                Next::Message(m) => return Some(m),
                Next::Skipped => tally.pass_over(),
            }
        }
    }
}

/// The reader's interest, and the connection's own: the PBX saying it has booted or
/// shuts down.
struct Connection<'a>(&'a (dyn Interest + Send + Sync));

impl Interest for Connection<'_> {
    fn wants(&self, event: &[u8]) -> Want<'_> {
        if event.eq_ignore_ascii_case(b"Shutdown") || event.eq_ignore_ascii_case(b"FullyBooted") {
            return Want::Yes;
        }
        self.0.wants(event)
    }

    fn reads_later_event_lines(&self) -> bool {
        self.0.reads_later_event_lines()
    }
}
