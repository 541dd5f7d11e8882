//! The project's stand-in PBX: an AMI server on loopback that greets, checks a login
//! (plain or MD5 challenge), then replays a capture to each client, optionally in random
//! small pieces, slowly, with garbage between messages, or cut off mid-stream.

use super::tls::{self, Transport};
use crate::ami::{md5_key, Banner, Decoder, Message, Secret};
use polling::{Event, Events, Poller};
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How the stand-in server behaves. Build with [`ReplayConfig::new`] and adjust fields.
#[derive(Clone, Debug)]
pub struct ReplayConfig {
    /// The capture to replay (raw AMI bytes; its own banner and recorded login answer
    /// are replaced by this server's).
    pub capture: Vec<u8>,
    pub username: String,
    pub secret: Secret,
    /// Version in the banner; defaults to the capture's own banner, else `13.0.0`.
    pub version: String,
    /// Write the stream in random pieces of 1..=piece bytes (None: as fast as possible).
    pub piece: Option<usize>,
    /// Pause after each piece (or each message when `piece` is None).
    pub delay: Duration,
    /// Chance, per message, of a garbage block (random bytes, no `:`) before it.
    pub garbage: f64,
    /// Close the connection abruptly after this many bytes of the replay.
    pub cut_after: Option<usize>,
    /// After this many bytes of the replay, go silent: neither read nor write, yet keep
    /// the connection open (a half-open peer), until the server stops.
    pub stall_after: Option<usize>,
    /// After the replay, keep the connection open answering actions until the client
    /// logs off (otherwise close it, as a PBX that went away).
    pub linger: bool,
    /// Answer login actions (false: a server that never answers the login).
    pub answer_login: bool,
    /// Seed of the piece sizes, garbage and challenges, for reproducible runs.
    pub seed: u64,
    /// Speak TLS with this certificate chain and private key (PEM files).
    pub tls: Option<(PathBuf, PathBuf)>,
    /// Start the replay right after recorded checkpoint `k` (the capture's answers to
    /// `CoreShowChannels` with ActionID `truth-k` and `ConfbridgeList` with `conf-k`, and
    /// where recorded `BridgeList` with `bridges-k`, `ParkedCalls` with `parked-k` and
    /// `QueueStatus` with `queues-k`), as a PBX that was mid-call when the client
    /// connected; those actions, `Status` and `ConfbridgeListRooms` are then answered
    /// with that state.
    pub start_at: Option<u32>,
}

impl ReplayConfig {
    pub fn new(capture: Vec<u8>, username: impl Into<String>, secret: Secret) -> Self {
        let version = capture_banner(&capture)
            .map(|b| b.version)
            .unwrap_or_else(|| "13.0.0".into());
        ReplayConfig {
            capture,
            username: username.into(),
            secret,
            version,
            piece: None,
            delay: Duration::ZERO,
            garbage: 0.0,
            cut_after: None,
            stall_after: None,
            linger: false,
            answer_login: true,
            seed: 1,
            tls: None,
            start_at: None,
        }
    }
}

fn capture_banner(capture: &[u8]) -> Option<Banner> {
    let end = memchr::memchr(b'\n', capture)?;
    let line = &capture[..end];
    Banner::parse(line.strip_suffix(b"\r").unwrap_or(line))
}

/// The capture cut into messages (wire bytes, each with its blank line), without its
/// banner and without the recorded login answer.
fn replay_messages(capture: &[u8]) -> Vec<Vec<u8>> {
    let mut d = Decoder::new();
    d.feed(capture);
    let mut out: Vec<Vec<u8>> = Vec::new();
    let mut prev = 0u64;
    while let Some(m) = d.next_message() {
        let end = d.resume_offset();
        let recorded_login = out.is_empty()
            && m.response().is_some()
            && m.get_str("Message")
                .is_some_and(|t| t.contains("Authentication accepted"));
        if !recorded_login {
            // Keep the exact bytes (Follows bodies, bare LF) rather than re-encoding.
            let raw = &capture[prev as usize..end as usize];
            let raw = match capture_banner(raw) {
                Some(_) => &raw[memchr::memchr(b'\n', raw).map_or(0, |i| i + 1)..],
                None => raw,
            };
            out.push(raw.to_vec());
        }
        prev = end;
    }
    out
}

