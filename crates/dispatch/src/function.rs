//! `_Function`: a multimethod, as a type with a vectorcall entry point.
//!
//! PyO3's `#[pymethods] __call__` goes through `tp_call` (argument tuple and dict built for every
//! call); a multimethod is called far more often than anything else here, so the type is built
//! by hand with `PyType_FromSpec` and an instance-level vectorcall slot, like uarray's C++ type:
//! a writable `__dict__` for `functools.update_wrapper`, weak references, the descriptor protocol
//! to bind as a method, and garbage-collector support.

use std::ffi::{c_int, c_void};
use std::mem::{offset_of, size_of};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;

use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::ffi;
use pyo3::panic::PanicException;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyString, PyTuple, PyType};

use crate::call;
use crate::domain::{self, DomainId};
use crate::impls::ImplCache;
use crate::types::SpecEntry;

/// What a multimethod is made of; `None` once the garbage collector has cleared it.
pub struct FunctionData {
    pub extractor: Py<PyAny>,
    pub replacer: Py<PyAny>,
    pub domain: Py<PyString>,
    pub chain: Box<[DomainId]>,
    pub def_args: Py<PyTuple>,
    pub def_kwargs: Py<PyDict>,
    pub default: Option<Py<PyAny>>,
    /// Where the dispatchable arguments are, for dispatch by type without calling the
    /// extractor; set once by uscipy's frontends (`set_dispatch_spec`).
    pub spec: std::sync::OnceLock<Box<[SpecEntry]>>,
    /// How each backend met so far is called (directly, or through the uarray protocol).
    pub impls: ImplCache,
    /// What `__ua_function__` receives as `method`, if not this multimethod: uscipy.fft's
    /// functions pass SciPy's own multimethods, which backends written for scipy.fft
    /// (pyFFTW's, keyed by them) recognise.
    pub protocol_method: std::sync::OnceLock<Py<PyAny>>,
}

impl FunctionData {
    /// Releases every reference now (dropping a `Py` outside a PyO3 entry point would only
    /// queue the decrement).
    fn release(self, py: Python<'_>) {
        self.impls.release(py);
        drop(self.protocol_method.into_inner().map(|m| m.into_bound(py)));
        drop((
            self.extractor.into_bound(py),
            self.replacer.into_bound(py),
            self.domain.into_bound(py),
            self.def_args.into_bound(py),
            self.def_kwargs.into_bound(py),
            self.default.map(|d| d.into_bound(py)),
            self.spec.into_inner().map(|spec| {
                spec.into_vec()
                    .into_iter()
                    .map(|e| e.name.into_bound(py))
                    .collect::<Vec<_>>()
            }),
        ));
    }

    fn visit(&self, mut visit: impl FnMut(*mut ffi::PyObject) -> c_int) -> c_int {
        let refs = [
            self.extractor.as_ptr(),
            self.replacer.as_ptr(),
            self.domain.as_ptr(),
            self.def_args.as_ptr(),
            self.def_kwargs.as_ptr(),
        ];
        for r in refs
            .into_iter()
            .chain(self.default.as_ref().map(|d| d.as_ptr()))
        {
            let rc = visit(r);
            if rc != 0 {
                return rc;
            }
        }
        if let Some(method) = self.protocol_method.get() {
            let rc = visit(method.as_ptr());
            if rc != 0 {
                return rc;
            }
        }
        self.impls.visit(visit)
    }
}

/// The object layout. `#[repr(C)]` so the offsets given to CPython below are the real ones.
#[repr(C)]
struct RawFunction {
    ob_base: ffi::PyObject,
    vectorcall: Option<ffi::vectorcallfunc>,
    dict: *mut ffi::PyObject,
    weakrefs: *mut ffi::PyObject,
    data: Option<FunctionData>,
}

unsafe extern "C" {
    fn PyMethod_New(func: *mut ffi::PyObject, self_: *mut ffi::PyObject) -> *mut ffi::PyObject;
}

