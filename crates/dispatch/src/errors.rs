//! `BackendNotImplementedError`, and the record of why each backend declined a call.
//!
//! `args` keep uarray's exact shape (its message, then one `(backend, exception)` pair per
//! backend that raised), so code written for uarray keeps working; `str()` adds what uarray
//! never said: the function, its domain, every backend tried and why it declined, and the fix.

use pyo3::exceptions::{PyBaseException, PyNotImplementedError};
use pyo3::prelude::*;
use pyo3::types::PyNone;
use pyo3::types::{PyList, PyString, PyTuple};

use crate::pyutil::py_bool;

pub const NO_BACKEND_MESSAGE: &str =
    "No selected backends had an implementation for this function.";

/// An exception that is thrown when no compatible backend is found for a method.
#[pyclass(extends = PyNotImplementedError, subclass, module = "uscipy", name = "BackendNotImplementedError")]
#[derive(Default)]
pub struct BackendNotImplementedError {
    /// The multimethod's name, when raised by a dispatch.
    #[pyo3(get)]
    function: Option<String>,
    /// The multimethod's domain, when raised by a dispatch.
    #[pyo3(get)]
    domain: Option<String>,
    /// `[(backend, reason), ...]` for every backend tried, in order.
    #[pyo3(get)]
    attempts: Option<Py<PyList>>,
}

#[pymethods]
impl BackendNotImplementedError {
    #[new]
    #[pyo3(signature = (*_args, **_kwargs))]
    fn new(_args: &Bound<'_, PyTuple>, _kwargs: Option<&Bound<'_, PyAny>>) -> Self {
        // `BaseException.__init__` (inherited) stores the arguments in `args`.
        Self::default()
    }

    fn __str__(slf: &Bound<'_, Self>) -> PyResult<String> {
        let py = slf.py();
        let base = py
            .get_type::<PyNotImplementedError>()
            .getattr("__str__")?
            .call1((slf,))?
            .extract::<String>()?;
        let this = slf.borrow();
        let (Some(function), Some(domain), Some(attempts)) =
            (&this.function, &this.domain, &this.attempts)
        else {
            return Ok(base);
        };
        let attempts = attempts.bind(py);
        let mut out = format!(
            "{}\n  function: {function} (domain '{domain}')\n",
            first_arg(slf).unwrap_or(base)
        );
        if attempts.is_empty() {
            out.push_str(&format!(
                "  no backend is set or registered for '{domain}' or its parent domains\n"
            ));
        } else {
            out.push_str("  backends tried, in order:\n");
            for item in attempts.iter() {
                let (backend, reason): (Bound<'_, PyAny>, Bound<'_, PyAny>) = item.extract()?;
                let name = if backend.is_none() {
                    "default implementation".to_owned()
                } else {
                    backend.repr()?.to_string()
                };
                out.push_str(&format!("    - {name}: {}\n", reason.str()?));
            }
        }
        out.push_str(
            "  fix: select a backend that implements it with set_backend(...), or register one \
             with register_backend(...) / set_global_backend(...)",
        );
        Ok(out)
    }
}

fn first_arg(exc: &Bound<'_, BackendNotImplementedError>) -> Option<String> {
    let args = exc.getattr("args").ok()?;
    let first = args.cast::<PyTuple>().ok()?.get_item(0).ok()?;
    Some(first.cast::<PyString>().ok()?.to_string())
}

/// Why a backend declined.
pub enum Reason<'py> {
    ConvertNotImplemented {
        coerce: bool,
    },
    FunctionNotImplemented,
    Raised(Bound<'py, PyBaseException>),
    /// A fallback not tried because an argument belongs to a type-owning backend: running it
    /// would convert that argument implicitly (a device-to-host copy, an eager compute).
    FallbackSkipped,
}

/// The backends tried for one call, in order. Allocates only when a backend declines.
/// Holds `Bound` references: released at once when dropped, wherever the call came from.
#[derive(Default)]
pub struct Attempts<'py> {
    entries: Vec<(Option<Bound<'py, PyAny>>, Reason<'py>)>,
}

impl<'py> Attempts<'py> {
    /// How many declines are recorded so far.
    pub fn count(&self) -> usize {
        self.entries.len()
    }

    pub fn push(&mut self, backend: Option<&Bound<'py, PyAny>>, reason: Reason<'py>) {
        self.entries.push((backend.cloned(), reason));
    }

    /// Builds the error raised when nothing could run `function`.
    pub fn into_error(self, py: Python<'py>, function: &str, domain: &str) -> PyErr {
        match self.build(py, function, domain) {
            Ok(err) => err,
            Err(err) => err,
        }
    }

    fn build(self, py: Python<'py>, function: &str, domain: &str) -> PyResult<PyErr> {
        let mut args: Vec<Bound<'py, PyAny>> =
            vec![PyString::new(py, NO_BACKEND_MESSAGE).into_any()];
        let attempts = PyList::empty(py);
        for (backend, reason) in self.entries {
            let backend = backend.unwrap_or_else(|| PyNone::get(py).to_owned().into_any());
            let reason: Bound<'py, PyAny> = match reason {
                Reason::ConvertNotImplemented { coerce } => PyString::new(
                    py,
                    &format!(
                        "__ua_convert__ returned NotImplemented (coerce={})",
                        py_bool(coerce)
                    ),
                )
                .into_any(),
                Reason::FunctionNotImplemented => {
                    PyString::new(py, "__ua_function__ returned NotImplemented").into_any()
                }
                Reason::FallbackSkipped => PyString::new(
                    py,
                    "not tried: an argument's type belongs to another backend, and this one would \
                     convert it implicitly (use set_backend(..., coerce=True) to convert)",
                )
                .into_any(),
                Reason::Raised(exc) => {
                    let exc = exc.into_any();
                    args.push(PyTuple::new(py, [&backend, &exc])?.into_any());
                    exc
                }
            };
            attempts.append((backend, reason))?;
        }
        let exc = py
            .get_type::<BackendNotImplementedError>()
            .call1(PyTuple::new(py, args)?)?;
        {
            let exc = exc.cast::<BackendNotImplementedError>()?;
            let mut this = exc.borrow_mut();
            this.function = Some(function.to_owned());
            this.domain = Some(domain.to_owned());
            this.attempts = Some(attempts.unbind());
        }
        Ok(PyErr::from_value(exc))
    }
}
