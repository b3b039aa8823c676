//! The exact Euclidean feature transform of SciPy's `distance_transform_edt`
//! (`NI_EuclideanFeatureTransform`: Maurer, Qi and Raghavan's separable linear-time
//! algorithm), and the distances from it.
//!
//! For every point, the coordinates of the nearest background (zero) point, with SciPy's
//! arithmetic and tie-breaking: axis 0 first, then each further axis, every line along it
//! reduced to the points whose Voronoi cells the line crosses. The lines of one axis are
//! independent and run in parallel, in blocks of neighbouring lines (sharing cache lines).

use rayon::prelude::*;

use crate::parallel::with_workers;

/// Lines processed together (neighbours in memory) by one task.
const BLOCK: usize = 16;

#[derive(Clone, Copy)]
struct Shared(*mut i32);
// SAFETY: each task writes only the points of its own lines; nobody reads them meanwhile.
unsafe impl Send for Shared {}
unsafe impl Sync for Shared {}

impl Shared {
    fn get(self) -> *mut i32 {
        self.0
    }
}

/// The feature transform of `input` (nonzero: foreground; C order, `shape`) into `features`
/// (`rank` blocks of the array's size, C order: SciPy's `(rank, *shape)` int32 array).
/// Foreground points of lines holding no feature keep `-1` in block 0 and their other
/// blocks untouched, as in SciPy. `sampling`: the spacing along each axis.
pub fn feature_transform(
    input: &[u8],
    shape: &[usize],
    sampling: Option<&[f64]>,
    features: &mut [i32],
    workers: usize,
) -> Result<(), String> {
    let rank = shape.len();
    let n: usize = shape.iter().product();
    if rank == 0 || input.len() != n || features.len() != n * rank {
        return Err("feature_transform: sizes do not match the shape".into());
    }
    if sampling.is_some_and(|s| s.len() != rank) {
        return Err("feature_transform: one sampling value per axis expected".into());
    }
    if shape.iter().any(|&s| s > i32::MAX as usize) {
        return Err("feature_transform: axis too long for int32 indices".into());
    }
    if n == 0 {
        return Ok(());
    }
    let ptr = Shared(features.as_mut_ptr());
    let first_axis = if sampling.is_none() {
        // Axis 0 without sampling: SciPy's Voronoi pass keeps every background point of a line
        // (they differ only along it), so each point takes the nearest, the lower on a tie:
        // two sweeps over whole rows, not line by line.
        nearest_along_first_axis(input, shape, ptr, workers);
        1
    } else {
        // Background points are their own features; foreground ones are marked -1.
        let inner: usize = shape[1..].iter().product();
        super::sum_chunks(&mut features[..n], inner, workers, |i0, row| {
            for (f, &v) in row.iter_mut().zip(&input[i0 * inner..(i0 + 1) * inner]) {
                *f = if v != 0 { -1 } else { i0 as i32 };
            }
            0
        });
        own_coordinates(input, shape, ptr, |p| input[p] == 0, workers);
        0
    };
    // Without sampling every quantity SciPy computes in float64 is an integer below 2^53
    // while the axes are at most 2^15 long: computed in i64, the same values exactly.
    let exact = sampling.is_none() && shape.iter().all(|&s| s <= 1 << 15);
    // Along an axis of length 1 a pass leaves every point as it is.
    for d in (first_axis..rank).filter(|&d| shape[d] > 1) {
        let len = shape[d];
        let inner: usize = shape[d + 1..].iter().product();
        let outer: usize = shape[..d].iter().product();
        let blocks = inner.div_ceil(BLOCK);
        let task = move |t: usize, scratch: &mut Scratch| {
            let (o, b) = (t / blocks, t % blocks);
            for i in b * BLOCK..((b + 1) * BLOCK).min(inner) {
                let start = o * len * inner + i;
                // The line's coordinates off axis d.
                let mut rem = start;
                for k in (0..rank).rev() {
                    scratch.coor[k] = (rem % shape[k]) as i64;
                    rem /= shape[k];
                }
                // SAFETY: `start + ii * inner + k * n` for ii < len, k < rank are the points
                // of this line only, inside `features`.
                unsafe {
                    if exact {
                        voronoi_exact(ptr, n, start, inner, len, rank, d, scratch)
                    } else {
                        voronoi(ptr, n, start, inner, len, rank, d, sampling, scratch)
                    }
                };
            }
        };
        let tasks = outer * blocks;
        if workers <= 1 || tasks == 1 {
            let mut scratch = Scratch::new(len, rank);
            (0..tasks).for_each(|t| task(t, &mut scratch));
        } else {
            with_workers(workers, || {
                (0..tasks)
                    .into_par_iter()
                    .for_each_init(|| Scratch::new(len, rank), |s, t| task(t, s))
            });
        }
    }
    Ok(())
}

