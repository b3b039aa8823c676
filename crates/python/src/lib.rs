//! `uscipy._core`: the extension module. Thin: it gathers the engine and the bindings of the
//! native kernels into one Python module.

mod fft;
mod fourier;
mod interpolation;
mod measure;
mod morphology;
mod ndimage;

use pyo3::prelude::*;

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    uscipy_dispatch::register(m)?;
    m.add_function(wrap_pyfunction!(fft::fft_c2c, m)?)?;
    m.add_function(wrap_pyfunction!(fft::fft_c2c_inplace, m)?)?;
    m.add_function(wrap_pyfunction!(fft::fft_r2c, m)?)?;
    m.add_function(wrap_pyfunction!(fft::fft_c2r, m)?)?;
    m.add_function(wrap_pyfunction!(fft::r2r, m)?)?;
    m.add_function(wrap_pyfunction!(fft::r2r_inplace, m)?)?;
    m.add_function(wrap_pyfunction!(fourier::fourier_filter, m)?)?;
    m.add_function(wrap_pyfunction!(ndimage::nd_correlate1d, m)?)?;
    m.add_function(wrap_pyfunction!(ndimage::nd_uniform_filter1d, m)?)?;
    m.add_function(wrap_pyfunction!(ndimage::nd_min_or_max_filter1d, m)?)?;
    m.add_function(wrap_pyfunction!(ndimage::nd_footprint_filter, m)?)?;
    m.add_function(wrap_pyfunction!(ndimage::nd_spline_filter1d, m)?)?;
    m.add_function(wrap_pyfunction!(interpolation::nd_map_coordinates, m)?)?;
    m.add_function(wrap_pyfunction!(interpolation::nd_affine_transform, m)?)?;
    m.add_function(wrap_pyfunction!(interpolation::nd_zoom_shift, m)?)?;
    m.add_function(wrap_pyfunction!(morphology::binary_erosion, m)?)?;
    m.add_function(wrap_pyfunction!(morphology::feature_transform, m)?)?;
    m.add_function(wrap_pyfunction!(morphology::feature_distances, m)?)?;
    m.add_function(wrap_pyfunction!(morphology::chamfer_transform, m)?)?;
    m.add_function(wrap_pyfunction!(morphology::brute_force_transform, m)?)?;
    m.add_function(wrap_pyfunction!(measure::ndimage_label, m)?)?;
    m.add_function(wrap_pyfunction!(measure::ndimage_find_objects, m)?)?;
    m.add_function(wrap_pyfunction!(measure::ndimage_value_indices, m)?)?;
    m.add_function(wrap_pyfunction!(measure::ndimage_moments, m)?)?;
    m.add_function(wrap_pyfunction!(measure::ndimage_centered, m)?)?;
    m.add_function(wrap_pyfunction!(measure::ndimage_extrema, m)?)?;
    m.add_function(wrap_pyfunction!(measure::ndimage_median, m)?)?;
    m.add_function(wrap_pyfunction!(measure::ndimage_histogram, m)?)?;
    m.add_function(wrap_pyfunction!(measure::ndimage_watershed_ift, m)?)?;
    Ok(())
}
