//! B-spline prefiltering (`spline_filter1d`): the coefficients whose B-spline of order 2 to 5
//! interpolates the samples, by the recursive filter of Unser, Aldroubi & Eden (1991): per pole,
//! one causal and one anticausal first-order pass, each started from the value the boundary
//! extension implies (closed forms for mirror and wrap extensions, and for reflect from
//! Thévenaz, as SciPy uses them).

use ndarray::{ArrayViewD, ArrayViewMutD, Axis};
use rayon::prelude::*;

use crate::parallel::with_workers;

/// How a line is extended beyond its ends, as the filter's initial values see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Boundary {
    /// `dcba|abcd|dcba` without repeating the edge (SciPy's mirror, constant, wrap, grid-constant).
    Mirror,
    /// Periodic (grid-wrap).
    Wrap,
    /// `dcba|abcd|dcba` repeating the edge (reflect, grid-mirror, nearest).
    Reflect,
}

/// The poles of the B-spline of `order` (2 to 5): `order / 2` of them.
pub fn poles(order: usize) -> Option<&'static [f64]> {
    Some(match order {
        // Shortest round-trip decimals of the doubles nearest the closed forms.
        2 => &[-0.171_572_875_253_809_9], // sqrt(8) - 3
        3 => &[-0.267_949_192_431_122_7], // sqrt(3) - 2
        // sqrt(664 -+ sqrt(438976)) +- sqrt(304) - 19
        4 => &[-0.361_341_225_900_220_16, -0.013_725_429_297_339_121],
        // sqrt(67.5 -+ sqrt(4436.25)) +- sqrt(26.25) - 6.5
        5 => &[-0.430_575_347_099_973_8, -0.043_096_288_203_264_65],
        _ => return None,
    })
}

// The filters below work on blocks of `W` lines interleaved (`c[i * W + l]`: sample `i` of
// line `l`), every line computed with exactly the operations, in the order, of one line alone;
// across lines the loops vectorise, and gathering neighbouring strided lines reads whole cache
// lines instead of one value from each.

/// Sample `i` of every line of the block.
#[inline(always)]
fn at<const W: usize>(c: &[f64], i: usize) -> &[f64; W] {
    c[i * W..(i + 1) * W]
        .try_into()
        .expect("block rows hold W values")
}

fn causal_start<const W: usize>(c: &mut [f64], n: usize, z: f64, boundary: Boundary) {
    let mut c0: [f64; W] = *at::<W>(c, 0);
    match boundary {
        Boundary::Mirror => {
            let z_n_1 = z.powf((n - 1) as f64); // libm pow, as SciPy (powi rounds differently)
            let mut z_i = z;
            let last = at::<W>(c, n - 1);
            (0..W).for_each(|l| c0[l] += z_n_1 * last[l]);
            for i in 1..n - 1 {
                let (a, b) = (at::<W>(c, i), at::<W>(c, n - 1 - i));
                (0..W).for_each(|l| c0[l] += z_i * (a[l] + z_n_1 * b[l]));
                z_i *= z;
            }
            (0..W).for_each(|l| c0[l] /= 1.0 - z_n_1 * z_n_1);
        }
        Boundary::Wrap => {
            let mut z_i = z;
            for i in 1..n {
                let a = at::<W>(c, n - i);
                (0..W).for_each(|l| c0[l] += z_i * a[l]);
                z_i *= z;
            }
            (0..W).for_each(|l| c0[l] /= 1.0 - z_i); // z_i = z^n
        }
        Boundary::Reflect => {
            let z_n = z.powf(n as f64);
            let first = c0;
            let mut z_i = z;
            let last = at::<W>(c, n - 1);
            (0..W).for_each(|l| c0[l] += z_n * last[l]);
            for i in 1..n - 1 {
                let (a, b) = (at::<W>(c, i), at::<W>(c, n - 1 - i));
                (0..W).for_each(|l| c0[l] += z_i * (a[l] + z_n * b[l]));
                z_i *= z;
            }
            // The last term reads sample 0, which (as in SciPy, in place) is the sum so far.
            (0..W).for_each(|l| c0[l] += z_i * (last[l] + z_n * c0[l]));
            (0..W).for_each(|l| {
                c0[l] *= z / (1.0 - z_n * z_n);
                c0[l] += first[l];
            });
        }
    }
    c[..W].copy_from_slice(&c0);
}

