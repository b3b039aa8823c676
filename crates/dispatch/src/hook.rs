//! An optional observer of every dispatch, for `uscipy.trace()` and debug logging. Off, it costs
//! one relaxed atomic load per call.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};

use pyo3::prelude::*;

static ENABLED: AtomicBool = AtomicBool::new(false);
static HOOK: Mutex<Option<Py<PyAny>>> = Mutex::new(None);

pub fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

/// `hook(function, backend, args, kwargs, elapsed_ns, error)` after each dispatch; None: off.
#[pyfunction]
pub fn set_dispatch_hook(hook: Option<Py<PyAny>>) {
    let on = hook.is_some();
    let previous = std::mem::replace(
        &mut *HOOK.lock().unwrap_or_else(PoisonError::into_inner),
        hook,
    );
    ENABLED.store(on, Ordering::Relaxed);
    drop(previous);
}

/// One dispatch, as the hook receives it.
pub struct Report<'a, 'py> {
    pub function: &'a Bound<'py, PyAny>,
    pub backend: Option<&'a Bound<'py, PyAny>>,
    pub args: Bound<'py, PyAny>,
    pub kwargs: Bound<'py, PyAny>,
    pub elapsed_ns: u128,
    pub error: Option<&'a Bound<'py, PyAny>>,
}

/// Reports one dispatch to the hook, if any. Errors of the hook itself propagate.
pub fn report(py: Python<'_>, r: Report<'_, '_>) -> PyResult<()> {
    let hook = HOOK
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .as_ref()
        .map(|h| h.clone_ref(py));
    if let Some(hook) = hook {
        hook.into_bound(py).call1((
            r.function,
            r.backend,
            r.args,
            r.kwargs,
            r.elapsed_ns,
            r.error,
        ))?;
    }
    Ok(())
}
