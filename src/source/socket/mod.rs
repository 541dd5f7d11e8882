//! A live AMI connection: connect with a timeout, log in (plain or MD5), then stream
//! events. Blocking I/O in bounded steps: `next_step(wait)` never blocks longer than
//! `wait` once connected, so callers can check for Ctrl-C or a stop flag between steps.

use super::passing::{Passing, SharedInterest};
use super::tls::{self, Transport};
use super::{Source, SourceError, Step, Tally, READ_CHUNK};
use crate::ami::{Action, Banner, DecodeStats, Decoder, Login, LoginStep, Message};
use std::io::{self, Read};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

mod boot;
mod config;
mod resync;
mod writing;
use boot::Boot;
pub use config::SocketConfig;
pub use writing::MAX_OUTGOING;

enum Phase {
    Connect,
    /// Resolving and connecting in a helper thread, so no step blocks on a PBX that
    /// never answers (a poll loop serving other PBXes must not wait for it).
    Connecting(crossbeam_channel::Receiver<Result<Transport, SourceError>>),
    Login {
        login: Box<Login>,
        deadline: Instant,
    },
    Streaming,
    /// Logged off (or going to): reading until `Goodbye`, the PBX closing, or the
    /// deadline, without delivering what comes.
    Closing {
        deadline: Instant,
    },
    Ending,
}

/// The AMI connection source.
pub struct Socket {
    config: SocketConfig,
    stream: Option<Transport>,
    decoder: Decoder,
    phase: Phase,
    tally: Tally,
    /// `None`: non-blocking; `Some(t)`: blocking reads with timeout `t`.
    read_timeout: Option<Duration>,
    nonblocking: bool,
    /// The last non-blocking read of a plain TCP stream filled less than the room it
    /// had: the kernel held no more then. A poll loop steps this socket again only when
    /// its descriptor is readable, so the next step need not read just to be told
    /// "nothing yet" (that read was half of a busy loop's system calls). TLS is never
    /// marked: its library may hold decrypted bytes the descriptor does not show.
    drained: bool,
    /// When the PBX last sent anything, and when our unanswered Ping went out.
    last_heard: Instant,
    ping_sent: Option<Instant>,
    pings: u64,
    /// The ActionID of our `ConfbridgeListRooms` and the rooms it listed so far, until
    /// its list completes and each room is asked for its members.
    rooms_sync: Option<(String, Vec<String>)>,
    /// Why one of our own actions could not be sent: the reason the stream ends.
    write_failed: Option<io::Error>,
    /// The `Shutdown:` of the PBX's `Event: Shutdown` (`Cleanly`, `Uncleanly`): it is
    /// going away, so the end of the stream that follows is expected.
    shutdown: Option<String>,
    /// Called by the connect thread once it has a result.
    connect_ended: Option<Wake>,
    /// Made and logged in by someone else ([`Socket::adopted`]): no Logoff of ours.
    adopted: bool,
    /// Called with the descriptor just before the connection is closed.
    closing: Option<Closing>,
    /// Events the reader does not want, passed over unread.
    passing: Passing,
    /// Whether the PBX has booted, and the resync's parts it answered before.
    boot: Boot,
    /// Actions encoded but not yet taken by the socket. Nothing is ever written blocking:
    /// one thread may serve a thousand PBXes, and a PBX that stops reading must not stop
    /// it (a poll loop waits for [`Socket::wants_write`]).
    outgoing: Vec<u8>,
}

/// Wakes whoever waits for a socket that has no descriptor to wait on yet (a poll loop
/// while the connect thread resolves and connects).
pub type Wake = std::sync::Arc<dyn Fn() + Send + Sync>;

/// Told a connection's descriptor just before the connection closes it.
pub type Closing = std::sync::Arc<dyn Fn(std::os::fd::RawFd) + Send + Sync>;

impl std::fmt::Debug for Socket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Socket")
            .field("name", &self.config.name)
            .field("address", &self.config.address())
            .field("username", &self.config.username)
            .finish_non_exhaustive()
    }
}

