//! Drivers running a line transform over every line along one axis of an N-D array, each line
//! handed over as one contiguous slice, in parallel with `workers > 1`.
//!
//! Contiguous lines are used where they lie. Strided lines (columns of a C-ordered array) are
//! gathered a block of neighbours at a time into a per-thread buffer, transformed there and
//! scattered back, so every read and write touches whole cache lines.

use ndarray::{ArrayView1, ArrayViewD, ArrayViewMut1, ArrayViewMutD, Axis, Zip};
use rayon::prelude::*;

use crate::parallel::with_workers;
use crate::prefetch::prefetch;

/// Bytes of neighbouring lines gathered together at each position: a few whole cache lines.
const BLOCK_BYTES: usize = 256;
/// Positions fetched ahead while gathering or scattering strided lines (each a whole stride
/// away, beyond what the hardware prefetcher follows).
const AHEAD: usize = 16;

/// Lines of `T` gathered together.
fn block_lines<T>() -> usize {
    (BLOCK_BYTES / std::mem::size_of::<T>().max(1)).max(1)
}

/// Distance between gathered lines of length `n` in a buffer: one cache line more than `n`, so
/// that lines of a power-of-two length do not all map to the same cache sets (measured: blocks
/// of 16 c128 lines of 2048 gathered 1.6x faster).
fn padded<T>(n: usize) -> usize {
    n + (64 / std::mem::size_of::<T>().max(1)).max(1)
}

/// Runs `f` on an output line as one contiguous slice: the line itself where it is contiguous,
/// else `buffer` (holding the line's values when `keep`), copied back afterwards.
fn on_slice<B: Copy + Default>(
    mut dst: ArrayViewMut1<'_, B>,
    buffer: &mut Vec<B>,
    keep: bool,
    f: impl FnOnce(&mut [B]),
) {
    if let Some(line) = dst.as_slice_mut() {
        f(line);
        return;
    }
    buffer.clear();
    if keep {
        buffer.extend(dst.iter().copied());
    } else {
        buffer.resize(dst.len(), B::default());
    }
    f(buffer);
    dst.iter_mut().zip(buffer.iter()).for_each(|(d, b)| *d = *b);
}

/// A view that `line_blocks` can cut up: an input view, an output view, or both together.
trait Blocks: Sized {
    fn ndim(&self) -> usize;
    fn len_of(&self, axis: usize) -> usize;
    fn split_at(self, axis: usize, index: usize) -> (Self, Self);
    fn index_axis_move(self, axis: usize, index: usize) -> Self;
}

impl<T> Blocks for ArrayViewD<'_, T> {
    fn ndim(&self) -> usize {
        ArrayViewD::ndim(self)
    }
    fn len_of(&self, axis: usize) -> usize {
        ArrayViewD::len_of(self, Axis(axis))
    }
    fn split_at(self, axis: usize, index: usize) -> (Self, Self) {
        ArrayViewD::split_at(self, Axis(axis), index)
    }
    fn index_axis_move(self, axis: usize, index: usize) -> Self {
        ArrayViewD::index_axis_move(self, Axis(axis), index)
    }
}

impl<T> Blocks for ArrayViewMutD<'_, T> {
    fn ndim(&self) -> usize {
        ArrayViewMutD::ndim(self)
    }
    fn len_of(&self, axis: usize) -> usize {
        ArrayViewMutD::len_of(self, Axis(axis))
    }
    fn split_at(self, axis: usize, index: usize) -> (Self, Self) {
        ArrayViewMutD::split_at(self, Axis(axis), index)
    }
    fn index_axis_move(self, axis: usize, index: usize) -> Self {
        ArrayViewMutD::index_axis_move(self, Axis(axis), index)
    }
}

/// Two views of the same shape outside the lines' axis, cut alike.
impl<P: Blocks, Q: Blocks> Blocks for (P, Q) {
    fn ndim(&self) -> usize {
        self.0.ndim()
    }
    fn len_of(&self, axis: usize) -> usize {
        self.0.len_of(axis)
    }
    fn split_at(self, axis: usize, index: usize) -> (Self, Self) {
        let ((p0, p1), (q0, q1)) = (self.0.split_at(axis, index), self.1.split_at(axis, index));
        ((p0, q0), (p1, q1))
    }
    fn index_axis_move(self, axis: usize, index: usize) -> Self {
        (
            self.0.index_axis_move(axis, index),
            self.1.index_axis_move(axis, index),
        )
    }
}

