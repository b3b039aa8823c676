//! `scipy.ndimage`'s spline interpolation of (prefiltered) arrays: SciPy's
//! `NI_GeometricTransform` (coordinate arrays and affine matrices) and `NI_ZoomShift` (zoom and
//! shift per axis), output points in parallel.
//!
//! Each output value is SciPy's sum over the `(order + 1)^rank` taps in SciPy's order, every
//! sample multiplied by the axes' weights in axis order, so the results are SciPy's bits; only
//! the bookkeeping differs (per-axis taps computed once per point, or once per output index
//! for zoom and shift, and loops specialised for one and two axes).

mod taps;

use rayon::prelude::*;

use super::raw::{read, with_dtype, write, Dtype, RawArray, Sample};
use crate::parallel::with_workers;
use taps::{Axis, Taps};
pub use taps::{Extend, Unrepresentable};

/// Why an interpolation did not run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InterpolationError {
    /// Arguments SciPy rejects before its C code runs.
    Invalid(&'static str),
    /// A coordinate whose result SciPy leaves to undefined behaviour (the caller lets SciPy
    /// have the call).
    Unrepresentable,
}

impl From<Unrepresentable> for InterpolationError {
    fn from(_: Unrepresentable) -> Self {
        InterpolationError::Unrepresentable
    }
}

/// What is interpolated and how: the (prefiltered) input, the spline order and the boundary.
pub struct Spline<'a> {
    pub input: &'a RawArray,
    pub order: usize,
    pub mode: Extend,
    pub cval: f64,
    /// Samples of padding SciPy put before the input (`_prepad_for_spline_filter`).
    pub nprepad: usize,
}

/// Where output points come from in `geometric_transform`.
pub enum Mapping<'a> {
    /// `coordinates[axis, index...]`, a float64 array of shape `(input rank, *output shape)`.
    Coordinates(&'a RawArray),
    /// Input coordinate `h` = `shift[h] + sum_l index[l] * matrix[h][l]` (row-major,
    /// input rank x output rank).
    Affine { matrix: &'a [f64], shift: &'a [f64] },
}

/// NumPy's most dimensions.
pub const MAX_RANK: usize = 64;

/// Output points per parallel task.
const CHUNK: usize = 4096;

/// Points whose taps are computed (and their samples prefetched) before any is gathered, so
/// the cache misses of scattered coordinates overlap.
const BLOCK: usize = 16;

/// Runs `$body` with `$o` the spline order as a constant (0 to 5).
macro_rules! with_order {
    ($order:expr, $o:ident => $body:expr) => {
        match $order {
            0 => {
                const $o: usize = 0;
                $body
            }
            1 => {
                const $o: usize = 1;
                $body
            }
            2 => {
                const $o: usize = 2;
                $body
            }
            3 => {
                const $o: usize = 3;
                $body
            }
            4 => {
                const $o: usize = 4;
                $body
            }
            5 => {
                const $o: usize = 5;
                $body
            }
            _ => Err(InterpolationError::Invalid("spline order not supported")),
        }
    };
}

impl Spline<'_> {
    fn axes(&self) -> Result<Vec<Axis>, InterpolationError> {
        if self.order > 5 {
            return Err(InterpolationError::Invalid("spline order not supported"));
        }
        let input = self.input;
        if input.ndim() == 0 || input.strides.len() != input.ndim() {
            return Err(InterpolationError::Invalid(
                "input and output rank must be > 0",
            ));
        }
        if input.ndim() > MAX_RANK {
            return Err(InterpolationError::Invalid(
                "input rank above NumPy's limit",
            ));
        }
        Ok(input
            .shape
            .iter()
            .zip(&input.strides)
            .map(|(&len, &stride)| Axis::new(len, stride, self.mode))
            .collect())
    }
}