/// Runs `f` as the body of a CPython slot: errors become a raised exception and a NULL return,
/// and a Rust panic becomes `PanicException` instead of unwinding into C.
fn slot<T>(error_value: T, f: impl FnOnce(Python<'_>) -> PyResult<T>) -> T {
    // SAFETY: every slot below is only ever called by CPython with the interpreter attached.
    let py = unsafe { Python::assume_attached() };
    match catch_unwind(AssertUnwindSafe(|| f(py))) {
        Ok(Ok(value)) => value,
        Ok(Err(err)) => {
            err.restore(py);
            error_value
        }
        Err(payload) => {
            let msg = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "panic in uscipy's dispatch engine".to_owned());
            PanicException::new_err(msg).restore(py);
            error_value
        }
    }
}

/// The data of `obj` if it is a live `_Function`.
pub fn data_of_function<'a>(obj: &'a Bound<'_, PyAny>) -> PyResult<&'a FunctionData> {
    let tp = function_type(obj.py())?;
    if !obj.is_instance(tp)? {
        return Err(PyTypeError::new_err(
            "expected a uarray multimethod (_Function)",
        ));
    }
    // SAFETY: `obj` was just checked to be a `_Function`, and it outlives the returned borrow.
    unsafe { data_of(obj.as_ptr()) }
}

/// The data of a live `_Function`, or an error if the collector has cleared it.
///
/// # Safety
/// `obj` must point to a live instance of the `_Function` type.
unsafe fn data_of<'a>(obj: *mut ffi::PyObject) -> PyResult<&'a FunctionData> {
    // SAFETY: guaranteed by the caller; the reference lives as long as the caller's borrow of
    // `obj` (the object cannot be cleared while a call holds a reference to it: the collector
    // only clears unreachable objects).
    unsafe { (*(obj as *const RawFunction)).data.as_ref() }
        .ok_or_else(|| PyRuntimeError::new_err("uarray multimethod used after being cleared"))
}

unsafe extern "C" fn function_vectorcall(
    callable: *mut ffi::PyObject,
    args: *const *mut ffi::PyObject,
    nargsf: usize,
    kwnames: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    slot(ptr::null_mut(), |py| {
        // SAFETY: CPython calls this slot only for `_Function` instances, with `args` holding
        // `nargs` positional values followed by one value per name in `kwnames`.
        unsafe {
            let data = data_of(callable)?;
            let nargs = ffi::PyVectorcall_NARGS(nargsf) as usize;
            let kwnames =
                Borrowed::from_ptr_or_opt(py, kwnames).map(|k| k.cast_unchecked::<PyTuple>());
            let nkw = kwnames.as_ref().map_or(0, |k| k.len());
            let all: &[*mut ffi::PyObject] = if nargs + nkw == 0 {
                &[]
            } else {
                std::slice::from_raw_parts(args, nargs + nkw)
            };
            let func = Borrowed::from_ptr(py, callable);
            let (positional, keyword_values) = all.split_at(nargs);
            let call = call::RawArgs {
                positional,
                kwnames: kwnames.as_deref(),
                kwvalues: keyword_values,
            };
            call::dispatch(py, &func, data, call).map(Bound::into_ptr)
        }
    })
}

unsafe extern "C" fn function_new(
    subtype: *mut ffi::PyTypeObject,
    args: *mut ffi::PyObject,
    kwargs: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    slot(ptr::null_mut(), |py| {
        // SAFETY: CPython passes a tuple of arguments and a dict or NULL for keywords.
        let (args, kwargs) = unsafe {
            (
                Borrowed::from_ptr(py, args).cast_unchecked::<PyTuple>(),
                Borrowed::from_ptr_or_opt(py, kwargs),
            )
        };
        if kwargs.is_some_and(|k| k.len().unwrap_or(0) > 0) {
            return Err(PyTypeError::new_err(
                "_Function() takes no keyword arguments",
            ));
        }
        let data = parse_new_args(&args)?;
        // SAFETY: `subtype` is this type or a subtype; GenericAlloc returns zeroed memory of
        // its basic size (or NULL with an exception set), so every pointer field starts NULL.
        unsafe {
            let obj = ffi::PyType_GenericAlloc(subtype, 0);
            if obj.is_null() {
                return Err(PyErr::fetch(py));
            }
            let raw = obj as *mut RawFunction;
            (*raw).vectorcall = Some(function_vectorcall);
            ptr::write(ptr::addr_of_mut!((*raw).data), Some(data));
            Ok(obj)
        }
    })
}

