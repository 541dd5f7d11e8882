//! `_Engine`: the native engines (Main, Mains) driving a `Model`. Engine threads apply
//! changes without Python; changes with a hook are queued and the hooks run on the
//! Python side (`dispatch`), so readers never wait for Python.

use super::args::{self, Number};
use super::errors::{config_error, thread_error, ArgumentError, UsageError};
use super::locks::lock_from_python;
use super::model::{Model, Pending};
use super::sources::{File, Server, Trace};
use crate::ami::Message;
use crate::engine::{self, EngineHandle, EngineOptions, FeedSpec, Sink};
use crate::source::CaptureKind;
use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};
use parking_lot::Mutex;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Applies messages to the model in the engine's thread; queues what hooks must see.
struct ModelSink {
    state: Arc<Mutex<crate::model::Tracker>>,
    hooked: super::model::HookSet,
    listening: Arc<std::sync::atomic::AtomicBool>,
    tx: Sender<Pending>,
}

impl Sink for ModelSink {
    fn deliver(&mut self, pbx: &str, m: &Message) {
        if m.is_lone_end() {
            return;
        }
        let mut pending = Vec::new();
        super::model::process(
            &mut self.state.lock(),
            pbx,
            m,
            self.hooked,
            self.listening.load(Ordering::Relaxed),
            &mut pending,
        );
        for p in pending {
            self.tx.send(p).ok();
        }
    }
}

/// What the engine reads from `obj`; a server's resync asks for the model's trunk
/// variable.
fn spec_of(obj: &Bound<'_, PyAny>, trunk_variable: &str) -> PyResult<FeedSpec> {
    if let Ok(s) = obj.cast::<Server>() {
        let mut config = s.get().config.clone();
        config.trunk_variable = trunk_variable.to_string();
        return Ok(FeedSpec::Server(config));
    }
    let capture = |c: &super::sources::Capture, kind| {
        let f = lock_from_python(&c.file);
        FeedSpec::Capture {
            name: c.name.to_string(),
            path: f.path().to_path_buf(),
            kind,
        }
    };
    if let Ok(f) = obj.cast::<File>() {
        return Ok(capture(&f.get().0, CaptureKind::Raw));
    }
    if let Ok(t) = obj.cast::<Trace>() {
        return Ok(capture(&t.get().0, CaptureKind::Trace));
    }
    Err(PyTypeError::new_err(
        "an Engine reads hackamore.Server, File and Trace objects",
    ))
}

#[pyclass(name = "_Engine", module = "hackamore._native", frozen)]
pub struct NativeEngine {
    model: Py<Model>,
    /// Boxed: the options' `ModelInterest` is aligned more than Python aligns an object.
    #[allow(clippy::type_complexity)]
    setup: Mutex<Option<Box<(Vec<FeedSpec>, EngineOptions)>>>,
    handle: Mutex<Option<EngineHandle>>,
    rx: Receiver<Pending>,
    tx: Mutex<Option<Sender<Pending>>>,
    /// Hooks taken from `rx` that have not run yet.
    in_batch: AtomicUsize,
    /// The program is exiting: `dispatch` runs no more hooks and returns at once.
    abandoned: AtomicBool,
}

#[pymethods]
impl NativeEngine {
    #[new]
    #[pyo3(signature = (sources, model, threaded = false, backoff = Number::of(0.5), backoff_max = Number::of(30.0)))]
    #[pyo3(text_signature = "(sources, model, threaded=False, backoff=0.5, backoff_max=30.0)")]
    fn new(
        sources: &Bound<'_, PyAny>,
        model: Py<Model>,
        threaded: bool,
        backoff: Number,
        backoff_max: Number,
    ) -> PyResult<Self> {
        let trunk_variable = model.get().trunk_variable.clone();
        let specs: Vec<FeedSpec> = sources
            .try_iter()?
            .map(|s| spec_of(&s?, &trunk_variable))
            .collect::<PyResult<_>>()?;
        if specs.is_empty() {
            return Err(ArgumentError::new_err(
                "an Engine needs at least one source",
            ));
        }
        // The sink only feeds the model: what it does not read is passed over unread.
        let interest = lock_from_python(&model.get().state).interest();
        let opts = EngineOptions {
            threaded,
            backoff: args::positive(backoff, "backoff")?,
            backoff_max: args::positive(backoff_max, "backoff_max")?,
            interest: Some(interest),
        };
        let (tx, rx) = crossbeam_channel::unbounded();
        Ok(NativeEngine {
            model,
            setup: Mutex::new(Some(Box::new((specs, opts)))),
            handle: Mutex::new(None),
            rx,
            tx: Mutex::new(Some(tx)),
            in_batch: AtomicUsize::new(0),
            abandoned: AtomicBool::new(false),
        })
    }