/// `NI_GeometricTransform` for coordinate arrays (`map_coordinates`) and affine matrices
/// (`affine_transform`), into `output` (`bool_output`: NumPy bools, stored as C casts a double
/// to `npy_bool`).
///
/// # Safety
/// `spline.input`, `output` and the coordinates describe valid arrays, `output` writable and
/// not overlapping the others.
pub unsafe fn geometric_transform(
    spline: &Spline<'_>,
    mapping: &Mapping<'_>,
    output: &RawArray,
    bool_output: bool,
    workers: usize,
) -> Result<(), InterpolationError> {
    let axes = spline.axes()?;
    let (irank, orank) = (axes.len(), output.ndim());
    if orank == 0 {
        return Err(InterpolationError::Invalid(
            "input and output rank must be > 0",
        ));
    }
    match mapping {
        Mapping::Coordinates(c) => {
            if c.dtype != Dtype::F64 || c.ndim() != orank + 1 || c.shape[0] != irank {
                return Err(InterpolationError::Invalid(
                    "invalid shape for coordinate array",
                ));
            }
            if c.shape[1..] != output.shape[..] {
                return Err(InterpolationError::Invalid(
                    "coordinates and output shapes differ",
                ));
            }
        }
        Mapping::Affine { matrix, shift } => {
            if matrix.len() != irank * orank || shift.len() != irank {
                return Err(InterpolationError::Invalid("affine matrix has wrong shape"));
            }
        }
    }
    with_order!(spline.order, O => with_dtype!(spline.input.dtype, T => unsafe {
        geometric::<O, T>(spline, mapping, &axes, output, bool_output, workers)
    }))
}

/// Per-thread buffers of the geometric transform.
#[derive(Default)]
struct Scratch {
    /// Per input axis, where the row's coordinates start: a byte offset into the coordinates,
    /// or SciPy's running affine sum over every output axis but the last.
    coordinate_at: Vec<isize>,
    affine_sum: Vec<f64>,
    /// A block's taps, `irank` per point, and which points take `cval`.
    taps: Vec<Taps>,
    constant: Vec<bool>,
}

unsafe fn geometric<const O: usize, T: Sample>(
    spline: &Spline<'_>,
    mapping: &Mapping<'_>,
    axes: &[Axis],
    output: &RawArray,
    bool_output: bool,
    workers: usize,
) -> Result<(), InterpolationError> {
    let (irank, orank) = (axes.len(), output.ndim());
    let last = orank - 1;
    let nprepad = spline.nprepad as f64;
    let row = |index: &[usize], values: &mut [f64], s: &mut Scratch| {
        s.coordinate_at.clear();
        s.affine_sum.clear();
        for h in 0..irank {
            match mapping {
                Mapping::Coordinates(c) => {
                    let mut at = c.strides[0] * h as isize;
                    for (&i, &stride) in index[..last].iter().zip(&c.strides[1..]) {
                        at += stride * i as isize;
                    }
                    s.coordinate_at.push(at);
                }
                Mapping::Affine { matrix, shift } => {
                    let row = &matrix[h * orank..(h + 1) * orank];
                    let mut tmp = shift[h];
                    for (&i, &m) in index[..last].iter().zip(row) {
                        tmp += i as f64 * m;
                    }
                    s.affine_sum.push(tmp);
                }
            }
        }
        let first = index[last];
        s.taps.resize(BLOCK * irank, Taps::default());
        s.constant.resize(BLOCK, false);
        for (b, block) in values.chunks_mut(BLOCK).enumerate() {
            for k in 0..block.len() {
                let j = (first + b * BLOCK + k) as f64;
                let taps = &mut s.taps[k * irank..(k + 1) * irank];
                let mut constant = false;
                for (h, (axis, tap)) in axes.iter().zip(taps.iter_mut()).enumerate() {
                    let coordinate = match mapping {
                        // SAFETY: the point lies inside the coordinates' shape (checked).
                        Mapping::Coordinates(c) => unsafe {
                            let at = s.coordinate_at[h] + c.strides[orank] * j as isize;
                            read::<f64>(c.ptr.offset(at))
                        },
                        Mapping::Affine { matrix, .. } => {
                            s.affine_sum[h] + j * matrix[h * orank + last]
                        }
                    };
                    if !axis.taps_into::<O>(coordinate + nprepad, tap)? {
                        constant = true;
                        break;
                    }
                }
                s.constant[k] = constant;
                if !constant {
                    prefetch::<O>(spline.input, taps);
                }
            }
            for ((value, taps), &constant) in
                block.iter_mut().zip(s.taps.chunks(irank)).zip(&s.constant)
            {
                *value = if constant {
                    spline.cval
                } else {
                    // SAFETY: every tap not marked outside lies inside the input.
                    unsafe { gather::<O, T>(spline, taps) }
                };
            }
        }
        Ok(())
    };
    unsafe { for_each_row(output, bool_output, workers, Scratch::default, row) }
}

