//! uscipy's dispatch engine: the uarray protocol, complete, in Rust.
//!
//! Multimethods (`_Function`) are vectorcall objects; scoped state (`set_backend`,
//! `skip_backend`) lives in a `contextvars.ContextVar`, so it is per thread and per asyncio
//! task; global state (`set_global_backend`, `register_backend`) is an immutable snapshot
//! swapped atomically under a writer lock and stamped with a generation. Nothing here knows
//! about SciPy: `register` adds the engine to any Python module.

mod api;
mod backend_state;
mod call;
mod context;
mod dispatchable;
pub mod domain;
mod errors;
mod function;
mod hook;
mod impls;
mod pyutil;
mod registry;
mod scope;
pub mod state;
mod types;
mod walk;

use pyo3::prelude::*;

pub use errors::BackendNotImplementedError;

/// Adds the engine's types and functions to `m`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("_Function", function::function_type(py)?)?;
    m.add_class::<context::SetBackendContext>()?;
    m.add_class::<context::SkipBackendContext>()?;
    m.add_class::<backend_state::BackendState>()?;
    m.add_class::<scope::ScopedState>()?;
    m.add_class::<errors::BackendNotImplementedError>()?;
    m.add_class::<dispatchable::Dispatchable>()?;
    m.add_class::<dispatchable::AllOfType>()?;
    m.add_class::<dispatchable::SingleConvertor>()?;
    m.add_function(wrap_pyfunction!(context::set_backend, m)?)?;
    m.add_function(wrap_pyfunction!(context::skip_backend, m)?)?;
    m.add_function(wrap_pyfunction!(api::set_global_backend, m)?)?;
    m.add_function(wrap_pyfunction!(api::register_backend, m)?)?;
    m.add_function(wrap_pyfunction!(api::clear_backends, m)?)?;
    m.add_function(wrap_pyfunction!(api::determine_backend, m)?)?;
    m.add_function(wrap_pyfunction!(api::register_typed_backend, m)?)?;
    m.add_function(wrap_pyfunction!(api::register_fallback_backend, m)?)?;
    m.add_function(wrap_pyfunction!(api::unregister_backend, m)?)?;
    m.add_function(wrap_pyfunction!(api::set_dispatch_spec, m)?)?;
    m.add_function(wrap_pyfunction!(api::set_protocol_method, m)?)?;
    m.add_function(wrap_pyfunction!(api::plan, m)?)?;
    m.add_function(wrap_pyfunction!(hook::set_dispatch_hook, m)?)?;
    m.add_function(wrap_pyfunction!(backend_state::get_state, m)?)?;
    m.add_function(wrap_pyfunction!(backend_state::set_state, m)?)?;
    Ok(())
}
