//! Domains: interned names and the parent chain a call walks (`a.b.c` -> `a.b` -> `a`).
//!
//! Interning turns every domain string into a dense `DomainId` once, when a multimethod or a
//! context is built, so the dispatch hot path compares and indexes integers, never strings.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex, PoisonError};

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PySequence, PyString};

/// A domain name, interned. Ids are dense, so global state can be a vector indexed by id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DomainId(pub u32);

#[derive(Default)]
struct Interner {
    names: Vec<Arc<str>>,
    ids: HashMap<Arc<str>, DomainId>,
}

static INTERNER: LazyLock<Mutex<Interner>> = LazyLock::new(Default::default);

fn interner() -> std::sync::MutexGuard<'static, Interner> {
    // The interner is only ever appended to, so a panic elsewhere cannot leave it inconsistent.
    INTERNER.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The id of `name`, assigning a new one the first time a name is seen.
pub fn intern(name: &str) -> DomainId {
    let mut table = interner();
    if let Some(&id) = table.ids.get(name) {
        return id;
    }
    let id = DomainId(u32::try_from(table.names.len()).expect("fewer than 2^32 domains"));
    let name: Arc<str> = Arc::from(name);
    table.names.push(name.clone());
    table.ids.insert(name, id);
    id
}

/// The name an id was interned from.
pub fn name(id: DomainId) -> Arc<str> {
    interner().names[id.0 as usize].clone()
}

/// The domains a call in `domain` tries, innermost first: uarray cuts at the last `.` until no
/// dot is left or the remainder is empty (`a.b.c`, `a.b`, `a`).
pub fn chain(domain: &str) -> Vec<DomainId> {
    let mut out = Vec::new();
    let mut rest = domain;
    while !rest.is_empty() {
        out.push(intern(rest));
        match rest.rfind('.') {
            Some(dot) => rest = &rest[..dot],
            None => break,
        }
    }
    out
}

/// Validates one domain value the way uarray does and returns it as a Rust string.
pub fn domain_string(value: &Bound<'_, PyAny>) -> PyResult<String> {
    let s = value
        .cast::<PyString>()
        .map_err(|_| PyTypeError::new_err("__ua_domain__ must be a string"))?;
    let s = s.to_str()?;
    if s.is_empty() {
        return Err(PyValueError::new_err("__ua_domain__ must be non-empty"));
    }
    Ok(s.to_owned())
}

/// The domains a backend declares through `__ua_domain__`: a string or a non-empty sequence of
/// strings, with uarray's exception types and messages for anything else.
pub fn backend_domains(backend: &Bound<'_, PyAny>) -> PyResult<Vec<DomainId>> {
    let declared = backend.getattr(pyo3::intern!(backend.py(), "__ua_domain__"))?;
    if declared.is_instance_of::<PyString>() {
        return Ok(vec![intern(&domain_string(&declared)?)]);
    }
    let seq = declared.cast::<PySequence>().map_err(|_| {
        PyTypeError::new_err("__ua_domain__ must be a string or sequence of strings")
    })?;
    let len = seq.len()?;
    if len == 0 {
        return Err(PyValueError::new_err(
            "__ua_domain__ lists must be non-empty",
        ));
    }
    (0..len)
        .map(|i| Ok(intern(&domain_string(&seq.get_item(i)?)?)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(domain: &str) -> Vec<String> {
        chain(domain)
            .into_iter()
            .map(|id| name(id).to_string())
            .collect()
    }

    #[test]
    fn chain_cuts_at_last_dot() {
        assert_eq!(
            names("numpy.scipy.fft"),
            ["numpy.scipy.fft", "numpy.scipy", "numpy"]
        );
        assert_eq!(names("plain"), ["plain"]);
    }

    #[test]
    fn chain_matches_uarray_on_odd_dots() {
        // uarray's loop: resize to the last dot while the remainder is non-empty.
        assert_eq!(names("a..b"), ["a..b", "a.", "a"]);
        assert_eq!(names(".a"), [".a"]);
        assert_eq!(names("a."), ["a.", "a"]);
        assert!(names("").is_empty());
    }

    #[test]
    fn interning_is_stable() {
        assert_eq!(intern("x.y"), intern("x.y"));
        assert_ne!(intern("x.y"), intern("x.z"));
        assert_eq!(&*name(intern("x.y")), "x.y");
    }
}
