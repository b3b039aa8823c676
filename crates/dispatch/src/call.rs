//! One call of a multimethod: canonicalise the arguments, walk the backends, convert and call.

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::PyNotImplemented;
use pyo3::types::{PyDict, PyTuple};

use crate::errors::{Attempts, BackendNotImplementedError, Reason};
use crate::function::FunctionData;
use crate::hook;
use crate::impls::{self, Route};
use crate::pyutil::{call3, call_method3, lookup_optional, tuple_from_ptrs};
use crate::registry;
use crate::scope;
use crate::state::{BackendOptions, LocalEntry};
use crate::types;
use crate::walk::{walk, Flow, Tier};

/// A call's arguments as CPython passed them to the vectorcall entry point: positional values,
/// then one value per keyword name, contiguous in memory.
#[derive(Clone, Copy)]
pub struct RawArgs<'a, 'py> {
    pub positional: &'a [*mut ffi::PyObject],
    pub kwnames: Option<&'a Bound<'py, PyTuple>>,
    pub kwvalues: &'a [*mut ffi::PyObject],
}

/// Typed backends owning the type of a dispatchable argument of this call (none when the
/// multimethod has no dispatch spec or no typed backend serves its domains).
pub fn typed_candidates<'py>(
    py: Python<'py>,
    data: &FunctionData,
    call: RawArgs<'_, 'py>,
) -> PyResult<Vec<Bound<'py, PyAny>>> {
    let Some(spec) = data.spec.get() else {
        return Ok(Vec::new());
    };
    if !registry::any_typed() {
        return Ok(Vec::new());
    }
    let registry = registry::load();
    if !registry.has_typed(&data.chain) {
        return Ok(Vec::new());
    }
    // No allocation unless an argument's type has an owner (NumPy arrays and scalars do not).
    let mut owned: Vec<usize> = Vec::new();
    types::for_each_spec_value(py, spec, call, |value| {
        types::add_owners(&value.get_type(), &registry, &mut owned)
    })?;
    if owned.is_empty() {
        return Ok(Vec::new());
    }
    types::candidates(py, &registry, &data.chain, &owned)
}

/// Positional arguments with the trailing ones that *are* their defaults dropped (uarray's
/// canonical form; nothing is dropped when more arguments than defaults are given).
fn canonical_args<'py>(
    py: Python<'py>,
    data: &FunctionData,
    args: &[*mut ffi::PyObject],
) -> PyResult<Bound<'py, PyTuple>> {
    let defaults = data.def_args.bind(py);
    let keep = if args.len() > defaults.len() {
        args.len()
    } else {
        (0..args.len())
            .rev()
            .find(|&i| {
                // SAFETY: `i < args.len() <= defaults.len()`.
                let default = unsafe { defaults.get_borrowed_item_unchecked(i) };
                args[i] != default.as_ptr()
            })
            .map_or(0, |i| i + 1)
    };
    // SAFETY: the pointers come from the vectorcall argument array: live for this call.
    unsafe { tuple_from_ptrs(py, &args[..keep]) }
}

/// Keyword arguments without those that *are* their defaults.
fn canonical_kwargs<'py>(
    py: Python<'py>,
    data: &FunctionData,
    names: Option<&Bound<'py, PyTuple>>,
    values: &[*mut ffi::PyObject],
) -> PyResult<Bound<'py, PyDict>> {
    let kwargs = PyDict::new(py);
    let Some(names) = names else {
        return Ok(kwargs);
    };
    let defaults = data.def_kwargs.bind(py);
    for (name, &value) in names.iter().zip(values) {
        // SAFETY: the value pointers come from the vectorcall argument array.
        let value = unsafe { Borrowed::from_ptr(py, value) };
        if let Some(default) = defaults.get_item(&name)? {
            if default.is(&*value) {
                continue;
            }
        }
        kwargs.set_item(name, value)?;
    }
    Ok(kwargs)
}

/// The call's canonical `(args, kwargs)`, built only if a backend needs them (a backend called
/// directly takes the caller's arguments as they are).
#[derive(Default)]
struct Canonical<'py> {
    cell: std::cell::OnceCell<(Bound<'py, PyTuple>, Bound<'py, PyDict>)>,
}

