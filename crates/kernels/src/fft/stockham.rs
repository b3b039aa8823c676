//! Complex f64 FFTs of power-of-two lengths with AVX-512 (x86-64 CPUs that have it, checked at
//! run time): a Stockham autosort FFT, one radix-4 pass over the input, then radix-8 passes
//! and a last radix-4 or radix-2 pass, each pass from one buffer into another, a vector holding
//! four complex values. rustfft tops out at AVX2; on a Zen 5 core this measured 1.1-1.25x
//! rustfft's speed at 512 to 16384 points (`LENGTHS`), the lengths of the batched and 2-D
//! transforms that dominate `benchmarks/fft.py`. It implements `rustfft::Fft`, so the line drivers and the real
//! FFTs take it wherever a plan is asked for.
//!
//! Pass `t` with radix `R`, stride `s` (the product of the earlier radices) and `m = N / (s R)`
//! computes, for `p < m` and `q < s`, the `R`-point DFT `Y` of `x[q + s (p + j m)]` (`j < R`)
//! and writes `y[q + s (R p + k)] = w^(p k) Y[k]`, `w = exp(-+2 pi i / (m R))`.

use std::sync::Arc;

use num_complex::Complex;
use rustfft::{Direction, Fft, FftDirection, Length};

/// Lengths run here. Measured against rustfft: 1.1-1.25x at 512 to 16384 points; shorter
/// ones gain nothing consistent, and from 32768 on (data beyond L2) rustfft's plans win.
const LENGTHS: std::ops::RangeInclusive<usize> = 512..=16384;

/// One pass: its radix, `m` and `s` (module comment) and its twiddles as `re, im` pairs,
/// `k = 1..R` for each `p` (the first pass: per group of four `p`, each `k`'s real parts then
/// imaginary parts, every value twice, laid out as the vectors that use them).
struct Pass {
    radix: usize,
    count: usize,
    stride: usize,
    twiddles: Vec<f64>,
}

pub struct Stockham {
    len: usize,
    direction: FftDirection,
    passes: Vec<Pass>,
}

impl Stockham {
    /// The plan for `len` points, where this CPU and length are served here.
    pub fn plan(len: usize, direction: FftDirection) -> Option<Arc<dyn Fft<f64>>> {
        if !(len.is_power_of_two() && LENGTHS.contains(&len) && x86::available()) {
            return None;
        }
        let bits = len.trailing_zeros() as usize - 2;
        let mut radices = vec![4];
        radices.extend(std::iter::repeat_n(8, bits / 3));
        radices.extend([None, Some(2), Some(4)][bits % 3]);
        let sign = match direction {
            FftDirection::Forward => -1.0,
            FftDirection::Inverse => 1.0,
        };
        let mut stride = 1;
        let passes = radices
            .into_iter()
            .map(|radix| {
                let span = len / stride; // m R
                let count = span / radix;
                let twiddle = |p: usize, k: usize| {
                    let angle = sign * 2.0 * std::f64::consts::PI * (p * k) as f64 / span as f64;
                    (angle.cos(), angle.sin())
                };
                let mut twiddles = Vec::new();
                if stride == 1 {
                    for p in (0..count).step_by(4) {
                        for k in 1..radix {
                            let values: Vec<_> = (p..p + 4).map(|p| twiddle(p, k)).collect();
                            twiddles.extend(values.iter().flat_map(|w| [w.0, w.0]));
                            twiddles.extend(values.iter().flat_map(|w| [w.1, w.1]));
                        }
                    }
                } else {
                    for p in 0..count {
                        twiddles.extend((1..radix).flat_map(|k| <[f64; 2]>::from(twiddle(p, k))));
                    }
                }
                let pass = Pass {
                    radix,
                    count,
                    stride,
                    twiddles,
                };
                stride *= radix;
                pass
            })
            .collect();
        Some(Arc::new(Stockham {
            len,
            direction,
            passes,
        }))
    }

    /// `output` = the DFT of `input`, passing through `scratch` (each at least `len` long).
    fn transform(
        &self,
        input: &[Complex<f64>],
        output: &mut [Complex<f64>],
        scratch: &mut [Complex<f64>],
    ) {
        let n = self.len;
        assert!(input.len() >= n && output.len() >= n && scratch.len() >= n);
        let targets = [output.as_mut_ptr().cast(), scratch.as_mut_ptr().cast()];
        // SAFETY: sizes asserted; `input` is borrowed immutably, so it is neither target.
        unsafe { self.run(input.as_ptr().cast(), targets) }
    }

