//! Small, fast wrappers over the C API where PyO3's general-purpose paths cost measurable time
//! on the dispatch hot path.

use std::ffi::c_int;

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyString, PyTuple};

#[cfg(not(Py_3_13))]
unsafe extern "C" {
    // Public in all but name until 3.13 renamed it `PyObject_GetOptionalAttr`.
    fn _PyObject_LookupAttr(
        obj: *mut ffi::PyObject,
        name: *mut ffi::PyObject,
        result: *mut *mut ffi::PyObject,
    ) -> c_int;
}

unsafe extern "C" {
    // Exported by every CPython this supports; the MRO lookup behind the type attribute cache.
    fn _PyType_Lookup(tp: *mut ffi::PyTypeObject, name: *mut ffi::PyObject) -> *mut ffi::PyObject;
}

/// Whether the metaclass of `obj` looks attributes up with `type.__getattribute__` itself.
///
/// # Safety
/// `obj` must be a live object.
pub unsafe fn has_plain_type_getattr(obj: *mut ffi::PyObject) -> bool {
    // SAFETY: reading type slots of live type objects.
    unsafe {
        let type_getattro = (*std::ptr::addr_of_mut!(ffi::PyType_Type)).tp_getattro;
        match ((*ffi::Py_TYPE(obj)).tp_getattro, type_getattro) {
            // Both pointers are read from CPython's type objects, not taken from Rust items.
            (Some(a), Some(b)) => std::ptr::fn_addr_eq(a, b),
            _ => false,
        }
    }
}

/// Whether `obj` certainly has no attribute `name`, decided without raising: backends are often
/// classes or modules (SciPy's, pyFFTW's, mkl_fft's), whose `getattr` misses build a formatted
/// `AttributeError` even under `_PyObject_LookupAttr` before Python 3.12.
fn certainly_missing(obj: &Bound<'_, PyAny>, name: &Bound<'_, PyString>) -> bool {
    let (o, n) = (obj.as_ptr(), name.as_ptr());
    // SAFETY: `o` and `n` are live; `_PyType_Lookup` returns a borrowed reference or NULL
    // without setting an exception; the dict lookups likewise.
    unsafe {
        let tp = ffi::Py_TYPE(o);
        if ffi::PyType_Check(o) != 0 && has_plain_type_getattr(o) {
            // type.__getattribute__: the metatype's MRO, then the class's own MRO.
            return _PyType_Lookup(tp, n).is_null()
                && _PyType_Lookup(o as *mut ffi::PyTypeObject, n).is_null();
        }
        if ffi::PyModule_CheckExact(o) != 0 {
            let dict = ffi::PyModule_GetDict(o);
            return !dict.is_null()
                && _PyType_Lookup(tp, n).is_null()
                && ffi::PyDict_GetItemWithError(dict, n).is_null()
                && ffi::PyErr_Occurred().is_null()
                && ffi::PyDict_GetItemWithError(
                    dict,
                    pyo3::intern!(obj.py(), "__getattr__").as_ptr(),
                )
                .is_null()
                && ffi::PyErr_Occurred().is_null();
        }
    }
    false
}

/// `getattr(obj, name)`, or `None` if it has no such attribute, without creating and discarding
/// an `AttributeError` (which is what makes `hasattr` slow on a miss).
pub fn lookup_optional<'py>(
    obj: &Bound<'py, PyAny>,
    name: &Bound<'py, PyString>,
) -> PyResult<Option<Bound<'py, PyAny>>> {
    let py = obj.py();
    if certainly_missing(obj, name) {
        return Ok(None);
    }
    let mut out: *mut ffi::PyObject = std::ptr::null_mut();
    // SAFETY: both objects are live; on return `out` is NULL or a new reference.
    let rc = unsafe {
        #[cfg(Py_3_13)]
        {
            ffi::PyObject_GetOptionalAttr(obj.as_ptr(), name.as_ptr(), &mut out)
        }
        #[cfg(not(Py_3_13))]
        {
            _PyObject_LookupAttr(obj.as_ptr(), name.as_ptr(), &mut out)
        }
    };
    match rc {
        r if r < 0 => Err(PyErr::fetch(py)),
        0 => Ok(None),
        // SAFETY: rc > 0 means `out` is a new reference.
        _ => Ok(Some(unsafe { Bound::from_owned_ptr(py, out) })),
    }
}

