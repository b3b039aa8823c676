//! `find_objects`: the bounding box of every label `1..=max_label` of a label image.

use ndarray::{ArrayViewD, Axis, Slice};
use rayon::prelude::*;

use super::{for_rows, Label};

/// Fills `bounds` (`max_label * 2 * ndim`: for label `l`, per axis `k`, the first and last
/// index at `[(l - 1) * 2 * ndim + 2 * k]` and the next slot) with the extent of each label;
/// labels with no pixel keep `-1`. Labels outside `1..=max_label` are ignored.
pub fn find_objects<L: Label>(labels: ArrayViewD<'_, L>, max_label: usize, bounds: &mut [i64]) {
    let ndim = labels.ndim().max(1);
    assert_eq!(
        bounds.len(),
        max_label * 2 * ndim,
        "find_objects: bounds length"
    );
    bounds.fill(-1);
    let parts = if labels.ndim() >= 2 && labels.len() >= 1 << 20 && bounds.len() <= 1 << 21 {
        rayon::current_num_threads().min(labels.shape()[0]).min(8)
    } else {
        1
    };
    if parts <= 1 {
        scan(&labels, 0, max_label, bounds);
        return;
    }
    // Blocks along the first axis scanned in parallel, each into its own boxes, then merged.
    let rows = labels.shape()[0].div_ceil(parts);
    let starts: Vec<usize> = (0..labels.shape()[0]).step_by(rows).collect();
    let blocks: Vec<Vec<i64>> = starts
        .par_iter()
        .map(|&a| {
            let end = (a + rows).min(labels.shape()[0]);
            let mut local = vec![-1i64; bounds.len()];
            scan(
                &labels.slice_axis(Axis(0), Slice::from(a..end)),
                a,
                max_label,
                &mut local,
            );
            local
        })
        .collect();
    for local in &blocks {
        for (b, l) in bounds
            .chunks_exact_mut(2 * ndim)
            .zip(local.chunks_exact(2 * ndim))
        {
            if l[0] < 0 {
                continue;
            }
            if b[0] < 0 {
                b.copy_from_slice(l);
                continue;
            }
            for k in 0..ndim {
                b[2 * k] = b[2 * k].min(l[2 * k]);
                b[2 * k + 1] = b[2 * k + 1].max(l[2 * k + 1]);
            }
        }
    }
}

/// The boxes of `labels`, whose first index is `first_row` of the whole image, into `bounds`
/// (filled with `-1` by the caller).
fn scan<L: Label>(
    labels: &ArrayViewD<'_, L>,
    first_row: usize,
    max_label: usize,
    bounds: &mut [i64],
) {
    let ndim = labels.ndim().max(1);
    let max = max_label as i64;
    let mut shifted: Vec<usize> = Vec::with_capacity(ndim);
    for_rows(labels, |coords, _, row| {
        shifted.clear();
        shifted.extend_from_slice(coords);
        if let Some(c) = shifted.first_mut() {
            *c += first_row;
        }
        match row.as_slice() {
            Some(row) => scan_row(row.iter().map(|l| l.get()), &shifted, max, ndim, bounds),
            None => scan_row(row.iter().map(|l| l.get()), &shifted, max, ndim, bounds),
        }
    });
}

/// Widens the boxes of the labels of one row (at `coords` along the other axes), a run of
/// equal labels at a time.
#[inline(always)]
fn scan_row(
    row: impl Iterator<Item = i64>,
    coords: &[usize],
    max: i64,
    ndim: usize,
    bounds: &mut [i64],
) {
    let mut close = |label: i64, first: usize, last: usize| {
        let b = &mut bounds[(label as usize - 1) * 2 * ndim..label as usize * 2 * ndim];
        if b[0] < 0 {
            for (k, &c) in coords.iter().enumerate() {
                b[2 * k] = c as i64;
                b[2 * k + 1] = c as i64;
            }
            b[2 * ndim - 2] = first as i64;
            b[2 * ndim - 1] = last as i64;
            return;
        }
        for (k, &c) in coords.iter().enumerate() {
            let c = c as i64;
            b[2 * k] = b[2 * k].min(c);
            b[2 * k + 1] = b[2 * k + 1].max(c);
        }
        b[2 * ndim - 2] = b[2 * ndim - 2].min(first as i64);
        b[2 * ndim - 1] = b[2 * ndim - 1].max(last as i64);
    };
    let (mut current, mut first, mut last) = (0i64, 0usize, 0usize); // current 0: no open run
    for (i, l) in row.enumerate() {
        if l == current {
            last = i;
            continue;
        }
        if current != 0 {
            close(current, first, last);
        }
        current = if l >= 1 && l <= max { l } else { 0 };
        first = i;
        last = i;
    }
    if current != 0 {
        close(current, first, last);
    }
}