    /// The DFT of `input`, the passes alternating between `targets` so that the last writes
    /// `targets[0]`.
    ///
    /// # Safety
    /// `input` and both targets hold `len` values; `input` is not `targets[1]`, nor
    /// `targets[0]` unless the pass count is even.
    unsafe fn run(&self, input: *const f64, targets: [*mut f64; 2]) {
        let mut source = input;
        let last = self.passes.len() - 1;
        let forward = self.direction == FftDirection::Forward;
        for (t, pass) in self.passes.iter().enumerate() {
            let target = targets[usize::from(!(last - t).is_multiple_of(2))];
            // SAFETY: `plan` returned one only where the CPU has AVX-512F; every pass reads
            // and writes `len` values, which the buffers hold (the caller's promise), and
            // `source` and `target` are always different buffers.
            unsafe {
                match (pass.stride, pass.radix, forward) {
                    (1, _, true) => x86::first::<true>(pass, source, target),
                    (1, _, false) => x86::first::<false>(pass, source, target),
                    (_, 8, true) => x86::radix8::<true>(pass, source, target),
                    (_, 8, false) => x86::radix8::<false>(pass, source, target),
                    (_, 4, true) => x86::radix4::<true>(pass, source, target),
                    (_, 4, false) => x86::radix4::<false>(pass, source, target),
                    _ => x86::radix2(pass, source, target),
                }
            }
            source = target;
        }
    }
}

impl Length for Stockham {
    fn len(&self) -> usize {
        self.len
    }
}

impl Direction for Stockham {
    fn fft_direction(&self) -> FftDirection {
        self.direction
    }
}

impl Fft<f64> for Stockham {
    fn process_with_scratch(&self, buffer: &mut [Complex<f64>], scratch: &mut [Complex<f64>]) {
        let n = self.len;
        assert!(scratch.len() >= n);
        let even = self.passes.len().is_multiple_of(2);
        for line in buffer.chunks_exact_mut(n) {
            if even {
                let line = line.as_mut_ptr().cast();
                // SAFETY: both hold `len` values; with an even pass count the first pass
                // writes `scratch`, not its input.
                unsafe { self.run(line, [line, scratch.as_mut_ptr().cast()]) };
            } else {
                scratch[..n].copy_from_slice(line);
                let (copy, rest) = scratch.split_at_mut(n);
                self.transform(copy, line, rest);
            }
        }
    }

    fn process_outofplace_with_scratch(
        &self,
        input: &mut [Complex<f64>],
        output: &mut [Complex<f64>],
        scratch: &mut [Complex<f64>],
    ) {
        self.process_immutable_with_scratch(input, output, scratch);
    }

    fn process_immutable_with_scratch(
        &self,
        input: &[Complex<f64>],
        output: &mut [Complex<f64>],
        scratch: &mut [Complex<f64>],
    ) {
        let n = self.len;
        for (line, out) in input.chunks_exact(n).zip(output.chunks_exact_mut(n)) {
            self.transform(line, out, scratch);
        }
    }

    fn get_inplace_scratch_len(&self) -> usize {
        // An odd pass count copies the line first.
        self.len
            * if self.passes.len().is_multiple_of(2) {
                1
            } else {
                2
            }
    }

    fn get_outofplace_scratch_len(&self) -> usize {
        self.len
    }

    fn get_immutable_scratch_len(&self) -> usize {
        self.len
    }
}

#[cfg(not(target_arch = "x86_64"))]
mod x86 {
    //! Never called: `available` is false, so no plan exists.
    use super::Pass;

    pub fn available() -> bool {
        false
    }
    pub unsafe fn first<const F: bool>(_: &Pass, _: *const f64, _: *mut f64) {}
    pub unsafe fn radix8<const F: bool>(_: &Pass, _: *const f64, _: *mut f64) {}
    pub unsafe fn radix4<const F: bool>(_: &Pass, _: *const f64, _: *mut f64) {}
    pub unsafe fn radix2(_: &Pass, _: *const f64, _: *mut f64) {}
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    //! The passes. `F`: forward (else inverse). Vectors hold four interleaved complex values.
    use super::Pass;
    use std::arch::x86_64::*;

    pub fn available() -> bool {
        std::arch::is_x86_feature_detected!("avx512f")
    }