/// A tuple of the given objects.
///
/// # Safety
/// Every pointer must be a live object for the duration of the call.
pub unsafe fn tuple_from_ptrs<'py>(
    py: Python<'py>,
    items: &[*mut ffi::PyObject],
) -> PyResult<Bound<'py, PyTuple>> {
    // SAFETY: PyTuple_New returns a new tuple (or NULL); each slot is filled exactly once with a
    // new reference, which the tuple then owns.
    unsafe {
        let tuple = ffi::PyTuple_New(items.len() as ffi::Py_ssize_t);
        if tuple.is_null() {
            return Err(PyErr::fetch(py));
        }
        for (i, &item) in items.iter().enumerate() {
            ffi::Py_INCREF(item);
            ffi::PyTuple_SET_ITEM(tuple, i as ffi::Py_ssize_t, item);
        }
        Ok(Bound::from_owned_ptr(py, tuple).cast_into_unchecked())
    }
}

/// `obj.name(a, b, c)` through `PyObject_VectorcallMethod`: no bound method is created for
/// methods defined on the type, and no argument tuple.
pub fn call_method3<'py>(
    obj: &Bound<'py, PyAny>,
    name: &Bound<'py, PyString>,
    args: [*mut ffi::PyObject; 3],
) -> PyResult<Bound<'py, PyAny>> {
    let py = obj.py();
    let mut argv = [obj.as_ptr(), args[0], args[1], args[2]];
    // SAFETY: all pointers are live objects borrowed for the call; the flag lets CPython use
    // argv[0]'s slot as scratch (hence a mutable array), restored before it returns.
    unsafe {
        let out = ffi::PyObject_VectorcallMethod(
            name.as_ptr(),
            argv.as_mut_ptr() as *const *mut ffi::PyObject,
            4 | ffi::PY_VECTORCALL_ARGUMENTS_OFFSET,
            std::ptr::null_mut(),
        );
        Bound::from_owned_ptr_or_err(py, out)
    }
}

/// A flag taken by truthiness, as uarray's C functions parse `p` arguments (`only=1` works).
#[derive(Clone, Copy, Debug, Default)]
pub struct Truthy(pub bool);

impl<'a, 'py> FromPyObject<'a, 'py> for Truthy {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        obj.is_truthy().map(Truthy)
    }
}

/// Python's spelling of a bool, for messages.
pub fn py_bool(b: bool) -> &'static str {
    if b {
        "True"
    } else {
        "False"
    }
}

/// `callable(a, b, c)` through vectorcall.
pub fn call3<'py>(
    callable: &Bound<'py, PyAny>,
    args: [*mut ffi::PyObject; 3],
) -> PyResult<Bound<'py, PyAny>> {
    let mut argv = [std::ptr::null_mut(), args[0], args[1], args[2]];
    // SAFETY: argv[1..] are live objects borrowed for the call; argv[0] is the scratch slot
    // PY_VECTORCALL_ARGUMENTS_OFFSET allows the callee to use (for a bound `self`).
    unsafe {
        let out = ffi::PyObject_Vectorcall(
            callable.as_ptr(),
            argv.as_mut_ptr().add(1) as *const *mut ffi::PyObject,
            3 | ffi::PY_VECTORCALL_ARGUMENTS_OFFSET,
            std::ptr::null_mut(),
        );
        Bound::from_owned_ptr_or_err(callable.py(), out)
    }
}
