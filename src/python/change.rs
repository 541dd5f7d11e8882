//! `Channel` and `Change` (what hooks are given) and `Normalizer` (event -> changes),
//! plus the conversion of events and plain dicts into messages.

use super::event::Event;
use super::locks::lock_from_python;
use crate::ami::Message;
use crate::model::{self as core, Change as CoreChange, Normalizer as CoreNormalizer};
use parking_lot::Mutex;
use pyo3::exceptions::{PyKeyError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::collections::HashMap;
use std::sync::Arc;

/// One channel's state at the moment it was taken. It shares the model's channel, which
/// the model copies before changing it while this is held, so taking one is cheap.
#[pyclass(name = "Channel", module = "hackamore._native", frozen)]
#[derive(Clone)]
pub struct Channel(Arc<core::Channel>);

impl From<Arc<core::Channel>> for Channel {
    fn from(c: Arc<core::Channel>) -> Self {
        Channel(c)
    }
}

impl From<&core::Channel> for Channel {
    fn from(c: &core::Channel) -> Self {
        Channel(Arc::new(c.clone()))
    }
}

#[pymethods]
impl Channel {
    #[getter]
    fn pbx(&self) -> &str {
        &self.0.pbx
    }

    #[getter]
    fn uniqueid(&self) -> &str {
        &self.0.uniqueid
    }

    #[getter]
    fn channel(&self) -> &str {
        &self.0.channel
    }

    #[getter]
    fn calleridnum(&self) -> &str {
        &self.0.calleridnum
    }

    #[getter]
    fn linkedid(&self) -> &str {
        &self.0.linkedid
    }

    #[getter]
    fn sipcallid(&self) -> Option<&str> {
        self.0.sipcallid.as_deref()
    }

    #[getter]
    fn conference(&self) -> Option<&str> {
        self.0.conference.as_deref()
    }

    /// The AMI 2.x bridge it is in now (`BridgeUniqueid`), if any.
    #[getter]
    fn bridge(&self) -> Option<&str> {
        self.0.bridge.as_deref()
    }

    #[getter]
    fn channelstate(&self) -> &str {
        &self.0.channelstate
    }

    #[getter]
    fn channelstatedesc(&self) -> &str {
        &self.0.channelstatedesc
    }

    #[getter]
    fn role(&self) -> &'static str {
        self.0.role.name()
    }

    #[getter]
    fn activity(&self) -> &'static str {
        self.0.activity.name()
    }

    #[getter]
    fn call(&self) -> Option<u64> {
        self.0.call
    }

    fn __eq__(&self, other: &Channel) -> bool {
        let (a, b) = (&*self.0, &*other.0);
        (
            &a.pbx,
            &a.uniqueid,
            &a.channel,
            &a.channelstate,
            a.role,
            a.activity,
            a.call,
        ) == (
            &b.pbx,
            &b.uniqueid,
            &b.channel,
            &b.channelstate,
            b.role,
            b.activity,
            b.call,
        )
    }

    fn __repr__(&self) -> String {
        let c = &*self.0;
        format!(
            "<Channel {}/{} {} {} {} state={} call={:?}>",
            c.pbx,
            c.uniqueid,
            c.channel,
            c.role.name(),
            c.activity.name(),
            c.channelstatedesc,
            c.call
        )
    }
}

/// The channels a change is about (Uniqueid, then a second one's), those the model has.
pub(crate) type Involved = [Option<Channel>; 2];

/// One model change, as given to hooks: its name (`dial`, `hangup`...), its fields, and
/// the channels involved (after the change; for `hangup`, as they were just before).
#[pyclass(name = "Change", module = "hackamore._native", frozen)]
pub struct Change {
    pub(crate) change: CoreChange,
    pub(crate) channels: Involved,
    pub(crate) sizes: core::ModelSizes,
}

#[pymethods]
impl Change {
    #[getter]
    fn name(&self) -> &'static str {
        self.change.name()
    }

    #[getter]
    fn pbx(&self) -> &str {
        self.change.pbx()
    }

    /// The change's fields by name (`uniqueid`, `channel`, `destuniqueid`...).
    #[getter]
    fn fields<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for (k, v) in self.change.fields() {
            d.set_item(k, v)?;
        }
        Ok(d)
    }

    #[getter]
    fn channels(&self) -> Vec<Channel> {
        self.channels.iter().flatten().cloned().collect()
    }

    /// The model's container sizes right after this change (an engine's model may have
    /// moved on by the time the hook runs).
    #[getter]
    fn sizes(&self) -> HashMap<&'static str, usize> {
        HashMap::from(self.sizes.named())
    }

    fn __getitem__(&self, key: &str) -> PyResult<String> {
        self.change
            .fields()
            .into_iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.to_string())
            .ok_or_else(|| PyKeyError::new_err(key.to_string()))
    }

    #[pyo3(signature = (key, default = None))]
    fn get(&self, key: &str, default: Option<String>) -> Option<String> {
        self.__getitem__(key).ok().or(default)
    }

    fn __repr__(&self) -> String {
        let f: Vec<String> = self
            .change
            .fields()
            .into_iter()
            .map(|(k, v)| format!("{k}={v:?}"))
            .collect();
        format!("<Change {} {}>", self.change.name(), f.join(" "))
    }
}

