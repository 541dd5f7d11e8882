//! AMI over TLS (Asterisk's `tlsenable` in manager.conf, port 5039 by convention), with
//! rustls: certificates checked against the system's roots or a given CA file, or, on an
//! explicit opt-in for lab PBXes with self-made certificates, not checked at all.

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{ClientConfig, ClientConnection, DigitallySignedStruct, ServerConfig, StreamOwned};
use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::sync::Arc;

/// How a PBX's certificate is checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verify {
    /// Against the operating system's trusted roots.
    SystemRoots,
    /// Against the CA certificates (PEM) in this file only.
    CaFile(PathBuf),
    /// Not at all: encrypted, but anyone on the path can pose as the PBX. Opt-in only.
    InsecureSkipVerify,
}

/// TLS settings of one PBX connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsConfig {
    pub verify: Verify,
    /// The name the certificate must carry; defaults to the host connected to.
    pub server_name: Option<String>,
}

impl TlsConfig {
    pub fn new(verify: Verify) -> Self {
        TlsConfig {
            verify,
            server_name: None,
        }
    }
}

/// Why TLS could not be set up. The handshake's own failures (an unknown issuer, a name
/// mismatch) arrive as I/O errors wrapping rustls's error.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot read CA file {path}: {source}")]
    CaFile {
        path: String,
        #[source]
        source: io::Error,
    },
    #[error("CA file {path} holds no usable certificate")]
    NoCertificates { path: String },
    #[error("no trusted root certificates found on this system (give a CA file instead)")]
    NoSystemRoots,
    #[error("{0:?} is not a valid TLS server name")]
    ServerName(String),
    #[error("TLS setup failed: {0}")]
    Rustls(#[from] rustls::Error),
    #[error("handshake failed: {0}")]
    Handshake(io::Error),
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn roots(verify: &Verify) -> Result<rustls::RootCertStore, TlsError> {
    let mut store = rustls::RootCertStore::empty();
    match verify {
        Verify::SystemRoots => {
            let found = rustls_native_certs::load_native_certs();
            for e in &found.errors {
                log::warn!("TLS: skipping part of the system's root store: {e}");
            }
            let (added, _ignored) = store.add_parsable_certificates(found.certs);
            if added == 0 {
                return Err(TlsError::NoSystemRoots);
            }
        }
        Verify::CaFile(path) => {
            let shown = path.display().to_string();
            let certs = CertificateDer::pem_file_iter(path)
                .and_then(|it| it.collect::<Result<Vec<_>, _>>())
                .map_err(|e| TlsError::CaFile {
                    path: shown.clone(),
                    source: io::Error::other(e.to_string()),
                })?;
            let (added, _ignored) = store.add_parsable_certificates(certs);
            if added == 0 {
                return Err(TlsError::NoCertificates { path: shown });
            }
        }
        Verify::InsecureSkipVerify => {}
    }
    Ok(store)
}

/// The client side of one connection, ready for a handshake with `host`.
pub(crate) fn client(config: &TlsConfig, host: &str) -> Result<ClientConnection, TlsError> {
    let builder =
        ClientConfig::builder_with_provider(provider()).with_safe_default_protocol_versions()?;
    let client_config = match &config.verify {
        Verify::InsecureSkipVerify => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptAnyCertificate(provider())))
            .with_no_client_auth(),
        verify => builder
            .with_root_certificates(roots(verify)?)
            .with_no_client_auth(),
    };
    let name = config.server_name.as_deref().unwrap_or(host);
    let name = ServerName::try_from(name.trim_start_matches('[').trim_end_matches(']'))
        .map_err(|_| TlsError::ServerName(name.to_string()))?
        .to_owned();
    Ok(ClientConnection::new(Arc::new(client_config), name)?)
}

/// A server configuration from PEM files (the stand-in PBX's side).
pub(crate) fn server(cert: &PathBuf, key: &PathBuf) -> Result<Arc<ServerConfig>, TlsError> {
    let ca_error = |path: &PathBuf, e: rustls::pki_types::pem::Error| TlsError::CaFile {
        path: path.display().to_string(),
        source: io::Error::other(e.to_string()),
    };
    let chain = CertificateDer::pem_file_iter(cert)
        .and_then(|it| it.collect::<Result<Vec<_>, _>>())
        .map_err(|e| ca_error(cert, e))?;
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| ca_error(key, e))?;
    let config = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(chain, key)?;
    Ok(Arc::new(config))
}

/// Finish a handshake on a blocking stream (its timeouts bound the wait).
pub(crate) fn handshake<C, S>(conn: &mut C, tcp: &mut TcpStream) -> io::Result<()>
where
    C: std::ops::DerefMut<Target = rustls::ConnectionCommon<S>>,
    S: rustls::SideData,
{
    while conn.is_handshaking() {
        conn.complete_io(tcp)?;
    }
    // Our first flight after the handshake (a TLS 1.3 Finished) may still be queued.
    while conn.wants_write() {
        conn.write_tls(tcp)?;
    }
    Ok(())
}