/// Asks the cache for the samples a point will read: the start of each run of taps along the
/// last axis, for every combination of the leading axes' taps (at most 64).
#[inline(always)]
fn prefetch<const O: usize>(input: &RawArray, taps: &[Taps]) {
    let Some((last, lead)) = taps.split_last() else {
        return;
    };
    let base = taps
        .iter()
        .fold(last.offs[0], |s, t| s.wrapping_add(t.base));
    let at = |offset: isize| {
        let p = input.ptr.wrapping_offset(base.wrapping_add(offset));
        crate::prefetch::prefetch(p, 1);
    };
    match lead {
        [] => at(0),
        [a] => a.offs[..=O].iter().for_each(|&o| at(o)),
        [.., a, b] if (O + 1) * (O + 1) <= 64 => {
            for &i in &a.offs[..=O] {
                for &j in &b.offs[..=O] {
                    at(i.wrapping_add(j));
                }
            }
        }
        _ => {}
    }
}

/// `NI_ZoomShift`: input coordinate `(index + shift) * zoom` per axis (`grid_mode`: zoom about
/// pixel edges, `(index + shift + 0.5) * zoom - 0.5`), the taps tabulated once per output index.
///
/// # Safety
/// As [`geometric_transform`].
pub unsafe fn zoom_shift(
    spline: &Spline<'_>,
    zoom: Option<&[f64]>,
    shift: Option<&[f64]>,
    grid_mode: bool,
    output: &RawArray,
    bool_output: bool,
    workers: usize,
) -> Result<(), InterpolationError> {
    let axes = spline.axes()?;
    let rank = axes.len();
    if output.ndim() != rank
        || zoom.is_some_and(|z| z.len() != rank)
        || shift.is_some_and(|s| s.len() != rank)
    {
        return Err(InterpolationError::Invalid(
            "zoom, shift and output must have one entry per input axis",
        ));
    }
    let coordinate = |j: usize, k: usize| {
        let mut cc = k as f64;
        if let Some(shift) = shift {
            cc += shift[j];
        }
        if let Some(zoom) = zoom {
            if grid_mode {
                cc += 0.5;
                cc *= zoom[j];
                cc -= 0.5;
            } else {
                cc *= zoom[j];
            }
        }
        cc + spline.nprepad as f64
    };
    with_order!(spline.order, O => {
        let tables = axes
            .iter()
            .enumerate()
            .map(|(j, axis)| {
                (0..output.shape[j])
                    .map(|k| axis.taps::<O>(coordinate(j, k)))
                    .collect::<Result<Vec<_>, _>>()
            })
            .collect::<Result<Vec<_>, _>>()?;
        with_dtype!(spline.input.dtype, T => unsafe {
            zoom_rows::<O, T>(spline, &tables, output, bool_output, workers)
        })
    })
}

