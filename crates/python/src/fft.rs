//! Bindings of the native FFT kernels: NumPy arrays in (any strides, viewed without copying),
//! output arrays allocated by the caller (NumPy), the GIL released for the whole transform.

use ndarray::{ArrayViewD, ArrayViewMutD};
use num_complex::Complex;
use numpy::{Element, PyArrayDyn, PyArrayMethods, PyUntypedArrayMethods};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use uscipy_kernels::fft;

type C32 = Complex<f32>;
type C64 = Complex<f64>;

/// An input array and the output array it is transformed into.
type Pair<'a, 'py, A, B> = (&'a Bound<'py, PyArrayDyn<A>>, &'a Bound<'py, PyArrayDyn<B>>);

/// `input` and `output` as arrays of `A` and `B`, if they are.
fn arrays<'a, 'py, A: Element, B: Element>(
    input: &'a Bound<'py, PyAny>,
    output: &'a Bound<'py, PyAny>,
) -> Option<Pair<'a, 'py, A, B>> {
    Some((
        input.cast::<PyArrayDyn<A>>().ok()?,
        output.cast::<PyArrayDyn<B>>().ok()?,
    ))
}

/// Checks that the shapes agree outside `axis` (and along it, `out_len` if given), then runs
/// `kernel` on the two views with the GIL released.
fn transform<A: Element + Sync, B: Element + Send + Sync>(
    py: Python<'_>,
    name: &str,
    (input, output): Pair<'_, '_, A, B>,
    axis: usize,
    out_len: Option<usize>,
    kernel: impl for<'a> FnOnce(ArrayViewD<'a, A>, ArrayViewMutD<'a, B>) + Send,
) -> PyResult<()> {
    let (shape_in, shape_out) = (input.shape(), output.shape());
    let agree = shape_in.len() == shape_out.len()
        && axis < shape_out.len()
        && shape_in
            .iter()
            .zip(shape_out)
            .enumerate()
            .all(|(i, (a, b))| i == axis || a == b)
        && out_len.is_none_or(|n| shape_out[axis] == n);
    if !agree {
        return Err(PyValueError::new_err(format!(
            "{name}: output shape {shape_out:?} does not fit input shape {shape_in:?} along axis {axis}"
        )));
    }
    let (input, mut output) = (input.readonly(), output.readwrite());
    let (input, output) = (input.as_array(), output.as_array_mut());
    py.detach(|| kernel(input, output));
    Ok(())
}

/// Complex-to-complex FFT of every line of `input` along `axis` into `output` (same dtype,
/// complex64 or complex128; its length along `axis` is the transform length).
#[pyfunction]
pub fn fft_c2c(
    py: Python<'_>,
    input: &Bound<'_, PyAny>,
    output: &Bound<'_, PyAny>,
    axis: usize,
    forward: bool,
    scale: f64,
    workers: usize,
) -> PyResult<()> {
    let name = "fft_c2c";
    if let Some(pair) = arrays::<C64, C64>(input, output) {
        return transform(py, name, pair, axis, None, |i, o| {
            fft::c2c(i, o, axis, forward, scale, workers)
        });
    }
    if let Some(pair) = arrays::<C32, C32>(input, output) {
        return transform(py, name, pair, axis, None, |i, o| {
            fft::c2c(i, o, axis, forward, scale as f32, workers)
        });
    }
    Err(PyTypeError::new_err(
        "fft_c2c: input and output must both be complex64 or both complex128",
    ))
}

/// Real-to-complex FFT of length `n` of every line along `axis` (float32 -> complex64,
/// float64 -> complex128); `output` holds `n // 2 + 1` frequencies along `axis`.
#[pyfunction]
pub fn fft_r2c(
    py: Python<'_>,
    input: &Bound<'_, PyAny>,
    output: &Bound<'_, PyAny>,
    axis: usize,
    n: usize,
    scale: f64,
    workers: usize,
) -> PyResult<()> {
    let (name, half) = ("fft_r2c", Some(n / 2 + 1));
    if let Some(pair) = arrays::<f64, C64>(input, output) {
        return transform(py, name, pair, axis, half, |i, o| {
            fft::r2c(i, o, axis, n, scale, workers)
        });
    }
    if let Some(pair) = arrays::<f32, C32>(input, output) {
        return transform(py, name, pair, axis, half, |i, o| {
            fft::r2c(i, o, axis, n, scale as f32, workers)
        });
    }
    Err(PyTypeError::new_err(
        "fft_r2c: input float32/float64 with output complex64/complex128 expected",
    ))
}

