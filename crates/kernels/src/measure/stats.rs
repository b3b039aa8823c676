//! Per-label statistics in one pass over an image and its label image (same shape; a
//! broadcast view is fine), in C order, so that sums accumulate in the order NumPy's
//! `bincount` accumulates them (SciPy's `sum_labels`, `mean`, `variance` with an index
//! sequence are then reproduced bit for bit).
//!
//! Pixels are gathered into *slots* by a [`Select`]ion of their label.

use std::cmp::Ordering;

use ndarray::ArrayViewD;

use super::{for_rows2, Label, Value};

/// Which pixels count, and in which slot.
#[derive(Debug, Clone)]
pub enum Select {
    /// Labels `> 0`, one slot (SciPy's `index=None`).
    Positive,
    /// Labels equal to this value, one slot (a scalar `index`).
    Equal(i64),
    /// Label `lo + i` goes to slot `table[i]` (`u32::MAX`: none).
    Table { lo: i64, table: Vec<u32> },
    /// Label `values[i]` (sorted, distinct) goes to slot `i`.
    Sorted(Vec<i64>),
}

impl Select {
    /// The selection of the sorted, distinct `values`, slot `i` for `values[i]`.
    pub fn of_values(values: &[i64]) -> Self {
        match (values.first(), values.last()) {
            (Some(&lo), Some(&hi)) => {
                let span = (hi as i128 - lo as i128) as u128 + 1;
                if span <= (values.len() as u128 * 8).max(1 << 16) {
                    let mut table = vec![u32::MAX; span as usize];
                    for (slot, &v) in values.iter().enumerate() {
                        table[(v - lo) as usize] = slot as u32;
                    }
                    Select::Table { lo, table }
                } else {
                    Select::Sorted(values.to_vec())
                }
            }
            _ => Select::Sorted(Vec::new()),
        }
    }

    /// Number of slots.
    pub fn slots(&self) -> usize {
        match self {
            Select::Positive | Select::Equal(_) => 1,
            Select::Table { table, .. } => table.iter().filter(|&&s| s != u32::MAX).count(),
            Select::Sorted(values) => values.len(),
        }
    }

    #[inline(always)]
    pub fn slot(&self, label: i64) -> Option<usize> {
        match self {
            Select::Positive => (label > 0).then_some(0),
            Select::Equal(v) => (label == *v).then_some(0),
            Select::Table { lo, table } => {
                let i = label.wrapping_sub(*lo);
                if i < 0 {
                    return None;
                }
                match table.get(i as usize) {
                    Some(&s) if s != u32::MAX => Some(s as usize),
                    _ => None,
                }
            }
            Select::Sorted(values) => values.binary_search(&label).ok(),
        }
    }
}

/// Smallest and largest label over all pixels (`(0, 0)` for none).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LabelRange {
    pub min: i64,
    pub max: i64,
}

impl LabelRange {
    fn new() -> Self {
        LabelRange {
            min: i64::MAX,
            max: i64::MIN,
        }
    }

    #[inline(always)]
    fn see(&mut self, l: i64) {
        self.min = self.min.min(l);
        self.max = self.max.max(l);
    }

    fn finish(self) -> Self {
        if self.min > self.max {
            LabelRange::default()
        } else {
            self
        }
    }
}

/// No slot: the pixel is not selected.
const NONE: u32 = u32::MAX;

impl Select {
    /// Slots of a row of labels into `slots` (`NONE` where not selected), the selection's
    /// variant matched once per row.
    fn fill_slots<L: Label>(&self, labels: &[L], slots: &mut Vec<u32>) {
        slots.clear();
        match self {
            Select::Positive => {
                slots.extend(labels.iter().map(|l| if l.get() > 0 { 0 } else { NONE }))
            }
            Select::Equal(v) => {
                slots.extend(labels.iter().map(|l| if l.get() == *v { 0 } else { NONE }))
            }
            Select::Table { lo, table } => slots.extend(labels.iter().map(|l| {
                let i = l.get().wrapping_sub(*lo);
                if i < 0 {
                    NONE
                } else {
                    table.get(i as usize).copied().unwrap_or(NONE)
                }
            })),
            Select::Sorted(values) => slots.extend(
                labels
                    .iter()
                    .map(|l| values.binary_search(&l.get()).map_or(NONE, |s| s as u32)),
            ),
        }
    }
}

