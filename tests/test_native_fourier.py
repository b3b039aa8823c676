"""The native Fourier filters of scipy.ndimage, differentially against SciPy with hypothesis:
1-D to 4-D shapes (1-element axes among them), complex and real FFT'd inputs (``n`` and
``axis`` of a real transform), every input dtype, outputs as None, a dtype or an array.

The per-axis tables and their combination follow SciPy's C code term for term, so results must
be identical; the ellipsoid in 2-D uses libm's Bessel J1 where SciPy has its own approximation, so there
the tolerance is 1e-13 relative to the largest value (4 float32 ulp for single-precision
outputs, where the two double results may round to neighbouring floats)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.ndimage
from hypothesis import given, settings
from hypothesis import strategies as st

import uscipy

FILTERS = ["fourier_gaussian", "fourier_uniform", "fourier_ellipsoid", "fourier_shift"]
DTYPES = [np.float32, np.float64, np.complex64, np.complex128, np.int16, np.uint8, np.bool_]


@st.composite
def problems(draw):
    ndim = draw(st.integers(1, 4))
    shape = tuple(draw(st.sampled_from([1, 2, 3, 5, 8])) for _ in range(ndim))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    x = np.fft.fftn(rng.standard_normal(shape))
    dtype = np.dtype(draw(st.sampled_from(DTYPES)))
    x = (x if dtype.kind == "c" else (x.real * 4)).astype(dtype)
    layout = draw(st.sampled_from(["c", "f", "reversed", "big-endian"]))
    if layout == "f":
        x = np.asfortranarray(x)
    elif layout == "reversed":
        x = x[..., ::-1]
    elif layout == "big-endian" and dtype.itemsize > 1:
        x = x.astype(dtype.newbyteorder(">"))
    axis = draw(st.integers(-ndim, ndim - 1))
    n = draw(st.sampled_from([-1, 2 * x.shape[axis] - 1, 2 * x.shape[axis] - 2, 1]))
    per_axis = draw(st.booleans())
    values = draw(st.lists(st.sampled_from([0.0, 0.5, 1.3, 4.0, -2.0]), min_size=ndim, max_size=ndim))
    parameter = values if per_axis else values[0]
    output = draw(st.sampled_from([None, "dtype", "array"]))
    return x, parameter, n, axis, output


def _output(kind, x, name):
    if kind is None:
        return None
    complex_out = name == "fourier_shift" or x.dtype.kind == "c"
    dtype = np.complex64 if complex_out else np.float32
    return dtype if kind == "dtype" else np.zeros(x.shape, dtype)


@settings(max_examples=300, deadline=None)
@given(problem=problems(), name=st.sampled_from(FILTERS))
def test_fourier_filters_match_scipy(problem, name):
    x, parameter, n, axis, output = problem
    before = x.copy()
    theirs_out, ours_out = _output(output, x, name), _output(output, x, name)
    try:
        expected = getattr(scipy.ndimage, name)(x, parameter, n=n, axis=axis, output=theirs_out)
    except (RuntimeError, NotImplementedError, ValueError) as e:
        with pytest.raises(type(e)):
            getattr(uscipy.ndimage, name)(x, parameter, n=n, axis=axis, output=ours_out)
        return
    with uscipy.set_backend("native", only=True):
        got = getattr(uscipy.ndimage, name)(x, parameter, n=n, axis=axis, output=ours_out)
    assert got.dtype == expected.dtype and got.shape == expected.shape
    if name == "fourier_ellipsoid" and x.ndim == 2:
        scale = max(1.0, float(np.max(np.abs(expected), initial=0.0)))
        # Single-precision outputs: the two double results may round to neighbouring floats.
        single = got.dtype in (np.float32, np.complex64)
        tolerance = 4 * np.finfo(np.float32).eps if single else 1e-13
        assert float(np.max(np.abs(got.astype(np.complex128) - expected), initial=0.0)) <= tolerance * scale
    else:
        np.testing.assert_array_equal(got, expected)
    if isinstance(ours_out, np.ndarray):
        assert got is ours_out
    np.testing.assert_array_equal(x, before)


def test_native_runs_and_declines_what_scipy_rejects():
    x = np.fft.fft2(np.random.default_rng(1).standard_normal((6, 5)))
    with uscipy.set_backend("native"), uscipy.trace() as t:
        uscipy.ndimage.fourier_gaussian(x, 2.0)
        uscipy.ndimage.fourier_shift(x.real, (1.5, -0.5), n=9, axis=0)
        with pytest.raises(RuntimeError):
            uscipy.ndimage.fourier_gaussian(x, (1.0, 2.0, 3.0))  # SciPy's own error
        with pytest.raises(NotImplementedError):
            uscipy.ndimage.fourier_ellipsoid(np.ones((2, 2, 2, 2)), 1.0)
    assert [c.backend.name if c.backend else None for c in t] == ["native", "native", None, None]
