//! Fast Fourier transforms along one axis of an N-D array: complex-to-complex, real-to-complex
//! and complex-to-real, each line transformed independently (in parallel with `workers > 1`),
//! cropped or zero-padded to the transform length, and scaled.
//!
//! Built on rustfft / realfft; plans are cached per length and direction (thread-safe,
//! bounded). Inputs may have any strides; each line is copied into a per-thread buffer, which
//! is all the memory a transform allocates beside its output.

mod lines;
mod plans;
mod real;
mod simd;
mod stockham;

use ndarray::{ArrayViewD, ArrayViewMutD, Axis};
use num_complex::Complex;
use std::sync::Arc;

pub use plans::Real;
use real::{ForwardReal, InverseReal};

use crate::scratch::{Pooled, Reusable};
use lines::{for_each_line, for_each_line_inplace};

/// Copies `src` into `dst`, zero-padding or cropping to `dst.len()` (one `memcpy`: an
/// element loop measured 5% slower on lines read from memory).
fn load<T: Copy + Default>(dst: &mut [T], src: &[T]) {
    let filled = src.len().min(dst.len());
    dst[..filled].copy_from_slice(&src[..filled]);
    dst[filled..].fill(T::default());
}

/// Multiplies every value by `scale` (skipped for 1).
fn scale_line<V: Copy + std::ops::Mul<T, Output = V>, T: Real>(line: &mut [V], scale: T) {
    if scale != T::one() {
        line.iter_mut().for_each(|v| *v = *v * scale);
    }
}

/// Complex-to-complex transform of every line along `axis`: the output's length along `axis`
/// is the transform length (the input is cropped or zero-padded to it), results times `scale`.
pub fn c2c<T: Real>(
    input: ArrayViewD<'_, Complex<T>>,
    output: ArrayViewMutD<'_, Complex<T>>,
    axis: usize,
    forward: bool,
    scale: T,
    workers: usize,
) {
    let n = output.len_of(Axis(axis));
    if n == 0 || output.is_empty() {
        return;
    }
    let fft = T::plans().complex(n, forward);
    let scratch = fft.get_inplace_scratch_len();
    let zero = Complex::new(T::zero(), T::zero());
    for_each_line(
        input,
        output,
        axis,
        workers,
        || vec![zero; scratch],
        |scratch, src, line| {
            load(line, src);
            fft.process_with_scratch(line, scratch);
            scale_line(line, scale);
        },
    );
}

/// Complex-to-complex transform of every line along `axis` of `data`, in place (the later
/// passes of an N-D transform: no second array).
pub fn c2c_inplace<T: Real>(
    data: ArrayViewMutD<'_, Complex<T>>,
    axis: usize,
    forward: bool,
    scale: T,
    workers: usize,
) {
    let n = data.len_of(Axis(axis));
    if n == 0 || data.is_empty() {
        return;
    }
    let fft = T::plans().complex(n, forward);
    let scratch = fft.get_inplace_scratch_len();
    let zero = Complex::new(T::zero(), T::zero());
    for_each_line_inplace(
        data,
        axis,
        workers,
        || vec![zero; scratch],
        |scratch, line| {
            fft.process_with_scratch(line, scratch);
            scale_line(line, scale);
        },
    );
}

/// Real-to-complex transform of length `n` of every line along `axis`; the output holds the
/// `n / 2 + 1` non-negative frequencies (complex conjugated with `conjugate`: `ihfft`).
pub fn r2c<T: Real>(
    input: ArrayViewD<'_, T>,
    output: ArrayViewMutD<'_, Complex<T>>,
    axis: usize,
    n: usize,
    scale: T,
    conjugate: bool,
    workers: usize,
) {
    if n == 0 || output.is_empty() {
        return;
    }
    let fft = T::plans().forward_real(n);
    let scratch = fft.scratch_len();
    let zero = Complex::new(T::zero(), T::zero());
    for_each_line(
        input,
        output,
        axis,
        workers,
        || (vec![T::zero(); n], vec![zero; scratch]),
        |(buffer, scratch): &mut (Vec<T>, Vec<Complex<T>>), src, line| {
            load(buffer, src);
            fft.process(buffer, line, scratch, scale);
            if conjugate {
                line.iter_mut().for_each(|v| v.im = -v.im);
            }
        },
    );
}

