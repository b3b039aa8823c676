//! The 1-D filters on extended lines (`b` lines interleaved): correlation with SciPy's
//! symmetric and antisymmetric forms (its order of operations, so integer outputs truncate
//! identically), uniform running sums and van Herk/Gil-Werman minimum/maximum, each O(1) per
//! output for the last two.

/// `NI_Correlate1D`'s classification of the weights: 1 symmetric, -1 antisymmetric, 0 neither.
fn symmetry(w: &[f64]) -> i32 {
    let k = w.len();
    if k & 1 == 0 {
        return 0;
    }
    let h = k / 2;
    if (1..=h).all(|i| (w[h + i] - w[h - i]).abs() <= f64::EPSILON) {
        1
    } else if (1..=h).all(|i| (w[h + i] + w[h - i]).abs() <= f64::EPSILON) {
        -1
    } else {
        0
    }
}

/// Outputs computed together by [`correlate`]: every tap passes over them while they are in
/// L1 (the order of operations per output is unchanged).
const TILE: usize = 1024;

/// Correlation with `w`: `out[i] = sum_k w[k] * ext[i + k]`, in SciPy's order. On x86-64
/// with AVX2 the same code runs on 4-wide vectors (AVX2 without FMA: every product is still
/// rounded before its sum, so results do not change).
pub(crate) fn correlate(w: &[f64], ext: &[f64], out: &mut [f64], len: usize, b: usize) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2.
        return unsafe { correlate_avx2(w, ext, out, len, b) };
    }
    correlate_body(w, ext, out, len, b)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn correlate_avx2(w: &[f64], ext: &[f64], out: &mut [f64], len: usize, b: usize) {
    correlate_body(w, ext, out, len, b)
}

#[inline(always)]
fn correlate_body(w: &[f64], ext: &[f64], out: &mut [f64], len: usize, b: usize) {
    let k = w.len();
    let m = len * b;
    let h = k / 2;
    let symmetric = symmetry(w);
    for start in (0..m).step_by(TILE) {
        let end = (start + TILE).min(m);
        let out = &mut out[start..end];
        let at = |tap: usize| &ext[tap * b + start..tap * b + end];
        match symmetric {
            s @ (1 | -1) => {
                out.iter_mut().zip(at(h)).for_each(|(o, c)| *o = c * w[h]);
                // Outermost taps first, as SciPy adds them.
                for j in (1..=h).rev() {
                    let (lo, hi, wj) = (at(h - j), at(h + j), w[h - j]);
                    if s > 0 {
                        for ((o, a), c) in out.iter_mut().zip(lo).zip(hi) {
                            *o += (a + c) * wj;
                        }
                    } else {
                        for ((o, a), c) in out.iter_mut().zip(lo).zip(hi) {
                            *o += (a - c) * wj;
                        }
                    }
                }
            }
            _ => {
                let wl = w[k - 1];
                out.iter_mut().zip(at(k - 1)).for_each(|(o, v)| *o = v * wl);
                for (tap, &wt) in w[..k - 1].iter().enumerate() {
                    for (o, v) in out.iter_mut().zip(at(tap)) {
                        *o += v * wt;
                    }
                }
            }
        }
    }
}

/// Moving average of `size` values: a running sum, divided at each output (`NI_UniformFilter1D`).
pub(crate) fn uniform(
    size: usize,
    ext: &[f64],
    out: &mut [f64],
    len: usize,
    b: usize,
    sums: &mut Vec<f64>,
) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2.
        return unsafe { uniform_avx2(size, ext, out, len, b, sums) };
    }
    uniform_body(size, ext, out, len, b, sums)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn uniform_avx2(
    size: usize,
    ext: &[f64],
    out: &mut [f64],
    len: usize,
    b: usize,
    sums: &mut Vec<f64>,
) {
    uniform_body(size, ext, out, len, b, sums)
}