    /// Start the engine threads (once).
    fn start(&self) -> PyResult<()> {
        let Some(setup) = lock_from_python(&self.setup).take() else {
            return Ok(());
        };
        let (specs, opts) = *setup;
        let model = self.model.get();
        let sink = ModelSink {
            state: model.state.clone(),
            hooked: model.hooked,
            listening: model.listening.clone(),
            tx: lock_from_python(&self.tx)
                .take()
                .expect("sender kept until start"),
        };
        let handle = engine::start(specs, opts, Box::new(sink))
            .map_err(|e| thread_error("the engine", e))?;
        *lock_from_python(&self.handle) = Some(handle);
        Ok(())
    }

    /// Run queued hooks for up to `timeout` seconds (None: until the engine has
    /// finished). False once the engine has finished and every hook has run. Raises
    /// KeyboardInterrupt on Ctrl-C (main thread).
    fn dispatch(&self, py: Python<'_>, timeout: Option<Number>) -> PyResult<bool> {
        let deadline = args::wait(timeout, "timeout")?.map(args::deadline);
        let model = self.model.get();
        loop {
            if self.abandoned.load(Ordering::Relaxed) {
                return Ok(false);
            }
            let wait = match deadline {
                Some(Some(d)) => d.saturating_duration_since(Instant::now()),
                _ => Duration::MAX,
            }
            .min(Duration::from_millis(100));
            match py.detach(|| self.rx.recv_timeout(wait)) {
                Ok(first) => {
                    // Counted as each leaves the queue, so `hooks_pending` never reads 0
                    // while a batch is being taken.
                    self.in_batch.fetch_add(1, Ordering::Relaxed);
                    let mut batch = vec![first];
                    for p in self.rx.try_iter().take(1023) {
                        self.in_batch.fetch_add(1, Ordering::Relaxed);
                        batch.push(p);
                    }
                    // Looked at before each hook: abandoned, the rest of the batch is dropped.
                    let running = batch
                        .into_iter()
                        .take_while(|_| !self.abandoned.load(Ordering::Relaxed));
                    model.call_hooks(py, running, Some(&self.in_batch))?;
                }
                Err(RecvTimeoutError::Disconnected) => return Ok(false),
                Err(RecvTimeoutError::Timeout) => {}
            }
            py.check_signals()?;
            if matches!(deadline, Some(Some(d)) if Instant::now() >= d) {
                return Ok(true);
            }
        }
    }

    /// The program is exiting and the hooks still queued will not run: `dispatch` returns
    /// False before its next batch (its thread can then end before the interpreter).
    fn _abandon(&self) {
        self.abandoned.store(true, Ordering::Relaxed);
    }

    /// Ask the engine to stop (connections log off); returns at once. Any thread.
    fn stop(&self) {
        if let Some(h) = lock_from_python(&self.handle).as_ref() {
            h.stop();
        }
        // Never started: nothing will come.
        lock_from_python(&self.setup).take();
        lock_from_python(&self.tx).take();
    }

