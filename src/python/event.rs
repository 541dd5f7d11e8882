//! `Event`: one AMI message as a read-only, dict-like Python object.

use crate::ami::{is_secret_key, Action, Decoder, Message};
use crate::model::Clock;
use pyo3::exceptions::{PyKeyError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};
use std::sync::Arc;

/// An AMI message with the PBX it came from. Lookups are case-insensitive and return the
/// first value; `get_all` returns every value of a repeated key.
#[pyclass(name = "Event", module = "hackamore._native", frozen)]
pub struct Event {
    pub(crate) message: Message,
    pub(crate) source: Arc<str>,
    /// Read back from a capture (not received now): without a recorded `TIME`, when it
    /// happened is unknown (see [`Clock::Recorded`]).
    ///
    /// [`Clock::Recorded`]: crate::model::Clock::Recorded
    pub(crate) recorded: bool,
}

impl Event {
    pub(crate) fn new(message: Message, source: Arc<str>) -> Self {
        Event {
            message,
            source,
            recorded: false,
        }
    }

    /// An event read back from a capture.
    pub(crate) fn recorded(message: Message, source: Arc<str>) -> Self {
        Event {
            recorded: true,
            ..Event::new(message, source)
        }
    }

    fn text(bytes: &[u8]) -> String {
        String::from_utf8_lossy(bytes).into_owned()
    }
}

#[pymethods]
impl Event {
    #[new]
    #[pyo3(signature = (fields, source = "-"))]
    fn py_new(fields: Vec<(String, String)>, source: &str) -> Self {
        let mut m = Message::new();
        for (k, v) in fields {
            m.push(k, v);
        }
        // Made by the caller, like the old framework's dicts: an `END` field is an end.
        Event::new(m.marked_end_if_recorded(), source.into())
    }

    /// The `Event:` value, `"END"` for the end-of-source marker, else None (a response).
    #[getter]
    fn name(&self) -> Option<String> {
        if self.message.is_end() {
            return Some("END".into());
        }
        self.message.get("Event").map(Self::text)
    }

    /// The PBX this message belongs to.
    #[getter]
    fn source(&self) -> &str {
        &self.source
    }

    /// The `Response:` value (Success, Error, Follows, Goodbye), else None.
    #[getter]
    fn response(&self) -> Option<String> {
        self.message.get("Response").map(Self::text)
    }

    /// Is this the end-of-source marker (`END:`, never a DTMF `End:` field)?
    #[getter]
    fn is_end(&self) -> bool {
        self.message.is_end()
    }

    /// Messages the source delivered, this END included (None unless `is_end`).
    #[getter]
    fn end_count(&self) -> Option<u64> {
        self.message.end_count()
    }

    fn __getitem__(&self, key: &str) -> PyResult<String> {
        self.message
            .get(key)
            .map(Self::text)
            .ok_or_else(|| PyKeyError::new_err(key.to_string()))
    }

    #[pyo3(signature = (key, default = None))]
    fn get(&self, key: &str, default: Option<String>) -> Option<String> {
        self.message.get(key).map(Self::text).or(default)
    }

    /// Every value of `key`, in order.
    fn get_all(&self, key: &str) -> Vec<String> {
        self.message.get_all(key).map(Self::text).collect()
    }