unsafe fn zoom_rows<const O: usize, T: Sample>(
    spline: &Spline<'_>,
    tables: &[Vec<Option<Taps>>],
    output: &RawArray,
    bool_output: bool,
    workers: usize,
) -> Result<(), InterpolationError> {
    let last = tables.len() - 1;
    let row = |index: &[usize], values: &mut [f64], taps: &mut Vec<Taps>| {
        // The taps of every axis but the last are the same along the row.
        taps.clear();
        taps.extend(index[..last].iter().zip(tables).map_while(|(&i, t)| t[i]));
        if taps.len() < last {
            values.fill(spline.cval);
            return Ok(());
        }
        let along = &tables[last][index[last]..index[last] + values.len()];
        for (value, tap) in values.iter_mut().zip(along) {
            let Some(tap) = tap else {
                *value = spline.cval;
                continue;
            };
            // SAFETY: every tap not marked outside lies inside the input.
            *value = unsafe {
                match taps.as_slice() {
                    [] => gather1::<O, T>(spline, tap),
                    [a] => gather2::<O, T>(spline, a, tap),
                    [a, b] => gather3::<O, T>(spline, a, b, tap),
                    _ => {
                        taps.push(*tap);
                        let v = gather::<O, T>(spline, taps);
                        taps.pop();
                        v
                    }
                }
            };
        }
        Ok(())
    };
    unsafe { for_each_row(output, bool_output, workers, Vec::new, row) }
}

/// Calls `row(index, values, scratch)` for every run of output points along the last axis
/// (`index`: the run's first point) and stores the values it computes, runs of C-order chunks
/// in parallel; the first error stops the walk.
unsafe fn for_each_row<S, F>(
    output: &RawArray,
    bool_output: bool,
    workers: usize,
    scratch: impl Fn() -> S + Sync + Send,
    row: F,
) -> Result<(), InterpolationError>
where
    F: Fn(&[usize], &mut [f64], &mut S) -> Result<(), Unrepresentable> + Sync + Send,
{
    let total = output.size();
    let shape = &output.shape;
    let last = shape.len() - 1;
    let chunk = |lo: usize, hi: usize, s: &mut S| -> Result<(), Unrepresentable> {
        let mut index = vec![0; shape.len()];
        let mut rest = lo;
        for (i, &n) in index.iter_mut().zip(shape).rev() {
            *i = rest % n;
            rest /= n;
        }
        let mut values = vec![0.0; shape[last].min(hi - lo)];
        let mut at = lo;
        while at < hi {
            let run = (shape[last] - index[last]).min(hi - at);
            let values = &mut values[..run];
            row(&index, values, s)?;
            let offset: isize = index
                .iter()
                .zip(&output.strides)
                .map(|(&i, &s)| i as isize * s)
                .sum();
            // SAFETY: the run lies inside `output`.
            unsafe { store_row(output, bool_output, offset, values) };
            at += run;
            index[last] += run;
            for axis in (1..=last).rev() {
                if index[axis] < shape[axis] {
                    break;
                }
                index[axis] = 0;
                index[axis - 1] += 1;
            }
        }
        Ok(())
    };
    let chunks = total.div_ceil(CHUNK);
    let result = if workers <= 1 || chunks <= 1 {
        let mut s = scratch();
        (0..chunks).try_for_each(|c| chunk(c * CHUNK, total.min((c + 1) * CHUNK), &mut s))
    } else {
        with_workers(workers, || {
            (0..chunks)
                .into_par_iter()
                .try_for_each_init(&scratch, |s, c| {
                    chunk(c * CHUNK, total.min((c + 1) * CHUNK), s)
                })
        })
    };
    result.map_err(InterpolationError::from)
}

/// A sample (or `cval` outside a grid-constant input) times the weights, multiplied in axis
/// order as SciPy does (order 0 has no weights).
#[inline(always)]
fn weigh<const O: usize>(mut coeff: f64, weights: &[f64]) -> f64 {
    if O > 0 {
        for &w in weights {
            coeff *= w;
        }
    }
    coeff
}

#[inline(always)]
unsafe fn sample<T: Sample>(input: &RawArray, offset: isize) -> f64 {
    unsafe { read::<T>(input.ptr.offset(offset)) }
}

#[inline(always)]
unsafe fn gather1<const O: usize, T: Sample>(spline: &Spline<'_>, a: &Taps) -> f64 {
    let input = spline.input;
    let mut t = 0.0;
    for i in 0..=O {
        let coeff = if a.any_outside && a.outside[i] {
            spline.cval
        } else {
            unsafe { sample::<T>(input, a.base + a.offs[i]) }
        };
        t += weigh::<O>(coeff, &[a.w[i]]);
    }
    t
}

