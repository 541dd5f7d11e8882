//! `Model` for Python. The model lives in Rust behind a lock; Python hooks run only when
//! registered, after the change is applied.

use super::change::{message_of, Change, Channel, Involved};
use super::locks::lock_from_python;
use super::sources::{Capture, Connection, File, Trace};
use crate::ami::Message;
use crate::model::{self as core, Change as CoreChange, Normalizer as CoreNormalizer, Rules};
use crate::source::{Paced, SourceError};
use crossbeam_channel::{Select, TryRecvError};
use parking_lot::Mutex;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple, PyType};
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::Scope;
use std::time::Duration;

/// Every hook name, in the order of `Change::index`.
pub const HOOK_NAMES: [&str; CoreChange::COUNT] = CoreChange::NAMES;

/// The kinds of change that have a hook: one bit per [`CoreChange::index`].
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct HookSet(u64);

const _: () = assert!(CoreChange::COUNT <= 64, "a HookSet has a bit per kind");

impl HookSet {
    fn of(hooks: &[Option<Py<PyAny>>]) -> Self {
        HookSet(
            hooks
                .iter()
                .enumerate()
                .filter(|(_, h)| h.is_some())
                .fold(0, |set, (i, _)| set | 1 << i),
        )
    }

    fn contains(self, c: &CoreChange) -> bool {
        self.0 & 1 << c.index() != 0
    }
}

pub(crate) struct State {
    normalizer: CoreNormalizer,
    resync: core::Resync,
    model: core::Model,
    version: u64,
    /// The changes of the message being processed (kept for its allocation).
    scratch: Vec<CoreChange>,
}

/// A change waiting for its hook, with the channels as they were when it applied.
pub(crate) struct Pending {
    change: CoreChange,
    channels: Involved,
    /// The model's sizes right after the change (hooks may run later than it happened).
    sizes: core::ModelSizes,
}

impl State {
    pub(crate) fn model(&self) -> &core::Model {
        &self.model
    }

    /// Normalise and apply one message. With `hooks`, record what they must see.
    pub(crate) fn process(
        &mut self,
        pbx: &str,
        m: &Message,
        hooks: HookSet,
        everything: bool,
        out: &mut Vec<Pending>,
    ) -> usize {
        let mut changes = std::mem::take(&mut self.scratch);
        core::interpret(
            &mut self.normalizer,
            &mut self.resync,
            &self.model,
            pbx,
            m,
            &mut changes,
        );
        let n = changes.len();
        for c in changes.drain(..) {
            let hooked = everything || hooks.contains(&c);
            // A hangup's hook sees the channels as they were just before they went.
            let before =
                (hooked && matches!(c, CoreChange::Hangup { .. })).then(|| self.involved(&c));
            self.model.apply(&c);
            self.version += 1;
            if hooked {
                let channels = before.unwrap_or_else(|| self.involved(&c));
                let sizes = self.model.sizes();
                out.push(Pending {
                    change: c,
                    channels,
                    sizes,
                });
            }
        }
        self.scratch = changes;
        if let Some((uid, linkedid)) = self.normalizer.take_linkedid() {
            if self.model.follow_linkedid(pbx, &uid, &linkedid) {
                self.version += 1;
            }
        }
        n
    }

    fn involved(&self, c: &CoreChange) -> Involved {
        let pbx = c.pbx();
        let (a, b) = c.uniqueids();
        [a, b].map(|uid| {
            uid.and_then(|uid| self.model.channel_shared(pbx, uid))
                .map(Channel::from)
        })
    }
}

/// A source being consumed natively.
enum Input {
    File(Py<File>),
    Trace(Py<Trace>),
    Connection(Py<Connection>),
}

impl Input {
    fn of(obj: &Bound<'_, PyAny>) -> PyResult<Input> {
        if let Ok(f) = obj.cast::<File>() {
            return Ok(Input::File(f.clone().unbind()));
        }
        if let Ok(t) = obj.cast::<Trace>() {
            return Ok(Input::Trace(t.clone().unbind()));
        }
        if let Ok(c) = obj.cast::<Connection>() {
            return Ok(Input::Connection(c.clone().unbind()));
        }
        Err(PyTypeError::new_err(
            "consume() takes hackamore.File, Trace or Connection objects",
        ))
    }

    /// Start reading: a capture is decoded ahead on a thread of `scope`, while that is
    /// the faster way ([`Paced`]).
    fn start<'scope, 'env>(
        &'env self,
        scope: &'scope Scope<'scope, 'env>,
    ) -> Reading<'scope, 'env> {
        let capture = match self {
            Input::File(f) => &f.get().0,
            Input::Trace(t) => &t.get().0,
            Input::Connection(c) => return Reading::Connection(c.get()),
        };
        Reading::Capture {
            capture,
            paced: Box::new(Paced::start(scope, &capture.file)),
        }
    }
}