/// Longest wait for a connection before the accept loop looks at its stop flag again
/// (a backstop: stopping wakes it).
const ACCEPT_WAIT: Duration = Duration::from_millis(100);

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

struct Shared {
    config: ReplayConfig,
    messages: Vec<Vec<u8>>,
    /// The PBX's state where the replay starts, when started at a checkpoint.
    state: Option<State>,
    stop: Arc<AtomicBool>,
    tls: Option<Arc<rustls::ServerConfig>>,
}

/// What a PBX started at a checkpoint reports about itself.
struct State {
    /// The recorded `CoreShowChannel` entries.
    channels: Vec<Message>,
    /// The recorded `ConfbridgeList` entries by conference (none: no conference).
    rooms: Vec<(String, Vec<Message>)>,
    /// Channel variables set before the checkpoint (`VarSet`): Uniqueid -> (name, value),
    /// the name without its inheritance prefix.
    variables: std::collections::HashMap<String, Vec<(String, String)>>,
    /// The recorded `BridgeListItem` entries, if the capture has them.
    bridges: Option<Vec<Message>>,
    /// The recorded `ParkedCall` lines of `ParkedCalls`.
    parked: Vec<Message>,
    /// The recorded `QueueParams`, `QueueMember` and `QueueEntry` lines of `QueueStatus`.
    queues: Vec<Message>,
}

/// The messages to replay, and the state at their start.
struct Script {
    messages: Vec<Vec<u8>>,
    state: Option<State>,
}

impl Script {
    fn new(capture: &[u8], start_at: Option<u32>) -> io::Result<Self> {
        let mut messages = replay_messages(capture);
        let Some(k) = start_at else {
            return Ok(Script {
                messages,
                state: None,
            });
        };
        let (truth, conf) = (format!("truth-{k}"), format!("conf-{k}"));
        let [bridges, parked, queues] = ["bridges", "parked", "queues"].map(|kind| {
            let id = format!("{kind}-{k}");
            // Only what the capture recorded is waited for.
            let recorded = messages.iter().any(|raw| {
                let needle = format!("ActionID: {id}\r\n");
                raw.windows(needle.len()).any(|w| w == needle.as_bytes())
            });
            (id, recorded)
        });
        let mut state = State {
            channels: Vec::new(),
            rooms: Vec::new(),
            variables: Default::default(),
            bridges: bridges.1.then(Vec::new),
            parked: Vec::new(),
            queues: Vec::new(),
        };
        let (mut truth_done, mut conf_done, mut start) = (false, false, None);
        let mut optional_done = [!bridges.1, !parked.1, !queues.1];
        for (i, raw) in messages.iter().enumerate() {
            let mut d = Decoder::new();
            d.feed(raw);
            let Some(m) = d.next_message() else { continue };
            let id = m.get_str("ActionID").unwrap_or_default().into_owned();
            match m.event().as_deref() {
                Some("BridgeListItem") if id == bridges.0 => {
                    state.bridges.get_or_insert_with(Vec::new).push(m);
                }
                Some("BridgeListComplete") if id == bridges.0 => optional_done[0] = true,
                Some("ParkedCall") if id == parked.0 => state.parked.push(m),
                Some("ParkedCallsComplete") if id == parked.0 => optional_done[1] = true,
                Some("QueueParams" | "QueueMember" | "QueueEntry") if id == queues.0 => {
                    state.queues.push(m);
                }
                Some("QueueStatusComplete") if id == queues.0 => optional_done[2] = true,
                Some("VarSet") => {
                    let uid = m.get_str("Uniqueid").unwrap_or_default().into_owned();
                    let name = m.get_str("Variable").unwrap_or_default();
                    let name = name.trim_start_matches('_').to_string();
                    let value = m.get_str("Value").unwrap_or_default().into_owned();
                    let vars = state.variables.entry(uid).or_default();
                    vars.retain(|(n, _)| *n != name);
                    vars.push((name, value));
                }
                Some("CoreShowChannel") if id == truth => state.channels.push(m),
                Some("CoreShowChannelsComplete") if id == truth => truth_done = true,
                Some("ConfbridgeList") if id == conf => {
                    let room = m.get_str("Conference").unwrap_or_default().into_owned();
                    match state.rooms.iter_mut().find(|(r, _)| *r == room) {
                        Some((_, entries)) => entries.push(m),
                        None => state.rooms.push((room, vec![m])),
                    }
                }
                Some("ConfbridgeListComplete") if id == conf => conf_done = true,
                None if id == conf && m.response().as_deref() == Some("Error") => conf_done = true,
                _ => {}
            }
            if truth_done && conf_done && optional_done.iter().all(|d| *d) {
                start = Some(i + 1);
                break;
            }
        }
        let Some(start) = start else {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("the capture has no complete checkpoint {k} (truth-{k} and conf-{k})"),
            ));
        };
        messages.drain(..start);
        Ok(Script {
            messages,
            state: Some(state),
        })
    }
}

