//! Hooks: which changes have one, what each will be given (recorded while the model
//! applies a message), and calling them with the GIL held, their errors logged.

use crate::ami::Message;
use crate::model::{Change as CoreChange, Model as CoreModel, ModelSizes, Tracker, Watcher};
use crate::python::change::{Channel, Involved};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// Every hook name, in the order of `Change::index`.
pub const HOOK_NAMES: [&str; CoreChange::COUNT] = CoreChange::NAMES;

/// The kinds of change that have a hook: one bit per [`CoreChange::index`].
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct HookSet(u64);

const _: () = assert!(CoreChange::COUNT <= 64, "a HookSet has a bit per kind");

impl HookSet {
    pub(super) fn of(hooks: &[Option<Py<PyAny>>]) -> Self {
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

/// A change waiting for its hook, with the channels as they were when it applied.
pub(crate) struct Pending {
    pub(super) change: CoreChange,
    pub(super) channels: Involved,
    /// The model's sizes right after the change (hooks may run later than it happened).
    pub(super) sizes: ModelSizes,
    /// The model's version right after it ([`Tracker::version`]).
    pub(super) version: u64,
}

/// Records, while a message is applied, what the hooks of its changes must see.
struct Recorder<'a> {
    hooks: HookSet,
    /// Every change, hooked or not (a listener wants them all).
    everything: bool,
    out: &'a mut Vec<Pending>,
    /// A hangup's channels as they were just before it.
    before: Option<Involved>,
    /// The model's version after the last change seen (each change adds one).
    version: u64,
}

impl<'a> Recorder<'a> {
    /// A recorder for the changes `tracker` is about to make.
    fn new(tracker: &Tracker, hooks: HookSet, everything: bool, out: &'a mut Vec<Pending>) -> Self {
        Recorder {
            hooks,
            everything,
            out,
            before: None,
            version: tracker.version(),
        }
    }

    fn wants(&self, c: &CoreChange) -> bool {
        self.everything || self.hooks.contains(c)
    }
}

impl Watcher for Recorder<'_> {
    fn before(&mut self, model: &CoreModel, change: &CoreChange) {
        if matches!(change, CoreChange::Hangup { .. }) && self.wants(change) {
            self.before = Some(involved(model, change));
        }
    }

    fn after(&mut self, model: &CoreModel, change: &CoreChange) {
        self.version += 1;
        if self.wants(change) {
            let channels = self
                .before
                .take()
                .unwrap_or_else(|| involved(model, change));
            self.out.push(Pending {
                change: change.clone(),
                channels,
                sizes: model.sizes(),
                version: self.version,
            });
        }
    }
}

/// The channels a change is about, as `model` has them now.
fn involved(model: &CoreModel, c: &CoreChange) -> Involved {
    let pbx = c.pbx();
    let (a, b) = c.uniqueids();
    [a, b].map(|uid| {
        uid.and_then(|uid| model.channel_shared(pbx, uid))
            .map(Channel::from)
    })
}

/// Apply one message, recording in `out` what the hooks of its changes (those in `hooks`,
/// or all with `everything`) must see. Returns how many changes it made.
pub(crate) fn process(
    tracker: &mut Tracker,
    pbx: &str,
    m: &Message,
    hooks: HookSet,
    everything: bool,
    out: &mut Vec<Pending>,
) -> usize {
    tracker.process_watched(pbx, m, &mut Recorder::new(tracker, hooks, everything, out))
}

/// Apply one change made elsewhere, recording in `out` what its hook must see.
pub(crate) fn apply_change(
    tracker: &mut Tracker,
    change: &CoreChange,
    hooks: HookSet,
    everything: bool,
    out: &mut Vec<Pending>,
) {
    let mut recorder = Recorder::new(tracker, hooks, everything, out);
    tracker.apply_watched(change, &mut recorder);
}

/// The hook of each kind of change, by [`CoreChange::index`].
pub(super) fn resolve_hooks(hooks: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<Option<Py<PyAny>>>> {
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

/// `f(arg)`. pyo3 under the limited API (the abi3 wheel) packs arguments into a new tuple,
/// which costs about as much as calling a small hook; CPython's
/// `PyObject_CallFunctionObjArgs` hands them over on its stack (vectorcall) instead.
pub(super) fn call_one(py: Python<'_>, f: &Py<PyAny>, arg: &Py<PyAny>) -> PyResult<()> {
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
pub(super) fn report_hook_error(py: Python<'_>, name: &str, err: PyErr) -> PyResult<()> {
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