    /// The first value of `key` as the bytes received, for names that are not UTF-8.
    fn raw<'py>(&self, py: Python<'py>, key: &str) -> Option<Bound<'py, PyBytes>> {
        self.message.get(key).map(|v| PyBytes::new(py, v))
    }

    fn __contains__(&self, key: &Bound<'_, PyAny>) -> bool {
        key.extract::<String>()
            .is_ok_and(|k| self.message.get(&k).is_some())
    }

    /// Number of fields, repeated keys counted each time.
    fn __len__(&self) -> usize {
        self.message.len()
    }

    /// Distinct keys in first-seen order.
    fn keys(&self) -> Vec<String> {
        let mut seen: Vec<String> = Vec::new();
        for (k, _) in self.message.fields() {
            let k = Self::text(k);
            if !seen.iter().any(|s| s.eq_ignore_ascii_case(&k)) {
                seen.push(k);
            }
        }
        seen
    }

    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        PyList::new(py, self.keys())?
            .try_iter()
            .map(Bound::into_any)
    }

    /// Every `(key, value)` pair in order, repeats included.
    fn items(&self) -> Vec<(String, String)> {
        self.message
            .fields()
            .map(|(k, v)| (Self::text(k), Self::text(v)))
            .collect()
    }

    /// A plain dict of first values.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for k in self.keys() {
            if let Some(v) = self.message.get(&k) {
                d.set_item(&k, Self::text(v))?;
            }
        }
        Ok(d)
    }

    /// The message as AMI wire bytes.
    fn to_wire<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.message.to_wire())
    }

    fn __eq__(&self, other: &Event) -> bool {
        self.message == other.message && self.source == other.source
    }

    fn __repr__(&self) -> String {
        let label = self
            .name()
            .or_else(|| self.response().map(|r| format!("Response {r}")))
            .unwrap_or_else(|| "message".into());
        let fields: Vec<String> = self
            .message
            .fields()
            .take(6)
            .map(|(k, v)| {
                let k = Self::text(k);
                let v = if is_secret_key(&k) {
                    "<hidden>".into()
                } else {
                    Self::text(v)
                };
                format!("{k}={v:?}")
            })
            .collect();
        let more = if self.message.len() > 6 { ", ..." } else { "" };
        format!(
            "<Event {label} from {} {}{more}>",
            self.source,
            fields.join(", ")
        )
    }
}

/// Decode AMI bytes into events (banner skipped; an incomplete last message dropped).
#[pyfunction]
#[pyo3(signature = (data, source = "-"))]
pub fn decode(py: Python<'_>, data: &[u8], source: &str) -> Vec<Event> {
    let source: Arc<str> = source.into();
    let messages = py.detach(|| {
        let mut d = Decoder::new();
        d.feed(data);
        let ms: Vec<Message> = std::iter::from_fn(|| d.next_message()).collect();
        d.finish();
        ms
    });
    messages
        .into_iter()
        .map(|m| Event::recorded(m, source.clone()))
        .collect()
}

/// `md5(challenge + secret)` in lower-case hex: the Key of an MD5 AMI login.
#[pyfunction]
pub fn md5_key(challenge: &str, secret: &str) -> String {
    crate::ami::md5_key(challenge, secret)
}

/// Encode an action to wire bytes, refusing CR/LF injection and over-long lines.
/// `fields` is a mapping, or (key, value) pairs where a key repeats (`Variable`); an
/// ActionID is added when it has none.
#[pyfunction]
#[pyo3(signature = (name, fields = None))]
pub fn encode_action<'py>(
    py: Python<'py>,
    name: &str,
    fields: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyBytes>> {
    let mut a = Action::new(name);
    let pairs: Vec<(String, String)> = match fields {
        None => Vec::new(),
        Some(f) => match f.cast::<PyDict>() {
            Ok(d) => d
                .iter()
                .map(|(k, v)| Ok((k.extract()?, v.extract()?)))
                .collect::<PyResult<_>>()?,
            Err(_) => f.extract().map_err(|_| {
                PyTypeError::new_err("fields: a dict of str, or a list of (str, str) pairs")
            })?,
        },
    };
    for (k, v) in pairs {
        a.push(k, v);
    }
    a.ensure_action_id();
    let wire = a.encode().map_err(super::errors::action_error)?;
    Ok(PyBytes::new(py, &wire))
}

/// Build a message from a hackamore Event or a plain mapping (the old framework's event
/// dicts), and the PBX it belongs to: None for a mapping without `SOURCE` (a PBX may be
/// named "", as a 2014 script could name one).
pub(crate) fn message_of(
    event: &Bound<'_, PyAny>,
    pbx: Option<&str>,
) -> PyResult<(Option<String>, Message, Clock)> {
    if let Ok(e) = event.cast::<Event>() {
        let e = e.get();
        let pbx = pbx
            .map(str::to_string)
            .unwrap_or_else(|| e.source.to_string());
        let clock = if e.recorded {
            Clock::Recorded
        } else {
            Clock::Wall
        };
        return Ok((Some(pbx), e.message.clone(), clock));
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
    Ok((pbx, m.marked_end_if_recorded(), Clock::Wall))
}