    /// `x w`, with `w`'s real and imaginary parts each in every lane of `re` and `im`.
    #[inline(always)]
    unsafe fn times(x: __m512d, re: __m512d, im: __m512d) -> __m512d {
        _mm512_fmaddsub_pd(x, re, _mm512_mul_pd(_mm512_permute_pd(x, 0x55), im))
    }

    /// `-i z` (forward) or `i z` (inverse).
    #[inline(always)]
    unsafe fn quarter_turn<const F: bool>(z: __m512d) -> __m512d {
        let swapped = _mm512_castpd_si512(_mm512_permute_pd(z, 0x55));
        let sign = if F {
            _mm512_set_pd(-0.0, 0.0, -0.0, 0.0, -0.0, 0.0, -0.0, 0.0)
        } else {
            _mm512_set_pd(0.0, -0.0, 0.0, -0.0, 0.0, -0.0, 0.0, -0.0)
        };
        _mm512_castsi512_pd(_mm512_xor_si512(swapped, _mm512_castpd_si512(sign)))
    }

    /// The 4-point DFT.
    #[inline(always)]
    unsafe fn dft4<const F: bool>(x: [__m512d; 4]) -> [__m512d; 4] {
        let (sum02, diff02) = (_mm512_add_pd(x[0], x[2]), _mm512_sub_pd(x[0], x[2]));
        let (sum13, diff13) = (_mm512_add_pd(x[1], x[3]), _mm512_sub_pd(x[1], x[3]));
        let turned = quarter_turn::<F>(diff13);
        [
            _mm512_add_pd(sum02, sum13),
            _mm512_add_pd(diff02, turned),
            _mm512_sub_pd(sum02, sum13),
            _mm512_sub_pd(diff02, turned),
        ]
    }

    /// The 8-point DFT: a radix-2 step, then two 4-point DFTs (even and odd outputs).
    #[inline(always)]
    unsafe fn dft8<const F: bool>(x: [__m512d; 8]) -> [__m512d; 8] {
        let half = std::f64::consts::FRAC_1_SQRT_2;
        let (c, minus_c) = (_mm512_set1_pd(half), _mm512_set1_pd(-half));
        let sum = |j: usize| _mm512_add_pd(x[j], x[j + 4]);
        let diff = |j: usize| _mm512_sub_pd(x[j], x[j + 4]);
        // diff(j) times exp(-+i pi j / 4): (1 -+ i) / sqrt 2, -+i, (-1 -+ i) / sqrt 2.
        let eighth = |z: __m512d, re: __m512d| {
            let swapped = _mm512_mul_pd(_mm512_permute_pd(z, 0x55), c);
            if F {
                _mm512_fmsubadd_pd(z, re, swapped)
            } else {
                _mm512_fmaddsub_pd(z, re, swapped)
            }
        };
        let odd = [
            diff(0),
            eighth(diff(1), c),
            quarter_turn::<F>(diff(2)),
            eighth(diff(3), minus_c),
        ];
        let even = dft4::<F>([sum(0), sum(1), sum(2), sum(3)]);
        let odd = dft4::<F>(odd);
        [
            even[0], odd[0], even[1], odd[1], even[2], odd[2], even[3], odd[3],
        ]
    }

    /// The first pass (stride 1, radix 4): four `p` per vector, so the outputs of each `p`
    /// are a 4 x 4 transpose away from the four consecutive values they fill.
    #[target_feature(enable = "avx512f")]
    pub unsafe fn first<const F: bool>(pass: &Pass, x: *const f64, y: *mut f64) {
        let m = pass.count;
        for p in (0..m).step_by(4) {
            let w = pass.twiddles.as_ptr().add(12 * p);
            let load = |j: usize| _mm512_loadu_pd(x.add(2 * (p + j * m)));
            let d = dft4::<F>([load(0), load(1), load(2), load(3)]);
            let turn = |k: usize| {
                let re = _mm512_loadu_pd(w.add(16 * (k - 1)));
                times(d[k], re, _mm512_loadu_pd(w.add(16 * (k - 1) + 8)))
            };
            let (d1, d2, d3) = (turn(1), turn(2), turn(3));
            let low01 = _mm512_shuffle_f64x2(d[0], d1, 0b01_00_01_00);
            let high01 = _mm512_shuffle_f64x2(d[0], d1, 0b11_10_11_10);
            let low23 = _mm512_shuffle_f64x2(d2, d3, 0b01_00_01_00);
            let high23 = _mm512_shuffle_f64x2(d2, d3, 0b11_10_11_10);
            let out = y.add(8 * p);
            _mm512_storeu_pd(out, _mm512_shuffle_f64x2(low01, low23, 0b10_00_10_00));
            _mm512_storeu_pd(
                out.add(8),
                _mm512_shuffle_f64x2(low01, low23, 0b11_01_11_01),
            );
            _mm512_storeu_pd(
                out.add(16),
                _mm512_shuffle_f64x2(high01, high23, 0b10_00_10_00),
            );
            _mm512_storeu_pd(
                out.add(24),
                _mm512_shuffle_f64x2(high01, high23, 0b11_01_11_01),
            );
        }
    }