/// A connection's byte stream: plain TCP or TLS over it.
pub(crate) enum Transport {
    Plain(TcpStream),
    Client(Box<StreamOwned<ClientConnection, TcpStream>>),
    Server(Box<StreamOwned<rustls::ServerConnection, TcpStream>>),
}

impl Transport {
    /// The TCP connection underneath, for timeouts, blocking mode, polling and shutdown.
    pub(crate) fn tcp(&self) -> &TcpStream {
        match self {
            Transport::Plain(s) => s,
            Transport::Client(s) => s.get_ref(),
            Transport::Server(s) => s.get_ref(),
        }
    }

    /// Say goodbye at the TLS level (best effort) and send FIN; reading goes on.
    pub(crate) fn shutdown_write(&mut self) {
        match self {
            Transport::Plain(_) => {}
            Transport::Client(s) => {
                s.conn.send_close_notify();
                s.conn.write_tls(&mut s.sock).ok();
            }
            Transport::Server(s) => {
                s.conn.send_close_notify();
                s.conn.write_tls(&mut s.sock).ok();
            }
        }
        self.tcp().shutdown(std::net::Shutdown::Write).ok();
    }

    /// Write what the socket takes now, never waiting (the socket must be non-blocking):
    /// how much of `buf` was taken. TLS takes it into its own buffer and sends what the
    /// socket takes of that; the rest goes with the next call ([`Transport::wants_write`]).
    pub(crate) fn write_nonblocking(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Transport::Plain(s) => {
                let mut n = 0;
                while n < buf.len() {
                    match s.write(&buf[n..]) {
                        Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                        Ok(k) => n += k,
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                        Err(e) => return Err(e),
                    }
                }
                Ok(n)
            }
            Transport::Client(s) => tls_write_nonblocking(&mut s.conn, &mut s.sock, buf),
            Transport::Server(s) => tls_write_nonblocking(&mut s.conn, &mut s.sock, buf),
        }
    }

    /// Does TLS hold records the socket has not taken yet?
    pub(crate) fn wants_write(&self) -> bool {
        match self {
            Transport::Plain(_) => false,
            Transport::Client(s) => s.conn.wants_write(),
            Transport::Server(s) => s.conn.wants_write(),
        }
    }

    /// Shut the connection down both ways (after a TLS goodbye).
    pub(crate) fn shutdown(&mut self) {
        self.shutdown_write();
        self.tcp().shutdown(std::net::Shutdown::Both).ok();
    }
}

impl Read for Transport {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Transport::Plain(s) => s.read(buf),
            Transport::Client(s) => read_client(s, buf),
            Transport::Server(s) => s.read(buf),
        }
    }
}

/// `buf` into rustls's plaintext buffer (as much as its limit takes), and its records
/// to the socket until the socket would block.
fn tls_write_nonblocking<C, S>(conn: &mut C, sock: &mut TcpStream, buf: &[u8]) -> io::Result<usize>
where
    C: std::ops::DerefMut<Target = rustls::ConnectionCommon<S>>,
    S: rustls::SideData,
{
    let flush = |conn: &mut C, sock: &mut TcpStream| -> io::Result<()> {
        while conn.wants_write() {
            match conn.write_tls(sock) {
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(()),
                Err(e) => return Err(e),
            }
        }
        Ok(())
    };
    flush(conn, sock)?;
    let n = if buf.is_empty() {
        0
    } else {
        conn.writer().write(buf)?
    };
    flush(conn, sock)?;
    Ok(n)
}

/// Read plaintext without first flushing what rustls still has to send, as its `Stream`
/// does: when the PBX has gone away a failed write must not hide what it sent before.
fn read_client(
    s: &mut StreamOwned<ClientConnection, TcpStream>,
    buf: &mut [u8],
) -> io::Result<usize> {
    loop {
        match s.conn.reader().read(buf) {
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            done => return done, // data, a clean close (0) or an unclean one (UnexpectedEof)
        }
        if s.conn.read_tls(&mut s.sock)? == 0 {
            // The socket's end: let rustls tell a clean close from a cut.
            s.conn
                .process_new_packets()
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
            return match s.conn.reader().read(buf) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(0),
                done => done,
            };
        }
        s.conn
            .process_new_packets()
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
        if s.conn.wants_write() {
            // Alerts and key updates: best effort, reading goes on regardless.
            s.conn.write_tls(&mut s.sock).ok();
        }
    }
}

impl Write for Transport {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Transport::Plain(s) => s.write(buf),
            Transport::Client(s) => s.write(buf),
            Transport::Server(s) => s.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Transport::Plain(s) => s.flush(),
            Transport::Client(s) => s.flush(),
            Transport::Server(s) => s.flush(),
        }
    }
}

/// The explicit opt-out of certificate checks. Handshake signatures are still verified,
/// so the session keys are sound; only the PBX's identity is taken on trust.
#[derive(Debug)]
struct AcceptAnyCertificate(Arc<CryptoProvider>);

impl ServerCertVerifier for AcceptAnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