#[inline(always)]
fn uniform_body(
    size: usize,
    ext: &[f64],
    out: &mut [f64],
    len: usize,
    b: usize,
    sums: &mut Vec<f64>,
) {
    let div = size as f64;
    sums.clear();
    sums.resize(b, 0.0);
    for row in ext[..size * b].chunks_exact(b) {
        sums.iter_mut().zip(row).for_each(|(s, v)| *s += v);
    }
    out[..b]
        .iter_mut()
        .zip(sums.iter())
        .for_each(|(o, s)| *o = s / div);
    for i in 1..len {
        let (add, sub) = (
            &ext[(i + size - 1) * b..(i + size) * b],
            &ext[(i - 1) * b..i * b],
        );
        let o = &mut out[i * b..(i + 1) * b];
        for (((o, s), a), r) in o.iter_mut().zip(sums.iter_mut()).zip(add).zip(sub) {
            *s += a - r;
            *o = *s / div;
        }
    }
}

/// Moving minimum (or maximum) of `size` values, van Herk/Gil-Werman: per block of `size`
/// positions a running extreme from its start (`g`) and one from its end (`h`); each output
/// is the extreme of two of them.
pub(crate) fn min_or_max(
    size: usize,
    minimum: bool,
    ext: &[f64],
    out: &mut [f64],
    len: usize,
    b: usize,
    scratch: &mut Vec<f64>,
) {
    if size == 1 {
        out.copy_from_slice(&ext[..len * b]);
        return;
    }
    if ext.iter().any(|v| v.is_nan()) {
        // NaN makes the extreme depend on the algorithm: SciPy's, lane by lane.
        for l in 0..b {
            scipy_min_or_max(size, minimum, ext, out, len, b, l);
        }
        return;
    }
    scratch.clear();
    scratch.resize(2 * size * b, 0.0);
    let (g, h) = scratch.split_at_mut(size * b);
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2.
        return unsafe { van_herk_avx2(size, minimum, ext, out, len, b, g, h) };
    }
    van_herk_either(size, minimum, ext, out, len, b, g, h)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[allow(clippy::too_many_arguments)]
unsafe fn van_herk_avx2(
    size: usize,
    minimum: bool,
    ext: &[f64],
    out: &mut [f64],
    len: usize,
    b: usize,
    g: &mut [f64],
    h: &mut [f64],
) {
    van_herk_either(size, minimum, ext, out, len, b, g, h)
}

#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn van_herk_either(
    size: usize,
    minimum: bool,
    ext: &[f64],
    out: &mut [f64],
    len: usize,
    b: usize,
    g: &mut [f64],
    h: &mut [f64],
) {
    if minimum {
        van_herk(
            size,
            ext,
            out,
            len,
            b,
            g,
            h,
            |x, y| if y < x { y } else { x },
        );
    } else {
        van_herk(
            size,
            ext,
            out,
            len,
            b,
            g,
            h,
            |x, y| if y > x { y } else { x },
        );
    }
}

