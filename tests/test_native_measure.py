"""The native backend's ndimage measurements, differentially against scipy.ndimage with
hypothesis: 1-D to 4-D images (1-element and empty axes among them), binary images of several
densities, every connectivity and random symmetric structures, every value dtype, labels of
every integer dtype with gaps, negative and zero labels, broadcast labels, index as None, a
scalar, a list or an array (absent, negative and repeated values), non-contiguous,
negative-stride, F-order and big-endian inputs, ``output`` as a dtype or an array.

Exactness: labels, counts, bounding boxes, minima, maxima, positions, medians and histograms
equal SciPy's exactly, type and dtype included; with an index sequence so do sums, means,
variances, standard deviations and centres of mass (accumulated in the order NumPy's bincount
accumulates them). For one group (``labels=None``, ``index=None`` or a scalar index) SciPy sums
floats pairwise and this sums in C order in float64: they agree within 1e-12 (float64) or
1e-5 (float32, summed by SciPy in float32) relative to the sum of absolute values."""

from __future__ import annotations

import re

import numpy as np
import pytest
import scipy.ndimage as ndi
from hypothesis import given, settings
from hypothesis import strategies as st

import uscipy

VALUE_DTYPES = [np.bool_, np.uint8, np.int8, np.int16, np.uint16, np.int32, np.uint32, np.int64, np.uint64, np.float32, np.float64]
LABEL_DTYPES = [np.int32, np.int64, np.uint8, np.int8, np.int16, np.uint16, np.uint32, np.uint64, np.bool_]
LAYOUTS = ["c", "f", "strided", "reversed", "big-endian"]

# The only reasons the native backend may decline for what these tests generate.
EXPECTED_DECLINES = re.compile(
    "NaN among the values|no pixels selected|overflows the labels dtype|empty labels with an index"
    "|do not fit output dtype|output dtype|empty input without max_label|positions of a broadcast|broadcast or 0-d|big-endian input|index beyond int64"
)


def scipy_or_its_error(function, *args, **kwargs):
    try:
        return function(*args, **kwargs), None
    except (ValueError, RuntimeError, TypeError, IndexError, AssertionError) as e:
        return None, e


def relayout(x: np.ndarray, layout: str) -> np.ndarray:
    if layout == "f":
        return np.asfortranarray(x)
    if layout == "strided" and x.ndim:
        return np.repeat(x, 2, axis=-1)[..., ::2]
    if layout == "reversed" and x.ndim:
        return np.ascontiguousarray(x[..., ::-1])[..., ::-1]
    if layout == "big-endian" and x.dtype.itemsize > 1:
        return x.astype(x.dtype.newbyteorder(">"))
    return x


def call_native(name: str, *args, **kwargs):
    """uscipy's result (or error) with the native backend selected, and whether native ran;
    where it declined what SciPy computes, the decline must be one of EXPECTED_DECLINES."""
    with uscipy.set_backend("native"), uscipy.trace() as t:
        result, error = scipy_or_its_error(getattr(uscipy.ndimage, name), *args, **kwargs)
    ran = t.calls[-1].backend is not None and t.calls[-1].backend.name == "native"
    if not ran and error is None:
        with uscipy.set_backend("native", only=True):
            try:
                getattr(uscipy.ndimage, name)(*args, **kwargs)
            except uscipy.BackendNotImplementedError as e:
                assert EXPECTED_DECLINES.search(str(e)), f"unexpected decline: {e}"
    return result, error, ran


def same(got, expected, rtol=0.0, scale=1.0, path="result"):
    """Equal type, dtype, shape and value (within rtol * scale for floats when rtol > 0)."""
    assert type(got) is type(expected), f"{path}: {type(got)} != {type(expected)}"
    if isinstance(expected, (tuple, list)):
        assert len(got) == len(expected), path
        for i, (g, e) in enumerate(zip(got, expected)):
            same(g, e, rtol, scale, f"{path}[{i}]")
    elif isinstance(expected, np.ndarray) and expected.dtype == object:
        assert got.shape == expected.shape, path
        for i, (g, e) in enumerate(zip(got.ravel(), expected.ravel())):
            same(g, e, rtol, scale, f"{path}[{i}]")
    elif isinstance(expected, (np.ndarray, np.generic)):
        assert got.dtype == expected.dtype and np.shape(got) == np.shape(expected), f"{path}: {got!r} != {expected!r}"
        if rtol and expected.dtype.kind == "f":
            np.testing.assert_allclose(got, expected, rtol=rtol, atol=rtol * scale, err_msg=path)
        else:
            np.testing.assert_array_equal(got, expected, err_msg=path)
    else:
        assert got == expected, f"{path}: {got!r} != {expected!r}"


# ----------------------------------------------------------------------------------- label


