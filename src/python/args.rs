//! Arguments from Python: one conversion and one check per kind of value (seconds, ports,
//! counts), so every binding takes and refuses the same values the same way. A value
//! out of range raises `hackamore.ArgumentError` (a `ValueError`) naming the argument;
//! a value of the wrong type raises `TypeError`, as Python does. Nothing here panics.

use super::errors::ArgumentError;
use crate::model::Rules;
use pyo3::exceptions::{PyOverflowError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyFloat, PyInt};
use std::time::Duration;

/// A Python int as given; `None` when it is too large for an i64 (out of every range
/// taken here).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Int(Option<i64>);

impl Int {
    pub(crate) const fn of(v: i64) -> Self {
        Int(Some(v))
    }
}

impl<'a, 'py> FromPyObject<'a, 'py> for Int {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        if !obj.is_instance_of::<PyInt>() || obj.is_instance_of::<PyBool>() {
            return Err(PyTypeError::new_err(format!(
                "an int is required, not {}",
                obj.get_type().name()?
            )));
        }
        match obj.extract::<i64>() {
            Ok(v) => Ok(Int(Some(v))),
            Err(e) if e.is_instance_of::<PyOverflowError>(obj.py()) => Ok(Int(None)),
            Err(e) => Err(e),
        }
    }
}

/// A Python number (int or float) as given; an int too large for a float is infinity.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Number(f64);

impl Number {
    pub(crate) const fn of(v: f64) -> Self {
        Number(v)
    }

    /// The value, for messages.
    pub(crate) fn seconds(self) -> f64 {
        self.0
    }
}

impl<'a, 'py> FromPyObject<'a, 'py> for Number {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        if obj.is_instance_of::<PyBool>()
            || !(obj.is_instance_of::<PyFloat>() || obj.is_instance_of::<PyInt>())
        {
            return Err(PyTypeError::new_err(format!(
                "a number of seconds is required, not {}",
                obj.get_type().name()?
            )));
        }
        match obj.extract::<f64>() {
            Ok(v) => Ok(Number(v)),
            Err(e) if e.is_instance_of::<PyOverflowError>(obj.py()) => {
                let positive = obj.gt(0)?;
                Ok(Number(if positive {
                    f64::INFINITY
                } else {
                    f64::NEG_INFINITY
                }))
            }
            Err(e) => Err(e),
        }
    }
}

fn refuse<T>(what: &str, must: &str, given: impl std::fmt::Display) -> PyResult<T> {
    Err(ArgumentError::new_err(format!(
        "{what} must be {must}, not {given}"
    )))
}

fn shown(v: Int) -> String {
    v.0.map_or_else(|| "a number that large".to_string(), |n| n.to_string())
}

/// A TCP port to connect to: 1-65535.
pub(crate) fn port(v: Int, what: &str) -> PyResult<u16> {
    match v.0.map(u16::try_from) {
        Some(Ok(p)) if p > 0 => Ok(p),
        _ => refuse(what, "a port number (1-65535)", shown(v)),
    }
}

/// A TCP port to listen on: 0 (any free one) to 65535.
pub(crate) fn listen_port(v: Int, what: &str) -> PyResult<u16> {
    match v.0.map(u16::try_from) {
        Some(Ok(p)) => Ok(p),
        _ => refuse(what, "a port number (0-65535, 0: any free one)", shown(v)),
    }
}

/// A count of at least `min`.
pub(crate) fn count(v: Int, what: &str, min: u64) -> PyResult<u64> {
    match v.0.map(u64::try_from) {
        Some(Ok(n)) if n >= min => Ok(n),
        _ => refuse(what, &format!("a whole number of at least {min}"), shown(v)),
    }
}

/// A count that fits memory sizes (`usize`), of at least `min`.
pub(crate) fn size(v: Int, what: &str, min: u64) -> PyResult<usize> {
    let n = count(v, what, min)?;
    usize::try_from(n).or_else(|_| refuse(what, "a size this machine can hold", n))
}

/// How long something takes: a positive, finite number of seconds.
pub(crate) fn positive(v: Number, what: &str) -> PyResult<Duration> {
    match Duration::try_from_secs_f64(v.0) {
        Ok(d) if !d.is_zero() => Ok(d),
        _ => refuse(what, "a positive number of seconds", v.0),
    }
}

/// A pause: zero or more seconds, finite.
pub(crate) fn non_negative(v: Number, what: &str) -> PyResult<Duration> {
    match Duration::try_from_secs_f64(v.0) {
        Ok(d) => Ok(d),
        _ => refuse(what, "zero or more seconds", v.0),
    }
}

/// How long to wait: zero or more seconds; infinity (or `None`) waits without a limit.
pub(crate) fn wait(v: Option<Number>, what: &str) -> PyResult<Option<Duration>> {
    match v {
        None => Ok(None),
        Some(Number(s)) if s == f64::INFINITY => Ok(None),
        Some(Number(s)) => match Duration::try_from_secs_f64(s) {
            Ok(d) => Ok(Some(d)),
            // Finite but longer than a Duration holds (some 584 billion years): unlimited.
            Err(_) if s > 0.0 && s.is_finite() => Ok(None),
            _ => refuse(what, "zero or more seconds (or None: no limit)", s),
        },
    }
}

/// A probability: 0 to 1.
pub(crate) fn probability(v: Number, what: &str) -> PyResult<f64> {
    if (0.0..=1.0).contains(&v.0) {
        Ok(v.0)
    } else {
        refuse(what, "a probability from 0 to 1", v.0)
    }
}

/// One of `names`.
pub(crate) fn one_of<T: Copy>(v: &str, what: &str, names: &[(&str, T)]) -> PyResult<T> {
    match names.iter().find(|(n, _)| n.eq_ignore_ascii_case(v)) {
        Some((_, t)) => Ok(*t),
        None => {
            let listed: Vec<String> = names.iter().map(|(n, _)| format!("'{n}'")).collect();
            refuse(
                what,
                &format!("one of {}", listed.join(", ")),
                format!("{v:?}"),
            )
        }
    }
}

/// A deadline `d` from now, or none when it lies beyond what the clock can hold.
pub(crate) fn deadline(d: Duration) -> Option<std::time::Instant> {
    std::time::Instant::now().checked_add(d)
}

/// The rules a `rules=` argument names.
pub(crate) fn rules_named(name: &str) -> PyResult<Rules> {
    one_of(
        name,
        "rules",
        &[
            (Rules::Standard.name(), Rules::Standard),
            (Rules::Framework2014.name(), Rules::Framework2014),
        ],
    )
}
