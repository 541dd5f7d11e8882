//! What every source is: the [`Source`] trait and its [`Step`]s, and the END marker
//! each delivers exactly once.

use super::error::SourceError;
use crate::ami::{Banner, DecodeStats, Message};
use std::io;
use std::time::Duration;

/// Bytes a file or socket source asks for per read.
pub(crate) const READ_CHUNK: usize = 64 * 1024;

/// One step of a source.
#[derive(Debug)]
pub enum Step {
    /// A message (the last one is always the END marker).
    Message(Message),
    /// Nothing arrived within the wait; ask again.
    Idle,
    /// The END marker was delivered; nothing more will come.
    Ended,
}

/// A producer of AMI messages for one PBX (or, for a Trace, several).
pub trait Source: Send {
    /// The PBX name the messages belong to (a Trace's messages carry their own `SOURCE`).
    fn name(&self) -> &str;

    /// The next message, waiting at most `wait` for one. An error ends the source: the
    /// following call delivers the END marker.
    fn next_step(&mut self, wait: Duration) -> Result<Step, SourceError>;

    /// The banner line seen, if any.
    fn banner(&self) -> Option<&Banner>;

    /// What the decoder dropped and delivered so far.
    fn stats(&self) -> DecodeStats;

    /// Stop early (a socket logs off). The END marker is still delivered.
    fn close(&mut self);

    /// Hand back a delivered message done with, for the next one to reuse its memory.
    fn recycle(&mut self, _m: Message) {}
}

/// Counts messages read (delivered, or passed over unread) and produces the END marker
/// exactly once, carrying the count.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Tally {
    delivered: u64,
    /// Of `delivered`, events read but passed over (their reader did not want them).
    passed_over: u64,
    ended: bool,
}

impl Tally {
    pub(crate) fn deliver(&mut self, m: Message) -> Step {
        self.delivered += 1;
        Step::Message(m)
    }

    /// An event read but not delivered (its reader did not want it).
    pub(crate) fn pass_over(&mut self) {
        self.delivered += 1;
        self.passed_over += 1;
    }

    pub(crate) fn passed_over(&self) -> u64 {
        self.passed_over
    }

    pub(crate) fn end(&mut self) -> Step {
        if self.ended {
            return Step::Ended;
        }
        self.ended = true;
        self.delivered += 1;
        Step::Message(Message::end(self.delivered))
    }

    /// A reopened source may end again (the count goes on).
    pub(crate) fn restart(&mut self) {
        self.ended = false;
    }
}

/// A read that found nothing yet (non-blocking, timed out or interrupted): ask again.
pub(crate) fn nothing_yet(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut | io::ErrorKind::Interrupted
    )
}