/// Complex-to-real FFT of every line along `axis`: `output`'s length along `axis` is `n`.
#[pyfunction]
pub fn fft_c2r(
    py: Python<'_>,
    input: &Bound<'_, PyAny>,
    output: &Bound<'_, PyAny>,
    axis: usize,
    scale: f64,
    workers: usize,
) -> PyResult<()> {
    let name = "fft_c2r";
    if let Some(pair) = arrays::<C64, f64>(input, output) {
        return transform(py, name, pair, axis, None, |i, o| {
            fft::c2r(i, o, axis, scale, workers)
        });
    }
    if let Some(pair) = arrays::<C32, f32>(input, output) {
        return transform(py, name, pair, axis, None, |i, o| {
            fft::c2r(i, o, axis, scale as f32, workers)
        });
    }
    Err(PyTypeError::new_err(
        "fft_c2r: input complex64/complex128 with output float32/float64 expected",
    ))
}

/// Complex-to-complex FFT of every line of `data` along `axis`, in place (complex64 or
/// complex128): the later passes of an N-D transform.
#[pyfunction]
pub fn fft_c2c_inplace(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    axis: usize,
    forward: bool,
    scale: f64,
    workers: usize,
) -> PyResult<()> {
    fn run<T: fft::Real + Element>(
        py: Python<'_>,
        data: &Bound<'_, PyArrayDyn<Complex<T>>>,
        axis: usize,
        forward: bool,
        scale: T,
        workers: usize,
    ) -> PyResult<()>
    where
        Complex<T>: Element,
    {
        if axis >= data.ndim() {
            return Err(PyValueError::new_err(format!(
                "fft_c2c_inplace: axis {axis} out of range"
            )));
        }
        let mut data = data.readwrite();
        let view = data.as_array_mut();
        py.detach(|| fft::c2c_inplace(view, axis, forward, scale, workers));
        Ok(())
    }
    if let Ok(data) = data.cast::<PyArrayDyn<C64>>() {
        return run(py, data, axis, forward, scale, workers);
    }
    if let Ok(data) = data.cast::<PyArrayDyn<C32>>() {
        return run(py, data, axis, forward, scale as f32, workers);
    }
    Err(PyTypeError::new_err(
        "fft_c2c_inplace: data must be complex64 or complex128",
    ))
}

/// DCT (`sine=False`) or DST of type II (`type2=True`) or III of every line along `axis`
/// (float32 or float64, same dtype in and out): the edge input value (first for cosines,
/// last for sines) times `edge_in`, outputs times `scale`, the edge output times `edge_out`.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
pub fn r2r23(
    py: Python<'_>,
    input: &Bound<'_, PyAny>,
    output: &Bound<'_, PyAny>,
    axis: usize,
    sine: bool,
    type2: bool,
    scale: f64,
    edge_in: f64,
    edge_out: f64,
    workers: usize,
) -> PyResult<()> {
    let kind = match (sine, type2) {
        (false, true) => fft::DctKind::Dct2,
        (false, false) => fft::DctKind::Dct3,
        (true, true) => fft::DctKind::Dst2,
        (true, false) => fft::DctKind::Dst3,
    };
    if let Some(pair) = arrays::<f64, f64>(input, output) {
        return transform(py, "r2r23", pair, axis, None, |i, o| {
            fft::dct(i, o, axis, kind, scale, edge_in, edge_out, workers)
        });
    }
    if let Some(pair) = arrays::<f32, f32>(input, output) {
        let (scale, edge_in, edge_out) = (scale as f32, edge_in as f32, edge_out as f32);
        return transform(py, "r2r23", pair, axis, None, |i, o| {
            fft::dct(i, o, axis, kind, scale, edge_in, edge_out, workers)
        });
    }
    Err(PyTypeError::new_err(
        "r2r23: input and output must both be float32 or both float64",
    ))
}