/// An input being read by one `consume()` call.
enum Reading<'scope, 'env> {
    Capture {
        capture: &'env Capture,
        paced: Box<Paced<'scope, 'env>>,
    },
    Connection(&'env Connection),
}

enum Poll {
    Message(Message),
    Idle,
    Done,
    Failed(SourceError),
}

impl Reading<'_, '_> {
    /// The next message if one is there, never waiting for a connection. Called without
    /// the GIL: stopping a helper waits for it, and it may be logging (which takes the GIL).
    fn poll(&mut self) -> Poll {
        let step = match self {
            Reading::Connection(c) => {
                return match c.rx.try_recv() {
                    Ok(Ok(m)) => Poll::Message(m),
                    Ok(Err(e)) => Poll::Failed(e),
                    Err(TryRecvError::Empty) => Poll::Idle,
                    Err(TryRecvError::Disconnected) => Poll::Done,
                };
            }
            // A capture always has a next step (it reads on to its end).
            Reading::Capture { paced, .. } => paced.next_step(),
        };
        match step {
            Some(Ok(m)) => Poll::Message(m),
            None => Poll::Done,
            Some(Err(e)) => Poll::Failed(e),
        }
    }

    /// The source's own name.
    fn name(&self) -> &str {
        match self {
            Reading::Capture { capture, .. } => &capture.name,
            Reading::Connection(c) => &c.name,
        }
    }

    /// The PBX of a message polled from this input.
    fn pbx_of<'a>(&'a self, m: &'a Message) -> Cow<'a, str> {
        match self {
            Reading::Capture { capture, .. } => capture.pbx_of(m),
            Reading::Connection(c) => Cow::Borrowed(&c.name),
        }
    }

    /// Called without the GIL, with messages polled from this input.
    fn recycle(&self, done: &mut Vec<Message>) {
        match self {
            Reading::Capture { paced, .. } => paced.recycle(done),
            Reading::Connection(_) => done.clear(), // read on another thread
        }
    }
}

/// How long an idle `consume()` waits before it looks for Ctrl-C again.
const SIGNAL_CHECK: Duration = Duration::from_millis(50);

/// Wait until one of the connections among `inputs` has a message (or has ended), at
/// most `timeout`. Captures never need waiting for: they always have a next step.
fn wait_for_any(inputs: &[Reading<'_, '_>], timeout: Duration) {
    let mut select = Select::new();
    let mut connections = 0;
    for r in inputs {
        if let Reading::Connection(c) = r {
            select.recv(&c.rx);
            connections += 1;
        }
    }
    if connections == inputs.len() {
        // Ready means a message or a disconnection; either is taken by the next poll.
        let _ = select.ready_timeout(timeout);
    }
}

/// Messages `consume()` applies before handing them back to their source together.
const RECYCLE_EVERY: usize = 32;

/// `f(arg)`. pyo3 under the limited API (the abi3 wheel) packs arguments into a new tuple,
/// which costs about as much as calling a small hook; CPython's
/// `PyObject_CallFunctionObjArgs` hands them over on its stack (vectorcall) instead.
fn call_one(py: Python<'_>, f: &Py<PyAny>, arg: &Py<PyAny>) -> PyResult<()> {
    // SAFETY: `f` and `arg` are live objects the caller holds, the GIL is held (`py`),
    // and the argument list ends with the NULL the function requires.
    let result = unsafe {
        pyo3::ffi::PyObject_CallFunctionObjArgs(
            f.as_ptr(),
            arg.as_ptr(),
            std::ptr::null_mut::<pyo3::ffi::PyObject>(),
        )
    };
    // SAFETY: a new reference, or NULL with the exception set.
    unsafe { Bound::from_owned_ptr_or_err(py, result) }.map(drop)
}

/// Log a hook's exception (logger `hackamore.hooks`). What interrupts the logging itself
/// (Ctrl-C arriving meanwhile: a KeyboardInterrupt, or SystemExit) is returned to be
/// raised, never swallowed; any other failure to log prints the hook's exception.
fn report_hook_error(py: Python<'_>, name: &str, err: PyErr) -> PyResult<()> {
    let logged = (|| -> PyResult<()> {
        let logger = py
            .import("logging")?
            .call_method1("getLogger", ("hackamore.hooks",))?;
        let kwargs = PyDict::new(py);
        let exc_info = (err.get_type(py), err.value(py), err.traceback(py));
        kwargs.set_item("exc_info", exc_info)?;
        logger.call_method(
            "error",
            ("hook for %r raised; the engine goes on", name),
            Some(&kwargs),
        )?;
        Ok(())
    })();
    match logged {
        Ok(()) => Ok(()),
        Err(e) if !e.is_instance_of::<pyo3::exceptions::PyException>(py) => Err(e),
        Err(_) => {
            err.print(py);
            Ok(())
        }
    }
}

/// The standard call-state model, native. `hooks`: an object with `on_<change>` methods
/// or a dict of callables by change name; each is called with a `Change` after the
/// model has applied it. A hook that raises is logged and the model goes on.
#[pyclass(name = "Model", module = "hackamore._native", subclass, frozen)]
pub struct Model {
    /// Shared with engine threads, which apply changes without Python.
    pub(crate) state: Arc<Mutex<State>>,
    /// By [`CoreChange::index`].
    hooks: Vec<Option<Py<PyAny>>>,
    /// The changes that have a hook (readable without the GIL).
    pub(crate) hooked: HookSet,
    /// Set while a listener (`Engine.changes()`) wants every change, hooked or not.
    pub(crate) listening: Arc<AtomicBool>,
    listener: Mutex<Option<Py<PyAny>>>,
    pub(crate) trunk_variable: String,
    rules: Rules,
}

impl Model {
    fn consume_inputs(
        &self,
        py: Python<'_>,
        sources: &Bound<'_, PyAny>,
        stop_at_end: bool,
    ) -> PyResult<(u64, Option<usize>)> {
        let inputs: Vec<Input> = match Input::of(sources) {
            Ok(i) => vec![i],
            Err(_) => sources
                .try_iter()?
                .map(|s| Input::of(&s?))
                .collect::<PyResult<_>>()?,
        };
        // Leaving the scope (done, a hook raised, Ctrl-C) stops the helpers, and whatever
        // they read ahead goes back into its capture.
        std::thread::scope(|scope| {
            // Without the GIL: starting locks each capture, which a helper reading it for
            // another call may hold while logging (which takes the GIL).
            let mut readings = py.detach(|| inputs.iter().map(|i| i.start(scope)).collect());
            let consumed = self.consume_readings(py, &mut readings, stop_at_end);
            // Stopping a helper waits for it, and it may be logging (which takes the GIL).
            py.detach(|| drop(readings));
            consumed
        })
    }

