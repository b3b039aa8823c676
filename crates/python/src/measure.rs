//! Bindings of the `scipy.ndimage` measurement kernels: images and label images as NumPy
//! arrays of any strides (viewed, not copied), per-label outputs allocated by the caller
//! (NumPy), the GIL released while the kernel runs.
//!
//! Value dtypes: bool (passed as `uint8`), 8 to 64-bit integers, float32, float64; label
//! dtypes: int32, int64 (the Python side converts others). Byte order must be native.

use numpy::{PyArray1, PyArrayDyn, PyArrayMethods};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use uscipy_kernels::measure::{label as lab, objects, stats};
use uscipy_kernels::parallel::with_workers;

/// Runs `$body` with `$xv` bound to the read-only `$x` as an array of its element type `$T`.
macro_rules! with_values {
    ($x:expr, $xv:ident, $T:ident, $body:block) => {
        with_values!(@each $x, $xv, $T, $body,
            "values must be a native-endian (u)int8..64, float32 or float64 array",
            u8 i8 u16 i16 u32 i32 u64 i64 f32 f64)
    };
    (@each $x:expr, $xv:ident, $T:ident, $body:block, $error:expr, $($t:ty)*) => {{
        $(
            if let Ok(a) = $x.cast::<PyArrayDyn<$t>>() {
                #[allow(dead_code)]
                type $T = $t;
                let $xv = a.readonly();
                return $body;
            }
        )*
        Err(PyTypeError::new_err($error))
    }};
}

/// Runs `$body` with `$lv` bound to the read-only label array `$l` (int32 or int64).
macro_rules! with_labels {
    ($l:expr, $lv:ident, $body:block) => {{
        if let Ok(a) = $l.cast::<PyArrayDyn<i32>>() {
            let $lv = a.readonly();
            $body
        } else if let Ok(a) = $l.cast::<PyArrayDyn<i64>>() {
            let $lv = a.readonly();
            $body
        } else {
            Err(PyTypeError::new_err(
                "labels must be a native-endian int32 or int64 array",
            ))
        }
    }};
}

/// `None`: labels > 0; an int: labels equal to it; a 1-D int64 array of sorted distinct
/// values: one slot per value.
fn selection(select: &Bound<'_, PyAny>) -> PyResult<stats::Select> {
    if select.is_none() {
        return Ok(stats::Select::Positive);
    }
    if let Ok(values) = select.cast::<PyArray1<i64>>() {
        let values = values.readonly();
        let values = values.as_slice()?;
        if values.windows(2).any(|w| w[0] >= w[1]) {
            return Err(PyValueError::new_err(
                "index values must be sorted and distinct",
            ));
        }
        return Ok(stats::Select::of_values(values));
    }
    Ok(stats::Select::Equal(select.extract::<i64>()?))
}

fn same_shape(a: &[usize], b: &[usize]) -> PyResult<()> {
    if a != b {
        return Err(PyValueError::new_err(format!(
            "values shape {a:?} differs from labels shape {b:?}"
        )));
    }
    Ok(())
}

fn slots_fit(select: &stats::Select, lens: &[usize]) -> PyResult<()> {
    let slots = select.slots();
    if lens.iter().any(|&n| n != slots) {
        return Err(PyValueError::new_err(format!(
            "outputs must hold one entry per selected label ({slots})"
        )));
    }
    Ok(())
}

/// Labels the non-zero pixels of `input` into `output` (int32 or int64, same shape) with the
/// connectivity `structure` (3^ndim booleans, C order), scanning lines along `axis`. Returns
/// the number of components. Runs on `workers` threads.
#[pyfunction]
pub fn ndimage_label(
    py: Python<'_>,
    input: &Bound<'_, PyAny>,
    structure: Vec<bool>,
    axis: usize,
    output: &Bound<'_, PyAny>,
    workers: usize,
) -> PyResult<usize> {
    fn run<O: lab::Out + numpy::Element>(
        py: Python<'_>,
        input: &Bound<'_, PyAny>,
        structure: &[bool],
        axis: usize,
        output: &Bound<'_, PyArrayDyn<O>>,
        workers: usize,
    ) -> PyResult<usize> {
        let mut out = output.readwrite();
        let out = out.as_array_mut();
        with_values!(input, xv, T, {
            let x = xv.as_array();
            let labelled =
                py.detach(|| with_workers(workers, || lab::label(x, structure, axis, out)));
            match labelled {
                Ok(n) => Ok(n),
                Err(lab::LabelError::Shape) => Err(PyValueError::new_err(
                    "label: input, output and structure shapes disagree",
                )),
                Err(lab::LabelError::TooLarge) => {
                    Err(PyValueError::new_err("label: image too large"))
                }
            }
        })
    }
    if let Ok(out) = output.cast::<PyArrayDyn<i32>>() {
        return run(py, input, &structure, axis, out, workers);
    }
    if let Ok(out) = output.cast::<PyArrayDyn<i64>>() {
        return run(py, input, &structure, axis, out, workers);
    }
    Err(PyTypeError::new_err("label: output must be int32 or int64"))
}

