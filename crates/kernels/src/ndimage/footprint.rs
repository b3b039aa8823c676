//! The N-D filters over a footprint (`NI_Correlate`, `NI_MinOrMaxFilter`, `NI_RankFilter`):
//! each output point combines the input values under the footprint's non-zero elements (in
//! C order), coordinates outside the array mapped back per axis as `NI_InitFilterOffsets`
//! does. Rows along the last axis are independent tasks; per axis a table gives, for every
//! coordinate a row can reach, the byte offset it reads (or `cval`).

use rayon::prelude::*;

use super::boundary::{map_coordinate, Mode};
use super::raw::{read, with_dtype, write, RawArray, Sample};
use crate::parallel::with_workers;

/// What is computed per output point.
#[derive(Clone, Copy)]
pub(crate) enum Reduce<'a> {
    /// `sum_e weights[e] * value_e`, from 0 in element order.
    Correlate(&'a [f64]),
    Min,
    Max,
    /// The `rank`-th smallest value.
    Rank(usize),
}

/// Per axis: the footprint elements' coordinate relative to the output point (`c - origin`),
/// and the byte offsets of coordinates `-reach..len + reach` (`None`: outside, `cval`).
struct Plan {
    /// `deltas[e * ndim + a]`, shifted by `lo[a]` so that it indexes `tables[a]` directly.
    deltas: Vec<usize>,
    tables: Vec<Vec<Option<isize>>>,
    elements: usize,
    /// `lo` and the input's byte stride of the last axis.
    lo_last: isize,
    stride_last: isize,
}

fn plan(input: &RawArray, fshape: &[usize], mask: &[bool], origins: &[isize], mode: Mode) -> Plan {
    let ndim = input.ndim();
    let mut deltas = Vec::new();
    let mut lo = vec![0isize; ndim];
    let mut tables = Vec::with_capacity(ndim);
    for a in 0..ndim {
        let orgn = (fshape[a] / 2) as isize + origins[a];
        lo[a] = -orgn;
        let hi = fshape[a] as isize - 1 - orgn;
        let (len, stride) = (input.shape[a], input.strides[a]);
        tables.push(
            (lo[a]..len as isize + hi)
                .map(|cc| map_coordinate(cc, len, mode).map(|i| i as isize * stride))
                .collect(),
        );
    }
    let mut coord = vec![0usize; ndim];
    let mut elements = 0;
    for &on in mask {
        if on {
            elements += 1;
            for a in 0..ndim {
                // The element's offset from the point, minus `lo` (so never negative).
                let d = coord[a] as isize - (fshape[a] / 2) as isize - origins[a];
                deltas.push((d - lo[a]) as usize);
            }
        }
        for a in (0..ndim).rev() {
            coord[a] += 1;
            if coord[a] < fshape[a] {
                break;
            }
            coord[a] = 0;
        }
    }
    Plan {
        deltas,
        tables,
        elements,
        lo_last: lo[ndim - 1],
        stride_last: input.strides[ndim - 1],
    }
}

#[derive(Default)]
struct Buffers {
    acc: Vec<f64>,
    partial: Vec<Option<isize>>,
    keys: Vec<i64>,
    values: Vec<f64>,
}

