//! Bindings of the native binary morphology and Euclidean distance transform: C-contiguous
//! NumPy arrays in (the Python side makes them so), outputs allocated by NumPy, the GIL
//! released for the computation. Kernel errors (and, defensively, panics) become Python
//! exceptions.

use std::panic::{catch_unwind, AssertUnwindSafe};

use numpy::{PyReadonlyArrayDyn, PyReadwriteArrayDyn, PyUntypedArrayMethods};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use uscipy_kernels::morphology::{binary, brute, chamfer, edt, unravel};

/// Runs `f` with the GIL released; its error or panic becomes a Python exception.
pub(crate) fn run<R: Send>(
    py: Python<'_>,
    name: &str,
    f: impl FnOnce() -> Result<R, String> + Send,
) -> PyResult<R> {
    match py.detach(|| catch_unwind(AssertUnwindSafe(f))) {
        Ok(Ok(r)) => Ok(r),
        Ok(Err(msg)) => Err(PyValueError::new_err(format!("{name}: {msg}"))),
        Err(_) => Err(PyRuntimeError::new_err(format!("{name}: internal error"))),
    }
}

pub(crate) fn slice<'a, T: numpy::Element>(
    a: &'a PyReadonlyArrayDyn<'_, T>,
    name: &str,
    what: &str,
) -> PyResult<&'a [T]> {
    if !a.is_c_contiguous() {
        return Err(PyValueError::new_err(format!(
            "{name}: {what} must be C-contiguous"
        )));
    }
    a.as_slice()
        .map_err(|_| PyValueError::new_err(format!("{name}: {what} must be C-contiguous")))
}

/// Binary erosion (`invert=False`) or dilation (`invert=True`, structure already reflected
/// and origin adjusted, as SciPy's `binary_dilation` does) of `input` (0/1 uint8, C order)
/// by `structure` (uint8, same rank) into `output` (uint8, same shape, C order). `mask`
/// (uint8, same shape): where 0 the input is kept. `iterations < 1`: until nothing changes.
/// Returns whether the last pass changed anything.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
#[pyo3(signature = (input, structure, origin, mask, output, border, invert, iterations, workers))]
pub fn binary_erosion(
    py: Python<'_>,
    input: PyReadonlyArrayDyn<'_, u8>,
    structure: PyReadonlyArrayDyn<'_, u8>,
    origin: Vec<isize>,
    mask: Option<PyReadonlyArrayDyn<'_, u8>>,
    mut output: PyReadwriteArrayDyn<'_, u8>,
    border: bool,
    invert: bool,
    iterations: i64,
    workers: usize,
) -> PyResult<bool> {
    let name = "binary_erosion";
    let shape = input.shape().to_vec();
    if output.shape() != shape.as_slice()
        || mask.as_ref().is_some_and(|m| m.shape() != shape.as_slice())
    {
        return Err(PyValueError::new_err(format!(
            "{name}: input, output and mask shapes differ"
        )));
    }
    let structure_shape = structure.shape().to_vec();
    let inp = slice(&input, name, "input")?;
    let st = slice(&structure, name, "structure")?;
    let mk = match &mask {
        Some(m) => Some(slice(m, name, "mask")?),
        None => None,
    };
    if !output.is_c_contiguous() {
        return Err(PyValueError::new_err(format!(
            "{name}: output must be C-contiguous"
        )));
    }
    let out = output
        .as_slice_mut()
        .map_err(|_| PyValueError::new_err(format!("{name}: output must be C-contiguous")))?;
    let e = binary::Erosion {
        shape: &shape,
        structure_shape: &structure_shape,
        structure: st,
        origin: &origin,
        mask: mk,
        border,
        invert,
        iterations,
    };
    run(py, name, || binary::erode(&e, inp, out, workers))
}