/// Accept clients until stopped, waiting in `poller` between them: a client is served as
/// soon as it connects (a benchmark's connection counts from there).
fn accept_loop(
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
    let mut handlers: Vec<JoinHandle<()>> = Vec::new();
    while !shared.stop.load(Ordering::Relaxed) {
        match listener.accept() {
            Ok((stream, peer)) => {
                let n = clients.fetch_add(1, Ordering::Relaxed);
                let shared = shared.clone();
                let spawned = std::thread::Builder::new()
                    .name(format!("ami-replay-client-{n}"))
                    .spawn(move || {
                        let served = Client::new(stream, &shared, n).and_then(|mut c| c.serve());
                        if let Err(e) = served {
                            log::debug!("replay server: client {peer}: {e}");
                        }
                    });
                match spawned {
                    Ok(h) => handlers.push(h),
                    Err(e) => log::error!("replay server: cannot start a client thread: {e}"),
                }
                handlers.retain(|h| !h.is_finished());
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
    for h in handlers {
        h.join().ok();
    }
}

/// Deterministic xorshift64* generator: reproducible pieces and garbage from a seed.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn chance(&mut self, p: f64) -> bool {
        ((self.next() >> 11) as f64 / (1u64 << 53) as f64) < p
    }
}

enum Flow {
    Continue,
    Close,
}

/// Which state queries a client has had answered.
#[derive(Default)]
struct Answered {
    channels: bool,
    rooms: bool,
    room_lists: usize,
    parked: bool,
    queues: bool,
}

struct Client<'a> {
    stream: Transport,
    shared: &'a Shared,
    decoder: Decoder,
    rng: Rng,
    challenge: Option<String>,
    written: usize,
    /// State queries answered.
    answered: Answered,
    /// Channel variables set by `Setvar` ((channel, variable) -> value; "" for globals).
    variables: std::collections::HashMap<(String, String), String>,
}

impl<'a> Client<'a> {
    /// A client connection; over TLS once the handshake is done.
    fn new(mut tcp: TcpStream, shared: &'a Shared, n: u64) -> io::Result<Self> {
        tcp.set_nonblocking(false)?;
        let stream = match &shared.tls {
            Some(config) => {
                let mut conn =
                    rustls::ServerConnection::new(config.clone()).map_err(io::Error::other)?;
                tcp.set_read_timeout(Some(Duration::from_secs(5)))?;
                tls::handshake(&mut conn, &mut tcp)?;
                Transport::Server(Box::new(rustls::StreamOwned::new(conn, tcp)))
            }
            None => Transport::Plain(tcp),
        };
        Ok(Client {
            stream,
            shared,
            decoder: Decoder::new(),
            rng: Rng::new(shared.config.seed.wrapping_add(n)),
            challenge: None,
            written: 0,
            answered: Answered::default(),
            variables: Default::default(),
        })
    }

    fn stopping(&self) -> bool {
        self.shared.stop.load(Ordering::Relaxed)
    }

