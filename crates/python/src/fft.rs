//! Bindings of the native FFT kernels: NumPy arrays in (any strides, viewed without copying),
//! output arrays allocated by the caller (NumPy), the GIL released for the whole transform.

use num_complex::Complex;
use numpy::{Element, PyArrayDyn, PyArrayMethods, PyUntypedArrayMethods};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use uscipy_kernels::fft::{self, Real};

fn check(name: &str, input: &[usize], output: &[usize], axis: usize) -> PyResult<()> {
    let same_elsewhere = input.len() == output.len()
        && input
            .iter()
            .zip(output)
            .enumerate()
            .all(|(i, (a, b))| i == axis || a == b);
    if axis >= output.len() || !same_elsewhere {
        return Err(PyValueError::new_err(format!(
            "{name}: output shape {output:?} does not match input shape {input:?} outside axis {axis}"
        )));
    }
    Ok(())
}

/// An input array and the output array it is transformed into.
type Pair<'a, 'py, A, B> = (&'a Bound<'py, PyArrayDyn<A>>, &'a Bound<'py, PyArrayDyn<B>>);

fn arrays<'a, 'py, A: Element, B: Element>(
    input: &'a Bound<'py, PyAny>,
    output: &'a Bound<'py, PyAny>,
) -> Option<Pair<'a, 'py, A, B>> {
    Some((
        input.cast::<PyArrayDyn<A>>().ok()?,
        output.cast::<PyArrayDyn<B>>().ok()?,
    ))
}

fn run_c2c<T: Real + Element>(
    py: Python<'_>,
    input: &Bound<'_, PyArrayDyn<Complex<T>>>,
    output: &Bound<'_, PyArrayDyn<Complex<T>>>,
    axis: usize,
    forward: bool,
    scale: T,
    workers: usize,
) -> PyResult<()>
where
    Complex<T>: Element,
{
    check("fft_c2c", input.shape(), output.shape(), axis)?;
    let (input, mut output) = (input.readonly(), output.readwrite());
    let (input, output) = (input.as_array(), output.as_array_mut());
    py.detach(|| fft::c2c(input, output, axis, forward, scale, workers));
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
    if let Some((i, o)) = arrays::<Complex<f64>, Complex<f64>>(input, output) {
        return run_c2c(py, i, o, axis, forward, scale, workers);
    }
    if let Some((i, o)) = arrays::<Complex<f32>, Complex<f32>>(input, output) {
        return run_c2c(py, i, o, axis, forward, scale as f32, workers);
    }
    Err(PyTypeError::new_err(
        "fft_c2c: input and output must both be complex64 or both complex128 arrays",
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
    fn run<T: Real + Element>(
        py: Python<'_>,
        i: &Bound<'_, PyArrayDyn<T>>,
        o: &Bound<'_, PyArrayDyn<Complex<T>>>,
        axis: usize,
        n: usize,
        scale: T,
        workers: usize,
    ) -> PyResult<()>
    where
        Complex<T>: Element,
    {
        check("fft_r2c", i.shape(), o.shape(), axis)?;
        if o.shape()[axis] != n / 2 + 1 {
            return Err(PyValueError::new_err(
                "fft_r2c: output length along axis must be n // 2 + 1",
            ));
        }
        let (i, mut o) = (i.readonly(), o.readwrite());
        let (i, o) = (i.as_array(), o.as_array_mut());
        py.detach(|| fft::r2c(i, o, axis, n, scale, workers));
        Ok(())
    }
    if let Some((i, o)) = arrays::<f64, Complex<f64>>(input, output) {
        return run(py, i, o, axis, n, scale, workers);
    }
    if let Some((i, o)) = arrays::<f32, Complex<f32>>(input, output) {
        return run(py, i, o, axis, n, scale as f32, workers);
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
    fn run<T: Real + Element>(
        py: Python<'_>,
        i: &Bound<'_, PyArrayDyn<Complex<T>>>,
        o: &Bound<'_, PyArrayDyn<T>>,
        axis: usize,
        scale: T,
        workers: usize,
    ) -> PyResult<()>
    where
        Complex<T>: Element,
    {
        check("fft_c2r", i.shape(), o.shape(), axis)?;
        let (i, mut o) = (i.readonly(), o.readwrite());
        let (i, o) = (i.as_array(), o.as_array_mut());
        py.detach(|| fft::c2r(i, o, axis, scale, workers));
        Ok(())
    }
    if let Some((i, o)) = arrays::<Complex<f64>, f64>(input, output) {
        return run(py, i, o, axis, scale, workers);
    }
    if let Some((i, o)) = arrays::<Complex<f32>, f32>(input, output) {
        return run(py, i, o, axis, scale as f32, workers);
    }
    Err(PyTypeError::new_err(
        "fft_c2r: input complex64/complex128 with output float32/float64 expected",
    ))
}
