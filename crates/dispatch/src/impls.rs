//! Direct calls to a backend's implementation, bypassing `__ua_function__`.
//!
//! A backend may define `__uscipy_implementation__(multimethod) -> callable | None` (uscipy's
//! backends do). The engine asks once per (multimethod, backend), remembers the answer, and
//! from then on calls the implementation with the caller's own vectorcall arguments: no
//! argument tuple or dict, no Python frame in between. A backend with `__ua_convert__`, or
//! without the method, is called through the uarray protocol as usual.

use std::sync::OnceLock;

use pyo3::prelude::*;

use crate::pyutil::lookup_optional;

const SLOTS: usize = 8;

struct Entry {
    backend: Py<PyAny>,
    /// `None` (with `direct`): the backend does not implement this multimethod.
    implementation: Option<Py<PyAny>>,
    direct: bool,
}

/// Per-multimethod memory of how to call each backend it met (append-only, lock-free reads).
#[derive(Default)]
pub struct ImplCache {
    slots: [OnceLock<Entry>; SLOTS],
}

impl ImplCache {
    /// Releases every reference now (see `FunctionData::release`).
    pub fn release(self, py: Python<'_>) {
        for slot in self.slots {
            if let Some(e) = slot.into_inner() {
                drop((
                    e.backend.into_bound(py),
                    e.implementation.map(|i| i.into_bound(py)),
                ));
            }
        }
    }

    pub fn visit(
        &self,
        mut visit: impl FnMut(*mut pyo3::ffi::PyObject) -> std::ffi::c_int,
    ) -> std::ffi::c_int {
        for e in self.slots.iter().map_while(OnceLock::get) {
            for ptr in [
                Some(e.backend.as_ptr()),
                e.implementation.as_ref().map(|i| i.as_ptr()),
            ]
            .into_iter()
            .flatten()
            {
                let rc = visit(ptr);
                if rc != 0 {
                    return rc;
                }
            }
        }
        0
    }
}

/// How to call one backend for one multimethod.
pub enum Route<'py> {
    /// Call this implementation directly (`None`: the backend lacks the function).
    Direct(Option<Bound<'py, PyAny>>),
    /// Go through `__ua_convert__` / `__ua_function__`.
    Protocol,
}

fn route_of<'py>(py: Python<'py>, e: &Entry) -> Route<'py> {
    if e.direct {
        Route::Direct(e.implementation.as_ref().map(|i| i.bind(py).clone()))
    } else {
        Route::Protocol
    }
}

pub fn route<'py>(
    cache: &ImplCache,
    function: &Bound<'py, PyAny>,
    backend: &Bound<'py, PyAny>,
) -> PyResult<Route<'py>> {
    let py = backend.py();
    for e in cache.slots.iter().map_while(OnceLock::get) {
        if e.backend.is(backend) {
            return Ok(route_of(py, e));
        }
    }
    let resolver = lookup_optional(backend, pyo3::intern!(py, "__uscipy_implementation__"))?;
    let has_convert = lookup_optional(backend, pyo3::intern!(py, "__ua_convert__"))?.is_some();
    let entry = match resolver {
        Some(resolver) if !has_convert => {
            let implementation = resolver.call1((function,))?;
            Entry {
                backend: backend.clone().unbind(),
                implementation: (!implementation.is_none()).then(|| implementation.unbind()),
                direct: true,
            }
        }
        _ => Entry {
            backend: backend.clone().unbind(),
            implementation: None,
            direct: false,
        },
    };
    let route = route_of(py, &entry);
    // First free slot; when all are taken (more than SLOTS backends met) the answer is simply
    // not remembered. A lost race leaves the other thread's equal answer in place.
    let mut pending = Some(entry);
    for slot in &cache.slots {
        match slot.get() {
            Some(e) if e.backend.is(backend) => break,
            Some(_) => continue,
            None => {
                if let Err(lost) = slot.set(pending.take().expect("set once")) {
                    pending = Some(lost);
                    continue;
                }
                break;
            }
        }
    }
    if let Some(unused) = pending {
        drop((
            unused.backend.into_bound(py),
            unused.implementation.map(|i| i.into_bound(py)),
        ));
    }
    Ok(route)
}