/// Calls `f(row_coords, flat_start, values, slots)` for every C-order row of `x`, with the
/// row's values as a slice (copied if strided) and their slots; widens `range` to the labels
/// seen, if given.
fn for_selected_rows<T: Value, L: Label>(
    x: &ArrayViewD<'_, T>,
    labels: &ArrayViewD<'_, L>,
    select: &Select,
    mut range: Option<&mut LabelRange>,
    mut f: impl FnMut(&[usize], usize, &[T], &[u32]),
) {
    let (mut values, mut label_row, mut slots): (Vec<T>, Vec<L>, Vec<u32>) =
        (Vec::new(), Vec::new(), Vec::new());
    for_rows2(x, labels, |coords, start, xs, ls| {
        let ls: &[L] = match ls.as_slice() {
            Some(ls) => ls,
            None => {
                label_row.clear();
                label_row.extend(ls.iter().copied());
                &label_row
            }
        };
        if let Some(range) = range.as_deref_mut() {
            let (lo, hi) = ls.iter().fold((range.min, range.max), |(lo, hi), l| {
                (lo.min(l.get()), hi.max(l.get()))
            });
            range.min = lo;
            range.max = hi;
        }
        select.fill_slots(ls, &mut slots);
        let xs: &[T] = match xs.as_slice() {
            Some(xs) => xs,
            None => {
                values.clear();
                values.extend(xs.iter().copied());
                &values
            }
        };
        f(coords, start, xs, &slots)
    });
}

/// Per-slot outputs of [`moments`], each of length `slots` (`coord_sums`: `slots * ndim`,
/// or empty to skip).
pub struct Moments<'a> {
    pub count: &'a mut [i64],
    /// Sum of the values as `float64`, in C order.
    pub sum: &'a mut [f64],
    /// Sum of the values as `int64`, wrapping (integer inputs).
    pub int_sum: &'a mut [i64],
    /// Per axis, sum of value times coordinate, as `float64`.
    pub coord_sums: &'a mut [f64],
}

/// Counts and sums of the selected pixels per slot.
pub fn moments<T: Value, L: Label>(
    x: ArrayViewD<'_, T>,
    labels: ArrayViewD<'_, L>,
    select: &Select,
    out: Moments<'_>,
) {
    let ndim = x.ndim();
    let coords_wanted = !out.coord_sums.is_empty();
    out.count.fill(0);
    out.sum.fill(0.0);
    out.int_sum.fill(0);
    out.coord_sums.fill(0.0);
    let last = ndim.saturating_sub(1);
    for_selected_rows(&x, &labels, select, None, |coords, _, xs, slots| {
        if !coords_wanted {
            // Runs of one slot accumulate in registers, in the same order.
            let n = xs.len();
            let mut i = 0;
            while i < n {
                let s = slots[i];
                let mut j = i;
                if s == NONE {
                    while j < n && slots[j] == NONE {
                        j += 1;
                    }
                    i = j;
                    continue;
                }
                let s = s as usize;
                let (mut sum, mut int_sum) = (out.sum[s], out.int_sum[s]);
                while j < n && slots[j] == s as u32 {
                    sum += xs[j].to_f64();
                    if T::INTEGER {
                        int_sum = int_sum.wrapping_add(xs[j].to_i64());
                    }
                    j += 1;
                }
                out.sum[s] = sum;
                out.int_sum[s] = int_sum;
                out.count[s] += (j - i) as i64;
                i = j;
            }
            return;
        }
        for (i, (&v, &s)) in xs.iter().zip(slots).enumerate() {
            if s == NONE {
                continue;
            }
            let s = s as usize;
            out.count[s] += 1;
            let f = v.to_f64();
            out.sum[s] += f;
            if T::INTEGER {
                out.int_sum[s] = out.int_sum[s].wrapping_add(v.to_i64());
            }
            if coords_wanted {
                let c = &mut out.coord_sums[s * ndim..(s + 1) * ndim];
                for (k, &ck) in coords.iter().enumerate() {
                    c[k] += f * ck as f64;
                }
                c[last] += f * i as f64;
            }
        }
    });
}

