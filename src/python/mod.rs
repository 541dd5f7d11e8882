//! The PyO3 bindings: thin wrappers over the core. Nothing outside this folder knows
//! about Python.

mod args;
#[cfg(feature = "bench")]
mod bench;
mod change;
mod engine;
mod errors;
mod event;
mod locks;
mod model;
mod normalizer;
mod replay;
mod sources;

use pyo3::prelude::*;
use pyo3::types::PyDict;

/// Python allocates a `#[pyclass]` object with 16-byte alignment (pymalloc): a Rust
/// type aligned more would be read misaligned (memchr's vector searchers, in a
/// `ModelInterest`, are aligned to 32). Such parts are held behind a `Box`.
const _: () = {
    const MAX: usize = 16;
    assert!(std::mem::align_of::<event::Event>() <= MAX);
    assert!(std::mem::align_of::<sources::DecodeStats>() <= MAX);
    assert!(std::mem::align_of::<sources::File>() <= MAX);
    assert!(std::mem::align_of::<sources::Trace>() <= MAX);
    assert!(std::mem::align_of::<sources::Server>() <= MAX);
    assert!(std::mem::align_of::<sources::Connection>() <= MAX);
    assert!(std::mem::align_of::<replay::ReplayServer>() <= MAX);
    assert!(std::mem::align_of::<model::Model>() <= MAX);
    assert!(std::mem::align_of::<change::Channel>() <= MAX);
    assert!(std::mem::align_of::<change::Change>() <= MAX);
    assert!(std::mem::align_of::<normalizer::Normalizer>() <= MAX);
    assert!(std::mem::align_of::<engine::NativeEngine>() <= MAX);
};

/// The change table, for the Python side to derive its lists from: `{name: (fields,
/// 2014 hook arguments or None, JSON kind)}`, fields and arguments `pbx` first.
fn changes(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let d = PyDict::new(py);
    for k in crate::model::Change::KINDS {
        let fields: Vec<&str> = std::iter::once("pbx")
            .chain(k.fields.iter().copied())
            .collect();
        d.set_item(k.name, (fields, k.hook_2014.map(<[&str]>::to_vec), k.json))?;
    }
    Ok(d)
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    // Rust `log` records go to Python `logging` (logger names start with `hackamore`).
    let _ = pyo3_log::try_init();
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<event::Event>()?;
    m.add_class::<sources::DecodeStats>()?;
    m.add_class::<sources::File>()?;
    m.add_class::<sources::Trace>()?;
    m.add_class::<sources::Server>()?;
    m.add_class::<sources::Connection>()?;
    m.add_class::<replay::ReplayServer>()?;
    m.add_class::<model::Model>()?;
    m.add_class::<change::Channel>()?;
    m.add_class::<change::Change>()?;
    m.add_class::<normalizer::Normalizer>()?;
    m.add("HOOK_NAMES", model::HOOK_NAMES.to_vec())?;
    m.add("CHANGES", changes(m.py())?)?;
    m.add_class::<engine::NativeEngine>()?;
    #[cfg(feature = "bench")]
    bench::register(m)?;
    m.add_function(wrap_pyfunction!(engine::credential, m)?)?;
    m.add_function(wrap_pyfunction!(engine::configured_servers, m)?)?;
    m.add_function(wrap_pyfunction!(event::decode, m)?)?;
    m.add_function(wrap_pyfunction!(event::md5_key, m)?)?;
    m.add_function(wrap_pyfunction!(event::encode_action, m)?)?;
    Ok(())
}
