//! Bindings of scipy.ndimage's Fourier-domain filters (`uscipy_kernels::fourier`): an input
//! of float32/float64/complex64/complex128 viewed without copying, the output allocated by the
//! caller (NumPy), the GIL released.

use num_complex::Complex;
use numpy::{Element, PyArrayDyn, PyArrayMethods, PyUntypedArrayMethods};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use uscipy_kernels::fourier::{self, Filter, Sample, Store};

/// Runs the filter if `input` holds `I` and `output` holds `O`; `Ok(false)` if they do not.
#[allow(clippy::too_many_arguments)]
fn run<I: Sample + Element, O: Store + Element>(
    py: Python<'_>,
    input: &Bound<'_, PyAny>,
    output: &Bound<'_, PyAny>,
    filter: Filter,
    parameters: &[f64],
    real_length: Option<usize>,
    axis: usize,
    workers: usize,
) -> PyResult<bool> {
    let (Ok(input), Ok(output)) = (
        input.cast::<PyArrayDyn<I>>(),
        output.cast::<PyArrayDyn<O>>(),
    ) else {
        return Ok(false);
    };
    if input.shape() != output.shape()
        || parameters.len() != input.ndim()
        || (input.ndim() > 0 && axis >= input.ndim())
    {
        return Err(PyValueError::new_err(format!(
            "fourier_filter: input {:?}, output {:?}, {} parameters and axis {axis} do not agree",
            input.shape(),
            output.shape(),
            parameters.len()
        )));
    }
    let (input, mut output) = (input.readonly(), output.readwrite());
    let (input, output) = (input.as_array(), output.as_array_mut());
    py.detach(|| {
        fourier::fourier_filter(
            input,
            output,
            filter,
            parameters,
            real_length,
            axis,
            workers,
        )
    });
    Ok(true)
}

/// `filter` ("gaussian", "uniform", "ellipsoid" or "shift") of `input` into `output`, with one
/// parameter per axis; `n >= 0`: the input is a real FFT of length `n` along `axis`.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
pub fn fourier_filter(
    py: Python<'_>,
    input: &Bound<'_, PyAny>,
    output: &Bound<'_, PyAny>,
    filter: &str,
    parameters: Vec<f64>,
    n: i64,
    axis: usize,
    workers: usize,
) -> PyResult<()> {
    let filter = match filter {
        "gaussian" => Filter::Gaussian,
        "uniform" => Filter::Uniform,
        "ellipsoid" => Filter::Ellipsoid,
        "shift" => Filter::Shift,
        other => {
            return Err(PyValueError::new_err(format!(
                "fourier_filter: unknown filter {other:?}"
            )))
        }
    };
    let real_length = usize::try_from(n).ok();
    let args = (filter, &parameters[..], real_length, axis, workers);
    type C64 = Complex<f64>;
    type C32 = Complex<f32>;
    macro_rules! try_pair {
        ($i:ty, $o:ty) => {
            if run::<$i, $o>(py, input, output, args.0, args.1, args.2, args.3, args.4)? {
                return Ok(());
            }
        };
    }
    try_pair!(f64, f64);
    try_pair!(f64, C64);
    try_pair!(C64, C64);
    try_pair!(f32, f32);
    try_pair!(C32, C32);
    try_pair!(f64, f32);
    try_pair!(f64, C32);
    try_pair!(f32, f64);
    try_pair!(f32, C64);
    try_pair!(f32, C32);
    try_pair!(C64, C32);
    try_pair!(C32, C64);
    Err(PyTypeError::new_err(
        "fourier_filter: input float32/float64/complex64/complex128 and a float or complex \
         output (complex for complex input) expected",
    ))
}
