//! `distance_transform_bf`: SciPy's brute-force distance transform
//! (`NI_DistanceTransformBruteForce`) with its results exactly, without its O(foreground x
//! border) cost.
//!
//! SciPy compares every foreground element with every border element (background touching
//! the foreground, full connectivity), the highest flat index first, keeping the first
//! strictly smaller distance: the distance is the minimum, the feature the highest-index
//! border element at it. Distances are computed as SciPy does (Euclidean: float64, the
//! squares of the sampled differences added axis by axis; city block, chessboard: integers).
//!
//! Here each element first takes the distance `w` to some background element (its Euclidean
//! feature, a fast exact transform); the nearest border element is no farther (a step from a
//! background element toward the element, along every axis at once, never increases a
//! distance, rounding included, and ends at a border element). So only border elements
//! within reach `w` along each axis can be the minimum; those are looked up by row, and of
//! them the nearest, the highest index on ties, is SciPy's.

use rayon::prelude::*;

use super::edt;
use crate::parallel::with_workers;

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    Euclidean,
    CityBlock,
    Chessboard,
}

/// The distances output: float64 (Euclidean) or uint32 (the others), or none.
pub enum Distances<'a> {
    None,
    F64(&'a mut [f64]),
    U32(&'a mut [u32]),
}

/// SciPy's brute-force transform of `labels` (SciPy's array: 1 foreground, -1 border, 0
/// other background; C order, `shape`) into `distances` and `features` (flat indices).
/// `sampling` (Euclidean only): finite, per axis, small enough that no distance overflows.
pub fn brute_force(
    labels: &[i8],
    shape: &[usize],
    metric: Metric,
    sampling: Option<&[f64]>,
    mut distances: Distances<'_>,
    features: Option<&mut [i32]>,
    workers: usize,
) -> Result<(), String> {
    let rank = shape.len();
    let size: usize = shape.iter().product();
    let dlen = match &distances {
        Distances::None => size,
        Distances::F64(d) => d.len(),
        Distances::U32(d) => d.len(),
    };
    if rank == 0
        || labels.len() != size
        || dlen != size
        || features.as_ref().is_some_and(|f| f.len() != size)
    {
        return Err("sizes do not match the shape".into());
    }
    if size > i32::MAX as usize {
        return Err("too many elements for int32 indices".into());
    }
    let sampling = match (metric, sampling) {
        (Metric::Euclidean, Some(s)) if s.len() != rank || s.iter().any(|v| !v.is_finite()) => {
            return Err("finite sampling, one value per axis, expected".into())
        }
        (Metric::Euclidean, s) => s,
        _ => None, // SciPy ignores it
    };
    if size == 0 {
        return Ok(());
    }
    let n = shape[rank - 1];
    let rows = size / n;
    // Border elements by row: their columns, and where each row's start in that list.
    let mut row_start = Vec::with_capacity(rows + 1);
    let mut columns = Vec::new();
    for row in labels.chunks(n) {
        row_start.push(columns.len());
        columns.extend(
            row.iter()
                .enumerate()
                .filter(|(_, &l)| l < 0)
                .map(|(j, _)| j as u32),
        );
    }
    row_start.push(columns.len());
    // A background element for each element (its Euclidean feature), for the reach.
    let mut near = vec![0i32; rank * size];
    if !columns.is_empty() {
        let fg: Vec<u8> = labels.iter().map(|&l| u8::from(l > 0)).collect();
        edt::feature_transform(&fg, shape, None, &mut near, workers)?;
    }
    let search = Search {
        shape,
        rank,
        size,
        metric,
        sampling,
        row_start: &row_start,
        columns: &columns,
        near: &near,
    };
    const CHUNK: usize = 1 << 12;
    let mut features = features;
    let results = |t: usize, out: &mut [(f64, u32, i32)]| {
        let mut scratch = Scratch {
            coords: vec![0; rank],
            lo: vec![0; rank],
            hi: vec![0; rank],
            row: vec![0; rank],
        };
        for (i, o) in out.iter_mut().enumerate() {
            let p = t * CHUNK + i;
            *o = if labels[p] > 0 {
                search.nearest(p, &mut scratch)
            } else {
                (0.0, 0, p as i32)
            };
        }
    };
    // Computed chunk by chunk into a small buffer, then written out.
    let mut buffer = vec![(0.0, 0u32, 0i32); size.min(CHUNK * workers.max(1) * 4)];
    let per_round = buffer.len().div_ceil(CHUNK);
    let mut done = 0;
    while done < size {
        let len = (size - done).min(buffer.len());
        let first = done / CHUNK;
        let slice = &mut buffer[..len];
        if workers <= 1 || per_round == 1 {
            slice
                .chunks_mut(CHUNK)
                .enumerate()
                .for_each(|(t, c)| results(first + t, c));
        } else {
            with_workers(workers, || {
                slice
                    .par_chunks_mut(CHUNK)
                    .enumerate()
                    .for_each(|(t, c)| results(first + t, c))
            });
        }
        for (i, &(e, u, f)) in slice.iter().enumerate() {
            match &mut distances {
                Distances::None => {}
                Distances::F64(d) => d[done + i] = e,
                Distances::U32(d) => d[done + i] = u,
            }
            if let Some(ft) = features.as_deref_mut() {
                ft[done + i] = f;
            }
        }
        done += len;
    }
    Ok(())
}

/// Per-element working space: the element's coordinates, the box of rows searched (its
/// corners) and the row being searched, by leading coordinates.
struct Scratch {
    coords: Vec<usize>,
    lo: Vec<usize>,
    hi: Vec<usize>,
    row: Vec<usize>,
}

struct Search<'a> {
    shape: &'a [usize],
    rank: usize,
    size: usize,
    metric: Metric,
    sampling: Option<&'a [f64]>,
    row_start: &'a [usize],
    columns: &'a [u32],
    near: &'a [i32],
}

