//! The 1-D line filters' driver: every line along `axis` is read into an `f64` buffer,
//! extended past its ends per boundary mode, filtered, and cast into the output.
//!
//! Lines whose elements are strided (columns of a C-ordered array) are processed `BLOCK` at a
//! time, interleaved in the buffer (`value[position * b + lane]`), so that reading one position
//! of all of them touches consecutive memory and the filters' inner loops run across lanes.
//! Each thread keeps its own buffers; the output may be the input itself (then each block is
//! read whole before it is written).

use rayon::prelude::*;

use super::boundary::{extend_indices, Mode};
use super::raw::{read, with_dtype, write, RawArray, Sample};
use crate::parallel::with_workers;

/// Lines interleaved together when the filtered axis is not the innermost in memory.
const BLOCK: usize = 16;

/// A line filter: `ext` holds `(before + len + after) * b` values, `out` receives `len * b`;
/// `scratch` is the thread's own.
pub(crate) type LineOp<'a> = dyn Fn(&[f64], &mut [f64], usize, usize, &mut Vec<f64>) + Sync + 'a;

/// How lines are extended.
pub(crate) struct Extension {
    pub before: usize,
    pub after: usize,
    pub mode: Mode,
    pub cval: f64,
}

/// Per-thread buffers.
#[derive(Default)]
struct Buffers {
    ext: Vec<f64>,
    out: Vec<f64>,
    scratch: Vec<f64>,
}

/// Applies `op` to every line of `input` along `axis`, writing `output`.
///
/// # Safety
/// `input` and `output` describe valid arrays of the same shape, `output` writable, and either
/// the very same array (identical pointer and strides) or non-overlapping ones.
pub(crate) unsafe fn run(
    input: &RawArray,
    output: &RawArray,
    axis: usize,
    ext: &Extension,
    op: &LineOp<'_>,
    workers: usize,
) {
    let n = input.shape[axis];
    if n == 0 || input.size() == 0 {
        return;
    }
    let sources = extend_indices(n, ext.before, ext.after, ext.mode);
    // The other axis whose neighbouring lines lie closest in memory, if closer than the
    // line's own elements.
    let inner = (0..input.ndim())
        .filter(|&a| a != axis && input.shape[a] > 1)
        .min_by_key(|&a| input.strides[a].unsigned_abs())
        .filter(|&a| input.strides[a].unsigned_abs() < input.strides[axis].unsigned_abs());
    let outer: Vec<usize> = (0..input.ndim())
        .filter(|&a| a != axis && Some(a) != inner)
        .collect();
    let (chunk_len, chunks) = match inner {
        Some(a) => (BLOCK, input.shape[a].div_ceil(BLOCK)),
        None => (1, 1),
    };
    let tasks = outer.iter().map(|&a| input.shape[a]).product::<usize>() * chunks;
    let task = |buffers: &mut Buffers, t: usize| {
        let (mut rest, chunk) = (t / chunks, t % chunks);
        let (mut base_in, mut base_out) = (0isize, 0isize);
        for &a in outer.iter().rev() {
            let i = (rest % input.shape[a]) as isize;
            rest /= input.shape[a];
            base_in += i * input.strides[a];
            base_out += i * output.strides[a];
        }
        let (b, step_in, step_out) = match inner {
            Some(a) => {
                let start = chunk * chunk_len;
                base_in += start as isize * input.strides[a];
                base_out += start as isize * output.strides[a];
                (
                    chunk_len.min(input.shape[a] - start),
                    input.strides[a],
                    output.strides[a],
                )
            }
            None => (1, 0, 0),
        };
        let Buffers {
            ext: values,
            out,
            scratch,
        } = buffers;
        // SAFETY: every offset is that of an element of the arrays (the caller's guarantee).
        unsafe {
            let p = input.ptr.offset(base_in);
            with_dtype!(input.dtype, T => gather::<T>(values, p, input.strides[axis], step_in, b, &sources, ext.cval));
            out.clear();
            out.resize(n * b, 0.0);
            op(values, out, n, b, scratch);
            let p = output.ptr.offset(base_out);
            with_dtype!(output.dtype, T => scatter::<T>(out, p, output.strides[axis], step_out, b));
        }
    };
    if workers <= 1 || tasks <= 1 {
        let mut buffers = Buffers::default();
        (0..tasks).for_each(|t| task(&mut buffers, t));
    } else {
        with_workers(workers, || {
            (0..tasks)
                .into_par_iter()
                .for_each_init(Buffers::default, task)
        });
    }
}

/// Reads `b` lines (the first at `p`, elements `stride` apart, lines `step` apart) into
/// `values`, extended as `sources` says.
unsafe fn gather<T: Sample>(
    values: &mut Vec<f64>,
    p: *const u8,
    stride: isize,
    step: isize,
    b: usize,
    sources: &[Option<usize>],
    cval: f64,
) {
    values.clear();
    values.resize(sources.len() * b, cval);
    for (row, source) in values.chunks_exact_mut(b).zip(sources) {
        if let Some(i) = *source {
            let q = unsafe { p.offset(i as isize * stride) };
            for (l, v) in row.iter_mut().enumerate() {
                *v = unsafe { read::<T>(q.offset(l as isize * step)) };
            }
        }
    }
}

/// Writes `out` (`len * b` interleaved values) into `b` lines, cast as SciPy casts.
unsafe fn scatter<T: Sample>(out: &[f64], p: *mut u8, stride: isize, step: isize, b: usize) {
    for (i, row) in out.chunks_exact(b).enumerate() {
        let q = unsafe { p.offset(i as isize * stride) };
        for (l, v) in row.iter().enumerate() {
            unsafe { write::<T>(q.offset(l as isize * step), T::from_f64(*v)) };
        }
    }
}
