//! The `Model` class: its construction, feeding it, reading it, and running its hooks.

use super::hooks::{self, call_one, report_hook_error, HookSet, Pending};
use super::snapshot;
use crate::model::{self as core, or_none, Change as CoreChange, Clock, Rules, Text, Tracker};
use crate::python::args;
use crate::python::change::{Change, Channel};
use crate::python::errors::ArgumentError;
use crate::python::event::message_of;
use crate::python::locks::lock_from_python;
use parking_lot::Mutex;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple, PyType};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

/// The standard call-state model, native. `hooks`: an object with `on_<change>` methods
/// or a dict of callables by change name; each is called with a `Change` after the
/// model has applied it. A hook that raises is logged and the model goes on.
#[pyclass(name = "Model", module = "hackamore._native", subclass, frozen)]
pub struct Model {
    /// Shared with engine threads, which apply changes without Python.
    pub(crate) state: Arc<Mutex<Tracker>>,
    /// By [`CoreChange::index`].
    pub(super) hooks: Vec<Option<Py<PyAny>>>,
    /// The changes that have a hook (readable without the GIL).
    pub(crate) hooked: HookSet,
    /// Set while a listener (`Engine.changes()`) wants every change, hooked or not.
    pub(crate) listening: Arc<AtomicBool>,
    pub(super) listener: Mutex<Option<Py<PyAny>>>,
    pub(crate) trunk_variable: String,
    rules: Rules,
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
        let hooks = hooks::resolve_hooks(hooks)?;
        let rules = args::rules_named(rules)?;
        Ok(Model {
            state: Arc::new(Mutex::new(Tracker::with_rules(trunk_variable, rules))),
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
        lock_from_python(&self.state).version()
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
        let (Some(pbx), m, clock) = message_of(event, pbx)? else {
            return Ok(0);
        };
        let mut pending = Vec::new();
        let n = {
            let mut tracker = lock_from_python(&self.state);
            // An event read back from a capture happened when it recorded, or at an
            // unknown time: never now.
            tracker.set_clock(clock);
            let n = hooks::process(
                &mut tracker,
                &pbx,
                &m,
                self.hooked,
                self.listening.load(Ordering::Relaxed),
                &mut pending,
            );
            tracker.set_clock(Clock::Wall);
            n
        };
        self.call_hooks(py, pending, None)?;
        Ok(n)
    }

    /// Read sources (File, Trace, Connection, or a list of them) to their end, applying
    /// every event natively; hooks run as changes happen. No source waits for another:
    /// whichever has a message is read. An END from a source that delivered nothing else
    /// (a refused connection) is not applied. Returns the number of messages read. Ctrl-C
    /// stops it.
    fn consume(slf: &Bound<'_, Self>, sources: &Bound<'_, PyAny>) -> PyResult<u64> {
        // A source of changes rather than AMI messages (hackamore.distributed.Changes)
        // applies them itself.
        if sources.hasattr("_consume_into")? {
            return sources.call_method1("_consume_into", (slf,))?.extract();
        }
        slf.get()
            .consume_inputs(slf.py(), sources, false)
            .map(|(n, _)| n)
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

    /// Apply one change of the 2014 Model API directly (hackamore.compat's
    /// `ModelStandard` hooks): its name and the hook's arguments, `pbx` first, as the
    /// change table has them; a field the hook does not take may come by keyword
    /// (`linkedid`). Hooks registered on this model are not called.
    #[pyo3(signature = (name, *args, **fields))]
    fn _hook(
        &self,
        name: &str,
        args: &Bound<'_, PyTuple>,
        fields: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<()> {
        let kind = CoreChange::KINDS.iter().find(|k| k.name == name);
        let Some(params) = kind.and_then(|k| k.hook_2014) else {
            return Err(ArgumentError::new_err(format!(
                "{name} is no hook of the 2014 Model"
            )));
        };
        if args.len() > params.len() || args.is_empty() {
            return Err(PyTypeError::new_err(format!(
                "{name}() takes {} arguments ({}), {} given",
                params.len(),
                params.join(", "),
                args.len()
            )));
        }
        let mut given: HashMap<String, Option<String>> = HashMap::new();
        for (p, v) in params.iter().zip(args.iter()) {
            given.insert(p.to_string(), v.extract()?);
        }
        for (k, v) in fields.into_iter().flat_map(|d| d.iter()) {
            given.insert(k.extract()?, v.extract()?);
        }
        let pbx = given.remove("pbx").flatten().unwrap_or_default();
        let rules = self.rules;
        let change = CoreChange::from_fields(name, pbx.into(), |f| {
            let v = given.remove(f).flatten();
            // A caller id or trunk value Asterisk spells as "none" is none (the 2014
            // rules kept `<unknown>` as a number).
            let v: Text = v.unwrap_or_default().into();
            Some(match f {
                "calleridnum" | "value" if rules == Rules::Standard => or_none(v),
                _ => v,
            })
        })
        .expect("a name of the change table");
        lock_from_python(&self.state).apply(&change);
        Ok(())
    }

    /// Apply one change of another model (a `--json` record's `change` and `fields`,
    /// `pbx` among them), running this model's hooks. What a stream of a model's
    /// changes rebuilds elsewhere: the same changes in the same order give the same
    /// model. A field the change does not have is ignored; one it has but not given is
    /// empty.
    fn _apply_change(
        &self,
        py: Python<'_>,
        name: &str,
        fields: HashMap<String, Option<String>>,
    ) -> PyResult<()> {
        let mut fields = fields;
        let pbx = fields.remove("pbx").flatten().unwrap_or_default();
        let change = CoreChange::from_fields(name, pbx.into(), |f| {
            Some(fields.remove(f).flatten().unwrap_or_default().into())
        })
        .ok_or_else(|| ArgumentError::new_err(format!("{name:?} is no kind of change")))?;
        let mut pending = Vec::new();
        hooks::apply_change(
            &mut lock_from_python(&self.state),
            &change,
            self.hooked,
            self.listening.load(Ordering::Relaxed),
            &mut pending,
        );
        self.call_hooks(py, pending, None)
    }

    /// What this model holds of `pbx`, as JSON, and the model's version it is of (every
    /// change up to it is in; see `Change.version`): taken together, under the model's
    /// lock. For another model to take over (`_import_pbx`).
    fn _export_pbx(&self, py: Python<'_>, pbx: &str) -> PyResult<(u64, String)> {
        // Without the GIL, the JSON too: a publisher's thread exports while the engine's
        // hook thread goes on publishing changes.
        let (version, json) = py.detach(|| {
            let (version, state) = {
                let st = lock_from_python(&self.state);
                (st.version(), st.model().export_pbx(pbx))
            };
            (version, serde_json::to_string(&state))
        });
        let json = json.map_err(|e| ArgumentError::new_err(format!("{pbx}: state: {e}")))?;
        Ok((version, json))
    }

    /// Hold the state `_export_pbx` gave (of another model) for `pbx`, instead of what
    /// this model had for it. Hooks are not called.
    fn _import_pbx(&self, pbx: &str, state: &str) -> PyResult<()> {
        let state: core::PbxState = serde_json::from_str(state)
            .map_err(|e| ArgumentError::new_err(format!("{pbx}: not a PBX state: {e}")))?;
        if state.v != core::STATE_VERSION {
            return Err(ArgumentError::new_err(format!(
                "{pbx}: a PBX state of version {}, this model reads {}",
                state.v,
                core::STATE_VERSION
            )));
        }
        lock_from_python(&self.state).import_pbx(pbx, &state);
        Ok(())
    }

    // ----- lookups -----

    /// The channel `uniqueid` of `pbx`, or None.
    fn channel(&self, pbx: &str, uniqueid: &str) -> Option<Channel> {
        lock_from_python(&self.state)
            .model()
            .channel_shared(pbx, uniqueid)
            .map(Channel::from)
    }

    /// Channels of one PBX (or of all), in creation order.
    #[pyo3(signature = (pbx = None))]
    fn channels(&self, pbx: Option<&str>) -> Vec<Channel> {
        let st = lock_from_python(&self.state);
        let pbxes: Vec<String> = match pbx {
            Some(p) => vec![p.to_string()],
            None => st.model().pbx_names().map(str::to_string).collect(),
        };
        pbxes
            .iter()
            .flat_map(|p| st.model().channels_of(p).into_iter().map(Channel::from))
            .collect()
    }

    /// Call groups in creation order, each a list of its channels.
    fn calls(&self) -> Vec<Vec<Channel>> {
        let st = lock_from_python(&self.state);
        st.model()
            .calls()
            .map(|(_, members)| {
                members
                    .iter()
                    .filter_map(|(p, u)| st.model().channel_shared(p, u).map(Channel::from))
                    .collect()
            })
            .collect()
    }

    /// Conference rooms: `{pbx: {conference: [channels]}}`.
    fn rooms<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let st = lock_from_python(&self.state);
        let out = PyDict::new(py);
        for pbx in st.model().pbx_names() {
            let rooms = st.model().rooms_of(pbx);
            if rooms.is_empty() {
                continue;
            }
            let d = PyDict::new(py);
            for (conf, members) in rooms {
                let chans: Vec<Channel> = members
                    .iter()
                    .filter_map(|u| st.model().channel_shared(pbx, u).map(Channel::from))
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
        st.model()
            .trunks()
            .into_iter()
            .filter_map(|(v, (p, u))| {
                Some((
                    v.to_string(),
                    Channel::from(st.model().channel_shared(p, u)?),
                ))
            })
            .collect()
    }

    /// Caller id numbers by channel name: `{pbx: {channel: number}}`.
    fn numbers(&self) -> HashMap<String, HashMap<String, String>> {
        let st = lock_from_python(&self.state);
        st.model()
            .pbx_names()
            .map(|p| {
                let nums = st.model().numbers_of(p);
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
    /// `numbers`, `bridges`, `parked`, `queues`, `queue_callers`, `queue_members`,
    /// `devices`, `extensions`, `contacts`, `registrations`, `peers`).
    fn sizes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let sizes = lock_from_python(&self.state).model().sizes();
        crate::python::change::sizes_dict(py, &sizes)
    }

    /// AMI 2.x bridges now: `{pbx: {bridge: {"type", "technology", "numchannels",
    /// "members": [uniqueid]}}}` (`numchannels`: the PBX's count, hidden channels such as
    /// a ConfBridge announcer included).
    fn bridges<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        snapshot::bridges_of(py, lock_from_python(&self.state).model())
    }

    /// Parked calls: `{pbx: [{"uniqueid", "channel", "lot", "space", "parker", "timeout",
    /// "since"}]}` by lot and space.
    fn parked<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        snapshot::parked_of(py, lock_from_python(&self.state).model())
    }

    /// Queues: `{pbx: {queue: {"callers": [...], "members": [...]}}}`, callers first in
    /// line first (see docs/model.md).
    fn queues<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        snapshot::queues_of(py, lock_from_python(&self.state).model())
    }

    /// Device states: `{pbx: {device: state}}` (`PJSIP/2001`: `NOT_INUSE`, `INUSE`,
    /// `BUSY`, `RINGING`, `RINGINUSE`, `ONHOLD`, `UNAVAILABLE`, `INVALID`, `UNKNOWN`).
    fn devices<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        snapshot::devices_of(py, lock_from_python(&self.state).model())
    }

    /// Extension states from their hints: `{pbx: {"exten@context": {"exten", "context",
    /// "hint", "status", "statustext"}}}`, `status` as AMI numbers it (0 idle, 1 in use,
    /// 2 busy, 4 unavailable, 8 ringing, 9 in use and ringing, 16 on hold).
    fn extensions<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        snapshot::extensions_of(py, lock_from_python(&self.state).model())
    }

    /// Contacts PJSIP endpoints registered: `{pbx: {uri: {"aor", "uri", "endpoint",
    /// "status", "roundtrip"}}}`, `roundtrip` in microseconds or None.
    fn contacts<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        snapshot::contacts_of(py, lock_from_python(&self.state).model())
    }

