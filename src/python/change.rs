//! `Channel` and `Change`: what hooks are given.

use crate::model::{self as core, Change as CoreChange};
use pyo3::exceptions::PyKeyError;
use pyo3::prelude::*;
use pyo3::types::PyDict;
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

    /// The device it is on (`PJSIP/2001` for `PJSIP/2001-0000000a`), whose state
    /// `Model.devices()` keeps; None for a channel of no device (Local, an announcer).
    #[getter]
    fn device(&self) -> Option<&str> {
        core::presence::device_of_channel(&self.0.channel)
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
            "<Channel {}/{} {} {} {} state={} call={}>",
            c.pbx,
            c.uniqueid,
            c.channel,
            c.role.name(),
            c.activity.name(),
            c.channelstatedesc,
            c.call
                .map_or_else(|| "None".to_string(), |id| id.to_string())
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
    pub(crate) version: u64,
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

    /// The model's version right after this change: each change adds one, so a copy of
    /// the model taken at version V (``Model._export_pbx``) holds every change up to V.
    #[getter]
    fn version(&self) -> u64 {
        self.version
    }

    /// The model's container sizes right after this change (an engine's model may have
    /// moved on by the time the hook runs).
    #[getter]
    fn sizes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        sizes_dict(py, &self.sizes)
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

/// A model's sizes as a dict in one fixed order (`ModelSizes::named`), so output made from
/// it is the same from run to run.
pub(crate) fn sizes_dict<'py>(
    py: Python<'py>,
    sizes: &core::ModelSizes,
) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    for (name, n) in sizes.named() {
        d.set_item(name, n)?;
    }
    Ok(d)
}
