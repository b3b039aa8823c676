//! Bindings of the native `scipy.ndimage` filters: NumPy arrays of any strides and of SciPy's
//! dtypes (bool, 8- to 64-bit integers, float32, float64; native byte order) read in place,
//! the output array allocated by the caller (NumPy), the GIL released while filtering.

use numpy::npyffi::{self, flags::NPY_ARRAY_WRITEABLE};
use numpy::{PyArrayDescrMethods, PyUntypedArray, PyUntypedArrayMethods};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use uscipy_kernels::ndimage::{self, Dtype, FootprintOp, Mode, RawArray};

/// `array` as a `RawArray` (`writable`: it is to be written).
pub(crate) fn raw(array: &Bound<'_, PyAny>, what: &str, writable: bool) -> PyResult<RawArray> {
    let array = array
        .cast::<PyUntypedArray>()
        .map_err(|_| PyTypeError::new_err(format!("{what} must be a NumPy array")))?;
    let dtype = array.dtype();
    if dtype.is_native_byteorder() == Some(false) {
        return Err(PyTypeError::new_err(format!(
            "{what} must be in native byte order"
        )));
    }
    let dtype = match (dtype.kind(), dtype.itemsize()) {
        (b'b', 1) | (b'u', 1) => Dtype::U8,
        (b'i', 1) => Dtype::I8,
        (b'i', 2) => Dtype::I16,
        (b'u', 2) => Dtype::U16,
        (b'i', 4) => Dtype::I32,
        (b'u', 4) => Dtype::U32,
        (b'i', 8) => Dtype::I64,
        (b'u', 8) => Dtype::U64,
        (b'f', 4) => Dtype::F32,
        (b'f', 8) => Dtype::F64,
        _ => {
            return Err(PyTypeError::new_err(format!(
                "{what}: dtype {dtype} not supported"
            )))
        }
    };
    // SAFETY: `array` is a live NumPy array; its fields are read, not kept.
    let fields = unsafe { &*npyffi::_PyArray_GET_ITEM_DATA(array.as_array_ptr()) };
    if writable && fields.flags & NPY_ARRAY_WRITEABLE == 0 {
        return Err(PyValueError::new_err(format!("{what} is read-only")));
    }
    Ok(RawArray {
        ptr: fields.data.cast(),
        dtype,
        shape: array.shape().to_vec(),
        strides: array.strides().to_vec(),
    })
}

/// The byte range an array spans.
pub(crate) fn span(a: &RawArray) -> (usize, usize) {
    let item = match a.dtype {
        Dtype::I8 | Dtype::U8 => 1,
        Dtype::I16 | Dtype::U16 => 2,
        Dtype::I32 | Dtype::U32 | Dtype::F32 => 4,
        _ => 8,
    };
    let (mut lo, mut hi) = (a.ptr as isize, a.ptr as isize + item);
    for (&n, &s) in a.shape.iter().zip(&a.strides) {
        if n > 1 {
            let reach = (n as isize - 1) * s;
            if reach < 0 {
                lo += reach
            } else {
                hi += reach
            }
        }
    }
    (lo as usize, hi as usize)
}

/// The input (or the output itself, filtered in place, when `input` is None) and the output.
fn pair(
    input: Option<&Bound<'_, PyAny>>,
    output: &Bound<'_, PyAny>,
) -> PyResult<(RawArray, RawArray)> {
    let out = raw(output, "output", true)?;
    let inp = match input {
        None => out.clone(),
        Some(input) => {
            let inp = raw(input, "input", false)?;
            let ((a, b), (c, d)) = (span(&inp), span(&out));
            if inp.size() > 0 && out.size() > 0 && a < d && c < b {
                return Err(PyValueError::new_err("input and output must not overlap"));
            }
            inp
        }
    };
    if inp.shape != out.shape {
        return Err(PyValueError::new_err(format!(
            "output shape {:?} differs from input shape {:?}",
            out.shape, inp.shape
        )));
    }
    Ok((inp, out))
}

fn mode(code: i64) -> PyResult<Mode> {
    Mode::from_code(code)
        .ok_or_else(|| PyValueError::new_err(format!("unknown boundary mode code {code}")))
}