    /// `consume()`'s loop over the inputs it started reading: (messages read, and with
    /// `stop_at_end` the index in `inputs` of the one whose END stopped it).
    ///
    /// No input waits for another: each round takes what every input has, and only when
    /// none had anything does it wait, for whichever connection is first to have more.
    fn consume_readings(
        &self,
        py: Python<'_>,
        inputs: &mut Vec<Reading<'_, '_>>,
        stop_at_end: bool,
    ) -> PyResult<(u64, Option<usize>)> {
        // Batches keep the GIL released; a message whose changes have hooks ends its
        // batch, so its hooks run before the next message is applied.
        let batch = 4096;
        let mut total = 0u64;
        // Emptied by each batch's hooks, its allocation kept.
        let mut pending = Vec::new();
        // Messages applied, by input, handed back a few at a time (one lock for them all).
        let mut done: Vec<Vec<Message>> = inputs.iter().map(|_| Vec::new()).collect();
        // The caller's index of each input still read.
        let mut ids: Vec<usize> = (0..inputs.len()).collect();
        let mut ended = None;
        while !inputs.is_empty() && ended.is_none() {
            let errors = py.detach(|| {
                let mut errors = Vec::new();
                let mut n = 0;
                'batch: loop {
                    let mut round = false;
                    let mut i = 0;
                    while i < inputs.len() {
                        match inputs[i].poll() {
                            Poll::Message(m) => {
                                round = true;
                                n += 1;
                                if !m.is_lone_end() {
                                    self.state.lock().process(
                                        &inputs[i].pbx_of(&m),
                                        &m,
                                        self.hooked,
                                        self.listening.load(Ordering::Relaxed),
                                        &mut pending,
                                    );
                                }
                                // Its own END, not a PBX's recorded in a Trace.
                                if stop_at_end
                                    && m.is_end()
                                    && inputs[i].pbx_of(&m) == inputs[i].name()
                                {
                                    ended = Some(ids[i]);
                                }
                                done[i].push(m);
                                if done[i].len() == RECYCLE_EVERY {
                                    inputs[i].recycle(&mut done[i]);
                                }
                                i += 1;
                            }
                            Poll::Idle => i += 1,
                            Poll::Done => {
                                inputs.remove(i);
                                done.remove(i);
                                ids.remove(i);
                            }
                            Poll::Failed(e) => {
                                errors.push(e);
                                i += 1;
                            }
                        }
                        if n >= batch || !pending.is_empty() || ended.is_some() {
                            break 'batch;
                        }
                    }
                    if inputs.is_empty() {
                        break;
                    }
                    if !round {
                        // Then back to Python for Ctrl-C, at least every SIGNAL_CHECK.
                        wait_for_any(inputs, SIGNAL_CHECK);
                        break;
                    }
                }
                total += n as u64;
                errors
            });
            for e in errors {
                log::error!("{e}");
            }
            self.call_hooks(py, pending.drain(..), None)?;
            py.check_signals()?;
        }
        Ok((total, ended))
    }