    fn serve(&mut self) -> io::Result<()> {
        self.stream.tcp().set_nodelay(true).ok();
        self.stream
            .tcp()
            .set_read_timeout(Some(Duration::from_millis(20)))?;
        let banner = format!("Asterisk Call Manager/{}\r\n", self.shared.config.version);
        self.stream.write_all(banner.as_bytes())?;
        if !self.login()? {
            return self.close();
        }
        if let Flow::Close = self.answer_state_queries()? {
            return self.close();
        }
        let messages = &self.shared.messages;
        let cfg = &self.shared.config;
        if cfg.piece.is_none()
            && cfg.delay.is_zero()
            && cfg.garbage == 0.0
            && cfg.cut_after.is_none()
            && cfg.stall_after.is_none()
        {
            // Full speed: whole messages in 64 KiB writes (a syscall per message would make
            // the stand-in server the bottleneck of any throughput measurement).
            let mut batch = Vec::with_capacity(64 * 1024);
            for raw in messages {
                batch.extend_from_slice(raw);
                if batch.len() >= 64 * 1024 {
                    if self.stopping() {
                        return self.close();
                    }
                    if let Flow::Close = self.answer_actions(Duration::ZERO)? {
                        return self.close();
                    }
                    self.stream.write_all(&batch)?;
                    batch.clear();
                }
            }
            self.stream.write_all(&batch)?;
            return self.finish();
        }
        for raw in messages {
            if self.stopping() {
                return self.close();
            }
            if let Flow::Close = self.answer_actions(Duration::ZERO)? {
                return self.close();
            }
            if self.shared.config.garbage > 0.0 && self.rng.chance(self.shared.config.garbage) {
                let junk = self.garbage();
                if let Flow::Close = self.write_paced(&junk)? {
                    return self.close();
                }
            }
            if let Flow::Close = self.write_paced(raw)? {
                return self.close();
            }
        }
        self.finish()
    }

    /// A PBX started at a checkpoint holds its events until the client's state queries
    /// are answered (or a second has passed), so each answer is the state the replay
    /// starts from.
    fn answer_state_queries(&mut self) -> io::Result<Flow> {
        let Some(state) = &self.shared.state else {
            return Ok(Flow::Continue);
        };
        let rooms = state.rooms.len();
        let deadline = Instant::now() + Duration::from_secs(1);
        while Instant::now() < deadline && !self.stopping() {
            let a = &self.answered;
            if a.channels && a.rooms && a.room_lists >= rooms && a.parked && a.queues {
                break;
            }
            if let Flow::Close = self.answer_actions(Duration::from_millis(10))? {
                return Ok(Flow::Close);
            }
        }
        Ok(Flow::Continue)
    }

    /// After the replay: linger answering actions, or close.
    fn finish(&mut self) -> io::Result<()> {
        if self.shared.config.linger {
            while !self.stopping() {
                if let Flow::Close = self.answer_actions(Duration::from_millis(20))? {
                    break;
                }
            }
        }
        self.close()
    }

    /// End the connection without resetting it: FIN first, then read and drop what the
    /// client still sends (its last actions, its Logoff) until it closes too, for up to a
    /// second. Closing with unread input would send a reset, and a reset destroys what
    /// the client has received but not yet read: the end of the replay.
    fn close(&mut self) -> io::Result<()> {
        self.stream.shutdown_write();
        let deadline = Instant::now() + Duration::from_secs(1);
        let mut sink = [0u8; 4096];
        self.stream
            .tcp()
            .set_read_timeout(Some(Duration::from_millis(20)))
            .ok();
        while Instant::now() < deadline && !self.stopping() {
            match self.stream.read(&mut sink) {
                Ok(0) => break,
                Ok(_) => {}
                Err(e) if super::nothing_yet(&e) => {}
                Err(_) => break,
            }
        }
        self.stream.shutdown();
        Ok(())
    }

    /// Random bytes with no `:` (so they never form a field that means something), NUL,
    /// lone CR/LF and high bytes included, then a blank line to end the bogus message.
    fn garbage(&mut self) -> Vec<u8> {
        let n = 1 + self.rng.below(200) as usize;
        let mut junk: Vec<u8> = (0..n)
            .map(|_| match self.rng.next() as u8 {
                b':' => b'?',
                b => b,
            })
            .collect();
        junk.extend_from_slice(b"\r\n\r\n");
        junk
    }