/// Splits `view` into disjoint 2-D views (at most `lines` lines next to each other along
/// `inner`) x (the line along `axis`), whatever the other axes; the views keep the original
/// order of `axis` and `inner`.
fn line_blocks<V: Blocks>(view: V, axis: usize, inner: usize, lines: usize, blocks: &mut Vec<V>) {
    let others = (0..view.ndim()).find(|&a| a != axis && a != inner);
    if let Some(outer) = others {
        // Peel one index of another axis at a time (split_at keeps the views' lifetimes).
        let (axis, inner) = (
            axis - usize::from(axis > outer),
            inner - usize::from(inner > outer),
        );
        let mut rest = view;
        while rest.len_of(outer) > 0 {
            let (first, tail) = rest.split_at(outer, 1);
            line_blocks(first.index_axis_move(outer, 0), axis, inner, lines, blocks);
            rest = tail;
        }
        return;
    }
    let mut rest = view;
    while rest.len_of(inner) > lines {
        let (block, tail) = rest.split_at(inner, lines);
        blocks.push(block);
        rest = tail;
    }
    blocks.push(rest);
}

/// The number of lines and their length in a block from `line_blocks` (lines along axis `la`).
fn block_shape<T>(block: &ArrayViewD<'_, T>, la: usize) -> (usize, usize) {
    (block.len_of(Axis(la)), block.len_of(Axis(1 - la)))
}

/// Copies the lines of `block` (2-D, lines along axis `la`) into `buffer`, line `l` starting
/// at `l * stride`, position by position: the reads take consecutive memory where the lines
/// are neighbours, the writes go to as many buffer lines as the block has. (A plain loop:
/// unrolled, it measured 1.3x slower on 2048^2 complex columns.)
fn gather<T: Copy>(block: &ArrayViewD<'_, T>, la: usize, buffer: &mut [T], stride: usize) {
    let (count, n) = block_shape(block, la);
    let (step, skip) = (block.strides()[la], block.strides()[1 - la]);
    let base = block.as_ptr();
    for p in 0..n {
        fetch_ahead(base, p, n, skip, step, count);
        // SAFETY: l < count and p < n index an element of `block`.
        let at = unsafe { base.offset(p as isize * skip) };
        for l in 0..count {
            buffer[l * stride + p] = unsafe { *at.offset(l as isize * step) };
        }
    }
}

/// The reverse of `gather`: the lines in `buffer` (`stride` apart) written into `block`.
fn scatter<T: Copy>(buffer: &[T], stride: usize, block: &mut ArrayViewMutD<'_, T>, la: usize) {
    let (count, n) = (block.len_of(Axis(la)), block.len_of(Axis(1 - la)));
    let (step, skip) = (block.strides()[la], block.strides()[1 - la]);
    let base = block.as_mut_ptr();
    for p in 0..n {
        fetch_ahead(base, p, n, skip, step, count);
        // SAFETY: as in `gather`; `block` is borrowed mutably, so nothing else sees it.
        let at = unsafe { base.offset(p as isize * skip) };
        for l in 0..count {
            unsafe { *at.offset(l as isize * step) = buffer[l * stride + p] };
        }
    }
}

/// Prefetches position `p + AHEAD` of a block's lines, where they lie side by side.
#[inline(always)]
fn fetch_ahead<T>(base: *const T, p: usize, n: usize, skip: isize, step: isize, count: usize) {
    if step == 1 && p + AHEAD < n {
        let at = base.wrapping_offset((p + AHEAD) as isize * skip);
        prefetch(at.cast(), count * std::mem::size_of::<T>());
    }
}

/// Per-thread buffers of `for_each_line`: gathered input and output lines, and the caller's.
struct Gathered<A, B, S> {
    input: Vec<A>,
    output: Vec<B>,
    state: S,
}

