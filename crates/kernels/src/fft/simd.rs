//! The pair loops of `real.rs`'s split and join passes, vectorised with AVX2 and FMA where the
//! CPU has them (checked at run time; the kernels are built for baseline x86-64). Each pair
//! `k, m - k` combines `z[k]` with `z[m - k]`: a vector holds neighbouring `k`, and the partner
//! vector, loaded from the mirrored position, has its values reversed.
//!
//! Per complex value, with `s = z[k] + z[m - k]`, `d = z[k] - z[m - k]`, twiddle `t`:
//! `q = (s.im t.re + d.re t.im, s.im t.im - d.re t.re)` = `dup(s.im) t + dup(d.re) (t.im, -t.re)`
//! and `p = (s.re, d.im)`. Split: `z[k] = p / 2 + q`, `z[m - k] = (p.re / 2 - q.re, q.im - p.im / 2)`.
//! Join: `z[k] = p - q`, `z[m - k] = conj(p + q)`. Everything times `scale`.
//!
//! Each function returns how many pairs, from `k = 1`, it did; the caller does the rest.

use num_complex::Complex;

macro_rules! dispatch {
    ($name:ident, $t:ty, $avx:ident) => {
        pub(super) fn $name(
            z: &mut [Complex<$t>],
            twiddles: &[Complex<$t>],
            scale: $t,
            pairs: usize,
        ) -> usize {
            #[cfg(target_arch = "x86_64")]
            if std::arch::is_x86_feature_detected!("avx2")
                && std::arch::is_x86_feature_detected!("fma")
            {
                assert!(twiddles.len() >= pairs && z.len() >= 2 * pairs + 2);
                // SAFETY: the CPU has the features (checked above); the bounds are asserted.
                return unsafe { x86::$avx(z, twiddles, scale, pairs) };
            }
            let _ = (z, twiddles, scale, pairs);
            0
        }
    };
}

dispatch!(split_pairs_f64, f64, split_f64);
dispatch!(join_pairs_f64, f64, join_f64);
dispatch!(split_pairs_f32, f32, split_f32);
dispatch!(join_pairs_f32, f32, join_f32);

#[cfg(target_arch = "x86_64")]
mod x86 {
    use num_complex::Complex;
    use std::arch::x86_64::*;

    /// Two complex f64 per vector: reversing swaps the 128-bit halves.
    mod f64x2 {
        use super::*;

        #[inline(always)]
        pub unsafe fn reverse(v: __m256d) -> __m256d {
            _mm256_permute2f128_pd(v, v, 1)
        }

        /// `(q, p)` of the module comment for the pairs in `left` and (reversed) `right`.
        #[inline(always)]
        pub unsafe fn terms(left: __m256d, right: __m256d, t: __m256d) -> (__m256d, __m256d) {
            let (s, d) = (_mm256_add_pd(left, right), _mm256_sub_pd(left, right));
            let negate_im = _mm256_setr_pd(0.0, -0.0, 0.0, -0.0);
            let swapped = _mm256_xor_pd(_mm256_permute_pd(t, 0b0101), negate_im);
            let q = _mm256_fmadd_pd(
                _mm256_permute_pd(s, 0b1111),
                t,
                _mm256_mul_pd(_mm256_movedup_pd(d), swapped),
            );
            (q, _mm256_blend_pd(s, d, 0b1010))
        }
    }

    /// Four complex f32 per vector: reversing swaps the 128-bit halves, then the values in each.
    mod f32x4 {
        use super::*;

        #[inline(always)]
        pub unsafe fn reverse(v: __m256) -> __m256 {
            _mm256_permute_ps(_mm256_permute2f128_ps(v, v, 1), 0b01_00_11_10)
        }

        #[inline(always)]
        pub unsafe fn terms(left: __m256, right: __m256, t: __m256) -> (__m256, __m256) {
            let (s, d) = (_mm256_add_ps(left, right), _mm256_sub_ps(left, right));
            let negate_im = _mm256_setr_ps(0.0, -0.0, 0.0, -0.0, 0.0, -0.0, 0.0, -0.0);
            let swapped = _mm256_xor_ps(_mm256_permute_ps(t, 0b10_11_00_01), negate_im);
            let q = _mm256_fmadd_ps(
                _mm256_movehdup_ps(s),
                t,
                _mm256_mul_ps(_mm256_moveldup_ps(d), swapped),
            );
            (q, _mm256_blend_ps(s, d, 0b1010_1010))
        }
    }