/// Per slot, the sum of squared deviations from `means[slot]` (as `float64`, in C order).
pub fn centered<T: Value, L: Label>(
    x: ArrayViewD<'_, T>,
    labels: ArrayViewD<'_, L>,
    select: &Select,
    means: &[f64],
    out: &mut [f64],
) {
    out.fill(0.0);
    for_selected_rows(&x, &labels, select, None, |_, _, xs, slots| {
        for (&v, &s) in xs.iter().zip(slots) {
            if s != NONE {
                let d = v.to_f64() - means[s as usize];
                out[s as usize] += d * d;
            }
        }
    });
}

/// Per-slot outputs of [`extrema`], each of length `slots`.
pub struct Extrema<'a, T> {
    pub count: &'a mut [i64],
    pub min: &'a mut [T],
    pub max: &'a mut [T],
    /// C-order flat index of the first minimum / maximum.
    pub min_pos: &'a mut [i64],
    pub max_pos: &'a mut [i64],
}

/// Minimum and maximum (first occurrences) of the selected pixels per slot. Returns whether a
/// NaN was selected (its slots' results are then not SciPy's), and the label range.
pub fn extrema<T: Value, L: Label>(
    x: ArrayViewD<'_, T>,
    labels: ArrayViewD<'_, L>,
    select: &Select,
    out: Extrema<'_, T>,
) -> (bool, LabelRange) {
    out.count.fill(0);
    out.min_pos.fill(0);
    out.max_pos.fill(0);
    let mut nan = false;
    let mut range = LabelRange::new();
    for_selected_rows(
        &x,
        &labels,
        select,
        Some(&mut range),
        |_, start, xs, slots| {
            for (i, (&v, &s)) in xs.iter().zip(slots).enumerate() {
                if s == NONE {
                    continue;
                }
                let s = s as usize;
                nan |= v.is_nan();
                let at = (start + i) as i64;
                if out.count[s] == 0 {
                    out.min[s] = v;
                    out.max[s] = v;
                    out.min_pos[s] = at;
                    out.max_pos[s] = at;
                } else {
                    if v < out.min[s] {
                        out.min[s] = v;
                        out.min_pos[s] = at;
                    }
                    if v > out.max[s] {
                        out.max[s] = v;
                        out.max_pos[s] = at;
                    }
                }
                out.count[s] += 1;
            }
        },
    );
    (nan, range.finish())
}

/// What [`median`] found besides the per-slot middles.
#[derive(Debug, Clone, Copy)]
pub struct MedianInfo<T> {
    pub nan: bool,
    pub range: LabelRange,
    /// The smallest value among the pixels of the smallest label (of all pixels), if any.
    pub first: Option<T>,
}

/// Per slot, the lower and upper middle values of the selected pixels (equal for odd counts)
/// and the count.
pub fn median<T: Value, L: Label>(
    x: ArrayViewD<'_, T>,
    labels: ArrayViewD<'_, L>,
    select: &Select,
    count: &mut [i64],
    lower: &mut [T],
    upper: &mut [T],
) -> MedianInfo<T> {
    let slots = count.len();
    count.fill(0);
    let mut range = LabelRange::new();
    let mut first: Option<(i64, T)> = None;
    let mut nan = false;
    for_rows2(&x, &labels, |_, _, xs, ls| {
        for (&v, &l) in xs.iter().zip(ls.iter()) {
            let l = l.get();
            range.see(l);
            nan |= v.is_nan();
            first = match first {
                Some((fl, fv))
                    if fl < l || (fl == l && v.partial_cmp(&fv) != Some(Ordering::Less)) =>
                {
                    Some((fl, fv))
                }
                _ => Some((l, v)),
            };
            if let Some(s) = select.slot(l) {
                count[s] += 1;
            }
        }
    });
    let mut offsets = vec![0usize; slots + 1];
    for s in 0..slots {
        offsets[s + 1] = offsets[s] + count[s] as usize;
    }
    let mut values: Vec<T> = Vec::with_capacity(offsets[slots]);
    if let Some((_, v)) = first {
        values.resize(offsets[slots], v);
    }
    let mut fill = offsets.clone();
    for_selected_rows(&x, &labels, select, None, |_, _, xs, slots| {
        for (&v, &s) in xs.iter().zip(slots) {
            if s != NONE {
                values[fill[s as usize]] = v;
                fill[s as usize] += 1;
            }
        }
    });
    let order = |a: &T, b: &T| a.partial_cmp(b).unwrap_or(Ordering::Equal);
    for s in 0..slots {
        let group = &mut values[offsets[s]..offsets[s + 1]];
        let n = group.len();
        if n == 0 {
            continue;
        }
        let hi_at = n / 2;
        let lo_at = (n - 1) / 2;
        let (below, &mut hi, _) = group.select_nth_unstable_by(hi_at, order);
        upper[s] = hi;
        lower[s] = if lo_at == hi_at {
            hi
        } else {
            *below.iter().max_by(|a, b| order(a, b)).expect("n >= 2")
        };
    }
    MedianInfo {
        nan,
        range: range.finish(),
        first: first.map(|(_, v)| v),
    }
}