fn anticausal_start<const W: usize>(c: &mut [f64], n: usize, z: f64, boundary: Boundary) {
    let mut cn: [f64; W] = *at::<W>(c, n - 1);
    match boundary {
        Boundary::Mirror => {
            let before = at::<W>(c, n - 2);
            (0..W).for_each(|l| cn[l] = (z * before[l] + cn[l]) * z / (z * z - 1.0));
        }
        Boundary::Wrap => {
            let mut z_i = z;
            for i in 0..n - 1 {
                let a = at::<W>(c, i);
                (0..W).for_each(|l| cn[l] += z_i * a[l]);
                z_i *= z;
            }
            (0..W).for_each(|l| cn[l] *= z / (z_i - 1.0)); // z_i = z^n
        }
        Boundary::Reflect => (0..W).for_each(|l| cn[l] *= z / (z - 1.0)),
    }
    c[(n - 1) * W..n * W].copy_from_slice(&cn);
}

/// Filters a block of `W` interleaved lines of `n` samples in place (lines of one value are
/// their own coefficients).
fn filter_block<const W: usize>(c: &mut [f64], n: usize, poles: &[f64], boundary: Boundary) {
    if n < 2 {
        return;
    }
    let gain: f64 = poles.iter().map(|&z| (1.0 - z) * (1.0 - 1.0 / z)).product();
    c[..n * W].iter_mut().for_each(|v| *v *= gain);
    for &z in poles {
        causal_start::<W>(c, n, z, boundary);
        for i in 1..n {
            let (done, rest) = c.split_at_mut(i * W);
            let (prev, cur) = (&done[(i - 1) * W..], &mut rest[..W]);
            (0..W).for_each(|l| cur[l] += z * prev[l]);
        }
        anticausal_start::<W>(c, n, z, boundary);
        for i in (0..n - 1).rev() {
            let (cur, next) = c.split_at_mut((i + 1) * W);
            let (cur, next) = (&mut cur[i * W..], &next[..W]);
            (0..W).for_each(|l| cur[l] = z * (next[l] - cur[l]));
        }
    }
}

/// Filters one line in place (lines of one value are their own coefficients).
pub fn filter_line(c: &mut [f64], poles: &[f64], boundary: Boundary) {
    filter_block::<1>(c, c.len(), poles, boundary);
}

/// Lines filtered together when they are strided (neighbouring lines share cache lines).
const LANES: usize = 16;

/// The first elements of a group of lines, input and output.
struct LineStarts<I, O>(Vec<(*const I, *mut O)>);

// SAFETY: the pointers address disjoint output lines (each written by one task) and input
// lines only read while `spline_filter1d` holds the views.
unsafe impl<I, O> Send for LineStarts<I, O> {}
unsafe impl<I, O> Sync for LineStarts<I, O> {}

/// `filter_line` over every line along `axis`, from `input` (read as double) into `output`
/// (stored with a C cast), blocks of lines in parallel with `workers > 1`.
pub fn spline_filter1d<I, O>(
    input: ArrayViewD<'_, I>,
    mut output: ArrayViewMutD<'_, O>,
    axis: usize,
    poles: &[f64],
    boundary: Boundary,
    workers: usize,
) where
    I: Copy + Into<f64> + Sync,
    O: Copy + Send + Sync + FromDouble,
{
    if output.is_empty() || axis >= output.ndim() || input.shape() != output.shape() {
        return;
    }
    let n = input.shape()[axis];
    let (si, so) = (input.strides()[axis], output.strides()[axis]);
    let starts = LineStarts(
        input
            .lanes(Axis(axis))
            .into_iter()
            .zip(output.lanes_mut(Axis(axis)))
            .map(|(a, mut b)| (a.as_ptr(), b.as_mut_ptr()))
            .collect(),
    );
    filter_lines(&starts, n, si, so, poles, boundary, workers);
}

