//! uscipy's process-wide backend registry, beside uarray's state: backends that own array types
//! (tried right after scoped selections when an argument's type is theirs), and fallback
//! backends (SciPy for NumPy input), tried when everything else declined.
//!
//! It is library configuration rather than uarray state: `get_state`/`set_state` and
//! `reset_state` leave it alone, so a backend registered once serves every thread and task.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock};

use pyo3::prelude::*;

use crate::domain::DomainId;
use crate::state::next_generation;

/// A backend that owns array types, e.g. `("dask.array.core", "Array")`.
pub struct TypedBackend {
    pub backend: Py<PyAny>,
    pub owns: Vec<(String, String)>,
    pub priority: i64,
    /// Registration order, to break priority ties stably.
    pub order: usize,
}

impl TypedBackend {
    fn clone_ref(&self, py: Python<'_>) -> Self {
        TypedBackend {
            backend: self.backend.clone_ref(py),
            owns: self.owns.clone(),
            priority: self.priority,
            order: self.order,
        }
    }
}

#[derive(Default)]
pub struct DomainRegistry {
    pub typed: Vec<TypedBackend>,
    pub fallback: Vec<Py<PyAny>>,
}

impl DomainRegistry {
    fn clone_ref(&self, py: Python<'_>) -> Self {
        DomainRegistry {
            typed: self.typed.iter().map(|t| t.clone_ref(py)).collect(),
            fallback: self.fallback.iter().map(|b| b.clone_ref(py)).collect(),
        }
    }
}

#[derive(Clone, Default)]
pub struct Registry {
    pub generation: u64,
    domains: Vec<Option<Arc<DomainRegistry>>>,
    registered: usize,
}

impl Registry {
    pub fn get(&self, domain: DomainId) -> Option<&DomainRegistry> {
        self.domains.get(domain.0 as usize)?.as_deref()
    }

    pub fn all_typed(&self) -> impl Iterator<Item = &TypedBackend> {
        self.domains.iter().flatten().flat_map(|r| r.typed.iter())
    }

    /// Whether any domain of `chain` has a typed backend (the common fast exit).
    pub fn has_typed(&self, chain: &[DomainId]) -> bool {
        chain
            .iter()
            .any(|&d| self.get(d).is_some_and(|r| !r.typed.is_empty()))
    }

    fn edit(&mut self, py: Python<'_>, domain: DomainId, f: impl FnOnce(&mut DomainRegistry)) {
        let i = domain.0 as usize;
        if self.domains.len() <= i {
            self.domains.resize(i + 1, None);
        }
        let mut edited = self.domains[i]
            .as_deref()
            .map(|r| r.clone_ref(py))
            .unwrap_or_default();
        f(&mut edited);
        self.domains[i] = Some(Arc::new(edited));
    }
}

/// How many typed entries exist in all domains: lets a call skip the registry when none do.
static TYPED_ENTRIES: AtomicUsize = AtomicUsize::new(0);

/// Whether any backend owns array types at all (one relaxed atomic load).
pub fn any_typed() -> bool {
    TYPED_ENTRIES.load(Ordering::Relaxed) > 0
}

static REGISTRY: LazyLock<crate::state::Published<Registry>> =
    LazyLock::new(|| crate::state::Published::new(Registry::default()));

pub fn load() -> arc_swap::Guard<Arc<Registry>> {
    REGISTRY.load()
}

fn update(py: Python<'_>, domains: &[DomainId], f: impl Fn(&mut DomainRegistry, usize)) {
    REGISTRY.update(|r| {
        r.registered += 1;
        let order = r.registered;
        for &d in domains {
            r.edit(py, d, |dr| f(dr, order));
        }
        r.generation = next_generation();
        TYPED_ENTRIES.store(r.all_typed().count(), Ordering::Relaxed);
    });
}

pub fn add_typed(
    py: Python<'_>,
    domains: &[DomainId],
    backend: &Bound<'_, PyAny>,
    owns: Vec<(String, String)>,
    priority: i64,
) {
    update(py, domains, |dr, order| {
        dr.typed.retain(|t| !t.backend.is(backend));
        dr.typed.push(TypedBackend {
            backend: backend.clone().unbind(),
            owns: owns.clone(),
            priority,
            order,
        });
        // Highest priority first; earlier registration first among equals.
        dr.typed
            .sort_by_key(|t| (std::cmp::Reverse(t.priority), t.order));
    });
}

pub fn add_fallback(py: Python<'_>, domains: &[DomainId], backend: &Bound<'_, PyAny>) {
    update(py, domains, |dr, _| {
        if !dr.fallback.iter().any(|b| b.is(backend)) {
            dr.fallback.push(backend.clone().unbind());
        }
    });
}

pub fn remove(py: Python<'_>, domains: &[DomainId], backend: &Bound<'_, PyAny>) {
    update(py, domains, |dr, _| {
        dr.typed.retain(|t| !t.backend.is(backend));
        dr.fallback.retain(|b| !b.is(backend));
    });
}
