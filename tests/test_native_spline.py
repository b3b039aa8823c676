"""The native B-spline prefilters, differentially against scipy.ndimage with hypothesis: 1-D
to 4-D shapes (1- and 2-element axes among them), orders 0 to 5, every mode, float, integer
and complex inputs in any layout, float32/float64 outputs as dtypes or arrays. The recursion
and its initial values follow SciPy's term for term: results must be identical."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.ndimage
from hypothesis import given, settings
from hypothesis import strategies as st

import uscipy

MODES = ["reflect", "grid-mirror", "mirror", "constant", "grid-constant", "nearest", "wrap", "grid-wrap"]


@st.composite
def problems(draw):
    ndim = draw(st.integers(1, 4))
    shape = tuple(draw(st.sampled_from([1, 2, 3, 5, 8])) for _ in range(ndim))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    dtype = np.dtype(draw(st.sampled_from([np.float64, np.float32, np.int16, np.complex128])))
    x = rng.standard_normal(shape) * 10
    x = (x + 1j * rng.standard_normal(shape) if dtype.kind == "c" else x).astype(dtype)
    layout = draw(st.sampled_from(["c", "f", "reversed", "big-endian"]))
    if layout == "f":
        x = np.asfortranarray(x)
    elif layout == "reversed":
        x = x[..., ::-1]
    elif layout == "big-endian":
        x = x.astype(x.dtype.newbyteorder(">"))
    return x, draw(st.sampled_from(MODES)), draw(st.integers(-ndim, ndim - 1))


@settings(max_examples=200, deadline=None)
@given(problem=problems(), order=st.integers(0, 5), output=st.sampled_from(["f64", "f32", "array"]),
       name=st.sampled_from(["spline_filter1d", "spline_filter"]))
def test_spline_filters_match_scipy(problem, order, output, name):
    x, mode, axis = problem
    complex_input = x.dtype.kind == "c"
    out_dtype = {"f64": np.float64, "f32": np.float32, "array": np.float64}[output]
    if complex_input:
        out_dtype = np.complex128 if out_dtype == np.float64 else np.complex64

    def out():
        return np.zeros(x.shape, out_dtype) if output == "array" else out_dtype

    args = dict(order=order, output=out(), mode=mode)
    theirs = dict(args, output=out())
    if name == "spline_filter1d":
        args["axis"] = theirs["axis"] = axis
    before = x.copy()
    try:
        expected = getattr(scipy.ndimage, name)(x, **theirs)
    except RuntimeError:  # spline_filter of order 0 or 1
        with pytest.raises(RuntimeError):
            getattr(uscipy.ndimage, name)(x, **args)
        return
    with uscipy.set_backend("native", only=True):
        got = getattr(uscipy.ndimage, name)(x, **args)
    assert got.dtype == expected.dtype
    np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(x, before)
