//! What every client of one stand-in server shares.

use super::config::ReplayConfig;
use super::script::State;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

/// The server's configuration, the capture's messages, where the replay starts, the stop
/// flag and the TLS configuration.
pub(super) struct Shared {
    pub(super) config: ReplayConfig,
    pub(super) messages: Vec<Vec<u8>>,
    /// The PBX's state where the replay starts, when started at a checkpoint.
    pub(super) state: Option<State>,
    pub(super) stop: Arc<AtomicBool>,
    pub(super) tls: Option<Arc<rustls::ServerConfig>>,
}