/// Components 1.. of the points `keep` selects: their own coordinates.
fn own_coordinates(
    input: &[u8],
    shape: &[usize],
    ptr: Shared,
    keep: impl Fn(usize) -> bool + Sync,
    workers: usize,
) {
    const CHUNK: usize = 1 << 14;
    let rank = shape.len();
    let n = input.len();
    if rank < 2 {
        return;
    }
    let body = |t: usize| {
        let (lo, hi) = (t * CHUNK, ((t + 1) * CHUNK).min(n));
        let mut coor = vec![0usize; rank];
        let mut rem = lo;
        for k in (0..rank).rev() {
            coor[k] = rem % shape[k];
            rem /= shape[k];
        }
        for p in lo..hi {
            if keep(p) {
                for (k, &c) in coor.iter().enumerate().skip(1) {
                    // SAFETY: component k of point p, inside `features`; each point is
                    // written by the task of its own chunk only.
                    unsafe { *ptr.get().add(k * n + p) = c as i32 };
                }
            }
            for k in (0..rank).rev() {
                coor[k] += 1;
                if coor[k] < shape[k] {
                    break;
                }
                coor[k] = 0;
            }
        }
    };
    let tasks = n.div_ceil(CHUNK);
    if workers <= 1 || tasks == 1 {
        (0..tasks).for_each(body);
    } else {
        with_workers(workers, || (0..tasks).into_par_iter().for_each(body));
    }
}

/// The features after SciPy's pass along axis 0 without sampling: for each point the
/// nearest background point of its axis-0 line (the lower one on a tie) in component 0 and
/// its own coordinates in the others; -1 in component 0 of lines without background.
fn nearest_along_first_axis(input: &[u8], shape: &[usize], ptr: Shared, workers: usize) {
    let n = input.len();
    let len = shape[0];
    let inner = n / len;
    let columns = |lo: usize, hi: usize| {
        let f = ptr.get();
        // Forward: the last background point at or before each point.
        let mut last = vec![-1i32; hi - lo];
        for i in 0..len {
            let row = &input[i * inner + lo..i * inner + hi];
            for (c, (l, &v)) in last.iter_mut().zip(row).enumerate() {
                if v == 0 {
                    *l = i as i32;
                }
                // SAFETY: component 0 of a point in this task's columns.
                unsafe { *f.add(i * inner + lo + c) = *l };
            }
        }
        // Backward: the next one at or after; keep the nearer, the earlier on a tie.
        let mut next = vec![-1i32; hi - lo];
        for i in (0..len).rev() {
            let row = &input[i * inner + lo..i * inner + hi];
            let ii = i as i32;
            for (c, (nx, &v)) in next.iter_mut().zip(row).enumerate() {
                if v == 0 {
                    *nx = ii;
                }
                // SAFETY: as above.
                unsafe {
                    let slot = f.add(i * inner + lo + c);
                    let before = *slot;
                    *slot = if before < 0 || (*nx >= 0 && *nx - ii < ii - before) {
                        *nx
                    } else {
                        before
                    };
                }
            }
        }
    };
    const COLUMNS: usize = 1024;
    let tasks = inner.div_ceil(COLUMNS);
    let task = |t: usize| columns(t * COLUMNS, ((t + 1) * COLUMNS).min(inner));
    if workers <= 1 || tasks == 1 {
        (0..tasks).for_each(task);
    } else {
        with_workers(workers, || (0..tasks).into_par_iter().for_each(task));
    }
    // SAFETY: component 0 is complete; reading it while writing components 1.. (disjoint).
    own_coordinates(
        input,
        shape,
        ptr,
        |p| unsafe { *ptr.get().add(p) } >= 0,
        workers,
    );
}

