//! What a reader needs of the events it reads, decided from an event's name before the
//! rest of it is read: the model uses a few dozen of the hundreds of events AMI sends.

/// Which events a reader wants whole ([`crate::ami::Decoder::next_wanted`]).
pub trait Interest {
    /// Whether an event whose first line is `Event: <event>` may matter.
    fn wants(&self, event: &[u8]) -> Want<'_>;

    /// Whether a later `Event:` line of a message could matter more than its first (the
    /// 2014 framework read the last): then an event that holds another `Event:` line is
    /// always read whole.
    fn reads_later_event_lines(&self) -> bool {
        false
    }
}

/// An [`Interest`]'s answer for one event name.
#[derive(Clone, Copy, Debug)]
pub enum Want<'a> {
    /// Read it whole.
    Yes,
    /// Pass over it unread.
    No,
    /// Read it whole only if its bytes contain what this finds (a `VarSet` of one
    /// variable).
    IfContains(&'a memchr::memmem::Finder<'a>),
    /// Read it whole unless this says, from the event's bytes, that the reader would
    /// take nothing from it (a device state the model does not keep).
    UnlessNothingIn(fn(&[u8]) -> bool),
}

/// One message of [`crate::ami::Decoder::next_wanted`].
#[derive(Debug)]
pub enum Next {
    /// A message read whole.
    Message(crate::ami::Message),
    /// An event passed over unread (counted in the decoder's stats).
    Skipped,
}
