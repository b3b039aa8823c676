//! Arrays as SciPy's C code sees them: a data pointer, a dtype, a shape and byte strides
//! (any, negative included), read into `f64` and written back with SciPy's C casts.

/// The element types `scipy.ndimage` filters accept (bool is read and written as `U8`, the
/// bytes NumPy stores for it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dtype {
    I8,
    U8,
    I16,
    U16,
    I32,
    U32,
    I64,
    U64,
    F32,
    F64,
}

/// An N-D array in memory: `ptr` points at element `[0, 0, ...]`, `strides` are in bytes.
#[derive(Clone, Debug)]
pub struct RawArray {
    pub ptr: *mut u8,
    pub dtype: Dtype,
    pub shape: Vec<usize>,
    pub strides: Vec<isize>,
}

// SAFETY: a `RawArray` is a description; the functions taking one are `unsafe` and their
// callers guarantee the memory is valid and not written concurrently by anyone else.
unsafe impl Send for RawArray {}
unsafe impl Sync for RawArray {}

impl RawArray {
    pub fn ndim(&self) -> usize {
        self.shape.len()
    }

    pub fn size(&self) -> usize {
        self.shape.iter().product()
    }
}

/// C's `(int)x` on x86-64 (`cvttsd2si`): truncation, and `INT_MIN` out of range or for NaN.
fn c_i32(v: f64) -> i32 {
    if v > -2_147_483_649.0 && v < 2_147_483_648.0 {
        v as i32
    } else {
        i32::MIN
    }
}

/// C's `(long)x` on x86-64: truncation, `LONG_MIN` out of range or for NaN.
fn c_i64(v: f64) -> i64 {
    const TWO63: f64 = 9_223_372_036_854_775_808.0;
    if (-TWO63..TWO63).contains(&v) {
        v as i64
    } else {
        i64::MIN
    }
}

/// A sample type: read as `f64`, written back from `f64` as SciPy's C code does.
pub(crate) trait Sample: Copy + Send + Sync + 'static {
    fn to_f64(self) -> f64;
    /// `(type)x`, SciPy's line-buffer cast (`NI_LineBufferToArray`), with x86-64 semantics
    /// where C leaves it undefined (out of range: wraps through `int`/`long`).
    fn from_f64(v: f64) -> Self;
    /// `CASE_FILTER_OUT_SAFE` of the N-D filters: unsigned types get `-(type)(-x)` below -1.
    fn from_f64_safe(v: f64) -> Self {
        Self::from_f64(v)
    }
}

macro_rules! small_int {
    ($($t:ty, $unsigned:expr);*) => {$(
        impl Sample for $t {
            #[inline(always)]
            fn to_f64(self) -> f64 {
                self as f64
            }
            #[inline(always)]
            fn from_f64(v: f64) -> Self {
                c_i32(v) as $t
            }
            #[inline(always)]
            fn from_f64_safe(v: f64) -> Self {
                if $unsigned && v <= -1.0 {
                    (c_i32(-v) as $t).wrapping_neg()
                } else {
                    c_i32(v) as $t
                }
            }
        }
    )*};
}
small_int!(i8, false; u8, true; i16, false; u16, true; i32, false);

impl Sample for u32 {
    #[inline(always)]
    fn to_f64(self) -> f64 {
        self as f64
    }
    #[inline(always)]
    fn from_f64(v: f64) -> Self {
        c_i64(v) as u32
    }
    #[inline(always)]
    fn from_f64_safe(v: f64) -> Self {
        if v <= -1.0 {
            (c_i64(-v) as u32).wrapping_neg()
        } else {
            c_i64(v) as u32
        }
    }
}

impl Sample for i64 {
    #[inline(always)]
    fn to_f64(self) -> f64 {
        self as f64
    }
    #[inline(always)]
    fn from_f64(v: f64) -> Self {
        c_i64(v)
    }
}

/// C's `(unsigned long)x` as gcc emits it on x86-64.
fn c_u64(v: f64) -> u64 {
    const TWO63: f64 = 9_223_372_036_854_775_808.0;
    if v < TWO63 {
        c_i64(v) as u64
    } else {
        (c_i64(v - TWO63) as u64) ^ (1 << 63)
    }
}

impl Sample for u64 {
    #[inline(always)]
    fn to_f64(self) -> f64 {
        self as f64
    }
    #[inline(always)]
    fn from_f64(v: f64) -> Self {
        c_u64(v)
    }
    #[inline(always)]
    fn from_f64_safe(v: f64) -> Self {
        if v <= -1.0 {
            c_u64(-v).wrapping_neg()
        } else {
            c_u64(v)
        }
    }
}

impl Sample for f32 {
    #[inline(always)]
    fn to_f64(self) -> f64 {
        self as f64
    }
    #[inline(always)]
    fn from_f64(v: f64) -> Self {
        v as f32
    }
}

impl Sample for f64 {
    #[inline(always)]
    fn to_f64(self) -> f64 {
        self
    }
    #[inline(always)]
    fn from_f64(v: f64) -> Self {
        v
    }
}

/// Reads the `T` at `p` (NumPy arrays need not be aligned).
///
/// # Safety
/// `p` must point at a readable `T`.
#[inline(always)]
pub(crate) unsafe fn read<T: Sample>(p: *const u8) -> f64 {
    unsafe { (p as *const T).read_unaligned() }.to_f64()
}

/// Writes `v` at `p`.
///
/// # Safety
/// `p` must point at a writable `T`.
#[inline(always)]
pub(crate) unsafe fn write<T: Sample>(p: *mut u8, v: T) {
    unsafe { (p as *mut T).write_unaligned(v) }
}

/// Runs `$body` with `$t` the Rust type of `$dtype`.
macro_rules! with_dtype {
    ($dtype:expr, $t:ident => $body:expr) => {
        match $dtype {
            $crate::ndimage::Dtype::I8 => {
                type $t = i8;
                $body
            }
            $crate::ndimage::Dtype::U8 => {
                type $t = u8;
                $body
            }
            $crate::ndimage::Dtype::I16 => {
                type $t = i16;
                $body
            }
            $crate::ndimage::Dtype::U16 => {
                type $t = u16;
                $body
            }
            $crate::ndimage::Dtype::I32 => {
                type $t = i32;
                $body
            }
            $crate::ndimage::Dtype::U32 => {
                type $t = u32;
                $body
            }
            $crate::ndimage::Dtype::I64 => {
                type $t = i64;
                $body
            }
            $crate::ndimage::Dtype::U64 => {
                type $t = u64;
                $body
            }
            $crate::ndimage::Dtype::F32 => {
                type $t = f32;
                $body
            }
            $crate::ndimage::Dtype::F64 => {
                type $t = f64;
                $body
            }
        }
    };
}
pub(crate) use with_dtype;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn casts_follow_c() {
        assert_eq!(u8::from_f64(2.9), 2);
        assert_eq!(u8::from_f64(-2.9), 254);
        assert_eq!(u8::from_f64(256.5), 0);
        assert_eq!(i16::from_f64(-3.7), -3);
        assert_eq!(i32::from_f64(f64::NAN), i32::MIN);
        assert_eq!(u8::from_f64_safe(-0.5), 0);
        assert_eq!(u8::from_f64_safe(-3.7), 253);
        assert_eq!(u64::from_f64(1.5e19), 15_000_000_000_000_000_000);
        assert_eq!(u64::from_f64_safe(-2.0), u64::MAX - 1);
    }
}
