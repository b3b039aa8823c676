//! Binary erosion (and, inverted, dilation) of an N-D array of 0/1 bytes by a structuring
//! element, as `scipy.ndimage.binary_erosion` (SciPy's `NI_BinaryErosion`): the element
//! `j` of the structure reads the input at `x + j - size // 2 - origin` along each axis, a
//! point outside the array reads `border`; erosion ANDs what the structure's true elements
//! read, `invert` (dilation, with the structure already reflected by the caller) ORs them;
//! where `mask` is 0 the input passes unchanged. `iterations < 1` repeats until nothing
//! changes.
//!
//! The input is copied once into a buffer padded with the border value, so a pass is, for
//! each output row, one AND (or OR) of shifted input rows per structure element: no bounds
//! checks, vectorised, rows in parallel. When the structure holds the point itself
//! (SciPy's `center_is_true`) repeated erosion only ever removes points, and a point changes
//! at iteration `k` only next to one that changed at `k - 1`: once few points change, the
//! passes give way to SciPy's changed-point lists (`NI_BinaryErosion2`), each iteration
//! visiting only the neighbours of the points the previous one changed.

use std::sync::atomic::{AtomicU8, Ordering};

use rayon::prelude::*;

use super::sum_chunks;
use crate::parallel::with_workers;

/// A padded point that no iteration may change (outside the array, or masked out).
const FROZEN: u8 = 2;

/// What one erosion computes.
#[derive(Clone, Debug)]
pub struct Erosion<'a> {
    /// The array's shape (C order).
    pub shape: &'a [usize],
    /// The structuring element's shape (same rank as the array).
    pub structure_shape: &'a [usize],
    /// Its elements in C order (nonzero: part of the element).
    pub structure: &'a [u8],
    /// Its origin along each axis, `-(size / 2) <= origin <= (size - 1) / 2`.
    pub origin: &'a [isize],
    /// Where 0, the output is the input.
    pub mask: Option<&'a [u8]>,
    /// The value read outside the array.
    pub border: bool,
    /// Dilation: OR instead of AND.
    pub invert: bool,
    /// Passes; `< 1`: until nothing changes.
    pub iterations: i64,
}

/// Where the array lies in its padded copy.
struct Padded {
    shape: Vec<usize>,
    padded: Vec<usize>,
    margin: Vec<usize>,
    /// Flat offsets (in the padded buffer) the structure's elements read.
    offsets: Vec<isize>,
    len: usize,
}

impl Padded {
    #[allow(clippy::needless_range_loop)] // axes indexing several arrays
    fn new(e: &Erosion<'_>) -> Result<Self, String> {
        let rank = e.shape.len();
        if rank == 0 || e.structure_shape.len() != rank || e.origin.len() != rank {
            return Err("shape, structure and origin must have the same rank > 0".into());
        }
        let size: usize = e.structure_shape.iter().product();
        if size != e.structure.len() || size == 0 {
            return Err("structure size does not match its shape".into());
        }
        let mut margin = vec![0usize; rank];
        for d in 0..rank {
            let s = e.structure_shape[d] as isize;
            let o = e.origin[d];
            if o < -(s / 2) || o > (s - 1) / 2 {
                return Err(format!("invalid origin {o} along axis {d}"));
            }
            let lo = s / 2 + o;
            let hi = s - 1 - s / 2 - o;
            margin[d] = lo.max(hi).max(0) as usize;
        }
        let padded: Vec<usize> = e
            .shape
            .iter()
            .zip(&margin)
            .map(|(n, m)| n + 2 * m)
            .collect();
        let mut strides = vec![1isize; rank];
        for d in (0..rank.saturating_sub(1)).rev() {
            strides[d] = strides[d + 1] * padded[d + 1] as isize;
        }
        let mut offsets = Vec::new();
        let mut idx = vec![0usize; rank];
        for &v in e.structure {
            if v != 0 {
                let mut off = 0isize;
                for d in 0..rank {
                    let s = e.structure_shape[d] as isize;
                    off += (idx[d] as isize - s / 2 - e.origin[d]) * strides[d];
                }
                offsets.push(off);
            }
            for d in (0..rank).rev() {
                idx[d] += 1;
                if idx[d] < e.structure_shape[d] {
                    break;
                }
                idx[d] = 0;
            }
        }
        let len = padded.iter().product();
        Ok(Self {
            shape: e.shape.to_vec(),
            padded,
            margin,
            offsets,
            len,
        })
    }