fn invalid(e: ndimage::InvalidArgument) -> PyErr {
    PyValueError::new_err(e.0)
}

/// 1-D correlation of every line along `axis` with `weights` (SciPy's `correlate1d` after its
/// argument handling). `input=None` filters `output` in place.
#[pyfunction]
#[pyo3(signature = (input, output, axis, weights, mode_code, cval, origin, workers))]
#[allow(clippy::too_many_arguments)]
pub fn nd_correlate1d(
    py: Python<'_>,
    input: Option<&Bound<'_, PyAny>>,
    output: &Bound<'_, PyAny>,
    axis: usize,
    weights: Vec<f64>,
    mode_code: i64,
    cval: f64,
    origin: isize,
    workers: usize,
) -> PyResult<()> {
    let (inp, out) = pair(input, output)?;
    let mode = mode(mode_code)?;
    py.detach(|| unsafe {
        ndimage::correlate1d(&inp, &out, axis, &weights, mode, cval, origin, workers)
    })
    .map_err(invalid)
}

/// Moving average of `size` values along `axis` (SciPy's `uniform_filter1d`).
#[pyfunction]
#[pyo3(signature = (input, output, axis, size, mode_code, cval, origin, workers))]
#[allow(clippy::too_many_arguments)]
pub fn nd_uniform_filter1d(
    py: Python<'_>,
    input: Option<&Bound<'_, PyAny>>,
    output: &Bound<'_, PyAny>,
    axis: usize,
    size: usize,
    mode_code: i64,
    cval: f64,
    origin: isize,
    workers: usize,
) -> PyResult<()> {
    let (inp, out) = pair(input, output)?;
    let mode = mode(mode_code)?;
    py.detach(|| unsafe {
        ndimage::uniform_filter1d(&inp, &out, axis, size, mode, cval, origin, workers)
    })
    .map_err(invalid)
}

/// Moving minimum (`minimum`) or maximum of `size` values along `axis`.
#[pyfunction]
#[pyo3(signature = (input, output, axis, size, mode_code, cval, origin, minimum, workers))]
#[allow(clippy::too_many_arguments)]
pub fn nd_min_or_max_filter1d(
    py: Python<'_>,
    input: Option<&Bound<'_, PyAny>>,
    output: &Bound<'_, PyAny>,
    axis: usize,
    size: usize,
    mode_code: i64,
    cval: f64,
    origin: isize,
    minimum: bool,
    workers: usize,
) -> PyResult<()> {
    let (inp, out) = pair(input, output)?;
    let mode = mode(mode_code)?;
    py.detach(|| unsafe {
        ndimage::min_or_max_filter1d(&inp, &out, axis, size, mode, cval, origin, minimum, workers)
    })
    .map_err(invalid)
}

/// A filter over an N-D footprint of shape `fshape`: `op` is "correlate" (with `weights`,
/// C order), "minimum", "maximum" or "rank" (the `rank`-th smallest under `mask`, C order).
#[pyfunction]
#[pyo3(signature = (input, output, fshape, mask, weights, op, rank, origins, mode_code, cval, workers))]
#[allow(clippy::too_many_arguments)]
pub fn nd_footprint_filter(
    py: Python<'_>,
    input: &Bound<'_, PyAny>,
    output: &Bound<'_, PyAny>,
    fshape: Vec<usize>,
    mask: Vec<bool>,
    weights: Vec<f64>,
    op: &str,
    rank: usize,
    origins: Vec<isize>,
    mode_code: i64,
    cval: f64,
    workers: usize,
) -> PyResult<()> {
    let (inp, out) = pair(Some(input), output)?;
    let mode = mode(mode_code)?;
    let op = match op {
        "correlate" => FootprintOp::Correlate(&weights),
        "minimum" => FootprintOp::Minimum,
        "maximum" => FootprintOp::Maximum,
        "rank" => FootprintOp::Rank(rank),
        _ => {
            return Err(PyValueError::new_err(format!(
                "unknown footprint filter {op:?}"
            )))
        }
    };
    py.detach(|| unsafe {
        ndimage::footprint_filter(
            &inp, &out, &fshape, &mask, &origins, mode, cval, op, workers,
        )
    })
    .map_err(invalid)
}

