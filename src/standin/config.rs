//! How the stand-in server behaves, and the capture it replays.

use crate::ami::{Banner, Decoder, Secret};
use std::path::PathBuf;
use std::time::Duration;

/// How the stand-in server behaves. Build with [`ReplayConfig::new`] and adjust fields.
#[derive(Clone, Debug)]
pub struct ReplayConfig {
    /// The capture to replay (raw AMI bytes; its own banner and recorded login answer
    /// are replaced by this server's).
    pub capture: Vec<u8>,
    pub username: String,
    pub secret: Secret,
    /// Version in the banner; defaults to the capture's own banner, else `13.0.0`.
    pub version: String,
    /// Write the stream in random pieces of 1..=piece bytes (None: as fast as possible).
    pub piece: Option<usize>,
    /// Pause after each piece (or each message when `piece` is None).
    pub delay: Duration,
    /// Chance, per message, of a garbage block (random bytes, no `:`) before it.
    pub garbage: f64,
    /// Close the connection abruptly after this many bytes of the replay.
    pub cut_after: Option<usize>,
    /// After this many bytes of the replay, go silent: neither read nor write, yet keep
    /// the connection open (a half-open peer), until the server stops.
    pub stall_after: Option<usize>,
    /// After the replay, keep the connection open answering actions until the client
    /// logs off (otherwise close it, as a PBX that went away).
    pub linger: bool,
    /// Answer login actions (false: a server that never answers the login).
    pub answer_login: bool,
    /// Seed of the piece sizes, garbage and challenges, for reproducible runs.
    pub seed: u64,
    /// Speak TLS with this certificate chain and private key (PEM files).
    pub tls: Option<(PathBuf, PathBuf)>,
    /// Start the replay right after recorded checkpoint `k` (the capture's answers to
    /// `CoreShowChannels` with ActionID `truth-k` and `ConfbridgeList` with `conf-k`, and
    /// where recorded `BridgeList` with `bridges-k`, `ParkedCalls` with `parked-k` and
    /// `QueueStatus` with `queues-k`), as a PBX that was mid-call when the client
    /// connected; those actions, `Status` and `ConfbridgeListRooms` are then answered
    /// with that state.
    pub start_at: Option<u32>,
    /// How `Status` shows a variable a channel does not have: `(null)`, as Asterisk's
    /// manager prints the NULL it gets (tests try Asterisk's other spellings of none).
    pub unset_variable: String,
    /// Started at a checkpoint, be a PBX still booting: `FullyBooted` comes only after
    /// the first answers to the state queries, and until then `ParkedCalls` and
    /// `QueueStatus` answer empty lists (their modules are not loaded yet); after it,
    /// the recorded answers. A booted PBX says `FullyBooted` right after the login.
    pub booting: bool,
    /// Answer `Logoff` with `Goodbye` and close (false: ignore it, as a PBX too busy or
    /// too broken to answer).
    pub answer_logoff: bool,
}

impl ReplayConfig {
    pub fn new(capture: Vec<u8>, username: impl Into<String>, secret: Secret) -> Self {
        let version = capture_banner(&capture)
            .map(|b| b.version)
            .unwrap_or_else(|| "13.0.0".into());
        ReplayConfig {
            capture,
            username: username.into(),
            secret,
            version,
            piece: None,
            delay: Duration::ZERO,
            garbage: 0.0,
            cut_after: None,
            stall_after: None,
            linger: false,
            answer_login: true,
            seed: 1,
            tls: None,
            start_at: None,
            unset_variable: "(null)".into(),
            booting: false,
            answer_logoff: true,
        }
    }
}

impl ReplayConfig {
    /// Go silent (see [`ReplayConfig::stall_after`]) at recorded checkpoint `k`, where
    /// the recording asked the PBX for its state: a PBX that stays mid-call there.
    pub fn stall_at_checkpoint(&mut self, k: u32) -> std::io::Result<()> {
        let needle = format!("ActionID: truth-{k}\r\n");
        let mut offset = 0;
        for raw in replay_messages(&self.capture) {
            if raw.windows(needle.len()).any(|w| w == needle.as_bytes()) {
                self.stall_after = Some(offset);
                return Ok(());
            }
            offset += raw.len();
        }
        Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("the capture has no checkpoint {k}"),
        ))
    }
}

pub(super) fn capture_banner(capture: &[u8]) -> Option<Banner> {
    let end = memchr::memchr(b'\n', capture)?;
    let line = &capture[..end];
    Banner::parse(line.strip_suffix(b"\r").unwrap_or(line))
}

/// The capture cut into messages (wire bytes, each with its blank line), without its
/// banner and without the recorded login answer.
pub(super) fn replay_messages(capture: &[u8]) -> Vec<Vec<u8>> {
    let mut d = Decoder::new();
    d.feed(capture);
    let mut out: Vec<Vec<u8>> = Vec::new();
    let mut prev = 0u64;
    while let Some(m) = d.next_message() {
        let end = d.resume_offset();
        let recorded_login = out.is_empty()
            && m.response().is_some()
            && m.get_str("Message")
                .is_some_and(|t| t.contains("Authentication accepted"));
        if !recorded_login {
            // Keep the exact bytes (Follows bodies, bare LF) rather than re-encoding.
            let raw = &capture[prev as usize..end as usize];
            let raw = match capture_banner(raw) {
                Some(_) => &raw[memchr::memchr(b'\n', raw).map_or(0, |i| i + 1)..],
                None => raw,
            };
            out.push(raw.to_vec());
        }
        prev = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replay_drops_banner_and_recorded_login() {
        let capture = b"Asterisk Call Manager/2.10.0\r\nResponse: Success\r\nActionID: rec-1\r\nMessage: Authentication accepted\r\n\r\nEvent: FullyBooted\r\n\r\n";
        let ms = replay_messages(capture);
        assert_eq!(ms, vec![b"Event: FullyBooted\r\n\r\n".to_vec()]);
        assert_eq!(capture_banner(capture).unwrap().version, "2.10.0");
    }
}
