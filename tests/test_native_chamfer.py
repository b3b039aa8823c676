"""The native ``distance_transform_cdt``, differentially against scipy.ndimage with hypothesis:
1-D to 4-D shapes (1-element axes among them), densities from none to all foreground, the
named metrics and random 3^d structures, indices, and ``distances=``/``indices=`` arrays.
Distances and feature indices must be identical (ties broken as SciPy breaks them)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.ndimage
from hypothesis import given, settings
from hypothesis import strategies as st

import uscipy


@st.composite
def problems(draw):
    ndim = draw(st.integers(1, 4))
    shape = tuple(draw(st.sampled_from([1, 2, 3, 5, 8])) for _ in range(ndim))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    x = rng.random(shape) < draw(st.sampled_from([0.0, 0.3, 0.8, 1.0]))
    x = x.astype(draw(st.sampled_from([bool, np.int16, np.float64])))
    if draw(st.booleans()):
        x = x[..., ::-1]
    metric = draw(st.sampled_from(["chessboard", "taxicab", "cityblock", "manhattan", "custom"]))
    if metric == "custom":
        metric = rng.random((3,) * ndim) < 0.6
    return x, metric


@settings(max_examples=250, deadline=None)
@given(problem=problems(), return_indices=st.booleans(), arrays=st.booleans())
def test_cdt_matches_scipy(problem, return_indices, arrays):
    x, metric = problem
    kwargs = dict(metric=metric, return_indices=return_indices)
    before = x.copy()
    expected = scipy.ndimage.distance_transform_cdt(x, **kwargs)
    with uscipy.set_backend("native", only=True), uscipy.trace() as t:
        if arrays:
            distances = np.zeros(x.shape, np.int32)
            indices = np.zeros((x.ndim,) + x.shape, np.int32) if return_indices else None
            assert uscipy.ndimage.distance_transform_cdt(x, distances=distances, indices=indices, **kwargs) is None
            got = (distances, indices) if return_indices else distances
        else:
            got = uscipy.ndimage.distance_transform_cdt(x, **kwargs)
    assert t.calls[-1].backend.name == "native"
    for ours, theirs in zip(got, expected) if return_indices else [(got, expected)]:
        assert ours.dtype == theirs.dtype
        np.testing.assert_array_equal(ours, theirs)
    np.testing.assert_array_equal(x, before)


def test_scipy_errors():
    x = np.ones((3, 3), bool)
    with uscipy.set_backend("native"):
        with pytest.raises(RuntimeError, match="at least one of return_distances/return_indices"):
            uscipy.ndimage.distance_transform_cdt(x, return_distances=False)
        with pytest.raises(ValueError, match="invalid metric"):
            uscipy.ndimage.distance_transform_cdt(x, metric="euclidean")
        with pytest.raises(ValueError, match="metric sizes must be equal to 3"):
            uscipy.ndimage.distance_transform_cdt(x, metric=np.ones((3, 2), bool))
        with pytest.raises(ValueError, match="distances must be of int32 type"):
            uscipy.ndimage.distance_transform_cdt(x, distances=np.zeros((3, 3)))