    /// Write bytes in pieces with pacing; stop at `cut_after`.
    fn write_paced(&mut self, mut bytes: &[u8]) -> io::Result<Flow> {
        let cfg = &self.shared.config;
        while !bytes.is_empty() {
            let mut n = match cfg.piece {
                Some(max) => 1 + self.rng.below(max.max(1) as u64) as usize,
                None => bytes.len(),
            }
            .min(bytes.len());
            if let Some(cut) = cfg.cut_after {
                n = n.min(cut.saturating_sub(self.written));
                if n == 0 {
                    return Ok(Flow::Close);
                }
            }
            if let Some(stall) = cfg.stall_after {
                n = n.min(stall.saturating_sub(self.written));
                if n == 0 {
                    while !self.stopping() {
                        std::thread::sleep(Duration::from_millis(20));
                    }
                    return Ok(Flow::Close);
                }
            }
            self.stream.write_all(&bytes[..n])?;
            self.written += n;
            bytes = &bytes[n..];
            if !cfg.delay.is_zero() {
                std::thread::sleep(cfg.delay);
            }
            if self.stopping() {
                return Ok(Flow::Close);
            }
        }
        Ok(Flow::Continue)
    }

    /// Read what the client sent (waiting up to `wait`) and answer each action.
    fn answer_actions(&mut self, wait: Duration) -> io::Result<Flow> {
        if !self.read_into_decoder(wait)? {
            return Ok(Flow::Close);
        }
        while let Some(action) = self.decoder.next_message() {
            if let Flow::Close = self.answer(&action)? {
                return Ok(Flow::Close);
            }
        }
        Ok(Flow::Continue)
    }

    /// `Ok(false)` when the client has gone.
    fn read_into_decoder(&mut self, wait: Duration) -> io::Result<bool> {
        let mut buf = [0u8; 4096];
        if wait.is_zero() {
            self.stream.tcp().set_nonblocking(true)?;
        } else {
            self.stream.tcp().set_read_timeout(Some(wait))?;
        }
        let r = self.stream.read(&mut buf);
        if wait.is_zero() {
            self.stream.tcp().set_nonblocking(false)?;
        }
        match r {
            Ok(0) => Ok(false),
            Ok(n) => {
                self.decoder.feed(&buf[..n]);
                Ok(true)
            }
            Err(e) if super::nothing_yet(&e) => Ok(true),
            Err(e) if e.kind() == io::ErrorKind::ConnectionReset => Ok(false),
            Err(e) => Err(e),
        }
    }

    fn respond(&mut self, action: &Message, kind: &str, fields: &[(&str, &str)]) -> io::Result<()> {
        let mut m = Message::new();
        m.push("Response", kind);
        if let Some(id) = action.get("ActionID") {
            m.push("ActionID", id);
        }
        for (k, v) in fields {
            m.push(k, v);
        }
        self.stream.write_all(&m.to_wire())
    }

    /// Wait for a successful login. `Ok(false)`: refused or the client left.
    fn login(&mut self) -> io::Result<bool> {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline && !self.stopping() {
            if !self.read_into_decoder(Duration::from_millis(20))? {
                return Ok(false);
            }
            while let Some(action) = self.decoder.next_message() {
                if !self.shared.config.answer_login {
                    continue;
                }
                let name = action
                    .get_str("Action")
                    .unwrap_or_default()
                    .to_ascii_lowercase();
                match name.as_str() {
                    "challenge" => {
                        let challenge = format!("{}", 100_000_000 + self.rng.below(900_000_000));
                        self.respond(&action, "Success", &[("Challenge", &challenge)])?;
                        self.challenge = Some(challenge);
                    }
                    "login" => {
                        if self.credentials_ok(&action) {
                            self.respond(
                                &action,
                                "Success",
                                &[("Message", "Authentication accepted")],
                            )?;
                            return Ok(true);
                        }
                        self.respond(&action, "Error", &[("Message", "Authentication failed")])?;
                        return Ok(false);
                    }
                    "logoff" => {
                        self.respond(
                            &action,
                            "Goodbye",
                            &[("Message", "Thanks for all the fish.")],
                        )?;
                        return Ok(false);
                    }
                    _ => self.respond(&action, "Error", &[("Message", "Permission denied")])?,
                }
            }
        }
        Ok(false)
    }

    fn credentials_ok(&self, login: &Message) -> bool {
        let cfg = &self.shared.config;
        if login.get("Username") != Some(cfg.username.as_bytes()) {
            return false;
        }
        let md5 = login
            .get_str("AuthType")
            .is_some_and(|t| t.eq_ignore_ascii_case("md5"));
        match (md5, &self.challenge) {
            (true, Some(c)) => login.get("Key") == Some(md5_key(c, cfg.secret.expose()).as_bytes()),
            (true, None) => false,
            (false, _) => login.get("Secret") == Some(cfg.secret.expose().as_bytes()),
        }
    }

