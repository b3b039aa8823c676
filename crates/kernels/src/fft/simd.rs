//! The pair loops of `real.rs`'s split and join passes, vectorised with AVX-512 or AVX2 and FMA
//! where the CPU has them (checked at run time; the kernels are built for baseline x86-64).
//! Each pair `k, m - k` combines `z[k]` with `z[m - k]`: a vector holds neighbouring `k`, and
//! the partner vector, loaded from the mirrored position, has its values reversed.
//!
//! Per complex value, with `s = z[k] + z[m - k]`, `d = z[k] - z[m - k]`, twiddle `t`:
//! `q = (s.im t.re + d.re t.im, s.im t.im - d.re t.re)` = `dup(s.im) t + dup(d.re) (t.im, -t.re)`
//! and `p = (s.re, d.im)`. Split: `z[k] = p / 2 + q`, `z[m - k] = (p.re / 2 - q.re, q.im - p.im / 2)`.
//! Join: `z[k] = p - q`, `z[m - k] = conj(p + q)`. Everything times `scale`.
//!
//! Each function returns how many pairs, from `k = 1`, it did; the caller does the rest.

use num_complex::Complex;

macro_rules! dispatch {
    ($name:ident, $t:ty, $wide:ident, $narrow:ident) => {
        pub(in crate::fft) fn $name(
            z: &mut [Complex<$t>],
            twiddles: &[Complex<$t>],
            scale: $t,
            pairs: usize,
        ) -> usize {
            assert!(twiddles.len() >= pairs && z.len() >= 2 * pairs + 2);
            #[cfg(target_arch = "x86_64")]
            {
                use std::arch::is_x86_feature_detected as has;
                if has!("avx512f") {
                    // SAFETY: the CPU has the features; the bounds are asserted.
                    return unsafe { x86::$wide(z, twiddles, scale, pairs) };
                }
                if has!("avx2") && has!("fma") {
                    // SAFETY: as above.
                    return unsafe { x86::$narrow(z, twiddles, scale, pairs) };
                }
            }
            let _ = (z, twiddles, scale);
            0
        }
    };
}

dispatch!(split_pairs_f64, f64, split_f64x4, split_f64x2);
dispatch!(join_pairs_f64, f64, join_f64x4, join_f64x2);
dispatch!(split_pairs_f32, f32, split_f32x8, split_f32x4);
dispatch!(join_pairs_f32, f32, join_f32x8, join_f32x4);

#[cfg(test)]
mod tests {
    use super::super::real::{join_pairs, split_pairs};
    use super::Complex;

    type Pairs<T> = unsafe fn(&mut [Complex<T>], &[Complex<T>], T, usize) -> usize;

    /// Every vector loop this CPU can run (not only the one dispatch picks), against the
    /// scalar loop: any odd number of pairs, remainders done by the scalar loop.
    #[test]
    fn every_vector_loop_equals_the_scalar_loop() {
        #[cfg(target_arch = "x86_64")]
        {
            use super::x86;
            use std::arch::is_x86_feature_detected as has;
            let wide = has!("avx512f");
            let narrow = has!("avx2") && has!("fma");
            let f64s: [(bool, Pairs<f64>, Pairs<f64>); 2] = [
                (wide, x86::split_f64x4, x86::join_f64x4),
                (narrow, x86::split_f64x2, x86::join_f64x2),
            ];
            let f32s: [(bool, Pairs<f32>, Pairs<f32>); 2] = [
                (wide, x86::split_f32x8, x86::join_f32x8),
                (narrow, x86::split_f32x4, x86::join_f32x4),
            ];
            for (available, split, join) in f64s {
                if available {
                    check(split, join, 1e-14);
                }
            }
            for (available, split, join) in f32s {
                if available {
                    check(split, join, 1e-5);
                }
            }
        }
    }

