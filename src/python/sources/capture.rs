//! `File` and `Trace`: captures read on the calling thread with the GIL released, and
//! the decode statistics every source reports.

use crate::ami::{self, Message};
use crate::python::errors::source_error;
use crate::python::event::Event;
use crate::python::locks::lock_from_python;
use crate::source::{CaptureFile, Source};
use parking_lot::Mutex;
use pyo3::prelude::*;
use std::path::PathBuf;
use std::sync::Arc;

#[pyclass(name = "DecodeStats", module = "hackamore._native", frozen, get_all)]
#[derive(Clone)]
pub struct DecodeStats {
    messages: u64,
    banners: u64,
    oversized_lines: u64,
    oversized_messages: u64,
    too_many_headers: u64,
    truncated: u64,
    dropped: u64,
}

impl From<ami::DecodeStats> for DecodeStats {
    fn from(s: ami::DecodeStats) -> Self {
        DecodeStats {
            messages: s.messages,
            banners: s.banners,
            oversized_lines: s.oversized_lines,
            oversized_messages: s.oversized_messages,
            too_many_headers: s.too_many_headers,
            truncated: s.truncated,
            dropped: s.dropped(),
        }
    }
}

#[pymethods]
impl DecodeStats {
    fn __repr__(&self) -> String {
        format!(
            "DecodeStats(messages={}, dropped={}, oversized_lines={}, oversized_messages={}, too_many_headers={}, truncated={}, banners={})",
            self.messages,
            self.dropped,
            self.oversized_lines,
            self.oversized_messages,
            self.too_many_headers,
            self.truncated,
            self.banners
        )
    }
}

/// A capture on disk, shared by `File` and `Trace`.
pub(crate) struct Capture {
    pub(crate) file: Mutex<CaptureFile>,
    pub(crate) name: Arc<str>,
    trace: bool,
}

impl Capture {
    fn open(name: &str, path: PathBuf, trace: bool, py: Python<'_>) -> PyResult<Self> {
        let opened = py.detach(|| {
            if trace {
                CaptureFile::trace(name, &path)
            } else {
                CaptureFile::raw(name, &path)
            }
        });
        Ok(Capture {
            file: Mutex::new(opened.map_err(source_error)?),
            name: name.into(),
            trace,
        })
    }

    /// A Trace's messages name their own PBX in `SOURCE`.
    pub(crate) fn pbx_of<'a>(&'a self, m: &'a Message) -> std::borrow::Cow<'a, str> {
        crate::source::pbx_of(&self.name, self.trace, m)
    }

    fn next_event(&self, py: Python<'_>) -> PyResult<Option<Event>> {
        match py.detach(|| self.file.lock().step()) {
            Some(Ok(m)) => Ok(Some(self.event(m))),
            Some(Err(e)) => Err(source_error(e)),
            None => Ok(None),
        }
    }

    fn event(&self, m: Message) -> Event {
        let source: Arc<str> = if self.trace {
            self.pbx_of(&m).as_ref().into()
        } else {
            self.name.clone()
        };
        Event::recorded(m, source)
    }

    fn reopen(&self, py: Python<'_>) -> PyResult<()> {
        py.detach(|| self.file.lock().reopen())
            .map_err(source_error)
    }

    fn close(&self, py: Python<'_>) {
        py.detach(|| self.file.lock().close())
    }

    fn banner(&self) -> Option<String> {
        lock_from_python(&self.file)
            .banner()
            .map(|b| b.text.clone())
    }

    fn stats(&self) -> DecodeStats {
        lock_from_python(&self.file).stats().into()
    }

    fn repr(&self, class: &str) -> String {
        let f = lock_from_python(&self.file);
        format!(
            "{class}({:?}, {:?}, offset={}, open={})",
            &*self.name,
            f.path().display().to_string(),
            f.offset(),
            if f.is_open() { "True" } else { "False" }
        )
    }
}

macro_rules! capture_class {
    ($rust:ident, $py:literal, $trace:expr, $doc:literal) => {
        #[doc = $doc]
        #[pyclass(name = $py, module = "hackamore._native", frozen)]
        pub struct $rust(pub(crate) Capture);

        #[pymethods]
        impl $rust {
            #[new]
            fn new(py: Python<'_>, name: &str, path: PathBuf) -> PyResult<Self> {
                Capture::open(name, path, $trace, py).map($rust)
            }

            #[getter]
            fn name(&self) -> &str {
                &self.0.name
            }

            #[getter]
            fn banner(&self) -> Option<String> {
                self.0.banner()
            }

            #[getter]
            fn stats(&self) -> DecodeStats {
                self.0.stats()
            }

            /// Byte offset where reading goes on after `close()` and `open()`.
            #[getter]
            fn offset(&self) -> u64 {
                lock_from_python(&self.0.file).offset()
            }

            #[getter]
            fn path(&self) -> std::path::PathBuf {
                lock_from_python(&self.0.file).path().to_path_buf()
            }

            /// Reopen after `close()`, going on after the last message delivered.
            fn open(&self, py: Python<'_>) -> PyResult<()> {
                self.0.reopen(py)
            }

            fn close(&self, py: Python<'_>) {
                self.0.close(py)
            }

            fn __iter__(slf: Py<Self>) -> Py<Self> {
                slf
            }

            fn __next__(&self, py: Python<'_>) -> PyResult<Option<Event>> {
                self.0.next_event(py)
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
                self.0.close(py)
            }

            fn __repr__(&self) -> String {
                self.0.repr($py)
            }
        }
    };
}

capture_class!(
    File,
    "File",
    false,
    "A raw AMI capture file: the bytes one AMI connection received."
);
capture_class!(
    Trace,
    "Trace",
    true,
    "A Trace capture: messages tagged with SOURCE and TIME, from one or more PBXes."
);