    /// Wait up to `timeout` seconds (None: no limit) for the engine threads; True if they
    /// have finished.
    #[pyo3(signature = (timeout = None))]
    fn join(&self, py: Python<'_>, timeout: Option<Number>) -> PyResult<bool> {
        let deadline = args::wait(timeout, "timeout")?.and_then(args::deadline);
        loop {
            let done = lock_from_python(&self.handle)
                .as_ref()
                .is_none_or(|h| h.is_finished());
            if done {
                if let Some(h) = lock_from_python(&self.handle).as_mut() {
                    h.join();
                }
                return Ok(true);
            }
            if deadline.is_some_and(|d| Instant::now() >= d) {
                return Ok(false);
            }
            py.detach(|| std::thread::sleep(Duration::from_millis(10)));
            py.check_signals()?;
        }
    }

    /// Send an action to the PBX named `pbx` and wait for its answer (as
    /// `Connection.action`). Sent once that PBX is logged in; raises ArgumentError for
    /// a name that is not one of the engine's servers, UsageError before `start()`.
    #[pyo3(signature = (pbx, name, /, *, timeout = Some(Number::of(10.0)), **fields))]
    #[pyo3(text_signature = "($self, pbx, name, /, *, timeout=10.0, **fields)")]
    fn action(
        &self,
        py: Python<'_>,
        pbx: &str,
        name: &str,
        timeout: Option<Number>,
        fields: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<(super::event::Event, Vec<super::event::Event>)> {
        let action = super::sources::build_action(name, fields)?;
        let deadline = args::wait(timeout, "timeout")?.and_then(args::deadline);
        let sent = {
            let handle = lock_from_python(&self.handle);
            let Some(h) = handle.as_ref() else {
                return Err(UsageError::new_err("the engine has not been started"));
            };
            h.send(pbx, action)
        };
        let Some((id, answers, outbox)) = sent else {
            return Err(ArgumentError::new_err(format!(
                "{pbx:?} is not a server of this engine"
            )));
        };
        let asked = super::sources::Asked {
            pbx,
            name,
            id: &id,
            timeout: timeout.map_or(f64::INFINITY, Number::seconds),
        };
        asked.wait(py, deadline, &answers, &outbox)
    }

    #[getter]
    fn model(&self, py: Python<'_>) -> Py<Model> {
        self.model.clone_ref(py)
    }

    /// Per-feed counters and the queue between readers and model.
    fn stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let out = PyDict::new(py);
        let feeds = PyDict::new(py);
        if let Some(h) = lock_from_python(&self.handle).as_ref() {
            let s = h.stats();
            for (name, f) in &s.feeds {
                let d = PyDict::new(py);
                d.set_item("messages", f.messages.load(Ordering::Relaxed))?;
                d.set_item("attempts", f.attempts.load(Ordering::Relaxed))?;
                d.set_item("connects", f.connects.load(Ordering::Relaxed))?;
                d.set_item("disconnects", f.disconnects.load(Ordering::Relaxed))?;
                d.set_item("auth_failures", f.auth_failures.load(Ordering::Relaxed))?;
                d.set_item("errors", f.errors.load(Ordering::Relaxed))?;
                d.set_item("outgoing", f.outgoing.load(Ordering::Relaxed))?;
                feeds.set_item(name, d)?;
            }
            out.set_item("queued", s.queued.load(Ordering::Relaxed))?;
            out.set_item("queue_peak", s.queue_peak.load(Ordering::Relaxed))?;
        }
        out.set_item("feeds", feeds)?;
        let pending = self.rx.len() + self.in_batch.load(Ordering::Relaxed);
        out.set_item("hooks_pending", pending)?;
        Ok(out)
    }
}

/// `keyword` from the environment, else from `~/.com_diag_hackamore` (or `path`).
#[pyfunction]
#[pyo3(signature = (keyword, default = None, path = None))]
pub fn credential(
    keyword: &str,
    default: Option<String>,
    path: Option<std::path::PathBuf>,
) -> Option<String> {
    let path = path.or_else(crate::config::dotfile);
    crate::config::credential_in(path.as_deref(), keyword).or(default)
}

/// The PBXes configured by `COM_DIAG_HACKAMORE_NAMEn`... (environment, then dotfile).
#[pyfunction]
pub fn configured_servers() -> PyResult<Vec<Server>> {
    let servers = crate::config::servers().map_err(config_error)?;
    Ok(servers
        .into_iter()
        .map(|config| Server { config })
        .collect())
}
