//! `scipy.ndimage`'s filters on raw N-D arrays of any strides and of SciPy's dtypes, computed
//! in `f64` as SciPy computes them and cast into the output as its C code casts, in parallel
//! over lines (1-D filters) or output rows (footprint filters).
//!
//! One job per module: [`boundary`] (modes: line extension and coordinate mapping), [`raw`]
//! (arrays, dtypes, casts), `lines` (the 1-D driver), `line_ops` (correlation, running sums,
//! van Herk/Gil-Werman minimum and maximum), `footprint` (correlation, minimum/maximum and
//! rank selection over an N-D footprint), [`interpolate`] (spline interpolation: map_coordinates,
//! affine transforms, zoom and shift).
//!
//! Every entry point is `unsafe`: the caller (the Python binding) vouches for the arrays.

pub mod boundary;
mod footprint;
pub mod interpolate;
mod line_ops;
mod lines;
pub mod raw;
pub mod spline;

pub use boundary::Mode;
pub use raw::{Dtype, RawArray};

use footprint::Reduce;
use lines::Extension;

/// The extension of a filter of `size` taps with `origin` (SciPy's `size1 + origin` before,
/// `size2 - origin` after); `None` for an origin SciPy rejects.
fn extension(size: usize, origin: isize, mode: Mode, cval: f64) -> Option<Extension> {
    let size1 = (size / 2) as isize;
    let size2 = size as isize - size1 - 1;
    let (before, after) = (size1 + origin, size2 - origin);
    (before >= 0 && after >= 0).then_some(Extension {
        before: before as usize,
        after: after as usize,
        mode,
        cval,
    })
}

/// Invalid arguments (SciPy checks them before its C code runs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidArgument(pub &'static str);

fn check_pair(input: &RawArray, output: &RawArray, axis: usize) -> Result<(), InvalidArgument> {
    if input.shape != output.shape
        || input.strides.len() != input.shape.len()
        || output.strides.len() != output.shape.len()
    {
        return Err(InvalidArgument("input and output shapes differ"));
    }
    if axis >= input.ndim() {
        return Err(InvalidArgument("axis out of range"));
    }
    Ok(())
}

/// `scipy.ndimage.correlate1d` (`weights` non-empty, `origin` valid for its length).
///
/// # Safety
/// `input` and `output` describe valid arrays, `output` writable, either identical (in place)
/// or non-overlapping.
#[allow(clippy::too_many_arguments)]
pub unsafe fn correlate1d(
    input: &RawArray,
    output: &RawArray,
    axis: usize,
    weights: &[f64],
    mode: Mode,
    cval: f64,
    origin: isize,
    workers: usize,
) -> Result<(), InvalidArgument> {
    check_pair(input, output, axis)?;
    if weights.is_empty() {
        return Err(InvalidArgument("no filter weights given"));
    }
    let ext =
        extension(weights.len(), origin, mode, cval).ok_or(InvalidArgument("invalid origin"))?;
    let op = |e: &[f64], o: &mut [f64], len: usize, b: usize, _: &mut Vec<f64>| {
        line_ops::correlate(weights, e, o, len, b)
    };
    unsafe { lines::run(input, output, axis, &ext, &op, workers) };
    Ok(())
}

/// `scipy.ndimage.uniform_filter1d`.
///
/// # Safety
/// As [`correlate1d`].
#[allow(clippy::too_many_arguments)]
pub unsafe fn uniform_filter1d(
    input: &RawArray,
    output: &RawArray,
    axis: usize,
    size: usize,
    mode: Mode,
    cval: f64,
    origin: isize,
    workers: usize,
) -> Result<(), InvalidArgument> {
    check_pair(input, output, axis)?;
    if size == 0 {
        return Err(InvalidArgument("incorrect filter size"));
    }
    let ext = extension(size, origin, mode, cval).ok_or(InvalidArgument("invalid origin"))?;
    let op = |e: &[f64], o: &mut [f64], len: usize, b: usize, s: &mut Vec<f64>| {
        line_ops::uniform(size, e, o, len, b, s)
    };
    unsafe { lines::run(input, output, axis, &ext, &op, workers) };
    Ok(())
}

