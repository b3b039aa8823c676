//! B-spline prefiltering (`spline_filter1d`): the coefficients whose B-spline of order 2 to 5
//! interpolates the samples, by the recursive filter of Unser, Aldroubi & Eden (1991): per pole,
//! one causal and one anticausal first-order pass, each started from the value the boundary
//! extension implies (closed forms for mirror and wrap extensions, and for reflect from
//! Thévenaz, as SciPy uses them).

use ndarray::{ArrayViewD, ArrayViewMutD, Axis, Zip};
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

fn causal_start(c: &mut [f64], z: f64, boundary: Boundary) {
    let n = c.len();
    match boundary {
        Boundary::Mirror => {
            let z_n_1 = z.powf((n - 1) as f64); // libm pow, as SciPy (powi rounds differently)
            let mut z_i = z;
            c[0] += z_n_1 * c[n - 1];
            for i in 1..n - 1 {
                c[0] += z_i * (c[i] + z_n_1 * c[n - 1 - i]);
                z_i *= z;
            }
            c[0] /= 1.0 - z_n_1 * z_n_1;
        }
        Boundary::Wrap => {
            let mut z_i = z;
            for i in 1..n {
                c[0] += z_i * c[n - i];
                z_i *= z;
            }
            c[0] /= 1.0 - z_i; // z_i = z^n
        }
        Boundary::Reflect => {
            let z_n = z.powf(n as f64);
            let first = c[0];
            let mut z_i = z;
            c[0] += z_n * c[n - 1];
            for i in 1..n {
                c[0] += z_i * (c[i] + z_n * c[n - 1 - i]);
                z_i *= z;
            }
            c[0] *= z / (1.0 - z_n * z_n);
            c[0] += first;
        }
    }
}

fn anticausal_start(c: &mut [f64], z: f64, boundary: Boundary) {
    let n = c.len();
    match boundary {
        Boundary::Mirror => c[n - 1] = (z * c[n - 2] + c[n - 1]) * z / (z * z - 1.0),
        Boundary::Wrap => {
            let mut z_i = z;
            for i in 0..n - 1 {
                c[n - 1] += z_i * c[i];
                z_i *= z;
            }
            c[n - 1] *= z / (z_i - 1.0); // z_i = z^n
        }
        Boundary::Reflect => c[n - 1] *= z / (z - 1.0),
    }
}

/// Filters one line in place (lines of one value are their own coefficients).
pub fn filter_line(c: &mut [f64], poles: &[f64], boundary: Boundary) {
    let n = c.len();
    if n < 2 {
        return;
    }
    let gain: f64 = poles.iter().map(|&z| (1.0 - z) * (1.0 - 1.0 / z)).product();
    c.iter_mut().for_each(|v| *v *= gain);
    for &z in poles {
        causal_start(c, z, boundary);
        for i in 1..n {
            c[i] += z * c[i - 1];
        }
        anticausal_start(c, z, boundary);
        for i in (0..n - 1).rev() {
            c[i] = z * (c[i + 1] - c[i]);
        }
    }
}

/// `filter_line` over every line along `axis`, from `input` (read as double) into `output`
/// (stored with a C cast), lines in parallel with `workers > 1`.
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
    if output.is_empty() || axis >= output.ndim() {
        return;
    }
    let line = |buffer: &mut Vec<f64>,
                src: ndarray::ArrayView1<'_, I>,
                mut dst: ndarray::ArrayViewMut1<'_, O>| {
        buffer.clear();
        buffer.extend(src.iter().map(|&v| v.into()));
        filter_line(buffer, poles, boundary);
        dst.iter_mut()
            .zip(buffer.iter())
            .for_each(|(d, &v)| *d = O::from_double(v));
    };
    let zip = Zip::from(input.lanes(Axis(axis))).and(output.lanes_mut(Axis(axis)));
    if workers <= 1 {
        let mut buffer = Vec::new();
        zip.for_each(|src, dst| line(&mut buffer, src, dst));
    } else {
        with_workers(workers, || {
            zip.into_par_iter()
                .for_each_init(Vec::new, |buffer, (src, dst)| line(buffer, src, dst))
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