/// Bounding boxes of labels `1..=max_label` into `bounds` (int64, `max_label * 2 * ndim`):
/// first and last index per axis, `-1` for labels with no pixel. Runs on `workers` threads.
#[pyfunction]
pub fn ndimage_find_objects(
    py: Python<'_>,
    labels: &Bound<'_, PyAny>,
    max_label: usize,
    bounds: &Bound<'_, PyArray1<i64>>,
    workers: usize,
) -> PyResult<()> {
    let mut bounds = bounds.readwrite();
    let bounds = bounds.as_slice_mut()?;
    with_labels!(labels, lv, {
        let l = lv.as_array();
        if bounds.len() != max_label * 2 * l.ndim().max(1) {
            return Err(PyValueError::new_err("find_objects: bounds length"));
        }
        py.detach(|| with_workers(workers, || objects::find_objects(l, max_label, bounds)));
        Ok(())
    })
}

/// Per selected label: pixel count, float64 sum, wrapping int64 sum and (if `coord_sums` is
/// not empty) per-axis sums of value times coordinate.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
pub fn ndimage_moments(
    py: Python<'_>,
    values: &Bound<'_, PyAny>,
    labels: &Bound<'_, PyAny>,
    select: &Bound<'_, PyAny>,
    count: &Bound<'_, PyArray1<i64>>,
    sum: &Bound<'_, PyArray1<f64>>,
    int_sum: &Bound<'_, PyArray1<i64>>,
    coord_sums: &Bound<'_, PyArray1<f64>>,
) -> PyResult<()> {
    let select = selection(select)?;
    let (mut count, mut sum, mut int_sum, mut coord_sums) = (
        count.readwrite(),
        sum.readwrite(),
        int_sum.readwrite(),
        coord_sums.readwrite(),
    );
    let (count, sum, int_sum, coord_sums) = (
        count.as_slice_mut()?,
        sum.as_slice_mut()?,
        int_sum.as_slice_mut()?,
        coord_sums.as_slice_mut()?,
    );
    slots_fit(&select, &[count.len(), sum.len(), int_sum.len()])?;
    with_labels!(labels, lv, {
        with_values!(values, xv, T, {
            let (x, l) = (xv.as_array(), lv.as_array());
            same_shape(x.shape(), l.shape())?;
            if !coord_sums.is_empty() && coord_sums.len() != count.len() * x.ndim() {
                return Err(PyValueError::new_err("moments: coord_sums length"));
            }
            let out = stats::Moments {
                count,
                sum,
                int_sum,
                coord_sums,
            };
            py.detach(|| stats::moments(x, l, &select, out));
            Ok(())
        })
    })
}

/// Per selected label, the sum of squared deviations from `means` (float64) into `out`.
#[pyfunction]
pub fn ndimage_centered(
    py: Python<'_>,
    values: &Bound<'_, PyAny>,
    labels: &Bound<'_, PyAny>,
    select: &Bound<'_, PyAny>,
    means: &Bound<'_, PyArray1<f64>>,
    out: &Bound<'_, PyArray1<f64>>,
) -> PyResult<()> {
    let select = selection(select)?;
    let (means, mut out) = (means.readonly(), out.readwrite());
    let (means, out) = (means.as_slice()?, out.as_slice_mut()?);
    slots_fit(&select, &[means.len(), out.len()])?;
    with_labels!(labels, lv, {
        with_values!(values, xv, T, {
            let (x, l) = (xv.as_array(), lv.as_array());
            same_shape(x.shape(), l.shape())?;
            py.detach(|| stats::centered(x, l, &select, means, out));
            Ok(())
        })
    })
}