    fn row_len(&self) -> usize {
        self.padded[self.padded.len() - 1]
    }

    fn inner_len(&self) -> usize {
        self.shape[self.shape.len() - 1]
    }

    /// The index among the array's rows of padded row `r`, if it is one of them.
    fn interior_row(&self, mut r: usize) -> Option<usize> {
        let rank = self.shape.len();
        let (mut row, mut scale) = (0usize, 1usize);
        for d in (0..rank - 1).rev() {
            let c = r % self.padded[d];
            r /= self.padded[d];
            let m = self.margin[d];
            if c < m || c >= m + self.shape[d] {
                return None;
            }
            row += (c - m) * scale;
            scale *= self.shape[d];
        }
        Some(row)
    }
}

/// Erodes (or with `invert`, dilates) `input` (0/1 bytes, C order, `e.shape`) into `output`
/// (same shape). Returns whether the last pass changed anything (SciPy's `changed`).
pub fn erode(
    e: &Erosion<'_>,
    input: &[u8],
    output: &mut [u8],
    workers: usize,
) -> Result<bool, String> {
    let g = Padded::new(e)?;
    let n: usize = e.shape.iter().product();
    if input.len() != n || output.len() != n || e.mask.is_some_and(|m| m.len() != n) {
        return Err("input, output and mask must have the array's size".into());
    }
    if n == 0 {
        return Ok(false);
    }
    let (rl, il, m_last) = (g.row_len(), g.inner_len(), g.margin[g.margin.len() - 1]);
    let border = u8::from(e.border);
    // The padded input.
    let mut cur = vec![border; g.len];
    sum_chunks(&mut cur, rl, workers, |r, row| {
        if let Some(i) = g.interior_row(r) {
            row[m_last..m_last + il].copy_from_slice(&input[i * il..(i + 1) * il]);
        }
        0
    });
    let center = {
        let mut flat = 0usize;
        for d in 0..e.shape.len() {
            let s = e.structure_shape[d] as isize;
            flat = flat * e.structure_shape[d] + (s / 2 + e.origin[d]) as usize;
        }
        e.structure[flat] != 0
    };
    if center && e.iterations < 1 {
        // Until stable straight from the input: the first pass is one more application of
        // the same rule, the border (and masked-out points) what the rule reads there.
        freeze(&g, e, &mut cur, true, workers);
        closure(&g, e, &mut cur);
        unpad(&g, &cur, output, workers);
        return Ok(false);
    }
    let mut next = cur.clone();
    let mut changed = pass(&g, e, &cur, &mut next, workers);
    let mut done = 1i64;
    let more = |done: i64| e.iterations < 1 || done < e.iterations;
    loop {
        std::mem::swap(&mut cur, &mut next); // `cur`: the latest result
        if changed == 0 || !more(done) {
            break;
        }
        if center && changed.saturating_mul(64) < n {
            // `next` holds the state before the last pass: the list of what it changed.
            let list = differences(&g, &cur, &next, workers);
            freeze(&g, e, &mut cur, false, workers);
            frontier(&g, e, &mut cur, list, done, workers);
            break;
        }
        changed = pass(&g, e, &cur, &mut next, workers);
        done += 1;
    }
    unpad(&g, &cur, output, workers);
    Ok(changed != 0)
}

/// The array's points of the padded `state` (dropping the FROZEN marks).
fn unpad(g: &Padded, state: &[u8], output: &mut [u8], workers: usize) {
    let (rl, il, m_last) = (g.row_len(), g.inner_len(), g.margin[g.margin.len() - 1]);
    sum_chunks(output, il, workers, |i, row| {
        let r = padded_row(g, i);
        let src = &state[r * rl + m_last..r * rl + m_last + il];
        for (o, s) in row.iter_mut().zip(src) {
            *o = s & 1;
        }
        0
    });
}

/// The padded row of the array's row `i`.
fn padded_row(g: &Padded, mut i: usize) -> usize {
    let rank = g.shape.len();
    let (mut r, mut scale) = (0usize, 1usize);
    for d in (0..rank - 1).rev() {
        let c = i % g.shape[d];
        i /= g.shape[d];
        r += (c + g.margin[d]) * scale;
        scale *= g.padded[d];
    }
    r
}

