//! Backend state: what `set_backend`/`skip_backend` scope (locals) and what
//! `set_global_backend`/`register_backend` install (globals).
//!
//! Both are immutable snapshots. A change builds a new snapshot and publishes it, so a dispatch
//! in progress keeps walking the snapshot it started with: `clear_backends` called from inside a
//! backend, or a context entered after `set_state`, can never leave a dangling reference (the two
//! uarray segfaults). Locals live in a `contextvars.ContextVar` (per thread and per asyncio task);
//! process globals live in one lock-free cell whose writers are serialised by a mutex.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex, PoisonError};

use arc_swap::ArcSwap;
use pyo3::prelude::*;

use crate::domain::DomainId;

/// A backend as a context or `set_global_backend` installs it.
pub struct BackendOptions {
    pub backend: Py<PyAny>,
    pub coerce: bool,
    pub only: bool,
}

impl BackendOptions {
    pub fn clone_ref(&self, py: Python<'_>) -> Self {
        BackendOptions {
            backend: self.backend.clone_ref(py),
            coerce: self.coerce,
            only: self.only,
        }
    }

    /// uarray's equality for context bookkeeping: the same object with the same flags.
    pub fn same(&self, other: &BackendOptions) -> bool {
        self.backend.is(&other.backend) && self.coerce == other.coerce && self.only == other.only
    }
}

/// Scoped backends of one domain: `preferred` is a stack (innermost last).
#[derive(Default)]
pub struct DomainLocals {
    pub preferred: Vec<BackendOptions>,
    pub skipped: Vec<Py<PyAny>>,
}

impl DomainLocals {
    fn clone_ref(&self, py: Python<'_>) -> Self {
        DomainLocals {
            preferred: self.preferred.iter().map(|o| o.clone_ref(py)).collect(),
            skipped: self.skipped.iter().map(|b| b.clone_ref(py)).collect(),
        }
    }

    fn is_empty(&self) -> bool {
        self.preferred.is_empty() && self.skipped.is_empty()
    }
}

/// All scoped backends of one thread or task. Few domains are ever scoped at once, so a small
/// vector searched linearly beats a hash map and is cheap to copy on `__enter__`.
#[derive(Clone, Default)]
pub struct LocalState {
    domains: Vec<(DomainId, Arc<DomainLocals>)>,
}

/// Which list of a domain's locals a context pushes to.
pub enum LocalEntry {
    Preferred(BackendOptions),
    Skipped(Py<PyAny>),
}

impl LocalState {
    pub fn get(&self, domain: DomainId) -> Option<&DomainLocals> {
        self.domains
            .iter()
            .find(|(d, _)| *d == domain)
            .map(|(_, l)| &**l)
    }

