//! Binary morphology and the distance transforms (`scipy.ndimage`'s `binary_erosion` family,
//! `distance_transform_edt`, `distance_transform_cdt`, `distance_transform_bf`), on
//! C-contiguous flat buffers with their shape. Results are SciPy's exactly: the same
//! neighbourhoods, border, mask and iteration rules; the same feature transforms, ties broken
//! the same way.

pub mod binary;
pub mod brute;
pub mod chamfer;
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

/// Flat C-order indices into coordinates, in place: `features` holds `rank` blocks of
/// `shape`'s size, block 0 the flat indices (in `0..size`); on return block `k` holds
/// coordinate `k` of each (SciPy's `(rank, *shape)` feature arrays).
pub fn unravel(features: &mut [i32], shape: &[usize], workers: usize) -> Result<(), String> {
    const CHUNK: usize = 1 << 15;
    let rank = shape.len();
    let size: usize = shape.iter().product();
    if rank == 0 || features.len() != rank * size || size > i32::MAX as usize {
        return Err("unravel: features must hold rank blocks of the shape's size".into());
    }
    if size == 0 || rank == 1 {
        return Ok(());
    }
    // Chunk t of every block, together.
    let mut parts: Vec<Vec<&mut [i32]>> = Vec::new();
    for block in features.chunks_mut(size) {
        for (t, chunk) in block.chunks_mut(CHUNK).enumerate() {
            if parts.len() <= t {
                parts.push(Vec::with_capacity(rank));
            }
            parts[t].push(chunk);
        }
    }
    let body = |mut chunk: Vec<&mut [i32]>| {
        let (first, rest) = chunk.split_at_mut(1);
        for (k, block) in rest.iter_mut().enumerate().rev() {
            divide(first[0], block, shape[k + 1] as u32);
        }
    };
    if workers <= 1 || parts.len() == 1 {
        parts.into_iter().for_each(body);
    } else {
        with_workers(workers, || parts.into_par_iter().for_each(body));
    }
    Ok(())
}

/// `rem, out = rem / by, rem % by` element-wise (non-negative values below 2^31).
fn divide(rem: &mut [i32], out: &mut [i32], by: u32) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2.
        return unsafe { divide_avx2(rem, out, by) };
    }
    divide_body(rem, out, by)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn divide_avx2(rem: &mut [i32], out: &mut [i32], by: u32) {
    divide_body(rem, out, by)
}

#[inline(always)]
fn divide_body(rem: &mut [i32], out: &mut [i32], by: u32) {
    // By the float64 reciprocal (vectorised): for values below 2^31 the product is within
    // far less than 1 of the exact quotient, so its floor is off by one at most, and fixed.
    let by = by as i32;
    let inverse = 1.0 / f64::from(by);
    for (r, o) in rem.iter_mut().zip(out) {
        let mut q = (f64::from(*r) * inverse) as i32;
        let mut m = *r - q * by;
        if m < 0 {
            q -= 1;
            m += by;
        } else if m >= by {
            q += 1;
            m -= by;
        }
        *o = m;
        *r = q;
    }
}
