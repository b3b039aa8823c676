//! `find_objects`: the bounding box of every label `1..=max_label` of a label image.

use ndarray::ArrayViewD;

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
    let max = max_label as i64;
    for_rows(&labels, |coords, _, row| match row.as_slice() {
        Some(row) => scan_row(row.iter().map(|l| l.get()), coords, max, ndim, bounds),
        None => scan_row(row.iter().map(|l| l.get()), coords, max, ndim, bounds),
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