/// Complex-to-real transform producing `n` real values per line along `axis` from the first
/// `n / 2 + 1` input frequencies (cropped or zero-padded); the imaginary parts of the zero and
/// (even `n`) Nyquist frequencies are ignored, as pocketfft does. With `conjugate`, the input
/// frequencies are complex conjugated first (`hfft`).
pub fn c2r<T: Real>(
    input: ArrayViewD<'_, Complex<T>>,
    output: ArrayViewMutD<'_, T>,
    axis: usize,
    scale: T,
    conjugate: bool,
    workers: usize,
) {
    let n = output.len_of(Axis(axis));
    if n == 0 || output.is_empty() {
        return;
    }
    let fft = T::plans().inverse_real(n);
    let scratch = fft.scratch_len();
    let zero = Complex::new(T::zero(), T::zero());
    let half = n / 2 + 1;
    for_each_line(
        input,
        output,
        axis,
        workers,
        || (vec![zero; half], vec![zero; scratch]),
        |(spectrum, scratch): &mut (Vec<Complex<T>>, Vec<Complex<T>>), src, line| {
            load(spectrum, src);
            if conjugate {
                spectrum.iter_mut().for_each(|v| v.im = -v.im);
            }
            fft.process(spectrum, line, scratch, scale);
        },
    );
}

/// Which real-to-real transform runs (SciPy's DCT and DST of types I to IV).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DctKind {
    Dct1,
    Dct2,
    Dct3,
    Dct4,
    Dst1,
    Dst2,
    Dst3,
    Dst4,
}

impl DctKind {
    /// The values `orthogonalize` adjusts: the first for cosines of types I to III, the last
    /// for the sines of types II and III and for the cosine of type I (types IV and DST-I have
    /// none).
    fn edges(self, n: usize) -> impl Iterator<Item = usize> {
        use DctKind::*;
        let (first, last) = match self {
            Dct1 => (true, n > 1),
            Dct2 | Dct3 => (true, false),
            Dst2 | Dst3 => (false, true),
            Dct4 | Dst1 | Dst4 => (false, false),
        };
        [first.then_some(0), last.then_some(n - 1)]
            .into_iter()
            .flatten()
    }
}

/// What a kind runs on: types II and III one real FFT of the same length (Makhoul's
/// algorithm and its inverse), types I and IV rustdct.
enum DctPlan<T: Real> {
    Forward(Arc<ForwardReal<T>>),
    Inverse(Arc<InverseReal<T>>),
    Type1Cos(Arc<dyn rustdct::Dct1<T>>),
    Type1Sin(Arc<dyn rustdct::Dst1<T>>),
    Type4(Arc<dyn rustdct::TransformType4<T>>),
}

/// One cosine or sine transform of length `n` with its scale factors: the edge input values
/// (see `DctKind::edges`) times `edge_in`, every output times `scale`, then the edge outputs
/// times `edge_out` (the factors SciPy's normalisations and `orthogonalize` come down to).
struct LineDct<T: Real> {
    kind: DctKind,
    plan: DctPlan<T>,
    twiddles: Arc<Vec<Complex<T>>>,
    scale: T,
    edge_in: T,
    edge_out: T,
}

impl<T: Real> LineDct<T> {
    fn new(n: usize, kind: DctKind, scale: T, edge_in: T, edge_out: T) -> Self {
        use DctKind::*;
        let plans = T::plans();
        let plan = match kind {
            Dct1 => DctPlan::Type1Cos(plans.dct1(n)),
            Dst1 => DctPlan::Type1Sin(plans.dst1(n)),
            Dct2 | Dst2 => DctPlan::Forward(plans.forward_real(n)),
            Dct3 | Dst3 => DctPlan::Inverse(plans.inverse_real(n)),
            Dct4 | Dst4 => DctPlan::Type4(plans.dct4(n)),
        };
        let twiddles = match plan {
            DctPlan::Forward(_) | DctPlan::Inverse(_) => plans.dct2_twiddles(n),
            _ => Arc::new(Vec::new()),
        };
        LineDct {
            kind,
            plan,
            twiddles,
            scale,
            edge_in,
            edge_out,
        }
    }