    fn check<T: super::super::Real + Into<f64>>(split: Pairs<T>, join: Pairs<T>, tolerance: f64) {
        let cast = |v: f64| T::from_f64(v).unwrap();
        for m in [3usize, 9, 10, 17, 18, 33, 100, 1024, 1025] {
            let pairs = (m - 1) / 2;
            let z: Vec<Complex<T>> = (0..=m)
                .map(|i| {
                    Complex::new(
                        cast(((i * 7) % 13) as f64 - 6.0),
                        cast(((i * 3) % 5) as f64),
                    )
                })
                .collect();
            let twiddles: Vec<Complex<T>> = (1..=pairs)
                .map(|k| Complex::new(cast((k as f64).cos()), cast((k as f64).sin())))
                .collect();
            for (vector, scalar) in [
                (
                    split,
                    split_pairs::<T> as fn(&mut [Complex<T>], &[Complex<T>], T, _),
                ),
                (join, join_pairs::<T>),
            ] {
                let mut expected = z.clone();
                scalar(&mut expected, &twiddles, cast(0.5), 1..=pairs);
                let mut got = z.clone();
                // SAFETY: the CPU has the loop's features (checked by the caller); the bounds
                // are those dispatch asserts.
                let done = unsafe { vector(&mut got, &twiddles, cast(0.5), pairs) };
                scalar(&mut got, &twiddles, cast(0.5), done + 1..=pairs);
                for (a, b) in got.iter().zip(&expected) {
                    let error = ((a.re.into() - b.re.into()).powi(2)
                        + (a.im.into() - b.im.into()).powi(2))
                    .sqrt();
                    assert!(error <= tolerance * 20.0, "m={m}: {a:?} vs {b:?}");
                }
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use num_complex::Complex;
    use std::arch::x86_64::*;

    /// One vector type's operations on interleaved complex values: `reverse` reverses their
    /// order, `dup_re`/`dup_im` copy each one's real/imaginary part into both halves.
    macro_rules! lanes {
        ($module:ident, $t:ty, $v:ty, $lanes:expr, $load:ident, $store:ident, $set1:ident,
         $add:ident, $sub:ident, $mul:ident, $fmadd:ident, $fnmadd:ident,
         xor: |$xa:ident, $xb:ident| $xor:expr,
         reverse: |$r:ident| $reverse:expr,
         swap: |$w:ident| $swap:expr,
         dup_re: |$dr:ident| $dup_re:expr,
         dup_im: |$di:ident| $dup_im:expr,
         blend: |$bs:ident, $bd:ident| $blend:expr,
         signs: $re_sign:expr, $im_sign:expr) => {
            mod $module {
                use super::*;
                pub type V = $v;
                pub type T = $t;
                pub const LANES: usize = $lanes;
                #[inline(always)]
                pub unsafe fn load(p: *const T) -> V {
                    $load(p)
                }
                #[inline(always)]
                pub unsafe fn store(p: *mut T, v: V) {
                    $store(p, v)
                }
                #[inline(always)]
                pub unsafe fn splat(x: T) -> V {
                    $set1(x)
                }
                #[inline(always)]
                pub unsafe fn add(a: V, b: V) -> V {
                    $add(a, b)
                }
                #[inline(always)]
                pub unsafe fn sub(a: V, b: V) -> V {
                    $sub(a, b)
                }
                #[inline(always)]
                pub unsafe fn mul(a: V, b: V) -> V {
                    $mul(a, b)
                }
                /// `a b + c`
                #[inline(always)]
                pub unsafe fn fma(a: V, b: V, c: V) -> V {
                    $fmadd(a, b, c)
                }
                /// `c - a b`
                #[inline(always)]
                pub unsafe fn fnma(a: V, b: V, c: V) -> V {
                    $fnmadd(a, b, c)
                }
                /// Negates the real parts.
                #[inline(always)]
                pub unsafe fn negate_re(v: V) -> V {
                    xor(v, $re_sign)
                }
                /// Negates the imaginary parts.
                #[inline(always)]
                pub unsafe fn negate_im(v: V) -> V {
                    xor(v, $im_sign)
                }
                #[inline(always)]
                unsafe fn xor($xa: V, $xb: V) -> V {
                    $xor
                }
                #[inline(always)]
                pub unsafe fn reverse($r: V) -> V {
                    $reverse
                }
                /// `(q, p)` of the module comment.
                #[inline(always)]
                pub unsafe fn terms(s: V, d: V, t: V) -> (V, V) {
                    let swapped = negate_im(swap(t));
                    (fma(dup_im(s), t, mul(dup_re(d), swapped)), blend(s, d))
                }
                /// Swaps each value's real and imaginary parts.
                #[inline(always)]
                unsafe fn swap($w: V) -> V {
                    $swap
                }
                #[inline(always)]
                unsafe fn dup_re($dr: V) -> V {
                    $dup_re
                }
                #[inline(always)]
                unsafe fn dup_im($di: V) -> V {
                    $dup_im
                }
                /// Real parts from the first, imaginary parts from the second.
                #[inline(always)]
                unsafe fn blend($bs: V, $bd: V) -> V {
                    $blend
                }
            }
        };
    }

    lanes!(f64x2, f64, __m256d, 2, _mm256_loadu_pd, _mm256_storeu_pd, _mm256_set1_pd,
        _mm256_add_pd, _mm256_sub_pd, _mm256_mul_pd, _mm256_fmadd_pd, _mm256_fnmadd_pd,
        xor: |a, b| _mm256_xor_pd(a, b),
        reverse: |v| _mm256_permute2f128_pd(v, v, 1),
        swap: |v| _mm256_permute_pd(v, 0b0101),
        dup_re: |v| _mm256_movedup_pd(v),
        dup_im: |v| _mm256_permute_pd(v, 0b1111),
        blend: |s, d| _mm256_blend_pd(s, d, 0b1010),
        signs: _mm256_setr_pd(-0.0, 0.0, -0.0, 0.0), _mm256_setr_pd(0.0, -0.0, 0.0, -0.0));

    lanes!(f32x4, f32, __m256, 4, _mm256_loadu_ps, _mm256_storeu_ps, _mm256_set1_ps,
        _mm256_add_ps, _mm256_sub_ps, _mm256_mul_ps, _mm256_fmadd_ps, _mm256_fnmadd_ps,
        xor: |a, b| _mm256_xor_ps(a, b),
        reverse: |v| _mm256_permute_ps(_mm256_permute2f128_ps(v, v, 1), 0b01_00_11_10),
        swap: |v| _mm256_permute_ps(v, 0b10_11_00_01),
        dup_re: |v| _mm256_moveldup_ps(v),
        dup_im: |v| _mm256_movehdup_ps(v),
        blend: |s, d| _mm256_blend_ps(s, d, 0b1010_1010),
        signs: _mm256_setr_ps(-0.0, 0.0, -0.0, 0.0, -0.0, 0.0, -0.0, 0.0),
            _mm256_setr_ps(0.0, -0.0, 0.0, -0.0, 0.0, -0.0, 0.0, -0.0));

    lanes!(f64x4, f64, __m512d, 4, _mm512_loadu_pd, _mm512_storeu_pd, _mm512_set1_pd,
        _mm512_add_pd, _mm512_sub_pd, _mm512_mul_pd, _mm512_fmadd_pd, _mm512_fnmadd_pd,
        xor: |a, b| _mm512_castsi512_pd(_mm512_xor_si512(
            _mm512_castpd_si512(a), _mm512_castpd_si512(b))),
        reverse: |v| _mm512_permutexvar_pd(_mm512_setr_epi64(6, 7, 4, 5, 2, 3, 0, 1), v),
        swap: |v| _mm512_permute_pd(v, 0x55),
        dup_re: |v| _mm512_movedup_pd(v),
        dup_im: |v| _mm512_permute_pd(v, 0xFF),
        blend: |s, d| _mm512_mask_blend_pd(0b1010_1010, s, d),
        signs: _mm512_setr_pd(-0.0, 0.0, -0.0, 0.0, -0.0, 0.0, -0.0, 0.0),
            _mm512_setr_pd(0.0, -0.0, 0.0, -0.0, 0.0, -0.0, 0.0, -0.0));

    lanes!(f32x8, f32, __m512, 8, _mm512_loadu_ps, _mm512_storeu_ps, _mm512_set1_ps,
        _mm512_add_ps, _mm512_sub_ps, _mm512_mul_ps, _mm512_fmadd_ps, _mm512_fnmadd_ps,
        xor: |a, b| _mm512_castsi512_ps(_mm512_xor_si512(
            _mm512_castps_si512(a), _mm512_castps_si512(b))),
        reverse: |v| _mm512_permutexvar_ps(
            _mm512_setr_epi32(14, 15, 12, 13, 10, 11, 8, 9, 6, 7, 4, 5, 2, 3, 0, 1), v),
        swap: |v| _mm512_permute_ps(v, 0b10_11_00_01),
        dup_re: |v| _mm512_moveldup_ps(v),
        dup_im: |v| _mm512_movehdup_ps(v),
        blend: |s, d| _mm512_mask_blend_ps(0xAAAA, s, d),
        signs: _mm512_setr_ps(-0.0, 0.0, -0.0, 0.0, -0.0, 0.0, -0.0, 0.0,
                              -0.0, 0.0, -0.0, 0.0, -0.0, 0.0, -0.0, 0.0),
            _mm512_setr_ps(0.0, -0.0, 0.0, -0.0, 0.0, -0.0, 0.0, -0.0,
                           0.0, -0.0, 0.0, -0.0, 0.0, -0.0, 0.0, -0.0));

    /// Generates one pass over the vectors of `$m` with `$features`:
    /// `$combine(q, p, half) -> (new z[k..], new z[m - k..] in ascending k)`.
    macro_rules! pass {
        ($name:ident, $m:ident, $features:literal, |$q:ident, $p:ident, $half:ident| $combine:expr) => {
            #[target_feature(enable = $features)]
            pub(super) unsafe fn $name(
                z: &mut [Complex<$m::T>],
                twiddles: &[Complex<$m::T>],
                scale: $m::T,
                pairs: usize,
            ) -> usize {
                use $m::*;
                let m = z.len() - 1;
                let (zp, tp) = (z.as_mut_ptr().cast::<T>(), twiddles.as_ptr().cast::<T>());
                let ($half, scale) = (splat(0.5), splat(scale));
                let mut k = 1;
                // Both vectors of a step lie inside pairs 1..=pairs and m - pairs..m, which do
                // not overlap.
                while k + LANES - 1 <= pairs {
                    let left_at = zp.add(2 * k);
                    let right_at = zp.add(2 * (m - k - (LANES - 1)));
                    let (left, right) = (load(left_at), reverse(load(right_at)));
                    let (s, d) = (add(left, right), sub(left, right));
                    let ($q, $p) = terms(s, d, load(tp.add(2 * (k - 1))));
                    let (new_left, new_right) = $combine;
                    store(left_at, mul(new_left, scale));
                    store(right_at, reverse(mul(new_right, scale)));
                    k += LANES;
                }
                k - 1
            }
        };
    }

    /// Split: `p / 2 + q`, and `q - p / 2` with the real part negated.
    macro_rules! split {
        ($name:ident, $m:ident, $features:literal) => {
            pass!($name, $m, $features, |q, p, half| (
                fma(p, half, q),
                negate_re(fnma(p, half, q))
            ));
        };
    }

    /// Join: `p - q`, and `conj(p + q)`.
    macro_rules! join {
        ($name:ident, $m:ident, $features:literal) => {
            pass!($name, $m, $features, |q, p, half| {
                let _ = half;
                (sub(p, q), negate_im(add(p, q)))
            });
        };
    }

    split!(split_f64x2, f64x2, "avx2,fma");
    join!(join_f64x2, f64x2, "avx2,fma");
    split!(split_f32x4, f32x4, "avx2,fma");
    join!(join_f32x4, f32x4, "avx2,fma");
    split!(split_f64x4, f64x4, "avx512f");
    join!(join_f64x4, f64x4, "avx512f");
    split!(split_f32x8, f32x8, "avx512f");
    join!(join_f32x8, f32x8, "avx512f");
}