/// One pass from `cur` into `next`; returns how many points changed.
fn pass(g: &Padded, e: &Erosion<'_>, cur: &[u8], next: &mut [u8], workers: usize) -> usize {
    let (rl, il, m_last) = (g.row_len(), g.inner_len(), g.margin[g.margin.len() - 1]);
    sum_chunks(next, rl, workers, |r, row| {
        let Some(i) = g.interior_row(r) else { return 0 };
        let base = r * rl + m_last;
        let out = &mut row[m_last..m_last + il];
        let read = |off: isize| &cur[(base as isize + off) as usize..][..il];
        match g.offsets.split_first() {
            None => out.fill(u8::from(!e.invert)),
            Some((&first, rest)) => {
                out.copy_from_slice(read(first));
                for &off in rest {
                    let src = read(off);
                    if e.invert {
                        out.iter_mut().zip(src).for_each(|(o, s)| *o |= s);
                    } else {
                        out.iter_mut().zip(src).for_each(|(o, s)| *o &= s);
                    }
                }
            }
        }
        let was = &cur[base..base + il];
        if let Some(mask) = e.mask {
            let mask = &mask[i * il..(i + 1) * il];
            for ((o, &w), &m) in out.iter_mut().zip(was).zip(mask) {
                if m == 0 {
                    *o = w;
                }
            }
        }
        out.iter().zip(was).filter(|(o, w)| o != w).count()
    })
}

/// Flat padded indices where `a` and `b` differ (inside the array).
fn differences(g: &Padded, a: &[u8], b: &[u8], workers: usize) -> Vec<usize> {
    let (rl, il, m_last) = (g.row_len(), g.inner_len(), g.margin[g.margin.len() - 1]);
    let rows = g.len / rl;
    let row = |r: usize| -> Vec<usize> {
        if g.interior_row(r).is_none() {
            return Vec::new();
        }
        let base = r * rl + m_last;
        (base..base + il).filter(|&p| a[p] != b[p]).collect()
    };
    if workers <= 1 {
        (0..rows).flat_map(row).collect()
    } else {
        with_workers(workers, || {
            (0..rows)
                .into_par_iter()
                .with_min_len(64)
                .flat_map_iter(row)
                .collect()
        })
    }
}

/// Marks what may no longer change FROZEN: the padding and the masked-out points.
/// With `sources` (until stable from the input), a point that may not change but that the
/// rule reads as changed (the border, masked-out points) keeps its value instead.
fn freeze(g: &Padded, e: &Erosion<'_>, state: &mut [u8], sources: bool, workers: usize) {
    let on = u8::from(!e.invert);
    let frozen = |v: u8| if sources && v != on { v } else { v | FROZEN };
    let (rl, il, m_last) = (g.row_len(), g.inner_len(), g.margin[g.margin.len() - 1]);
    sum_chunks(state, rl, workers, |r, row| {
        match g.interior_row(r) {
            None => row.iter_mut().for_each(|v| *v = frozen(*v)),
            Some(i) => {
                row[..m_last].iter_mut().for_each(|v| *v = frozen(*v));
                row[m_last + il..].iter_mut().for_each(|v| *v = frozen(*v));
                if let Some(mask) = e.mask {
                    let mask = &mask[i * il..(i + 1) * il];
                    for (s, &m) in row[m_last..m_last + il].iter_mut().zip(mask) {
                        if m == 0 {
                            *s = frozen(*s);
                        }
                    }
                }
            }
        }
        0
    });
}

/// Until stable from `state` (frozen): the result is the least fixed point above it (a
/// point changes when a point it reads has), whatever the order the rule is applied in. So
/// rather than iteration by iteration, a forward and a backward raster scan, each applying
/// it in place (a change carries on along the scan), then a queue of the points the backward
/// scan changed, whose neighbours earlier in it it passed before (Vincent's hybrid
/// reconstruction). A point the backward scan leaves unchanged with a changed neighbour
/// later in the scan saw that neighbour changed: only those it changed need the queue.
fn closure(g: &Padded, e: &Erosion<'_>, state: &mut [u8]) {
    let (rl, il, m_last) = (g.row_len(), g.inner_len(), g.margin[g.margin.len() - 1]);
    let on = u8::from(!e.invert);
    let off = 1 - on;
    // The point itself is `on` when it is checked: only the others can change it.
    let offsets: Vec<isize> = g.offsets.iter().copied().filter(|&o| o != 0).collect();
    let rows = g.len / rl;
    let interior = |r: usize| g.interior_row(r).map(|_| r * rl + m_last);
    for r in 0..rows {
        let Some(base) = interior(r) else { continue };
        for p in base..base + il {
            if state[p] == on
                && offsets
                    .iter()
                    .any(|&o| state[(p as isize + o) as usize] == off)
            {
                state[p] = off;
            }
        }
    }
    let mut queue = std::collections::VecDeque::new();
    for r in (0..rows).rev() {
        let Some(base) = interior(r) else { continue };
        for p in (base..base + il).rev() {
            if state[p] == on
                && offsets
                    .iter()
                    .any(|&o| state[(p as isize + o) as usize] == off)
            {
                state[p] = off;
                // Its neighbours later in the scan were visited already: left to the queue.
                queue.push_back(p);
            }
        }
    }
    while let Some(p) = queue.pop_front() {
        for &o in &offsets {
            let q = (p as isize - o) as usize;
            if state[q] == on {
                state[q] = off;
                queue.push_back(q);
            }
        }
    }
}