fn parse_new_args(args: &Bound<'_, PyTuple>) -> PyResult<FunctionData> {
    let usage =
        "_Function(extractor, replacer, domain: str, def_args: tuple, def_kwargs: dict, default)";
    if args.len() != 6 {
        return Err(PyTypeError::new_err(format!("expected {usage}")));
    }
    let item = |i| args.get_item(i);
    let (extractor, replacer, default) = (item(0)?, item(1)?, item(5)?);
    if !extractor.is_callable() || !(replacer.is_none() || replacer.is_callable()) {
        return Err(PyTypeError::new_err(
            "Argument extractor and replacer must be callable",
        ));
    }
    if !(default.is_none() || default.is_callable()) {
        return Err(PyTypeError::new_err(
            "Default implementation must be Callable or None",
        ));
    }
    let domain = item(2)?
        .cast_into::<PyString>()
        .map_err(|_| PyTypeError::new_err(format!("domain must be a str: {usage}")))?;
    let domain_name = domain::domain_string(&domain)?;
    let def_args = item(3)?
        .cast_into::<PyTuple>()
        .map_err(|_| PyTypeError::new_err(format!("def_args must be a tuple: {usage}")))?;
    let def_kwargs = item(4)?
        .cast_into::<PyDict>()
        .map_err(|_| PyTypeError::new_err(format!("def_kwargs must be a dict: {usage}")))?;
    Ok(FunctionData {
        extractor: extractor.unbind(),
        replacer: replacer.unbind(),
        domain: domain.unbind(),
        chain: domain::chain(&domain_name).into_boxed_slice(),
        def_args: def_args.unbind(),
        def_kwargs: def_kwargs.unbind(),
        default: (!default.is_none()).then(|| default.unbind()),
        spec: std::sync::OnceLock::new(),
        impls: ImplCache::default(),
        protocol_method: std::sync::OnceLock::new(),
    })
}

unsafe extern "C" fn function_dealloc(obj: *mut ffi::PyObject) {
    // SAFETY: called once by CPython when the refcount reaches zero, with the interpreter
    // attached; `obj` is a fully constructed instance (fields NULL/None where never set).
    unsafe {
        ffi::PyObject_GC_UnTrack(obj as *mut c_void);
        let raw = obj as *mut RawFunction;
        if !(*raw).weakrefs.is_null() {
            ffi::PyObject_ClearWeakRefs(obj);
        }
        ffi::Py_CLEAR(ptr::addr_of_mut!((*raw).dict));
        if let Some(data) = ptr::replace(ptr::addr_of_mut!((*raw).data), None) {
            data.release(Python::assume_attached());
        }
        let tp = ffi::Py_TYPE(obj);
        if let Some(free) = (*tp).tp_free {
            free(obj as *mut c_void);
        }
        // Instances of heap types own a reference to their type.
        ffi::Py_DECREF(tp as *mut ffi::PyObject);
    }
}

unsafe extern "C" fn function_traverse(
    obj: *mut ffi::PyObject,
    visit: ffi::visitproc,
    arg: *mut c_void,
) -> c_int {
    // SAFETY: called by the collector on a live instance; no Python code runs here.
    unsafe {
        let raw = obj as *const RawFunction;
        // Heap-type instances must visit their type.
        let rc = visit(ffi::Py_TYPE(obj) as *mut ffi::PyObject, arg);
        if rc != 0 {
            return rc;
        }
        if !(*raw).dict.is_null() {
            let rc = visit((*raw).dict, arg);
            if rc != 0 {
                return rc;
            }
        }
        match &(*raw).data {
            Some(data) => data.visit(|o| visit(o, arg)),
            None => 0,
        }
    }
}