impl Socket {
    /// A socket that connects on its first `next_step`.
    pub fn new(config: SocketConfig) -> Self {
        let decoder = Decoder::with_limits(config.limits);
        Socket {
            config,
            stream: None,
            decoder,
            phase: Phase::Connect,
            tally: Tally::default(),
            read_timeout: None,
            nonblocking: false,
            drained: false,
            last_heard: Instant::now(),
            ping_sent: None,
            pings: 0,
            rooms_sync: None,
            write_failed: None,
            shutdown: None,
            connect_ended: None,
            adopted: false,
            closing: None,
            passing: Passing::default(),
            boot: Boot::default(),
            outgoing: Vec::new(),
        }
    }

    /// Call `closing` with the connection's descriptor just before it is closed: a poll
    /// loop must let go of a descriptor before it is closed (the number may be reused).
    pub fn closing(mut self, closing: Option<Closing>) -> Self {
        self.closing = closing;
        self
    }

    /// A connection someone else made and logged in on (hackamore.compat's Socket speaks
    /// the 2014 framework's login itself), read as it is: no login, resync, Ping or
    /// Logoff of ours.
    pub fn adopted(mut config: SocketConfig, tcp: TcpStream) -> io::Result<Self> {
        // The descriptor may come non-blocking (Python sockets with a timeout are);
        // reads here set their own mode and timeout.
        tcp.set_nonblocking(false)?;
        tcp.set_write_timeout(Some(config.connect_timeout))?;
        config.resync = false;
        config.ping_interval = None;
        let mut socket = Socket::new(config);
        socket.stream = Some(Transport::Plain(tcp));
        socket.phase = Phase::Streaming;
        socket.adopted = true;
        Ok(socket)
    }

    /// Call `wake` when a connect attempt ends: a poll loop has no descriptor to watch
    /// until then and would otherwise see the connection only at its next timeout.
    pub fn waking(mut self, wake: Option<Wake>) -> Self {
        self.connect_ended = wake;
        self
    }

    /// Deliver only the events `interest` wants (and answers to actions awaited, see
    /// [`Socket::want_everything`]); the rest are passed over unread but counted.
    pub fn interested(mut self, interest: Option<SharedInterest>) -> Self {
        self.passing.set_interest(interest);
        self
    }

    /// While answers to an action are awaited, every event is read whole.
    pub fn want_everything(&mut self, everything: bool) {
        self.passing.want_everything(everything);
    }

    /// Events passed over unread so far.
    pub fn passed_over(&self) -> u64 {
        self.tally.passed_over()
    }

    pub fn config(&self) -> &SocketConfig {
        &self.config
    }

    /// The connection's descriptor once connected, for a poll loop.
    pub fn raw_fd(&self) -> Option<std::os::fd::RawFd> {
        use std::os::fd::AsRawFd;
        self.stream.as_ref().map(|s| s.tcp().as_raw_fd())
    }

    /// When this connection next needs a step even if nothing arrives: the login's
    /// deadline, the keepalive's next Ping or its timeout, or now for a connection that
    /// has ended and still owes its END. `None`: only input (or a connect finishing,
    /// see [`Socket::waking`]) moves it on.
    pub fn next_due(&self) -> Option<Instant> {
        match &self.phase {
            Phase::Connect | Phase::Ending => Some(Instant::now()),
            Phase::Connecting(_) => None,
            Phase::Login { deadline, .. } | Phase::Closing { deadline } => Some(*deadline),
            Phase::Streaming => {
                let interval = self.config.ping_interval?;
                Some(match self.ping_sent {
                    Some(sent) => sent + self.config.ping_timeout,
                    None => self.last_heard + interval,
                })
            }
        }
    }

    /// Has the login been accepted (and the socket not ended)?
    pub fn is_streaming(&self) -> bool {
        matches!(self.phase, Phase::Streaming)
    }