/// Per slot, a histogram over `edges` (ascending, `bins + 1` of them): bin `i` holds
/// `edges[i] <= v < edges[i + 1]`, the last bin also `v == edges[bins]` (NumPy's rule); `counts`
/// is `slots * bins`. Returns the pixels per slot in `pixels`.
pub fn histogram<T: Value, L: Label>(
    x: ArrayViewD<'_, T>,
    labels: ArrayViewD<'_, L>,
    select: &Select,
    edges: &[f64],
    pixels: &mut [i64],
    counts: &mut [i64],
) {
    let bins = edges.len().saturating_sub(1);
    counts.fill(0);
    pixels.fill(0);
    if bins == 0 {
        return;
    }
    let (lo, hi) = (edges[0], edges[bins]);
    for_selected_rows(&x, &labels, select, None, |_, _, xs, slots| {
        for (&v, &s) in xs.iter().zip(slots) {
            if s != NONE {
                let s = s as usize;
                pixels[s] += 1;
                let f = v.to_f64();
                if !(f >= lo && f <= hi) {
                    continue;
                }
                let bin = (edges.partition_point(|&e| e <= f) - 1).min(bins - 1);
                counts[s * bins + bin] += 1;
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{arr1, Array1};

    #[test]
    fn sums_and_extrema_per_label() {
        let x = arr1(&[1.0f64, 5.0, -2.0, 4.0, 4.0]).into_dyn();
        let l = arr1(&[1i32, 2, 1, 0, 2]).into_dyn();
        let select = Select::of_values(&[0, 2, 7]);
        let (mut count, mut sum, mut int_sum) = ([0i64; 3], [0f64; 3], [0i64; 3]);
        let out = Moments {
            count: &mut count,
            sum: &mut sum,
            int_sum: &mut int_sum,
            coord_sums: &mut [],
        };
        moments(x.view(), l.view(), &select, out);
        assert_eq!(count, [1, 2, 0]);
        assert_eq!(sum, [4.0, 9.0, 0.0]);
        let (mut c, mut lo, mut hi, mut lo_at, mut hi_at) =
            ([0i64; 1], [0f64; 1], [0f64; 1], [0i64; 1], [0i64; 1]);
        let out = Extrema {
            count: &mut c,
            min: &mut lo,
            max: &mut hi,
            min_pos: &mut lo_at,
            max_pos: &mut hi_at,
        };
        let (nan, range) = extrema(x.view(), l.view(), &Select::Positive, out);
        assert!(!nan);
        assert_eq!((range.min, range.max), (0, 2));
        assert_eq!(
            (c[0], lo[0], hi[0], lo_at[0], hi_at[0]),
            (4, -2.0, 5.0, 2, 1)
        );
    }

    #[test]
    fn median_and_histogram() {
        let x: Array1<i32> = arr1(&[3, 1, 2, 10, 7]);
        let l = arr1(&[1i64, 1, 1, 2, 2]);
        let select = Select::of_values(&[1, 2]);
        let (mut count, mut lower, mut upper) = ([0i64; 2], [0i32; 2], [0i32; 2]);
        let info = median(
            x.view().into_dyn(),
            l.view().into_dyn(),
            &select,
            &mut count,
            &mut lower,
            &mut upper,
        );
        assert_eq!((lower, upper), ([2, 7], [2, 10]));
        assert_eq!(info.first, Some(1));
        let (mut pixels, mut counts) = ([0i64; 2], [0i64; 4]);
        histogram(
            x.view().into_dyn(),
            l.view().into_dyn(),
            &select,
            &[0.0, 5.0, 10.0],
            &mut pixels,
            &mut counts,
        );
        assert_eq!(counts, [3, 0, 0, 2]);
    }
}