/// [`spline_filter1d`] of `data` into itself: each block of lines is read whole into its
/// buffer before it is written back, so no second array is needed.
pub fn spline_filter1d_inplace<T>(
    mut data: ArrayViewMutD<'_, T>,
    axis: usize,
    poles: &[f64],
    boundary: Boundary,
    workers: usize,
) where
    T: Copy + Into<f64> + Send + Sync + FromDouble,
{
    if data.is_empty() || axis >= data.ndim() {
        return;
    }
    let (n, stride) = (data.shape()[axis], data.strides()[axis]);
    let starts = LineStarts(
        data.lanes_mut(Axis(axis))
            .into_iter()
            .map(|mut line| (line.as_ptr(), line.as_mut_ptr()))
            .collect(),
    );
    filter_lines(&starts, n, stride, stride, poles, boundary, workers);
}

/// Filters the lines of `n` samples starting at `starts` (element strides `si` in, `so` out).
fn filter_lines<I, O>(
    starts: &LineStarts<I, O>,
    n: usize,
    si: isize,
    so: isize,
    poles: &[f64],
    boundary: Boundary,
    workers: usize,
) where
    I: Copy + Into<f64>,
    O: Copy + FromDouble,
{
    // Contiguous lines gain nothing from interleaving.
    let width = if si == 1 && so == 1 { 1 } else { LANES };
    let block = |buffer: &mut Vec<f64>, lines: &[(*const I, *mut O)]| {
        buffer.clear();
        buffer.resize(n * width, 0.0);
        for i in 0..n {
            for (l, &(src, _)) in lines.iter().enumerate() {
                // SAFETY: sample `i` of a line of `n` in the input view.
                buffer[i * width + l] = unsafe { *src.offset(i as isize * si) }.into();
            }
        }
        if width == 1 {
            filter_block::<1>(buffer, n, poles, boundary);
        } else {
            filter_block::<LANES>(buffer, n, poles, boundary);
        }
        for i in 0..n {
            for (l, &(_, dst)) in lines.iter().enumerate() {
                // SAFETY: sample `i` of a line of the output view, written by this task only.
                unsafe { *dst.offset(i as isize * so) = O::from_double(buffer[i * width + l]) };
            }
        }
    };
    let lines = |b: usize| &starts.0[b * width..starts.0.len().min((b + 1) * width)];
    let blocks = starts.0.len().div_ceil(width);
    // Waking a pool costs more than filtering a small array.
    if workers <= 1 || starts.0.len() * n < 1 << 15 {
        let mut buffer = Vec::new();
        (0..blocks).for_each(|b| block(&mut buffer, lines(b)));
    } else {
        with_workers(workers, || {
            (0..blocks)
                .into_par_iter()
                .for_each_init(Vec::new, |buffer, b| block(buffer, lines(b)))
        });
    }
}

/// An output element type, stored from a double as C casts it.
pub trait FromDouble {
    fn from_double(v: f64) -> Self;
}

impl FromDouble for f64 {
    fn from_double(v: f64) -> Self {
        v
    }
}

impl FromDouble for f32 {
    fn from_double(v: f64) -> Self {
        v as f32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The coefficients' cubic B-spline reproduces the samples: c[i-1] + 4 c[i] + c[i+1] = 6 x[i]
    /// inside the line (mirror extension at the ends).
    #[test]
    fn cubic_coefficients_interpolate() {
        let x: Vec<f64> = (0..9).map(|i| ((i * 5) % 7) as f64).collect();
        let mut c = x.clone();
        filter_line(&mut c, poles(3).unwrap_or(&[]), Boundary::Mirror);
        for i in 1..8 {
            let value = (c[i - 1] + 4.0 * c[i] + c[i + 1]) / 6.0;
            assert!((value - x[i]).abs() < 1e-12, "{i}: {value} vs {}", x[i]);
        }
        let first = (c[1] + 4.0 * c[0] + c[1]) / 6.0;
        assert!((first - x[0]).abs() < 1e-12);
    }
}
