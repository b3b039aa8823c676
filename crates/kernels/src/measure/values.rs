//! `value_indices`: the positions of every element, grouped by its value (ascending), in C
//! order within a value. Counted through a histogram over the value range where it is small
//! (as SciPy does), else through the sorted distinct values (where SciPy fails to allocate).

use ndarray::ArrayViewD;

/// An integer element type, placed by its distance from the minimum.
pub trait Key: Copy + Ord + Send + Sync {
    fn above(self, min: Self) -> u64;
}

macro_rules! keys {
    ($($t:ty)*) => {$(
        impl Key for $t {
            fn above(self, min: Self) -> u64 {
                (self as i128 - min as i128) as u64
            }
        }
    )*};
}
keys!(i8 i16 i32 i64 u8 u16 u32 u64);

/// Histogram bins allowed beyond the element count before the sorted path is used.
const DENSE_LIMIT: u64 = 1 << 24;

/// The distinct values (ascending, `ignore` left out) and how many elements hold each.
pub fn distinct<T: Key>(arr: &ArrayViewD<'_, T>, ignore: Option<T>) -> (Vec<T>, Vec<usize>) {
    let kept = || arr.iter().copied().filter(move |&v| Some(v) != ignore);
    let (Some(min), Some(max)) = (kept().min(), kept().max()) else {
        return (Vec::new(), Vec::new());
    };
    let range = max.above(min).saturating_add(1);
    if range <= DENSE_LIMIT.max(4 * arr.len() as u64) && range <= (1 << 28) {
        let mut counts = vec![0usize; range as usize];
        let mut first = vec![None; range as usize];
        for v in kept() {
            let bin = v.above(min) as usize;
            counts[bin] += 1;
            first[bin].get_or_insert(v);
        }
        return first
            .into_iter()
            .zip(counts)
            .filter_map(|(v, c)| v.map(|v| (v, c)))
            .unzip();
    }
    let mut sorted: Vec<T> = kept().collect();
    sorted.sort_unstable();
    let mut values: Vec<T> = Vec::new();
    let mut counts: Vec<usize> = Vec::new();
    for v in sorted {
        if values.last() == Some(&v) {
            if let Some(c) = counts.last_mut() {
                *c += 1;
            }
        } else {
            values.push(v);
            counts.push(1);
        }
    }
    (values, counts)
}

/// Writes each kept element's coordinates into `positions` (`ndim` rows of the total count):
/// the elements of `values[i]` at columns `starts[i]..`, in C order.
pub fn fill<T: Key>(
    arr: &ArrayViewD<'_, T>,
    ignore: Option<T>,
    values: &[T],
    counts: &[usize],
    positions: &mut [i64],
) {
    let ndim = arr.ndim();
    let total: usize = counts.iter().sum();
    if values.is_empty() || positions.len() != ndim.max(1) * total {
        return;
    }
    let mut next: Vec<usize> = counts
        .iter()
        .scan(0, |start, &c| {
            let here = *start;
            *start += c;
            Some(here)
        })
        .collect();
    // Value -> slot: a table over the range where it is small, else a binary search.
    let (min, max) = (values[0], values[values.len() - 1]);
    let span = max.above(min).saturating_add(1);
    let table: Option<Vec<usize>> = (span <= DENSE_LIMIT.max(4 * arr.len() as u64)).then(|| {
        let mut table = vec![usize::MAX; span as usize];
        for (slot, v) in values.iter().enumerate() {
            table[v.above(min) as usize] = slot;
        }
        table
    });
    let slot_of = |v: T| -> Option<usize> {
        match &table {
            Some(t) if v >= min && v <= max => t.get(v.above(min) as usize).copied(),
            Some(_) => None,
            None => values.binary_search(&v).ok(),
        }
        .filter(|&s| s != usize::MAX)
    };
    let shape = arr.shape().to_vec();
    let mut coords = vec![0usize; ndim];
    for v in arr.iter().copied() {
        // `arr.iter()` walks in logical C order, whatever the strides.
        if Some(v) != ignore {
            if let Some(slot) = slot_of(v) {
                let column = next[slot];
                next[slot] += 1;
                for (d, &c) in coords.iter().enumerate() {
                    positions[d * total + column] = c as i64;
                }
            }
        }
        for k in (0..ndim).rev() {
            coords[k] += 1;
            if coords[k] < shape[k] {
                break;
            }
            coords[k] = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn groups_positions_by_value() {
        let a = array![[3i16, 1, 3], [0, 1, 2]].into_dyn();
        let (values, counts) = distinct(&a.view(), Some(0));
        assert_eq!(values, vec![1, 2, 3]);
        assert_eq!(counts, vec![2, 1, 2]);
        let mut positions = vec![0i64; 2 * 5];
        fill(&a.view(), Some(0), &values, &counts, &mut positions);
        assert_eq!(positions, vec![0, 1, 1, 0, 0, 1, 1, 2, 0, 2]);
        let wide = array![i64::MAX, i64::MIN, 0, i64::MAX].into_dyn();
        assert_eq!(
            distinct(&wide.view(), None),
            (vec![i64::MIN, 0, i64::MAX], vec![1, 1, 2])
        );
    }
}
