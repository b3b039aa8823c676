//! The scoped state of the running thread or asyncio task, kept in a `contextvars.ContextVar`.
//!
//! The variable holds an immutable `_ScopedState`; entering or leaving a context publishes a new
//! one. New threads start from an empty context (no scoped backends), asyncio tasks start from a
//! copy of their creator's, and concurrent tasks never see each other's changes.

use std::ffi::c_int;
use std::sync::Arc;

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyWeakrefReference;

use crate::state::{GlobalCell, GlobalGuard, LocalState, PROCESS_GLOBALS};

/// What one thread or task has scoped: its local backends and, after `set_state`, its own
/// copy of the globals (uarray's "thread-local globals").
#[pyclass(frozen, module = "uscipy._core", name = "_ScopedState")]
#[derive(Default)]
pub struct ScopedState {
    pub locals: LocalState,
    pub globals: Option<Arc<GlobalCell>>,
    /// Set when a context's `__enter__` made this state: leaving that same context while this
    /// state is still current just reinstates `parent` (no stack surgery needed).
    pub entered: Option<Entered>,
}

pub struct Entered {
    /// The context object, weakly: its cache of the last state it made holds this state, so a
    /// strong reference would be a cycle. A dead context can match no later `__exit__`.
    pub by: Py<PyWeakrefReference>,
    pub parent: Py<ScopedState>,
}

impl Entered {
    /// Whether `ctx` is the context whose `__enter__` made this state.
    pub fn by(&self, ctx: &Bound<'_, PyAny>) -> bool {
        self.by
            .bind(ctx.py())
            .upgrade()
            .is_some_and(|by| by.is(ctx))
    }
}

impl ScopedState {
    /// The globals this scope dispatches with.
    pub fn globals_cell(&self) -> &Arc<GlobalCell> {
        self.globals.as_ref().unwrap_or(&PROCESS_GLOBALS)
    }

    pub fn globals(&self) -> GlobalGuard {
        self.globals_cell().load()
    }

    pub fn with_locals(&self, locals: LocalState) -> ScopedState {
        ScopedState {
            locals,
            globals: self.globals.clone(),
            entered: None,
        }
    }
}

static VAR: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

fn var(py: Python<'_>) -> &Py<PyAny> {
    VAR.get_or_init(py, || {
        let empty = Bound::new(py, ScopedState::default()).expect("allocating the empty state");
        // SAFETY: the name is a NUL-terminated literal and `empty` is a live object; the
        // returned new reference is owned by the `Py` (NULL is turned into a panic below, which
        // can only happen when the interpreter is out of memory at import time).
        unsafe {
            let ptr = ffi::PyContextVar_New(c"uscipy_backend_state".as_ptr(), empty.as_ptr());
            Bound::from_owned_ptr_or_err(py, ptr)
                .expect("creating the backend ContextVar")
                .unbind()
        }
    })
}

/// The scoped state of the caller's thread or task.
pub fn current(py: Python<'_>) -> PyResult<Bound<'_, ScopedState>> {
    let mut out: *mut ffi::PyObject = std::ptr::null_mut();
    // SAFETY: `var` is a ContextVar; `out` receives a new reference (or NULL on error).
    let rc: c_int =
        unsafe { ffi::PyContextVar_Get(var(py).as_ptr(), std::ptr::null_mut(), &mut out) };
    if rc < 0 {
        return Err(PyErr::fetch(py));
    }
    // SAFETY: rc == 0 means `out` holds a new reference: the value or the variable's default.
    let value = unsafe { Bound::from_owned_ptr(py, out) };
    Ok(value.cast_into::<ScopedState>()?)
}

/// Publishes `state` as the caller's scoped state.
pub fn install(py: Python<'_>, state: ScopedState) -> PyResult<()> {
    install_object(py, &Bound::new(py, state)?)
}

/// Re-publishes a state object taken earlier from `current`.
pub fn install_object(py: Python<'_>, state: &Bound<'_, ScopedState>) -> PyResult<()> {
    // SAFETY: both pointers are live objects; the token returned on success is a new reference
    // that is released at once (contexts restore by value, not by token).
    unsafe {
        let token = ffi::PyContextVar_Set(var(py).as_ptr(), state.as_ptr());
        Bound::from_owned_ptr_or_err(py, token)?;
    }
    Ok(())
}
