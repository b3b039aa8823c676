"""The native grey-scale morphology (flat structuring elements), differentially against
scipy.ndimage with hypothesis: 1-D to 4-D shapes, integer, float and boolean inputs, ``size``
or ``footprint`` (even lengths among them, where the dilation's origin shift matters), origins,
every mode, ``axes``, ``output`` arrays. Minimum and maximum are exact, and so are the
compositions: results must be identical."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.ndimage
from hypothesis import given, settings
from hypothesis import strategies as st

import uscipy

FUNCTIONS = ["grey_erosion", "grey_dilation", "grey_opening", "grey_closing", "morphological_gradient",
             "morphological_laplace", "white_tophat", "black_tophat"]
MODES = ["reflect", "constant", "nearest", "mirror", "wrap", "grid-constant", "grid-mirror", "grid-wrap"]


@st.composite
def problems(draw):
    ndim = draw(st.integers(1, 4))
    shape = tuple(draw(st.sampled_from([1, 2, 3, 6, 9])) for _ in range(ndim))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    dtype = np.dtype(draw(st.sampled_from([np.uint8, np.int16, np.int32, np.float32, np.float64, np.bool_])))
    x = (rng.standard_normal(shape) * 20).astype(dtype) if dtype != np.bool_ else rng.random(shape) > 0.5
    if draw(st.booleans()):
        x = x[..., ::-1]
    use_axes = draw(st.booleans()) and ndim > 1
    axes = sorted(draw(st.sets(st.integers(0, ndim - 1), min_size=1, max_size=ndim))) if use_axes else None
    rank = len(axes) if axes else ndim
    lengths = [draw(st.integers(1, 4)) for _ in range(rank)]
    kwargs = {"mode": draw(st.sampled_from(MODES)), "cval": draw(st.sampled_from([0.0, 3.0]))}
    if draw(st.booleans()):
        kwargs["size"] = lengths if draw(st.booleans()) else lengths[0]
        sizes = lengths if isinstance(kwargs["size"], list) else [lengths[0]] * rank
    else:
        footprint = rng.random(lengths) > 0.4
        footprint.flat[0] = True
        kwargs["footprint"] = footprint
        sizes = lengths
    kwargs["origin"] = [draw(st.integers(-(n // 2), (n - 1) // 2)) for n in sizes]
    if axes is not None:
        kwargs["axes"] = axes
    return x, kwargs, draw(st.booleans())


@settings(max_examples=250, deadline=None)
@given(problem=problems(), name=st.sampled_from(FUNCTIONS))
def test_grey_morphology_matches_scipy(problem, name):
    x, kwargs, output_array = problem
    before = x.copy()
    out_theirs = np.zeros(x.shape, x.dtype) if output_array else None
    out_ours = np.zeros(x.shape, x.dtype) if output_array else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            expected = getattr(scipy.ndimage, name)(x, output=out_theirs, **kwargs)
        except (ValueError, RuntimeError, TypeError) as e:
            with pytest.raises(type(e)):
                getattr(uscipy.ndimage, name)(x, output=out_ours, **kwargs)
            return
        with uscipy.set_backend("native", only=True), uscipy.trace() as t:
            got = getattr(uscipy.ndimage, name)(x, output=out_ours, **kwargs)
    assert t.calls[-1].backend.name == "native"
    assert got.dtype == expected.dtype and got.shape == expected.shape
    np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(x, before)


def test_non_flat_structure_passes_to_scipy():
    x = np.arange(25.0).reshape(5, 5)
    structure = np.arange(9.0).reshape(3, 3)
    with uscipy.set_backend("native"), uscipy.trace() as t:
        got = uscipy.ndimage.grey_dilation(x, structure=structure)
    assert [c.backend.name for c in t] == ["scipy"]
    np.testing.assert_array_equal(got, scipy.ndimage.grey_dilation(x, structure=structure))
    with pytest.raises(ValueError, match="size, footprint, or structure"):
        uscipy.ndimage.grey_erosion(x)