    fn answer(&mut self, action: &Message) -> io::Result<Flow> {
        let name = action
            .get_str("Action")
            .unwrap_or_default()
            .to_ascii_lowercase();
        match name.as_str() {
            "logoff" => {
                self.respond(
                    action,
                    "Goodbye",
                    &[("Message", "Thanks for all the fish.")],
                )?;
                Ok(Flow::Close)
            }
            "ping" => {
                self.respond(action, "Success", &[("Ping", "Pong")])?;
                Ok(Flow::Continue)
            }
            "originate" | "hangup" | "redirect" | "setvar" | "getvar" | "command" => {
                self.answer_common(&name, action)
            }
            // The recorded answer at the checkpoint (none recorded: nobody parked, no
            // queue); without a checkpoint, refused like the other state queries.
            "parkedcalls" if self.shared.state.is_some() => {
                self.answered.parked = true;
                let entries = self.shared.state.as_ref().map(|s| &s.parked[..]);
                let list = List {
                    message: "Parked calls will follow",
                    entries: entries.unwrap_or_default(),
                    complete: "ParkedCallsComplete",
                };
                self.stream.write_all(&list.wire(action))?;
                Ok(Flow::Continue)
            }
            "queuestatus" if self.shared.state.is_some() => {
                self.answered.queues = true;
                let queue = action.get("Queue").filter(|q| !q.is_empty());
                let entries: Vec<Message> = self
                    .shared
                    .state
                    .iter()
                    .flat_map(|s| &s.queues)
                    .filter(|m| queue.is_none() || m.get("Queue") == queue)
                    .cloned()
                    .collect();
                let list = List {
                    message: "Queue status will follow",
                    entries: &entries,
                    complete: "QueueStatusComplete",
                };
                self.stream.write_all(&list.wire(action))?;
                Ok(Flow::Continue)
            }
            // Answered when an event comes or its Timeout passes; here, never: what a
            // client's timeout is for.
            "waitevent" => Ok(Flow::Continue),
            "bridgelist"
                if self
                    .shared
                    .state
                    .as_ref()
                    .is_some_and(|s| s.bridges.is_some()) =>
            {
                let state = self.shared.state.as_ref().expect("checked");
                let list = List {
                    message: "Bridge listing will follow",
                    entries: state.bridges.as_deref().unwrap_or_default(),
                    complete: "BridgeListComplete",
                };
                self.stream.write_all(&list.wire(action))?;
                Ok(Flow::Continue)
            }
            "bridgelist" if self.shared.state.is_some() => {
                // Not recorded: made from the channels' BridgeIds (all basic bridges).
                let state = self.shared.state.as_ref().expect("checked");
                let mut bridges: Vec<(String, usize)> = Vec::new();
                for c in &state.channels {
                    let id = c.get_str("BridgeId").unwrap_or_default().into_owned();
                    match bridges.iter_mut().find(|(b, _)| *b == id) {
                        _ if id.is_empty() => {}
                        Some((_, n)) => *n += 1,
                        None => bridges.push((id, 1)),
                    }
                }
                let items: Vec<Message> = bridges
                    .iter()
                    .map(|(id, n)| {
                        let mut m = Message::new();
                        m.push("Event", "BridgeListItem");
                        m.push("BridgeUniqueid", id);
                        m.push("BridgeType", "basic");
                        m.push("BridgeTechnology", "simple_bridge");
                        m.push("BridgeNumChannels", n.to_string());
                        m
                    })
                    .collect();
                let list = List {
                    message: "Bridge listing will follow",
                    entries: &items,
                    complete: "BridgeListComplete",
                };
                self.stream.write_all(&list.wire(action))?;
                Ok(Flow::Continue)
            }
            "coreshowchannels" if self.shared.state.is_some() => {
                let state = self.shared.state.as_ref().expect("checked");
                let list = List {
                    message: "Channels will follow",
                    entries: &state.channels,
                    complete: "CoreShowChannelsComplete",
                };
                self.stream.write_all(&list.wire(action))?;
                self.answered.channels = true;
                Ok(Flow::Continue)
            }
            "status" if self.shared.state.is_some() => {
                // Not recorded: made from the listed channels and the variables they had
                // been given by then, as `Variable: NAME=value` lines.
                let state = self.shared.state.as_ref().expect("checked");
                let wanted = action.get_str("Variables").unwrap_or_default().into_owned();
                let wanted: Vec<&str> = wanted.split(',').map(str::trim).collect();
                let entries: Vec<Message> = state
                    .channels
                    .iter()
                    .map(|c| {
                        let mut m = Message::new();
                        m.push("Event", "Status");
                        for key in [
                            "Channel",
                            "ChannelState",
                            "ChannelStateDesc",
                            "CallerIDNum",
                            "Uniqueid",
                            "Linkedid",
                            "Application",
                        ] {
                            m.push(key, c.get(key).unwrap_or_default());
                        }
                        m.push("BridgeID", c.get("BridgeId").unwrap_or_default());
                        let uid = c.get_str("Uniqueid").unwrap_or_default();
                        let set = state.variables.get(uid.as_ref());
                        for name in wanted.iter().filter(|n| !n.is_empty()) {
                            let value = set
                                .and_then(|v| v.iter().find(|(n, _)| n == name))
                                .map_or("", |(_, v)| v.as_str());
                            m.push("Variable", format!("{name}={value}"));
                        }
                        m
                    })
                    .collect();
                let list = List {
                    message: "Channel status will follow",
                    entries: &entries,
                    complete: "StatusComplete",
                };
                self.stream.write_all(&list.wire(action))?;
                Ok(Flow::Continue)
            }
            "confbridgelistrooms" if self.shared.state.is_some() => {
                self.answered.rooms = true;
                let state = self.shared.state.as_ref().expect("checked");
                if state.rooms.is_empty() {
                    self.respond(action, "Error", &[("Message", "No active conferences.")])?;
                    return Ok(Flow::Continue);
                }
                let rooms: Vec<Message> = state
                    .rooms
                    .iter()
                    .map(|(room, entries)| {
                        let mut m = Message::new();
                        m.push("Event", "ConfbridgeListRooms");
                        m.push("Conference", room);
                        m.push("Parties", entries.len().to_string());
                        m.push("Marked", "0");
                        m.push("Locked", "No");
                        m.push("Muted", "No");
                        m
                    })
                    .collect();
                let list = List {
                    message: "Confbridge conferences will follow",
                    entries: &rooms,
                    complete: "ConfbridgeListRoomsComplete",
                };
                self.stream.write_all(&list.wire(action))?;
                Ok(Flow::Continue)
            }
            "confbridgelist" if self.shared.state.is_some() => {
                self.answered.room_lists += 1;
                let state = self.shared.state.as_ref().expect("checked");
                let room = action.get_str("Conference").unwrap_or_default();
                match state.rooms.iter().find(|(r, _)| *r == room) {
                    Some((_, entries)) => {
                        let list = List {
                            message: "Confbridge user list will follow",
                            entries,
                            complete: "ConfbridgeListComplete",
                        };
                        self.stream.write_all(&list.wire(action))?;
                    }
                    None => self.respond(
                        action,
                        "Error",
                        &[("Message", "No Conference by that name found.")],
                    )?,
                }
                Ok(Flow::Continue)
            }
            _ => {
                self.respond(action, "Error", &[("Message", "Invalid/unknown command")])?;
                Ok(Flow::Continue)
            }
        }
    }
}