    /// Per-thread buffers, only those this kind uses (reused from an earlier call on the same
    /// thread where possible: every element is written before it is read, but for DST-I's
    /// scratch, zeroed per line in `apply`).
    fn state(&self, n: usize) -> Pooled<Makhoul<T>> {
        let zero = Complex::new(T::zero(), T::zero());
        let (fft_scratch, dct_scratch) = match &self.plan {
            DctPlan::Forward(p) => (p.scratch_len(), 0),
            DctPlan::Inverse(p) => (p.scratch_len(), 0),
            DctPlan::Type1Cos(p) => (0, p.get_scratch_len()),
            DctPlan::Type1Sin(p) => (0, p.get_scratch_len()),
            DctPlan::Type4(p) => (0, p.get_scratch_len()),
        };
        let fft = matches!(self.plan, DctPlan::Forward(_) | DctPlan::Inverse(_));
        let mut state = Pooled::<Makhoul<T>>::take();
        state.reordered.resize(if fft { n } else { 0 }, T::zero());
        state.spectrum.resize(if fft { n / 2 + 1 } else { 0 }, zero);
        state.fft_scratch.resize(fft_scratch, zero);
        state.dct_scratch.resize(dct_scratch, T::zero());
        state
    }

    fn apply(&self, values: &mut [T], state: &mut Makhoul<T>) {
        let n = values.len();
        if self.edge_in != T::one() {
            self.kind
                .edges(n)
                .for_each(|e| values[e] = values[e] * self.edge_in);
        }
        let scratch = &mut state.dct_scratch;
        match (&self.plan, self.kind) {
            (DctPlan::Forward(fft), DctKind::Dct2) => {
                makhoul_dct2(values, &**fft, &self.twiddles, state)
            }
            (DctPlan::Forward(fft), _) => {
                // DST-II(x)[k] = DCT-II((-1)^n x[n])[n - 1 - k]
                values.iter_mut().skip(1).step_by(2).for_each(|v| *v = -*v);
                makhoul_dct2(values, &**fft, &self.twiddles, state);
                values.reverse();
            }
            (DctPlan::Inverse(fft), DctKind::Dct3) => {
                makhoul_dct3(values, &**fft, &self.twiddles, state)
            }
            (DctPlan::Inverse(fft), _) => {
                // DST-III(X)[n] = (-1)^n DCT-III(X reversed)[n]: the transpose of the above.
                values.reverse();
                makhoul_dct3(values, &**fft, &self.twiddles, state);
                values.iter_mut().skip(1).step_by(2).for_each(|v| *v = -*v);
            }
            (DctPlan::Type1Cos(p), _) => p.process_dct1_with_scratch(values, scratch),
            (DctPlan::Type1Sin(p), _) => {
                // rustdct's DST-I reads scratch it expects zeroed (a reused buffer gave wrong
                // results after a shorter transform on the same thread).
                scratch.fill(T::zero());
                p.process_dst1_with_scratch(values, scratch)
            }
            (DctPlan::Type4(p), DctKind::Dct4) => p.process_dct4_with_scratch(values, scratch),
            (DctPlan::Type4(p), _) => p.process_dst4_with_scratch(values, scratch),
        }
        scale_line(values, self.scale);
        if self.edge_out != T::one() {
            self.kind
                .edges(n)
                .for_each(|e| values[e] = values[e] * self.edge_out);
        }
    }
}

/// Cosine or sine transform of every line along `axis` (rustdct's unnormalised transforms,
/// `output`'s length along `axis` being the transform length), scaled as `LineDct` says.
#[allow(clippy::too_many_arguments)]
pub fn dct<T: Real>(
    input: ArrayViewD<'_, T>,
    output: ArrayViewMutD<'_, T>,
    axis: usize,
    kind: DctKind,
    scale: T,
    edge_in: T,
    edge_out: T,
    workers: usize,
) {
    let n = output.len_of(Axis(axis));
    if n == 0 || output.is_empty() {
        return;
    }
    let transform = LineDct::new(n, kind, scale, edge_in, edge_out);
    for_each_line(
        input,
        output,
        axis,
        workers,
        || transform.state(n),
        |state: &mut Pooled<Makhoul<T>>, src, line| {
            load(line, src);
            transform.apply(line, state);
        },
    );
}