impl<'py> Canonical<'py> {
    fn get(
        &self,
        py: Python<'py>,
        data: &FunctionData,
        call: RawArgs<'_, 'py>,
    ) -> PyResult<&(Bound<'py, PyTuple>, Bound<'py, PyDict>)> {
        if self.cell.get().is_none() {
            let built = (
                canonical_args(py, data, call.positional)?,
                canonical_kwargs(py, data, call.kwnames, call.kwvalues)?,
            );
            let _ = self.cell.set(built);
        }
        Ok(self.cell.get().expect("just set"))
    }
}

/// Calls `implementation` with the caller's own vectorcall arguments (positional values then
/// keyword values, contiguous, as CPython passed them).
fn call_direct<'py>(
    implementation: &Bound<'py, PyAny>,
    call: RawArgs<'_, 'py>,
) -> PyResult<Bound<'py, PyAny>> {
    let py = implementation.py();
    // SAFETY: `args` starts the caller's argument array, which holds `args.len()` positional
    // values followed by one value per keyword name; all live for the duration of the call.
    unsafe {
        let out = ffi::PyObject_Vectorcall(
            implementation.as_ptr(),
            call.positional.as_ptr(),
            call.positional.len(),
            call.kwnames.map_or(std::ptr::null_mut(), |k| k.as_ptr()),
        );
        Bound::from_owned_ptr_or_err(py, out)
    }
}

/// Drops, in place, keyword arguments that are their defaults (after a replacer ran).
fn strip_default_kwargs(data: &FunctionData, kwargs: &Bound<'_, PyDict>) -> PyResult<()> {
    let py = kwargs.py();
    for (name, default) in data.def_kwargs.bind(py).iter() {
        if let Some(value) = kwargs.get_item(&name)? {
            if value.is(&default) {
                kwargs.del_item(name)?;
            }
        }
    }
    Ok(())
}

/// Arguments as one backend receives them.
enum Converted<'py> {
    Unchanged,
    Replaced(Bound<'py, PyTuple>, Bound<'py, PyDict>),
    Declined,
}

/// Runs the backend's `__ua_convert__` (if it has one) over the extracted dispatchables and
/// puts the converted values back with the replacer.
fn convert<'py>(
    data: &FunctionData,
    backend: &Bound<'py, PyAny>,
    args: &Bound<'py, PyTuple>,
    kwargs: &Bound<'py, PyDict>,
    coerce: bool,
) -> PyResult<Converted<'py>> {
    let py = backend.py();
    let Some(ua_convert) = lookup_optional(backend, pyo3::intern!(py, "__ua_convert__"))? else {
        return Ok(Converted::Unchanged);
    };
    let dispatchables = data.extractor.bind(py).call(args, Some(kwargs))?;
    let converted = ua_convert.call1((dispatchables, coerce))?;
    if converted.is(&*PyNotImplemented::get(py)) {
        return Ok(Converted::Declined);
    }
    // SAFETY: `converted` is live; PySequence_Tuple returns a new reference or NULL.
    let converted =
        unsafe { Bound::from_owned_ptr_or_err(py, ffi::PySequence_Tuple(converted.as_ptr()))? };
    let replaced = data.replacer.bind(py).call1((args, kwargs, converted))?;
    let pair = match replaced.cast::<PyTuple>() {
        Ok(t) if t.len() == 2 => t,
        _ => {
            return Err(pyo3::exceptions::PyTypeError::new_err(
                "Argument replacer must return a 2-tuple (args, kwargs)",
            ))
        }
    };
    let (new_args, new_kwargs) = (pair.get_item(0)?, pair.get_item(1)?);
    match (
        new_args.cast_into::<PyTuple>(),
        new_kwargs.cast_into::<PyDict>(),
    ) {
        (Ok(a), Ok(k)) => {
            strip_default_kwargs(data, &k)?;
            Ok(Converted::Replaced(a, k))
        }
        _ => Err(pyo3::exceptions::PyValueError::new_err(
            "Invalid return from argument_replacer",
        )),
    }
}

