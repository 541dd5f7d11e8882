//! Which events the model reads, as a value a reader on another thread can hold: given
//! to a decoder ([`crate::ami::Decoder::next_wanted`]), it passes over the rest unread.

use super::normalize::reads;
use super::{resync, Rules};
use crate::ami::{Interest, Want};
use memchr::memmem::Finder;

/// The events a [`super::Tracker`] with the same trunk variable and rules reads: its
/// model events, a `VarSet` only if it names the trunk variable, the resync's answers.
#[derive(Clone, Debug)]
pub struct ModelInterest {
    /// Finds the trunk variable's name in a `VarSet`.
    trunk_variable: Finder<'static>,
    rules: Rules,
}

impl Default for ModelInterest {
    fn default() -> Self {
        ModelInterest::new(crate::ami::sync::DEFAULT_TRUNK_VARIABLE, Rules::Standard)
    }
}

impl ModelInterest {
    pub fn new(trunk_variable: &str, rules: Rules) -> Self {
        ModelInterest {
            trunk_variable: Finder::new(trunk_variable.as_bytes()).into_owned(),
            rules,
        }
    }
}

impl Interest for ModelInterest {
    fn wants(&self, event: &[u8]) -> Want<'_> {
        if resync::may_answer(Some(event)) {
            return Want::Yes;
        }
        match reads(event) {
            Some(true) => Want::Yes,
            Some(false) => Want::No,
            None => Want::IfContains(&self.trunk_variable),
        }
    }

    /// The 2014 framework read an event's last `Event:` line.
    fn reads_later_event_lines(&self) -> bool {
        self.rules == Rules::Framework2014
    }
}
