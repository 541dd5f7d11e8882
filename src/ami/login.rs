//! AMI login as a sans-IO state machine, so the blocking socket, the poll loop and the
//! stand-in server's tests all drive the same logic.

use super::action::Action;
use super::message::Message;
use md5::{Digest, Md5};

/// A credential that never shows itself in `Debug` or `Display`.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }

    /// The secret itself, for the one place that must send it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<hidden>)")
    }
}

/// How to prove the secret: in clear text, or as `md5(challenge + secret)` so the secret
/// never crosses the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum AuthMethod {
    #[default]
    Plain,
    Md5,
}

/// The `Key:` of an MD5 login: lower-case hex of `md5(challenge + secret)`.
///
/// ```
/// // md5("abc") is a well-known test vector.
/// assert_eq!(hackamore::ami::md5_key("a", "bc"), "900150983cd24fb0d6963f7d28e17f72");
/// ```
pub fn md5_key(challenge: &str, secret: &str) -> String {
    let mut h = Md5::new();
    h.update(challenge.as_bytes());
    h.update(secret.as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// What the login wants next.
#[derive(Debug)]
pub enum LoginStep {
    /// Send this action and keep feeding messages.
    Send(Action),
    /// This message was not the answer; keep feeding.
    Waiting,
    /// Logged in; the server's `Response: Success`.
    Accepted(Message),
    /// The server refused; its `Message:` text (never the secret).
    Refused(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Idle,
    Challenge,
    Login,
    Done,
}

/// Drives one login: `start()`, then `on_message()` for each message received.
#[derive(Debug)]
pub struct Login {
    username: String,
    secret: Secret,
    method: AuthMethod,
    events: bool,
    phase: Phase,
    action_id: String,
}

impl Login {
    pub fn new(username: impl Into<String>, secret: Secret, method: AuthMethod) -> Self {
        Login {
            username: username.into(),
            secret,
            method,
            events: true,
            phase: Phase::Idle,
            action_id: String::new(),
        }
    }

    /// Ask for `Events: off` instead of the default `Events: on`.
    pub fn without_events(mut self) -> Self {
        self.events = false;
        self
    }

    /// The first action to send.
    pub fn start(&mut self) -> Action {
        match self.method {
            AuthMethod::Plain => self.login_action(None),
            AuthMethod::Md5 => {
                self.phase = Phase::Challenge;
                let mut a = Action::new("Challenge").with("AuthType", "MD5");
                self.action_id = a.ensure_action_id();
                a
            }
        }
    }

    fn login_action(&mut self, challenge: Option<&str>) -> Action {
        self.phase = Phase::Login;
        let mut a = Action::new("Login").with("Username", self.username.as_str());
        match challenge {
            Some(c) => {
                a.push("AuthType", "MD5");
                a.push("Key", md5_key(c, self.secret.expose()));
            }
            None => a.push("Secret", self.secret.expose()),
        }
        a.push("Events", if self.events { "on" } else { "off" });
        self.action_id = a.ensure_action_id();
        a
    }

    /// Feed a received message.
    pub fn on_message(&mut self, m: &Message) -> LoginStep {
        let Some(response) = m.response() else {
            return LoginStep::Waiting;
        };
        // Match by ActionID; a server that echoes none is taken to be answering us.
        if let Some(id) = m.get("ActionID") {
            if id != self.action_id.as_bytes() {
                return LoginStep::Waiting;
            }
        }
        let success = response.eq_ignore_ascii_case("Success");
        let text = m.get_str("Message").unwrap_or_default().into_owned();
        match self.phase {
            Phase::Challenge if success => match m.get_str("Challenge") {
                Some(c) => {
                    let c = c.into_owned();
                    LoginStep::Send(self.login_action(Some(&c)))
                }
                None => self.refuse("challenge response carries no Challenge".into()),
            },
            Phase::Challenge | Phase::Login if !success => self.refuse(if text.is_empty() {
                response.into_owned()
            } else {
                text
            }),
            Phase::Login => {
                self.phase = Phase::Done;
                LoginStep::Accepted(m.clone())
            }
            Phase::Idle | Phase::Done | Phase::Challenge => LoginStep::Waiting,
        }
    }

    fn refuse(&mut self, why: String) -> LoginStep {
        self.phase = Phase::Done;
        LoginStep::Refused(why)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(id: &str, kind: &str, extra: &[(&str, &str)]) -> Message {
        let mut m = Message::new();
        m.push("Response", kind);
        m.push("ActionID", id);
        for (k, v) in extra {
            m.push(k, v);
        }
        m
    }

    #[test]
    fn md5_flow_sends_digest_not_secret() {
        let mut l = Login::new("admin", Secret::new("s3cret"), AuthMethod::Md5);
        let challenge = l.start();
        assert_eq!(challenge.name(), "Challenge");
        let id = challenge.action_id().unwrap().to_string();
        let LoginStep::Send(login) =
            l.on_message(&response(&id, "Success", &[("Challenge", "12345")]))
        else {
            panic!("expected a Login action");
        };
        let wire = String::from_utf8(login.encode().unwrap()).unwrap();
        assert!(wire.contains(&format!("Key: {}\r\n", md5_key("12345", "s3cret"))));
        assert!(!wire.contains("s3cret"));
        let id = login.action_id().unwrap().to_string();
        assert!(matches!(
            l.on_message(&response(&id, "Success", &[])),
            LoginStep::Accepted(_)
        ));
    }

    #[test]
    fn refusal_and_foreign_responses() {
        let mut l = Login::new("admin", Secret::new("x"), AuthMethod::Plain);
        let id = l.start().action_id().unwrap().to_string();
        assert!(matches!(
            l.on_message(&response("other", "Error", &[])),
            LoginStep::Waiting
        ));
        match l.on_message(&response(
            &id,
            "Error",
            &[("Message", "Authentication failed")],
        )) {
            LoginStep::Refused(why) => assert_eq!(why, "Authentication failed"),
            other => panic!("unexpected {other:?}"),
        }
    }
}