    /// Resolve, connect (up to the connect timeout per address) and, for TLS, shake
    /// hands (up to the connect timeout again). Blocking: runs in a helper thread.
    fn connect_blocking(config: &SocketConfig) -> Result<Transport, SourceError> {
        let tcp = Self::connect_tcp(config)?;
        let Some(tls_config) = &config.tls else {
            return Ok(Transport::Plain(tcp));
        };
        let tls_error = |source| SourceError::Tls {
            pbx: config.name.clone(),
            addr: config.address(),
            source,
        };
        let mut conn = tls::client(tls_config, &config.host).map_err(tls_error)?;
        let mut tcp = tcp;
        tcp.set_read_timeout(Some(config.connect_timeout))
            .and_then(|()| tls::handshake(&mut conn, &mut tcp))
            .map_err(|e| tls_error(tls::TlsError::Handshake(e)))?;
        Ok(Transport::Client(Box::new(rustls::StreamOwned::new(
            conn, tcp,
        ))))
    }

    fn connect_tcp(config: &SocketConfig) -> Result<TcpStream, SourceError> {
        let connect_error = |source| SourceError::Connect {
            pbx: config.name.clone(),
            addr: config.address(),
            source,
        };
        let addrs = (config.host.as_str(), config.port)
            .to_socket_addrs()
            .map_err(connect_error)?;
        let mut last = io::Error::new(io::ErrorKind::NotFound, "host has no address");
        for a in addrs {
            match TcpStream::connect_timeout(&a, config.connect_timeout) {
                Ok(s) => {
                    s.set_nodelay(true).ok();
                    s.set_write_timeout(Some(config.connect_timeout)).ok();
                    return Ok(s);
                }
                Err(e) => last = e,
            }
        }
        Err(connect_error(last))
    }

    /// Start connecting in a helper thread; `Connecting` polls for the result.
    fn start_connect(&mut self) -> Result<(), SourceError> {
        let (tx, rx) = crossbeam_channel::bounded(1);
        let config = self.config.clone();
        let wake = self.connect_ended.clone();
        let spawned = std::thread::Builder::new()
            .name(format!("ami-connect-{}", self.config.name))
            .spawn(move || {
                tx.send(Self::connect_blocking(&config)).ok();
                if let Some(wake) = wake {
                    wake();
                }
            });
        if let Err(e) = spawned {
            return Err(SourceError::Connect {
                pbx: self.config.name.clone(),
                addr: self.config.address(),
                source: e,
            });
        }
        self.phase = Phase::Connecting(rx);
        Ok(())
    }

    /// Connected: start the login.
    fn begin_login(&mut self, stream: Transport) -> Result<Step, SourceError> {
        self.stream = Some(stream);
        let mut login = Login::new(
            self.config.username.clone(),
            self.config.secret.clone(),
            self.config.auth,
        );
        if !self.config.events {
            login = login.without_events();
        }
        let first = login.start();
        self.phase = Phase::Login {
            login: Box::new(login),
            deadline: Instant::now() + self.config.login_timeout,
        };
        self.send(&first)?;
        Ok(Step::Idle)
    }

    fn lost(&self, source: io::Error) -> SourceError {
        SourceError::ConnectionLost {
            pbx: self.config.name.clone(),
            addr: self.config.address(),
            source,
        }
    }

    /// Build an error and end the source (the next step delivers END).
    fn fail(&mut self, make: impl FnOnce(&Self) -> SourceError) -> SourceError {
        let e = make(self);
        self.drop_stream();
        self.phase = Phase::Ending;
        e
    }

    fn drop_stream(&mut self) {
        if let (Some(closing), Some(fd)) = (&self.closing, self.raw_fd()) {
            closing(fd);
        }
        if let Some(mut s) = self.stream.take() {
            s.shutdown();
        }
    }