#[inline(always)]
unsafe fn gather2<const O: usize, T: Sample>(spline: &Spline<'_>, a: &Taps, b: &Taps) -> f64 {
    let input = spline.input;
    let base = a.base.wrapping_add(b.base);
    let mut t = 0.0;
    if a.any_outside || b.any_outside {
        for i in 0..=O {
            let row = base.wrapping_add(a.offs[i]);
            for j in 0..=O {
                let coeff = if a.outside[i] || b.outside[j] {
                    spline.cval
                } else {
                    unsafe { sample::<T>(input, row + b.offs[j]) }
                };
                t += weigh::<O>(coeff, &[a.w[i], b.w[j]]);
            }
        }
    } else {
        for i in 0..=O {
            let row = base + a.offs[i];
            for j in 0..=O {
                let coeff = unsafe { sample::<T>(input, row + b.offs[j]) };
                t += weigh::<O>(coeff, &[a.w[i], b.w[j]]);
            }
        }
    }
    t
}

#[inline(always)]
unsafe fn gather3<const O: usize, T: Sample>(
    spline: &Spline<'_>,
    a: &Taps,
    b: &Taps,
    c: &Taps,
) -> f64 {
    if a.any_outside || b.any_outside || c.any_outside {
        return unsafe { gather_any::<O, T>(spline, &[*a, *b, *c]) };
    }
    let input = spline.input;
    let base = a.base + b.base + c.base;
    let mut t = 0.0;
    for i in 0..=O {
        for j in 0..=O {
            let row = base + a.offs[i] + b.offs[j];
            for k in 0..=O {
                let coeff = unsafe { sample::<T>(input, row + c.offs[k]) };
                t += weigh::<O>(coeff, &[a.w[i], b.w[j], c.w[k]]);
            }
        }
    }
    t
}

/// Any rank: the taps in C order (last axis fastest), as SciPy's filter table runs.
#[inline(always)]
unsafe fn gather<const O: usize, T: Sample>(spline: &Spline<'_>, taps: &[Taps]) -> f64 {
    match taps {
        [a] => unsafe { gather1::<O, T>(spline, a) },
        [a, b] => unsafe { gather2::<O, T>(spline, a, b) },
        [a, b, c] => unsafe { gather3::<O, T>(spline, a, b, c) },
        _ => unsafe { gather_any::<O, T>(spline, taps) },
    }
}

/// [`gather`] for any rank and grid-constant taps, by an odometer over the taps.
unsafe fn gather_any<const O: usize, T: Sample>(spline: &Spline<'_>, taps: &[Taps]) -> f64 {
    let input = spline.input;
    let rank = taps.len().min(MAX_RANK);
    let taps = &taps[..rank];
    let base = taps.iter().fold(0isize, |s, t| s.wrapping_add(t.base));
    let mut k = [0usize; MAX_RANK];
    let mut weights = [0.0; MAX_RANK];
    let weights = &mut weights[..rank];
    let mut t = 0.0;
    loop {
        let mut offset = base;
        let mut outside = false;
        for ((tap, &ki), w) in taps.iter().zip(&k).zip(weights.iter_mut()) {
            offset = offset.wrapping_add(tap.offs[ki]);
            outside |= tap.outside[ki];
            *w = tap.w[ki];
        }
        let coeff = if outside {
            spline.cval
        } else {
            unsafe { sample::<T>(input, offset) }
        };
        t += weigh::<O>(coeff, weights);
        let mut axis = rank;
        loop {
            if axis == 0 {
                return t;
            }
            axis -= 1;
            k[axis] += 1;
            if k[axis] <= O {
                break;
            }
            k[axis] = 0;
        }
    }
}

