//! A feed: one source under supervision. A server feed reconnects after its connection
//! ends or is refused (the END is delivered first), spaced by backoff; a capture feed
//! ends once.

use super::backoff::Backoff;
use crate::ami::Message;
use crate::source::{
    self, action_channel, ActionPort, CaptureFile, CaptureKind, Closing, Outbox, SharedInterest,
    Socket, SocketConfig, Source, SourceError, Step, Wake,
};
use std::borrow::Cow;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What an engine reads.
// One per feed, made once at start: the Server variant's size costs nothing worth a Box.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug)]
pub enum FeedSpec {
    /// A PBX: connect, log in, stream; reconnect when the connection ends.
    Server(SocketConfig),
    /// A capture on disk, read once.
    Capture {
        name: String,
        path: PathBuf,
        kind: CaptureKind,
    },
}

impl FeedSpec {
    pub fn name(&self) -> &str {
        match self {
            FeedSpec::Server(c) => &c.name,
            FeedSpec::Capture { name, .. } => name,
        }
    }
}

/// Counters of one feed, readable while the engine runs.
#[derive(Debug, Default)]
pub struct FeedStats {
    pub messages: AtomicU64,
    /// Logins accepted (connections that reached streaming).
    pub connects: AtomicU64,
    /// Connections that ended (END delivered) after streaming.
    pub disconnects: AtomicU64,
    pub auth_failures: AtomicU64,
    /// Errors of any kind (refused, lost, timeouts, authentication, capture I/O).
    pub errors: AtomicU64,
    /// Connection attempts.
    pub attempts: AtomicU64,
    /// Bytes of actions the connection holds that its PBX has not taken yet (a PBX that
    /// stops reading; see [`crate::source::MAX_OUTGOING`]).
    pub outgoing: AtomicU64,
}

