//! Per-axis arithmetic of SciPy's spline interpolation (`ni_interpolation.c`, `ni_splines.c`):
//! where a coordinate lands after the boundary mode, which input samples its spline covers, and
//! their weights. Ported operation for operation so the results are SciPy's bits; where SciPy's
//! C code casts a double out of an integer's range (undefined behaviour there), the port stops
//! with [`Unrepresentable`] instead of guessing.

/// The boundary modes as `_ni_support._extend_mode_to_code` numbers them (interpolation tells
/// the grid variants of wrap and constant apart, unlike the filters).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Extend {
    Nearest,
    Wrap,
    Reflect,
    Mirror,
    Constant,
    GridWrap,
    GridConstant,
}

impl Extend {
    pub fn from_code(code: i64) -> Option<Extend> {
        Some(match code {
            0 => Extend::Nearest,
            1 => Extend::Wrap,
            2 => Extend::Reflect,
            3 => Extend::Mirror,
            4 => Extend::Constant,
            5 => Extend::GridWrap,
            6 => Extend::GridConstant,
            _ => return None,
        })
    }

    /// `_get_spline_boundary_mode`: the extension of the spline's taps past the edges (modes
    /// without an exact prefilter boundary use mirror).
    fn spline(self) -> Extend {
        match self {
            Extend::Constant | Extend::Wrap => Extend::Mirror,
            mode => mode,
        }
    }
}

/// A coordinate SciPy would cast to an integer beyond `npy_intp`'s range (or NaN).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Unrepresentable;

/// `(npy_intp)x` where it is defined; 2^62 leaves room for the products SciPy forms next.
fn trunc(x: f64) -> Result<i64, Unrepresentable> {
    const LIMIT: f64 = 4_611_686_018_427_387_904.0;
    if x.abs() < LIMIT {
        Ok(x as i64)
    } else {
        Err(Unrepresentable)
    }
}

/// `map_coordinate`: a coordinate outside `[0, len - 1]` mapped back by the boundary mode
/// (`-1` for constant: the point takes `cval`).
pub(crate) fn map_coordinate(x: f64, len: usize, mode: Extend) -> Result<f64, Unrepresentable> {
    let n = len as i64;
    let lenf = len as f64;
    let short = len <= 1;
    Ok(if x < 0.0 {
        match mode {
            Extend::Mirror if short => 0.0,
            Extend::Mirror => {
                let sz2 = 2 * n - 2;
                let x = sz2.wrapping_mul(trunc(-x / sz2 as f64)?) as f64 + x;
                if x <= (1 - n) as f64 {
                    x + sz2 as f64
                } else {
                    -x
                }
            }
            Extend::Reflect if short => 0.0,
            Extend::Reflect => {
                let sz2 = 2 * n;
                let mut x = x;
                if x < -(sz2 as f64) {
                    x = sz2.wrapping_mul(trunc(-x / sz2 as f64)?) as f64 + x;
                }
                // SciPy's guard against (-x - 1) rounding to -1 for tiny negative x.
                if x < -lenf {
                    x + sz2 as f64
                } else {
                    (if x > -1e-15 { 1e-15 } else { -x }) - 1.0
                }
            }
            Extend::Wrap if short => 0.0,
            Extend::Wrap => {
                let sz = n - 1;
                x + sz.wrapping_mul(trunc(-x / sz as f64)? + 1) as f64
            }
            Extend::GridWrap if short => 0.0,
            Extend::GridWrap => x + n.wrapping_mul(trunc((-1.0 - x) / lenf)? + 1) as f64,
            Extend::Nearest => 0.0,
            Extend::Constant => -1.0,
            Extend::GridConstant => x,
        }
    } else if x > (n - 1) as f64 {
        match mode {
            Extend::Mirror if short => 0.0,
            Extend::Mirror => {
                let sz2 = 2 * n - 2;
                let x = x - sz2.wrapping_mul(trunc(x / sz2 as f64)?) as f64;
                if x >= lenf {
                    sz2 as f64 - x
                } else {
                    x
                }
            }
            Extend::Reflect if short => 0.0,
            Extend::Reflect => {
                let sz2 = 2 * n;
                let x = x - sz2.wrapping_mul(trunc(x / sz2 as f64)?) as f64;
                if x >= lenf {
                    sz2 as f64 - x - 1.0
                } else {
                    x
                }
            }
            Extend::Wrap if short => 0.0,
            Extend::Wrap => {
                let sz = n - 1;
                x - sz.wrapping_mul(trunc(x / sz as f64)?) as f64
            }
            Extend::GridWrap if short => 0.0,
            Extend::GridWrap => x - n.wrapping_mul(trunc(x / lenf)?) as f64,
            Extend::Nearest => (n - 1) as f64,
            Extend::Constant => -1.0,
            Extend::GridConstant => x,
        }
    } else {
        x
    })
}

