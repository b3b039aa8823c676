//! Real-to-complex and complex-to-real FFTs. An even length `n = 2m` runs as one complex FFT of
//! length `m` (the even samples as real parts, the odd ones as imaginary parts) plus a pass
//! that splits that half-length spectrum into the real signal's (or, inverse, joins it): the
//! algorithm realfft uses, with its twiddles, but the pass vectorised (`simd.rs`) and the
//! output scale folded in. That pass took a third of realfft's time at n = 2048 (0.6 of 1.8 µs).
//! Odd lengths go to realfft.

use std::sync::Arc;

use num_complex::Complex;
use realfft::{ComplexToReal, RealFftPlanner, RealToComplex};
use rustfft::{Fft, FftDirection, FftPlanner};

use super::plans::complex_plan;
use super::Real;

/// `exp(-2 pi i k / n)` for `k = 1..` one short of a quarter of `n` (rounded up): the pairs the
/// split and join passes combine, times `factor` (conjugated with `conjugate`).
fn twiddles<T: Real>(n: usize, factor: f64, conjugate: bool) -> Vec<Complex<T>> {
    let sign = if conjugate { -1.0 } else { 1.0 };
    let step = -2.0 * std::f64::consts::PI / n as f64;
    (1..n.div_ceil(4))
        .map(|k| {
            let angle = step * k as f64;
            let cast = |v: f64| T::from_f64(v).unwrap_or_else(T::zero);
            Complex::new(
                cast(angle.cos() * factor),
                cast(sign * angle.sin() * factor),
            )
        })
        .collect()
}

/// Views `n` (even) reals as `n / 2` complex values.
fn as_complex<T: Real>(values: &mut [T]) -> &mut [Complex<T>] {
    // SAFETY: Complex<T> is repr(C) { re: T, im: T }, with T's alignment; the slice covers
    // whole pairs of `values` and borrows it mutably for as long as it lives.
    unsafe { std::slice::from_raw_parts_mut(values.as_mut_ptr().cast(), values.len() / 2) }
}

/// A real-to-complex FFT of one length.
pub enum ForwardReal<T: Real> {
    Half {
        fft: Arc<dyn Fft<T>>,
        twiddles: Vec<Complex<T>>,
    },
    Odd(Arc<dyn RealToComplex<T>>),
}

impl<T: Real> ForwardReal<T> {
    pub fn new(n: usize, complex: &mut FftPlanner<T>, real: &mut RealFftPlanner<T>) -> Self {
        if n.is_multiple_of(2) && n > 0 {
            ForwardReal::Half {
                fft: complex_plan(complex, n / 2, FftDirection::Forward),
                twiddles: twiddles(n, 0.5, false),
            }
        } else {
            ForwardReal::Odd(real.plan_fft_forward(n))
        }
    }

    pub fn scratch_len(&self) -> usize {
        match self {
            ForwardReal::Half { fft, .. } => fft.get_outofplace_scratch_len(),
            ForwardReal::Odd(plan) => plan.get_scratch_len(),
        }
    }

    /// `output[..n / 2 + 1]` = the spectrum of `input[..n]` times `scale`; `input` is used as
    /// scratch, `scratch` holds at least `scratch_len` values.
    pub fn process(
        &self,
        input: &mut [T],
        output: &mut [Complex<T>],
        scratch: &mut [Complex<T>],
        scale: T,
    ) {
        match self {
            ForwardReal::Half { fft, twiddles } => {
                let m = input.len() / 2;
                fft.process_outofplace_with_scratch(as_complex(input), &mut output[..m], scratch);
                split(&mut output[..=m], twiddles, scale);
            }
            ForwardReal::Odd(plan) => {
                // Lengths are the plan's own, so the transform cannot fail.
                let _ = plan.process_with_scratch(input, output, scratch);
                super::scale_line(output, scale);
            }
        }
    }
}

/// A complex-to-real FFT of one length.
pub enum InverseReal<T: Real> {
    Half {
        fft: Arc<dyn Fft<T>>,
        twiddles: Vec<Complex<T>>,
    },
    Odd(Arc<dyn ComplexToReal<T>>),
}