unsafe extern "C" fn function_clear(obj: *mut ffi::PyObject) -> c_int {
    // SAFETY: called by the collector on a live instance to break cycles; the fields are
    // moved out before being released, so re-entrant code sees them already cleared.
    unsafe {
        let raw = obj as *mut RawFunction;
        let data = (*raw).data.take();
        ffi::Py_CLEAR(ptr::addr_of_mut!((*raw).dict));
        if let Some(data) = data {
            data.release(Python::assume_attached());
        }
    }
    0
}

unsafe extern "C" fn function_repr(obj: *mut ffi::PyObject) -> *mut ffi::PyObject {
    slot(ptr::null_mut(), |py| {
        // SAFETY: `obj` is a live `_Function`; its dict pointer is NULL or a dict.
        let dict = unsafe { Borrowed::from_ptr_or_opt(py, (*(obj as *const RawFunction)).dict) };
        let name = match dict {
            Some(d) => unsafe { d.cast_unchecked::<PyDict>() }.get_item("__name__")?,
            None => None,
        };
        let text = match name {
            Some(n) => format!("<uarray multimethod '{}'>", n.str()?),
            None => "<uarray multimethod>".to_owned(),
        };
        Ok(PyString::new(py, &text).into_ptr())
    })
}

unsafe extern "C" fn function_descr_get(
    func: *mut ffi::PyObject,
    obj: *mut ffi::PyObject,
    _type: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: `func` is live; PyMethod_New returns a new reference or NULL with an exception.
    unsafe {
        if obj.is_null() {
            ffi::Py_INCREF(func);
            return func;
        }
        PyMethod_New(func, obj)
    }
}

macro_rules! data_getter {
    ($name:ident, |$d:ident, $py:ident| $body:expr) => {
        unsafe extern "C" fn $name(
            obj: *mut ffi::PyObject,
            _closure: *mut c_void,
        ) -> *mut ffi::PyObject {
            slot(ptr::null_mut(), |$py| {
                // SAFETY: getters are only installed on the `_Function` type.
                let $d = unsafe { data_of(obj)? };
                Ok($body)
            })
        }
    };
}

data_getter!(get_extractor, |d, py| d.extractor.clone_ref(py).into_ptr());
data_getter!(get_replacer, |d, py| d.replacer.clone_ref(py).into_ptr());
data_getter!(get_domain, |d, py| d.domain.clone_ref(py).into_ptr());
data_getter!(get_default, |d, py| match &d.default {
    Some(f) => f.clone_ref(py).into_ptr(),
    None => py.None().into_ptr(),
});

/// Pickles by reference: `__reduce__` returning a string makes pickle store the object's
/// `__module__` and `__qualname__`, and check they resolve to this very object.
unsafe extern "C" fn function_reduce(
    obj: *mut ffi::PyObject,
    _: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    slot(ptr::null_mut(), |py| {
        // SAFETY: methods are only installed on the `_Function` type.
        let obj = unsafe { Borrowed::from_ptr(py, obj) };
        Ok(obj.getattr("__qualname__")?.into_ptr())
    })
}

static FUNCTION_TYPE: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// The `_Function` type object, created on first use.
pub fn function_type(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    FUNCTION_TYPE
        .get_or_try_init(py, || create_type(py))
        .map(|t| t.bind(py))
}