/// The most taps along one axis (order 5).
pub const MAX_TAPS: usize = 6;

/// `floor(x)` as an integer, for `|x| < 2^62` (where `x as i64` is exact whenever `x` is an
/// integer, so this is `floor`'s value; inlined where libm's `floor` is a call).
#[inline(always)]
fn floor(x: f64) -> Result<i64, Unrepresentable> {
    let i = trunc(x)?;
    Ok(if i as f64 > x { i - 1 } else { i })
}

/// `get_spline_interpolation_weights`: the `ORDER + 1` B-spline weights at `x`.
#[inline(always)]
pub(crate) fn weights<const ORDER: usize>(
    x: f64,
    w: &mut [f64; MAX_TAPS],
) -> Result<(), Unrepresentable> {
    let order = ORDER;
    let x = x - floor(if order & 1 == 1 { x } else { x + 0.5 })? as f64;
    let mut y = x;
    let mut z = 1.0 - x;
    match order {
        1 => w[0] = 1.0 - x,
        2 => {
            w[1] = 0.75 - x * x;
            y = 0.5 - x;
            w[0] = 0.5 * y * y;
        }
        3 => {
            w[1] = (y * y * (y - 2.0) * 3.0 + 4.0) / 6.0;
            w[2] = (z * z * (z - 2.0) * 3.0 + 4.0) / 6.0;
            w[0] = z * z * z / 6.0;
        }
        4 => {
            let t = x * x;
            w[2] = t * (t * 0.25 - 0.625) + 115.0 / 192.0;
            y = 1.0 + x;
            w[1] = y * (y * (y * (5.0 - y) / 6.0 - 1.25) + 5.0 / 24.0) + 55.0 / 96.0;
            w[3] = z * (z * (z * (5.0 - z) / 6.0 - 1.25) + 5.0 / 24.0) + 55.0 / 96.0;
            y = 0.5 - x;
            let t = y * y;
            w[0] = t * t / 24.0;
        }
        5 => {
            let t = y * y;
            w[2] = t * (t * (0.25 - y / 12.0) - 0.5) + 0.55;
            let t = z * z;
            w[3] = t * (t * (0.25 - z / 12.0) - 0.5) + 0.55;
            y += 1.0;
            w[1] = y * (y * (y * (y * (y / 24.0 - 0.375) + 1.25) - 1.75) + 0.625) + 0.425;
            z += 1.0;
            w[4] = z * (z * (z * (z * (z / 24.0 - 0.375) + 1.25) - 1.75) + 0.625) + 0.425;
            y = 1.0 - x;
            let t = y * y;
            w[0] = y * t * t / 120.0;
        }
        _ => return Ok(()),
    }
    // The weights add up to one: SciPy computes the last from the others.
    w[order] = 1.0;
    for i in 0..order {
        w[order] -= w[i];
    }
    Ok(())
}

/// The samples one output point reads along one axis: byte offsets from the input's first
/// element (`base + offs[k]` for tap `k`), their weights, and (grid-constant) which taps lie
/// outside the input and read `cval` instead.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Taps {
    pub base: isize,
    pub offs: [isize; MAX_TAPS],
    pub w: [f64; MAX_TAPS],
    pub outside: [bool; MAX_TAPS],
    pub any_outside: bool,
}

/// One input axis as the interpolation sees it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Axis {
    pub len: usize,
    pub stride: isize,
    pub mode: Extend,
    /// `stride * k`: the taps' offsets away from the edges.
    pub inside: [isize; MAX_TAPS],
}

impl Axis {
    pub fn new(len: usize, stride: isize, mode: Extend) -> Axis {
        Axis {
            len,
            stride,
            mode,
            inside: std::array::from_fn(|k| stride * k as isize),
        }
    }

    /// The taps of coordinate `cc` (prepadding already added) for a spline of `ORDER`; `None`
    /// where SciPy's constant border gives the point `cval`.
    pub fn taps<const ORDER: usize>(&self, cc: f64) -> Result<Option<Taps>, Unrepresentable> {
        let mut taps = Taps::default();
        Ok(self.taps_into::<ORDER>(cc, &mut taps)?.then_some(taps))
    }