    /// Run the hooks of `pending` in order; `left` counts down as each is done, so a
    /// reader of the engine's stats sees the hooks still to run, this batch included.
    ///
    /// A hook raising an `Exception` is logged and the others go on; `KeyboardInterrupt`
    /// or `SystemExit` from a hook (Ctrl-C while it runs) stops here and is raised.
    pub(crate) fn call_hooks(
        &self,
        py: Python<'_>,
        pending: impl IntoIterator<Item = Pending>,
        left: Option<&AtomicUsize>,
    ) -> PyResult<()> {
        let listener = lock_from_python(&self.listener)
            .as_ref()
            .map(|l| l.clone_ref(py));
        for p in pending {
            if let Some(left) = left {
                left.fetch_sub(1, Ordering::Relaxed);
            }
            let name = p.change.name();
            let hook = self.hooks[p.change.index()].as_ref();
            if hook.is_none() && listener.is_none() {
                continue;
            }
            let change = Change {
                change: p.change,
                channels: p.channels,
                sizes: p.sizes,
            };
            let stopping = |e: PyErr| {
                if let Some(left) = left {
                    left.store(0, Ordering::Relaxed);
                }
                e
            };
            let change = match Py::new(py, change) {
                Ok(c) => c,
                Err(e) => {
                    report_hook_error(py, name, e).map_err(stopping)?;
                    continue;
                }
            };
            for f in hook.into_iter().chain(listener.as_ref()) {
                if let Err(e) = call_one(py, f, change.as_any()) {
                    if !e.is_instance_of::<pyo3::exceptions::PyException>(py) {
                        return Err(stopping(e));
                    }
                    report_hook_error(py, name, e).map_err(stopping)?;
                }
            }
        }
        Ok(())
    }

    /// A caller id number as the model keeps it: `<unknown>` is no number, except under
    /// the 2014 rules, which kept what they were given.
    fn number<'a>(&self, n: Option<&'a str>) -> &'a str {
        match n {
            Some("<unknown>") if self.rules == Rules::Standard => "",
            n => n.unwrap_or(""),
        }
    }

    fn with_model<T>(&self, f: impl FnOnce(&mut core::Model) -> T) -> T {
        let mut st = lock_from_python(&self.state);
        st.version += 1;
        f(&mut st.model)
    }
}

/// The rules a `rules=` argument names.
pub(crate) fn rules_named(name: &str) -> PyResult<Rules> {
    super::args::one_of(
        name,
        "rules",
        &[
            (Rules::Standard.name(), Rules::Standard),
            (Rules::Framework2014.name(), Rules::Framework2014),
        ],
    )
}

/// The whole model as plain Python data (see `Model.snapshot`).
fn snapshot_of<'py>(py: Python<'py>, m: &core::Model) -> PyResult<Bound<'py, PyDict>> {
    let call_index: HashMap<u64, usize> =
        m.calls().enumerate().map(|(i, (id, _))| (id, i)).collect();
    let channels = PyDict::new(py);
    let rooms = PyDict::new(py);
    let numbers = PyDict::new(py);
    for pbx in m.pbx_names() {
        let chans = m.channels_of(pbx);
        if !chans.is_empty() {
            let d = PyDict::new(py);
            for c in chans {
                let f = PyDict::new(py);
                f.set_item("channel", c.channel.as_str())?;
                f.set_item("calleridnum", c.calleridnum.as_str())?;
                f.set_item("linkedid", c.linkedid.as_str())?;
                f.set_item("sipcallid", c.sipcallid.as_deref())?;
                f.set_item("conference", c.conference.as_deref())?;
                f.set_item("bridge", c.bridge.as_deref())?;
                f.set_item("channelstate", c.channelstate.as_str())?;
                f.set_item("channelstatedesc", c.channelstatedesc.as_str())?;
                f.set_item("role", c.role.name())?;
                f.set_item("activity", c.activity.name())?;
                f.set_item("call", c.call.and_then(|id| call_index.get(&id)))?;
                d.set_item(c.uniqueid.as_str(), f)?;
            }
            channels.set_item(pbx, d)?;
        }
        let r = m.rooms_of(pbx);
        if !r.is_empty() {
            let d = PyDict::new(py);
            for (conf, members) in r {
                d.set_item(conf, PyList::new(py, members.iter().map(|u| u.as_str()))?)?;
            }
            rooms.set_item(pbx, d)?;
        }
        let n = m.numbers_of(pbx);
        if !n.is_empty() {
            let d = PyDict::new(py);
            for (k, v) in n {
                d.set_item(k, v)?;
            }
            numbers.set_item(pbx, d)?;
        }
    }
    let calls = PyList::empty(py);
    for (_, members) in m.calls() {
        let v: Vec<(&str, &str)> = members
            .iter()
            .map(|(p, u)| (p.as_str(), u.as_str()))
            .collect();
        calls.append(v)?;
    }
    let trunks = PyDict::new(py);
    for (v, (p, u)) in m.trunks() {
        trunks.set_item(v, (p.as_str(), u.as_str()))?;
    }
    let out = PyDict::new(py);
    out.set_item("channels", channels)?;
    out.set_item("calls", calls)?;
    out.set_item("rooms", rooms)?;
    out.set_item("trunks", trunks)?;
    out.set_item("numbers", numbers)?;
    out.set_item("bridges", bridges_of(py, m)?)?;
    out.set_item("parked", parked_of(py, m)?)?;
    out.set_item("queues", queues_of(py, m)?)?;
    Ok(out)
}