    /// Generates one pass: `$lanes` complex values per vector of `$v`, the module's `terms`,
    /// and `$combine(q, p, half) -> (new z[k..], new z[m - k..] in ascending k)`.
    macro_rules! pass {
        ($name:ident, $t:ty, $lanes:expr, $m:ident, $load:ident, $store:ident, $set1:ident,
         $mul:ident, |$q:ident, $p:ident, $half:ident| $combine:expr) => {
            #[target_feature(enable = "avx2,fma")]
            pub(super) unsafe fn $name(
                z: &mut [Complex<$t>],
                twiddles: &[Complex<$t>],
                scale: $t,
                pairs: usize,
            ) -> usize {
                let m = z.len() - 1;
                let (zp, tp) = (z.as_mut_ptr().cast::<$t>(), twiddles.as_ptr().cast::<$t>());
                let ($half, scale) = ($set1(0.5), $set1(scale));
                let mut k = 1;
                // Both vectors of a step lie inside pairs 1..=pairs and m - pairs..m, which do
                // not overlap.
                while k + $lanes - 1 <= pairs {
                    let left_at = zp.add(2 * k);
                    let right_at = zp.add(2 * (m - k - ($lanes - 1)));
                    let left = $load(left_at);
                    let right = $m::reverse($load(right_at));
                    let ($q, $p) = $m::terms(left, right, $load(tp.add(2 * (k - 1))));
                    let (new_left, new_right) = $combine;
                    $store(left_at, $mul(new_left, scale));
                    $store(right_at, $m::reverse($mul(new_right, scale)));
                    k += $lanes;
                }
                k - 1
            }
        };
    }

    pass!(
        split_f64,
        f64,
        2,
        f64x2,
        _mm256_loadu_pd,
        _mm256_storeu_pd,
        _mm256_set1_pd,
        _mm256_mul_pd,
        |q, p, half| {
            let h = _mm256_mul_pd(p, half);
            let negate_re = _mm256_setr_pd(-0.0, 0.0, -0.0, 0.0);
            (
                _mm256_add_pd(h, q),
                _mm256_xor_pd(_mm256_sub_pd(q, h), negate_re),
            )
        }
    );
    pass!(
        join_f64,
        f64,
        2,
        f64x2,
        _mm256_loadu_pd,
        _mm256_storeu_pd,
        _mm256_set1_pd,
        _mm256_mul_pd,
        |q, p, half| {
            let _ = half;
            let negate_im = _mm256_setr_pd(0.0, -0.0, 0.0, -0.0);
            (
                _mm256_sub_pd(p, q),
                _mm256_xor_pd(_mm256_add_pd(p, q), negate_im),
            )
        }
    );
    pass!(
        split_f32,
        f32,
        4,
        f32x4,
        _mm256_loadu_ps,
        _mm256_storeu_ps,
        _mm256_set1_ps,
        _mm256_mul_ps,
        |q, p, half| {
            let h = _mm256_mul_ps(p, half);
            let negate_re = _mm256_setr_ps(-0.0, 0.0, -0.0, 0.0, -0.0, 0.0, -0.0, 0.0);
            (
                _mm256_add_ps(h, q),
                _mm256_xor_ps(_mm256_sub_ps(q, h), negate_re),
            )
        }
    );
    pass!(
        join_f32,
        f32,
        4,
        f32x4,
        _mm256_loadu_ps,
        _mm256_storeu_ps,
        _mm256_set1_ps,
        _mm256_mul_ps,
        |q, p, half| {
            let _ = half;
            let negate_im = _mm256_setr_ps(0.0, -0.0, 0.0, -0.0, 0.0, -0.0, 0.0, -0.0);
            (
                _mm256_sub_ps(p, q),
                _mm256_xor_ps(_mm256_add_ps(p, q), negate_im),
            )
        }
    );
}