/// Van Herk/Gil-Werman with the extreme `pick` (monomorphised, so that it compiles to min/max
/// instructions), streamed block by block: for the windows starting in block `j` (positions
/// `j * size..`), the running extremes of block `j` from its end (`h`) and of block `j + 1`
/// from its start (`g`); a window starting at offset `r > 0` is `pick(h[r], g[r - 1])`, one
/// starting a block is the whole block, `h[0]`. Scratch: two blocks.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn van_herk(
    size: usize,
    ext: &[f64],
    out: &mut [f64],
    len: usize,
    b: usize,
    g: &mut [f64],
    h: &mut [f64],
    pick: impl Fn(f64, f64) -> f64 + Copy,
) {
    let total = len + size - 1;
    for s in (0..len).step_by(size) {
        let e = s + size; // windows starting in this block end before `total`: it is whole
        let hb = &mut h[..size * b];
        hb[(size - 1) * b..].copy_from_slice(&ext[(e - 1) * b..e * b]);
        for p in (0..size - 1).rev() {
            let (this, next) = hb[p * b..(p + 2) * b].split_at_mut(b);
            let x = &ext[(s + p) * b..(s + p + 1) * b];
            for ((t, n), v) in this.iter_mut().zip(next.iter()).zip(x) {
                *t = pick(*n, *v);
            }
        }
        let count = size.min(len - s);
        let e2 = (e + count - 1).min(total);
        if e2 > e {
            g[..b].copy_from_slice(&ext[e * b..(e + 1) * b]);
            for p in 1..e2 - e {
                let (prev, this) = g[(p - 1) * b..(p + 1) * b].split_at_mut(b);
                let x = &ext[(e + p) * b..(e + p + 1) * b];
                for ((t, pv), v) in this.iter_mut().zip(prev.iter()).zip(x) {
                    *t = pick(*pv, *v);
                }
            }
        }
        out[s * b..(s + 1) * b].copy_from_slice(&h[..b]);
        for r in 1..count {
            let o = &mut out[(s + r) * b..(s + r + 1) * b];
            for ((o, x), y) in o
                .iter_mut()
                .zip(&h[r * b..(r + 1) * b])
                .zip(&g[(r - 1) * b..r * b])
            {
                *o = pick(*x, *y);
            }
        }
    }
}

/// `NI_MinOrMaxFilter1D`'s ascending-minima deque (Richard Harter's), lane `l` of `b`: its
/// comparisons decide what NaN does.
fn scipy_min_or_max(
    size: usize,
    minimum: bool,
    ext: &[f64],
    out: &mut [f64],
    len: usize,
    b: usize,
    l: usize,
) {
    let at = |p: usize| ext[p * b + l];
    let mut ring = vec![(0.0f64, 0usize); size];
    let inc = |p: usize| if p + 1 >= size { 0 } else { p + 1 };
    let dec = |p: usize| if p == 0 { size - 1 } else { p - 1 };
    let mut minpair = 0;
    ring[0] = (at(0), size);
    let mut last = 0;
    for ll in 1..size + len - 1 {
        let val = at(ll);
        if ring[minpair].1 == ll {
            minpair = inc(minpair);
        }
        if (minimum && val <= ring[minpair].0) || (!minimum && val >= ring[minpair].0) {
            ring[minpair] = (val, ll + size);
            last = minpair;
        } else {
            while (minimum && ring[last].0 >= val) || (!minimum && ring[last].0 <= val) {
                last = dec(last);
            }
            last = inc(last);
            ring[last] = (val, ll + size);
        }
        if ll + 1 >= size {
            out[(ll + 1 - size) * b + l] = ring[minpair].0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn min_max_match_brute_force() {
        let ext: Vec<f64> = [5., 1., 4., 4., 9., 2., 6., 0., 3., 7.].to_vec();
        for size in 1..=ext.len() {
            let len = ext.len() - size + 1;
            for minimum in [true, false] {
                let mut out = vec![0.0; len];
                min_or_max(size, minimum, &ext, &mut out, len, 1, &mut Vec::new());
                for (i, o) in out.iter().enumerate() {
                    let w = ext[i..i + size].iter().copied();
                    let want = if minimum {
                        w.fold(f64::INFINITY, f64::min)
                    } else {
                        w.fold(f64::NEG_INFINITY, f64::max)
                    };
                    assert_eq!(*o, want);
                }
            }
        }
    }

    #[test]
    fn correlate_and_uniform() {
        let ext = [1., 2., 3., 4., 5.];
        let mut out = [0.0; 3];
        correlate(&[1., 0., -1.], &ext, &mut out, 3, 1);
        assert_eq!(out, [-2., -2., -2.]);
        correlate(&[1., 2., 0.5], &ext, &mut out, 3, 1);
        assert_eq!(out, [6.5, 10., 13.5]);
        uniform(3, &ext, &mut out, 3, 1, &mut Vec::new());
        assert_eq!(out, [2., 3., 4.]);
    }
}