impl FeedStats {
    fn add(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

// Held boxed (`State::Running`), so the variants' sizes do not matter.
#[allow(clippy::large_enum_variant)]
enum Live {
    Socket(Socket),
    Capture(CaptureFile),
}

enum State {
    Running(Box<Live>),
    Waiting(Instant),
    Finished,
}

/// One step of a feed.
pub enum FeedStep {
    Message(Message),
    /// Nothing now.
    Idle,
    /// Waiting to reconnect (until [`Feed::next_due`]).
    Waiting,
    Finished,
}

/// Which PBX a feed's message belongs to.
#[derive(Clone, Debug)]
pub struct PbxOf {
    name: String,
    trace: bool,
}

impl PbxOf {
    pub fn pbx_of<'a>(&'a self, m: &'a Message) -> Cow<'a, str> {
        source::pbx_of(&self.name, self.trace, m)
    }
}

pub struct Feed {
    spec: FeedSpec,
    outbox: Outbox,
    actions: ActionPort,
    state: State,
    backoff: Backoff,
    stats: Arc<FeedStats>,
    streaming: bool,
    closing: bool,
    /// Increases with every new connection, so a poll loop can tell a new socket from
    /// an old one that happened to get the same descriptor number.
    generation: u64,
    /// Wakes the poll loop when a connect attempt ends (see [`Socket::waking`]).
    wake: Option<Wake>,
    /// Lets the poll loop go of a descriptor before it is closed (see [`Socket::closing`]).
    on_close: Option<Closing>,
    /// The events the engine's consumer reads; a connection passes over the rest.
    interest: Option<SharedInterest>,
    /// Events the current connection passed over, as counted into `stats.messages`.
    passed_over: u64,
}

impl Feed {
    pub fn new(spec: FeedSpec, backoff: Backoff) -> Self {
        let (outbox, actions) = action_channel();
        Feed {
            spec,
            outbox,
            actions,
            state: State::Waiting(Instant::now()),
            backoff,
            stats: Arc::new(FeedStats::default()),
            streaming: false,
            closing: false,
            generation: 0,
            wake: None,
            on_close: None,
            interest: None,
            passed_over: 0,
        }
    }

    /// Have each connection pass over the events `interest` does not want (counted in
    /// the feed's messages all the same).
    pub fn interested(&mut self, interest: Option<SharedInterest>) {
        self.interest = interest;
    }

    /// Have `closing` told each connection's descriptor just before it is closed.
    pub fn on_socket_close(&mut self, closing: Closing) {
        self.on_close = Some(closing);
    }

    /// Have `wake` called whenever a connect attempt of this feed ends.
    pub fn wake_on_connect(&mut self, wake: Wake) {
        self.wake = Some(wake);
    }

    pub fn name(&self) -> &str {
        self.spec.name()
    }

    pub fn stats(&self) -> Arc<FeedStats> {
        self.stats.clone()
    }

    /// Send actions to this feed's PBX (once logged in) and await their answers; `None`
    /// for a capture, which takes no actions.
    pub fn outbox(&self) -> Option<Outbox> {
        matches!(self.spec, FeedSpec::Server(_)).then(|| self.outbox.clone())
    }

    /// Hand back a delivered message done with (see [`Source::recycle`]).
    pub fn recycle(&mut self, m: Message) {
        if let State::Running(live) = &mut self.state {
            match live.as_mut() {
                Live::Socket(s) => s.recycle(m),
                Live::Capture(c) => c.recycle(m),
            }
        }
    }

    pub fn is_finished(&self) -> bool {
        matches!(self.state, State::Finished)
    }

    /// The PBX a message belongs to: a Trace's messages name theirs in `SOURCE`.
    pub fn pbx_of<'a>(&'a self, m: &'a Message) -> Cow<'a, str> {
        source::pbx_of(self.spec.name(), self.is_trace(), m)
    }

    /// The rule of [`Feed::pbx_of`], for a thread that holds the messages but not the feed.
    pub fn pbx_rule(&self) -> PbxOf {
        PbxOf {
            name: self.spec.name().to_string(),
            trace: self.is_trace(),
        }
    }

    fn is_trace(&self) -> bool {
        matches!(
            self.spec,
            FeedSpec::Capture {
                kind: CaptureKind::Trace,
                ..
            }
        )
    }

    /// When this feed next needs a step even if its connection stays silent (a
    /// reconnect, a login or keepalive deadline, an END owed); `None`: only input moves
    /// it on. A loop that waits on descriptors steps the feed again by then.
    pub fn next_due(&self) -> Option<Instant> {
        match &self.state {
            State::Finished => None,
            State::Waiting(until) => Some(*until),
            State::Running(live) => match live.as_ref() {
                Live::Socket(s) => s.next_due(),
                // A file is never waited on: it has more to read at once.
                Live::Capture(_) => Some(Instant::now()),
            },
        }
    }

    /// Has the connection bytes to write once its socket can take them (see
    /// [`Socket::wants_write`])?
    pub fn wants_write(&self) -> bool {
        match &self.state {
            State::Running(live) => match live.as_ref() {
                Live::Socket(s) => s.wants_write(),
                Live::Capture(_) => false,
            },
            _ => false,
        }
    }

    /// The connection's descriptor and generation, for a poll loop.
    pub fn socket_fd(&self) -> Option<(u64, std::os::fd::RawFd)> {
        match &self.state {
            State::Running(live) => match live.as_ref() {
                Live::Socket(s) => s.raw_fd().map(|fd| (self.generation, fd)),
                Live::Capture(_) => None,
            },
            _ => None,
        }
    }

    fn open(&mut self) -> Result<(), SourceError> {
        let live = match &self.spec {
            FeedSpec::Server(config) => {
                FeedStats::add(&self.stats.attempts);
                Live::Socket(
                    Socket::new(config.clone())
                        .waking(self.wake.clone())
                        .closing(self.on_close.clone())
                        .interested(self.interest.clone()),
                )
            }
            FeedSpec::Capture { name, path, kind } => Live::Capture(CaptureFile::open(
                name.clone(),
                path,
                *kind,
                Default::default(),
            )?),
        };
        self.generation += 1;
        self.streaming = false;
        self.passed_over = 0;
        self.state = State::Running(Box::new(live));
        Ok(())
    }

    /// Advance, waiting at most `wait` for input. With `stop`, a running connection logs
    /// off (its END still comes) and nothing reconnects.
    pub fn step(&mut self, wait: Duration, stop: bool) -> FeedStep {
        loop {
            match &mut self.state {
                State::Finished => return FeedStep::Finished,
                State::Waiting(until) => {
                    if stop {
                        self.state = State::Finished;
                        return FeedStep::Finished;
                    }
                    if Instant::now() < *until {
                        return FeedStep::Waiting;
                    }
                    if let Err(e) = self.open() {
                        FeedStats::add(&self.stats.errors);
                        log::error!("{e}");
                        self.state = State::Finished;
                        return FeedStep::Finished;
                    }
                }
                State::Running(live) => {
                    if stop && !self.closing {
                        self.closing = true;
                        match live.as_mut() {
                            // Logs off without waiting for the Goodbye: the next steps
                            // read it (or give up), then deliver the END.
                            Live::Socket(s) => s.begin_close(),
                            Live::Capture(c) => c.close(),
                        }
                    }
                    let result = match live.as_mut() {
                        Live::Socket(s) => {
                            // Answers to actions go to whoever sent them, not downstream.
                            let r = self.actions.next_step(s, wait);
                            let passed = s.passed_over();
                            if passed > self.passed_over {
                                let n = passed - self.passed_over;
                                self.stats.messages.fetch_add(n, Ordering::Relaxed);
                                self.passed_over = passed;
                            }
                            let outgoing = s.outgoing_len() as u64;
                            self.stats.outgoing.store(outgoing, Ordering::Relaxed);
                            if !self.streaming && s.is_streaming() {
                                self.streaming = true;
                                self.backoff.reset();
                                FeedStats::add(&self.stats.connects);
                            }
                            r
                        }
                        Live::Capture(c) => c.next_step(wait),
                    };
                    return match result {
                        Ok(Step::Message(m)) => {
                            FeedStats::add(&self.stats.messages);
                            if m.is_end() {
                                self.after_end(stop);
                            }
                            FeedStep::Message(m)
                        }
                        Ok(Step::Idle) => FeedStep::Idle,
                        Ok(Step::Ended) => {
                            self.after_end(stop);
                            FeedStep::Idle
                        }
                        Err(e) => {
                            FeedStats::add(&self.stats.errors);
                            if let SourceError::Authentication { .. } = e {
                                FeedStats::add(&self.stats.auth_failures);
                                log::error!("{e} (authentication error; will retry)");
                            } else {
                                log::warn!("{e}");
                            }
                            FeedStep::Idle // the END follows
                        }
                    };
                }
            }
        }
    }

    fn after_end(&mut self, stop: bool) {
        self.actions.connection_ended();
        self.stats.outgoing.store(0, Ordering::Relaxed);
        if self.streaming {
            FeedStats::add(&self.stats.disconnects);
        }
        self.streaming = false;
        let reconnect = matches!(self.spec, FeedSpec::Server(_)) && !stop && !self.closing;
        if reconnect {
            let delay = self.backoff.next_delay();
            log::info!(
                "{}: reconnecting in {:.2} s",
                self.name(),
                delay.as_secs_f64()
            );
            self.state = State::Waiting(Instant::now() + delay);
        } else {
            self.state = State::Finished;
        }
    }
}