@st.composite
def label_cases(draw):
    ndim = draw(st.integers(1, 4))
    sizes = [0, 1, 2, 3, 5, 8] if ndim < 3 else [0, 1, 2, 3, 4]
    shape = tuple(draw(st.sampled_from(sizes + [1, 2, 3])) for _ in range(ndim))
    if ndim == 1 and draw(st.booleans()):
        shape = (draw(st.integers(20, 200)),)
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    density = draw(st.sampled_from([0.05, 0.3, 0.5, 0.7, 0.95]))
    dtype = np.dtype(draw(st.sampled_from(VALUE_DTYPES)))
    x = (rng.random(shape) < density) * rng.integers(1, 4, shape)
    x = x.astype(dtype) * (-1 if dtype.kind in "if" and draw(st.booleans()) else 1)
    x = relayout(x, draw(st.sampled_from(LAYOUTS)))
    kind = draw(st.sampled_from(["default", "connectivity", "random"]))
    if kind == "default":
        structure = None
    elif kind == "connectivity":
        structure = ndi.generate_binary_structure(ndim, draw(st.integers(1, ndim)))
    else:
        s = rng.random((3,) * ndim) < draw(st.sampled_from([0.2, 0.5, 0.8]))
        structure = (s | s[(slice(None, None, -1),) * ndim]).astype(draw(st.sampled_from([bool, np.int64])))
    output = draw(st.sampled_from(["none", "int32", "int64", "uint16", "float64", "int8", "array-c", "array-f", "array-reversed", "array-int16", "array-int64-f"]))
    return x, structure, output


def make_output(kind: str, shape):
    if kind == "none":
        return None
    if not kind.startswith("array"):
        return np.dtype(kind)
    if kind == "array-c":
        return np.full(shape, 7, np.int32)
    if kind == "array-f":
        return np.full(shape, 7, np.int32, order="F")
    if kind == "array-reversed":
        return np.full(shape, 7, np.int32)[tuple(slice(None, None, -1) for _ in shape)]
    if kind == "array-int16":
        return np.zeros(shape, np.int16)
    return np.zeros(shape, np.int64, order="F")


@settings(max_examples=300, deadline=None)
@given(case=label_cases())
def test_label_matches_scipy(case):
    x, structure, output = case
    before = x.copy()
    out_expected, out_got = make_output(output, x.shape), make_output(output, x.shape)
    expected, error = scipy_or_its_error(ndi.label, x, structure, out_expected)
    got, got_error, ran = call_native("label", x, structure, out_got)
    if error is not None:
        assert type(got_error) is type(error), (got_error, error)
        return
    assert got_error is None, got_error
    if isinstance(out_expected, np.ndarray):
        same(got, expected)
        same(out_got, out_expected)
    else:
        same(got, expected)
    np.testing.assert_array_equal(x, before)
    if output in ("none", "int32", "int64", "array-c", "array-f", "array-reversed", "array-int64-f") and x.dtype.isnative:
        assert ran


def test_label_errors_are_scipys():
    x = np.ones((3, 3))
    with uscipy.set_backend("native"):
        with pytest.raises(AssertionError):  # SciPy: not symmetric
            uscipy.ndimage.label(x, np.eye(3, dtype=bool)[::-1] * [[1, 1, 1], [1, 1, 1], [0, 1, 1]])
        with pytest.raises(RuntimeError):
            uscipy.ndimage.label(x, np.ones((3,), bool))
        with pytest.raises(ValueError):
            uscipy.ndimage.label(x, np.ones((3, 5), bool))
        with pytest.raises(TypeError):
            uscipy.ndimage.label(x + 1j)
    with uscipy.set_backend("native", only=True):
        with pytest.raises(uscipy.BackendNotImplementedError, match="native: scipy.ndimage.label: structure not symmetric"):
            uscipy.ndimage.label(x, np.tril(np.ones((3, 3), bool)))


def test_label_big_image_and_scan_order():
    rng = np.random.default_rng(5)
    x = rng.random((300, 257)) < 0.55
    for structure in (None, np.ones((3, 3), bool)):
        for out in (None, np.empty(x.shape, np.int32, order="F"), np.empty(x.T.shape, np.int64).T):
            expected = ndi.label(x, structure, None if out is None else np.empty_like(out))
            with uscipy.set_backend("native", only=True):
                got = uscipy.ndimage.label(x, structure, out)
            if out is None:
                same(got, expected)
            else:
                assert got == expected
    # a million pixels and more: labelled in blocks in parallel, then joined
    for shape, density in [((1100, 1000), 0.45), ((1100, 1000), 0.8), ((105, 100, 100), 0.3)]:
        big = rng.random(shape) < density
        for structure in (None, np.ones((3,) * len(shape), bool)):
            with uscipy.set_backend("native", only=True):
                same(uscipy.ndimage.label(big, structure), ndi.label(big, structure))
                out = np.empty(shape, np.int32, order="F")
                assert uscipy.ndimage.label(big, structure, out) == ndi.label(big, structure, expected := np.empty(shape, np.int32, order="F"))
                same(out, expected)
                # boxes of a million-pixel label image: blocks scanned in parallel, merged
                same(uscipy.ndimage.find_objects(out), ndi.find_objects(expected))
                same(uscipy.ndimage.find_objects(out, 7), ndi.find_objects(expected, 7))
    x3 = rng.random((30, 40, 50)) < 0.4
    same(ndi.label(x3, np.ones((3, 3, 3))), uscipy.ndimage.label(x3, np.ones((3, 3, 3))))