/// Outcome of one attempt, with `BackendNotImplementedError` turned into a recorded decline.
fn declined_on_bnie<'py>(
    py: Python<'py>,
    result: PyResult<Bound<'py, PyAny>>,
    backend: Option<&Bound<'py, PyAny>>,
    attempts: &mut Attempts<'py>,
) -> PyResult<Option<Bound<'py, PyAny>>> {
    match result {
        Ok(value) if value.is(&*PyNotImplemented::get(py)) => Ok(None),
        Ok(value) => Ok(Some(value)),
        Err(err) if err.is_instance_of::<BackendNotImplementedError>(py) => {
            attempts.push(backend, Reason::Raised(err.into_value(py).into_bound(py)));
            Ok(None)
        }
        Err(err) => Err(err),
    }
}

/// Calls the multimethod's default with `backend` as the only scoped backend of its domain, so
/// multimethods called by the default reach the same backend.
fn default_with_backend<'py>(
    py: Python<'py>,
    data: &FunctionData,
    default: &Bound<'py, PyAny>,
    backend: &Bound<'py, PyAny>,
    coerce: bool,
    args: &Bound<'py, PyTuple>,
    kwargs: &Bound<'py, PyDict>,
) -> PyResult<Bound<'py, PyAny>> {
    let saved = scope::current(py)?;
    let entry = LocalEntry::Preferred(BackendOptions {
        backend: backend.clone().unbind(),
        coerce,
        only: true,
    });
    let inner = saved
        .get()
        .with_locals(saved.get().locals.pushed(py, &data.chain[..1], &entry));
    if let LocalEntry::Preferred(options) = entry {
        drop(options.backend.into_bound(py));
    }
    scope::install(py, inner)?;
    let result = default.call(args, Some(kwargs));
    scope::install_object(py, &saved)?;
    result
}

/// Dispatches one call of the multimethod `func`.
pub fn dispatch<'py>(
    py: Python<'py>,
    func: &Borrowed<'_, 'py, PyAny>,
    data: &FunctionData,
    call: RawArgs<'_, 'py>,
) -> PyResult<Bound<'py, PyAny>> {
    if !hook::enabled() {
        return dispatch_inner(py, func, data, call).map(|(value, _)| value);
    }
    let start = std::time::Instant::now();
    let outcome = dispatch_inner(py, func, data, call);
    let elapsed = start.elapsed().as_nanos();
    // SAFETY: the pointers come from the vectorcall argument array, live for this call.
    let args_tuple = unsafe { tuple_from_ptrs(py, call.positional)? }.into_any();
    let kwargs = PyDict::new(py);
    if let Some(names) = call.kwnames {
        for (name, &value) in names.iter().zip(call.kwvalues) {
            kwargs.set_item(name, unsafe { Borrowed::from_ptr(py, value) })?;
        }
    }
    let function = func.to_owned();
    let (backend, error) = match &outcome {
        Ok((_, backend)) => (backend.clone(), None),
        Err(err) => (None, Some(err.value(py).clone().into_any())),
    };
    hook::report(
        py,
        hook::Report {
            function: &function,
            backend: backend.as_ref(),
            args: args_tuple,
            kwargs: kwargs.into_any(),
            elapsed_ns: elapsed,
            error: error.as_ref(),
        },
    )?;
    outcome.map(|(value, _)| value)
}

