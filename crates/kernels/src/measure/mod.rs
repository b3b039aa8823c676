//! `scipy.ndimage` measurements: connected-component labelling (`label`), bounding boxes of
//! labels (`find_objects`) and per-label statistics in one pass over the image (`stats`).
//!
//! Images are strided `ndarray` views of any layout; per-pixel work runs over C-order rows.

pub mod label;
pub mod objects;
pub mod stats;
pub mod values;
pub mod watershed;

use ndarray::{ArrayView1, ArrayViewD, Axis};

/// An integer label image element (`int32` or `int64`; other dtypes are converted first).
pub trait Label: Copy + Send + Sync + 'static {
    fn get(self) -> i64;
}

impl Label for i32 {
    #[inline(always)]
    fn get(self) -> i64 {
        self as i64
    }
}

impl Label for i64 {
    #[inline(always)]
    fn get(self) -> i64 {
        self
    }
}

/// A pixel value: bool (as `u8`), integers of 8 to 64 bits, `f32`, `f64`.
pub trait Value: Copy + PartialOrd + Send + Sync + 'static {
    /// Whether this is an integer type (bool included).
    const INTEGER: bool;
    /// The value as NumPy converts it to `float64`.
    fn to_f64(self) -> f64;
    /// The value as `int64` with two's complement wrapping (`uint64` reinterpreted).
    fn to_i64(self) -> i64;
    fn is_nan(self) -> bool;
    fn is_zero(self) -> bool;
}

macro_rules! int_value {
    ($($t:ty)*) => {$(
        impl Value for $t {
            const INTEGER: bool = true;
            #[inline(always)]
            fn to_f64(self) -> f64 { self as f64 }
            #[inline(always)]
            fn to_i64(self) -> i64 { self as i64 }
            #[inline(always)]
            fn is_nan(self) -> bool { false }
            #[inline(always)]
            fn is_zero(self) -> bool { self == 0 }
        }
    )*};
}
int_value!(u8 i8 u16 i16 u32 i32 u64 i64);

macro_rules! float_value {
    ($($t:ty)*) => {$(
        impl Value for $t {
            const INTEGER: bool = false;
            #[inline(always)]
            fn to_f64(self) -> f64 { self as f64 }
            #[inline(always)]
            fn to_i64(self) -> i64 { self as i64 }
            #[inline(always)]
            fn is_nan(self) -> bool { self.is_nan() }
            #[inline(always)]
            fn is_zero(self) -> bool { self == 0.0 }
        }
    )*};
}
float_value!(f32 f64);

/// Calls `f(row_coords, flat_start, row)` for every row (1-D lane along the last axis) of `a`
/// in C order; `row_coords` are the indices along the other axes, `flat_start` the C-order
/// flat index of the row's first element. A 0-d array is one row of one element.
pub(crate) fn for_rows<T>(
    a: &ArrayViewD<'_, T>,
    mut f: impl FnMut(&[usize], usize, ArrayView1<'_, T>),
) {
    if a.ndim() == 0 {
        let one = a.view().into_shape_with_order(1).expect("0-d to 1-d");
        f(&[], 0, one);
        return;
    }
    let last = a.ndim() - 1;
    let len = a.shape()[last];
    if a.is_empty() {
        return;
    }
    let outer = &a.shape()[..last];
    let mut coords = vec![0usize; last];
    let mut start = 0;
    for row in a.lanes(Axis(last)) {
        f(&coords, start, row);
        start += len;
        for k in (0..last).rev() {
            coords[k] += 1;
            if coords[k] < outer[k] {
                break;
            }
            coords[k] = 0;
        }
    }
}

/// Like [`for_rows`] over two arrays of the same shape, row by row.
pub(crate) fn for_rows2<A, B>(
    a: &ArrayViewD<'_, A>,
    b: &ArrayViewD<'_, B>,
    mut f: impl FnMut(&[usize], usize, ArrayView1<'_, A>, ArrayView1<'_, B>),
) {
    assert_eq!(a.shape(), b.shape(), "for_rows2: shapes differ");
    if a.ndim() == 0 {
        let one_a = a.view().into_shape_with_order(1).expect("0-d to 1-d");
        let one_b = b.view().into_shape_with_order(1).expect("0-d to 1-d");
        f(&[], 0, one_a, one_b);
        return;
    }
    let last = a.ndim() - 1;
    let mut rows_b = b.lanes(Axis(last)).into_iter();
    for_rows(a, |coords, start, row_a| {
        let row_b = rows_b.next().expect("same shape");
        f(coords, start, row_a, row_b)
    });
}
