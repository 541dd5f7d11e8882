//! Writing to the PBX without ever waiting: actions are encoded into the connection's
//! outbox and written as the socket takes them (a poll loop waits for writability while
//! some wait), and closing logs off the same way, reading until `Goodbye` or a deadline.
//! One thread may serve a thousand PBXes: a PBX that stops reading, or never answers its
//! `Logoff`, must never hold it.

use super::{Phase, Socket};
use crate::ami::Action;
use crate::source::tls::Transport;
use crate::source::{SourceError, Step};
use std::io;
use std::time::{Duration, Instant};

/// How long a closing connection waits for the PBX's `Goodbye` to its `Logoff`.
pub(super) const LOGOFF_WAIT: Duration = Duration::from_millis(250);

/// Most bytes of actions a connection holds that the PBX has not read: past that, the
/// PBX is not reading (or the caller is flooding it) and the connection is given up.
pub const MAX_OUTGOING: usize = 1 << 20;

impl Socket {
    /// Bytes of actions the socket has not taken yet.
    pub fn outgoing_len(&self) -> usize {
        self.outgoing.len()
    }

    /// Has this connection bytes to write when the socket can take them? A poll loop
    /// then waits for the socket to be writable as well as readable.
    pub fn wants_write(&self) -> bool {
        !self.outgoing.is_empty() || self.stream.as_ref().is_some_and(Transport::wants_write)
    }

    /// Send an action now. Refused (before anything is written) if it could inject lines.
    pub fn send(&mut self, action: &Action) -> Result<(), SourceError> {
        match self.write_action(action)? {
            Ok(()) => Ok(()),
            Err(e) => Err(self.fail(|s| s.lost(e))),
        }
    }

    /// Send an action of our own while streaming (resync, Ping). If the write fails the
    /// PBX is going away, but what it sent before may still be unread: keep reading, and
    /// let the end of the stream end the source.
    pub(super) fn send_quietly(&mut self, action: &Action) -> Result<(), SourceError> {
        if let Err(e) = self.write_action(action)? {
            log::info!(
                "{}: cannot send {}: {e}; reading what is left",
                self.config.name,
                action.name()
            );
            self.write_failed.get_or_insert(e);
        }
        Ok(())
    }

    /// Encode an action (refusing line injection) and write what the socket takes of it
    /// now; the rest waits in `outgoing` for the next step. The outer error refuses the
    /// action; the inner one is the connection failing.
    fn write_action(&mut self, action: &Action) -> Result<io::Result<()>, SourceError> {
        let wire = action.encode().map_err(|source| SourceError::Action {
            pbx: self.config.name.clone(),
            source,
        })?;
        if self.stream.is_none() {
            return Ok(Err(io::Error::new(
                io::ErrorKind::NotConnected,
                "not connected",
            )));
        }
        if self.outgoing.len() + wire.len() > MAX_OUTGOING {
            return Ok(Err(io::Error::new(
                io::ErrorKind::WouldBlock,
                format!(
                    "the PBX has not read the last {} KiB of actions",
                    self.outgoing.len() / 1024
                ),
            )));
        }
        self.outgoing.extend_from_slice(&wire);
        Ok(self.flush_outgoing())
    }

    /// Write what the socket takes of `outgoing` now, never waiting.
    pub(super) fn flush_outgoing(&mut self) -> io::Result<()> {
        let Some(stream) = self.stream.as_mut() else {
            return Err(io::ErrorKind::NotConnected.into());
        };
        if self.outgoing.is_empty() && !stream.wants_write() {
            return Ok(());
        }
        if !self.nonblocking {
            stream.tcp().set_nonblocking(true)?;
            self.nonblocking = true;
        }
        let n = stream.write_nonblocking(&self.outgoing)?;
        self.outgoing.drain(..n);
        Ok(())
    }

    /// Before a step reads: send what waits. A failed write ends nothing yet: what the
    /// PBX sent before may still be unread, and the end of the stream ends the source.
    pub(super) fn flush_before_reading(&mut self) {
        if self.wants_write() {
            if let Err(e) = self.flush_outgoing() {
                log::debug!("{}: cannot write: {e}", self.config.name);
                self.outgoing.clear();
                self.write_failed.get_or_insert(e);
            }
        }
    }

    /// Log off without waiting: the `Logoff` goes out as the socket takes it, and the
    /// following steps read (delivering nothing) until the PBX's `Goodbye`, its closing
    /// the connection, or [`LOGOFF_WAIT`]; then the END. A poll loop closes a thousand
    /// PBXes at once this way, in the time of the slowest (at most [`LOGOFF_WAIT`]).
    pub fn begin_close(&mut self) {
        if matches!(self.phase, Phase::Closing { .. } | Phase::Ending) {
            return;
        }
        let streaming = matches!(self.phase, Phase::Streaming);
        if streaming && !self.adopted && self.send(&Action::new("Logoff")).is_ok() {
            self.phase = Phase::Closing {
                deadline: Instant::now() + LOGOFF_WAIT,
            };
            return;
        }
        self.drop_stream();
        self.phase = Phase::Ending;
    }

    /// A step of a closing connection: done at `Goodbye`, the end of the stream, an
    /// error, or the deadline (then the next step delivers the END).
    pub(super) fn step_closing(&mut self, wait: Duration) -> Step {
        let Phase::Closing { deadline } = self.phase else {
            unreachable!("step_closing outside the closing phase");
        };
        let done = 'step: {
            if self.flush_outgoing().is_err() {
                break 'step true;
            }
            // Messages after Logoff are not delivered: the caller asked to stop.
            loop {
                while let Some(m) = self.decoder.next_message() {
                    if m.response()
                        .is_some_and(|r| r.eq_ignore_ascii_case("Goodbye"))
                    {
                        break 'step true;
                    }
                }
                let Some(left) = deadline.checked_duration_since(Instant::now()) else {
                    break 'step true;
                };
                match self.read_some(wait.min(left)) {
                    Ok(true) => {}
                    Ok(false) => break 'step false,
                    Err(_) => break 'step true,
                }
            }
        };
        if done {
            self.drop_stream();
            self.phase = Phase::Ending;
        }
        Step::Idle
    }
}