struct Scratch {
    f: Vec<i64>,
    g: Vec<usize>,
    h: Vec<i64>,
    coor: Vec<i64>,
}

impl Scratch {
    fn new(len: usize, rank: usize) -> Self {
        Self {
            f: vec![0; len * rank],
            g: vec![0; len],
            h: vec![0; len],
            coor: vec![0; rank],
        }
    }
}

/// SciPy's `_VoronoiFT` on one line (`len` points from `start`, `stride` apart; component
/// `k` of a point `k * n` further), same operations in the same order.
// Indexed loops over the axes, as SciPy's: the order of the floating-point operations is
// the point.
#[allow(clippy::too_many_arguments, clippy::needless_range_loop)]
unsafe fn voronoi(
    ptr: Shared,
    n: usize,
    start: usize,
    stride: usize,
    len: usize,
    rank: usize,
    d: usize,
    sampling: Option<&[f64]>,
    s: &mut Scratch,
) {
    let (f, g, coor) = (&mut s.f, &mut s.g, &s.coor);
    let base = ptr.get();
    for ii in 0..len {
        for jj in 0..rank {
            f[ii * rank + jj] = i64::from(*base.add(start + ii * stride + jj * n));
        }
    }
    let at = |i: usize, j: usize| f[i * rank + j];
    let scale = |t: f64, j: usize| match sampling {
        Some(s) => t * s[j],
        None => t,
    };
    let mut l: isize = -1;
    for ii in 0..len {
        if at(ii, 0) < 0 {
            continue;
        }
        let fd = at(ii, d) as f64;
        let mut wr = 0.0f64;
        for jj in 0..rank {
            if jj != d {
                let tw = scale((at(ii, jj) - coor[jj]) as f64, jj);
                wr += tw * tw;
            }
        }
        while l >= 1 {
            let idx1 = g[l as usize];
            let f1 = at(idx1, d) as f64;
            let idx2 = g[l as usize - 1];
            let a = scale(f1 - at(idx2, d) as f64, d);
            let b = scale(fd - f1, d);
            let c = a + b;
            let (mut ur, mut vr) = (0.0f64, 0.0f64);
            for jj in 0..rank {
                if jj != d {
                    let cc = coor[jj] as f64;
                    let tu = scale(at(idx2, jj) as f64 - cc, jj);
                    let tv = scale(at(idx1, jj) as f64 - cc, jj);
                    ur += tu * tu;
                    vr += tv * tv;
                }
            }
            if c * vr - b * ur - a * wr - a * b * c <= 0.0 {
                break;
            }
            l -= 1;
        }
        l += 1;
        g[l as usize] = ii;
    }
    let maxl = l;
    if maxl < 0 {
        return;
    }
    let dist = |k: usize, ii: usize| {
        let mut delta = 0.0f64;
        for jj in 0..rank {
            let t = if jj == d {
                at(k, jj) - ii as i64
            } else {
                at(k, jj) - coor[jj]
            };
            let t = scale(t as f64, jj);
            delta += t * t;
        }
        delta
    };
    let mut l = 0usize;
    for ii in 0..len {
        let mut delta1 = dist(g[l], ii);
        while (l as isize) < maxl {
            let delta2 = dist(g[l + 1], ii);
            if delta1 <= delta2 {
                break;
            }
            delta1 = delta2;
            l += 1;
        }
        let idx1 = g[l];
        for jj in 0..rank {
            *base.add(start + ii * stride + jj * n) = at(idx1, jj) as i32;
        }
    }
}