/// Continues from `state` (the result after `done` iterations) and `list` (the points the
/// last one changed) by changed-point lists.
fn frontier(
    g: &Padded,
    e: &Erosion<'_>,
    state: &mut [u8],
    mut list: Vec<usize>,
    mut done: i64,
    workers: usize,
) {
    let on = u8::from(!e.invert);
    let off = 1 - on;
    let offsets = &g.offsets;
    while !list.is_empty() && (e.iterations < 1 || done < e.iterations) {
        if workers <= 1 || list.len() < 1 << 15 {
            let mut new = Vec::new();
            for &c in &list {
                for &o in offsets {
                    let p = (c as isize - o) as usize;
                    if state[p] == on {
                        state[p] = off;
                        new.push(p);
                    }
                }
            }
            list = new;
        } else {
            // SAFETY: `AtomicU8` has the size, alignment and bit validity of `u8`, and
            // `state` is borrowed mutably (no other access) for as long as `cells` lives.
            let cells: &[AtomicU8] = unsafe { &*(state as *mut [u8] as *const [AtomicU8]) };
            list = with_workers(workers, || {
                list.par_chunks(4096)
                    .flat_map_iter(|chunk| {
                        let mut new = Vec::new();
                        for &c in chunk {
                            for &o in offsets {
                                let p = (c as isize - o) as usize;
                                if cells[p].load(Ordering::Relaxed) == on
                                    && cells[p]
                                        .compare_exchange(
                                            on,
                                            off,
                                            Ordering::Relaxed,
                                            Ordering::Relaxed,
                                        )
                                        .is_ok()
                                {
                                    new.push(p);
                                }
                            }
                        }
                        new
                    })
                    .collect()
            });
        }
        done += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(shape: &[usize], input: &[u8], invert: bool, border: bool, iterations: i64) -> Vec<u8> {
        let e = Erosion {
            shape,
            structure_shape: &[3],
            structure: &[1, 1, 1],
            origin: &[0],
            mask: None,
            border,
            invert,
            iterations,
        };
        let mut out = vec![9; input.len()];
        erode(&e, input, &mut out, 1).unwrap();
        out
    }

    #[test]
    fn erosion_and_dilation_of_a_line() {
        let x = [0, 1, 1, 1, 1, 0, 1];
        assert_eq!(run(&[7], &x, false, false, 1), [0, 0, 1, 1, 0, 0, 0]);
        assert_eq!(run(&[7], &x, false, true, 1), [0, 0, 1, 1, 0, 0, 0]);
        assert_eq!(run(&[7], &x, true, false, 1), [1, 1, 1, 1, 1, 1, 1]);
        assert_eq!(
            run(&[7], &[0, 0, 0, 1, 0, 0, 0], true, false, 2),
            [0, 1, 1, 1, 1, 1, 0]
        );
        // Until stable: everything goes (border 0), or stays (border 1, all set).
        assert_eq!(run(&[7], &x, false, false, 0), [0; 7]);
        assert_eq!(run(&[4], &[1; 4], false, true, -1), [1; 4]);
    }

    #[test]
    fn invalid_origin_is_an_error() {
        let e = Erosion {
            shape: &[4],
            structure_shape: &[3],
            structure: &[1, 1, 1],
            origin: &[2],
            mask: None,
            border: false,
            invert: false,
            iterations: 1,
        };
        assert!(erode(&e, &[1; 4], &mut [0; 4], 1).is_err());
    }
}