/// B-spline prefilter of `order` (2 to 5) along `axis`, from `input` (float32/float64) into
/// `output` (float32/float64; `input=None`: `output` filtered in place); `boundary` 0: mirror,
/// 1: wrap, 2: reflect.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
pub fn nd_spline_filter1d(
    py: Python<'_>,
    input: Option<&Bound<'_, PyAny>>,
    output: &Bound<'_, PyAny>,
    axis: usize,
    order: usize,
    boundary: u8,
    workers: usize,
) -> PyResult<()> {
    use uscipy_kernels::ndimage::spline::{self, Boundary};
    let boundary = match boundary {
        0 => Boundary::Mirror,
        1 => Boundary::Wrap,
        2 => Boundary::Reflect,
        _ => {
            return Err(PyValueError::new_err(
                "nd_spline_filter1d: boundary must be 0, 1 or 2",
            ))
        }
    };
    let Some(poles) = spline::poles(order) else {
        return Err(PyValueError::new_err(format!(
            "nd_spline_filter1d: spline order {order} is not 2 to 5"
        )));
    };
    let filter = Filter {
        axis,
        poles,
        boundary,
        workers,
    };
    let done = match input {
        Some(input) => {
            filter.run::<f64, f64>(py, input, output)?
                || filter.run::<f32, f64>(py, input, output)?
                || filter.run::<f64, f32>(py, input, output)?
                || filter.run::<f32, f32>(py, input, output)?
        }
        None => filter.in_place::<f64>(py, output)? || filter.in_place::<f32>(py, output)?,
    };
    if done {
        return Ok(());
    }
    Err(PyTypeError::new_err(
        "nd_spline_filter1d: float32/float64 input and output expected",
    ))
}

/// One `nd_spline_filter1d` call, for each pair of element types.
struct Filter {
    axis: usize,
    poles: &'static [f64],
    boundary: uscipy_kernels::ndimage::spline::Boundary,
    workers: usize,
}

impl Filter {
    /// False when the arrays are not of these element types.
    fn run<I, O>(
        &self,
        py: Python<'_>,
        input: &Bound<'_, PyAny>,
        output: &Bound<'_, PyAny>,
    ) -> PyResult<bool>
    where
        I: numpy::Element + Copy + Into<f64> + Sync,
        O: numpy::Element + Copy + Send + Sync + uscipy_kernels::ndimage::spline::FromDouble,
    {
        use numpy::PyArrayMethods;
        let (Ok(input), Ok(output)) = (
            input.cast::<numpy::PyArrayDyn<I>>(),
            output.cast::<numpy::PyArrayDyn<O>>(),
        ) else {
            return Ok(false);
        };
        if input.shape() != output.shape() || self.axis >= input.ndim() {
            return Err(PyValueError::new_err(
                "nd_spline_filter1d: input and output shapes differ, or axis out of range",
            ));
        }
        let (input, mut output) = (input.readonly(), output.readwrite());
        let (input, output) = (input.as_array(), output.as_array_mut());
        py.detach(|| {
            uscipy_kernels::ndimage::spline::spline_filter1d(
                input,
                output,
                self.axis,
                self.poles,
                self.boundary,
                self.workers,
            )
        });
        Ok(true)
    }

    fn in_place<T>(&self, py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<bool>
    where
        T: numpy::Element
            + Copy
            + Into<f64>
            + Send
            + Sync
            + uscipy_kernels::ndimage::spline::FromDouble,
    {
        use numpy::PyArrayMethods;
        let Ok(data) = data.cast::<numpy::PyArrayDyn<T>>() else {
            return Ok(false);
        };
        if self.axis >= data.ndim() {
            return Err(PyValueError::new_err(
                "nd_spline_filter1d: axis out of range",
            ));
        }
        let mut data = data.readwrite();
        let data = data.as_array_mut();
        py.detach(|| {
            uscipy_kernels::ndimage::spline::spline_filter1d_inplace(
                data,
                self.axis,
                self.poles,
                self.boundary,
                self.workers,
            )
        });
        Ok(true)
    }
}
