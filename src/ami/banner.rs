//! The line an AMI server greets a client with: which Asterisk, which generation of AMI.

use super::lines::find_separator;
use memchr::memchr;

/// The greeting an AMI server sends before any message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Banner {
    /// The whole line, e.g. `Asterisk Call Manager/13.0.0`.
    pub text: String,
    /// The part after `Manager/`, e.g. `13.0.0`. The AMI major version tells which
    /// generation of events to expect (1.x: Asterisk <= 11, 2.x: 12-13, later 3.x+).
    pub version: String,
}

impl Banner {
    /// Recognise a banner line: no `": "` separator, the word `Manager`, and a `/version`
    /// after it (`Asterisk Call Manager/13.0.0`, `Asterisk Call Manager Proxy/3.0.1`).
    pub fn parse(line: &[u8]) -> Option<Banner> {
        const MARK: &[u8] = b"Manager";
        if find_separator(line).is_some() {
            return None;
        }
        let at = line.windows(MARK.len()).position(|w| w == MARK)?;
        let slash = at + memchr(b'/', &line[at..])?;
        let text = String::from_utf8_lossy(line).trim().to_string();
        let version = String::from_utf8_lossy(&line[slash + 1..])
            .trim()
            .to_string();
        Some(Banner { text, version })
    }

    /// The AMI major version (`1`, `2`, `13`...), if the version starts with a number.
    pub fn major(&self) -> Option<u32> {
        self.version.split('.').next()?.parse().ok()
    }
}