/// Filters `input` into `output` (same shape, not overlapping) over the footprint `mask`
/// (C order, shape `fshape`, one entry per input axis), centred as SciPy centres it.
///
/// # Safety
/// `input` and `output` describe valid, non-overlapping arrays of the same shape (at least
/// 1-D), `output` writable; `mask.len()` is the product of `fshape`; `Correlate`'s weights
/// has one entry per non-zero of `mask`.
#[allow(clippy::too_many_arguments)]
pub(crate) unsafe fn run(
    input: &RawArray,
    output: &RawArray,
    fshape: &[usize],
    mask: &[bool],
    origins: &[isize],
    mode: Mode,
    cval: f64,
    reduce: Reduce<'_>,
    workers: usize,
) {
    let ndim = input.ndim();
    if input.size() == 0 || ndim == 0 {
        return;
    }
    let plan = plan(input, fshape, mask, origins, mode);
    // SciPy's minimum/maximum and rank kernels take `(type)cval`, in the input's type.
    let cval = match reduce {
        Reduce::Correlate(_) => cval,
        _ => with_dtype!(input.dtype, T => T::from_f64(cval).to_f64()),
    };
    let last = ndim - 1;
    let n = input.shape[last];
    let rows = input.size() / n;
    let task = |buffers: &mut Buffers, row: usize| {
        // The row's coordinates on the other axes.
        let mut idx = vec![0usize; last];
        let mut rest = row;
        let mut base_out = 0isize;
        for a in (0..last).rev() {
            idx[a] = rest % input.shape[a];
            rest /= input.shape[a];
            base_out += idx[a] as isize * output.strides[a];
        }
        let Buffers {
            acc,
            partial,
            keys,
            values,
        } = buffers;
        partial.clear();
        for e in 0..plan.elements {
            let d = &plan.deltas[e * ndim..(e + 1) * ndim];
            let mut off = Some(0isize);
            for a in 0..last {
                off = off.and_then(|o| plan.tables[a][idx[a] + d[a]].map(|t| o + t));
            }
            partial.push(off);
        }
        acc.clear();
        acc.resize(n, 0.0);
        // SAFETY: offsets come from the tables, i.e. from coordinates inside the arrays.
        unsafe {
            with_dtype!(input.dtype, T => reduce_row::<T>(input.ptr, &plan, partial, ndim, n, cval, reduce, acc, keys, values));
            let p = output.ptr.offset(base_out);
            with_dtype!(output.dtype, T => store::<T>(acc, p, output.strides[last]));
        }
    };
    if workers <= 1 || rows <= 1 {
        let mut buffers = Buffers::default();
        (0..rows).for_each(|r| task(&mut buffers, r));
    } else {
        with_workers(workers, || {
            (0..rows)
                .into_par_iter()
                .for_each_init(Buffers::default, task)
        });
    }
}

/// Footprint element `e`'s values at row positions `range` into `vals`: read directly where its
/// coordinate lies inside the row, through the boundary table elsewhere.
#[allow(clippy::too_many_arguments)]
unsafe fn element_values<T: Sample>(
    ptr: *const u8,
    plan: &Plan,
    ndim: usize,
    partial: Option<isize>,
    e: usize,
    range: std::ops::Range<usize>,
    n: usize,
    cval: f64,
    vals: &mut [f64],
) {
    let Some(o) = partial else {
        vals.fill(cval);
        return;
    };
    let table = &plan.tables[ndim - 1];
    let d = plan.deltas[e * ndim + ndim - 1];
    let shift = d as isize + plan.lo_last;
    // Positions whose coordinate `i + shift` is inside `0..n`.
    let lo = ((-shift).max(0) as usize).clamp(range.start, range.end);
    let hi = ((n as isize - shift).max(0) as usize).clamp(lo, range.end);
    for i in (range.start..lo).chain(hi..range.end) {
        vals[i - range.start] = match table[i + d] {
            Some(t) => unsafe { read::<T>(ptr.offset(o + t)) },
            None => cval,
        };
    }
    let stride = plan.stride_last;
    for (i, v) in (lo..hi).zip(vals[lo - range.start..].iter_mut()) {
        *v = unsafe { read::<T>(ptr.offset(o + (i as isize + shift) * stride)) };
    }
}

/// Positions per chunk of a rank filter's row, so that all elements' values of a chunk stay
/// in cache (about 1 MiB).
fn rank_chunk(elements: usize) -> usize {
    ((1 << 17) / elements.max(1)).max(16)
}