/// Build a message from a hackamore Event or a plain mapping (the old framework's event
/// dicts), and the PBX it belongs to: None for a mapping without `SOURCE` (a PBX may be
/// named "", as a 2014 script could name one).
pub(crate) fn message_of(
    event: &Bound<'_, PyAny>,
    pbx: Option<&str>,
) -> PyResult<(Option<String>, Message)> {
    if let Ok(e) = event.cast::<Event>() {
        let e = e.get();
        let pbx = pbx
            .map(str::to_string)
            .unwrap_or_else(|| e.source.to_string());
        return Ok((Some(pbx), e.message.clone()));
    }
    let Ok(d) = event.cast::<PyDict>() else {
        return Err(PyTypeError::new_err(
            "expected a hackamore.Event or a dict of AMI fields",
        ));
    };
    let mut m = Message::new();
    let mut source = None;
    for (k, v) in d.iter() {
        let k: String = k.str()?.extract()?;
        let v: String = v.str()?.extract()?;
        if k == "SOURCE" {
            source = Some(v.clone());
        }
        m.push(k, v);
    }
    let pbx = pbx.map(str::to_string).or(source);
    // The old framework's scripts say END with a dict `{"END": count, ...}`.
    Ok((pbx, m.marked_end_if_recorded()))
}

/// The stateful normaliser (AMI 2.x bridge membership) on its own, for the compat
/// Manifold: event -> list of `(hook name, fields)`.
#[pyclass(name = "Normalizer", module = "hackamore._native", frozen)]
pub struct Normalizer {
    inner: Mutex<(CoreNormalizer, crate::model::Resync)>,
}

#[pymethods]
impl Normalizer {
    #[new]
    #[pyo3(signature = (trunk_variable = "SIPCALLID", *, rules = "standard"))]
    fn new(trunk_variable: &str, rules: &str) -> PyResult<Self> {
        let rules = super::model::rules_named(rules)?;
        Ok(Normalizer {
            inner: Mutex::new((
                CoreNormalizer::with_rules(trunk_variable, rules),
                Default::default(),
            )),
        })
    }

    #[getter]
    fn trunk_variable(&self) -> String {
        lock_from_python(&self.inner).0.trunk_variable().to_string()
    }

    #[getter]
    fn rules(&self) -> &'static str {
        lock_from_python(&self.inner).0.rules().name()
    }

    /// The changes one event means: `[(name, {field: value})]` (often empty). `pbx`
    /// defaults to the event's source (a dict's `SOURCE`). Given the native `model` the
    /// changes are for, answers to resync queries become the changes that bring it in
    /// line with the PBX (without it they mean nothing).
    #[pyo3(signature = (event, pbx = None, model = None))]
    fn normalize<'py>(
        &self,
        py: Python<'py>,
        event: &Bound<'py, PyAny>,
        pbx: Option<&str>,
        model: Option<&Bound<'py, super::model::Model>>,
    ) -> PyResult<Vec<(&'static str, Bound<'py, PyDict>)>> {
        let (Some(pbx), m) = message_of(event, pbx)? else {
            return Ok(Vec::new()); // the old framework ignored events without SOURCE
        };
        let mut changes = Vec::new();
        // Held while the model's lock is awaited (with the GIL released): waiting for it
        // with the GIL held could wait for ever on a thread that needs the GIL.
        let mut guard = lock_from_python(&self.inner);
        let (normalizer, resync) = &mut *guard;
        match model {
            Some(model) => {
                let state = lock_from_python(&model.get().state);
                crate::model::interpret(normalizer, resync, state.model(), &pbx, &m, &mut changes);
            }
            None => normalizer.normalize(&pbx, &m, &mut changes),
        }
        drop(guard);
        changes
            .iter()
            .map(|c| {
                let d = PyDict::new(py);
                for (k, v) in c.fields() {
                    d.set_item(k, v)?;
                }
                Ok((c.name(), d))
            })
            .collect()
    }
}