    /// Read once, waiting at most `wait`. `Ok(false)`: nothing arrived. EOF is an error
    /// of kind `UnexpectedEof` so callers treat it as the peer leaving.
    fn read_some(&mut self, wait: Duration) -> io::Result<bool> {
        let stream = self.stream.as_mut().ok_or(io::ErrorKind::NotConnected)?;
        // A zero wait is a non-blocking read (a poll loop asks many sockets in turn).
        let nonblocking = wait.is_zero();
        if nonblocking != self.nonblocking {
            stream.tcp().set_nonblocking(nonblocking)?;
            self.nonblocking = nonblocking;
        }
        if !nonblocking && self.read_timeout != Some(wait) {
            stream.tcp().set_read_timeout(Some(wait))?;
            self.read_timeout = Some(wait);
        }
        let plain = matches!(stream, Transport::Plain(_));
        match self.decoder.read_with(READ_CHUNK, |room| stream.read(room)) {
            Ok(0) => Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => {
                self.drained = nonblocking && plain && n < READ_CHUNK;
                self.last_heard = Instant::now();
                self.ping_sent = None;
                Ok(true)
            }
            Err(e) if super::nothing_yet(&e) => Ok(false),
            Err(e) => Err(e),
        }
    }

    fn step_login(&mut self, wait: Duration) -> Result<Step, SourceError> {
        let Phase::Login { deadline, .. } = self.phase else {
            unreachable!("step_login outside the login phase");
        };
        // What a read brings is looked at before saying Idle: a poll loop steps this
        // socket again only when more arrives, which for a login answer already read
        // would be never.
        if let Err(e) = self.flush_outgoing() {
            return Err(self.fail(|s| s.lost(e)));
        }
        let mut read = false;
        loop {
            while let Some(m) = self.decoder.next_message() {
                let Phase::Login { login, .. } = &mut self.phase else {
                    unreachable!("the login phase ends only by returning");
                };
                match login.on_message(&m) {
                    LoginStep::Waiting => {}
                    LoginStep::Send(action) => self.send(&action)?,
                    LoginStep::Accepted(m) => {
                        log::info!(
                            "{}: logged in to {}",
                            self.config.name,
                            self.config.address()
                        );
                        self.phase = Phase::Streaming;
                        self.last_heard = Instant::now();
                        if self.config.resync {
                            self.start_resync()?;
                        }
                        return Ok(self.tally.deliver(m));
                    }
                    LoginStep::Refused(reason) => {
                        return Err(self.fail(|s| SourceError::Authentication {
                            pbx: s.config.name.clone(),
                            addr: s.config.address(),
                            username: s.config.username.clone(),
                            reason,
                        }));
                    }
                }
            }
            if read {
                return Ok(Step::Idle);
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(self.fail(|s| SourceError::Timeout {
                    pbx: s.config.name.clone(),
                    what: "login",
                    seconds: s.config.login_timeout.as_secs_f64(),
                }));
            }
            match self.read_some(wait.min(deadline - now)) {
                Ok(true) => read = true,
                Ok(false) => return Ok(Step::Idle),
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                    return Err(self.fail(|s| SourceError::Protocol {
                        pbx: s.config.name.clone(),
                        reason: "server closed the connection during login".into(),
                    }))
                }
                Err(e) => return Err(self.fail(|s| s.lost(e))),
            }
        }
    }

    /// Ping a quiet PBX; give up on one that stays silent after it. Any byte counts as
    /// an answer: a PBX busy sending events is alive. Returns how long reads may wait
    /// before this needs looking at again.
    fn keepalive(&mut self, wait: Duration) -> Result<Duration, SourceError> {
        let Some(interval) = self.config.ping_interval else {
            return Ok(wait);
        };
        let now = Instant::now();
        let due = match self.ping_sent {
            Some(sent) if now.duration_since(sent) >= self.config.ping_timeout => {
                self.decoder.finish();
                return Err(self.fail(|s| SourceError::Timeout {
                    pbx: s.config.name.clone(),
                    what: "Ping (connection half-open?)",
                    seconds: s.config.ping_timeout.as_secs_f64(),
                }));
            }
            Some(sent) => sent + self.config.ping_timeout,
            None if now.duration_since(self.last_heard) >= interval => {
                self.pings += 1;
                let ping =
                    Action::new("Ping").with("ActionID", format!("hackamore-ping-{}", self.pings));
                self.send_quietly(&ping)?;
                self.ping_sent = Some(now);
                now + self.config.ping_timeout
            }
            None => self.last_heard + interval,
        };
        Ok(wait.min(due.saturating_duration_since(now)))
    }

    fn deliver(&mut self, m: Message) -> Result<Step, SourceError> {
        if self.rooms_sync.is_some() {
            self.follow_rooms(&m)?;
        }
        if !self.boot.booted() {
            let again = self.boot.observe(&m);
            if !again.is_empty() {
                self.ask_again(again)?;
            }
        }
        if m.get("Event")
            .is_some_and(|e| e.eq_ignore_ascii_case(b"Shutdown"))
        {
            let how = m.get("Shutdown").unwrap_or_default();
            self.shutdown = Some(String::from_utf8_lossy(how).into_owned());
        }
        Ok(self.tally.deliver(m))
    }

    fn step_stream(&mut self, wait: Duration) -> Result<Step, SourceError> {
        self.flush_before_reading();
        if let Some(m) = self.passing.next(&mut self.decoder, &mut self.tally) {
            return self.deliver(m);
        }
        let wait = self.keepalive(wait)?;
        if wait.is_zero() && std::mem::take(&mut self.drained) {
            return Ok(Step::Idle);
        }
        match self.read_some(wait) {
            Ok(true) => match self.passing.next(&mut self.decoder, &mut self.tally) {
                Some(m) => self.deliver(m),
                None => Ok(Step::Idle),
            },
            Ok(false) => Ok(Step::Idle),
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                self.decoder.finish();
                if let Some(e) = self.write_failed.take() {
                    // Reset, not closed: the write saw it first.
                    return Err(self.fail(|s| s.lost(e)));
                }
                let (name, address) = (&self.config.name, self.config.address());
                match &self.shutdown {
                    Some(how) => log::info!("{name}: {address} shut down ({how})"),
                    None => log::warn!("{name}: {address} closed the connection"),
                }
                self.drop_stream();
                self.phase = Phase::Ending;
                Ok(self.tally.end())
            }
            Err(e) => {
                self.decoder.finish();
                Err(self.fail(|s| s.lost(e)))
            }
        }
    }
}