/// One output row into `acc`.
#[allow(clippy::too_many_arguments)]
unsafe fn reduce_row<T: Sample>(
    ptr: *const u8,
    plan: &Plan,
    partial: &[Option<isize>],
    ndim: usize,
    n: usize,
    cval: f64,
    reduce: Reduce<'_>,
    acc: &mut [f64],
    keys: &mut Vec<i64>,
    values: &mut Vec<f64>,
) {
    let element = |e: usize, range: std::ops::Range<usize>, vals: &mut [f64]| unsafe {
        element_values::<T>(ptr, plan, ndim, partial[e], e, range, n, cval, vals)
    };
    match reduce {
        Reduce::Correlate(w) => {
            values.resize(n, 0.0);
            for (e, &we) in w.iter().enumerate() {
                element(e, 0..n, values);
                for (a, v) in acc.iter_mut().zip(values.iter()) {
                    *a += we * v;
                }
            }
        }
        Reduce::Min | Reduce::Max => {
            let minimum = matches!(reduce, Reduce::Min);
            element(0, 0..n, acc);
            values.resize(n, 0.0);
            // SciPy's `if (tmp < res) res = tmp;`, written to compile without branches.
            for e in 1..plan.elements {
                element(e, 0..n, values);
                if minimum {
                    for (a, &v) in acc.iter_mut().zip(values.iter()) {
                        *a = if v < *a { v } else { *a };
                    }
                } else {
                    for (a, &v) in acc.iter_mut().zip(values.iter()) {
                        *a = if v > *a { v } else { *a };
                    }
                }
            }
        }
        Reduce::Rank(rank) => {
            // Values of a chunk of positions, element by element; then per position selection
            // on integer keys ordered as `f64::total_cmp` orders the values. A window holding
            // NaN takes SciPy's own selection, whose result NaN steers.
            let k = plan.elements;
            let chunk = rank_chunk(k);
            for start in (0..n).step_by(chunk) {
                let end = (start + chunk).min(n);
                let m = end - start;
                values.resize(k * m, 0.0);
                for e in 0..k {
                    element(e, start..end, &mut values[e * m..(e + 1) * m]);
                }
                for (i, a) in acc[start..end].iter_mut().enumerate() {
                    keys.clear();
                    let mut nan = false;
                    keys.extend((0..k).map(|e| {
                        let v = values[e * m + i];
                        nan |= v.is_nan();
                        order_key(v)
                    }));
                    let r = if nan {
                        let mut window: Vec<f64> =
                            keys.iter().map(|&k| from_order_key(k)).collect();
                        scipy_select(&mut window, rank)
                    } else {
                        from_order_key(*keys.select_nth_unstable(rank).1)
                    };
                    // `(type)NI_Select(...)`: the selected double goes back through the input's
                    // type (a large unsigned value rounded up to 2^64 wraps to 0).
                    *a = T::from_f64(r).to_f64();
                }
            }
        }
    }
}

/// `NI_Select`: Hoare's selection with the first value as pivot, as SciPy runs it (only its
/// handling of NaN matters: the result is the value SciPy returns).
#[allow(clippy::neg_cmp_op_on_partial_ord)] // `!(a > x)` is not `a <= x` for NaN: C's loops
fn scipy_select(buffer: &mut [f64], rank: usize) -> f64 {
    let (mut min, mut max, mut rank) = (0isize, buffer.len() as isize - 1, rank as isize);
    loop {
        if min == max {
            return buffer[min as usize];
        }
        let x = buffer[min as usize];
        let (mut ii, mut jj) = (min - 1, max + 1);
        loop {
            loop {
                jj -= 1;
                if !(buffer[jj as usize] > x) {
                    break;
                }
            }
            loop {
                ii += 1;
                if !(buffer[ii as usize] < x) {
                    break;
                }
            }
            if ii < jj {
                buffer.swap(ii as usize, jj as usize);
            } else {
                break;
            }
        }
        let left = jj - min + 1;
        if rank < left {
            max = jj;
        } else {
            min = jj + 1;
            rank -= left;
        }
    }
}

/// An integer whose order is `f64::total_cmp`'s order of `v` (the transform is its own inverse).
#[inline(always)]
fn order_key(v: f64) -> i64 {
    let k = v.to_bits() as i64;
    k ^ ((((k >> 63) as u64) >> 1) as i64)
}

#[inline(always)]
fn from_order_key(k: i64) -> f64 {
    f64::from_bits((k ^ ((((k >> 63) as u64) >> 1) as i64)) as u64)
}

unsafe fn store<T: Sample>(acc: &[f64], p: *mut u8, stride: isize) {
    for (i, v) in acc.iter().enumerate() {
        unsafe { write::<T>(p.offset(i as isize * stride), T::from_f64_safe(*v)) };
    }
}
