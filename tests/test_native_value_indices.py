"""The native ``value_indices``, differentially against scipy.ndimage with hypothesis: 1-D to
4-D shapes (empty and 1-element axes among them), every integer dtype, narrow and wide value
ranges, ``ignore_value``, strided and F-ordered inputs. Keys (with their dtype), their order and
the index arrays must be identical."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.ndimage
from hypothesis import given, settings
from hypothesis import strategies as st

import uscipy

DTYPES = [np.int8, np.uint8, np.int16, np.uint16, np.int32, np.uint32, np.int64, np.uint64]


@st.composite
def arrays(draw):
    ndim = draw(st.integers(1, 4))
    shape = tuple(draw(st.sampled_from([0, 1, 2, 3, 5])) for _ in range(ndim))
    dtype = np.dtype(draw(st.sampled_from(DTYPES)))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    high = min(int(np.iinfo(dtype).max), draw(st.sampled_from([1, 4, 100])))
    a = rng.integers(0, high + 1, shape).astype(dtype)
    layout = draw(st.sampled_from(["c", "f", "reversed"]))
    if layout == "f":
        a = np.asfortranarray(a)
    elif layout == "reversed":
        a = a[..., ::-1]
    return a, draw(st.sampled_from([None, 0, 1]))


@settings(max_examples=300, deadline=None)
@given(problem=arrays())
def test_value_indices_match_scipy(problem):
    a, ignore = problem
    expected = scipy.ndimage.value_indices(a, ignore_value=ignore)
    with uscipy.set_backend("native", only=True), uscipy.trace() as t:
        got = uscipy.ndimage.value_indices(a, ignore_value=ignore)
    assert t.calls[-1].backend.name == "native"
    assert list(got) == list(expected)
    assert [type(k) for k in got] == [type(k) for k in expected]
    for key, indices in expected.items():
        assert len(got[key]) == len(indices)
        for ours, theirs in zip(got[key], indices):
            assert ours.dtype == theirs.dtype
            np.testing.assert_array_equal(ours, theirs)


def test_wide_ranges_and_scipy_errors():
    a = np.array([[2**62, -(2**62)], [0, 2**62]], dtype=np.int64)
    with uscipy.set_backend("native", only=True):
        got = uscipy.ndimage.value_indices(a)
    # SciPy histograms the value range and cannot allocate this one: checked by hand.
    assert list(got) == [-(2**62), 0, 2**62]
    np.testing.assert_array_equal(got[2**62][0], [0, 1])
    np.testing.assert_array_equal(got[2**62][1], [0, 1])
    with uscipy.set_backend("native"), pytest.raises(ValueError, match="must be an integer array"):
        uscipy.ndimage.value_indices(np.ones(3))