/// Runs `line(state, input line, output line)` over every line along `axis`, each line as one
/// contiguous slice, with one `state` per thread.
pub(super) fn for_each_line<A, B, S, F>(
    input: ArrayViewD<'_, A>,
    mut output: ArrayViewMutD<'_, B>,
    axis: usize,
    workers: usize,
    init: impl Fn() -> S + Sync + Send,
    line: F,
) where
    A: Copy + Default + Send + Sync,
    B: Copy + Default + Send + Sync,
    F: Fn(&mut S, &[A], &mut [B]) + Sync + Send,
{
    let (len_in, len_out) = (input.len_of(Axis(axis)), output.len_of(Axis(axis)));
    if len_out == 0 || output.is_empty() {
        return;
    }
    let init = || Gathered {
        input: Vec::new(),
        output: Vec::new(),
        state: init(),
    };
    let strided = input.stride_of(Axis(axis)) != 1 || output.stride_of(Axis(axis)) != 1;
    // The other axis along which lines lie closest together in memory.
    let inner = (0..output.ndim())
        .filter(|&a| a != axis && output.len_of(Axis(a)) > 1)
        .min_by_key(|&a| {
            input.stride_of(Axis(a)).unsigned_abs() + output.stride_of(Axis(a)).unsigned_abs()
        });
    let Some(inner) = inner.filter(|_| strided && len_in > 0) else {
        let one = |g: &mut Gathered<A, B, S>, src: ArrayView1<'_, A>, dst: ArrayViewMut1<'_, B>| {
            let src = match src.to_slice() {
                Some(src) => src,
                None => {
                    g.input.clear();
                    g.input.extend(src.iter().copied());
                    &g.input[..]
                }
            };
            on_slice(dst, &mut g.output, false, |dst| {
                line(&mut g.state, src, dst)
            });
        };
        let zip = Zip::from(input.lanes(Axis(axis))).and(output.lanes_mut(Axis(axis)));
        if workers <= 1 {
            let mut g = init();
            zip.for_each(|a, b| one(&mut g, a, b));
        } else {
            with_workers(workers, || {
                zip.into_par_iter()
                    .for_each_init(init, |g, (a, b)| one(g, a, b))
            });
        }
        return;
    };
    let la = usize::from(inner > axis);
    let (stride_in, stride_out) = (padded::<A>(len_in), padded::<B>(len_out));
    let block = |g: &mut Gathered<A, B, S>,
                 (src, mut dst): (ArrayViewD<'_, A>, ArrayViewMutD<'_, B>)| {
        let count = block_shape(&src, la).0;
        g.input.resize(count * stride_in, A::default());
        g.output.resize(count * stride_out, B::default());
        gather(&src, la, &mut g.input, stride_in);
        let sources = g.input.chunks_exact(stride_in);
        for (src, dst) in sources.zip(g.output.chunks_exact_mut(stride_out)) {
            line(&mut g.state, &src[..len_in], &mut dst[..len_out]);
        }
        scatter(&g.output, stride_out, &mut dst, la);
    };
    let lines = block_lines::<A>().max(block_lines::<B>());
    let mut blocks = Vec::new();
    line_blocks((input, output.view_mut()), axis, inner, lines, &mut blocks);
    if workers <= 1 {
        let mut g = init();
        blocks.into_iter().for_each(|b| block(&mut g, b));
    } else {
        with_workers(workers, || {
            blocks.into_par_iter().for_each_init(init, block)
        });
    }
}

/// Runs `apply(state, line)` on every line along `axis` of `data`, in place, each line as one
/// contiguous slice, with one `state` per thread.
pub(super) fn for_each_line_inplace<T, S>(
    mut data: ArrayViewMutD<'_, T>,
    axis: usize,
    workers: usize,
    init: impl Fn() -> S + Sync + Send,
    apply: impl Fn(&mut S, &mut [T]) + Sync + Send,
) where
    T: Copy + Default + Send + Sync,
{
    let n = data.len_of(Axis(axis));
    if n == 0 || data.is_empty() {
        return;
    }
    let init = || (Vec::new(), init());
    // The other axis whose neighbouring lines lie closest in memory.
    let inner = (0..data.ndim())
        .filter(|&a| a != axis && data.len_of(Axis(a)) > 1)
        .min_by_key(|&a| data.stride_of(Axis(a)).unsigned_abs());
    let Some(inner) = inner.filter(|_| data.stride_of(Axis(axis)) != 1) else {
        // Contiguous lines (or a single one): transform each where it lies.
        let line = |(buffer, state): &mut (Vec<T>, S), lane: ArrayViewMut1<'_, T>| {
            on_slice(lane, buffer, true, |values| apply(state, values));
        };
        let zip = Zip::from(data.lanes_mut(Axis(axis)));
        if workers <= 1 {
            let mut state = init();
            zip.for_each(|lane| line(&mut state, lane));
        } else {
            with_workers(workers, || {
                zip.into_par_iter()
                    .for_each_init(init, |state, (lane,)| line(state, lane))
            });
        }
        return;
    };
    let la = usize::from(inner > axis);
    let stride = padded::<T>(n);
    let block = |(buffer, state): &mut (Vec<T>, S), mut lines: ArrayViewMutD<'_, T>| {
        let count = lines.len_of(Axis(la));
        buffer.resize(count * stride, T::default());
        gather(&lines.view(), la, buffer, stride);
        for line in buffer.chunks_exact_mut(stride).take(count) {
            apply(state, &mut line[..n]);
        }
        scatter(buffer, stride, &mut lines, la);
    };
    let mut blocks = Vec::new();
    line_blocks(
        data.view_mut(),
        axis,
        inner,
        block_lines::<T>(),
        &mut blocks,
    );
    if workers <= 1 {
        let mut state = init();
        blocks.into_iter().for_each(|b| block(&mut state, b));
    } else {
        with_workers(workers, || {
            blocks.into_par_iter().for_each_init(init, block)
        });
    }
}
