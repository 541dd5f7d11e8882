//! One client's session: greeting, login, the replay (paced, in pieces, with garbage,
//! cut or stalled as configured), and answering its actions meanwhile.

use super::rng::Rng;
use super::shared::Shared;
use crate::ami::{md5_key, Decoder, Message};
use crate::source::tls::{self, Transport};
use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// Longest wait of a lingering client between looks at the stop flag (a backstop: a
/// stopping server wakes it), so that hundreds of idle clients cost next to nothing.
const LINGER_WAIT: Duration = Duration::from_secs(1);

/// What Asterisk sends a manager connection right after its login once it has booted,
/// and to every connection when it finishes booting.
const FULLY_BOOTED: &[u8] =
    b"Event: FullyBooted\r\nPrivilege: system,all\r\nUptime: 0\r\nLastReload: 0\r\nStatus: Fully Booted\r\n\r\n";

/// What Asterisk sends each manager connection as it stops (`core stop gracefully`).
const SHUTDOWN: &[u8] =
    b"Event: Shutdown\r\nPrivilege: system,all\r\nShutdown: Cleanly\r\nRestart: False\r\n\r\n";

pub(super) enum Flow {
    Continue,
    Close,
}

/// Which state queries a client has had answered.
#[derive(Default)]
pub(super) struct Answered {
    pub(super) channels: bool,
    pub(super) rooms: bool,
    pub(super) room_lists: usize,
    pub(super) parked: bool,
    pub(super) queues: bool,
    /// Presence lists answered from the recording.
    pub(super) presence: usize,
}

pub(super) struct Client<'a> {
    pub(super) stream: Transport,
    pub(super) shared: &'a Shared,
    pub(super) decoder: Decoder,
    pub(super) rng: Rng,
    pub(super) challenge: Option<String>,
    pub(super) written: usize,
    /// State queries answered.
    pub(super) answered: Answered,
    /// Channel variables set by `Setvar` ((channel, variable) -> value; "" for globals).
    pub(super) variables: std::collections::HashMap<(String, String), String>,
    /// Has this PBX said `FullyBooted` (see [`ReplayConfig::booting`])?
    ///
    /// [`ReplayConfig::booting`]: super::ReplayConfig::booting
    pub(super) booted: bool,
}

impl<'a> Client<'a> {
    /// A client connection; over TLS once the handshake is done.
    pub(super) fn new(mut tcp: TcpStream, shared: &'a Shared, n: u64) -> io::Result<Self> {
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
            booted: !shared.config.booting,
        })
    }

    pub(super) fn stopping(&self) -> bool {
        self.shared.stop.load(Ordering::Relaxed)
    }

    pub(super) fn serve(&mut self) -> io::Result<()> {
        self.stream.tcp().set_nodelay(true).ok();
        self.stream
            .tcp()
            .set_read_timeout(Some(Duration::from_millis(20)))?;
        let banner = format!("Asterisk Call Manager/{}\r\n", self.shared.config.version);
        self.stream.write_all(banner.as_bytes())?;
        if !self.login()? {
            return self.close();
        }
        // Asterisk says FullyBooted right after a login's answer, before it answers any
        // action: the capture's own, recorded there, goes out now.
        let shared = self.shared;
        let mut messages = &shared.messages[..];
        if shared.state.is_none()
            && messages
                .first()
                .is_some_and(|m| m.starts_with(b"Event: FullyBooted\r\n"))
        {
            if let Flow::Close = self.write_paced(&messages[0])? {
                return self.close();
            }
            messages = &messages[1..];
        }
        if let Flow::Close = self.answer_state_queries()? {
            return self.close();
        }
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
    ///
    /// A booted PBX says `FullyBooted` first (the capture's own, recorded at its login,
    /// precedes the checkpoint). One still booting says it after those answers, then
    /// waits again for `ParkedCalls` and `QueueStatus`, whose modules have loaded since.
    pub(super) fn answer_state_queries(&mut self) -> io::Result<Flow> {
        let Some(state) = &self.shared.state else {
            return Ok(Flow::Continue);
        };
        let rooms = state.rooms.len();
        if self.booted {
            self.stream.write_all(FULLY_BOOTED)?;
        }
        // Each of the four presence lists, recorded or refused.
        let presence = 4;
        let all = |a: &Answered| {
            a.channels
                && a.rooms
                && a.room_lists >= rooms
                && a.parked
                && a.queues
                && a.presence >= presence
        };
        if let Flow::Close = self.answer_until(all)? {
            return Ok(Flow::Close);
        }
        if !self.booted {
            self.booted = true;
            self.stream.write_all(FULLY_BOOTED)?;
            self.answered.parked = false;
            self.answered.queues = false;
            return self.answer_until(|a| a.parked && a.queues);
        }
        Ok(Flow::Continue)
    }

    /// Answer actions until `done` says enough has been answered (or a second passed).
    fn answer_until(&mut self, done: impl Fn(&Answered) -> bool) -> io::Result<Flow> {
        let deadline = Instant::now() + Duration::from_secs(1);
        while Instant::now() < deadline && !self.stopping() && !done(&self.answered) {
            if let Flow::Close = self.answer_actions(Duration::from_millis(10))? {
                return Ok(Flow::Close);
            }
        }
        Ok(Flow::Continue)
    }

    /// After the replay: linger answering actions, or close.
    pub(super) fn finish(&mut self) -> io::Result<()> {
        if self.shared.config.linger {
            // Idle until the client speaks; a stopping server wakes the read at once.
            while !self.stopping() {
                if let Flow::Close = self.answer_actions(LINGER_WAIT)? {
                    if self.stopping() {
                        break; // woken by the server stopping: say Shutdown
                    }
                    return self.close(); // the client logged off
                }
            }
        }
        // As Asterisk stopping says before it closes its managers' connections, so the
        // client knows the end is an orderly one.
        self.stream.write_all(SHUTDOWN)?;
        self.close()
    }

    /// End the connection without resetting it: FIN first, then read and drop what the
    /// client still sends (its last actions, its Logoff) until it closes too, for up to a
    /// second. Closing with unread input would send a reset, and a reset destroys what
    /// the client has received but not yet read: the end of the replay.
    pub(super) fn close(&mut self) -> io::Result<()> {
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
                Err(e) if crate::source::nothing_yet(&e) => {}
                Err(_) => break,
            }
        }
        self.stream.shutdown();
        Ok(())
    }

    /// Random bytes with no `:` (so they never form a field that means something), NUL,
    /// lone CR/LF and high bytes included, then a blank line to end the bogus message.
    pub(super) fn garbage(&mut self) -> Vec<u8> {
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
    pub(super) fn write_paced(&mut self, mut bytes: &[u8]) -> io::Result<Flow> {
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
    pub(super) fn answer_actions(&mut self, wait: Duration) -> io::Result<Flow> {
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
    pub(super) fn read_into_decoder(&mut self, wait: Duration) -> io::Result<bool> {
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
            Err(e) if crate::source::nothing_yet(&e) => Ok(true),
            Err(e) if e.kind() == io::ErrorKind::ConnectionReset => Ok(false),
            Err(e) => Err(e),
        }
    }

    pub(super) fn respond(
        &mut self,
        action: &Message,
        kind: &str,
        fields: &[(&str, &str)],
    ) -> io::Result<()> {
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
    pub(super) fn login(&mut self) -> io::Result<bool> {
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

    pub(super) fn credentials_ok(&self, login: &Message) -> bool {
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
}