# ---------------------------------------------------------------------------- find_objects


@settings(max_examples=150, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), ndim=st.integers(1, 4), dtype=st.sampled_from([np.int32, np.int64, np.uint8, np.int16, np.uint32, np.uint64, np.intp]),
       max_label=st.sampled_from([0, 1, 3, 10]), layout=st.sampled_from(LAYOUTS), empty=st.booleans())
def test_find_objects_matches_scipy(seed, ndim, dtype, max_label, layout, empty):
    rng = np.random.default_rng(seed)
    shape = tuple(int(n) for n in rng.integers(0 if empty else 1, 6, ndim))
    low = 0 if np.dtype(dtype).kind == "u" else -2
    lab = relayout(rng.integers(low, 8, shape).astype(dtype), layout)
    expected, error = scipy_or_its_error(ndi.find_objects, lab, max_label)
    got, got_error, ran = call_native("find_objects", lab, max_label)
    if error is not None:
        assert type(got_error) is type(error)
        return
    same(got, expected)
    assert ran


# ------------------------------------------------------------------------------ statistics

STATS = ["sum_labels", "sum", "mean", "variance", "standard_deviation", "minimum", "maximum", "median",
         "extrema", "minimum_position", "maximum_position", "center_of_mass", "histogram"]
POSITIONAL = {"extrema", "minimum_position", "maximum_position"}
SUMMED = {"sum_labels", "sum", "mean", "variance", "standard_deviation", "center_of_mass"}


@st.composite
def stats_cases(draw):
    name = draw(st.sampled_from(STATS))
    ndim = draw(st.integers(1, 4))
    shape = tuple(draw(st.sampled_from([1, 2, 3, 5] if ndim > 2 else [1, 2, 3, 7, 12])) for _ in range(ndim))
    if draw(st.integers(0, 9)) == 0:
        shape = shape[:-1] + (0,)
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    dtype = np.dtype(draw(st.sampled_from(VALUE_DTYPES)))
    index_kind = draw(st.sampled_from(["none", "scalar", "list", "array", "array2d", "empty", "nolabels"]))
    if name in POSITIONAL and index_kind in ("list", "array", "array2d"):
        # SciPy breaks ties between equal extremes with an unstable sort: distinct values.
        dtype = np.dtype(draw(st.sampled_from([np.int64, np.float64, np.float32, np.int32])))
        x = rng.permutation(int(np.prod(shape))).reshape(shape) - 7
    elif dtype.kind == "f":
        x = rng.standard_normal(shape) * 10
    elif dtype.kind == "b":
        x = rng.random(shape) < 0.5
    else:
        info = np.iinfo(dtype)
        x = rng.integers(max(info.min, -1000), min(info.max, 1000), shape, endpoint=True)
    x = relayout(x.astype(dtype), draw(st.sampled_from(LAYOUTS)))
    label_dtype = np.dtype(draw(st.sampled_from(LABEL_DTYPES)))
    top = draw(st.sampled_from([1, 3, 6, 40]))
    low = 0 if label_dtype.kind in "ub" else -2
    lab_shape = shape
    if draw(st.integers(0, 4)) == 0 and name not in POSITIONAL | {"center_of_mass"}:
        lab_shape = tuple(1 if draw(st.booleans()) else n for n in shape)  # broadcast labels
    labels = rng.integers(low, top + 1, lab_shape).astype(label_dtype)
    labels = relayout(labels, draw(st.sampled_from(LAYOUTS)))
    present = [-3, -1, 0, 1, 2, 5, top, top + 1, 1000]
    if index_kind == "nolabels":
        labels, index = None, None
    elif index_kind == "none":
        index = None
    elif index_kind == "scalar":
        index = draw(st.sampled_from(present[1:]))
    elif index_kind == "empty":
        index = []
    else:
        values = draw(st.lists(st.sampled_from(present), min_size=1, max_size=6))
        if label_dtype.kind in "ub":
            values = [v for v in values if v >= 0] or [1]
        index = values if index_kind == "list" else np.array(values, dtype=draw(st.sampled_from([np.int64, np.int32, np.uint16])) if min(values) >= 0 else np.int64)
        if index_kind == "array2d":
            index = np.resize(index, (2, 3))
            if name == "center_of_mass":
                index = index.ravel()
    args = (x, labels, index)
    if name == "histogram":
        args = (x, -5, 20, draw(st.sampled_from([1, 3, 7])), labels, index)
    return name, args