/// SciPy's interpolation output casts (`CASE_INTERP_OUT*`): integers rounded half away from
/// zero and clamped to the type's range (unsigned: negatives to 0), bools as C's
/// `(npy_bool)t`, floats as they are.
fn rounded(dtype: Dtype, t: f64) -> f64 {
    let (lo, hi) = match dtype {
        Dtype::F32 | Dtype::F64 => return t,
        Dtype::I8 => (i8::MIN as f64, i8::MAX as f64),
        Dtype::U8 => (0.0, u8::MAX as f64),
        Dtype::I16 => (i16::MIN as f64, i16::MAX as f64),
        Dtype::U16 => (0.0, u16::MAX as f64),
        Dtype::I32 => (i32::MIN as f64, i32::MAX as f64),
        Dtype::U32 => (0.0, u32::MAX as f64),
        Dtype::I64 => (i64::MIN as f64, i64::MAX as f64),
        Dtype::U64 => (0.0, u64::MAX as f64),
    };
    let t = if lo == 0.0 {
        if t > 0.0 {
            t + 0.5
        } else {
            0.0
        }
    } else if t > 0.0 {
        t + 0.5
    } else {
        t - 0.5
    };
    let t = if t > hi { hi } else { t };
    if t < lo {
        lo
    } else {
        t
    }
}

/// Stores a run of values along the output's last axis from byte `offset`.
///
/// # Safety
/// The run lies inside `output`.
unsafe fn store_row(output: &RawArray, bool_output: bool, offset: isize, values: &[f64]) {
    let step = output.strides[output.ndim() - 1];
    let dtype = output.dtype;
    with_dtype!(dtype, T => {
        for (k, &t) in values.iter().enumerate() {
            let v = if bool_output { t } else { rounded(dtype, t) };
            unsafe { write::<T>(output.ptr.offset(offset + k as isize * step), T::from_f64(v)) };
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(data: &mut [f64], shape: &[usize]) -> RawArray {
        let mut strides = vec![8isize; shape.len()];
        for i in (0..shape.len().saturating_sub(1)).rev() {
            strides[i] = strides[i + 1] * shape[i + 1] as isize;
        }
        RawArray {
            ptr: data.as_mut_ptr().cast(),
            dtype: Dtype::F64,
            shape: shape.to_vec(),
            strides,
        }
    }

    #[test]
    fn linear_shift_interpolates_between_samples() {
        let mut x = [0.0, 1.0, 4.0, 9.0];
        let mut out = [0.0; 4];
        let (input, output) = (raw(&mut x, &[4]), raw(&mut out, &[4]));
        let spline = Spline {
            input: &input,
            order: 1,
            mode: Extend::Nearest,
            cval: 0.0,
            nprepad: 0,
        };
        let r = unsafe { zoom_shift(&spline, None, Some(&[0.5]), false, &output, false, 1) };
        assert_eq!(r, Ok(()));
        assert_eq!(out, [0.5, 2.5, 6.5, 9.0]);
    }

    #[test]
    fn affine_identity_reproduces_the_input_at_order_zero() {
        let mut x: Vec<f64> = (0..12).map(f64::from).collect();
        let mut out = vec![0.0; 12];
        let (input, output) = (raw(&mut x, &[3, 4]), raw(&mut out, &[3, 4]));
        let spline = Spline {
            input: &input,
            order: 0,
            mode: Extend::Constant,
            cval: -1.0,
            nprepad: 0,
        };
        let mapping = Mapping::Affine {
            matrix: &[1.0, 0.0, 0.0, 1.0],
            shift: &[0.0, 0.0],
        };
        let r = unsafe { geometric_transform(&spline, &mapping, &output, false, 2) };
        assert_eq!(r, Ok(()));
        assert_eq!(out, x);
    }

    #[test]
    fn integer_outputs_round_half_away_and_clamp() {
        assert_eq!(rounded(Dtype::U8, 2.5), 3.0);
        assert_eq!(rounded(Dtype::U8, -3.0), 0.0);
        assert_eq!(rounded(Dtype::U8, 300.0), 255.0);
        assert_eq!(rounded(Dtype::I8, -2.5), -3.0);
        assert_eq!(rounded(Dtype::I8, -300.0), -128.0);
    }
}
