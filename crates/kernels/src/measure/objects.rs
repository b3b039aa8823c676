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
    for_rows(&labels, |coords, _, row| {
        let row = row.iter().map(|l| l.get());
        let mut run: Option<(i64, usize, usize)> = None; // (label, first, last) of a run along the row
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
                if c < b[2 * k] {
                    b[2 * k] = c;
                }
                if c > b[2 * k + 1] {
                    b[2 * k + 1] = c;
                }
            }
            if (first as i64) < b[2 * ndim - 2] {
                b[2 * ndim - 2] = first as i64;
            }
            if (last as i64) > b[2 * ndim - 1] {
                b[2 * ndim - 1] = last as i64;
            }
        };
        for (i, l) in row.enumerate() {
            match run {
                Some((current, _, ref mut last)) if current == l => *last = i,
                _ => {
                    if let Some((current, first, last)) = run.take() {
                        close(current, first, last);
                    }
                    if l >= 1 && l <= max {
                        run = Some((l, i, i));
                    }
                }
            }
        }
        if let Some((current, first, last)) = run {
            close(current, first, last);
        }
    });
}
