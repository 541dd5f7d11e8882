//! Locks that Python threads share with threads that may need the GIL while holding them.
//!
//! Rust `log` records reach Python `logging` through pyo3-log, which takes the GIL: an
//! engine thread, a Connection's reader or a `consume()` call that logs while it holds the
//! model or a capture file waits for the GIL. A Python thread that waited for that same
//! lock with the GIL held would never get it: both would wait forever.

use parking_lot::{Mutex, MutexGuard};
use pyo3::Python;

/// Lock `mutex` from a method called by Python, letting go of the GIL while it waits.
pub(crate) fn lock_from_python<T: Send>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    if let Some(guard) = mutex.try_lock() {
        return guard;
    }
    Python::attach(|py| loop {
        py.detach(|| drop(mutex.lock()));
        if let Some(guard) = mutex.try_lock() {
            return guard;
        }
    })
}
