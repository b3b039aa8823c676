//! Module-level functions that change global backends or probe them.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyNotImplemented;
use pyo3::types::{PyDict, PyString, PyTuple};

use crate::domain::{self, backend_domains, domain_string};
use crate::errors::BackendNotImplementedError;
use crate::pyutil::{lookup_optional, Truthy};
use crate::registry;
use crate::scope;
use crate::state::BackendOptions;
use crate::types::SpecEntry;
use crate::walk::{walk, walk_domain, Flow};

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
        &mut |backend, coerce_backend, _tier| {
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

/// Registers `backend` as the owner of array types (`"module:qualname"` strings) in each of its
/// domains: calls with an argument of such a type reach it right after scoped backends.
#[pyfunction]
#[pyo3(signature = (backend, types, priority = 0))]
pub fn register_typed_backend(
    py: Python<'_>,
    backend: &Bound<'_, PyAny>,
    types: Vec<String>,
    priority: i64,
) -> PyResult<()> {
    let owns = types
        .iter()
        .map(|t| match t.split_once(':') {
            Some((m, q)) if !m.is_empty() && !q.is_empty() => Ok((m.to_owned(), q.to_owned())),
            _ => Err(pyo3::exceptions::PyValueError::new_err(format!(
                "register_typed_backend: types must be 'module:qualname' strings, got {t:?}"
            ))),
        })
        .collect::<PyResult<Vec<_>>>()?;
    registry::add_typed(py, &backend_domains(backend)?, backend, owns, priority);
    Ok(())
}

/// Registers `backend` as a fallback of its domains, tried when every other backend declined.
#[pyfunction]
pub fn register_fallback_backend(py: Python<'_>, backend: &Bound<'_, PyAny>) -> PyResult<()> {
    registry::add_fallback(py, &backend_domains(backend)?, backend);
    Ok(())
}

/// Removes `backend` from the typed and fallback registry of its domains.
#[pyfunction]
pub fn unregister_backend(py: Python<'_>, backend: &Bound<'_, PyAny>) -> PyResult<()> {
    registry::remove(py, &backend_domains(backend)?, backend);
    Ok(())
}

/// Tells the engine where a multimethod's dispatchable arguments are:
/// `[(position or None, name, is_varargs), ...]`. Set once.
#[pyfunction]
pub fn set_dispatch_spec(
    function: &Bound<'_, PyAny>,
    spec: Vec<(Option<usize>, Bound<'_, PyString>, bool)>,
) -> PyResult<()> {
    let data = crate::function::data_of_function(function)?;
    let entries = spec
        .into_iter()
        .map(|(position, name, spread)| SpecEntry {
            position,
            name: name.unbind(),
            spread,
        })
        .collect::<Vec<_>>()
        .into_boxed_slice();
    data.spec.set(entries).map_err(|_| {
        pyo3::exceptions::PyRuntimeError::new_err(
            "the dispatch spec of this multimethod is already set",
        )
    })
}

/// Makes `method` what uarray-protocol backends receive as `method` for calls of `function`
/// (set once): uscipy.fft passes SciPy's multimethods, so backends written for scipy.fft work.
#[pyfunction]
pub fn set_protocol_method(function: &Bound<'_, PyAny>, method: &Bound<'_, PyAny>) -> PyResult<()> {
    let data = crate::function::data_of_function(function)?;
    data.protocol_method
        .set(method.clone().unbind())
        .map_err(|_| {
            pyo3::exceptions::PyRuntimeError::new_err(
                "the protocol method of this multimethod is already set",
            )
        })
}

/// The backends a call would try, in order, without calling any of them: `[(backend, coerce,
/// tier)]`, tier one of "scoped", "typed", "global", "registered", "fallback". Used by
/// `uscipy.explain`.
#[pyfunction]
#[pyo3(signature = (function, *args, **kwargs))]
pub fn plan<'py>(
    py: Python<'py>,
    function: &Bound<'py, PyAny>,
    args: &Bound<'py, PyTuple>,
    kwargs: Option<&Bound<'py, PyDict>>,
) -> PyResult<Vec<(Bound<'py, PyAny>, bool, &'static str)>> {
    let data = crate::function::data_of_function(function)?;
    let positional: Vec<_> = args.iter().map(|a| a.as_ptr()).collect();
    let (names, values): (Vec<_>, Vec<_>) = kwargs.map_or((vec![], vec![]), |k| k.iter().unzip());
    let kwnames = PyTuple::new(py, &names)?;
    let kwvalues: Vec<_> = values.iter().map(|v| v.as_ptr()).collect();
    let call = crate::call::RawArgs {
        positional: &positional,
        kwnames: (!names.is_empty()).then_some(&kwnames),
        kwvalues: &kwvalues,
    };
    let typed = crate::call::typed_candidates(py, data, call)?;
    let scoped = scope::current(py)?;
    let scoped = scoped.get();
    let globals = scoped.globals();
    let mut out = Vec::new();
    walk(
        py,
        &scoped.locals,
        &globals,
        &data.chain,
        &typed,
        &mut |backend, coerce, tier| {
            out.push((backend.clone(), coerce, tier.name()));
            Ok(Flow::Continue)
        },
    )?;
    Ok(out)
}
