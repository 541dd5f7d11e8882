//! Where and how a socket connects: address, credentials, timeouts, keepalive, TLS.

use crate::ami::{AuthMethod, Limits, Secret};
use crate::source::tls::TlsConfig;
use std::time::Duration;

/// Where and how to connect. `Debug` never shows the secret.
#[derive(Clone, Debug)]
pub struct SocketConfig {
    /// The PBX name messages are filed under (not the host).
    pub name: String,
    pub host: String,
    pub port: u16,
    pub username: String,
    pub secret: Secret,
    pub auth: AuthMethod,
    /// Limit for the TCP connect.
    pub connect_timeout: Duration,
    /// Limit for the whole login exchange after connecting.
    pub login_timeout: Duration,
    /// Ask for events (`Events: on`).
    pub events: bool,
    pub limits: Limits,
    /// Send `Action: Ping` after this long without a byte from the PBX (`None`: never).
    pub ping_interval: Option<Duration>,
    /// Nothing heard this long after a Ping: the connection is half-open (the PBX or a
    /// middlebox vanished without a FIN); drop it so the feed reconnects.
    pub ping_timeout: Duration,
    /// AMI over TLS (`None`: plain TCP).
    pub tls: Option<TlsConfig>,
    /// After login, ask for the PBX's current channels and conference rooms so a model
    /// that starts (or reconnects) in the middle of calls is rebuilt (see `model::Resync`).
    pub resync: bool,
    /// The channel variable that correlates trunk legs across PBXes, asked of every
    /// channel by the resync (`Status` with `Variables:`).
    pub trunk_variable: String,
}

impl SocketConfig {
    pub fn new(name: impl Into<String>, host: impl Into<String>, port: u16) -> Self {
        SocketConfig {
            name: name.into(),
            host: host.into(),
            port,
            username: String::new(),
            secret: Secret::default(),
            auth: AuthMethod::Plain,
            connect_timeout: Duration::from_secs(5),
            login_timeout: Duration::from_secs(5),
            events: true,
            limits: Limits::default(),
            ping_interval: Some(Duration::from_secs(20)),
            ping_timeout: Duration::from_secs(10),
            tls: None,
            resync: true,
            trunk_variable: crate::ami::sync::DEFAULT_TRUNK_VARIABLE.to_string(),
        }
    }

    pub fn credentials(mut self, username: impl Into<String>, secret: Secret) -> Self {
        self.username = username.into();
        self.secret = secret;
        self
    }

    pub fn address(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}
