"""The native ``watershed_ift``, differentially against scipy.ndimage with hypothesis: 1-D to
4-D shapes (empty and 1-element axes among them), uint8/uint16 inputs with few levels (many
ties) or many, in C, F, strided, reversed and big-endian layouts; markers of every dtype SciPy
takes, positive and negative, some beyond the output's range or a C int; default, generated
and random structures; output arrays of every integer dtype, and the markers array itself.
Labels must be identical (SciPy's queue order and quirks included); inputs are left untouched;
``uscipy.trace()`` shows that native ran. Bad arguments raise SciPy's exception."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.ndimage as ndi
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_array_equal

import uscipy
from ndimage_data import drawn_layout, native
from uscipy.backends import _native_watershed as nw

EXAMPLES = settings(max_examples=int(__import__("os").environ.get("WATERSHED_EXAMPLES", 300)), deadline=None)
INTEGRAL = [np.int8, np.int16, np.int32, np.int64, np.intc, np.intp]


@st.composite
def problems(draw, sizes=(0, 1, 2, 3, 5, 8), max_rank=4):
    rank = draw(st.integers(1, max_rank))
    shape = tuple(draw(st.sampled_from(sizes if rank > 1 else list(sizes) + [60])) for _ in range(rank))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    dtype = draw(st.sampled_from([np.uint8, np.uint16]))
    levels = draw(st.sampled_from([1, 3, 20, 256, 3000 if dtype == np.uint16 else 256]))
    image = drawn_layout(draw, rng.integers(0, levels, shape).astype(dtype))
    mdtype = draw(st.sampled_from(INTEGRAL))
    markers = np.zeros(shape, dtype=mdtype)
    count = draw(st.integers(0, 6))
    if markers.size:
        values = rng.integers(-3, 6, count)
        if draw(st.booleans()):  # beyond int8, or a C int
            values = values * (2**33 + 97 if np.dtype(mdtype).itemsize == 8 else 100)
        markers.flat[rng.integers(0, markers.size, count)] = values.astype(mdtype)
    markers = drawn_layout(draw, markers)
    which = draw(st.sampled_from(["none", "generated", "random"]))
    structure = None
    if which == "generated":
        structure = ndi.generate_binary_structure(rank, draw(st.integers(1, rank)))
    elif which == "random":
        structure = (rng.random((3,) * rank) < 0.6).astype(draw(st.sampled_from([bool, np.int32])))
    return image, markers, structure


@EXAMPLES
@given(st.data())
def test_watershed(data):
    image, markers, structure = data.draw(problems())
    kind = data.draw(st.sampled_from(["none", "array", "string"]))
    before = image.copy(), markers.copy()
    if kind == "array":
        dtype = data.draw(st.sampled_from(INTEGRAL))
        order = data.draw(st.sampled_from(["C", "F"]))
        ours_out, theirs_out = (np.full(image.shape, 5, dtype=dtype, order=order) for _ in range(2))
        ours = native("watershed_ift", image, markers, structure, output=ours_out)
        theirs = ndi.watershed_ift(image, markers, structure, output=theirs_out)
        assert ours is ours_out and theirs is theirs_out
    else:
        output = "float64" if kind == "string" else None  # SciPy ignores a non-array output
        ours = native("watershed_ift", image, markers, structure, output=output)
        theirs = ndi.watershed_ift(image, markers, structure, output=output)
    assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
    assert_array_equal(ours, theirs)
    assert_array_equal(image, before[0])
    assert_array_equal(markers, before[1])


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_watershed_larger_images(data):
    # Plateaus and few levels: long queues, elements relinked and popped twice.
    rng = np.random.default_rng(data.draw(st.integers(0, 2**16)))
    shape = data.draw(st.sampled_from([(64, 64), (20, 30, 10), (3000,)]))
    levels = data.draw(st.sampled_from([2, 5, 40, 256]))
    image = rng.integers(0, levels, shape).astype(np.uint8)
    markers = np.zeros(shape, np.int32)
    n = data.draw(st.integers(1, 40))
    markers.flat[rng.integers(0, markers.size, n)] = rng.integers(-5, 30, n)
    assert_array_equal(native("watershed_ift", image, markers), ndi.watershed_ift(image, markers))
    full = np.ones((3,) * len(shape), bool)
    assert_array_equal(native("watershed_ift", image, markers, full), ndi.watershed_ift(image, markers, full))


def test_output_is_the_markers():
    rng = np.random.default_rng(1)
    image = rng.integers(0, 9, (12, 13)).astype(np.uint8)
    ours, theirs = (np.zeros((12, 13), np.int32) for _ in range(2))
    ours[2, 3] = theirs[2, 3] = 1
    ours[9, 9] = theirs[9, 9] = -2
    assert native("watershed_ift", image, ours, output=ours) is ours
    ndi.watershed_ift(image, theirs, output=theirs)
    assert_array_equal(ours, theirs)


def scipy_error(*args, **kwargs):
    try:
        ndi.watershed_ift(*args, **kwargs)
    except Exception as e:
        return type(e)
    raise AssertionError("SciPy accepted it")


IMAGE = np.zeros((4, 4), np.uint8)
MARKERS = np.zeros((4, 4), np.int32)


@pytest.mark.parametrize(
    "args, kwargs",
    [
        ((IMAGE.astype(np.float64), MARKERS), {}),
        ((IMAGE.astype(np.int8), MARKERS), {}),
        ((IMAGE, MARKERS), dict(structure=np.ones((3,), bool))),
        ((IMAGE, MARKERS), dict(structure=np.ones((3, 2), bool))),
        ((IMAGE, MARKERS[:3]), {}),
        ((IMAGE, MARKERS.astype(np.float32)), {}),
        ((IMAGE, MARKERS.astype(np.uint8)), {}),
        ((IMAGE, MARKERS), dict(output=np.zeros((4, 4)))),
        ((IMAGE, MARKERS), dict(output=np.zeros((4, 4), np.uint16))),
        ((IMAGE, MARKERS), dict(output=np.zeros((4, 5), np.int32))),
        ((np.zeros((1,) * 8, np.uint8), np.zeros((1,) * 8, np.int32)), {}),
    ],
)
def test_scipy_errors(args, kwargs):
    expected = scipy_error(*args, **kwargs)
    with uscipy.set_backend("native", only=True), pytest.raises(expected):
        uscipy.ndimage.watershed_ift(*args, **kwargs)


@pytest.mark.parametrize(
    "call",
    [
        lambda: nw.watershed_ift(np.zeros((), np.uint8), np.zeros((), np.int32)),
        lambda: nw.watershed_ift(IMAGE, MARKERS, output=IMAGE.view(np.int8)),
        lambda: nw.watershed_ift(IMAGE, MARKERS, output=MARKERS.view(np.int32)[::-1]),
    ],
)
def test_declines(call):
    with pytest.raises(uscipy.BackendNotImplementedError):
        call()
