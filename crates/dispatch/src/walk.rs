//! The order in which backends are tried.
//!
//! uarray's order, per domain level: scoped backends innermost first (one set with `only` or
//! `coerce` ends the walk), then the global backend unless `try_last` (its `only`/`coerce` ends
//! the walk), then registered backends (never coercing), then a `try_last` global; then the
//! parent domain. Skipped backends are compared with `==`; an exception from `__eq__` propagates.
//!
//! uscipy adds two tiers. When a typed backend owns an argument's type, it is tried after the
//! scoped backends of every level and before any global one; and when every backend declined,
//! the fallback backends (SciPy) are tried. Without typed backends or fallbacks the order is
//! exactly uarray's.

use pyo3::prelude::*;

use crate::domain::DomainId;
use crate::pyutil::lookup_optional;
use crate::registry;
use crate::state::{BackendOptions, GlobalState, LocalState};

/// What a visitor tells the walk after trying a backend.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Flow {
    /// Try the next backend.
    Continue,
    /// Stop: a backend produced a result, or an `only`/`coerce` backend was the last allowed.
    Break,
}

/// Where in the order a backend was found (for `explain`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Tier {
    Scoped,
    Typed,
    Global,
    Registered,
    Fallback,
    /// A scoped NumPy backend (`__uscipy_numpy_only__`) passed over without `coerce`: an
    /// argument's type belongs to a typed backend, and running it would convert that argument
    /// implicitly (a device-to-host copy, an eager compute). The visitor records it, not runs it.
    Refused,
}

impl Tier {
    pub fn name(self) -> &'static str {
        match self {
            Tier::Scoped => "scoped",
            Tier::Typed => "typed",
            Tier::Global => "global",
            Tier::Registered => "registered",
            Tier::Fallback => "fallback",
            Tier::Refused => "refused",
        }
    }
}

fn is_skipped(py: Python<'_>, skipped: &[Py<PyAny>], backend: &Bound<'_, PyAny>) -> PyResult<bool> {
    for s in skipped {
        if s.is(backend) || s.bind(py).eq(backend)? {
            return Ok(true);
        }
    }
    Ok(false)
}

fn skipped_in(locals: &LocalState, domain: DomainId) -> &[Py<PyAny>] {
    locals.get(domain).map_or(&[], |l| &l.skipped)
}

/// Whether `backend` declares it takes NumPy arrays only (uscipy's `scipy` and `native`).
fn numpy_only(backend: &Bound<'_, PyAny>) -> PyResult<bool> {
    match lookup_optional(
        backend,
        pyo3::intern!(backend.py(), "__uscipy_numpy_only__"),
    )? {
        Some(flag) => flag.is_truthy(),
        None => Ok(false),
    }
}

/// Scoped backends of `domain`, innermost first; with `foreign` (an argument's type belongs to
/// a typed backend), NumPy-only ones not set to coerce are visited as `Tier::Refused`.
fn walk_locals<'py, F>(
    py: Python<'py>,
    locals: &LocalState,
    domain: DomainId,
    foreign: bool,
    visit: &mut F,
) -> PyResult<Flow>
where
    F: FnMut(&Bound<'py, PyAny>, bool, Tier) -> PyResult<Flow>,
{
    let Some(local) = locals.get(domain) else {
        return Ok(Flow::Continue);
    };
    for opts in local.preferred.iter().rev() {
        let backend = opts.backend.bind(py);
        if is_skipped(py, &local.skipped, backend)? {
            continue;
        }
        let tier = if foreign && !opts.coerce && numpy_only(backend)? {
            Tier::Refused
        } else {
            Tier::Scoped
        };
        if visit(backend, opts.coerce, tier)? == Flow::Break || opts.only || opts.coerce {
            return Ok(Flow::Break);
        }
    }
    Ok(Flow::Continue)
}

fn walk_globals<'py, F>(
    py: Python<'py>,
    locals: &LocalState,
    globals: &GlobalState,
    domain: DomainId,
    visit: &mut F,
) -> PyResult<Flow>
where
    F: FnMut(&Bound<'py, PyAny>, bool, Tier) -> PyResult<Flow>,
{
    let Some(global) = globals.get(domain) else {
        return Ok(Flow::Continue);
    };
    let skipped = skipped_in(locals, domain);
    let try_global = |opts: &BackendOptions, visit: &mut F| -> PyResult<Flow> {
        let backend = opts.backend.bind(py);
        if is_skipped(py, skipped, backend)? {
            return Ok(Flow::Continue);
        }
        visit(backend, opts.coerce, Tier::Global)
    };
    if !global.try_last {
        if let Some(opts) = &global.global {
            if try_global(opts, visit)? == Flow::Break || opts.only || opts.coerce {
                return Ok(Flow::Break);
            }
        }
    }
    for backend in &global.registered {
        let backend = backend.bind(py);
        if !is_skipped(py, skipped, backend)?
            && visit(backend, false, Tier::Registered)? == Flow::Break
        {
            return Ok(Flow::Break);
        }
    }
    match (&global.global, global.try_last) {
        (Some(opts), true) => try_global(opts, visit),
        _ => Ok(Flow::Continue),
    }
}

/// Visits the backends of exactly one domain level (no parents), in uarray's order.
pub fn walk_domain<'py, F>(
    py: Python<'py>,
    locals: &LocalState,
    globals: &GlobalState,
    domain: DomainId,
    visit: &mut F,
) -> PyResult<Flow>
where
    F: FnMut(&Bound<'py, PyAny>, bool, Tier) -> PyResult<Flow>,
{
    if walk_locals(py, locals, domain, false, visit)? == Flow::Break {
        return Ok(Flow::Break);
    }
    walk_globals(py, locals, globals, domain, visit)
}

/// Visits every backend for a call in the innermost domain of `chain`, then its parents;
/// `typed`: the owners of the call's argument types (tried after every scoped backend).
pub fn walk<'py, F>(
    py: Python<'py>,
    locals: &LocalState,
    globals: &GlobalState,
    chain: &[DomainId],
    typed: &[Bound<'py, PyAny>],
    visit: &mut F,
) -> PyResult<Flow>
where
    F: FnMut(&Bound<'py, PyAny>, bool, Tier) -> PyResult<Flow>,
{
    if typed.is_empty() {
        for &domain in chain {
            if walk_domain(py, locals, globals, domain, visit)? == Flow::Break {
                return Ok(Flow::Break);
            }
        }
    } else {
        for &domain in chain {
            if walk_locals(py, locals, domain, true, visit)? == Flow::Break {
                return Ok(Flow::Break);
            }
        }
        let skipped = skipped_in(locals, chain[0]);
        for backend in typed {
            if !is_skipped(py, skipped, backend)?
                && visit(backend, false, Tier::Typed)? == Flow::Break
            {
                return Ok(Flow::Break);
            }
        }
        for &domain in chain {
            if walk_globals(py, locals, globals, domain, visit)? == Flow::Break {
                return Ok(Flow::Break);
            }
        }
    }
    // Fallbacks (SciPy) would convert arrays a type-owning backend declined: never implicitly.
    if typed.is_empty() {
        let registry = registry::load();
        for &domain in chain {
            let skipped = skipped_in(locals, domain);
            for backend in registry.get(domain).map_or(&[][..], |r| &r.fallback) {
                let backend = backend.bind(py);
                if !is_skipped(py, skipped, backend)?
                    && visit(backend, false, Tier::Fallback)? == Flow::Break
                {
                    return Ok(Flow::Break);
                }
            }
        }
    }
    Ok(Flow::Continue)
}