    /// A later pass of radix `R` (stride at least 4: one vector holds four `q`), with the DFT
    /// `dft`; `p = 0` has no twiddles.
    #[inline(always)]
    unsafe fn pass<const R: usize>(
        pass: &Pass,
        x: *const f64,
        y: *mut f64,
        dft: impl Fn([__m512d; R]) -> [__m512d; R],
    ) {
        let (m, s) = (pass.count, pass.stride);
        let step = 2 * s * m;
        for p in 0..m {
            let w = pass.twiddles.as_ptr().add(2 * (R - 1) * p);
            let re: [__m512d; R] = std::array::from_fn(|k| match k {
                0 => _mm512_set1_pd(1.0),
                _ => _mm512_set1_pd(*w.add(2 * (k - 1))),
            });
            let im: [__m512d; R] = std::array::from_fn(|k| match k {
                0 => _mm512_setzero_pd(),
                _ => _mm512_set1_pd(*w.add(2 * k - 1)),
            });
            for q in (0..s).step_by(4) {
                let from = x.add(2 * (q + s * p));
                let d = dft(std::array::from_fn(|j| _mm512_loadu_pd(from.add(j * step))));
                let out = y.add(2 * (q + s * R * p));
                _mm512_storeu_pd(out, d[0]);
                for k in 1..R {
                    let v = if p == 0 {
                        d[k]
                    } else {
                        times(d[k], re[k], im[k])
                    };
                    _mm512_storeu_pd(out.add(2 * s * k), v);
                }
            }
        }
    }

    #[target_feature(enable = "avx512f")]
    pub unsafe fn radix8<const F: bool>(p: &Pass, x: *const f64, y: *mut f64) {
        pass::<8>(p, x, y, |v| dft8::<F>(v))
    }

    #[target_feature(enable = "avx512f")]
    pub unsafe fn radix4<const F: bool>(p: &Pass, x: *const f64, y: *mut f64) {
        pass::<4>(p, x, y, |v| dft4::<F>(v))
    }

    #[target_feature(enable = "avx512f")]
    pub unsafe fn radix2(p: &Pass, x: *const f64, y: *mut f64) {
        pass::<2>(p, x, y, |[a, b]| [_mm512_add_pd(a, b), _mm512_sub_pd(a, b)])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustfft::FftPlanner;

    /// Every length served, both directions, every entry point, against rustfft.
    #[test]
    fn equals_rustfft() {
        if !x86::available() {
            return; // nothing runs here on this CPU
        }
        let mut planner = FftPlanner::<f64>::new();
        for len in LENGTHS.filter(|n| n.is_power_of_two()) {
            for direction in [FftDirection::Forward, FftDirection::Inverse] {
                let ours = Stockham::plan(len, direction).expect("served");
                let theirs = planner.plan_fft(len, direction);
                let x: Vec<Complex<f64>> = (0..2 * len)
                    .map(|i| Complex::new(((i * 37 + 5) % 19) as f64 - 9.0, ((i * 11) % 7) as f64))
                    .collect();
                let mut expected = x.clone();
                theirs.process(&mut expected);
                let bound = 1e-14 * 19.0 * len as f64;
                let close = |got: &[Complex<f64>], what: &str| {
                    for (a, b) in got.iter().zip(&expected) {
                        assert!(
                            (a - b).norm() <= bound,
                            "{what} {len} {direction}: {a} vs {b}"
                        );
                    }
                };
                let mut inplace = x.clone();
                ours.process(&mut inplace);
                close(&inplace, "in place");
                let zero = Complex::new(0.0, 0.0);
                let mut out = vec![zero; 2 * len];
                let mut scratch = vec![zero; ours.get_immutable_scratch_len()];
                ours.process_immutable_with_scratch(&x, &mut out, &mut scratch);
                close(&out, "immutable");
                let mut input = x.clone();
                ours.process_outofplace_with_scratch(&mut input, &mut out, &mut scratch);
                close(&out, "out of place");
            }
        }
    }
}