impl Client<'_> {
    /// The common actions, answered as Asterisk 13 does (without doing any of it).
    fn answer_common(&mut self, name: &str, action: &Message) -> io::Result<Flow> {
        let text = |k: &str| action.get_str(k).map(|v| v.into_owned());
        let missing = |what: &str| format!("No {what} specified");
        match name {
            "originate" => match text("Channel") {
                Some(_) => self.respond(
                    action,
                    "Success",
                    &[("Message", "Originate successfully queued")],
                )?,
                None => self.respond(action, "Error", &[("Message", &missing("channel"))])?,
            },
            "hangup" => match text("Channel") {
                Some(c) if c.contains('/') => {
                    self.respond(action, "Success", &[("Message", "Channel Hungup")])?
                }
                Some(_) => self.respond(action, "Error", &[("Message", "No such channel")])?,
                None => self.respond(action, "Error", &[("Message", &missing("channel"))])?,
            },
            "redirect" => match (text("Channel"), text("Exten")) {
                (Some(_), Some(_)) => {
                    self.respond(action, "Success", &[("Message", "Redirect successful")])?
                }
                _ => self.respond(
                    action,
                    "Error",
                    &[("Message", &missing("channel or exten"))],
                )?,
            },
            "setvar" => match (text("Variable"), text("Value")) {
                (Some(var), value) => {
                    let channel = text("Channel").unwrap_or_default();
                    self.variables
                        .insert((channel, var), value.unwrap_or_default());
                    self.respond(action, "Success", &[("Message", "Variable Set")])?
                }
                (None, _) => self.respond(action, "Error", &[("Message", &missing("variable"))])?,
            },
            "getvar" => match text("Variable") {
                Some(var) => {
                    let channel = text("Channel").unwrap_or_default();
                    let value = self
                        .variables
                        .get(&(channel, var.clone()))
                        .cloned()
                        .unwrap_or_default();
                    self.respond(action, "Success", &[("Variable", &var), ("Value", &value)])?
                }
                None => self.respond(action, "Error", &[("Message", &missing("variable"))])?,
            },
            "command" => {
                let command = text("Command").unwrap_or_default();
                let output = if command.trim() == "core show version" {
                    format!(
                        "Asterisk {} built by the hackamore stand-in server",
                        self.shared.config.version
                    )
                } else {
                    format!("No such command '{command}' (type 'core show help {command}' for other possible commands)")
                };
                self.respond(
                    action,
                    "Success",
                    &[("Message", "Command output follows"), ("Output", &output)],
                )?
            }
            _ => unreachable!("answer_common called for {name}"),
        }
        Ok(Flow::Continue)
    }
}