/// SciPy's term of one axis: the sampled difference, squared.
#[inline(always)]
fn square(t: i64, s: Option<f64>) -> f64 {
    let t = t as f64;
    let t = match s {
        Some(s) => t * s,
        None => t,
    };
    t * t
}

/// The largest `t <= limit` with `square(t, s) <= w` (it grows with `t`).
fn reach(w: f64, s: Option<f64>, limit: usize) -> usize {
    let scale = s.map_or(1.0, f64::abs);
    let mut t = if scale == 0.0 {
        limit
    } else {
        ((w.sqrt() / scale) as usize).min(limit)
    };
    while t < limit && square(t as i64 + 1, s) <= w {
        t += 1;
    }
    while t > 0 && square(t as i64, s) > w {
        t -= 1;
    }
    t
}

impl Search<'_> {
    /// (Euclidean distance, integer distance, feature) of foreground element `p`.
    fn nearest(&self, p: usize, scratch: &mut Scratch) -> (f64, u32, i32) {
        let (rank, shape) = (self.rank, self.shape);
        let Scratch {
            coords,
            lo,
            hi,
            row,
        } = scratch;
        if self.columns.is_empty() {
            // No background: SciPy's initial values.
            return (f64::MAX.sqrt(), u32::MAX, 0);
        }
        let mut rest = p;
        for k in (0..rank).rev() {
            coords[k] = rest % shape[k];
            rest /= shape[k];
        }
        let sample = |k: usize| self.sampling.map(|s| s[k]);
        let euclidean = self.metric == Metric::Euclidean;
        // The bound: the distance to that background element, as SciPy computes distances.
        let (mut best_f, mut best_u) = (0.0f64, 0u32);
        for (k, &c) in coords.iter().enumerate() {
            let t = c as i64 - i64::from(self.near[k * self.size + p]);
            match self.metric {
                Metric::Euclidean => best_f += square(t, sample(k)),
                Metric::CityBlock => best_u += t.unsigned_abs() as u32,
                Metric::Chessboard => best_u = best_u.max(t.unsigned_abs() as u32),
            }
        }
        let reach_of = |k: usize, bf: f64, bu: u32| {
            if euclidean {
                reach(bf, sample(k), shape[k])
            } else {
                (bu as usize).min(shape[k])
            }
        };
        let lead = rank - 1;
        // The box of rows within reach, by its corners.
        for k in 0..lead {
            let t = reach_of(k, best_f, best_u);
            (lo[k], hi[k]) = (
                coords[k].saturating_sub(t),
                (coords[k] + t).min(shape[k] - 1),
            );
            row[k] = lo[k];
        }
        let mut best_q = -1i64;
        let n = shape[lead];
        loop {
            // This row's part of the distance, in SciPy's order of axes, and its index.
            let (mut part_f, mut part_u, mut r) = (0.0f64, 0u32, 0usize);
            for k in 0..lead {
                let t = coords[k] as i64 - row[k] as i64;
                match self.metric {
                    Metric::Euclidean => part_f += square(t, sample(k)),
                    Metric::CityBlock => part_u += t.unsigned_abs() as u32,
                    Metric::Chessboard => part_u = part_u.max(t.unsigned_abs() as u32),
                }
                r = r * shape[k] + row[k];
            }
            let hopeless = if euclidean {
                part_f > best_f
            } else {
                part_u > best_u
            };
            if !hopeless {
                let t = match self.metric {
                    Metric::Euclidean => reach(best_f, sample(lead), n),
                    Metric::CityBlock => (best_u - part_u) as usize,
                    Metric::Chessboard => best_u as usize,
                };
                let cols = &self.columns[self.row_start[r]..self.row_start[r + 1]];
                let c = coords[lead];
                let from = cols.partition_point(|&j| (j as usize) + t < c);
                for &j in &cols[from..] {
                    let j = j as usize;
                    if j > c + t {
                        break;
                    }
                    let tl = c as i64 - j as i64;
                    let flat = (r * n + j) as i64;
                    // Nearer, or as near and a higher index: SciPy's pick.
                    if euclidean {
                        let d = part_f + square(tl, sample(lead));
                        if d < best_f || (d == best_f && flat > best_q) {
                            best_f = d;
                            best_q = flat;
                        }
                    } else {
                        let a = tl.unsigned_abs() as u32;
                        let d = if self.metric == Metric::CityBlock {
                            part_u + a
                        } else {
                            part_u.max(a)
                        };
                        if d < best_u || (d == best_u && flat > best_q) {
                            best_u = d;
                            best_q = flat;
                        }
                    }
                }
            }
            // The next row of the box.
            let mut k = lead;
            loop {
                if k == 0 {
                    return (best_f.sqrt(), best_u, best_q as i32);
                }
                k -= 1;
                if row[k] < hi[k] {
                    row[k] += 1;
                    break;
                }
                row[k] = lo[k];
            }
        }
    }
}