fn create_type(py: Python<'_>) -> PyResult<Py<PyType>> {
    let member = |name: &'static std::ffi::CStr, offset: usize| ffi::PyMemberDef {
        name: name.as_ptr(),
        type_code: ffi::Py_T_PYSSIZET,
        offset: offset as ffi::Py_ssize_t,
        flags: ffi::Py_READONLY,
        doc: ptr::null(),
    };
    // CPython keeps pointers into these tables for the life of the type, which is the life of
    // the process: they are leaked on purpose, once.
    let members: &'static mut [ffi::PyMemberDef] = Box::leak(Box::new([
        member(c"__vectorcalloffset__", offset_of!(RawFunction, vectorcall)),
        member(c"__dictoffset__", offset_of!(RawFunction, dict)),
        member(c"__weaklistoffset__", offset_of!(RawFunction, weakrefs)),
        ffi::PyMemberDef::default(),
    ]));
    let getter = |name: &'static std::ffi::CStr, get: ffi::getter| ffi::PyGetSetDef {
        name: name.as_ptr(),
        get: Some(get),
        set: None,
        doc: ptr::null(),
        closure: ptr::null_mut(),
    };
    let getset: &'static mut [ffi::PyGetSetDef] = Box::leak(Box::new([
        ffi::PyGetSetDef {
            name: c"__dict__".as_ptr(),
            get: Some(ffi::PyObject_GenericGetDict),
            set: Some(ffi::PyObject_GenericSetDict),
            doc: ptr::null(),
            closure: ptr::null_mut(),
        },
        getter(c"arg_extractor", get_extractor),
        getter(c"arg_replacer", get_replacer),
        getter(c"default", get_default),
        getter(c"domain", get_domain),
        ffi::PyGetSetDef::default(),
    ]));
    let methods: &'static mut [ffi::PyMethodDef] = Box::leak(Box::new([
        ffi::PyMethodDef {
            ml_name: c"__reduce__".as_ptr(),
            ml_meth: ffi::PyMethodDefPointer {
                PyCFunction: function_reduce,
            },
            ml_flags: ffi::METH_NOARGS,
            ml_doc: ptr::null(),
        },
        ffi::PyMethodDef::zeroed(),
    ]));
    let slot = |slot: c_int, pfunc: *mut c_void| ffi::PyType_Slot { slot, pfunc };
    let slots: &'static mut [ffi::PyType_Slot] = Box::leak(Box::new([
        slot(ffi::Py_tp_new, function_new as *mut c_void),
        slot(ffi::Py_tp_dealloc, function_dealloc as *mut c_void),
        slot(ffi::Py_tp_traverse, function_traverse as *mut c_void),
        slot(ffi::Py_tp_clear, function_clear as *mut c_void),
        slot(ffi::Py_tp_repr, function_repr as *mut c_void),
        slot(ffi::Py_tp_call, ffi::PyVectorcall_Call as *mut c_void),
        slot(ffi::Py_tp_descr_get, function_descr_get as *mut c_void),
        slot(ffi::Py_tp_members, members.as_mut_ptr() as *mut c_void),
        slot(ffi::Py_tp_getset, getset.as_mut_ptr() as *mut c_void),
        slot(ffi::Py_tp_methods, methods.as_mut_ptr() as *mut c_void),
        slot(
            ffi::Py_tp_doc,
            c"A uarray multimethod: dispatches each call to the selected backends.".as_ptr()
                as *mut c_void,
        ),
        slot(0, ptr::null_mut()),
    ]));
    let spec: &'static mut ffi::PyType_Spec = Box::leak(Box::new(ffi::PyType_Spec {
        name: c"uscipy._core._Function".as_ptr(),
        basicsize: size_of::<RawFunction>() as c_int,
        itemsize: 0,
        flags: (ffi::Py_TPFLAGS_DEFAULT
            | ffi::Py_TPFLAGS_HAVE_GC
            | ffi::Py_TPFLAGS_HAVE_VECTORCALL
            | ffi::Py_TPFLAGS_METHOD_DESCRIPTOR) as std::ffi::c_uint,
        slots: slots.as_mut_ptr(),
    }));
    // SAFETY: the spec and every table it points to are 'static; the result is a new
    // reference to a type object, or NULL with an exception set.
    unsafe {
        Bound::from_owned_ptr_or_err(py, ffi::PyType_FromSpec(spec))
            .map(|t| t.cast_into_unchecked::<PyType>().unbind())
    }
}
