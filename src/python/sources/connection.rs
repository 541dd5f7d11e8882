//! `Connection`: one live AMI connection. Its reader thread never touches Python; the
//! iterating thread waits on a channel in short steps so Ctrl-C is seen promptly.

use super::capture::DecodeStats;
use crate::ami::{self, Banner, Message};
use crate::python::args::{self, Number};
use crate::python::errors::{source_error, thread_error};
use crate::python::errors::{ActionFailedError, ConnectionLostError, ResponseTimeoutError};
use crate::python::event::Event;
use crate::python::locks::lock_from_python;
use crate::source::{
    action_channel, completes_list, opens_list, Outbox, Socket, SocketConfig, Source, SourceError,
    Step,
};
use crossbeam_channel::{Receiver, RecvTimeoutError};
use parking_lot::Mutex;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;
use std::time::Instant;

/// How long the iterating thread waits before it checks for Ctrl-C again.
const SIGNAL_CHECK: Duration = Duration::from_millis(100);
/// How long the reader waits for input before looking for actions to send.
const ACTION_CHECK: Duration = Duration::from_millis(20);

/// An action from Python: name and keyword fields (as text), refused (ActionRefusedError)
/// before anything is sent if a line could be injected.
pub(crate) fn build_action(
    name: &str,
    fields: Option<&Bound<'_, PyDict>>,
) -> PyResult<ami::Action> {
    let mut action = ami::Action::new(name);
    for (k, v) in fields.into_iter().flat_map(|d| d.iter()) {
        action.push(k.str()?.to_string(), v.str()?.to_string());
    }
    action
        .encode()
        .map_err(crate::python::errors::action_error)?;
    Ok(action)
}

/// An action sent, whose answers are awaited.
pub(crate) struct Asked<'a> {
    pub pbx: &'a str,
    pub name: &'a str,
    pub id: &'a str,
    /// Seconds allowed, for the message when they run out.
    pub timeout: f64,
}

impl Asked<'_> {
    /// Collect the answers (the GIL released, Ctrl-C honoured) until they are complete:
    /// `(response, events)`, or the error they amount to.
    pub(crate) fn wait(
        &self,
        py: Python<'_>,
        deadline: Option<Instant>,
        answers: &Receiver<Message>,
        outbox: &Outbox,
    ) -> PyResult<(Event, Vec<Event>)> {
        let (pbx, name) = (self.pbx, self.name);
        let mut got: Vec<Message> = Vec::new();
        loop {
            let left = deadline.map_or(SIGNAL_CHECK, |d| {
                d.saturating_duration_since(Instant::now())
            });
            if left.is_zero() {
                outbox.cancel(self.id);
                return Err(ResponseTimeoutError::new_err(format!(
                    "{pbx}: no complete answer to {name} within {} s",
                    self.timeout
                )));
            }
            match py.detach(|| answers.recv_timeout(left.min(SIGNAL_CHECK))) {
                Ok(m) => got.push(m),
                Err(RecvTimeoutError::Timeout) => {
                    if let Err(e) = py.check_signals() {
                        outbox.cancel(self.id);
                        return Err(e);
                    }
                }
                // The router lets go after the last answer, or when the connection ends.
                Err(RecvTimeoutError::Disconnected) => break,
            }
        }
        let complete = got.first().is_some_and(|r| {
            !opens_list(r) || got.len() > 1 && got.last().is_some_and(completes_list)
        });
        if !complete {
            return Err(ConnectionLostError::new_err(format!(
                "{pbx}: the connection ended before the answer to {name} was complete"
            )));
        }
        let mut got = got.into_iter();
        let response = got.next().expect("checked above");
        if response
            .response()
            .is_some_and(|r| r.eq_ignore_ascii_case("Error"))
        {
            let why = response.get_str("Message").unwrap_or_default().into_owned();
            return Err(ActionFailedError::new_err(format!(
                "{pbx}: {name} failed: {why}"
            )));
        }
        let pbx: Arc<str> = pbx.into();
        let events = got.map(|m| Event::new(m, pbx.clone())).collect();
        Ok((Event::new(response, pbx), events))
    }
}

/// What the reader thread shares with Python besides the messages.
#[derive(Default)]
struct Progress {
    banner: Option<Banner>,
    stats: ami::DecodeStats,
}