/// `scipy.ndimage.minimum_filter1d` (`minimum`) or `maximum_filter1d`.
///
/// # Safety
/// As [`correlate1d`].
#[allow(clippy::too_many_arguments)]
pub unsafe fn min_or_max_filter1d(
    input: &RawArray,
    output: &RawArray,
    axis: usize,
    size: usize,
    mode: Mode,
    cval: f64,
    origin: isize,
    minimum: bool,
    workers: usize,
) -> Result<(), InvalidArgument> {
    check_pair(input, output, axis)?;
    if size == 0 {
        return Err(InvalidArgument("incorrect filter size"));
    }
    let ext = extension(size, origin, mode, cval).ok_or(InvalidArgument("invalid origin"))?;
    let op = |e: &[f64], o: &mut [f64], len: usize, b: usize, s: &mut Vec<f64>| {
        line_ops::min_or_max(size, minimum, e, o, len, b, s)
    };
    unsafe { lines::run(input, output, axis, &ext, &op, workers) };
    Ok(())
}

/// What an N-D footprint filter computes.
#[derive(Clone, Copy, Debug)]
pub enum FootprintOp<'a> {
    /// Correlation with these weights (C order, the full footprint's shape; values with
    /// `|w| <= f64::EPSILON` are skipped as SciPy skips them).
    Correlate(&'a [f64]),
    Minimum,
    Maximum,
    Rank(usize),
}

/// `scipy.ndimage.correlate` / `minimum_filter` / `maximum_filter` / `rank_filter` with a
/// footprint of shape `fshape` (`mask` in C order; ignored for `Correlate`, whose non-zero
/// weights are the footprint).
///
/// # Safety
/// `input` and `output` describe valid, non-overlapping arrays, `output` writable.
#[allow(clippy::too_many_arguments)]
pub unsafe fn footprint_filter(
    input: &RawArray,
    output: &RawArray,
    fshape: &[usize],
    mask: &[bool],
    origins: &[isize],
    mode: Mode,
    cval: f64,
    op: FootprintOp<'_>,
    workers: usize,
) -> Result<(), InvalidArgument> {
    check_pair(input, output, 0)?;
    let ndim = input.ndim();
    if fshape.len() != ndim || origins.len() != ndim || fshape.contains(&0) {
        return Err(InvalidArgument(
            "footprint must have one positive length per input axis",
        ));
    }
    for (&f, &o) in fshape.iter().zip(origins) {
        let c = (f / 2) as isize + o;
        if c < 0 || c >= f as isize {
            return Err(InvalidArgument("invalid origin"));
        }
    }
    let total: usize = fshape.iter().product();
    let (mask, weights): (Vec<bool>, Vec<f64>) = match op {
        FootprintOp::Correlate(w) => {
            if w.len() != total {
                return Err(InvalidArgument("weights do not match the footprint shape"));
            }
            let mask: Vec<bool> = w.iter().map(|v| v.abs() > f64::EPSILON).collect();
            let kept = w
                .iter()
                .copied()
                .filter(|v| v.abs() > f64::EPSILON)
                .collect();
            (mask, kept)
        }
        _ => {
            if mask.len() != total {
                return Err(InvalidArgument("footprint does not match its shape"));
            }
            (mask.to_vec(), Vec::new())
        }
    };
    let count = mask.iter().filter(|&&m| m).count();
    let reduce = match op {
        FootprintOp::Correlate(_) => Reduce::Correlate(&weights),
        _ if count == 0 => return Err(InvalidArgument("All-zero footprint is not supported.")),
        FootprintOp::Minimum => Reduce::Min,
        FootprintOp::Maximum => Reduce::Max,
        FootprintOp::Rank(r) if r < count => Reduce::Rank(r),
        FootprintOp::Rank(_) => {
            return Err(InvalidArgument("rank not within filter footprint size"))
        }
    };
    unsafe {
        footprint::run(
            input, output, fshape, &mask, origins, mode, cval, reduce, workers,
        )
    };
    Ok(())
}
