//! `_SetBackendContext` and `_SkipBackendContext`: what `set_backend` and `skip_backend` return.
//!
//! A context holds only what it installs (backend, flags, domains); `__enter__` and `__exit__`
//! act on the scoped state of whichever thread or task runs them. So one context object can be
//! cached, shared across threads, entered twice (nested), or outlive a `set_state` safely.

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::domain::{backend_domains, DomainId};
use crate::pyutil::{py_bool, Truthy};
use crate::scope;
use crate::state::{BackendOptions, LocalEntry, PopOutcome};

fn enter(py: Python<'_>, domains: &[DomainId], entry: &LocalEntry) -> PyResult<()> {
    let current = scope::current(py)?;
    let current = current.get();
    scope::install(
        py,
        current.with_locals(current.locals.pushed(py, domains, entry)),
    )
}

fn exit(py: Python<'_>, domains: &[DomainId], entry: &LocalEntry) -> PyResult<()> {
    let current = scope::current(py)?;
    let current = current.get();
    let (locals, outcome) = current.locals.popped(py, domains, entry);
    scope::install(py, current.with_locals(locals))?;
    match outcome {
        PopOutcome::Matched => Ok(()),
        PopOutcome::Mismatched => Err(PyRuntimeError::new_err(
            "Found invalid context state while in __exit__. __enter__ and __exit__ may be unmatched",
        )),
        PopOutcome::Empty => Err(PyRuntimeError::new_err("__exit__ call has no matching __enter__")),
    }
}

/// Context manager that makes a backend the preferred one of its domains.
#[pyclass(frozen, module = "uscipy._core", name = "_SetBackendContext")]
pub struct SetBackendContext {
    options: BackendOptions,
    domains: Box<[DomainId]>,
}

#[pymethods]
impl SetBackendContext {
    #[new]
    #[pyo3(signature = (backend, coerce = Truthy(false), only = Truthy(false)))]
    fn new(backend: &Bound<'_, PyAny>, coerce: Truthy, only: Truthy) -> PyResult<Self> {
        Ok(SetBackendContext {
            domains: backend_domains(backend)?.into_boxed_slice(),
            options: BackendOptions {
                backend: backend.clone().unbind(),
                coerce: coerce.0,
                only: only.0,
            },
        })
    }

    fn __enter__(&self, py: Python<'_>) -> PyResult<()> {
        enter(
            py,
            &self.domains,
            &LocalEntry::Preferred(self.options.clone_ref(py)),
        )
    }

    #[pyo3(signature = (*_args))]
    fn __exit__(&self, py: Python<'_>, _args: &Bound<'_, PyTuple>) -> PyResult<()> {
        exit(
            py,
            &self.domains,
            &LocalEntry::Preferred(self.options.clone_ref(py)),
        )
    }

    /// `(backend, coerce, only)`, as uarray pickles a context.
    fn _pickle(&self, py: Python<'_>) -> (Py<PyAny>, bool, bool) {
        (
            self.options.backend.clone_ref(py),
            self.options.coerce,
            self.options.only,
        )
    }

    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> (Bound<'py, pyo3::types::PyType>, (Py<PyAny>, bool, bool)) {
        (slf.get_type(), slf.get()._pickle(slf.py()))
    }

    #[getter]
    fn backend(&self, py: Python<'_>) -> Py<PyAny> {
        self.options.backend.clone_ref(py)
    }

    #[getter]
    fn coerce(&self) -> bool {
        self.options.coerce
    }

    #[getter]
    fn only(&self) -> bool {
        self.options.only
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "set_backend({}, coerce={}, only={})",
            self.options.backend.bind(py).repr()?,
            py_bool(self.options.coerce),
            py_bool(self.options.only)
        ))
    }
}

/// Context manager that removes a backend from consideration in its domains.
#[pyclass(frozen, module = "uscipy._core", name = "_SkipBackendContext")]
pub struct SkipBackendContext {
    backend: Py<PyAny>,
    domains: Box<[DomainId]>,
}

#[pymethods]
impl SkipBackendContext {
    #[new]
    fn new(backend: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(SkipBackendContext {
            domains: backend_domains(backend)?.into_boxed_slice(),
            backend: backend.clone().unbind(),
        })
    }

    fn __enter__(&self, py: Python<'_>) -> PyResult<()> {
        enter(
            py,
            &self.domains,
            &LocalEntry::Skipped(self.backend.clone_ref(py)),
        )
    }

    #[pyo3(signature = (*_args))]
    fn __exit__(&self, py: Python<'_>, _args: &Bound<'_, PyTuple>) -> PyResult<()> {
        exit(
            py,
            &self.domains,
            &LocalEntry::Skipped(self.backend.clone_ref(py)),
        )
    }

    /// `(backend,)`, as uarray pickles a context.
    fn _pickle(&self, py: Python<'_>) -> (Py<PyAny>,) {
        (self.backend.clone_ref(py),)
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> (Bound<'py, pyo3::types::PyType>, (Py<PyAny>,)) {
        (slf.get_type(), slf.get()._pickle(slf.py()))
    }

    #[getter]
    fn backend(&self, py: Python<'_>) -> Py<PyAny> {
        self.backend.clone_ref(py)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!("skip_backend({})", self.backend.bind(py).repr()?))
    }
}
