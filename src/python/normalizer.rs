//! `Normalizer`: what an event means for the model (its changes), without applying them.

use super::event::message_of;
use super::locks::lock_from_python;
use crate::model::{Normalizer as CoreNormalizer, Resync};
use parking_lot::Mutex;
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// The stateful normaliser (AMI 2.x bridge membership) on its own, for the compat
/// Manifold: event -> list of `(hook name, fields)`.
#[pyclass(name = "Normalizer", module = "hackamore._native", frozen)]
pub struct Normalizer {
    inner: Mutex<(CoreNormalizer, Resync)>,
}

#[pymethods]
impl Normalizer {
    #[new]
    #[pyo3(signature = (trunk_variable = "SIPCALLID", *, rules = "standard"))]
    fn new(trunk_variable: &str, rules: &str) -> PyResult<Self> {
        let rules = super::args::rules_named(rules)?;
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
        let (Some(pbx), m, clock) = message_of(event, pbx)? else {
            return Ok(Vec::new()); // the old framework ignored events without SOURCE
        };
        let mut changes = Vec::new();
        // Held while the model's lock is awaited (with the GIL released): waiting for it
        // with the GIL held could wait for ever on a thread that needs the GIL.
        let mut guard = lock_from_python(&self.inner);
        let (normalizer, resync) = &mut *guard;
        normalizer.set_clock(clock);
        match model {
            Some(model) => {
                let tracker = lock_from_python(&model.get().state);
                crate::model::interpret(
                    normalizer,
                    resync,
                    tracker.model(),
                    &pbx,
                    &m,
                    &mut changes,
                );
            }
            None => normalizer.normalize(&pbx, &m, &mut changes),
        }
        normalizer.set_clock(crate::model::Clock::Wall);
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
