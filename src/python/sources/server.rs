//! `Server`: where and how to reach one PBX; iterating it opens a `Connection`.

use super::connection::Connection;
use crate::ami::{self, AuthMethod, Secret};
use crate::python::args::{self, Int, Number};
use crate::python::errors::ArgumentError;
use crate::source::{SocketConfig, TlsConfig, Verify};
use pyo3::prelude::*;
use std::path::PathBuf;

/// Where and how to reach one PBX. Holds no connection; iterate it (or call
/// `connect()`) to open one.
#[pyclass(name = "Server", module = "hackamore._native", frozen)]
pub struct Server {
    pub(crate) config: SocketConfig,
}

/// The TLS settings from `Server`'s arguments: `ca_file` or `verify=False` imply TLS.
fn tls_config(
    tls: bool,
    ca_file: Option<PathBuf>,
    verify: bool,
    server_name: Option<String>,
) -> PyResult<Option<TlsConfig>> {
    let verify = match (verify, ca_file) {
        (false, Some(_)) => {
            return Err(ArgumentError::new_err(
                "ca_file and verify=False contradict each other",
            ))
        }
        (false, None) => Verify::InsecureSkipVerify,
        (true, Some(path)) => Verify::CaFile(path),
        (true, None) if tls || server_name.is_some() => Verify::SystemRoots,
        (true, None) => return Ok(None),
    };
    Ok(Some(TlsConfig {
        verify,
        server_name,
    }))
}

#[pymethods]
impl Server {
    #[new]
    #[pyo3(signature = (name, host, port = Int::of(5038), username = "", secret = "", *, auth = "plain", timeout = Number::of(5.0), events = true, tls = false, ca_file = None, verify = true, server_name = None, ping_interval = Number::of(20.0), ping_timeout = Number::of(10.0), max_line = Int::of(65536), max_message = Int::of(1048576), max_headers = Int::of(4096), resync = true, trunk_variable = "SIPCALLID"))]
    #[pyo3(
        text_signature = "(name, host, port=5038, username='', secret='', *, auth='plain', timeout=5.0, events=True, tls=False, ca_file=None, verify=True, server_name=None, ping_interval=20.0, ping_timeout=10.0, max_line=65536, max_message=1048576, max_headers=4096, resync=True, trunk_variable='SIPCALLID')"
    )]
    #[allow(clippy::too_many_arguments)]
    fn new(
        name: &str,
        host: &str,
        port: Int,
        username: &str,
        secret: &str,
        auth: &str,
        timeout: Number,
        events: bool,
        tls: bool,
        ca_file: Option<PathBuf>,
        verify: bool,
        server_name: Option<String>,
        ping_interval: Number,
        ping_timeout: Number,
        max_line: Int,
        max_message: Int,
        max_headers: Int,
        resync: bool,
        trunk_variable: &str,
    ) -> PyResult<Self> {
        let port = args::port(port, "port")?;
        let mut config =
            SocketConfig::new(name, host, port).credentials(username, Secret::new(secret));
        config.auth = args::one_of(
            auth,
            "auth",
            &[("plain", AuthMethod::Plain), ("md5", AuthMethod::Md5)],
        )?;
        config.connect_timeout = args::positive(timeout, "timeout")?;
        config.login_timeout = config.connect_timeout;
        config.events = events;
        config.tls = tls_config(tls, ca_file, verify, server_name)?;
        // 0 turns the keep-alive off.
        config.ping_interval = match args::non_negative(ping_interval, "ping_interval")? {
            d if d.is_zero() => None,
            d => Some(d),
        };
        config.ping_timeout = args::positive(ping_timeout, "ping_timeout")?;
        config.resync = resync;
        config.trunk_variable = trunk_variable.to_string();
        config.limits = ami::Limits {
            max_line: args::size(max_line, "max_line", 1)?,
            max_message: args::size(max_message, "max_message", 1)?,
            max_headers: args::size(max_headers, "max_headers", 1)?,
        };
        Ok(Server { config })
    }

    /// Whether the connection is TLS.
    #[getter]
    fn tls(&self) -> bool {
        self.config.tls.is_some()
    }

    #[getter]
    fn name(&self) -> &str {
        &self.config.name
    }

    #[getter]
    fn host(&self) -> &str {
        &self.config.host
    }

    #[getter]
    fn port(&self) -> u16 {
        self.config.port
    }

    #[getter]
    fn username(&self) -> &str {
        &self.config.username
    }

    #[getter]
    fn auth(&self) -> &'static str {
        match self.config.auth {
            AuthMethod::Plain => "plain",
            AuthMethod::Md5 => "md5",
        }
    }

    #[getter]
    fn timeout(&self) -> f64 {
        self.config.connect_timeout.as_secs_f64()
    }

    /// Open a connection: connect, log in and stream events in a reader thread.
    fn connect(&self) -> PyResult<Connection> {
        Connection::start(self.config.clone())
    }

    fn __iter__(&self) -> PyResult<Connection> {
        self.connect()
    }

    fn __repr__(&self) -> String {
        let tls = match self.config.tls.as_ref().map(|t| &t.verify) {
            None => "",
            Some(Verify::SystemRoots) => ", tls=True",
            Some(Verify::CaFile(_)) => ", tls=True, ca_file=...",
            Some(Verify::InsecureSkipVerify) => ", tls=True, verify=False",
        };
        format!(
            "Server({:?}, {:?}, {}, username={:?}, auth={:?}{tls})",
            self.config.name,
            self.config.host,
            self.config.port,
            self.config.username,
            self.auth()
        )
    }
}