@settings(max_examples=600, deadline=None)
@given(case=stats_cases())
def test_statistics_match_scipy(case):
    name, args = case
    x = args[0]
    before = x.copy()
    labels, index = args[-2], args[-1]
    with np.errstate(all="ignore"):
        expected, error = scipy_or_its_error(getattr(ndi, name), *args)
        got, got_error, ran = call_native(name, *args)
    if error is not None:
        assert type(got_error) is type(error), (got_error, error)
        return
    assert got_error is None, got_error
    single = labels is None or index is None or np.isscalar(index)
    rtol = 0.0
    if name in SUMMED and single and not (name in ("sum_labels", "sum", "mean") and x.dtype.kind in "biu"):
        rtol = 1e-5 if x.dtype.itemsize == 4 else 1e-12
    scale = float(np.sum(np.abs(x.astype(np.float64)))) * (max(x.shape) if x.ndim and name == "center_of_mass" else 1) + 1.0
    if name in ("variance", "standard_deviation"):
        scale = float(np.sum(x.astype(np.float64) ** 2)) + 1.0
        scale = np.sqrt(scale) if name == "standard_deviation" else scale
    if name == "center_of_mass" and rtol:
        for g, e in zip(got, expected):  # ratios of sums: relative error
            np.testing.assert_allclose(g, e, rtol=rtol * 100 if x.dtype.itemsize == 4 else 1e-9, atol=1e-9)
    else:
        same(got, expected, rtol, scale)
    np.testing.assert_array_equal(x, before)
    if x.size and labels is not None and x.dtype.kind != "f" and name not in POSITIONAL | {"center_of_mass", "median", "minimum", "maximum"}:
        assert ran


def test_statistics_examples_and_dispatch():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((40, 30))
    lab, n = ndi.label(x > 0.3)
    index = np.arange(-1, n + 3)
    with uscipy.set_backend("native"), uscipy.trace() as t:
        for name in STATS:
            args = (x, -3, 3, 10, lab, index) if name == "histogram" else (x, lab, index)
            same(getattr(uscipy.ndimage, name)(*args), getattr(ndi, name)(*args))
            assert t.calls[-1].backend.name == "native", name
        same(uscipy.ndimage.sum(x, lab, 2), ndi.sum(x, lab, 2))
    # one group of float64 pixels: pairwise (SciPy) against C-order sums
    for name in ("sum_labels", "mean", "variance"):
        np.testing.assert_allclose(getattr(uscipy.ndimage, name)(x, lab), getattr(ndi, name)(x, lab), rtol=1e-12)


def test_declines_are_named():
    x = np.array([[1.0, np.nan], [2.0, 3.0]])
    lab = np.array([[1, 1], [2, 2]])
    with uscipy.set_backend("native", only=True):
        with pytest.raises(uscipy.BackendNotImplementedError, match="native: scipy.ndimage.minimum: NaN"):
            uscipy.ndimage.minimum(x, lab, [1, 2])
        with pytest.raises(uscipy.BackendNotImplementedError, match="native: scipy.ndimage.sum_labels: labels dtype float64"):
            uscipy.ndimage.sum_labels(x, lab.astype(float))
        with pytest.raises(uscipy.BackendNotImplementedError, match="input dtype complex128"):
            uscipy.ndimage.mean(x + 1j, lab)
    with uscipy.set_backend("native"):  # SciPy computes what native declines
        np.testing.assert_array_equal(uscipy.ndimage.minimum(x, lab, [1, 2]), ndi.minimum(x, lab, [1, 2]))
        np.testing.assert_array_equal(uscipy.ndimage.mean(x + 1j, lab), ndi.mean(x + 1j, lab))


def test_label_in_place_and_find_objects_leave_input():
    rng = np.random.default_rng(3)
    data = (rng.random((20, 30)) < 0.5).astype(np.int32)
    expected_data = data.copy()
    n_expected = ndi.label(expected_data, output=expected_data)
    with uscipy.set_backend("native", only=True):
        assert uscipy.ndimage.label(data, output=data) == n_expected  # input is the output
        np.testing.assert_array_equal(data, expected_data)
        before = data.copy()
        same(uscipy.ndimage.find_objects(data), ndi.find_objects(data))
        same(uscipy.ndimage.find_objects(data, max_label=n_expected + 5), ndi.find_objects(data, max_label=n_expected + 5))
        np.testing.assert_array_equal(data, before)
