//! Passing over an event its reader does not want: its end found 64 bytes at a time
//! ([`blank_line_end`]) instead of its lines split, only where reading it whole could
//! drop or count nothing differently.

use super::{Decoder, State};
use crate::ami::blank::blank_line_end;
use crate::ami::interest::{Interest, Next, Want};
use memchr::{memchr, memmem};

impl Decoder {
    /// The next message `interest` wants whole, or [`Next::Skipped`] for an event it
    /// does not want, passed over without splitting its lines (its end found 64 bytes at
    /// a time); `None` when more bytes are needed. Every message is counted, and one
    /// that could break a cap, or is framed in any but the plain way, is read whole.
    pub fn next_wanted(&mut self, interest: &impl Interest) -> Option<Next> {
        match self.skip_unwanted(interest) {
            Passing::Over => {
                self.stats.messages += 1;
                self.stats.skipped += 1;
                Some(Next::Skipped)
            }
            // An unwanted event not all here: wait for its end rather than read it whole.
            Passing::NotYet => None,
            Passing::No => self.next_message().map(Next::Message),
        }
    }

    /// Pass over the next message if it is an event `interest` does not want and lies
    /// whole in the buffer.
    fn skip_unwanted(&mut self, interest: &impl Interest) -> Passing {
        const EVENT: &[u8] = b"Event: ";
        if self.state != State::Headers
            || !self.cur.is_empty()
            || self.discarding_line
            || self.scan != self.pos
        {
            return Passing::No;
        }
        let hay = &self.buf[self.pos..self.end];
        // Event names are short: one this far from its line's end is read whole.
        const NAME_WITHIN: usize = EVENT.len() + 64;
        if !hay.starts_with(EVENT) {
            if hay.len() < EVENT.len() && EVENT.starts_with(hay) {
                return Passing::NotYet; // its first line has only begun
            }
            return Passing::No; // a response, a blank line, a banner: read whole
        }
        let Some(newline) = memchr(b'\n', &hay[..hay.len().min(NAME_WITHIN)]) else {
            return if hay.len() < NAME_WITHIN {
                Passing::NotYet
            } else {
                Passing::No
            };
        };
        let name = &hay[EVENT.len()..newline];
        let name = name.strip_suffix(b"\r").unwrap_or(name);
        let want = interest.wants(name);
        if let Want::Yes = want {
            return Passing::No;
        }
        // Within these sizes no line, size or field-count cap can be broken (a field
        // takes at least two bytes), so passing over it drops nothing the whole read would.
        let limits = self.limits;
        let short = limits
            .max_line
            .min(limits.max_message)
            .min(limits.max_headers.saturating_mul(2));
        let Some(len) = blank_line_end(hay, newline) else {
            // Waiting holds no more than `short` bytes; past them, read it whole.
            return if hay.len() < short {
                Passing::NotYet
            } else {
                Passing::No
            };
        };
        if len > short {
            return Passing::No;
        }
        let message = &hay[..len];
        match want {
            Want::IfContains(needle) if needle.find(message).is_some() => return Passing::No,
            Want::UnlessNothingIn(nothing) if !nothing(message) => return Passing::No,
            _ => {}
        }
        if interest.reads_later_event_lines() && memmem::find(message, b"\nEvent:").is_some() {
            return Passing::No;
        }
        self.pos += len;
        self.scan = self.pos;
        self.boundary = self.base + self.pos as u64;
        Passing::Over
    }
}

/// What [`Decoder::next_wanted`] found at the front of its input.
enum Passing {
    /// An unwanted event, passed over.
    Over,
    /// An unwanted event not all here yet.
    NotYet,
    /// Anything else: read it whole.
    No,
}
