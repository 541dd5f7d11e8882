//! Action encoder: ordered key/value pairs -> AMI wire bytes, refusing anything that could
//! smuggle a second line (CR/LF injection) or that Asterisk would silently discard.

use std::sync::atomic::{AtomicU64, Ordering};

/// Asterisk drops manager lines longer than this, so an action carrying one would be
/// half-executed; refuse it before sending.
pub const MAX_ACTION_LINE: usize = 1024;

/// Why an action cannot be sent. Errors name the key, never the value (it may be a secret).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ActionError {
    #[error("action field {key:?}: key or value contains CR or LF")]
    LineBreak { key: String },
    #[error("action field {key:?}: key is empty or contains ':'")]
    BadKey { key: String },
    #[error(
        "action field {key:?}: line is {len} bytes, over the {MAX_ACTION_LINE}-byte AMI limit"
    )]
    LineTooLong { key: String, len: usize },
}

/// An AMI action: `Action: <name>` then fields in order. `ActionID` is generated when the
/// caller gives none, so every response can be matched to its action.
///
/// ```
/// use hackamore::ami::Action;
/// let wire = Action::new("Ping").with("ActionID", "p-1").encode().unwrap();
/// assert_eq!(wire, b"Action: Ping\r\nActionID: p-1\r\n\r\n");
/// assert!(Action::new("Hangup").with("Channel", "x\r\nAction: Logoff").encode().is_err());
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Action {
    name: String,
    fields: Vec<(String, String)>,
}

impl std::fmt::Debug for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut d = f.debug_struct("Action");
        d.field("name", &self.name);
        for (k, v) in &self.fields {
            let shown = if is_secret_key(k) { "<hidden>" } else { v };
            d.field(k, &shown);
        }
        d.finish()
    }
}

/// Keys whose values are credentials and never shown.
pub fn is_secret_key(key: &str) -> bool {
    key.eq_ignore_ascii_case("Secret") || key.eq_ignore_ascii_case("Key")
}

impl Action {
    pub fn new(name: impl Into<String>) -> Self {
        Action {
            name: name.into(),
            fields: Vec::new(),
        }
    }

    /// Add a field (builder style). Repeated keys (`Variable`) are kept in order.
    pub fn with(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.push(key, value);
        self
    }

    pub fn push(&mut self, key: impl Into<String>, value: impl Into<String>) {
        self.fields.push((key.into(), value.into()));
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The ActionID given by the caller, if any.
    pub fn action_id(&self) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("ActionID"))
            .map(|(_, v)| v.as_str())
    }

    /// Give the action a fresh ActionID unless it has one; returns the ActionID.
    pub fn ensure_action_id(&mut self) -> String {
        if let Some(id) = self.action_id() {
            return id.to_string();
        }
        let id = next_action_id();
        self.fields.push(("ActionID".into(), id.clone()));
        id
    }

    /// Validate every line, then produce the wire bytes. Nothing is produced if any line
    /// is refused.
    pub fn encode(&self) -> Result<Vec<u8>, ActionError> {
        let lines = std::iter::once(("Action", self.name.as_str()))
            .chain(self.fields.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let mut out = Vec::with_capacity(64 + 32 * self.fields.len());
        for (key, value) in lines {
            check_line(key, value)?;
            out.extend_from_slice(key.as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(value.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"\r\n");
        Ok(out)
    }
}

fn check_line(key: &str, value: &str) -> Result<(), ActionError> {
    let has_break = |s: &str| s.bytes().any(|b| b == b'\r' || b == b'\n');
    if has_break(key) || has_break(value) {
        return Err(ActionError::LineBreak {
            key: printable_key(key),
        });
    }
    if key.is_empty() || key.contains(':') {
        return Err(ActionError::BadKey {
            key: printable_key(key),
        });
    }
    let len = key.len() + 2 + value.len();
    if len > MAX_ACTION_LINE {
        return Err(ActionError::LineTooLong {
            key: printable_key(key),
            len,
        });
    }
    Ok(())
}

/// A key as it may appear in an error: bounded and with control bytes escaped.
fn printable_key(key: &str) -> String {
    key.chars()
        .take(64)
        .flat_map(char::escape_default)
        .collect()
}

fn next_action_id() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    format!(
        "hackamore-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_action_ids_are_distinct() {
        let mut a = Action::new("Ping");
        let mut b = Action::new("Ping");
        assert_ne!(a.ensure_action_id(), b.ensure_action_id());
        assert_eq!(a.ensure_action_id(), a.action_id().unwrap());
    }

    #[test]
    fn debug_hides_secret() {
        let a = Action::new("Login").with("Secret", "hunter2");
        assert!(!format!("{a:?}").contains("hunter2"));
    }
}
