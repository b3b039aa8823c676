//! scipy.ndimage's Fourier-domain filters: each value of a (complex or real) FFT'd array
//! multiplied by a function of its frequency, `fourier_gaussian`, `fourier_uniform`,
//! `fourier_ellipsoid`, and the phase ramp of `fourier_shift`.
//!
//! The per-axis tables follow SciPy's `ni_fourier.c` term for term (frequencies `k` in FFT
//! order, or `0..len` along the axis of a real transform of length `n`), and each value combines
//! them in the same order (a left-to-right product or sum over the axes), so results equal
//! SciPy's to the last bit, but for the ellipsoid's Bessel function J1 (libm's, not SciPy's own
//! rational approximation: a few ulp apart).

use ndarray::{ArrayViewD, ArrayViewMutD, Axis};
use num_complex::Complex;
use rayon::prelude::*;

use crate::parallel::with_workers;

/// Which filter, with its per-axis parameter (sigma, size or shift).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Filter {
    Gaussian,
    Uniform,
    Ellipsoid,
    Shift,
}

/// The frequency index of each position along an axis of length `len`: `0..len` along the
/// axis of a real transform, else FFT order `0, 1, .., -(len / 2), .., -1`.
fn frequency_indices(len: usize, real_axis: bool) -> impl Iterator<Item = f64> {
    let half = if real_axis { len } else { len.div_ceil(2) };
    (0..half)
        .map(|k| k as f64)
        .chain((0..len - half).map(move |k| k as f64 - (len - half) as f64))
}

/// One table per axis (None: the axis takes no part, as SciPy skips axes of length 1, except
/// for the ellipsoid). `real_length` is the transform length `n` along `axis` of a real FFT.
fn tables(
    filter: Filter,
    parameters: &[f64],
    shape: &[usize],
    real_length: Option<usize>,
    axis: usize,
) -> Vec<Option<Vec<f64>>> {
    use std::f64::consts::PI;
    let pi = PI;
    shape
        .iter()
        .zip(parameters)
        .enumerate()
        .map(|(a, (&len, &p))| {
            let real = a == axis && real_length.is_some();
            let length = if real {
                real_length.unwrap_or(len)
            } else {
                len
            } as f64;
            if len <= 1 && filter != Filter::Ellipsoid {
                return None;
            }
            let ks = frequency_indices(len, real);
            Some(match filter {
                Filter::Gaussian => {
                    let scaled = p * pi / length;
                    let c = -2.0 * scaled * scaled;
                    ks.map(|k| {
                        let t = c * k * k;
                        if t.abs() > 50.0 {
                            0.0
                        } else {
                            t.exp()
                        }
                    })
                    .collect()
                }
                Filter::Uniform => {
                    let t = pi * p / length;
                    ks.enumerate()
                        .map(|(i, k)| match (i, t > 0.0) {
                            (0, _) => 1.0,
                            (_, true) => (t * k).sin() / (t * k),
                            (_, false) => 0.0,
                        })
                        .collect()
                }
                Filter::Ellipsoid => {
                    let t = pi * p / length;
                    let squared = shape.len() > 1;
                    ks.map(|k| {
                        let v = k * t;
                        if squared {
                            v * v
                        } else {
                            v
                        }
                    })
                    .collect()
                }
                Filter::Shift => {
                    let s = -2.0 * pi * p / length;
                    ks.map(|k| s * k).collect()
                }
            })
        })
        .collect()
}

/// The ellipsoid's response at the table sum `r2` (`ndim` 1: the scaled frequency itself).
fn ellipsoid(value: f64, ndim: usize) -> f64 {
    match ndim {
        1 => {
            if value != 0.0 {
                value.sin() / value
            } else {
                1.0
            }
        }
        2 => {
            let r = value.sqrt();
            if r > 0.0 {
                2.0 * libm::j1(r) / r
            } else {
                1.0
            }
        }
        _ => {
            let r = value.sqrt();
            if r > 0.0 {
                3.0 * (r.sin() - r * r.cos()) / (r * r * r)
            } else {
                1.0
            }
        }
    }
}

/// A value of an input array, as SciPy's kernel reads it (in double precision).
pub trait Sample: Copy + Send + Sync {
    fn value(self) -> Complex<f64>;
}

impl Sample for f64 {
    fn value(self) -> Complex<f64> {
        Complex::new(self, 0.0)
    }
}

impl Sample for f32 {
    fn value(self) -> Complex<f64> {
        Complex::new(f64::from(self), 0.0)
    }
}

impl Sample for Complex<f64> {
    fn value(self) -> Complex<f64> {
        self
    }
}