/// The dispatch itself: the result and the backend that produced it (None: the default).
fn dispatch_inner<'py>(
    py: Python<'py>,
    func: &Borrowed<'_, 'py, PyAny>,
    data: &FunctionData,
    call: RawArgs<'_, 'py>,
) -> PyResult<(Bound<'py, PyAny>, Option<Bound<'py, PyAny>>)> {
    let typed = typed_candidates(py, data, call)?;
    let canonical = Canonical::default();
    let scope = scope::current(py)?;
    let scope = scope.get();
    let globals = scope.globals();
    let default = data.default.as_ref().map(|d| d.bind(py));
    let func_bound = func.to_owned();

    let mut attempts = Attempts::default();
    let mut result = None;
    let flow = walk(
        py,
        &scope.locals,
        &globals,
        &data.chain,
        &typed,
        &mut |backend, coerce, tier| {
            if tier == Tier::Refused {
                attempts.push(Some(backend), Reason::FallbackSkipped);
                return Ok(Flow::Continue);
            }
            let (raw, converted) = match impls::route(&data.impls, &func_bound, backend)? {
                Route::Direct(Some(implementation)) => (call_direct(&implementation, call), None),
                Route::Direct(None) => (Ok(PyNotImplemented::get(py).to_owned().into_any()), None),
                Route::Protocol(Some(ua_function)) => {
                    let (args, kwargs) = canonical.get(py, data, call)?;
                    let method = data
                        .protocol_method
                        .get()
                        .map_or(func.as_ptr(), |m| m.as_ptr());
                    let raw = call3(&ua_function, [method, args.as_ptr(), kwargs.as_ptr()]);
                    (raw, Some((args.clone(), kwargs.clone())))
                }
                Route::Protocol(None) => {
                    let (args, kwargs) = canonical.get(py, data, call)?;
                    let (call_args, call_kwargs) =
                        match convert(data, backend, args, kwargs, coerce)? {
                            Converted::Unchanged => (args.clone(), kwargs.clone()),
                            Converted::Replaced(a, k) => (a, k),
                            Converted::Declined => {
                                attempts
                                    .push(Some(backend), Reason::ConvertNotImplemented { coerce });
                                return Ok(Flow::Continue);
                            }
                        };
                    let method = data
                        .protocol_method
                        .get()
                        .map_or(func.as_ptr(), |m| m.as_ptr());
                    let raw = call_method3(
                        backend,
                        pyo3::intern!(py, "__ua_function__"),
                        [method, call_args.as_ptr(), call_kwargs.as_ptr()],
                    );
                    (raw, Some((call_args, call_kwargs)))
                }
            };
            let raised_before = attempts.count();
            let mut value = declined_on_bnie(py, raw, Some(backend), &mut attempts)?;
            if value.is_none() {
                if let Some(default) = default {
                    if attempts.count() == raised_before {
                        attempts.push(Some(backend), Reason::FunctionNotImplemented);
                    }
                    let (call_args, call_kwargs) = match converted {
                        Some(pair) => pair,
                        None => canonical.get(py, data, call)?.clone(),
                    };
                    let raw = default_with_backend(
                        py,
                        data,
                        default,
                        backend,
                        coerce,
                        &call_args,
                        &call_kwargs,
                    );
                    value = declined_on_bnie(py, raw, Some(backend), &mut attempts)?;
                } else if attempts.count() == raised_before {
                    attempts.push(Some(backend), Reason::FunctionNotImplemented);
                }
            }
            match value {
                Some(v) => {
                    result = Some((v, Some(backend.clone())));
                    Ok(Flow::Break)
                }
                None => Ok(Flow::Continue),
            }
        },
    )?;
    if let Some(value) = result {
        return Ok(value);
    }
    if flow == Flow::Continue && !typed.is_empty() {
        for &d in data.chain.iter() {
            for fallback in registry::load().get(d).map_or(&[][..], |r| &r.fallback) {
                attempts.push(Some(fallback.bind(py)), Reason::FallbackSkipped);
            }
        }
    }
    // Nothing ran and no backend ended the walk: uarray calls the default once more, bare.
    if let (Flow::Continue, Some(default)) = (flow, default) {
        let (args, kwargs) = canonical.get(py, data, call)?;
        let raw = default.call(args, Some(kwargs));
        if let Some(value) = declined_on_bnie(py, raw, None, &mut attempts)? {
            return Ok((value, None));
        }
    }
    Err(attempts.into_error(py, &function_name(func), &data.domain.bind(py).to_string()))
}

/// `module.qualname` of a multimethod, for error messages.
fn function_name(func: &Borrowed<'_, '_, PyAny>) -> String {
    let get = |attr: &str| {
        func.getattr(attr)
            .ok()
            .and_then(|v| v.extract::<String>().ok())
    };
    match (
        get("__module__"),
        get("__qualname__").or_else(|| get("__name__")),
    ) {
        (Some(m), Some(q)) => format!("{m}.{q}"),
        (None, Some(q)) => q,
        _ => "<unnamed multimethod>".to_owned(),
    }
}
