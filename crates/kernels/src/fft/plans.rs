//! Cached FFT plans, one cache per float type, safe to share between threads and bounded.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex, PoisonError};

use num_complex::Complex;
use realfft::RealFftPlanner;
use rustdct::{Dct1, DctNum, DctPlanner, Dst1, TransformType4};
use rustfft::{Fft, FftDirection, FftNum, FftPlanner};

use super::real::{ForwardReal, InverseReal};
use super::simd;
use super::stockham::Stockham;

/// Plans kept per type before the cache starts over (plans are cheap to rebuild).
const LIMIT: usize = 256;

struct Cache<T: Real> {
    complex_planner: FftPlanner<T>,
    real_planner: RealFftPlanner<T>,
    dct_planner: DctPlanner<T>,
    dct1: HashMap<usize, Arc<dyn Dct1<T>>>,
    dst1: HashMap<usize, Arc<dyn Dst1<T>>>,
    dct4: HashMap<usize, Arc<dyn TransformType4<T>>>,
    complex: HashMap<(usize, bool), Arc<dyn Fft<T>>>,
    forward_real: HashMap<usize, Arc<ForwardReal<T>>>,
    inverse_real: HashMap<usize, Arc<InverseReal<T>>>,
    dct2_twiddles: HashMap<usize, Arc<Vec<Complex<T>>>>,
}

impl<T: Real> Cache<T> {
    fn new() -> Self {
        Cache {
            complex_planner: FftPlanner::new(),
            real_planner: RealFftPlanner::new(),
            dct_planner: DctPlanner::new(),
            dct1: HashMap::new(),
            dst1: HashMap::new(),
            dct4: HashMap::new(),
            dct2_twiddles: HashMap::new(),
            complex: HashMap::new(),
            forward_real: HashMap::new(),
            inverse_real: HashMap::new(),
        }
    }

    fn bound(&mut self) {
        let plans = self.complex.len()
            + self.forward_real.len()
            + self.inverse_real.len()
            + self.dct1.len()
            + self.dst1.len()
            + self.dct4.len();
        if plans > LIMIT {
            *self = Cache::new();
        }
    }
}

/// The plans of one float type.
pub struct Plans<T: Real>(Mutex<Cache<T>>);

impl<T: Real> Plans<T> {
    fn new() -> Self {
        Plans(Mutex::new(Cache::new()))
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, Cache<T>> {
        // A cache is always consistent between statements: a panic cannot leave it half-built.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn complex(&self, n: usize, forward: bool) -> Arc<dyn Fft<T>> {
        self.plan(
            |c| &mut c.complex,
            (n, forward),
            |c| {
                let direction = if forward {
                    FftDirection::Forward
                } else {
                    FftDirection::Inverse
                };
                complex_plan(&mut c.complex_planner, n, direction)
            },
        )
    }

    pub fn forward_real(&self, n: usize) -> Arc<ForwardReal<T>> {
        self.plan(
            |c| &mut c.forward_real,
            n,
            |c| {
                Arc::new(ForwardReal::new(
                    n,
                    &mut c.complex_planner,
                    &mut c.real_planner,
                ))
            },
        )
    }

    pub fn inverse_real(&self, n: usize) -> Arc<InverseReal<T>> {
        self.plan(
            |c| &mut c.inverse_real,
            n,
            |c| {
                Arc::new(InverseReal::new(
                    n,
                    &mut c.complex_planner,
                    &mut c.real_planner,
                ))
            },
        )
    }

    /// DCT of type I of length `n`.
    pub fn dct1(&self, n: usize) -> Arc<dyn Dct1<T>> {
        self.plan(|c| &mut c.dct1, n, |c| c.dct_planner.plan_dct1(n))
    }

    /// DST of type I of length `n`.
    pub fn dst1(&self, n: usize) -> Arc<dyn Dst1<T>> {
        self.plan(|c| &mut c.dst1, n, |c| c.dct_planner.plan_dst1(n))
    }

    /// DCT/DST of type IV of length `n`.
    pub fn dct4(&self, n: usize) -> Arc<dyn TransformType4<T>> {
        self.plan(|c| &mut c.dct4, n, |c| c.dct_planner.plan_dct4(n))
    }

    /// `exp(-i pi k / (2n))` for `k = 0..=n/2`: the twiddles of a DCT-II computed through a
    /// real FFT of the same length (Makhoul).
    pub fn dct2_twiddles(&self, n: usize) -> Arc<Vec<Complex<T>>> {
        self.plan(
            |c| &mut c.dct2_twiddles,
            n,
            |_| {
                let step = -std::f64::consts::PI / (2 * n) as f64;
                let twiddles = (0..=n / 2)
                    .map(|k| {
                        let angle = step * k as f64;
                        Complex::new(
                            T::from_f64(angle.cos()).unwrap_or_else(T::zero),
                            T::from_f64(angle.sin()).unwrap_or_else(T::zero),
                        )
                    })
                    .collect();
                Arc::new(twiddles)
            },
        )
    }

    /// The plan under `key` in the map `table` picks, made by `make` on a miss.
    fn plan<K: std::hash::Hash + Eq, P: ?Sized>(
        &self,
        table: impl Fn(&mut Cache<T>) -> &mut HashMap<K, Arc<P>>,
        key: K,
        make: impl FnOnce(&mut Cache<T>) -> Arc<P>,
    ) -> Arc<P> {
        let mut cache = self.cache();
        cache.bound();
        if let Some(plan) = table(&mut cache).get(&key) {
            return plan.clone();
        }
        let plan = make(&mut cache);
        table(&mut cache).insert(key, plan.clone());
        plan
    }
}

/// The complex FFT of `n` points: `T::own_complex`'s where it has one, else rustfft's.
pub fn complex_plan<T: Real>(
    planner: &mut FftPlanner<T>,
    n: usize,
    direction: FftDirection,
) -> Arc<dyn Fft<T>> {
    T::own_complex(n, direction).unwrap_or_else(|| planner.plan_fft(n, direction))
}

type Pairs<T> = fn(&mut [Complex<T>], &[Complex<T>], T, usize) -> usize;

/// A float type the FFT kernels run on, with its plan cache and the vectorised pair loops of
/// the real FFTs' split and join passes (`simd.rs`; each returns how many pairs it did).
pub trait Real: FftNum + DctNum + num_complex::ComplexFloat<Real = Self> + Default {
    fn plans() -> &'static Plans<Self>;
    const SPLIT_PAIRS: Pairs<Self>;
    const JOIN_PAIRS: Pairs<Self>;
    /// A complex FFT of this crate's own for `n` points, where it has one for this CPU.
    fn own_complex(_n: usize, _direction: FftDirection) -> Option<Arc<dyn Fft<Self>>> {
        None
    }
}

impl Real for f32 {
    fn plans() -> &'static Plans<f32> {
        static PLANS: LazyLock<Plans<f32>> = LazyLock::new(Plans::new);
        &PLANS
    }
    const SPLIT_PAIRS: Pairs<f32> = simd::split_pairs_f32;
    const JOIN_PAIRS: Pairs<f32> = simd::join_pairs_f32;
}

impl Real for f64 {
    fn plans() -> &'static Plans<f64> {
        static PLANS: LazyLock<Plans<f64>> = LazyLock::new(Plans::new);
        &PLANS
    }
    const SPLIT_PAIRS: Pairs<f64> = simd::split_pairs_f64;
    const JOIN_PAIRS: Pairs<f64> = simd::join_pairs_f64;
    fn own_complex(n: usize, direction: FftDirection) -> Option<Arc<dyn Fft<f64>>> {
        Stockham::plan(n, direction)
    }
}