/// An event list answer: a `Response: Success` opening it, the entries (with the
/// asker's ActionID), and the `...Complete` event.
struct List<'a> {
    message: &'a str,
    entries: &'a [Message],
    complete: &'a str,
}

impl List<'_> {
    fn wire(&self, action: &Message) -> Vec<u8> {
        let mut out = Vec::new();
        let id = action.get("ActionID").unwrap_or_default();
        let mut head = Message::new();
        head.push("Response", "Success");
        head.push("ActionID", id);
        head.push("EventList", "start");
        head.push("Message", self.message);
        out.extend(head.to_wire());
        for e in self.entries {
            let mut m = Message::new();
            for (k, v) in e.fields() {
                let v = if k.eq_ignore_ascii_case(b"ActionID") {
                    id
                } else {
                    v
                };
                m.push(k, v);
            }
            if m.get("ActionID").is_none() {
                m.push("ActionID", id);
            }
            out.extend(m.to_wire());
        }
        let mut done = Message::new();
        done.push("Event", self.complete);
        done.push("ActionID", id);
        done.push("EventList", "Complete");
        done.push("ListItems", self.entries.len().to_string());
        out.extend(done.to_wire());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replay_drops_banner_and_recorded_login() {
        let capture = b"Asterisk Call Manager/2.10.0\r\nResponse: Success\r\nActionID: rec-1\r\nMessage: Authentication accepted\r\n\r\nEvent: FullyBooted\r\n\r\n";
        let ms = replay_messages(capture);
        assert_eq!(ms, vec![b"Event: FullyBooted\r\n\r\n".to_vec()]);
        assert_eq!(capture_banner(capture).unwrap().version, "2.10.0");
    }

    #[test]
    fn seeds_make_different_streams_and_below_covers_its_range() {
        // Pieces and garbage vary with the seed (a test can try several); `below(n)`
        // gives every value under n and nothing else.
        let (mut a, mut b) = (Rng::new(1), Rng::new(2));
        assert!((0..100).any(|_| a.next() != b.next()));
        let mut seen = [0u32; 7];
        for _ in 0..7_000 {
            seen[usize::try_from(a.below(7)).unwrap()] += 1;
        }
        assert!(seen.iter().all(|&n| n > 700), "{seen:?}");
        assert_eq!(Rng::new(3).below(0), 0);
    }
}
