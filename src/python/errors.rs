//! The one place core errors become Python exceptions. The classes are ordinary Python
//! classes in `hackamore/errors.py`, rooted in `hackamore.Error`.

use crate::ami::ActionError;
use crate::source::SourceError;
use pyo3::PyErr;

pyo3::import_exception!(hackamore.errors, ActionFailedError);
pyo3::import_exception!(hackamore.errors, ActionRefusedError);
pyo3::import_exception!(hackamore.errors, ArgumentError);
pyo3::import_exception!(hackamore.errors, AuthenticationError);
pyo3::import_exception!(hackamore.errors, CaptureError);
pyo3::import_exception!(hackamore.errors, CaptureNotFoundError);
pyo3::import_exception!(hackamore.errors, ConfigError);
pyo3::import_exception!(hackamore.errors, ConnectError);
pyo3::import_exception!(hackamore.errors, ConnectionLostError);
pyo3::import_exception!(hackamore.errors, ProtocolError);
pyo3::import_exception!(hackamore.errors, ResourceError);
pyo3::import_exception!(hackamore.errors, ResponseTimeoutError);
pyo3::import_exception!(hackamore.errors, ServeError);
pyo3::import_exception!(hackamore.errors, TLSError);
pyo3::import_exception!(hackamore.errors, UsageError);

pub(crate) fn source_error(e: SourceError) -> PyErr {
    let text = e.to_string();
    match e {
        SourceError::Connect { .. } => ConnectError::new_err(text),
        SourceError::Tls { .. } => TLSError::new_err(text),
        SourceError::ConnectionLost { .. } => ConnectionLostError::new_err(text),
        SourceError::Authentication { .. } => AuthenticationError::new_err(text),
        SourceError::Timeout { .. } => ResponseTimeoutError::new_err(text),
        SourceError::Protocol { .. } => ProtocolError::new_err(text),
        SourceError::Capture { source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
            CaptureNotFoundError::new_err(text)
        }
        SourceError::Capture { .. } => CaptureError::new_err(text),
        SourceError::Action { .. } => ActionRefusedError::new_err(text),
    }
}

pub(crate) fn action_error(e: ActionError) -> PyErr {
    ActionRefusedError::new_err(e.to_string())
}

pub(crate) fn config_error(e: crate::config::ConfigError) -> PyErr {
    ConfigError::new_err(e.to_string())
}

/// A thread the system would not start.
pub(crate) fn thread_error(what: &str, e: std::io::Error) -> PyErr {
    ResourceError::new_err(format!("cannot start {what}: {e}"))
}