/// `{pbx: {bridge: {"type", "technology", "numchannels", "members": [uniqueid]}}}`.
fn bridges_of<'py>(py: Python<'py>, m: &core::Model) -> PyResult<Bound<'py, PyDict>> {
    let out = PyDict::new(py);
    for pbx in m.pbx_names() {
        let bridges = m.bridges_of(pbx);
        if bridges.is_empty() {
            continue;
        }
        let d = PyDict::new(py);
        for b in bridges {
            let f = PyDict::new(py);
            f.set_item("type", b.bridgetype.as_str())?;
            f.set_item("technology", b.technology.as_str())?;
            f.set_item("numchannels", b.numchannels)?;
            f.set_item(
                "members",
                PyList::new(py, b.members.iter().map(|u| u.as_str()))?,
            )?;
            d.set_item(b.id.as_str(), f)?;
        }
        out.set_item(pbx, d)?;
    }
    Ok(out)
}

/// `{pbx: [{"uniqueid", "channel", "lot", "space", "parker", "timeout", "since"}]}`.
fn parked_of<'py>(py: Python<'py>, m: &core::Model) -> PyResult<Bound<'py, PyDict>> {
    let out = PyDict::new(py);
    for pbx in m.pbx_names() {
        let parked = m.parked_of(pbx);
        if parked.is_empty() {
            continue;
        }
        let calls = PyList::empty(py);
        for p in parked {
            let f = PyDict::new(py);
            f.set_item("uniqueid", p.uniqueid.as_str())?;
            f.set_item("channel", p.channel.as_str())?;
            f.set_item("lot", p.lot.as_str())?;
            f.set_item("space", p.space.as_str())?;
            f.set_item("parker", p.parker.as_str())?;
            f.set_item("timeout", p.timeout)?;
            f.set_item("since", p.since)?;
            calls.append(f)?;
        }
        out.set_item(pbx, calls)?;
    }
    Ok(out)
}

/// `{pbx: {queue: {"callers": [...], "members": [...]}}}` (see the README).
fn queues_of<'py>(py: Python<'py>, m: &core::Model) -> PyResult<Bound<'py, PyDict>> {
    let out = PyDict::new(py);
    for pbx in m.pbx_names() {
        let queues = m.queues_of(pbx);
        if queues.is_empty() {
            continue;
        }
        let d = PyDict::new(py);
        for q in queues {
            let callers = PyList::empty(py);
            for c in &q.callers {
                let f = PyDict::new(py);
                f.set_item("uniqueid", c.uniqueid.as_str())?;
                f.set_item("channel", c.channel.as_str())?;
                f.set_item("position", c.position)?;
                f.set_item("since", c.since)?;
                f.set_item(
                    "ringing",
                    PyList::new(py, c.ringing.iter().map(|i| i.as_str()))?,
                )?;
                f.set_item("abandoned", c.abandoned)?;
                callers.append(f)?;
            }
            let members = PyList::empty(py);
            for mb in &q.members {
                let f = PyDict::new(py);
                f.set_item("interface", mb.interface.as_str())?;
                f.set_item("membername", mb.membername.as_str())?;
                f.set_item("stateinterface", mb.stateinterface.as_str())?;
                f.set_item("membership", mb.membership.as_str())?;
                f.set_item("status", mb.status.as_str())?;
                f.set_item("state", core::device_state(&mb.status))?;
                f.set_item("paused", mb.paused)?;
                f.set_item("callstaken", mb.callstaken)?;
                f.set_item("incall", mb.incall)?;
                f.set_item("ringing", mb.ringing.as_deref())?;
                f.set_item("connected", mb.connected.as_deref())?;
                members.append(f)?;
            }
            let f = PyDict::new(py);
            f.set_item("callers", callers)?;
            f.set_item("members", members)?;
            d.set_item(q.name.as_str(), f)?;
        }
        out.set_item(pbx, d)?;
    }
    Ok(out)
}

