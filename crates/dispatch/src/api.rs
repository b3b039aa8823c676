//! Module-level functions that change global backends or probe them.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyNotImplemented;
use pyo3::types::PyTuple;

use crate::domain::{self, backend_domains, domain_string};
use crate::errors::BackendNotImplementedError;
use crate::pyutil::{lookup_optional, Truthy};
use crate::scope;
use crate::state::BackendOptions;
use crate::walk::{walk_domain, Flow};

/// Makes `backend` the global backend of each of its domains.
#[pyfunction]
#[pyo3(signature = (backend, coerce = Truthy(false), only = Truthy(false), try_last = Truthy(false)))]
pub fn set_global_backend(
    py: Python<'_>,
    backend: &Bound<'_, PyAny>,
    coerce: Truthy,
    only: Truthy,
    try_last: Truthy,
) -> PyResult<()> {
    let domains = backend_domains(backend)?;
    let options = BackendOptions {
        backend: backend.clone().unbind(),
        coerce: coerce.0,
        only: only.0,
    };
    let try_last = try_last.0;
    scope::current(py)?.get().globals_cell().update(|g| {
        for &d in &domains {
            g.edit(py, d, |dg| {
                dg.global = Some(options.clone_ref(py));
                dg.try_last = try_last;
            });
        }
    });
    Ok(())
}

/// Appends `backend` to the registered backends of each of its domains.
#[pyfunction]
pub fn register_backend(py: Python<'_>, backend: &Bound<'_, PyAny>) -> PyResult<()> {
    let domains = backend_domains(backend)?;
    let backend = backend.clone().unbind();
    scope::current(py)?.get().globals_cell().update(|g| {
        for &d in &domains {
            g.edit(py, d, |dg| dg.registered.push(backend.clone_ref(py)));
        }
    });
    Ok(())
}

/// Clears registered and/or global backends of `domain`, or of every domain.
#[pyfunction]
#[pyo3(signature = (domain, registered = Truthy(true), globals = Truthy(false)))]
pub fn clear_backends(
    py: Python<'_>,
    domain: &Bound<'_, PyAny>,
    registered: Truthy,
    globals: Truthy,
) -> PyResult<()> {
    let (registered, globals) = (registered.0, globals.0);
    let cell = scope::current(py)?.get().globals_cell().clone();
    if domain.is_none() && registered && globals {
        cell.update(|g| g.clear_all());
        return Ok(());
    }
    if domain.is_none() {
        return Err(PyTypeError::new_err(
            "clear_backends: domain must be a string (None clears every domain only with registered=True and globals=True)",
        ));
    }
    let id = domain::intern(&domain_string(domain)?);
    cell.update(|g| {
        if g.get(id).is_none() {
            return;
        }
        if registered && globals {
            g.set(id, None);
            return;
        }
        g.edit(py, id, |dg| {
            if registered {
                dg.registered.clear();
            }
            if globals {
                dg.global = None;
                dg.try_last = false;
            }
        });
    });
    Ok(())
}

/// The first backend of exactly `domain` (no parent walk) whose `__ua_convert__` accepts the
/// dispatchables; backends without `__ua_convert__` are assumed not to accept them.
#[pyfunction]
pub fn determine_backend<'py>(
    py: Python<'py>,
    domain: &Bound<'py, PyAny>,
    dispatchables: &Bound<'py, PyAny>,
    coerce: Truthy,
) -> PyResult<Bound<'py, PyAny>> {
    let id = domain::intern(&domain_string(domain)?);
    let dispatchables = PyTuple::new(py, dispatchables.try_iter()?.collect::<PyResult<Vec<_>>>()?)?;
    let coerce = coerce.0;
    let scoped = scope::current(py)?;
    let scoped = scoped.get();
    let globals = scoped.globals();
    let mut selected = None;
    walk_domain(
        py,
        &scoped.locals,
        &globals,
        id,
        &mut |backend, coerce_backend| {
            let Some(convert) = lookup_optional(backend, pyo3::intern!(py, "__ua_convert__"))?
            else {
                return Ok(Flow::Continue);
            };
            let converted = convert.call1((&dispatchables, coerce && coerce_backend))?;
            if converted.is(&*PyNotImplemented::get(py)) {
                return Ok(Flow::Continue);
            }
            selected = Some(backend.clone());
            Ok(Flow::Break)
        },
    )?;
    // uarray returned NULL without an exception (a SystemError) when an `only` backend
    // rejected the value; here that is the same "nothing accepts it" error as an empty walk.
    selected.ok_or_else(|| {
        let err = py
            .get_type::<BackendNotImplementedError>()
            .call1(("No backends could accept input of this type.",));
        match err {
            Ok(e) => PyErr::from_value(e),
            Err(e) => e,
        }
    })
}