impl<T: Real> InverseReal<T> {
    pub fn new(n: usize, complex: &mut FftPlanner<T>, real: &mut RealFftPlanner<T>) -> Self {
        if n.is_multiple_of(2) && n > 0 {
            InverseReal::Half {
                fft: complex_plan(complex, n / 2, FftDirection::Inverse),
                twiddles: twiddles(n, 1.0, true),
            }
        } else {
            InverseReal::Odd(real.plan_fft_inverse(n))
        }
    }

    pub fn scratch_len(&self) -> usize {
        match self {
            InverseReal::Half { fft, .. } => fft.get_outofplace_scratch_len(),
            InverseReal::Odd(plan) => plan.get_scratch_len(),
        }
    }

    /// `output[..n]` = the real signal whose non-negative frequencies are `input[..n / 2 + 1]`,
    /// times `scale` (the imaginary parts of the zero and Nyquist frequencies are ignored, as
    /// pocketfft does); `input` is used as scratch.
    pub fn process(
        &self,
        input: &mut [Complex<T>],
        output: &mut [T],
        scratch: &mut [Complex<T>],
        scale: T,
    ) {
        match self {
            InverseReal::Half { fft, twiddles } => {
                let m = output.len() / 2;
                join(&mut input[..=m], twiddles, scale);
                fft.process_outofplace_with_scratch(&mut input[..m], as_complex(output), scratch);
            }
            InverseReal::Odd(plan) => {
                input[0].im = T::zero();
                // Lengths are the plan's own, so the transform cannot fail.
                let _ = plan.process_with_scratch(input, output, scratch);
                super::scale_line(output, scale);
            }
        }
    }
}

/// Turns `z[..m]`, the FFT of the `m` complex values packed from `2m` reals, into `z[..=m]`,
/// the reals' spectrum, times `scale` (`twiddles`: halved, see `ForwardReal::new`).
fn split<T: Real>(z: &mut [Complex<T>], twiddles: &[Complex<T>], scale: T) {
    let m = z.len() - 1;
    let first = z[0];
    z[0] = Complex::new((first.re + first.im) * scale, T::zero());
    z[m] = Complex::new((first.re - first.im) * scale, T::zero());
    let pairs = (m - 1) / 2;
    let done = (T::SPLIT_PAIRS)(z, twiddles, scale, pairs);
    split_pairs(z, twiddles, scale, done + 1..=pairs);
    if m.is_multiple_of(2) && m > 0 {
        z[m / 2] = z[m / 2].conj() * scale;
    }
}

/// The inverse of `split` (times `m`, as an unnormalised inverse FFT of `2m` points wants):
/// `x[..=m]`, a real signal's non-negative frequencies, becomes `x[..m]`, whose inverse FFT of
/// length `m` holds the signal's even and odd samples as real and imaginary parts.
fn join<T: Real>(x: &mut [Complex<T>], twiddles: &[Complex<T>], scale: T) {
    let m = x.len() - 1;
    let (first, last) = (x[0].re, x[m].re);
    x[0] = Complex::new(first + last, first - last) * scale;
    let pairs = (m - 1) / 2;
    let done = (T::JOIN_PAIRS)(x, twiddles, scale, pairs);
    join_pairs(x, twiddles, scale, done + 1..=pairs);
    if m.is_multiple_of(2) && m > 0 {
        let centre = x[m / 2];
        x[m / 2] = (centre + centre).conj() * scale;
    }
}

/// `split`'s pairs `k` in `pairs`, one at a time (the vector loops' reference and remainder).
pub(super) fn split_pairs<T: Real>(
    z: &mut [Complex<T>],
    twiddles: &[Complex<T>],
    scale: T,
    pairs: std::ops::RangeInclusive<usize>,
) {
    let m = z.len() - 1;
    let half = T::from_f64(0.5).unwrap_or_else(T::one);
    for k in pairs {
        let (left, right, t) = (z[k], z[m - k], twiddles[k - 1]);
        let (sum, diff) = (left + right, left - right);
        let (qr, qi) = (
            sum.im * t.re + diff.re * t.im,
            sum.im * t.im - diff.re * t.re,
        );
        let (hs, hd) = (half * sum.re, half * diff.im);
        z[k] = Complex::new(hs + qr, hd + qi) * scale;
        z[m - k] = Complex::new(hs - qr, qi - hd) * scale;
    }
}

