//! `ReplayServer`: the stand-in AMI server, for tests and `hackamore serve`.

use super::args::{self, Int, Number};
use super::errors::{source_error, ArgumentError, ServeError};
use super::locks::lock_from_python;
use crate::ami::Secret;
use crate::source::SourceError;
use crate::standin::{self, ReplayConfig};
use parking_lot::Mutex;
use pyo3::prelude::*;
use std::path::PathBuf;
use std::time::Duration;

/// An AMI server on loopback that replays a capture to each client after checking its
/// login (plain or MD5). Use as a context manager or call `close()`.
#[pyclass(name = "ReplayServer", module = "hackamore._native", frozen)]
pub struct ReplayServer {
    inner: Mutex<Option<standin::ReplayServer>>,
    host: String,
    port: u16,
    username: String,
}

#[pymethods]
impl ReplayServer {
    #[new]
    #[pyo3(signature = (capture, *, username = "hackamore", secret = "hackamore", host = "127.0.0.1", port = Int::of(0), piece = None, delay = Number::of(0.0), garbage = Number::of(0.0), cut_after = None, stall_after = None, linger = false, answer_login = true, seed = Int::of(1), tls_cert = None, tls_key = None, start_at = None, stall_at = None, booting = false, answer_logoff = true))]
    #[pyo3(
        text_signature = "(capture, *, username='hackamore', secret='hackamore', host='127.0.0.1', port=0, piece=None, delay=0.0, garbage=0.0, cut_after=None, stall_after=None, linger=False, answer_login=True, seed=1, tls_cert=None, tls_key=None, start_at=None, stall_at=None, booting=False, answer_logoff=True)"
    )]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        capture: PathBuf,
        username: &str,
        secret: &str,
        host: &str,
        port: Int,
        piece: Option<Int>,
        delay: Number,
        garbage: Number,
        cut_after: Option<Int>,
        stall_after: Option<Int>,
        linger: bool,
        answer_login: bool,
        seed: Int,
        tls_cert: Option<PathBuf>,
        tls_key: Option<PathBuf>,
        start_at: Option<Int>,
        stall_at: Option<Int>,
        booting: bool,
        answer_logoff: bool,
    ) -> PyResult<Self> {
        let port = args::listen_port(port, "port")?;
        let garbage = args::probability(garbage, "garbage")?;
        let delay = args::non_negative(delay, "delay")?;
        let piece = piece.map(|p| args::size(p, "piece", 1)).transpose()?;
        let cut_after = cut_after
            .map(|n| args::size(n, "cut_after", 0))
            .transpose()?;
        let stall_after = stall_after
            .map(|n| args::size(n, "stall_after", 0))
            .transpose()?;
        let seed = args::count(seed, "seed", 0)?;
        let start_at = start_at
            .map(|k| args::count(k, "start_at", 0))
            .transpose()?
            .map(|k| u32::try_from(k).unwrap_or(u32::MAX));
        let bytes = std::fs::read(&capture).map_err(|source| {
            source_error(SourceError::Capture {
                pbx: "replay".into(),
                path: capture.display().to_string(),
                source,
            })
        })?;
        let mut config = ReplayConfig::new(bytes, username, Secret::new(secret));
        config.piece = piece;
        config.delay = delay;
        config.garbage = garbage;
        config.cut_after = cut_after;
        config.stall_after = stall_after;
        config.start_at = start_at;
        if booting && start_at.is_none() {
            return Err(ArgumentError::new_err("booting goes with start_at"));
        }
        config.booting = booting;
        config.answer_logoff = answer_logoff;
        if let Some(k) = stall_at {
            let k = u32::try_from(args::count(k, "stall_at", 0)?).unwrap_or(u32::MAX);
            if start_at.is_some() || stall_after.is_some() {
                return Err(ArgumentError::new_err(
                    "stall_at goes without start_at and stall_after",
                ));
            }
            config
                .stall_at_checkpoint(k)
                .map_err(|e| ArgumentError::new_err(e.to_string()))?;
        }
        config.tls = match (tls_cert, tls_key) {
            (Some(cert), Some(key)) => Some((cert, key)),
            (None, None) => None,
            _ => return Err(ArgumentError::new_err("tls_cert and tls_key go together")),
        };
        config.linger = linger;
        config.answer_login = answer_login;
        config.seed = seed;
        let server = py
            .detach(|| standin::ReplayServer::start(config, host, port))
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::InvalidInput => ArgumentError::new_err(e.to_string()),
                _ => ServeError::new_err(format!("cannot listen on {host}:{port}: {e}")),
            })?;
        Ok(ReplayServer {
            host: host.to_string(),
            port: server.port(),
            username: username.to_string(),
            inner: Mutex::new(Some(server)),
        })
    }

    #[getter]
    fn host(&self) -> &str {
        &self.host
    }

    /// The port listened on (useful with `port=0`).
    #[getter]
    fn port(&self) -> u16 {
        self.port
    }

    #[getter]
    fn username(&self) -> &str {
        &self.username
    }

    /// Connections accepted so far.
    #[getter]
    fn clients(&self) -> u64 {
        lock_from_python(&self.inner)
            .as_ref()
            .map_or(0, |s| s.clients())
    }

    /// Block until Ctrl-C (for the command line).
    fn serve_forever(&self, py: Python<'_>) -> PyResult<()> {
        loop {
            py.detach(|| std::thread::sleep(Duration::from_millis(100)));
            py.check_signals()?;
            if lock_from_python(&self.inner).is_none() {
                return Ok(());
            }
        }
    }

    /// Stop listening and end every client connection.
    fn close(&self, py: Python<'_>) {
        // Out of the lock first: stopping joins threads that may log (which takes the GIL).
        let server = lock_from_python(&self.inner).take();
        if let Some(mut s) = server {
            py.detach(|| s.stop());
        }
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    fn __exit__(
        &self,
        py: Python<'_>,
        _t: Option<Bound<'_, PyAny>>,
        _v: Option<Bound<'_, PyAny>>,
        _tb: Option<Bound<'_, PyAny>>,
    ) {
        self.close(py)
    }

    fn __repr__(&self) -> String {
        format!(
            "ReplayServer(host={:?}, port={}, username={:?})",
            self.host, self.port, self.username
        )
    }
}