/// The hook of each kind of change, by [`CoreChange::index`].
fn resolve_hooks(hooks: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<Option<Py<PyAny>>>> {
    let mut out: Vec<Option<Py<PyAny>>> = HOOK_NAMES.iter().map(|_| None).collect();
    let Some(hooks) = hooks.filter(|h| !h.is_none()) else {
        return Ok(out);
    };
    for (slot, name) in out.iter_mut().zip(HOOK_NAMES) {
        let found = if let Ok(d) = hooks.cast::<PyDict>() {
            match d.get_item(name)? {
                Some(f) => Some(f),
                None => d.get_item(format!("on_{name}"))?,
            }
        } else {
            hooks.getattr(format!("on_{name}").as_str()).ok()
        };
        *slot = found.filter(|f| f.is_callable()).map(Bound::unbind);
    }
    if out.iter().all(Option::is_none) {
        return Err(PyTypeError::new_err(format!(
            "hooks has no on_<change> method or callable; change names are {}",
            HOOK_NAMES.join(", ")
        )));
    }
    Ok(out)
}

#[pymethods]
impl Model {
    /// Subclasses may take arguments of their own (their `__init__` sees them); the
    /// Model itself takes only its keywords, so a misspelt one is an error, not a hook
    /// silently lost.
    #[new]
    #[classmethod]
    #[pyo3(signature = (*args, trunk_variable = "SIPCALLID", hooks = None, rules = "standard", **kwargs))]
    fn new(
        cls: &Bound<'_, PyType>,
        args: &Bound<'_, PyTuple>,
        trunk_variable: &str,
        hooks: Option<&Bound<'_, PyAny>>,
        rules: &str,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        if cls.is(cls.py().get_type::<Model>()) {
            if let Some(k) = kwargs.and_then(|k| k.keys().iter().next()) {
                return Err(PyTypeError::new_err(format!(
                    "Model() got an unexpected keyword argument {}; it takes trunk_variable, hooks and rules",
                    k.repr()?
                )));
            }
            if !args.is_empty() {
                return Err(PyTypeError::new_err(
                    "Model() takes keyword arguments only (trunk_variable, hooks, rules)",
                ));
            }
        }
        let hooks = resolve_hooks(hooks)?;
        let rules = rules_named(rules)?;
        Ok(Model {
            state: Arc::new(Mutex::new(State {
                normalizer: CoreNormalizer::with_rules(trunk_variable, rules),
                resync: core::Resync::default(),
                model: core::Model::with_rules(rules),
                version: 0,
                scratch: Vec::new(),
            })),
            hooked: HookSet::of(&hooks),
            listening: Arc::new(AtomicBool::new(false)),
            listener: Mutex::new(None),
            hooks,
            trunk_variable: trunk_variable.to_string(),
            rules,
        })
    }

    #[getter]
    fn trunk_variable(&self) -> &str {
        &self.trunk_variable
    }

    /// `"standard"`, or `"2014"` for the 2014 framework's rules (hackamore.compat).
    #[getter]
    fn rules(&self) -> &'static str {
        self.rules.name()
    }

    /// Call `listener` with every change from now on, hooked or not, after the hooks
    /// (None: stop). For `Engine.changes()`; while none is set, changes without a hook
    /// never reach Python.
    #[pyo3(signature = (listener))]
    fn _listen(&self, listener: Option<Py<PyAny>>) {
        self.listening.store(listener.is_some(), Ordering::Relaxed);
        *lock_from_python(&self.listener) = listener;
    }

    /// Increases with every change applied (cheap "has anything changed?" test).
    #[getter]
    fn version(&self) -> u64 {
        lock_from_python(&self.state).version
    }

    /// Apply one event (a `hackamore.Event` or a dict of AMI fields with `SOURCE`).
    /// Returns the number of model changes it made.
    #[pyo3(signature = (event, pbx = None))]
    fn apply(
        &self,
        py: Python<'_>,
        event: &Bound<'_, PyAny>,
        pbx: Option<&str>,
    ) -> PyResult<usize> {
        let (Some(pbx), m) = message_of(event, pbx)? else {
            return Ok(0);
        };
        let mut pending = Vec::new();
        let n = lock_from_python(&self.state).process(
            &pbx,
            &m,
            self.hooked,
            self.listening.load(Ordering::Relaxed),
            &mut pending,
        );
        self.call_hooks(py, pending, None)?;
        Ok(n)
    }

    /// Read sources (File, Trace, Connection, or a list of them) to their end, applying
    /// every event natively; hooks run as changes happen. No source waits for another:
    /// whichever has a message is read. An END from a source that delivered nothing else
    /// (a refused connection) is not applied. Returns the number of messages read. Ctrl-C
    /// stops it.
    fn consume(&self, py: Python<'_>, sources: &Bound<'_, PyAny>) -> PyResult<u64> {
        self.consume_inputs(py, sources, false).map(|(n, _)| n)
    }

    /// As `consume()`, until a source delivers its own END (applied; not a recorded END
    /// of another PBX in a Trace): returns that source's index in `sources`, or None
    /// when they all ended without one. What the
    /// others had read ahead is handed back to them, so a next call goes on. For
    /// hackamore.compat's Controller, which closes each source as it ends.
    fn _consume_until_end(
        &self,
        py: Python<'_>,
        sources: &Bound<'_, PyAny>,
    ) -> PyResult<Option<usize>> {
        self.consume_inputs(py, sources, true)
            .map(|(_, ended)| ended)
    }

    // ----- the old framework's Model methods: apply one change directly -----

    #[pyo3(signature = (pbx, uniqueid, channel, calleridnum, channelstate, channelstatedesc, linkedid = ""))]
    #[allow(clippy::too_many_arguments)]
    fn newchannel(
        &self,
        pbx: &str,
        uniqueid: &str,
        channel: &str,
        calleridnum: Option<&str>,
        channelstate: &str,
        channelstatedesc: &str,
        linkedid: &str,
    ) {
        let num = self.number(calleridnum);
        self.with_model(|m| {
            m.newchannel(
                pbx,
                uniqueid,
                channel,
                num,
                channelstate,
                channelstatedesc,
                linkedid,
            )
        })
    }

    fn newstate(&self, pbx: &str, uniqueid: &str, channelstate: &str, channelstatedesc: &str) {
        self.with_model(|m| m.newstate(pbx, uniqueid, channelstate, channelstatedesc))
    }

    fn dial(&self, pbx: &str, uniqueid: &str, destuniqueid: &str) {
        self.with_model(|m| m.dial(pbx, uniqueid, destuniqueid))
    }

    fn dialend(&self, pbx: &str, uniqueid: &str, dialstatus: &str) {
        self.with_model(|m| m.dialend(pbx, uniqueid, dialstatus))
    }

    fn bridge(&self, pbx: &str, uniqueid1: &str, uniqueid2: &str) {
        self.with_model(|m| m.bridge(pbx, uniqueid1, uniqueid2))
    }

    fn localbridge(&self, pbx: &str, uniqueid1: &str, uniqueid2: &str) {
        self.with_model(|m| m.localbridge(pbx, uniqueid1, uniqueid2))
    }

    fn sipcallid(&self, pbx: &str, uniqueid: &str, value: &str) {
        self.with_model(|m| m.sipcallid(pbx, uniqueid, value))
    }

    fn confbridgestart(&self, pbx: &str, conference: &str) {
        self.with_model(|m| m.confbridgestart(pbx, conference))
    }

    fn confbridgejoin(&self, pbx: &str, uniqueid: &str, conference: &str) {
        self.with_model(|m| m.confbridgejoin(pbx, uniqueid, conference))
    }

    fn confbridgeleave(&self, pbx: &str, uniqueid: &str, conference: &str) {
        self.with_model(|m| m.confbridgeleave(pbx, uniqueid, conference))
    }

    fn confbridgeend(&self, pbx: &str, conference: &str) {
        self.with_model(|m| m.confbridgeend(pbx, conference))
    }

    fn musiconhold(&self, pbx: &str, uniqueid: &str) {
        self.with_model(|m| m.musiconhold(pbx, uniqueid))
    }

    fn musicoffhold(&self, pbx: &str, uniqueid: &str) {
        self.with_model(|m| m.musicoffhold(pbx, uniqueid))
    }

    fn hanguprequest(&self, pbx: &str, uniqueid: &str) {
        self.with_model(|m| m.hanguprequest(pbx, uniqueid))
    }

    #[pyo3(signature = (pbx, uniqueid, cause = ""))]
    fn softhanguprequest(&self, pbx: &str, uniqueid: &str, cause: &str) {
        let _ = cause;
        self.with_model(|m| m.softhanguprequest(pbx, uniqueid))
    }

    fn newcallerid(&self, pbx: &str, uniqueid: &str, channel: &str, calleridnum: Option<&str>) {
        let num = self.number(calleridnum);
        self.with_model(|m| m.newcallerid(pbx, uniqueid, channel, num))
    }

    fn rename(&self, pbx: &str, uniqueid: &str, newname: &str) {
        self.with_model(|m| m.rename(pbx, uniqueid, newname))
    }

    fn hangup(&self, pbx: &str, uniqueid: &str) {
        self.with_model(|m| m.hangup(pbx, uniqueid))
    }

    fn end(&self, pbx: &str) {
        self.with_model(|m| m.end(pbx))
    }

    // ----- lookups -----

    /// The channel `uniqueid` of `pbx`, or None.
    fn channel(&self, pbx: &str, uniqueid: &str) -> Option<Channel> {
        lock_from_python(&self.state)
            .model
            .channel_shared(pbx, uniqueid)
            .map(Channel::from)
    }

    /// Channels of one PBX (or of all), in creation order.
    #[pyo3(signature = (pbx = None))]
    fn channels(&self, pbx: Option<&str>) -> Vec<Channel> {
        let st = lock_from_python(&self.state);
        let pbxes: Vec<String> = match pbx {
            Some(p) => vec![p.to_string()],
            None => st.model.pbx_names().map(str::to_string).collect(),
        };
        pbxes
            .iter()
            .flat_map(|p| st.model.channels_of(p).into_iter().map(Channel::from))
            .collect()
    }

    /// Call groups in creation order, each a list of its channels.
    fn calls(&self) -> Vec<Vec<Channel>> {
        let st = lock_from_python(&self.state);
        st.model
            .calls()
            .map(|(_, members)| {
                members
                    .iter()
                    .filter_map(|(p, u)| st.model.channel_shared(p, u).map(Channel::from))
                    .collect()
            })
            .collect()
    }

    /// Conference rooms: `{pbx: {conference: [channels]}}`.
    fn rooms<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let st = lock_from_python(&self.state);
        let out = PyDict::new(py);
        for pbx in st.model.pbx_names() {
            let rooms = st.model.rooms_of(pbx);
            if rooms.is_empty() {
                continue;
            }
            let d = PyDict::new(py);
            for (conf, members) in rooms {
                let chans: Vec<Channel> = members
                    .iter()
                    .filter_map(|u| st.model.channel_shared(pbx, u).map(Channel::from))
                    .collect();
                d.set_item(conf, chans)?;
            }
            out.set_item(pbx, d)?;
        }
        Ok(out)
    }

    /// Channels waiting for their trunk twin: `{value: channel}`.
    fn trunks(&self) -> HashMap<String, Channel> {
        let st = lock_from_python(&self.state);
        st.model
            .trunks()
            .into_iter()
            .filter_map(|(v, (p, u))| {
                Some((v.to_string(), Channel::from(st.model.channel_shared(p, u)?)))
            })
            .collect()
    }

    /// Caller id numbers by channel name: `{pbx: {channel: number}}`.
    fn numbers(&self) -> HashMap<String, HashMap<String, String>> {
        let st = lock_from_python(&self.state);
        st.model
            .pbx_names()
            .map(|p| {
                let nums = st.model.numbers_of(p);
                (
                    p.to_string(),
                    nums.into_iter()
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                        .collect::<HashMap<_, _>>(),
                )
            })
            .filter(|(_, n)| !n.is_empty())
            .collect()
    }

    /// Sizes of every container (`pbxes`, `channels`, `calls`, `rooms`, `trunks`,
    /// `numbers`, `bridges`, `parked`, `queues`, `queue_callers`, `queue_members`).
    fn sizes(&self) -> HashMap<&'static str, usize> {
        HashMap::from(lock_from_python(&self.state).model.sizes().named())
    }

    /// AMI 2.x bridges now: `{pbx: {bridge: {"type", "technology", "numchannels",
    /// "members": [uniqueid]}}}` (`numchannels`: the PBX's count, hidden channels such as
    /// a ConfBridge announcer included).
    fn bridges<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        bridges_of(py, lock_from_python(&self.state).model())
    }

    /// Parked calls: `{pbx: [{"uniqueid", "channel", "lot", "space", "parker", "timeout",
    /// "since"}]}` by lot and space.
    fn parked<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        parked_of(py, lock_from_python(&self.state).model())
    }

    /// Queues: `{pbx: {queue: {"callers": [...], "members": [...]}}}`, callers first in
    /// line first (see the README).
    fn queues<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        queues_of(py, lock_from_python(&self.state).model())
    }

    /// The whole model as plain data: `channels` `{pbx: {uniqueid: {field: value}}}`
    /// (each with `call`, an index into `calls`), `calls` `[[(pbx, uniqueid)]]`, `rooms`
    /// `{pbx: {conference: [uniqueid]}}`, `trunks` `{value: (pbx, uniqueid)}`, `numbers`
    /// `{pbx: {channel: number}}`, and `bridges`, `parked`, `queues` as the methods of
    /// those names give them.
    fn snapshot<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        snapshot_of(py, lock_from_python(&self.state).model())
    }

    /// `snapshot()` and, taken with it, an identifier of each call in the order of
    /// `snapshot()["calls"]`, which stays the call's while it exists (hackamore.compat
    /// keeps one list object per call, as the 2014 framework did).
    fn _snapshot_with_call_ids<'py>(
        &self,
        py: Python<'py>,
    ) -> PyResult<(Bound<'py, PyDict>, Vec<u64>)> {
        let st = lock_from_python(&self.state);
        let ids = st.model().calls().map(|(id, _)| id).collect();
        Ok((snapshot_of(py, st.model())?, ids))
    }

    fn __len__(&self) -> usize {
        lock_from_python(&self.state).model.sizes().channels
    }

    fn __repr__(&self) -> String {
        let s = lock_from_python(&self.state).model.sizes();
        format!(
            "<hackamore.Model channels={} calls={} rooms={} trunks={}>",
            s.channels, s.calls, s.rooms, s.trunks
        )
    }
}