    pub fn is_empty(&self) -> bool {
        self.domains.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (DomainId, &DomainLocals)> {
        self.domains.iter().map(|(d, l)| (*d, &**l))
    }

    /// Calls `f` with each object held by a domain's locals that no other state shares (the
    /// domains this state edited itself): what a sole owner of this state may report to the
    /// garbage collector as its own references.
    pub fn for_each_unshared_object(&self, mut f: impl FnMut(&Py<PyAny>)) {
        for (_, locals) in self
            .domains
            .iter()
            .filter(|(_, l)| Arc::strong_count(l) == 1)
        {
            locals.preferred.iter().for_each(|o| f(&o.backend));
            locals.skipped.iter().for_each(&mut f);
        }
    }

    pub fn from_domains(domains: Vec<(DomainId, DomainLocals)>) -> Self {
        let domains = domains
            .into_iter()
            .filter(|(_, l)| !l.is_empty())
            .map(|(d, l)| (d, Arc::new(l)))
            .collect();
        LocalState { domains }
    }

    fn edit(
        &self,
        py: Python<'_>,
        domain: DomainId,
        f: impl FnOnce(&mut DomainLocals),
    ) -> LocalState {
        let mut next = self.clone();
        match next.domains.iter().position(|(d, _)| *d == domain) {
            Some(i) => {
                let mut edited = next.domains[i].1.clone_ref(py);
                f(&mut edited);
                next.domains[i].1 = Arc::new(edited);
                if next.domains[i].1.is_empty() {
                    next.domains.swap_remove(i);
                }
            }
            None => {
                let mut fresh = DomainLocals::default();
                f(&mut fresh);
                if !fresh.is_empty() {
                    next.domains.push((domain, Arc::new(fresh)));
                }
            }
        }
        next
    }

    /// The state with `entry` pushed on each domain's stack.
    pub fn pushed(&self, py: Python<'_>, domains: &[DomainId], entry: &LocalEntry) -> LocalState {
        domains.iter().fold(self.clone(), |state, &d| {
            state.edit(py, d, |l| match entry {
                LocalEntry::Preferred(o) => l.preferred.push(o.clone_ref(py)),
                LocalEntry::Skipped(b) => l.skipped.push(b.clone_ref(py)),
            })
        })
    }

    /// The state with the top of each domain's stack popped, and whether every popped top was
    /// `entry` (uarray pops even on a mismatch, then reports it). `None` if a stack was empty.
    pub fn popped(
        &self,
        py: Python<'_>,
        domains: &[DomainId],
        entry: &LocalEntry,
    ) -> (LocalState, PopOutcome) {
        let mut outcome = PopOutcome::Matched;
        let state = domains.iter().fold(self.clone(), |state, &d| {
            state.edit(py, d, |l| {
                let matched = match entry {
                    LocalEntry::Preferred(o) => l.preferred.pop().map(|top| top.same(o)),
                    LocalEntry::Skipped(b) => l.skipped.pop().map(|top| top.is(b)),
                };
                outcome = outcome.worst(match matched {
                    Some(true) => PopOutcome::Matched,
                    Some(false) => PopOutcome::Mismatched,
                    None => PopOutcome::Empty,
                });
            })
        });
        (state, outcome)
    }
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub enum PopOutcome {
    Matched,
    Mismatched,
    Empty,
}

impl PopOutcome {
    fn worst(self, other: PopOutcome) -> PopOutcome {
        self.max(other)
    }
}

/// Global backends of one domain.
#[derive(Default)]
pub struct DomainGlobals {
    pub global: Option<BackendOptions>,
    pub registered: Vec<Py<PyAny>>,
    pub try_last: bool,
}

impl DomainGlobals {
    fn clone_ref(&self, py: Python<'_>) -> Self {
        DomainGlobals {
            global: self.global.as_ref().map(|o| o.clone_ref(py)),
            registered: self.registered.iter().map(|b| b.clone_ref(py)).collect(),
            try_last: self.try_last,
        }
    }
}

/// Global backends of every domain, indexed by `DomainId`, stamped with a generation that
/// changes whenever any global state changes (it keys resolution caches).
#[derive(Clone, Default)]
pub struct GlobalState {
    pub generation: u64,
    domains: Vec<Option<Arc<DomainGlobals>>>,
}

static GENERATION: AtomicU64 = AtomicU64::new(1);

/// A fresh generation number, unique for the process.
pub fn next_generation() -> u64 {
    GENERATION.fetch_add(1, Ordering::Relaxed)
}

impl GlobalState {
    pub fn get(&self, domain: DomainId) -> Option<&DomainGlobals> {
        self.domains.get(domain.0 as usize)?.as_deref()
    }

    pub fn iter(&self) -> impl Iterator<Item = (DomainId, &DomainGlobals)> {
        self.domains
            .iter()
            .enumerate()
            .filter_map(|(i, g)| Some((DomainId(i as u32), g.as_deref()?)))
    }

    pub fn from_domains(domains: Vec<(DomainId, DomainGlobals)>) -> Self {
        let mut state = GlobalState {
            generation: next_generation(),
            domains: Vec::new(),
        };
        for (d, g) in domains {
            state.set(d, Some(g));
        }
        state
    }

    /// Edits one domain's globals in place (copying them if shared).
    pub fn edit(&mut self, py: Python<'_>, domain: DomainId, f: impl FnOnce(&mut DomainGlobals)) {
        let mut edited = self
            .get(domain)
            .map(|g| g.clone_ref(py))
            .unwrap_or_default();
        f(&mut edited);
        self.set(domain, Some(edited));
    }

    pub fn set(&mut self, domain: DomainId, value: Option<DomainGlobals>) {
        let i = domain.0 as usize;
        if self.domains.len() <= i {
            self.domains.resize(i + 1, None);
        }
        self.domains[i] = value.map(Arc::new);
    }

    pub fn clear_all(&mut self) {
        self.domains.clear();
    }
}

/// A borrowed snapshot of the globals.
pub type GlobalGuard = arc_swap::Guard<Arc<GlobalState>>;

/// A published, swappable snapshot. Readers never block; writers are serialised.
pub struct Published<T> {
    current: ArcSwap<T>,
    writer: Mutex<()>,
}

impl<T: Clone> Published<T> {
    pub fn new(value: T) -> Self {
        Published {
            current: ArcSwap::from_pointee(value),
            writer: Mutex::new(()),
        }
    }

    /// The current snapshot; cheap to take (no reference-count traffic in the common case).
    pub fn load(&self) -> arc_swap::Guard<Arc<T>> {
        self.current.load()
    }

    /// Applies `f` to a copy of the value and publishes the result.
    pub fn update(&self, f: impl FnOnce(&mut T)) {
        let previous = {
            let _guard = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
            let mut next = T::clone(&self.current.load());
            f(&mut next);
            self.current.swap(Arc::new(next))
        };
        // Dropped outside the lock: releasing backends may run Python code that changes state.
        drop(previous);
    }
}

/// uarray's global state of a scope: process-wide, or a scope's own copy after `set_state`.
pub struct GlobalCell(Published<GlobalState>);

impl GlobalCell {
    pub fn new(state: GlobalState) -> Self {
        GlobalCell(Published::new(state))
    }

    pub fn load(&self) -> GlobalGuard {
        self.0.load()
    }

    /// Applies `f` to a copy of the state and publishes it with a new generation.
    pub fn update(&self, f: impl FnOnce(&mut GlobalState)) {
        self.0.update(|next| {
            f(next);
            next.generation = next_generation();
        });
    }
}

/// The process-wide globals, shared by every thread that has not called `set_state`.
pub static PROCESS_GLOBALS: LazyLock<Arc<GlobalCell>> =
    LazyLock::new(|| Arc::new(GlobalCell::new(GlobalState::default())));

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::intern;

    fn options(py: Python<'_>, only: bool) -> BackendOptions {
        BackendOptions {
            backend: pyo3::types::PyDict::new(py).into_any().unbind(),
            coerce: false,
            only,
        }
    }

    #[test]
    fn push_then_pop_restores_and_drops_empty_domains() {
        Python::attach(|py| {
            let (a, b) = (intern("state.a"), intern("state.b"));
            let entry = LocalEntry::Preferred(options(py, false));
            let pushed = LocalState::default().pushed(py, &[a, b], &entry);
            assert_eq!(pushed.get(a).map(|l| l.preferred.len()), Some(1));
            assert_eq!(pushed.get(b).map(|l| l.preferred.len()), Some(1));
            let (popped, outcome) = pushed.popped(py, &[a, b], &entry);
            assert_eq!(outcome, PopOutcome::Matched);
            assert!(popped.is_empty());
        });
    }

    #[test]
    fn pop_reports_mismatch_and_empty() {
        Python::attach(|py| {
            let a = intern("state.c");
            let first = LocalEntry::Preferred(options(py, false));
            let second = LocalEntry::Preferred(options(py, false));
            let state = LocalState::default()
                .pushed(py, &[a], &first)
                .pushed(py, &[a], &second);
            let (state, outcome) = state.popped(py, &[a], &first);
            assert_eq!(outcome, PopOutcome::Mismatched);
            let (state, _) = state.popped(py, &[a], &second);
            let (_, outcome) = state.popped(py, &[a], &first);
            assert_eq!(outcome, PopOutcome::Empty);
        });
    }

    #[test]
    fn snapshots_are_unaffected_by_later_updates() {
        Python::attach(|py| {
            let d = intern("state.global");
            let cell = GlobalCell::new(GlobalState::default());
            cell.update(|g| g.edit(py, d, |dg| dg.registered.push(py.None())));
            let snapshot = cell.load();
            cell.update(|g| g.set(d, None));
            assert_eq!(snapshot.get(d).map(|g| g.registered.len()), Some(1));
            assert!(cell.load().get(d).is_none());
            assert!(cell.load().generation > snapshot.generation);
        });
    }
}