/// SciPy's Euclidean feature transform of `input` (uint8, nonzero: foreground, C order) into
/// `features` (int32, `(rank, *shape)`, C order; block 0 of foreground points without a
/// feature is set to -1, their other blocks kept). `sampling`: spacing per axis.
#[pyfunction]
#[pyo3(signature = (input, sampling, features, workers))]
pub fn feature_transform(
    py: Python<'_>,
    input: PyReadonlyArrayDyn<'_, u8>,
    sampling: Option<Vec<f64>>,
    mut features: PyReadwriteArrayDyn<'_, i32>,
    workers: usize,
) -> PyResult<()> {
    let name = "feature_transform";
    let shape = input.shape().to_vec();
    let fshape = features.shape();
    if fshape.len() != shape.len() + 1 || fshape[0] != shape.len() || fshape[1..] != shape[..] {
        return Err(PyValueError::new_err(format!(
            "{name}: features must have shape (rank, *shape)"
        )));
    }
    let inp = slice(&input, name, "input")?;
    if !features.is_c_contiguous() {
        return Err(PyValueError::new_err(format!(
            "{name}: features must be C-contiguous"
        )));
    }
    let ft = features
        .as_slice_mut()
        .map_err(|_| PyValueError::new_err(format!("{name}: features must be C-contiguous")))?;
    run(py, name, || {
        edt::feature_transform(inp, &shape, sampling.as_deref(), ft, workers)
    })
}

/// SciPy's distances (float64, `shape`, C order) from a feature transform (int32,
/// `(rank, *shape)`, C order).
#[pyfunction]
#[pyo3(signature = (features, sampling, distances, workers))]
pub fn feature_distances(
    py: Python<'_>,
    features: PyReadonlyArrayDyn<'_, i32>,
    sampling: Option<Vec<f64>>,
    mut distances: PyReadwriteArrayDyn<'_, f64>,
    workers: usize,
) -> PyResult<()> {
    let name = "feature_distances";
    let shape = distances.shape().to_vec();
    let fshape = features.shape();
    if fshape.len() != shape.len() + 1 || fshape[0] != shape.len() || fshape[1..] != shape[..] {
        return Err(PyValueError::new_err(format!(
            "{name}: features must have shape (rank, *shape)"
        )));
    }
    let ft = slice(&features, name, "features")?;
    if !distances.is_c_contiguous() {
        return Err(PyValueError::new_err(format!(
            "{name}: distances must be C-contiguous"
        )));
    }
    let out = distances
        .as_slice_mut()
        .map_err(|_| PyValueError::new_err(format!("{name}: distances must be C-contiguous")))?;
    run(py, name, || {
        edt::distances(ft, &shape, sampling.as_deref(), out, workers)
    })
}

/// Borrows a C-contiguous int32 feature array's data: `(rank, *shape)` (coordinates, true)
/// or `shape` (flat indices, false).
fn feature_blocks<'a>(
    features: &'a mut PyReadwriteArrayDyn<'_, i32>,
    shape: &[usize],
    name: &str,
) -> PyResult<(&'a mut [i32], bool)> {
    let fshape = features.shape();
    let coordinates =
        fshape.len() == shape.len() + 1 && fshape[0] == shape.len() && fshape[1..] == shape[..];
    if !coordinates && fshape != shape {
        return Err(PyValueError::new_err(format!(
            "{name}: indices must have shape (rank, *shape) or shape"
        )));
    }
    let data = features
        .as_slice_mut()
        .map_err(|_| PyValueError::new_err(format!("{name}: indices must be C-contiguous")))?;
    Ok((data, coordinates))
}

