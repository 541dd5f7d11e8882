//! Bindings of the benchmark kernels (GIL released while they run).

use pyo3::prelude::*;

#[pyfunction]
pub fn bench_scan(py: Python<'_>, data: &[u8]) -> usize {
    py.detach(|| crate::bench::scan_boundaries(data))
}

#[pyfunction]
pub fn bench_scan_lines(py: Python<'_>, data: &[u8]) -> usize {
    py.detach(|| crate::bench::scan_lines(data))
}

#[pyfunction]
pub fn bench_decode(py: Python<'_>, data: &[u8]) -> usize {
    py.detach(|| crate::bench::decode_count(data))
}

#[pyfunction]
#[pyo3(signature = (data, pbx = "pbx1"))]
pub fn bench_model(py: Python<'_>, data: &[u8], pbx: &str) -> (usize, usize) {
    py.detach(|| crate::bench::decode_and_model(data, pbx))
}