/// Per selected label: count, minimum, maximum (the values' dtype) and the C-order flat
/// indices of their first occurrences. Returns (a NaN was selected, label min, label max).
#[pyfunction]
#[allow(clippy::too_many_arguments)]
pub fn ndimage_extrema(
    py: Python<'_>,
    values: &Bound<'_, PyAny>,
    labels: &Bound<'_, PyAny>,
    select: &Bound<'_, PyAny>,
    count: &Bound<'_, PyArray1<i64>>,
    min: &Bound<'_, PyAny>,
    max: &Bound<'_, PyAny>,
    min_pos: &Bound<'_, PyArray1<i64>>,
    max_pos: &Bound<'_, PyArray1<i64>>,
) -> PyResult<(bool, i64, i64)> {
    let select = selection(select)?;
    let (mut count, mut min_pos, mut max_pos) =
        (count.readwrite(), min_pos.readwrite(), max_pos.readwrite());
    let (count, min_pos, max_pos) = (
        count.as_slice_mut()?,
        min_pos.as_slice_mut()?,
        max_pos.as_slice_mut()?,
    );
    with_labels!(labels, lv, {
        with_values!(values, xv, T, {
            let (x, l) = (xv.as_array(), lv.as_array());
            same_shape(x.shape(), l.shape())?;
            let (min, max) = (min.cast::<PyArray1<T>>()?, max.cast::<PyArray1<T>>()?);
            let (mut min, mut max) = (min.readwrite(), max.readwrite());
            let (min, max) = (min.as_slice_mut()?, max.as_slice_mut()?);
            slots_fit(
                &select,
                &[
                    count.len(),
                    min.len(),
                    max.len(),
                    min_pos.len(),
                    max_pos.len(),
                ],
            )?;
            let out = stats::Extrema {
                count,
                min,
                max,
                min_pos,
                max_pos,
            };
            let (nan, range) = py.detach(|| stats::extrema(x, l, &select, out));
            Ok((nan, range.min, range.max))
        })
    })
}

/// Per selected label: count and the lower and upper middle values (the values' dtype);
/// `first` (1 element) gets the smallest value of the smallest label over all pixels.
/// Returns (a NaN was seen, label min, label max, `first` was written).
#[pyfunction]
#[allow(clippy::too_many_arguments)]
pub fn ndimage_median(
    py: Python<'_>,
    values: &Bound<'_, PyAny>,
    labels: &Bound<'_, PyAny>,
    select: &Bound<'_, PyAny>,
    count: &Bound<'_, PyArray1<i64>>,
    lower: &Bound<'_, PyAny>,
    upper: &Bound<'_, PyAny>,
    first: &Bound<'_, PyAny>,
) -> PyResult<(bool, i64, i64, bool)> {
    let select = selection(select)?;
    let mut count = count.readwrite();
    let count = count.as_slice_mut()?;
    with_labels!(labels, lv, {
        with_values!(values, xv, T, {
            let (x, l) = (xv.as_array(), lv.as_array());
            same_shape(x.shape(), l.shape())?;
            let (lower, upper, first) = (
                lower.cast::<PyArray1<T>>()?,
                upper.cast::<PyArray1<T>>()?,
                first.cast::<PyArray1<T>>()?,
            );
            let (mut lower, mut upper, mut first) =
                (lower.readwrite(), upper.readwrite(), first.readwrite());
            let (lower, upper, first) = (
                lower.as_slice_mut()?,
                upper.as_slice_mut()?,
                first.as_slice_mut()?,
            );
            slots_fit(&select, &[count.len(), lower.len(), upper.len()])?;
            if first.len() != 1 {
                return Err(PyValueError::new_err("median: first must hold one value"));
            }
            let info = py.detach(|| stats::median(x, l, &select, count, lower, upper));
            if let Some(v) = info.first {
                first[0] = v;
            }
            Ok((
                info.nan,
                info.range.min,
                info.range.max,
                info.first.is_some(),
            ))
        })
    })
}

/// Per selected label, a histogram over the ascending float64 `edges` into `counts` (int64,
/// `slots * (len(edges) - 1)`), and the pixel count into `pixels`.
#[pyfunction]
pub fn ndimage_histogram(
    py: Python<'_>,
    values: &Bound<'_, PyAny>,
    labels: &Bound<'_, PyAny>,
    select: &Bound<'_, PyAny>,
    edges: &Bound<'_, PyArray1<f64>>,
    pixels: &Bound<'_, PyArray1<i64>>,
    counts: &Bound<'_, PyArray1<i64>>,
) -> PyResult<()> {
    let select = selection(select)?;
    let (edges, mut pixels, mut counts) =
        (edges.readonly(), pixels.readwrite(), counts.readwrite());
    let (edges, pixels, counts) = (
        edges.as_slice()?,
        pixels.as_slice_mut()?,
        counts.as_slice_mut()?,
    );
    slots_fit(&select, &[pixels.len()])?;
    if edges.len() < 2
        || counts.len() != pixels.len() * (edges.len() - 1)
        || edges
            .windows(2)
            .any(|w| w[0].is_nan() || w[1].is_nan() || w[0] > w[1])
    {
        return Err(PyValueError::new_err(
            "histogram: edges must be ascending, at least 2, counts slots * bins",
        ));
    }
    with_labels!(labels, lv, {
        with_values!(values, xv, T, {
            let (x, l) = (xv.as_array(), lv.as_array());
            same_shape(x.shape(), l.shape())?;
            py.detach(|| stats::histogram(x, l, &select, edges, pixels, counts));
            Ok(())
        })
    })
}

