//! `uscipy._core`: the extension module. Thin: it only gathers the engine (and, later, the
//! native kernels' bindings) into one Python module.

use pyo3::prelude::*;

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    uscipy_dispatch::register(m)
}