/// `voronoi` without sampling, in exact integers (see `exact` above): the squared distance
/// of each candidate off the line (`h`) is computed once, not at every comparison.
#[allow(clippy::too_many_arguments)]
unsafe fn voronoi_exact(
    ptr: Shared,
    n: usize,
    start: usize,
    stride: usize,
    len: usize,
    rank: usize,
    d: usize,
    s: &mut Scratch,
) {
    let (f, g, h, coor) = (&mut s.f, &mut s.g, &mut s.h, &s.coor);
    let base = ptr.get();
    for ii in 0..len {
        let mut off = 0i64;
        for jj in 0..rank {
            let v = i64::from(*base.add(start + ii * stride + jj * n));
            f[ii * rank + jj] = v;
            if jj != d {
                let t = v.wrapping_sub(coor[jj]);
                off = off.wrapping_add(t.wrapping_mul(t));
            }
        }
        h[ii] = off;
    }
    let mut l: isize = -1;
    for ii in 0..len {
        if f[ii * rank] < 0 {
            continue;
        }
        let fd = f[ii * rank + d];
        let wr = h[ii];
        while l >= 1 {
            let idx1 = g[l as usize];
            let idx2 = g[l as usize - 1];
            let f1 = f[idx1 * rank + d];
            let a = f1 - f[idx2 * rank + d];
            let b = fd - f1;
            let c = a + b;
            if c * h[idx1] - b * h[idx2] - a * wr - a * b * c <= 0 {
                break;
            }
            l -= 1;
        }
        l += 1;
        g[l as usize] = ii;
    }
    let maxl = l;
    if maxl < 0 {
        return;
    }
    let dist = |k: usize, ii: usize| {
        let t = f[k * rank + d] - ii as i64;
        h[k] + t * t
    };
    let mut l = 0usize;
    for ii in 0..len {
        let mut delta1 = dist(g[l], ii);
        while (l as isize) < maxl {
            let delta2 = dist(g[l + 1], ii);
            if delta1 <= delta2 {
                break;
            }
            delta1 = delta2;
            l += 1;
        }
        let idx1 = g[l];
        for jj in 0..rank {
            *base.add(start + ii * stride + jj * n) = f[idx1 * rank + jj] as i32;
        }
    }
}

/// SciPy's distances from a feature transform: `sqrt(sum_k ((f_k - x_k) * sampling_k)^2)`,
/// the squares summed in axis order, as NumPy does it.
pub fn distances(
    features: &[i32],
    shape: &[usize],
    sampling: Option<&[f64]>,
    out: &mut [f64],
    workers: usize,
) -> Result<(), String> {
    let rank = shape.len();
    let n: usize = shape.iter().product();
    if rank == 0 || out.len() != n || features.len() != n * rank {
        return Err("distances: sizes do not match the shape".into());
    }
    if n == 0 {
        return Ok(());
    }
    let row = shape[rank - 1];
    let body = |r: usize, chunk: &mut [f64]| {
        let mut coor = vec![0i32; rank];
        let mut rem = r;
        for k in (0..rank - 1).rev() {
            coor[k] = (rem % shape[k]) as i32;
            rem /= shape[k];
        }
        for (x, o) in chunk.iter_mut().enumerate() {
            let p = r * row + x;
            coor[rank - 1] = x as i32;
            let mut acc = 0.0f64;
            for k in 0..rank {
                let t = features[k * n + p].wrapping_sub(coor[k]) as f64;
                let t = match sampling {
                    Some(s) => t * s[k],
                    None => t,
                };
                acc = if k == 0 { t * t } else { acc + t * t };
            }
            *o = acc.sqrt();
        }
        0
    };
    super::sum_chunks(out, row, workers, body);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_features_and_distances() {
        let input = [1, 0, 1, 1, 1, 0, 1];
        for sampling in [None, Some(&[1.0][..])] {
            let mut ft = [7; 7];
            feature_transform(&input, &[7], sampling, &mut ft, 1).unwrap();
            assert_eq!(ft, [1, 1, 1, 1, 5, 5, 5]); // the tie at 3 goes to the lower index
            let mut d = [0.0; 7];
            distances(&ft, &[7], sampling, &mut d, 1).unwrap();
            assert_eq!(d, [1.0, 0.0, 1.0, 2.0, 1.0, 0.0, 1.0]);
        }
    }

    #[test]
    fn plane_without_background_keeps_minus_one() {
        let mut ft = [5; 8];
        feature_transform(&[1; 4], &[2, 2], None, &mut ft, 2).unwrap();
        assert_eq!(ft[..4], [-1; 4]);
        assert_eq!(ft[4..], [5; 4]);
    }

    #[test]
    fn plane_features() {
        // 3x3 with one background point in the middle: every feature is (1, 1).
        let mut input = [1u8; 9];
        input[4] = 0;
        let mut ft = [0; 18];
        feature_transform(&input, &[3, 3], Some(&[1.0, 2.0]), &mut ft, 1).unwrap();
        assert_eq!(ft, [[1; 9], [1; 9]].concat()[..]);
    }
}