/// `dct` of every line along `axis` of `data`, in place (the later passes of `dctn`).
#[allow(clippy::too_many_arguments)]
pub fn dct_inplace<T: Real>(
    data: ArrayViewMutD<'_, T>,
    axis: usize,
    kind: DctKind,
    scale: T,
    edge_in: T,
    edge_out: T,
    workers: usize,
) {
    let n = data.len_of(Axis(axis));
    if n == 0 || data.is_empty() {
        return;
    }
    let transform = LineDct::new(n, kind, scale, edge_in, edge_out);
    for_each_line_inplace(
        data,
        axis,
        workers,
        || transform.state(n),
        |state, values| transform.apply(values, state),
    );
}

/// Per-thread buffers of the cosine and sine transforms.
struct Makhoul<T: Real> {
    reordered: Vec<T>,
    spectrum: Vec<Complex<T>>,
    fft_scratch: Vec<Complex<T>>,
    dct_scratch: Vec<T>,
}

impl<T: Real> Default for Makhoul<T> {
    fn default() -> Self {
        Makhoul {
            reordered: Vec::new(),
            spectrum: Vec::new(),
            fft_scratch: Vec::new(),
            dct_scratch: Vec::new(),
        }
    }
}

impl<T: Real> Reusable for Makhoul<T> {
    fn bytes(&self) -> usize {
        let real = self.reordered.capacity() + self.dct_scratch.capacity();
        let complex = self.spectrum.capacity() + self.fft_scratch.capacity();
        (real + 2 * complex) * std::mem::size_of::<T>()
    }
}

/// Unnormalised DCT-II (`Y[k] = sum x[n] cos(pi k (2n + 1) / 2N)`, rustdct's convention) in
/// place, through one real FFT of the same length (Makhoul): even samples forward, odd ones
/// backward, then `Y[k] = Re(V[k] w^k)` and `Y[N - k] = -Im(V[k] w^k)` with `w = e^(-i pi / 2N)`.
fn makhoul_dct2<T: Real>(
    values: &mut [T],
    fft: &ForwardReal<T>,
    twiddles: &[Complex<T>],
    state: &mut Makhoul<T>,
) {
    let (n, half) = (values.len(), values.len() / 2);
    makhoul_order(values, &mut state.reordered);
    let spectrum = &mut state.spectrum;
    fft.process(
        &mut state.reordered,
        spectrum,
        &mut state.fft_scratch,
        T::one(),
    );
    values[0] = spectrum[0].re;
    // Loops over zipped slices, free of index checks, so that they vectorise.
    let (low, high) = values.split_at_mut(half + 1);
    let pairs = low[1..].iter_mut().zip(high.iter_mut().rev());
    for ((low, high), (v, w)) in pairs.zip(spectrum[1..].iter().zip(&twiddles[1..])) {
        let z = *v * *w;
        *low = z.re;
        *high = -z.im;
    }
    if n.is_multiple_of(2) && half > 0 {
        low[half] = -(spectrum[half] * twiddles[half]).im; // = its real part, up to rounding
    }
}

/// `v` = the even-indexed `values` forward, then the odd-indexed ones backward (Makhoul's
/// order of the samples).
fn makhoul_order<T: Copy>(values: &[T], v: &mut [T]) {
    let n = values.len();
    let (evens, odds) = v.split_at_mut(n.div_ceil(2));
    let both = evens.iter_mut().zip(odds.iter_mut().rev());
    for ((even, odd), pair) in both.zip(values.chunks_exact(2)) {
        *even = pair[0];
        *odd = pair[1];
    }
    if !n.is_multiple_of(2) {
        evens[n / 2] = values[n - 1];
    }
}

/// The inverse of `makhoul_order`.
fn natural_order<T: Copy>(v: &[T], values: &mut [T]) {
    let n = values.len();
    let (evens, odds) = v.split_at(n.div_ceil(2));
    let both = evens.iter().zip(odds.iter().rev());
    for ((even, odd), pair) in both.zip(values.chunks_exact_mut(2)) {
        pair[0] = *even;
        pair[1] = *odd;
    }
    if !n.is_multiple_of(2) {
        values[n - 1] = evens[n / 2];
    }
}