/// `join`'s pairs `k` in `pairs`, one at a time.
pub(super) fn join_pairs<T: Real>(
    x: &mut [Complex<T>],
    twiddles: &[Complex<T>],
    scale: T,
    pairs: std::ops::RangeInclusive<usize>,
) {
    let m = x.len() - 1;
    for k in pairs {
        let (left, right, t) = (x[k], x[m - k], twiddles[k - 1]);
        let (sum, diff) = (left + right, left - right);
        let (qr, qi) = (
            sum.im * t.re + diff.re * t.im,
            sum.im * t.im - diff.re * t.re,
        );
        x[k] = Complex::new(sum.re - qr, diff.im - qi) * scale;
        x[m - k] = Complex::new(sum.re + qr, -qi - diff.im) * scale;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Against realfft (the same algorithm unvectorised) for every length class: odd, 2 mod 4,
    /// 0 mod 4, below and above the vector widths, with and without a scale.
    #[test]
    fn equal_realfft_for_every_length_class() {
        fn check<T: Real + Into<f64>>(tolerance: f64) {
            let mut complex = FftPlanner::new();
            let mut real = RealFftPlanner::new();
            for n in [
                1usize, 2, 3, 4, 6, 8, 10, 12, 14, 18, 22, 30, 64, 98, 1000, 1026,
            ] {
                for scale in [1.0, 0.25] {
                    let scale_t = T::from_f64(scale).unwrap();
                    let x: Vec<T> = (0..n)
                        .map(|i| T::from_f64(((i * 37 + 11) % 23) as f64 - 9.5).unwrap())
                        .collect();
                    let ours = ForwardReal::new(n, &mut complex, &mut real);
                    let theirs = real.plan_fft_forward(n);
                    let zero = Complex::new(T::zero(), T::zero());
                    let mut spectrum = vec![zero; n / 2 + 1];
                    let mut expected = spectrum.clone();
                    let mut scratch = vec![zero; ours.scratch_len().max(theirs.get_scratch_len())];
                    ours.process(&mut x.clone(), &mut spectrum, &mut scratch, scale_t);
                    theirs
                        .process_with_scratch(&mut x.clone(), &mut expected, &mut scratch)
                        .unwrap();
                    let bound = tolerance * n as f64 * 23.0;
                    for (a, b) in spectrum.iter().zip(&expected) {
                        let (a, b) = (
                            Complex::new(a.re.into(), a.im.into()),
                            Complex::new(b.re.into() * scale, b.im.into() * scale),
                        );
                        assert!((a - b).norm() <= bound, "forward n={n}: {a} vs {b}");
                    }
                    let inverse = InverseReal::new(n, &mut complex, &mut real);
                    let mut back = vec![T::zero(); n];
                    let mut scratch = vec![zero; inverse.scratch_len()];
                    let unscale = T::from_f64(1.0 / (scale * n as f64)).unwrap();
                    inverse.process(&mut spectrum, &mut back, &mut scratch, unscale);
                    for (a, b) in back.iter().zip(&x) {
                        let (a, b): (f64, f64) = ((*a).into(), (*b).into());
                        assert!((a - b).abs() <= bound, "inverse n={n}: {a} vs {b}");
                    }
                }
            }
        }
        check::<f64>(1e-15);
        check::<f32>(1e-6);
    }

    /// The zero and Nyquist frequencies' imaginary parts are ignored.
    #[test]
    fn inverse_ignores_imaginary_edges() {
        let mut complex = FftPlanner::<f64>::new();
        let mut real = RealFftPlanner::new();
        for n in [4usize, 6, 7] {
            let inverse = InverseReal::new(n, &mut complex, &mut real);
            let spectrum: Vec<_> = (0..=n / 2)
                .map(|k| Complex::new(k as f64 + 1.0, 0.5 * k as f64))
                .collect();
            let mut noisy = spectrum.clone();
            noisy[0].im = 3.0;
            if n % 2 == 0 {
                noisy[n / 2].im = -2.0;
            }
            let mut clean = spectrum.clone();
            clean[0].im = 0.0;
            if n % 2 == 0 {
                clean[n / 2].im = 0.0;
            }
            let mut scratch = vec![Complex::new(0.0, 0.0); inverse.scratch_len()];
            let (mut a, mut b) = (vec![0.0; n], vec![0.0; n]);
            inverse.process(&mut noisy, &mut a, &mut scratch, 1.0);
            inverse.process(&mut clean, &mut b, &mut scratch, 1.0);
            assert_eq!(a, b, "n={n}");
        }
    }
}
