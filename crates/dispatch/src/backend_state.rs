//! `_BackendState`: a snapshot of all backend state (`get_state`), installable with `set_state`
//! and picklable in uarray's exact format, so it can travel to threads, processes and workers.

use std::sync::Arc;

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple, PyType};

use crate::domain::{self, domain_string};
use crate::pyutil::Truthy;
use crate::scope::{self, ScopedState};
use crate::state::{
    BackendOptions, DomainGlobals, DomainLocals, GlobalCell, GlobalState, LocalState,
};

/// An opaque snapshot of every domain's global and scoped backends.
#[pyclass(frozen, module = "uscipy._core", name = "_BackendState")]
pub struct BackendState {
    pub locals: LocalState,
    pub globals: Arc<GlobalState>,
    pub use_thread_local_globals: bool,
}

fn options_to_py(py: Python<'_>, o: Option<&BackendOptions>) -> (Py<PyAny>, bool, bool) {
    match o {
        Some(o) => (o.backend.clone_ref(py), o.coerce, o.only),
        None => (py.None(), false, false),
    }
}

fn options_from_py(item: &Bound<'_, PyAny>) -> PyResult<Option<BackendOptions>> {
    let (backend, coerce, only): (Bound<'_, PyAny>, Bound<'_, PyAny>, Bound<'_, PyAny>) =
        item.extract()?;
    Ok((!backend.is_none()).then(|| BackendOptions {
        backend: backend.unbind(),
        coerce: coerce.is_truthy().unwrap_or(false),
        only: only.is_truthy().unwrap_or(false),
    }))
}

fn backends_from_py(items: &Bound<'_, PyAny>) -> PyResult<Vec<Py<PyAny>>> {
    items.try_iter()?.map(|b| Ok(b?.unbind())).collect()
}

#[pymethods]
impl BackendState {
    /// `({domain: ((global, coerce, only), [registered], try_last)},
    ///   {domain: ([skipped], [(backend, coerce, only)])}, use_thread_local_globals)`
    fn _pickle<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let globals = PyDict::new(py);
        for (id, g) in self.globals.iter() {
            let registered = PyList::new(py, g.registered.iter().map(|b| b.clone_ref(py)))?;
            globals.set_item(
                &*domain::name(id),
                (options_to_py(py, g.global.as_ref()), registered, g.try_last),
            )?;
        }
        let locals = PyDict::new(py);
        for (id, l) in self.locals.iter() {
            let skipped = PyList::new(py, l.skipped.iter().map(|b| b.clone_ref(py)))?;
            let preferred =
                PyList::new(py, l.preferred.iter().map(|o| options_to_py(py, Some(o))))?;
            locals.set_item(&*domain::name(id), (skipped, preferred))?;
        }
        PyTuple::new(
            py,
            [
                globals.into_any(),
                locals.into_any(),
                self.use_thread_local_globals
                    .into_pyobject(py)?
                    .to_owned()
                    .into_any(),
            ],
        )
    }

    #[classmethod]
    fn _unpickle(
        _cls: &Bound<'_, PyType>,
        globals: &Bound<'_, PyDict>,
        locals: &Bound<'_, PyDict>,
        use_thread_local_globals: &Bound<'_, PyAny>,
    ) -> PyResult<Self> {
        let mut global_domains = Vec::new();
        for (name, value) in globals.iter() {
            let (global, registered, try_last): (
                Bound<'_, PyAny>,
                Bound<'_, PyAny>,
                Bound<'_, PyAny>,
            ) = value.extract()?;
            global_domains.push((
                domain::intern(&domain_string(&name)?),
                DomainGlobals {
                    global: options_from_py(&global)?,
                    registered: backends_from_py(&registered)?,
                    try_last: try_last.is_truthy()?,
                },
            ));
        }
        let mut local_domains = Vec::new();
        for (name, value) in locals.iter() {
            let (skipped, preferred): (Bound<'_, PyAny>, Bound<'_, PyAny>) = value.extract()?;
            let preferred = preferred
                .try_iter()?
                .map(|o| {
                    options_from_py(&o?)?
                        .ok_or_else(|| PyTypeError::new_err("a scoped backend cannot be None"))
                })
                .collect::<PyResult<_>>()?;
            local_domains.push((
                domain::intern(&domain_string(&name)?),
                DomainLocals {
                    preferred,
                    skipped: backends_from_py(&skipped)?,
                },
            ));
        }
        Ok(BackendState {
            locals: LocalState::from_domains(local_domains),
            globals: Arc::new(GlobalState::from_domains(global_domains)),
            use_thread_local_globals: use_thread_local_globals.is_truthy()?,
        })
    }

    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        Ok((
            slf.get_type().getattr("_unpickle")?,
            slf.get()._pickle(slf.py())?,
        ))
    }
}

/// A snapshot of the caller's backend state.
#[pyfunction]
pub fn get_state(py: Python<'_>) -> PyResult<BackendState> {
    let scoped = scope::current(py)?;
    let scoped = scoped.get();
    Ok(BackendState {
        locals: scoped.locals.clone(),
        globals: arc_swap::Guard::into_inner(scoped.globals()),
        use_thread_local_globals: scoped.globals.is_some(),
    })
}

/// Installs a snapshot as the caller's state. Unless `reset_allowed` and the snapshot was taken
/// on the process globals, the caller gets its own copy of the globals (uarray's thread-local
/// globals), so `set_global_backend` inside a `set_state` block does not leak out of it.
#[pyfunction]
#[pyo3(signature = (state, reset_allowed = Truthy(false)))]
pub fn set_state(py: Python<'_>, state: &Bound<'_, PyAny>, reset_allowed: Truthy) -> PyResult<()> {
    let state = state
        .cast::<BackendState>()
        .map_err(|_| PyTypeError::new_err("state must be a uarray._BackendState object."))?
        .get();
    let own_globals = !reset_allowed.0 || state.use_thread_local_globals;
    let globals =
        own_globals.then(|| Arc::new(GlobalCell::new(GlobalState::clone(&state.globals))));
    scope::install(
        py,
        ScopedState {
            locals: state.locals.clone(),
            globals,
            entered: None,
        },
    )
}