/// One live AMI connection, iterated for its events. Ends with an END event; a refused
/// login or connection raises (then the END event follows if you iterate on).
#[pyclass(name = "Connection", module = "hackamore._native", frozen)]
pub struct Connection {
    pub(crate) name: Arc<str>,
    pub(crate) rx: Receiver<Result<Message, SourceError>>,
    /// Actions to send; their answers never join the event stream.
    outbox: Outbox,
    stop: Arc<AtomicBool>,
    progress: Arc<Mutex<Progress>>,
    /// Set by the reader thread as it ends: read without a lock, so asking whether the
    /// connection has ended never waits.
    finished: Arc<AtomicBool>,
    /// Taken, then joined outside the lock, by the first `close()`.
    thread: Mutex<Option<JoinHandle<()>>>,
}

/// Sets its flag when dropped: at the end of a thread, however the thread ends.
struct SetOnDrop(Arc<AtomicBool>);

impl Drop for SetOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Release);
    }
}

impl Connection {
    pub(super) fn start(config: SocketConfig) -> PyResult<Self> {
        Connection::reading(Socket::new(config))
    }

    /// Read `socket` in a reader thread of its own.
    fn reading(socket: Socket) -> PyResult<Self> {
        let config = socket.config();
        // Unbounded: the reader must keep draining the socket whatever Python does (an AMI
        // server drops a client that stops reading). Memory follows the backlog.
        let (tx, rx) = crossbeam_channel::unbounded();
        let stop = Arc::new(AtomicBool::new(false));
        let progress = Arc::new(Mutex::new(Progress::default()));
        let name: Arc<str> = config.name.as_str().into();
        let (stop2, progress2) = (stop.clone(), progress.clone());
        let finished = Arc::new(AtomicBool::new(false));
        let finishing = SetOnDrop(finished.clone());
        let (outbox, port) = action_channel();
        let thread = std::thread::Builder::new()
            .name(format!("ami-{}", config.name))
            .spawn(move || {
                let _finishing = finishing;
                let mut socket = socket;
                let mut closed = false;
                loop {
                    if !closed && stop2.load(Ordering::Relaxed) {
                        socket.close();
                        closed = true;
                    }
                    let step = port.next_step(&mut socket, ACTION_CHECK);
                    {
                        let mut p = progress2.lock();
                        p.stats = socket.stats();
                        if p.banner.is_none() {
                            p.banner = socket.banner().cloned();
                        }
                    }
                    let sent = match step {
                        Ok(Step::Message(m)) => tx.send(Ok(m)),
                        Ok(Step::Idle) => Ok(()),
                        Ok(Step::Ended) => break,
                        Err(e) => {
                            // Whoever takes it raises it (iteration) or logs it
                            // (`consume()`): logged here too, it would show twice.
                            log::debug!("{e}");
                            tx.send(Err(e))
                        }
                    };
                    if sent.is_err() {
                        // Nobody is listening any more: log off and finish.
                        stop2.store(true, Ordering::Relaxed);
                    }
                }
                port.connection_ended();
            })
            .map_err(|e| thread_error("a reader thread", e))?;
        Ok(Connection {
            name,
            rx,
            outbox,
            stop,
            progress,
            finished,
            thread: Mutex::new(Some(thread)),
        })
    }
}

#[pymethods]
impl Connection {
    /// Read a connection that Python made and logged in on (hackamore.compat's Socket,
    /// which speaks the 2014 framework's login itself): no login, resync, Ping or Logoff
    /// of ours. `sock` is a connected socket object; its descriptor is duplicated, so the
    /// caller keeps (and closes) its own.
    #[cfg(unix)]
    #[staticmethod]
    fn _adopt(name: &str, sock: &Bound<'_, PyAny>) -> PyResult<Connection> {
        use std::os::fd::BorrowedFd;
        let fd: i32 = sock.call_method0("fileno")?.extract()?;
        if fd < 0 {
            return Err(PyValueError::new_err("the socket is closed"));
        }
        // SAFETY: `fd` is the descriptor of `sock`, a live socket object held here; with
        // the GIL held no Python code can close it before the duplicate is made.
        let owned = unsafe { BorrowedFd::borrow_raw(fd) }.try_clone_to_owned()?;
        let tcp = std::net::TcpStream::from(owned);
        let (host, port) = match tcp.peer_addr() {
            Ok(a) => (a.ip().to_string(), a.port()),
            Err(_) => (String::new(), 0),
        };
        let socket = Socket::adopted(SocketConfig::new(name, host, port), tcp)?;
        Connection::reading(socket)
    }

    #[getter]
    fn name(&self) -> &str {
        &self.name
    }

