//! Bindings of the benchmark kernels (GIL released while they run), private
//! (`_native._bench_*`) and only in builds with the `bench` feature.

use pyo3::prelude::*;

#[pyfunction]
#[pyo3(name = "_bench_scan")]
fn bench_scan(py: Python<'_>, data: &[u8]) -> usize {
    py.detach(|| crate::bench::scan_boundaries(data))
}

#[pyfunction]
#[pyo3(name = "_bench_scan_lines")]
fn bench_scan_lines(py: Python<'_>, data: &[u8]) -> usize {
    py.detach(|| crate::bench::scan_lines(data))
}

#[pyfunction]
#[pyo3(name = "_bench_decode")]
fn bench_decode(py: Python<'_>, data: &[u8]) -> usize {
    py.detach(|| crate::bench::decode_count(data))
}

#[pyfunction]
#[pyo3(name = "_bench_model", signature = (data, pbx = "pbx1"))]
fn bench_model(py: Python<'_>, data: &[u8], pbx: &str) -> (usize, usize) {
    py.detach(|| crate::bench::decode_and_model(data, pbx))
}

#[pyfunction]
#[pyo3(name = "_bench_decode_wanted")]
fn bench_decode_wanted(py: Python<'_>, data: &[u8]) -> usize {
    py.detach(|| crate::bench::decode_wanted_count(data))
}

#[pyfunction]
#[pyo3(name = "_bench_model_wanted", signature = (data, pbx = "pbx1"))]
fn bench_model_wanted(py: Python<'_>, data: &[u8], pbx: &str) -> (usize, usize) {
    py.detach(|| crate::bench::decode_wanted_and_model(data, pbx))
}

#[pyfunction]
#[pyo3(name = "_bench_model_after", signature = (warm, data, pbx = "pbx1"))]
fn bench_model_after(
    py: Python<'_>,
    warm: &[u8],
    data: &[u8],
    pbx: &str,
) -> (usize, usize, f64, usize) {
    py.detach(|| crate::bench::model_after(warm, data, pbx))
}

/// Set as attributes, not added to the module's `__all__`: they are not its API.
pub(super) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.setattr("_bench_scan", wrap_pyfunction!(bench_scan, m)?)?;
    m.setattr("_bench_scan_lines", wrap_pyfunction!(bench_scan_lines, m)?)?;
    m.setattr("_bench_decode", wrap_pyfunction!(bench_decode, m)?)?;
    m.setattr("_bench_model", wrap_pyfunction!(bench_model, m)?)?;
    m.setattr(
        "_bench_decode_wanted",
        wrap_pyfunction!(bench_decode_wanted, m)?,
    )?;
    m.setattr(
        "_bench_model_wanted",
        wrap_pyfunction!(bench_model_wanted, m)?,
    )?;
    m.setattr(
        "_bench_model_after",
        wrap_pyfunction!(bench_model_after, m)?,
    )?;
    Ok(())
}
