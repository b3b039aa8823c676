//! Bindings of the native FFT kernels: NumPy arrays in (any strides, viewed without copying),
//! output arrays allocated by the caller (NumPy), the GIL released for the whole transform.

use ndarray::{ArrayViewD, ArrayViewMutD};
use num_complex::Complex;
use numpy::{Element, PyArrayDyn, PyArrayMethods, PyUntypedArrayMethods};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use uscipy_kernels::fft;

type C32 = Complex<f32>;

/// Values (input and output together) below which a transform keeps the GIL: a few
/// microseconds of work at most.
const SMALL: usize = 4096;
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
    if output.len() + input.len() < SMALL {
        kernel(input, output); // releasing the GIL would cost more than the transform
    } else {
        py.detach(|| kernel(input, output));
    }
    Ok(())
}

/// Checks `axis`, then runs `kernel` on the array's mutable view with the GIL released (the
/// in-place passes of the N-D transforms).
fn in_place<T: Element + Send>(
    py: Python<'_>,
    name: &str,
    data: &Bound<'_, PyArrayDyn<T>>,
    axis: usize,
    kernel: impl for<'a> FnOnce(ArrayViewMutD<'a, T>) + Send,
) -> PyResult<()> {
    if axis >= data.ndim() {
        return Err(PyValueError::new_err(format!(
            "{name}: axis {axis} out of range"
        )));
    }
    let mut data = data.readwrite();
    let view = data.as_array_mut();
    py.detach(|| kernel(view));
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
/// float64 -> complex128); `output` holds `n // 2 + 1` frequencies along `axis`, complex
/// conjugated with `conjugate` (`ihfft`).
#[pyfunction]
#[allow(clippy::too_many_arguments)]
pub fn fft_r2c(
    py: Python<'_>,
    input: &Bound<'_, PyAny>,
    output: &Bound<'_, PyAny>,
    axis: usize,
    n: usize,
    scale: f64,
    conjugate: bool,
    workers: usize,
) -> PyResult<()> {
    let (name, half) = ("fft_r2c", Some(n / 2 + 1));
    if let Some(pair) = arrays::<f64, C64>(input, output) {
        return transform(py, name, pair, axis, half, |i, o| {
            fft::r2c(i, o, axis, n, scale, conjugate, workers)
        });
    }
    if let Some(pair) = arrays::<f32, C32>(input, output) {
        return transform(py, name, pair, axis, half, |i, o| {
            fft::r2c(i, o, axis, n, scale as f32, conjugate, workers)
        });
    }
    Err(PyTypeError::new_err(
        "fft_r2c: input float32/float64 with output complex64/complex128 expected",
    ))
}

/// Complex-to-real FFT of every line along `axis`: `output`'s length along `axis` is `n`; the
/// input complex conjugated first with `conjugate` (`hfft`).
#[pyfunction]
pub fn fft_c2r(
    py: Python<'_>,
    input: &Bound<'_, PyAny>,
    output: &Bound<'_, PyAny>,
    axis: usize,
    scale: f64,
    conjugate: bool,
    workers: usize,
) -> PyResult<()> {
    let name = "fft_c2r";
    if let Some(pair) = arrays::<C64, f64>(input, output) {
        return transform(py, name, pair, axis, None, |i, o| {
            fft::c2r(i, o, axis, scale, conjugate, workers)
        });
    }
    if let Some(pair) = arrays::<C32, f32>(input, output) {
        return transform(py, name, pair, axis, None, |i, o| {
            fft::c2r(i, o, axis, scale as f32, conjugate, workers)
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
    let name = "fft_c2c_inplace";
    if let Ok(data) = data.cast::<PyArrayDyn<C64>>() {
        return in_place(py, name, data, axis, |view| {
            fft::c2c_inplace(view, axis, forward, scale, workers)
        });
    }
    if let Ok(data) = data.cast::<PyArrayDyn<C32>>() {
        return in_place(py, name, data, axis, |view| {
            fft::c2c_inplace(view, axis, forward, scale as f32, workers)
        });
    }
    Err(PyTypeError::new_err(
        "fft_c2c_inplace: data must be complex64 or complex128",
    ))
}

/// The transform `sine` and `kind` (1 to 4) name.
fn dct_kind(sine: bool, kind: u8) -> PyResult<fft::DctKind> {
    use fft::DctKind::*;
    Ok(match (sine, kind) {
        (false, 1) => Dct1,
        (false, 2) => Dct2,
        (false, 3) => Dct3,
        (false, 4) => Dct4,
        (true, 1) => Dst1,
        (true, 2) => Dst2,
        (true, 3) => Dst3,
        (true, 4) => Dst4,
        _ => {
            return Err(PyValueError::new_err(format!(
                "r2r: transform type {kind} is not one of 1, 2, 3, 4"
            )));
        }
    })
}

/// DCT (`sine=False`) or DST of type `kind` (1 to 4, rustdct's unnormalised transforms) of
/// every line along `axis` (float32 or float64, same dtype in and out; `output`'s length
/// along `axis` is the transform length): the edge input values (first for cosines, last for
/// sines, both for DCT-I) times `edge_in`, outputs times `scale`, the edge outputs times
/// `edge_out`.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
pub fn r2r(
    py: Python<'_>,
    input: &Bound<'_, PyAny>,
    output: &Bound<'_, PyAny>,
    axis: usize,
    sine: bool,
    kind: u8,
    scale: f64,
    edge_in: f64,
    edge_out: f64,
    workers: usize,
) -> PyResult<()> {
    let kind = dct_kind(sine, kind)?;
    if let Some(pair) = arrays::<f64, f64>(input, output) {
        return transform(py, "r2r", pair, axis, None, |i, o| {
            fft::dct(i, o, axis, kind, scale, edge_in, edge_out, workers)
        });
    }
    if let Some(pair) = arrays::<f32, f32>(input, output) {
        let (scale, edge_in, edge_out) = (scale as f32, edge_in as f32, edge_out as f32);
        return transform(py, "r2r", pair, axis, None, |i, o| {
            fft::dct(i, o, axis, kind, scale, edge_in, edge_out, workers)
        });
    }
    Err(PyTypeError::new_err(
        "r2r: input and output must both be float32 or both float64",
    ))
}

/// `r2r` of every line of `data` along `axis`, in place (the later passes of `dctn`/`dstn`).
#[pyfunction]
#[allow(clippy::too_many_arguments)]
pub fn r2r_inplace(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    axis: usize,
    sine: bool,
    kind: u8,
    scale: f64,
    edge_in: f64,
    edge_out: f64,
    workers: usize,
) -> PyResult<()> {
    let (kind, name) = (dct_kind(sine, kind)?, "r2r_inplace");
    if let Ok(data) = data.cast::<PyArrayDyn<f64>>() {
        return in_place(py, name, data, axis, |view| {
            fft::dct_inplace(view, axis, kind, scale, edge_in, edge_out, workers)
        });
    }
    if let Ok(data) = data.cast::<PyArrayDyn<f32>>() {
        let (scale, edge_in, edge_out) = (scale as f32, edge_in as f32, edge_out as f32);
        return in_place(py, name, data, axis, |view| {
            fft::dct_inplace(view, axis, kind, scale, edge_in, edge_out, workers)
        });
    }
    Err(PyTypeError::new_err(
        "r2r_inplace: data must be float32 or float64",
    ))
}
