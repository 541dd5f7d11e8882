//! The listening server: one thread accepts clients and serves each on a thread of its
//! own.

use super::client::Client;
use super::config::ReplayConfig;
use super::script::Script;
use super::shared::Shared;
use crate::source::tls;
use polling::{Event, Events, Poller};
use std::io;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// Longest wait for a connection before the accept loop looks at its stop flag again
/// (a backstop: stopping wakes it), so that hundreds of idle servers cost next to nothing.
pub(super) const ACCEPT_WAIT: Duration = Duration::from_secs(1);

/// A running stand-in server. Dropping it stops the server.
pub struct ReplayServer {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    /// Wakes the accept loop, which waits for connections here.
    poller: Arc<Poller>,
    clients: Arc<AtomicU64>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for ReplayServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReplayServer")
            .field("addr", &self.addr)
            .finish()
    }
}

impl ReplayServer {
    /// Listen on `host:port` (port 0 picks a free one) and serve every client in its own
    /// thread until [`ReplayServer::stop`].
    pub fn start(config: ReplayConfig, host: &str, port: u16) -> io::Result<Self> {
        let tls = match &config.tls {
            Some((cert, key)) => Some(tls::server(cert, key).map_err(io::Error::other)?),
            None => None,
        };
        let script = Script::new(&config.capture, config.start_at)?;
        let listener = TcpListener::bind((host, port))?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let stop = Arc::new(AtomicBool::new(false));
        let clients = Arc::new(AtomicU64::new(0));
        let shared = Arc::new(Shared {
            messages: script.messages,
            state: script.state,
            config,
            tls,
            stop: stop.clone(),
        });
        let counter = clients.clone();
        let poller = Arc::new(Poller::new()?);
        let waits = poller.clone();
        let thread = std::thread::Builder::new()
            .name(format!("ami-replay-{}", addr.port()))
            .spawn(move || accept_loop(listener, &waits, shared, counter))?;
        Ok(ReplayServer {
            addr,
            stop,
            poller,
            clients,
            thread: Some(thread),
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Connections accepted so far.
    pub fn clients(&self) -> u64 {
        self.clients.load(Ordering::Relaxed)
    }

    /// Stop accepting and end every client connection (within ~50 ms).
    pub fn stop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        self.poller.notify().ok();
        if let Some(t) = self.thread.take() {
            t.join().ok();
        }
    }
}

impl Drop for ReplayServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Accept clients until stopped, waiting in `poller` between them: a client is served as
/// soon as it connects (a benchmark's connection counts from there).
pub(super) fn accept_loop(
    listener: TcpListener,
    poller: &Poller,
    shared: Arc<Shared>,
    clients: Arc<AtomicU64>,
) {
    // SAFETY: the listener leaves the poller below, before it is dropped.
    if let Err(e) = unsafe { poller.add(&listener, Event::readable(0)) } {
        // Still served: each wait below then lasts its whole timeout.
        log::error!("replay server: cannot wait for connections: {e}");
    }
    let mut events = Events::new();
    // Each client's thread, and its connection, to wake it from a wait when stopping.
    let mut handlers: Vec<(JoinHandle<()>, Option<TcpStream>)> = Vec::new();
    while !shared.stop.load(Ordering::Relaxed) {
        match listener.accept() {
            Ok((stream, peer)) => {
                let n = clients.fetch_add(1, Ordering::Relaxed);
                let shared = shared.clone();
                let waker = stream.try_clone().ok();
                let spawned = std::thread::Builder::new()
                    .name(format!("ami-replay-client-{n}"))
                    .spawn(move || {
                        let served = Client::new(stream, &shared, n).and_then(|mut c| c.serve());
                        if let Err(e) = served {
                            log::debug!("replay server: client {peer}: {e}");
                        }
                    });
                match spawned {
                    Ok(h) => handlers.push((h, waker)),
                    Err(e) => log::error!("replay server: cannot start a client thread: {e}"),
                }
                handlers.retain(|(h, _)| !h.is_finished());
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                // One-shot interest: armed again before each wait. `stop` notifies.
                poller.modify(&listener, Event::readable(0)).ok();
                events.clear();
                poller.wait(&mut events, Some(ACCEPT_WAIT)).ok();
            }
            Err(e) => {
                log::error!("replay server: accept failed: {e}");
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
    poller.delete(&listener).ok();
    // A client waiting to read (lingering after its replay) wakes at once, says
    // Shutdown and closes.
    for (_, waker) in &handlers {
        if let Some(w) = waker {
            w.shutdown(std::net::Shutdown::Read).ok();
        }
    }
    for (h, _) in handlers {
        h.join().ok();
    }
}
