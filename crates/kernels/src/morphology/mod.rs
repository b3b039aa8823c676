//! Binary morphology and the exact Euclidean distance transform (`scipy.ndimage`'s
//! `binary_erosion` family and `distance_transform_edt`), on C-contiguous flat buffers with
//! their shape. Results are SciPy's exactly: the same neighbourhoods, border, mask and
//! iteration rules; the same feature transform, ties broken the same way.

pub mod binary;
pub mod edt;

use rayon::prelude::*;

use crate::parallel::with_workers;

/// Runs `f` on every `(index, chunk)` of `data` cut into `len`-sized chunks, on `workers`
/// threads (inline when `workers <= 1`), and sums what it returns.
pub(crate) fn sum_chunks<T: Send>(
    data: &mut [T],
    len: usize,
    workers: usize,
    f: impl Fn(usize, &mut [T]) -> usize + Send + Sync,
) -> usize {
    let len = len.max(1);
    if workers <= 1 || data.len() <= len {
        return data.chunks_mut(len).enumerate().map(|(i, c)| f(i, c)).sum();
    }
    with_workers(workers, || {
        data.par_chunks_mut(len)
            .enumerate()
            .with_min_len(64)
            .map(|(i, c)| f(i, c))
            .sum()
    })
}
