//! `_SetBackendContext` and `_SkipBackendContext`: what `set_backend` and `skip_backend` return.
//!
//! A context holds only what it installs (backend, flags, domains); `__enter__` and `__exit__`
//! act on the scoped state of whichever thread or task runs them. So one context object can be
//! cached, shared across threads, entered twice (nested), or outlive a `set_state` safely.

use pyo3::exceptions::PyRuntimeError;
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString, PyType, PyWeakrefReference};
use pyo3::{PyTraverseError, PyVisit};
use std::sync::{Mutex, PoisonError};

use crate::domain::{backend_domains, DomainId};
use crate::pyutil::{lookup_optional, py_bool, Truthy};
use crate::scope::{self, Entered, ScopedState};
use crate::state::{BackendOptions, LocalEntry, PopOutcome};

/// The state a context made on its last `__enter__`, and the state it was entered from:
/// entering again from that same state republishes it, with no allocation (the common
/// `with set_backend(be): ...` in a loop). States are immutable, so threads may share one.
#[derive(Default)]
struct LastEntry(Mutex<Option<(Py<ScopedState>, Py<ScopedState>)>>);

impl LastEntry {
    fn cached<'py>(&self, current: &Bound<'py, ScopedState>) -> Option<Bound<'py, ScopedState>> {
        let last = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let (parent, child) = last.as_ref()?;
        parent
            .is(current)
            .then(|| child.clone_ref(current.py()).into_bound(current.py()))
    }

    fn remember(&self, parent: &Bound<'_, ScopedState>, child: &Bound<'_, ScopedState>) {
        let entry = (parent.clone().unbind(), child.clone().unbind());
        let previous = self
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .replace(entry);
        drop(previous); // after the lock: dropping states may run arbitrary Python code
    }

    /// The references the cache owns alone, for the garbage collector: a cached state nobody
    /// else holds (its refcount is the cache's 1) owns the backends it pushed, which may hold
    /// this context (`backend.__ua_cache__`): a cycle the collector must see to break.
    /// States themselves are not collector-tracked (they share their parts), so only objects
    /// that are exclusively ours are reported.
    fn traverse(&self, visit: &PyVisit<'_>) -> Result<(), PyTraverseError> {
        let last = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let Some((_, child)) = &*last else {
            return Ok(());
        };
        // SAFETY: reading the refcount of a live object; traversal runs with the GIL held.
        if unsafe { ffi::Py_REFCNT(child.as_ptr()) } != 1 {
            return Ok(());
        }
        let mut result = Ok(());
        child.get().locals.for_each_unshared_object(|object| {
            if result.is_ok() {
                result = visit.call(object);
            }
        });
        result
    }

    /// Drops the cache (`tp_clear`: breaks the cycle above).
    fn clear(&self) {
        let last = self.0.lock().unwrap_or_else(PoisonError::into_inner).take();
        drop(last); // after the lock
    }
}

fn enter(
    ctx: &Bound<'_, PyAny>,
    last: &LastEntry,
    domains: &[DomainId],
    entry: impl FnOnce() -> LocalEntry,
) -> PyResult<()> {
    let py = ctx.py();
    let current = scope::current(py)?;
    if let Some(made) = last.cached(&current) {
        return scope::install_object(py, &made);
    }
    let state = current.get();
    let made = Bound::new(
        py,
        ScopedState {
            locals: state.locals.pushed(py, domains, &entry()),
            globals: state.globals.clone(),
            entered: Some(Entered {
                by: PyWeakrefReference::new(ctx)?.unbind(),
                parent: current.clone().unbind(),
            }),
        },
    )?;
    scope::install_object(py, &made)?;
    last.remember(&current, &made);
    Ok(())
}

fn exit(ctx: &Bound<'_, PyAny>, domains: &[DomainId], entry: &LocalEntry) -> PyResult<()> {
    let py = ctx.py();
    let current = scope::current(py)?;
    let state = current.get();
    if let Some(entered) = &state.entered {
        if entered.by(ctx) {
            // The state this context's `__enter__` made is still current: reinstate its parent.
            return scope::install_object(py, entered.parent.bind(py));
        }
    }
    let (locals, outcome) = state.locals.popped(py, domains, entry);
    scope::install(py, state.with_locals(locals))?;
    match outcome {
        PopOutcome::Matched => Ok(()),
        PopOutcome::Mismatched => Err(PyRuntimeError::new_err(
            "Found invalid context state while in __exit__. __enter__ and __exit__ may be unmatched",
        )),
        PopOutcome::Empty => Err(PyRuntimeError::new_err("__exit__ call has no matching __enter__")),
    }
}

/// Context manager that makes a backend the preferred one of its domains.
#[pyclass(frozen, weakref, module = "uscipy._core", name = "_SetBackendContext")]
pub struct SetBackendContext {
    options: BackendOptions,
    domains: Box<[DomainId]>,
    last: LastEntry,
}