    /// The server's banner line, once connected.
    #[getter]
    fn banner(&self) -> Option<String> {
        lock_from_python(&self.progress)
            .banner
            .as_ref()
            .map(|b| b.text.clone())
    }

    /// The AMI version from the banner (`13.0.0`), once connected.
    #[getter]
    fn version(&self) -> Option<String> {
        lock_from_python(&self.progress)
            .banner
            .as_ref()
            .map(|b| b.version.clone())
    }

    #[getter]
    fn stats(&self) -> DecodeStats {
        lock_from_python(&self.progress).stats.into()
    }

    fn __iter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    fn __next__(&self, py: Python<'_>) -> PyResult<Option<Event>> {
        loop {
            match py.detach(|| self.rx.recv_timeout(SIGNAL_CHECK)) {
                Ok(Ok(m)) => return Ok(Some(Event::new(m, self.name.clone()))),
                Ok(Err(e)) => return Err(source_error(e)),
                Err(RecvTimeoutError::Timeout) => py.check_signals()?,
                Err(RecvTimeoutError::Disconnected) => return Ok(None),
            }
        }
    }

    /// The next event within `timeout` seconds (None: no limit), or None (also once the
    /// connection has ended: see `ended`). Raises as iteration does; Ctrl-C interrupts a
    /// long wait within about 0.1 s.
    fn poll(&self, py: Python<'_>, timeout: Option<Number>) -> PyResult<Option<Event>> {
        let deadline = args::wait(timeout, "timeout")?.map(args::deadline);
        loop {
            let left = match deadline {
                Some(Some(d)) => d.saturating_duration_since(Instant::now()),
                _ => SIGNAL_CHECK,
            };
            match py.detach(|| self.rx.recv_timeout(left.min(SIGNAL_CHECK))) {
                Ok(Ok(m)) => return Ok(Some(Event::new(m, self.name.clone()))),
                Ok(Err(e)) => return Err(source_error(e)),
                Err(RecvTimeoutError::Disconnected) => return Ok(None),
                Err(RecvTimeoutError::Timeout) => {
                    if matches!(deadline, Some(Some(d)) if Instant::now() >= d) {
                        return Ok(None);
                    }
                    py.check_signals()?;
                }
            }
        }
    }

    /// Send an action and wait for its answer: the `Response` and, for an event list, its
    /// events up to and including the one that completes it. Fields are keyword
    /// arguments (values turned into text); an `ActionID` is added. Raises
    /// ActionRefusedError (CR/LF or an overlong line: nothing sent), ActionFailedError
    /// (`Response: Error`), ResponseTimeoutError, or ConnectionLostError. Any thread;
    /// answers never appear among the connection's events.
    #[pyo3(signature = (name, /, *, timeout = Some(Number::of(10.0)), **fields))]
    #[pyo3(text_signature = "($self, name, /, *, timeout=10.0, **fields)")]
    fn action(
        &self,
        py: Python<'_>,
        name: &str,
        timeout: Option<Number>,
        fields: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<(Event, Vec<Event>)> {
        let action = build_action(name, fields)?;
        let deadline = args::wait(timeout, "timeout")?.and_then(args::deadline);
        let ended = || {
            ConnectionLostError::new_err(format!(
                "{}: the connection has ended; {name} not sent",
                self.name
            ))
        };
        if self.finished.load(Ordering::Acquire) {
            return Err(ended());
        }
        let (id, answers) = self.outbox.send(action).ok_or_else(ended)?;
        let asked = Asked {
            pbx: &self.name,
            name,
            id: &id,
            timeout: timeout.map_or(f64::INFINITY, Number::seconds),
        };
        asked.wait(py, deadline, &answers, &self.outbox)
    }

    /// True once every event, END included, has been taken and the reader has stopped.
    #[getter]
    fn ended(&self) -> bool {
        self.rx.is_empty() && self.finished.load(Ordering::Acquire)
    }

    /// Log off and close. Events already received stay readable, then END.
    fn close(&self, py: Python<'_>) {
        self.stop.store(true, Ordering::Relaxed);
        // The reader may be logging (which takes the GIL): join it without the GIL, and
        // without holding any lock another Python thread could wait for with the GIL.
        let reader = lock_from_python(&self.thread).take();
        if let Some(t) = reader {
            py.detach(|| t.join().ok());
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
        format!("<Connection {}>", self.name)
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        // Never join here: the reader notices within one step and logs off on its own.
        self.stop.store(true, Ordering::Relaxed);
    }
}
