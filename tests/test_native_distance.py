"""The native ``distance_transform_cdt``, ``distance_transform_bf`` and
``generate_binary_structure``, differentially against scipy.ndimage with hypothesis: 1-D to
4-D shapes (empty and 1-element axes among them), densities from no foreground to all of it,
bool/integer/float/complex inputs in C, F, strided, reversed and big-endian layouts, every
metric (``cdt``: named ones and 3^d metric arrays of several dtypes, read as SciPy reads their
bytes; ``bf``: with sampling), every ``return_distances``/``return_indices`` combination and
``distances=``/``indices=`` arrays. Results must be identical (int32/uint32 distances,
float64 bits, int32 indices: ties broken as SciPy breaks them); inputs are left untouched;
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
from uscipy.backends import _native_distance as nd
from uscipy.backends import _native_ndimage

EXAMPLES = settings(max_examples=int(__import__("os").environ.get("DISTANCE_EXAMPLES", 300)), deadline=None)
DTYPES = [np.bool_, np.uint8, np.int16, np.int64, np.float32, np.float64, np.complex128]


@st.composite
def images(draw, sizes=(0, 1, 2, 3, 5, 8), max_rank=4):
    rank = draw(st.integers(1, max_rank))
    shape = tuple(draw(st.sampled_from(sizes if rank > 1 else list(sizes) + [70])) for _ in range(rank))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    density = draw(st.sampled_from([0.0, 0.1, 0.5, 0.9, 1.0]))
    values = (rng.random(shape) < density) * rng.integers(1, 4, shape)
    dtype = np.dtype(draw(st.sampled_from(DTYPES)))
    x = values.astype(dtype)
    if dtype.kind == "f" and draw(st.booleans()):
        x[rng.random(shape) < 0.2] = draw(st.sampled_from([np.nan, -0.0, 0.25]))
    return drawn_layout(draw, x), rng


def same(ours, theirs):
    assert type(ours) is type(theirs)
    if isinstance(theirs, tuple):
        assert len(ours) == len(theirs)
        for o, t in zip(ours, theirs):
            same(o, t)
    elif theirs is not None:
        assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
        assert_array_equal(ours, theirs)


def returns(draw):
    which = draw(st.sampled_from(["distances", "indices", "both"]))
    return dict(return_distances=which != "indices", return_indices=which != "distances")


def output_arrays(draw, x, kwargs, distance_dtype):
    """``distances=``/``indices=`` arrays for the returns asked for, twice (native, SciPy)."""
    order = draw(st.sampled_from(["C", "F"]))
    pairs = {}
    if kwargs["return_distances"] and draw(st.booleans()):
        pairs["distances"] = [np.full(x.shape, 7, dtype=distance_dtype, order=order) for _ in range(2)]
    if kwargs["return_indices"] and draw(st.booleans()):
        pairs["indices"] = [np.full((x.ndim,) + x.shape, 9, dtype=np.int32, order=order) for _ in range(2)]
    return pairs


def compare(function, x, kwargs, pairs):
    before = x.copy()
    mine = {k: v[0] for k, v in pairs.items()}
    theirs_out = {k: v[1] for k, v in pairs.items()}
    ours = native(function, x, **kwargs, **mine)
    theirs = getattr(ndi, function)(x, **kwargs, **theirs_out)
    assert_array_equal(x, before)
    same(ours, theirs)
    for key in pairs:
        same(mine[key], theirs_out[key])


@st.composite
def cdt_metrics(draw, rank, rng):
    kind = draw(st.sampled_from(["chessboard", "taxicab", "cityblock", "manhattan", "array", "array"]))
    if kind != "array":
        return kind
    dtype = draw(st.sampled_from([bool, np.uint8, np.int16, np.int32, np.float64]))
    metric = (rng.random((3,) * rank) < draw(st.sampled_from([0.3, 0.7, 1.0]))).astype(dtype)
    if dtype in (np.int16, np.int32) and draw(st.booleans()):
        # Wider values: SciPy reads the metric's bytes, not its values.
        metric = (metric * rng.integers(1, 2**14, metric.shape)).astype(dtype)
    if draw(st.booleans()):
        metric = np.asfortranarray(metric)
    return metric


@EXAMPLES
@given(st.data())
def test_cdt(data):
    x, rng = data.draw(images())
    kwargs = dict(metric=data.draw(cdt_metrics(x.ndim, rng)), **returns(data.draw))
    compare("distance_transform_cdt", x, kwargs, output_arrays(data.draw, x, kwargs, np.int32))


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_cdt_long_rows(data):
    # Rows long enough for the scan in several chains, sparse and dense background.
    rng = np.random.default_rng(data.draw(st.integers(0, 2**16)))
    shape = data.draw(st.sampled_from([(3, 300), (40, 257), (2, 3, 130), (1000,), (70, 1)]))
    x = rng.random(shape) < data.draw(st.sampled_from([0.5, 0.95, 0.999]))
    kwargs = dict(metric=data.draw(cdt_metrics(x.ndim, rng)), **returns(data.draw))
    compare("distance_transform_cdt", x, kwargs, {})


def test_cdt_large_parallel_indices(monkeypatch):
    rng = np.random.default_rng(4)
    x = rng.random((300, 700)) < 0.97
    for workers in (1, 2, 3):
        monkeypatch.setattr(_native_ndimage, "num_threads", workers)
        for metric in ("chessboard", "taxicab"):
            compare("distance_transform_cdt", x, dict(metric=metric, return_indices=True), {})


def test_cdt_metric_read_as_bytes():
    # An int16 metric of ones: the first half of its bytes is 1, 0, 1, 0 (little-endian),
    # so SciPy's neighbours are (-1, -1) and (-1, 1) only (and their mirrors).
    x = np.ones((6, 7), bool)
    x[2, 3] = False
    for metric in (np.ones((3, 3), np.int16), np.ones((3, 3), ">i2"), np.full((3, 3), 256, np.int16)):
        compare("distance_transform_cdt", x, dict(metric=metric, return_indices=True), {})


@st.composite
def samplings(draw, rank):
    which = draw(st.sampled_from(["none", "scalar", "sequence"]))
    if which == "none":
        return None
    if which == "scalar":
        return draw(st.sampled_from([0.5, 1.7, 3, -2.0]))
    return [draw(st.sampled_from([0.3, 1.0, 1.1, 2.5, 0.0, -0.7])) for _ in range(rank)]


@EXAMPLES
@given(st.data())
def test_bf(data):
    x, rng = data.draw(images(sizes=(0, 1, 2, 3, 5, 9)))
    metric = data.draw(st.sampled_from(["euclidean", "taxicab", "cityblock", "manhattan", "chessboard", "Euclidean"]))
    kwargs = dict(metric=metric, sampling=data.draw(samplings(x.ndim)), **returns(data.draw))
    dtype = np.float64 if metric.lower() == "euclidean" else np.uint32
    compare("distance_transform_bf", x, kwargs, output_arrays(data.draw, x, kwargs, dtype))


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_bf_larger_images(data):
    # Far from the background: many border elements in reach, many ties.
    rng = np.random.default_rng(data.draw(st.integers(0, 2**16)))
    shape = data.draw(st.sampled_from([(40, 60), (12, 13, 14), (500,)]))
    x = rng.random(shape) < data.draw(st.sampled_from([0.9, 0.99, 0.999]))
    metric = data.draw(st.sampled_from(["euclidean", "taxicab", "chessboard"]))
    kwargs = dict(metric=metric, sampling=data.draw(samplings(x.ndim)), return_indices=True)
    compare("distance_transform_bf", x, kwargs, {})


def test_bf_blobs_and_threads(monkeypatch):
    field = ndi.gaussian_filter(np.random.default_rng(0).random((96, 80)), 3)
    x = field > np.median(field)
    for workers in (1, 2, 3):
        monkeypatch.setattr(_native_ndimage, "num_threads", workers)
        for metric in ("euclidean", "taxicab", "chessboard"):
            compare("distance_transform_bf", x, dict(metric=metric, return_indices=True), {})
        compare("distance_transform_bf", x, dict(sampling=(0.7, 1.9), return_indices=True), {})


def test_bf_without_background_or_foreground():
    for x in (np.ones((3, 4)), np.zeros((3, 4)), np.ones(5, bool)):
        for metric in ("euclidean", "taxicab", "chessboard"):
            compare("distance_transform_bf", x, dict(metric=metric, return_indices=True), {})


@pytest.mark.parametrize("rank", range(0, 6))
def test_generate_binary_structure(rank):
    for connectivity in range(-1, rank + 2):
        same(native("generate_binary_structure", rank, connectivity), ndi.generate_binary_structure(rank, connectivity))


def scipy_error(function, *args, **kwargs):
    try:
        getattr(ndi, function)(*args, **kwargs)
    except Exception as e:
        return type(e)
    raise AssertionError("SciPy accepted it")


ONES = np.ones((3, 3))


@pytest.mark.parametrize(
    "function, args, kwargs",
    [
        ("distance_transform_cdt", (ONES,), dict(return_distances=False)),
        ("distance_transform_cdt", (ONES,), dict(distances=np.zeros((3, 3), np.int32), return_distances=False, return_indices=True)),
        ("distance_transform_cdt", (ONES,), dict(indices=np.zeros((2, 3, 3), np.int32))),
        ("distance_transform_cdt", (ONES,), dict(metric="euclidean")),
        ("distance_transform_cdt", (ONES,), dict(metric=np.ones((3, 2)))),
        ("distance_transform_cdt", (ONES,), dict(distances=np.zeros((3, 3)))),
        ("distance_transform_cdt", (ONES,), dict(distances=np.zeros((3, 4), np.int32))),
        ("distance_transform_cdt", (ONES,), dict(return_indices=True, indices=np.zeros((2, 3, 3)))),
        ("distance_transform_cdt", (ONES,), dict(return_indices=True, indices=np.zeros((1, 3, 3), np.int32))),
        ("distance_transform_bf", (ONES,), dict(return_distances=False)),
        ("distance_transform_bf", (ONES,), dict(metric="minkowski")),
        ("distance_transform_bf", (ONES,), dict(metric=3)),
        ("distance_transform_bf", (ONES,), dict(sampling=[1, 2, 3])),
        ("distance_transform_bf", (ONES,), dict(sampling="ab")),
        ("distance_transform_bf", (ONES,), dict(distances=np.zeros((3, 3), np.uint32))),
        ("distance_transform_bf", (ONES,), dict(metric="taxicab", distances=np.zeros((3, 3)))),
        ("distance_transform_bf", (ONES,), dict(distances=np.zeros((2, 3)))),
        ("distance_transform_bf", (ONES,), dict(return_indices=True, indices=np.zeros((2, 3, 3)))),
        ("distance_transform_bf", (ONES,), dict(return_indices=True, indices=np.zeros((2, 3, 4), np.int32))),
        ("generate_binary_structure", (1.5, 1), {}),
        ("generate_binary_structure", (2, None), {}),
    ],
)
def test_scipy_errors(function, args, kwargs):
    expected = scipy_error(function, *args, **kwargs)
    with uscipy.set_backend("native", only=True), pytest.raises(expected):
        getattr(uscipy.ndimage, function)(*args, **kwargs)


def test_bad_indices_reported_after_distances_written():
    # SciPy fills `distances=` before it checks `indices=`; so does native.
    x = np.ones((4, 5), bool)
    x[1, 2] = False
    for function, dtype, error in (("distance_transform_cdt", np.int32, ValueError),
                                   ("distance_transform_bf", np.float64, RuntimeError)):
        ours, theirs = np.zeros(x.shape, dtype), np.zeros(x.shape, dtype)
        bad = np.zeros((2, 4, 5), np.float64)
        with pytest.raises(error):
            getattr(ndi, function)(x, return_indices=True, distances=theirs, indices=bad.copy())
        with uscipy.set_backend("native", only=True), pytest.raises(error):
            getattr(uscipy.ndimage, function)(x, return_indices=True, distances=ours, indices=bad.copy())
        assert_array_equal(ours, theirs)


@pytest.mark.parametrize(
    "call",
    [
        lambda: nd.distance_transform_cdt(np.ones(())),
        lambda: nd.distance_transform_cdt(np.array(["a", ""])),
        lambda: nd.distance_transform_cdt(np.ones((3, 3)), metric=np.ones(3, bool)),
        lambda: nd.distance_transform_cdt(np.ones((3, 3)), metric=np.ones((3, 3), object)),
        lambda: nd.distance_transform_bf(np.ones(())),
        lambda: nd.distance_transform_bf(np.ones((3, 3)), sampling=np.inf),
        lambda: nd.distance_transform_bf(np.ones((3, 3)), sampling=[[1.0], [2.0]]),
        lambda: nd.distance_transform_bf(np.ones((3, 3)), sampling=1e200),
    ],
)
def test_declines(call):
    with pytest.raises(uscipy.BackendNotImplementedError):
        call()


def test_cdt_short_rows_decline():
    # Rows of 3 (2**15 of them): SciPy's element-by-element passes are faster there.
    x = np.random.default_rng(2).random((1 << 15, 3)) < 0.9
    with pytest.raises(uscipy.BackendNotImplementedError, match="rows too short"):
        nd.distance_transform_cdt(x)
    compare("distance_transform_cdt", x[:, :1], dict(return_indices=True), {})  # axis of 1 dropped
    compare("distance_transform_cdt", np.ascontiguousarray(x.T), dict(return_indices=True), {})


def test_declined_calls_fall_through_to_scipy():
    x = np.ones((4, 4))
    with uscipy.set_backend("native"), uscipy.trace() as t:
        ours = uscipy.ndimage.distance_transform_bf(x, sampling=np.inf)
    assert [c.backend.name for c in t] == ["scipy"]
    assert_array_equal(ours, ndi.distance_transform_bf(x, sampling=np.inf))
