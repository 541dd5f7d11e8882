use crate::ami::ActionError;
use std::io;

/// Why a source ended early. Messages name the PBX and address, never a secret.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("{pbx}: cannot connect to {addr}: {source}")]
    Connect {
        pbx: String,
        addr: String,
        #[source]
        source: io::Error,
    },
    #[error("{pbx}: connection to {addr} lost: {source}")]
    ConnectionLost {
        pbx: String,
        addr: String,
        #[source]
        source: io::Error,
    },
    #[error("{pbx}: TLS with {addr}: {source}")]
    Tls {
        pbx: String,
        addr: String,
        #[source]
        source: super::tls::TlsError,
    },
    #[error("{pbx}: login to {addr} as {username:?} refused: {reason}")]
    Authentication {
        pbx: String,
        addr: String,
        username: String,
        reason: String,
    },
    #[error("{pbx}: {what} timed out after {seconds:.1} s")]
    Timeout {
        pbx: String,
        what: &'static str,
        seconds: f64,
    },
    #[error("{pbx}: protocol error: {reason}")]
    Protocol { pbx: String, reason: String },
    #[error("{pbx}: cannot read capture {path}: {source}")]
    Capture {
        pbx: String,
        path: String,
        #[source]
        source: io::Error,
    },
    #[error("{pbx}: {source}")]
    Action {
        pbx: String,
        #[source]
        source: ActionError,
    },
}