impl Source for Socket {
    fn name(&self) -> &str {
        &self.config.name
    }

    fn next_step(&mut self, wait: Duration) -> Result<Step, SourceError> {
        match self.phase {
            Phase::Connect => {
                if let Err(e) = self.start_connect() {
                    self.phase = Phase::Ending;
                    return Err(e);
                }
                Ok(Step::Idle)
            }
            Phase::Connecting(ref rx) => {
                let result = if wait.is_zero() {
                    rx.try_recv().map_err(|e| e.is_disconnected())
                } else {
                    rx.recv_timeout(wait).map_err(|e| e.is_disconnected())
                };
                match result {
                    Ok(Ok(stream)) => self.begin_login(stream),
                    Ok(Err(e)) => {
                        self.phase = Phase::Ending;
                        Err(e)
                    }
                    Err(false) => Ok(Step::Idle), // still connecting
                    Err(true) => {
                        self.phase = Phase::Ending;
                        Err(self.lost(io::Error::other("connect thread ended")))
                    }
                }
            }
            Phase::Login { .. } => self.step_login(wait),
            Phase::Streaming => self.step_stream(wait),
            Phase::Closing { .. } => Ok(self.step_closing(wait)),
            Phase::Ending => Ok(self.tally.end()),
        }
    }

    fn banner(&self) -> Option<&Banner> {
        self.decoder.banner()
    }

    fn recycle(&mut self, m: Message) {
        self.decoder.recycle(m);
    }

    fn stats(&self) -> DecodeStats {
        self.decoder.stats()
    }

    /// Log off politely (waiting up to [`writing::LOGOFF_WAIT`] for `Goodbye`), then close; see
    /// [`Socket::begin_close`] for the way that does not wait.
    fn close(&mut self) {
        self.begin_close();
        while let Phase::Closing { deadline } = self.phase {
            let left = deadline.saturating_duration_since(Instant::now());
            self.step_closing(left.max(Duration::from_millis(1)));
        }
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        self.drop_stream();
    }
}