/// SciPy's `distance_transform_cdt` of `input` (uint8, nonzero: foreground, C order) with
/// `structure` (3^rank booleans, C order, as SciPy reads its metric) into `distances`
/// (int32 viewed as uint32, C order) and, if given, `indices` (int32, C order: `(rank,
/// *shape)` for the coordinates of each element's feature, `shape` for its flat index).
/// Returns false, computing nothing, where SciPy's element-by-element passes are faster
/// (rows too short for the neighbours in earlier rows).
#[pyfunction]
#[pyo3(signature = (input, structure, distances, indices, workers))]
pub fn chamfer_transform(
    py: Python<'_>,
    input: PyReadonlyArrayDyn<'_, u8>,
    structure: Vec<bool>,
    mut distances: PyReadwriteArrayDyn<'_, u32>,
    mut indices: Option<PyReadwriteArrayDyn<'_, i32>>,
    workers: usize,
) -> PyResult<bool> {
    let name = "chamfer_transform";
    let shape = input.shape().to_vec();
    if distances.shape() != shape.as_slice() || !distances.is_c_contiguous() {
        return Err(PyValueError::new_err(format!(
            "{name}: distances must be C-contiguous, of the input's shape"
        )));
    }
    let inp = slice(&input, name, "input")?;
    let dt = distances
        .as_slice_mut()
        .map_err(|_| PyValueError::new_err(format!("{name}: distances must be C-contiguous")))?;
    let ft = match indices.as_mut() {
        Some(f) => Some(feature_blocks(f, &shape, name)?),
        None => None,
    };
    run(py, name, move || {
        let size = dt.len();
        match ft {
            Some((ft, coordinates)) => {
                let done = chamfer::chamfer(inp, &shape, &structure, dt, Some(&mut ft[..size]))?;
                if done && coordinates {
                    unravel(ft, &shape, workers)?;
                }
                Ok(done)
            }
            None => chamfer::chamfer(inp, &shape, &structure, dt, None),
        }
    })
}

/// SciPy's `distance_transform_bf` of `labels` (int8, C order: 1 foreground, -1 border, 0
/// other background) with `metric` (1 Euclidean, 2 city block, 3 chessboard) into
/// `distances` (float64 for Euclidean, uint32 otherwise; C order) and/or `indices` (int32,
/// C order: coordinates or flat indices, as for `chamfer_transform`).
#[pyfunction]
#[allow(clippy::too_many_arguments)]
#[pyo3(signature = (labels, metric, sampling, distances_f64, distances_u32, indices, workers))]
pub fn brute_force_transform(
    py: Python<'_>,
    labels: PyReadonlyArrayDyn<'_, i8>,
    metric: u8,
    sampling: Option<Vec<f64>>,
    mut distances_f64: Option<PyReadwriteArrayDyn<'_, f64>>,
    mut distances_u32: Option<PyReadwriteArrayDyn<'_, u32>>,
    mut indices: Option<PyReadwriteArrayDyn<'_, i32>>,
    workers: usize,
) -> PyResult<()> {
    let name = "brute_force_transform";
    let shape = labels.shape().to_vec();
    let metric = match metric {
        1 => brute::Metric::Euclidean,
        2 => brute::Metric::CityBlock,
        3 => brute::Metric::Chessboard,
        _ => return Err(PyValueError::new_err(format!("{name}: unknown metric"))),
    };
    let lab = slice(&labels, name, "labels")?;
    let check = |ok: bool| {
        if ok {
            Ok(())
        } else {
            Err(PyValueError::new_err(format!(
                "{name}: distances must be C-contiguous, of the input's shape"
            )))
        }
    };
    let distances = match (distances_f64.as_mut(), distances_u32.as_mut()) {
        (Some(d), None) => {
            check(d.shape() == shape.as_slice() && d.is_c_contiguous())?;
            brute::Distances::F64(d.as_slice_mut().map_err(|_| check(false).unwrap_err())?)
        }
        (None, Some(d)) => {
            check(d.shape() == shape.as_slice() && d.is_c_contiguous())?;
            brute::Distances::U32(d.as_slice_mut().map_err(|_| check(false).unwrap_err())?)
        }
        (None, None) => brute::Distances::None,
        _ => {
            return Err(PyValueError::new_err(format!(
                "{name}: one distances array at most"
            )))
        }
    };
    let ft = match indices.as_mut() {
        Some(f) => Some(feature_blocks(f, &shape, name)?),
        None => None,
    };
    run(py, name, move || {
        let size = lab.len();
        let sampling = sampling.as_deref();
        match ft {
            Some((ft, coordinates)) => {
                let flat = Some(&mut ft[..size]);
                brute::brute_force(lab, &shape, metric, sampling, distances, flat, workers)?;
                if coordinates {
                    unravel(ft, &shape, workers)?;
                }
                Ok(())
            }
            None => brute::brute_force(lab, &shape, metric, sampling, distances, None, workers),
        }
    })
}