    /// [`Axis::taps`] written in place (returns false for a `cval` point): no moves of the
    /// struct on the per-point path.
    #[inline(always)]
    pub fn taps_into<const ORDER: usize>(
        &self,
        cc: f64,
        taps: &mut Taps,
    ) -> Result<bool, Unrepresentable> {
        let mode = self.mode;
        let unmapped = matches!(mode, Extend::GridConstant | Extend::Nearest);
        // Coordinates inside the input map to themselves (the common case, kept inline).
        let cc = if unmapped || (cc >= 0.0 && cc <= (self.len as f64 - 1.0)) {
            cc
        } else {
            map_coordinate(cc, self.len, mode)?
        };
        if !(cc > -1.0 || unmapped) {
            return Ok(false);
        }
        if unmapped && !cc.is_finite() {
            self.non_finite(taps);
            return Ok(true);
        }
        let start = floor(if ORDER & 1 == 1 { cc } else { cc + 0.5 })? - (ORDER / 2) as i64;
        taps.base = (self.stride as i64).wrapping_mul(start) as isize;
        taps.offs = self.inside;
        taps.outside = [false; MAX_TAPS];
        taps.any_outside = false;
        let n = self.len as i64;
        if start < 0 || start + ORDER as i64 >= n {
            for k in 0..=ORDER {
                let idx = start + k as i64;
                if mode == Extend::GridConstant {
                    taps.outside[k] = idx < 0 || idx >= n;
                    taps.any_outside |= taps.outside[k];
                } else {
                    let mapped = trunc(map_coordinate(idx as f64, self.len, mode.spline())?)?;
                    taps.offs[k] = self.stride * (mapped - start) as isize;
                }
            }
        }
        if ORDER > 0 {
            weights::<ORDER>(cc, &mut taps.w)?;
        }
        Ok(true)
    }

    /// A NaN or infinite coordinate in the unmapped modes, as SciPy's x86-64 build computes it:
    /// `(npy_intp)floor(cc)` is `INT64_MIN` there, so `nearest` reads sample 0 and
    /// `grid-constant` only `cval`; the weights (`cc - floor(cc)`) are NaN.
    fn non_finite(&self, taps: &mut Taps) {
        taps.base = 0;
        taps.offs = [0; MAX_TAPS];
        let outside = self.mode == Extend::GridConstant;
        taps.outside = [outside; MAX_TAPS];
        taps.any_outside = outside;
        taps.w = [f64::NAN; MAX_TAPS];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_sum_to_one_and_match_the_cubic_b_spline() {
        let mut w = [0.0; MAX_TAPS];
        type Weights = fn(f64, &mut [f64; MAX_TAPS]) -> Result<(), Unrepresentable>;
        let orders: [(usize, Weights); 5] = [
            (1, weights::<1>),
            (2, weights::<2>),
            (3, weights::<3>),
            (4, weights::<4>),
            (5, weights::<5>),
        ];
        for (order, f) in orders {
            f(2.3, &mut w).unwrap();
            let sum: f64 = w[..=order].iter().sum();
            assert!((sum - 1.0).abs() < 1e-15, "order {order}");
        }
        weights::<3>(0.0, &mut w).unwrap();
        assert_eq!(&w[..3], &[1.0 / 6.0, 4.0 / 6.0, 1.0 / 6.0]);
        // SciPy's last weight is one minus the others, rounding included.
        assert!(w[3].abs() < 1e-16);
    }

    #[test]
    fn coordinates_map_as_scipy_maps_them() {
        assert_eq!(map_coordinate(-1.5, 4, Extend::Mirror), Ok(1.5));
        assert_eq!(map_coordinate(4.5, 4, Extend::Mirror), Ok(1.5));
        assert_eq!(map_coordinate(-0.5, 4, Extend::Reflect), Ok(-0.5));
        assert_eq!(map_coordinate(4.5, 4, Extend::Reflect), Ok(2.5));
        assert_eq!(map_coordinate(-0.5, 4, Extend::GridWrap), Ok(3.5));
        assert_eq!(map_coordinate(7.0, 4, Extend::Constant), Ok(-1.0));
        assert_eq!(
            map_coordinate(f64::NAN, 4, Extend::Mirror).map(f64::is_nan),
            Ok(true)
        );
        assert_eq!(
            map_coordinate(-1e300, 4, Extend::Mirror),
            Err(Unrepresentable)
        );
    }
}
