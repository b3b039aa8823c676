//! The order in which backends are tried, exactly as uarray defines it.
//!
//! Per domain level: scoped backends innermost first (one set with `only` or `coerce` ends the
//! walk), then the global backend unless `try_last` (its `only`/`coerce` ends the walk), then
//! registered backends (never coercing), then a `try_last` global. Then the parent domain.
//! Skipped backends are compared with `==`, and an exception from `__eq__` propagates.

use pyo3::prelude::*;

use crate::domain::DomainId;
use crate::state::{BackendOptions, GlobalState, LocalState};

/// What a visitor tells the walk after trying a backend.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Flow {
    /// Try the next backend.
    Continue,
    /// Stop: a backend produced a result, or an `only`/`coerce` backend was the last allowed.
    Break,
}

fn is_skipped(py: Python<'_>, skipped: &[Py<PyAny>], backend: &Py<PyAny>) -> PyResult<bool> {
    for s in skipped {
        if s.is(backend) || s.bind(py).eq(backend.bind(py))? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Visits the backends of one domain level in trial order.
pub fn walk_domain<'py, F>(
    py: Python<'py>,
    locals: &LocalState,
    globals: &GlobalState,
    domain: DomainId,
    visit: &mut F,
) -> PyResult<Flow>
where
    F: FnMut(&Bound<'py, PyAny>, bool) -> PyResult<Flow>,
{
    let local = locals.get(domain);
    let skipped: &[Py<PyAny>] = local.map_or(&[], |l| &l.skipped);

    if let Some(local) = local {
        for opts in local.preferred.iter().rev() {
            if is_skipped(py, skipped, &opts.backend)? {
                continue;
            }
            if visit(opts.backend.bind(py), opts.coerce)? == Flow::Break {
                return Ok(Flow::Break);
            }
            if opts.only || opts.coerce {
                return Ok(Flow::Break);
            }
        }
    }

    let Some(global) = globals.get(domain) else {
        return Ok(Flow::Continue);
    };
    let try_global = |opts: &BackendOptions, visit: &mut F| -> PyResult<Flow> {
        if is_skipped(py, skipped, &opts.backend)? {
            return Ok(Flow::Continue);
        }
        visit(opts.backend.bind(py), opts.coerce)
    };

    if !global.try_last {
        if let Some(opts) = &global.global {
            if try_global(opts, visit)? == Flow::Break || opts.only || opts.coerce {
                return Ok(Flow::Break);
            }
        }
    }
    for backend in &global.registered {
        if is_skipped(py, skipped, backend)? {
            continue;
        }
        if visit(backend.bind(py), false)? == Flow::Break {
            return Ok(Flow::Break);
        }
    }
    match (&global.global, global.try_last) {
        (Some(opts), true) => try_global(opts, visit),
        _ => Ok(Flow::Continue),
    }
}

/// Visits every backend for a call in the innermost domain of `chain`, then its parents.
pub fn walk<'py, F>(
    py: Python<'py>,
    locals: &LocalState,
    globals: &GlobalState,
    chain: &[DomainId],
    visit: &mut F,
) -> PyResult<Flow>
where
    F: FnMut(&Bound<'py, PyAny>, bool) -> PyResult<Flow>,
{
    for &domain in chain {
        if walk_domain(py, locals, globals, domain, visit)? == Flow::Break {
            return Ok(Flow::Break);
        }
    }
    Ok(Flow::Continue)
}