impl Sample for Complex<f32> {
    fn value(self) -> Complex<f64> {
        Complex::new(f64::from(self.re), f64::from(self.im))
    }
}

/// An output element, stored as SciPy's kernel stores it (a C cast; a real output keeps the
/// real part).
pub trait Store: Copy + Send + Sync {
    fn store(value: Complex<f64>) -> Self;
}

impl Store for f64 {
    fn store(value: Complex<f64>) -> Self {
        value.re
    }
}

impl Store for f32 {
    fn store(value: Complex<f64>) -> Self {
        value.re as f32
    }
}

impl Store for Complex<f64> {
    fn store(value: Complex<f64>) -> Self {
        value
    }
}

impl Store for Complex<f32> {
    fn store(value: Complex<f64>) -> Self {
        Complex::new(value.re as f32, value.im as f32)
    }
}

/// Applies `filter` to every value of `input` into `output` (same shape). `parameters` holds
/// one value per axis; `real_length` is `n` when the input is a real FFT along `axis`.
pub fn fourier_filter<I: Sample, O: Store>(
    input: ArrayViewD<'_, I>,
    mut output: ArrayViewMutD<'_, O>,
    filter: Filter,
    parameters: &[f64],
    real_length: Option<usize>,
    axis: usize,
    workers: usize,
) {
    let ndim = input.ndim();
    if input.is_empty() || ndim == 0 || parameters.len() != ndim {
        return;
    }
    let tables = tables(filter, parameters, input.shape(), real_length, axis);
    let last = ndim - 1;
    // The tables' terms of every axis but the last, combined in axis order, per line.
    let outer = |index: &[usize]| -> f64 {
        let mut acc = if matches!(filter, Filter::Gaussian | Filter::Uniform) {
            1.0
        } else {
            0.0
        };
        for (table, &i) in tables.iter().zip(index).take(last) {
            if let Some(table) = table {
                match filter {
                    Filter::Gaussian | Filter::Uniform => acc *= table[i],
                    Filter::Ellipsoid | Filter::Shift => acc += table[i],
                }
            }
        }
        acc
    };
    let line = |index: &[usize],
                src: ndarray::ArrayView1<'_, I>,
                mut dst: ndarray::ArrayViewMut1<'_, O>| {
        let start = outer(index);
        let table = tables[last].as_deref();
        for (i, (x, y)) in src.iter().zip(dst.iter_mut()).enumerate() {
            let term = table.map(|t| t[i]);
            let x = x.value();
            *y = O::store(match filter {
                Filter::Gaussian | Filter::Uniform => {
                    let factor = term.map_or(start, |t| start * t);
                    Complex::new(x.re * factor, x.im * factor)
                }
                Filter::Ellipsoid => {
                    let factor = ellipsoid(term.map_or(start, |t| start + t), ndim);
                    Complex::new(x.re * factor, x.im * factor)
                }
                Filter::Shift => {
                    let phase = term.map_or(start, |t| start + t);
                    x * Complex::new(phase.cos(), phase.sin())
                }
            });
        }
    };
    if ndim == 1 {
        let src = input.into_dimensionality::<ndarray::Ix1>();
        let dst = output.into_dimensionality::<ndarray::Ix1>();
        if let (Ok(src), Ok(dst)) = (src, dst) {
            line(&[], src, dst);
        }
        return;
    }
    let shape = input.shape().to_vec();
    // One slab per index along axis 0; its lines in row-major order, their indices counted.
    let slab = |first: usize, src: ArrayViewD<'_, I>, mut dst: ArrayViewMutD<'_, O>| {
        let mut index = vec![0; ndim];
        index[0] = first;
        let lanes = src.lanes(Axis(last - 1)).into_iter();
        for (src, dst) in lanes.zip(dst.lanes_mut(Axis(last - 1))) {
            line(&index, src, dst);
            for a in (1..last).rev() {
                index[a] += 1;
                if index[a] < shape[a] {
                    break;
                }
                index[a] = 0;
            }
        }
    };
    if workers <= 1 {
        let slabs = input.axis_iter(Axis(0)).zip(output.axis_iter_mut(Axis(0)));
        slabs
            .enumerate()
            .for_each(|(i, (src, dst))| slab(i, src, dst));
    } else {
        let slabs = input
            .axis_iter(Axis(0))
            .into_par_iter()
            .zip(output.axis_iter_mut(Axis(0)).into_par_iter());
        with_workers(workers, || {
            slabs
                .enumerate()
                .for_each(|(i, (src, dst))| slab(i, src, dst))
        });
    }
}
