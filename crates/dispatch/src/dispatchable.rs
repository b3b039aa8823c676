//! `Dispatchable` and the helpers that build or consume sequences of them
//! (`all_of_type`, `wrap_single_convertor[_instance]`): they run inside every dispatch to a
//! backend with `__ua_convert__`, so they are native too.

use pyo3::prelude::*;
use pyo3::types::PyNotImplemented;
use pyo3::types::{PyDict, PyList, PyTuple, PyType};

/// A utility class which marks an argument with a specific dispatch type.
#[pyclass(subclass, module = "uscipy.uarray", name = "Dispatchable")]
pub struct Dispatchable {
    /// The value of the Dispatchable.
    #[pyo3(get, set)]
    value: Py<PyAny>,
    /// The type of the Dispatchable.
    #[pyo3(get, set, name = "type")]
    dispatch_type: Py<PyAny>,
    /// Whether the value may be coerced to a backend's type.
    #[pyo3(get, set)]
    coercible: Py<PyAny>,
}

#[pymethods]
impl Dispatchable {
    #[new]
    #[pyo3(signature = (value, dispatch_type, coercible = None))]
    fn new(
        py: Python<'_>,
        value: Py<PyAny>,
        dispatch_type: Py<PyAny>,
        coercible: Option<Py<PyAny>>,
    ) -> Self {
        let coercible = coercible.unwrap_or_else(|| {
            true.into_pyobject(py)
                .expect("bool")
                .to_owned()
                .into_any()
                .unbind()
        });
        Dispatchable {
            value,
            dispatch_type,
            coercible,
        }
    }

    fn __getitem__<'py>(
        &self,
        py: Python<'py>,
        index: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        PyTuple::new(py, [&self.dispatch_type, &self.value])?
            .as_any()
            .get_item(index)
    }

    fn __str__(slf: &Bound<'_, Self>) -> PyResult<String> {
        let this = slf.borrow();
        let py = slf.py();
        Ok(format!(
            "<{}: type={}, value={}>",
            slf.get_type().name()?,
            this.dispatch_type.bind(py).repr()?,
            this.value.bind(py).repr()?
        ))
    }

    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        Self::__str__(slf)
    }

    /// `Dispatchable[T, TT]` for type hints.
    #[classmethod]
    fn __class_getitem__<'py>(
        cls: &Bound<'py, PyType>,
        params: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = cls.py();
        py.import("types")?
            .getattr("GenericAlias")?
            .call1((cls, params))
    }
}

/// Binds `callable` to `obj` like a function in a class body does.
fn bind_method<'py>(
    callable: &Bound<'py, PyAny>,
    obj: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    match obj {
        Some(obj) if !obj.is_none() => callable
            .py()
            .import("types")?
            .getattr("MethodType")?
            .call1((callable, obj)),
        _ => Ok(callable.clone()),
    }
}

/// The wrapper `all_of_type(T)(extractor)` returns: marks every unmarked extracted value as `T`.
#[pyclass(dict, module = "uscipy._core", name = "_AllOfType")]
pub struct AllOfType {
    func: Py<PyAny>,
    arg_type: Py<PyAny>,
}

#[pymethods]
impl AllOfType {
    #[new]
    fn new(func: Py<PyAny>, arg_type: Py<PyAny>) -> Self {
        AllOfType { func, arg_type }
    }

    #[pyo3(signature = (*args, **kwargs))]
    fn __call__<'py>(
        &self,
        py: Python<'py>,
        args: &Bound<'py, PyTuple>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyTuple>> {
        let extracted = self.func.bind(py).call(args, kwargs)?;
        let marked = extracted
            .try_iter()?
            .map(|item| {
                let item = item?;
                if item.is_instance_of::<Dispatchable>() {
                    Ok(item)
                } else {
                    let d = Dispatchable::new(py, item.unbind(), self.arg_type.clone_ref(py), None);
                    Ok(Bound::new(py, d)?.into_any())
                }
            })
            .collect::<PyResult<Vec<_>>>()?;
        PyTuple::new(py, marked)
    }

    fn __get__<'py>(
        slf: &Bound<'py, Self>,
        obj: Option<&Bound<'py, PyAny>>,
        _owner: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        bind_method(slf.as_any(), obj)
    }
}

/// The `__ua_convert__` that `wrap_single_convertor[_instance](f)` returns: applies `f` to each
/// dispatchable, and declines (NotImplemented) as soon as `f` declines one.
#[pyclass(dict, module = "uscipy._core", name = "_SingleConvertor")]
pub struct SingleConvertor {
    convert_single: Py<PyAny>,
    instance: bool,
}

#[pymethods]
impl SingleConvertor {
    #[new]
    #[pyo3(signature = (convert_single, instance = false))]
    fn new(convert_single: Py<PyAny>, instance: bool) -> Self {
        SingleConvertor {
            convert_single,
            instance,
        }
    }

    /// `(dispatchables, coerce)`, or `(self, dispatchables, coerce)` for the instance variant.
    #[pyo3(signature = (*args))]
    fn __call__<'py>(
        &self,
        py: Python<'py>,
        args: &Bound<'py, PyTuple>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let expected = if self.instance { 3 } else { 2 };
        if args.len() != expected {
            return Err(pyo3::exceptions::PyTypeError::new_err(format!(
                "__ua_convert__() takes {expected} positional arguments but {} were given",
                args.len()
            )));
        }
        let owner = self.instance.then(|| args.get_item(0)).transpose()?;
        let dispatchables = args.get_item(expected - 2)?;
        let coerce = args.get_item(expected - 1)?;
        let coerce_truthy = coerce.is_truthy()?;
        let convert = self.convert_single.bind(py);
        let converted = PyList::empty(py);
        for d in dispatchables.try_iter()? {
            let d = d?;
            let (value, dispatch_type, coercible) = match d.cast::<Dispatchable>() {
                Ok(native) => {
                    let n = native.borrow();
                    (
                        n.value.bind(py).clone(),
                        n.dispatch_type.bind(py).clone(),
                        n.coercible.bind(py).clone(),
                    )
                }
                Err(_) => (
                    d.getattr("value")?,
                    d.getattr("type")?,
                    d.getattr("coercible")?,
                ),
            };
            // Python's `coerce and d.coercible`.
            let coerce_this = if coerce_truthy {
                coercible
            } else {
                coerce.clone()
            };
            let c = match &owner {
                Some(owner) => convert.call1((owner, value, dispatch_type, coerce_this))?,
                None => convert.call1((value, dispatch_type, coerce_this))?,
            };
            if c.is(&*PyNotImplemented::get(py)) {
                return Ok(PyNotImplemented::get(py).to_owned().into_any());
            }
            converted.append(c)?;
        }
        Ok(converted.into_any())
    }

    fn __get__<'py>(
        slf: &Bound<'py, Self>,
        obj: Option<&Bound<'py, PyAny>>,
        _owner: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        if slf.borrow().instance {
            bind_method(slf.as_any(), obj)
        } else {
            Ok(slf.clone().into_any())
        }
    }
}