/// Unnormalised DCT-III (`y[n] = X[0] / 2 + sum_k X[k] cos(pi k (2n + 1) / 2N)`, rustdct's
/// convention) in place: the inverse of `makhoul_dct2` times N / 2, through one inverse real
/// FFT: `V[k] = (X[k] - i X[N - k]) conj(w^k)` (Hermitian), `v = c2r(V)`, then the even
/// outputs from the front of `v` and the odd ones from its back, halved.
fn makhoul_dct3<T: Real>(
    values: &mut [T],
    fft: &InverseReal<T>,
    twiddles: &[Complex<T>],
    state: &mut Makhoul<T>,
) {
    let (n, half) = (values.len(), values.len() / 2);
    let spectrum = &mut state.spectrum;
    spectrum[0] = Complex::new(values[0], T::zero());
    let (low, high) = values.split_at(half + 1);
    let pairs = low[1..].iter().zip(high.iter().rev());
    for ((low, high), (v, w)) in pairs.zip(spectrum[1..].iter_mut().zip(&twiddles[1..])) {
        *v = Complex::new(*low, -*high) * w.conj();
    }
    if n.is_multiple_of(2) && half > 0 {
        // sqrt(2) X[N/2]: real up to rounding
        let centre = Complex::new(values[half], -values[half]) * twiddles[half].conj();
        spectrum[half] = Complex::new(centre.re, T::zero());
    }
    let scale = T::from_f64(0.5).unwrap_or_else(T::one);
    fft.process(
        spectrum,
        &mut state.reordered,
        &mut state.fft_scratch,
        scale,
    );
    natural_order(&state.reordered, values);
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array1, Array2};

    fn naive_dft(x: &[Complex<f64>], forward: bool) -> Vec<Complex<f64>> {
        let n = x.len() as f64;
        let sign = if forward { -1.0 } else { 1.0 };
        (0..x.len())
            .map(|k| {
                x.iter()
                    .enumerate()
                    .fold(Complex::new(0.0, 0.0), |acc, (j, v)| {
                        let angle = sign * 2.0 * std::f64::consts::PI * (k as f64) * (j as f64) / n;
                        acc + v * Complex::new(angle.cos(), angle.sin())
                    })
            })
            .collect()
    }

    #[test]
    fn c2c_matches_naive_dft_with_padding_and_strides() {
        for n in [1usize, 2, 3, 5, 7, 16, 17] {
            let x: Vec<Complex<f64>> = (0..n)
                .map(|i| Complex::new(i as f64 * 0.5 - 1.0, (i * i) as f64 * 0.1))
                .collect();
            let input = Array1::from(x.clone()).into_dyn();
            let mut out = Array1::from(vec![Complex::new(0.0, 0.0); n + 3]).into_dyn();
            c2c(input.view(), out.view_mut(), 0, true, 1.0, 1);
            let mut padded = x.clone();
            padded.resize(n + 3, Complex::new(0.0, 0.0));
            for (a, b) in out.iter().zip(naive_dft(&padded, true)) {
                assert!((a - b).norm() < 1e-9, "n={n}: {a} vs {b}");
            }
        }
    }

    #[test]
    fn parallel_lines_equal_sequential() {
        let x = Array2::from_shape_fn((37, 64), |(i, j)| {
            Complex::new((i * 3 + j) as f32, (i as f32) - j as f32)
        });
        let transposed = x.t();
        let mut seq = Array2::from_elem((64, 37), Complex::new(0.0f32, 0.0)).into_dyn();
        let mut par = seq.clone();
        c2c(transposed.into_dyn(), seq.view_mut(), 1, false, 0.5, 1);
        c2c(transposed.into_dyn(), par.view_mut(), 1, false, 0.5, 4);
        assert_eq!(seq, par);
    }

    #[test]
    fn inplace_equals_out_of_place() {
        let x = Array2::from_shape_fn((6, 10), |(i, j)| {
            Complex::new(i as f64 - j as f64, (i * j) as f64)
        });
        let mut out = Array2::from_elem((6, 10), Complex::new(0.0, 0.0)).into_dyn();
        c2c(x.view().into_dyn(), out.view_mut(), 0, true, 1.0, 1);
        for workers in [1, 3] {
            let mut inplace = x.clone().into_dyn();
            c2c_inplace(inplace.view_mut(), 0, true, 1.0, workers);
            assert_eq!(inplace, out);
        }
        // A wide array: columns are gathered in blocks of neighbours.
        let wide = Array2::from_shape_fn((5, 40), |(i, j)| {
            Complex::new((i * 7 + j) as f64, j as f64 - i as f64)
        });
        let mut expected = Array2::from_elem((5, 40), Complex::new(0.0, 0.0)).into_dyn();
        c2c(
            wide.view().into_dyn(),
            expected.view_mut(),
            0,
            false,
            0.5,
            1,
        );
        for workers in [1, 2] {
            let mut inplace = wide.clone().into_dyn();
            c2c_inplace(inplace.view_mut(), 0, false, 0.5, workers);
            assert_eq!(inplace, expected);
        }
    }

    #[test]
    fn blocked_passes_of_3d_arrays_equal_line_by_line() {
        use ndarray::{Array3, ShapeBuilder};
        let values = |(i, j, k): (usize, usize, usize)| {
            Complex::new(
                (i * 31 + j * 7 + k) as f64 % 13.0,
                (i + 2 * k) as f64 - j as f64,
            )
        };
        for fortran in [false, true] {
            let shape = (5, 37, 19);
            let x = if fortran {
                Array3::from_shape_fn(shape.f(), values)
            } else {
                Array3::from_shape_fn(shape, values)
            };
            for axis in 0..3 {
                // Reference: each line copied out and transformed alone.
                let mut expected = x.clone().into_dyn();
                let fft = f64::plans().complex(x.len_of(Axis(axis)), true);
                for mut lane in expected.lanes_mut(Axis(axis)) {
                    let mut line: Vec<_> = lane.iter().copied().collect();
                    fft.process(&mut line);
                    lane.iter_mut().zip(line).for_each(|(d, v)| *d = v * 0.5);
                }
                for workers in [1, 3] {
                    let mut inplace = x.clone().into_dyn();
                    c2c_inplace(inplace.view_mut(), axis, true, 0.5, workers);
                    assert_eq!(inplace, expected, "axis {axis}, fortran {fortran}");
                }
            }
        }
    }

    #[test]
    fn makhoul_types_2_and_3_equal_rustdct() {
        for n in [1usize, 2, 3, 4, 5, 8, 17, 64, 1000] {
            let x: Vec<f64> = (0..n).map(|i| ((i * 7 + 3) % 11) as f64 - 4.5).collect();
            let mut planner = rustdct::DctPlanner::new();
            let reference = planner.plan_dct2(n);
            for kind in [DctKind::Dct2, DctKind::Dct3, DctKind::Dst2, DctKind::Dst3] {
                let mut expected = x.clone();
                match kind {
                    DctKind::Dct2 => reference.process_dct2(&mut expected),
                    DctKind::Dct3 => reference.process_dct3(&mut expected),
                    DctKind::Dst2 => reference.process_dst2(&mut expected),
                    _ => reference.process_dst3(&mut expected),
                }
                let input = Array1::from(x.clone()).into_dyn();
                let mut out = Array1::zeros(n).into_dyn();
                dct(input.view(), out.view_mut(), 0, kind, 1.0, 1.0, 1.0, 1);
                for (a, b) in out.iter().zip(&expected) {
                    assert!(
                        (a - b).abs() < 1e-9 * n as f64,
                        "{kind:?} n={n}: {a} vs {b}"
                    );
                }
            }
        }
    }

    #[test]
    fn real_round_trip() {
        for n in [1usize, 2, 5, 8, 9, 1009] {
            let x = Array1::from_shape_fn(n, |i| (i as f64).sin()).into_dyn();
            let mut spectrum = Array1::from(vec![Complex::new(0.0, 0.0); n / 2 + 1]).into_dyn();
            r2c(x.view(), spectrum.view_mut(), 0, n, 1.0, false, 1);
            let mut back = Array1::zeros(n).into_dyn();
            c2r(
                spectrum.view(),
                back.view_mut(),
                0,
                1.0 / n as f64,
                false,
                1,
            );
            for (a, b) in back.iter().zip(x.iter()) {
                assert!((a - b).abs() < 1e-9, "n={n}");
            }
        }
    }
}