impl SetBackendContext {
    fn entry(&self, py: Python<'_>) -> LocalEntry {
        LocalEntry::Preferred(self.options.clone_ref(py))
    }
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
            last: LastEntry::default(),
        })
    }

    fn __enter__(slf: &Bound<'_, Self>) -> PyResult<()> {
        let this = slf.get();
        enter(slf.as_any(), &this.last, &this.domains, || {
            this.entry(slf.py())
        })
    }

    #[pyo3(signature = (_exc_type = None, _exc = None, _traceback = None))]
    fn __exit__(
        slf: &Bound<'_, Self>,
        _exc_type: Option<&Bound<'_, PyAny>>,
        _exc: Option<&Bound<'_, PyAny>>,
        _traceback: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let this = slf.get();
        exit(slf.as_any(), &this.domains, &this.entry(slf.py()))
    }

    /// `(backend, coerce, only)`, as uarray pickles a context.
    fn _pickle(&self, py: Python<'_>) -> (Py<PyAny>, bool, bool) {
        (
            self.options.backend.clone_ref(py),
            self.options.coerce,
            self.options.only,
        )
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> (Bound<'py, PyType>, (Py<PyAny>, bool, bool)) {
        (slf.get_type(), slf.get()._pickle(slf.py()))
    }

    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        visit.call(&self.options.backend)?;
        self.last.traverse(&visit)
    }

    fn __clear__(&self) {
        self.last.clear();
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
#[pyclass(frozen, weakref, module = "uscipy._core", name = "_SkipBackendContext")]
pub struct SkipBackendContext {
    backend: Py<PyAny>,
    domains: Box<[DomainId]>,
    last: LastEntry,
}

impl SkipBackendContext {
    fn entry(&self, py: Python<'_>) -> LocalEntry {
        LocalEntry::Skipped(self.backend.clone_ref(py))
    }
}

#[pymethods]
impl SkipBackendContext {
    #[new]
    fn new(backend: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(SkipBackendContext {
            domains: backend_domains(backend)?.into_boxed_slice(),
            backend: backend.clone().unbind(),
            last: LastEntry::default(),
        })
    }

    fn __enter__(slf: &Bound<'_, Self>) -> PyResult<()> {
        let this = slf.get();
        enter(slf.as_any(), &this.last, &this.domains, || {
            this.entry(slf.py())
        })
    }

    #[pyo3(signature = (_exc_type = None, _exc = None, _traceback = None))]
    fn __exit__(
        slf: &Bound<'_, Self>,
        _exc_type: Option<&Bound<'_, PyAny>>,
        _exc: Option<&Bound<'_, PyAny>>,
        _traceback: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let this = slf.get();
        exit(slf.as_any(), &this.domains, &this.entry(slf.py()))
    }

    /// `(backend,)`, as uarray pickles a context.
    fn _pickle(&self, py: Python<'_>) -> (Py<PyAny>,) {
        (self.backend.clone_ref(py),)
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> (Bound<'py, PyType>, (Py<PyAny>,)) {
        (slf.get_type(), slf.get()._pickle(slf.py()))
    }

    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        visit.call(&self.backend)?;
        self.last.traverse(&visit)
    }

    fn __clear__(&self) {
        self.last.clear();
    }

    #[getter]
    fn backend(&self, py: Python<'_>) -> Py<PyAny> {
        self.backend.clone_ref(py)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!("skip_backend({})", self.backend.bind(py).repr()?))
    }
}

/// The context cached on `backend.__ua_cache__[key]`, made by `make` on a miss. Contexts hold
/// no per-thread state, so one per (backend, flags) serves every thread and task. Backends that
/// refuse new attributes (slots, some builtins) just get a fresh context each time.
fn cached<'py>(
    backend: &Bound<'py, PyAny>,
    key: &Bound<'py, PyString>,
    make: impl FnOnce() -> PyResult<Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let py = backend.py();
    let name = pyo3::intern!(py, "__ua_cache__");
    let cache = match lookup_optional(backend, name)? {
        Some(cache) => match cache.cast_into::<PyDict>() {
            Ok(cache) => cache,
            Err(_) => return make(),
        },
        None => {
            let cache = PyDict::new(py);
            if backend.setattr(name, &cache).is_err() {
                return make();
            }
            cache
        }
    };
    if let Some(ctx) = cache.get_item(key)? {
        return Ok(ctx);
    }
    let ctx = make()?;
    cache.set_item(key, &ctx)?;
    Ok(ctx)
}

/// A context manager that sets the preferred backend.
///
/// ``coerce`` lets the backend convert arguments to its own types and implies ``only``;
/// ``only`` makes it the last backend tried.
#[pyfunction]
#[pyo3(signature = (backend, coerce = Truthy(false), only = Truthy(false)))]
pub fn set_backend<'py>(
    backend: &Bound<'py, PyAny>,
    coerce: Truthy,
    only: Truthy,
) -> PyResult<Bound<'py, PyAny>> {
    let py = backend.py();
    let key = match (coerce.0, only.0) {
        (false, false) => pyo3::intern!(py, "set"),
        (false, true) => pyo3::intern!(py, "set_only"),
        (true, false) => pyo3::intern!(py, "set_coerce"),
        (true, true) => pyo3::intern!(py, "set_coerce_only"),
    };
    cached(backend, key, || {
        Ok(Bound::new(py, SetBackendContext::new(backend, coerce, only)?)?.into_any())
    })
}

/// A context manager that removes ``backend`` (compared with ``==``) from consideration.
#[pyfunction]
pub fn skip_backend<'py>(backend: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let py = backend.py();
    cached(backend, pyo3::intern!(py, "skip"), || {
        Ok(Bound::new(py, SkipBackendContext::new(backend)?)?.into_any())
    })
}