    /// Registrations each PBX makes to others: `{pbx: {key: {"channeltype", "username",
    /// "domain", "status"}}}`, keyed by PJSIP's client URI or `chan_sip`'s user@domain.
    fn registrations<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        snapshot::registrations_of(py, lock_from_python(&self.state).model())
    }

    /// Peers' reachability (`PeerStatus`): `{pbx: {peer: {"channeltype", "peer",
    /// "status", "address"}}}`.
    fn peers<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        snapshot::peers_of(py, lock_from_python(&self.state).model())
    }

    /// The whole model as plain data: `channels` `{pbx: {uniqueid: {field: value}}}`
    /// (each with `call`, an index into `calls`), `calls` `[[(pbx, uniqueid)]]`, `rooms`
    /// `{pbx: {conference: [uniqueid]}}`, `trunks` `{value: (pbx, uniqueid)}`, `numbers`
    /// `{pbx: {channel: number}}`, and `bridges`, `parked`, `queues`, `devices`,
    /// `extensions`, `contacts`, `registrations`, `peers` as the methods of those names
    /// give them.
    fn snapshot<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        snapshot::snapshot_of(py, lock_from_python(&self.state).model())
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
        Ok((snapshot::snapshot_of(py, st.model())?, ids))
    }

    fn __len__(&self) -> usize {
        lock_from_python(&self.state).model().sizes().channels
    }

    fn __repr__(&self) -> String {
        let s = lock_from_python(&self.state).model().sizes();
        format!(
            "<hackamore.Model channels={} calls={} rooms={} trunks={}>",
            s.channels, s.calls, s.rooms, s.trunks
        )
    }
}

impl Model {
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
                version: p.version,
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
}
