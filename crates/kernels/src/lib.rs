//! uscipy's native kernels: numerics on strided `ndarray` views, generic over `f32`/`f64`,
//! parallel across independent lines with rayon. No Python here; `crates/python` binds them.

pub mod fft;
pub mod fourier;
pub mod measure;
pub mod morphology;
pub mod ndimage;
pub mod parallel;
mod prefetch;
pub mod scratch;
