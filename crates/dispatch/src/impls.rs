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
    /// For a backend that is a class (SciPy's is): its `__ua_function__` and whether it has
    /// `__ua_convert__`, valid while the class and its metaclass keep these version tags
    /// (CPython changes a type's tag whenever the type or a base is modified).
    class: Option<ClassProtocol>,
}

struct ClassProtocol {
    tags: (u32, u32),
    ua_function: Py<PyAny>,
    has_convert: bool,
}

/// The version tags of `obj` and its metaclass, if `obj` is a class whose attributes are
/// looked up by `type.__getattribute__` and both tags are valid.
fn class_tags(obj: &Bound<'_, PyAny>) -> Option<(u32, u32)> {
    // SAFETY: `obj` is live; type objects' fields are read under the interpreter lock.
    unsafe {
        let o = obj.as_ptr();
        if pyo3::ffi::PyType_Check(o) == 0 || !crate::pyutil::has_plain_type_getattr(o) {
            return None;
        }
        let tp = o as *mut pyo3::ffi::PyTypeObject;
        let meta = pyo3::ffi::Py_TYPE(o);
        let valid = |t: *mut pyo3::ffi::PyTypeObject| {
            pyo3::ffi::PyType_HasFeature(t, pyo3::ffi::Py_TPFLAGS_VALID_VERSION_TAG) != 0
                && (*t).tp_version_tag != 0
        };
        (valid(tp) && valid(meta)).then(|| ((*tp).tp_version_tag, (*meta).tp_version_tag))
    }
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
                e.release(py);
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
                e.class.as_ref().map(|c| c.ua_function.as_ptr()),
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

impl Entry {
    fn release(self, py: Python<'_>) {
        drop((
            self.backend.into_bound(py),
            self.implementation.map(|i| i.into_bound(py)),
            self.class.map(|c| c.ua_function.into_bound(py)),
        ));
    }
}

/// How to call one backend for one multimethod.
pub enum Route<'py> {
    /// Call this implementation directly (`None`: the backend lacks the function).
    Direct(Option<Bound<'py, PyAny>>),
    /// Go through the uarray protocol; `Some(ua_function)`: the backend's `__ua_function__`,
    /// already looked up, and it has no `__ua_convert__`.
    Protocol(Option<Bound<'py, PyAny>>),
}

fn route_of<'py>(py: Python<'py>, e: &Entry) -> Route<'py> {
    if e.direct {
        return Route::Direct(e.implementation.as_ref().map(|i| i.bind(py).clone()));
    }
    let fast = e
        .class
        .as_ref()
        .filter(|c| !c.has_convert && class_tags(e.backend.bind(py)) == Some(c.tags));
    Route::Protocol(fast.map(|c| c.ua_function.bind(py).clone()))
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
                class: None,
            }
        }
        _ => {
            let class = match class_tags(backend) {
                Some(tags) => lookup_optional(backend, pyo3::intern!(py, "__ua_function__"))?
                    // Tags read again after the lookups, which may have assigned them.
                    .filter(|_| class_tags(backend) == Some(tags))
                    .map(|ua_function| ClassProtocol {
                        tags,
                        ua_function: ua_function.unbind(),
                        has_convert,
                    }),
                None => None,
            };
            Entry {
                backend: backend.clone().unbind(),
                implementation: None,
                direct: false,
                class,
            }
        }
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
        unused.release(py);
    }
    Ok(route)
}
