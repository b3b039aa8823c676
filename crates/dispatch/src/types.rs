//! Dispatch by array type: which typed backends own the types of a call's dispatchable
//! arguments. Types are matched by `"module:qualname"` against their MRO, so no array library is
//! imported to decide that a value is not one of its arrays.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex, PoisonError};

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyString, PyTuple, PyType};

use crate::call::RawArgs;
use crate::domain::DomainId;
use crate::registry::Registry;

/// Where a multimethod's dispatchable arguments are: positional index (if it can be passed
/// positionally), keyword name, and whether it is `*args` (every remaining positional).
pub struct SpecEntry {
    pub position: Option<usize>,
    pub name: Py<PyString>,
    pub spread: bool,
}

/// Calls `f` on each dispatchable value of one call, read straight from the vectorcall
/// arguments; tuples (`out=(a, b)`, `(c, lower)` pairs) are looked into one level; `None`s are
/// skipped. Nothing is allocated.
pub fn for_each_spec_value<'py>(
    py: Python<'py>,
    spec: &[SpecEntry],
    call: RawArgs<'_, 'py>,
    mut f: impl FnMut(&Bound<'py, PyAny>) -> PyResult<()>,
) -> PyResult<()> {
    let mut visit = |ptr: *mut ffi::PyObject| -> PyResult<()> {
        // SAFETY: pointers from the vectorcall argument array, live for the call.
        let value = unsafe { Borrowed::from_ptr(py, ptr) };
        if let Ok(tuple) = value.cast::<PyTuple>() {
            for item in tuple.iter().filter(|v| !v.is_none()) {
                f(&item)?;
            }
            Ok(())
        } else if value.is_none() {
            Ok(())
        } else {
            f(&value)
        }
    };
    for entry in spec {
        match entry.position {
            Some(p) if entry.spread => {
                for &a in call.positional.iter().skip(p) {
                    visit(a)?;
                }
            }
            Some(p) if p < call.positional.len() => visit(call.positional[p])?,
            _ => {
                if let Some(names) = call.kwnames {
                    let wanted = entry.name.bind(py);
                    if let Some(i) = names
                        .iter()
                        .position(|n| n.is(wanted) || n.eq(wanted).unwrap_or(false))
                    {
                        visit(call.kwvalues[i])?;
                    }
                }
            }
        }
    }
    Ok(())
}

struct TypeEntry {
    /// Keeps the type alive, so its address (the cache key) cannot be reused meanwhile.
    _type: Py<PyType>,
    generation: u64,
    owners: Vec<usize>,
}

const CACHE_LIMIT: usize = 4096;

static CACHE: LazyLock<Mutex<HashMap<usize, TypeEntry>>> = LazyLock::new(Default::default);

fn mro_names(ty: &Bound<'_, PyType>) -> PyResult<Vec<(String, String)>> {
    let mut names = Vec::new();
    for cls in ty.mro().iter() {
        let module = cls
            .getattr("__module__")
            .and_then(|m| m.extract::<String>())
            .unwrap_or_default();
        let qualname = cls
            .getattr("__qualname__")
            .and_then(|q| q.extract::<String>())
            .unwrap_or_default();
        names.push((module, qualname));
    }
    Ok(names)
}

/// Adds to `owned` the identities of the typed backends (anywhere in the registry) that own
/// `ty`, computed once per type and registry generation.
pub fn add_owners(
    ty: &Bound<'_, PyType>,
    registry: &Registry,
    owned: &mut Vec<usize>,
) -> PyResult<()> {
    let key = ty.as_ptr() as usize;
    {
        let cache = CACHE.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(entry) = cache.get(&key) {
            if entry.generation == registry.generation {
                for &id in &entry.owners {
                    if !owned.contains(&id) {
                        owned.push(id);
                    }
                }
                return Ok(());
            }
        }
    }
    let names = mro_names(ty)?;
    let mut owners = Vec::new();
    for typed in registry.all_typed() {
        let id = typed.backend.as_ptr() as usize;
        if !owners.contains(&id) && typed.owns.iter().any(|owned| names.contains(owned)) {
            owners.push(id);
        }
    }
    let mut cache = CACHE.lock().unwrap_or_else(PoisonError::into_inner);
    if cache.len() >= CACHE_LIMIT {
        cache.clear();
    }
    for &id in &owners {
        if !owned.contains(&id) {
            owned.push(id);
        }
    }
    cache.insert(
        key,
        TypeEntry {
            _type: ty.clone().unbind(),
            generation: registry.generation,
            owners,
        },
    );
    Ok(())
}

/// The typed backends to try for a call, in order: by priority (then registration), innermost
/// domain first, each once, keeping those in `owned` (owners of an argument's type).
pub fn candidates<'py>(
    py: Python<'py>,
    registry: &Registry,
    chain: &[DomainId],
    owned: &[usize],
) -> PyResult<Vec<Bound<'py, PyAny>>> {
    let mut out: Vec<Bound<'py, PyAny>> = Vec::new();
    for &d in chain {
        for typed in registry.get(d).map_or(&[][..], |r| &r.typed) {
            let id = typed.backend.as_ptr() as usize;
            if owned.contains(&id) && !out.iter().any(|b| b.as_ptr() as usize == id) {
                out.push(typed.backend.bind(py).clone());
            }
        }
    }
    Ok(out)
}
