//! `ReplayServer`: the stand-in AMI server, for tests and `hackamore serve`.

use super::errors::source_error;
use crate::ami::Secret;
use crate::source::{self, ReplayConfig, SourceError};
use parking_lot::Mutex;
use pyo3::exceptions::{PyOSError, PyValueError};
use pyo3::prelude::*;
use std::path::PathBuf;
use std::time::Duration;

/// An AMI server on loopback that replays a capture to each client after checking its
/// login (plain or MD5). Use as a context manager or call `close()`.
#[pyclass(name = "ReplayServer", module = "hackamore._native", frozen)]
pub struct ReplayServer {
    inner: Mutex<Option<source::ReplayServer>>,
    host: String,
    port: u16,
    username: String,
}

#[pymethods]
impl ReplayServer {
    #[new]
    #[pyo3(signature = (capture, *, username = "hackamore", secret = "hackamore", host = "127.0.0.1", port = 0, piece = None, delay = 0.0, garbage = 0.0, cut_after = None, stall_after = None, linger = false, answer_login = true, seed = 1, tls_cert = None, tls_key = None, start_at = None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        capture: PathBuf,
        username: &str,
        secret: &str,
        host: &str,
        port: u16,
        piece: Option<usize>,
        delay: f64,
        garbage: f64,
        cut_after: Option<usize>,
        stall_after: Option<usize>,
        linger: bool,
        answer_login: bool,
        seed: u64,
        tls_cert: Option<PathBuf>,
        tls_key: Option<PathBuf>,
        start_at: Option<u32>,
    ) -> PyResult<Self> {
        if !(0.0..=1.0).contains(&garbage) {
            return Err(PyValueError::new_err(
                "garbage must be a probability in [0, 1]",
            ));
        }
        if piece == Some(0) {
            return Err(PyValueError::new_err("piece must be at least 1 byte"));
        }
        let delay = Duration::try_from_secs_f64(delay)
            .map_err(|_| PyValueError::new_err("delay must be a non-negative number of seconds"))?;
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
        config.tls = match (tls_cert, tls_key) {
            (Some(cert), Some(key)) => Some((cert, key)),
            (None, None) => None,
            _ => return Err(PyValueError::new_err("tls_cert and tls_key go together")),
        };
        config.linger = linger;
        config.answer_login = answer_login;
        config.seed = seed;
        let server = py
            .detach(|| source::ReplayServer::start(config, host, port))
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::InvalidInput => PyValueError::new_err(e.to_string()),
                _ => PyOSError::new_err(format!("cannot listen on {host}:{port}: {e}")),
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
        self.inner.lock().as_ref().map_or(0, |s| s.clients())
    }

    /// Block until Ctrl-C (for the command line).
    fn serve_forever(&self, py: Python<'_>) -> PyResult<()> {
        loop {
            py.detach(|| std::thread::sleep(Duration::from_millis(100)));
            py.check_signals()?;
            if self.inner.lock().is_none() {
                return Ok(());
            }
        }
    }

    /// Stop listening and end every client connection.
    fn close(&self, py: Python<'_>) {
        py.detach(|| {
            if let Some(mut s) = self.inner.lock().take() {
                s.stop();
            }
        });
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