/// Runs `$body` with `$xv` bound to the read-only integer array `$x` of element type `$T`.
macro_rules! with_integers {
    ($x:expr, $xv:ident, $T:ident, $body:block) => {
        with_values!(@each $x, $xv, $T, $body,
            "value_indices: a native-endian (u)int8..64 array expected",
            u8 i8 u16 i16 u32 i32 u64 i64)
    };
}

/// Distinct values, their counts, and the positions grouped by value.
type Groups<'py> = (
    Bound<'py, PyAny>,
    Bound<'py, PyArray1<usize>>,
    Bound<'py, PyAny>,
);

/// `value_indices`: the distinct values of `arr` (ascending, `ignore` left out) as an array of
/// its dtype, and `positions` (int64, `ndim` rows) holding each value's element coordinates
/// together in C order; `counts[i]` columns belong to `values[i]`.
#[pyfunction]
pub fn ndimage_value_indices<'py>(
    py: Python<'py>,
    arr: &Bound<'py, PyAny>,
    ignore: Option<&Bound<'py, PyAny>>,
) -> PyResult<Groups<'py>> {
    use numpy::{IntoPyArray, PyArray2};
    use uscipy_kernels::measure::values;
    with_integers!(arr, av, T, {
        let ignore: Option<T> = ignore.map(|v| v.extract()).transpose()?;
        let view = av.as_array();
        let (found, counts) = py.detach(|| values::distinct(&view, ignore));
        let total: usize = counts.iter().sum();
        let ndim = view.ndim().max(1);
        let positions = PyArray2::<i64>::zeros(py, [ndim, total], false);
        {
            let mut out = positions.readwrite();
            let out = out.as_slice_mut()?;
            py.detach(|| values::fill(&view, ignore, &found, &counts, out));
        }
        Ok((
            found.into_pyarray(py).into_any(),
            counts.into_pyarray(py),
            positions.into_any(),
        ))
    })
}

/// SciPy's `watershed_ift` of `input` (uint8 or uint16, C order) from `markers` (int32: the
/// marker values as C `int`s, C order) with `structure` (3^rank booleans, C order) into
/// `labels` (int32, C order: each label as read back from an output array of `output_bits`
/// bits).
#[pyfunction]
pub fn ndimage_watershed_ift(
    py: Python<'_>,
    input: &Bound<'_, PyAny>,
    markers: numpy::PyReadonlyArrayDyn<'_, i32>,
    structure: Vec<bool>,
    output_bits: u32,
    mut labels: numpy::PyReadwriteArrayDyn<'_, i32>,
) -> PyResult<()> {
    use crate::morphology::{run, slice};
    use numpy::PyUntypedArrayMethods;
    use uscipy_kernels::measure::watershed::watershed_ift;
    let name = "watershed_ift";
    let shape = markers.shape().to_vec();
    if labels.shape() != shape.as_slice() {
        return Err(PyValueError::new_err(format!(
            "{name}: markers and labels shapes differ"
        )));
    }
    let mk = slice(&markers, name, "markers")?;
    let out = labels
        .as_slice_mut()
        .map_err(|_| PyValueError::new_err(format!("{name}: labels must be C-contiguous")))?;
    macro_rules! go {
        ($t:ty) => {
            if let Ok(a) = input.cast::<PyArrayDyn<$t>>() {
                let a = a.readonly();
                if a.shape() != shape.as_slice() {
                    return Err(PyValueError::new_err(format!(
                        "{name}: input and markers shapes differ"
                    )));
                }
                let inp = slice(&a, name, "input")?;
                return run(py, name, move || {
                    watershed_ift(inp, mk, &shape, &structure, output_bits, out)
                });
            }
        };
    }
    go!(u8);
    go!(u16);
    Err(PyTypeError::new_err(format!(
        "{name}: input must be a native-endian uint8 or uint16 array"
    )))
}
