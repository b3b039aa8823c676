//! Bindings of the native spline interpolation of `scipy.ndimage` (`map_coordinates`,
//! `affine_transform`, `zoom`/`shift`): the (prefiltered) input and the coordinates read in
//! place, the output allocated by the caller (NumPy), the GIL released while interpolating.
//!
//! Each returns `False` where SciPy's result would rest on undefined behaviour (a coordinate
//! cast beyond `npy_intp`), so the caller can hand the call to SciPy.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use uscipy_kernels::ndimage::interpolate::{self, Extend, InterpolationError, Mapping, Spline};
use uscipy_kernels::ndimage::RawArray;

use crate::ndimage::{raw, span};

/// The interpolated input with its spline order, boundary mode (SciPy's code) and padding.
fn spline(
    input: &RawArray,
    order: usize,
    mode_code: i64,
    cval: f64,
    nprepad: usize,
) -> PyResult<Spline<'_>> {
    let mode = Extend::from_code(mode_code)
        .ok_or_else(|| PyValueError::new_err(format!("unknown boundary mode code {mode_code}")))?;
    Ok(Spline {
        input,
        order,
        mode,
        cval,
        nprepad,
    })
}

/// The output, checked not to overlap what is read.
fn output_of(output: &Bound<'_, PyAny>, read: &[&RawArray]) -> PyResult<(RawArray, bool)> {
    let is_bool = output
        .getattr("dtype")
        .and_then(|d| d.getattr("kind"))
        .is_ok_and(|k| k.extract::<String>().is_ok_and(|k| k == "b"));
    let out = raw(output, "output", true)?;
    let (c, d) = span(&out);
    for a in read {
        let (lo, hi) = span(a);
        if a.size() > 0 && out.size() > 0 && lo < d && c < hi {
            return Err(PyValueError::new_err("output must not overlap the input"));
        }
    }
    Ok((out, is_bool))
}

fn finished(result: Result<(), InterpolationError>) -> PyResult<bool> {
    match result {
        Ok(()) => Ok(true),
        Err(InterpolationError::Unrepresentable) => Ok(false),
        Err(InterpolationError::Invalid(why)) => Err(PyValueError::new_err(why)),
    }
}

/// `map_coordinates` of `input` at the float64 `coordinates` (shape `(input.ndim,
/// *output.shape)`), `nprepad` samples of padding before the input.
#[pyfunction]
#[pyo3(signature = (input, coordinates, output, order, mode_code, cval, nprepad, workers))]
#[allow(clippy::too_many_arguments)]
pub fn nd_map_coordinates(
    py: Python<'_>,
    input: &Bound<'_, PyAny>,
    coordinates: &Bound<'_, PyAny>,
    output: &Bound<'_, PyAny>,
    order: usize,
    mode_code: i64,
    cval: f64,
    nprepad: usize,
    workers: usize,
) -> PyResult<bool> {
    let input = raw(input, "input", false)?;
    let coordinates = raw(coordinates, "coordinates", false)?;
    let (out, is_bool) = output_of(output, &[&input, &coordinates])?;
    let spline = spline(&input, order, mode_code, cval, nprepad)?;
    let mapping = Mapping::Coordinates(&coordinates);
    finished(py.detach(|| unsafe {
        interpolate::geometric_transform(&spline, &mapping, &out, is_bool, workers)
    }))
}

/// `affine_transform` with a full matrix: input coordinate `matrix @ index + offset`
/// (`matrix` row-major, input rank x output rank).
#[pyfunction]
#[pyo3(signature = (input, matrix, offset, output, order, mode_code, cval, nprepad, workers))]
#[allow(clippy::too_many_arguments)]
pub fn nd_affine_transform(
    py: Python<'_>,
    input: &Bound<'_, PyAny>,
    matrix: Vec<f64>,
    offset: Vec<f64>,
    output: &Bound<'_, PyAny>,
    order: usize,
    mode_code: i64,
    cval: f64,
    nprepad: usize,
    workers: usize,
) -> PyResult<bool> {
    let input = raw(input, "input", false)?;
    let (out, is_bool) = output_of(output, &[&input])?;
    let spline = spline(&input, order, mode_code, cval, nprepad)?;
    let mapping = Mapping::Affine {
        matrix: &matrix,
        shift: &offset,
    };
    finished(py.detach(|| unsafe {
        interpolate::geometric_transform(&spline, &mapping, &out, is_bool, workers)
    }))
}

/// SciPy's `zoom_shift`: input coordinate `(index + shift) * zoom` per axis (`grid_mode`:
/// about pixel edges).
#[pyfunction]
#[pyo3(signature = (input, zoom, shift, output, order, mode_code, cval, nprepad, grid_mode, workers))]
#[allow(clippy::too_many_arguments)]
pub fn nd_zoom_shift(
    py: Python<'_>,
    input: &Bound<'_, PyAny>,
    zoom: Option<Vec<f64>>,
    shift: Option<Vec<f64>>,
    output: &Bound<'_, PyAny>,
    order: usize,
    mode_code: i64,
    cval: f64,
    nprepad: usize,
    grid_mode: bool,
    workers: usize,
) -> PyResult<bool> {
    let input = raw(input, "input", false)?;
    let (out, is_bool) = output_of(output, &[&input])?;
    let spline = spline(&input, order, mode_code, cval, nprepad)?;
    finished(py.detach(|| unsafe {
        interpolate::zoom_shift(
            &spline,
            zoom.as_deref(),
            shift.as_deref(),
            grid_mode,
            &out,
            is_bool,
            workers,
        )
    }))
}
