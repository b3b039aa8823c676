"""The native spline interpolation (map_coordinates, affine_transform, shift, zoom, rotate),
differentially against scipy.ndimage with hypothesis: 1-D to 4-D inputs (1-element axes among
them), every dtype SciPy reads (bool, integers, floats, complex), C / F / strided / reversed /
big-endian layouts, orders 0 to 5, every mode with cval, prefilter on and off, outputs as None,
a dtype or an array, coordinates inside, outside and on the edges of the input (NaN too).

The kernel repeats SciPy's arithmetic operation for operation (its weights, its boundary
mapping, its order of taps and products, its rounding into integer outputs), so results must be
identical, bit for bit."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.ndimage as ndi
from hypothesis import given, settings
from hypothesis import strategies as st

import uscipy
from ndimage_data import LAYOUTS, MODES, layout, values
from uscipy.backends import _native_ndimage

DTYPES = [np.float64, np.float32, np.uint8, np.int16, np.int64, np.uint64, np.bool_, np.complex128, np.complex64]
EXAMPLES = settings(max_examples=250, deadline=None)


@st.composite
def inputs(draw, min_ndim=1, max_ndim=3):
    ndim = draw(st.integers(min_ndim, max_ndim))
    shape = tuple(draw(st.sampled_from([1, 2, 3, 5, 8])) for _ in range(ndim))
    dtype = np.dtype(draw(st.sampled_from(DTYPES)))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    if dtype.kind == "c":
        x = (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(dtype)
    else:
        x = values(rng, shape, dtype)
    return layout(x, draw(st.sampled_from(LAYOUTS)))


OUTPUTS = st.sampled_from([None, np.float32, np.int16, np.uint8, np.bool_, "array"])


def output_pair(choice, shape, x):
    """The output argument for SciPy and for uscipy (each its own array for "array")."""
    if choice == "array":
        dtype = np.complex128 if x.dtype.kind == "c" else np.float64
        return np.zeros(shape, dtype, order="F"), np.zeros(shape, dtype, order="F")
    if choice is not None and x.dtype.kind == "c":
        return None, None  # SciPy wants a complex output for complex input
    return choice, choice


def run_both(name, x, *args, output=None, out_shape=None, **kwargs):
    """``out_shape``: the shape of an output array to allocate for ``output="array"``."""
    out_s, out_n = output_pair(output, out_shape, x)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = getattr(ndi, name)(x, *args, output=out_s, **kwargs)
    before = x.copy()
    with uscipy.set_backend("native", only=True), uscipy.trace() as t, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = getattr(uscipy.ndimage, name)(x, *args, output=out_n, **kwargs)
    assert [c.backend.name for c in t] == ["native"]
    np.testing.assert_array_equal(x, before)
    if isinstance(out_n, np.ndarray):
        assert got is out_n
    assert got.dtype == expected.dtype and got.shape == expected.shape
    np.testing.assert_array_equal(got, expected)


COMMON = dict(order=st.integers(0, 5), mode=st.sampled_from(MODES), cval=st.sampled_from([0.0, 1.5, -7.0]),
              prefilter=st.booleans(), output=OUTPUTS)


@EXAMPLES
@given(x=inputs(), seed=st.integers(0, 2**16), **COMMON)
def test_map_coordinates(x, seed, order, mode, cval, prefilter, output):
    rng = np.random.default_rng(seed)
    out_shape = tuple(int(n) for n in rng.integers(1, 6, rng.integers(1, 3)))
    spread = np.array(x.shape, float).reshape((-1,) + (1,) * len(out_shape))
    coordinates = rng.uniform(-0.5, 1.5, (x.ndim, *out_shape)) * spread - 1.0
    kind = seed % 4
    if kind == 1:  # on samples and half-way between them, edges included
        coordinates = np.round(coordinates * 2) / 2
    elif kind == 2:
        coordinates.flat[:: max(1, coordinates.size // 3)] = np.nan
    elif kind == 3:  # integer and float32 coordinates are read as SciPy reads them
        coordinates = np.round(coordinates).astype(np.int32 if seed % 8 == 3 else np.float32)
    if kind == 2 and mode in ("nearest", "grid-constant"):
        # SciPy casts NaN to an integer there (undefined behaviour; its build reads out of bounds
        # and can crash): the points are compared where finite, and are NaN where not.
        nan_points = np.isnan(coordinates).any(axis=0)
        kwargs = dict(order=order, mode=mode, cval=cval, prefilter=prefilter)
        expected = ndi.map_coordinates(x, np.nan_to_num(coordinates), **kwargs)
        with uscipy.set_backend("native", only=True):
            got = uscipy.ndimage.map_coordinates(x, coordinates, **kwargs)
        np.testing.assert_array_equal(got[~nan_points], expected[~nan_points])
        if order > 0 and got.dtype.kind in "fc":
            assert np.isnan(got[nan_points]).all()
        return
    run_both("map_coordinates", x, coordinates, output=output, out_shape=out_shape, order=order, mode=mode,
             cval=cval, prefilter=prefilter)


@EXAMPLES
@given(x=inputs(), seed=st.integers(0, 2**16), form=st.sampled_from(["matrix", "diagonal", "homogeneous"]),
       **COMMON)
def test_affine_transform(x, seed, form, order, mode, cval, prefilter, output):
    rng = np.random.default_rng(seed)
    n = x.ndim
    matrix = np.eye(n) + rng.uniform(-0.6, 0.6, (n, n))
    offset = rng.uniform(-3, 3, n)
    out_shape = tuple(int(v) for v in rng.integers(1, 7, n))
    if form == "diagonal":
        matrix = np.diag(matrix).copy()
    elif form == "homogeneous":
        matrix = np.vstack([np.hstack([matrix, offset[:, None]]), [0] * n + [1]])
    run_both("affine_transform", x, matrix, offset, output=output, out_shape=out_shape, order=order, mode=mode,
             cval=cval, prefilter=prefilter)


@EXAMPLES
@given(x=inputs(), seed=st.integers(0, 2**16), **COMMON)
def test_shift(x, seed, order, mode, cval, prefilter, output):
    rng = np.random.default_rng(seed)
    shift = rng.uniform(-4, 4, x.ndim)
    if seed % 3 == 0:
        shift = np.round(shift * 2) / 2
    run_both("shift", x, shift if seed % 2 else float(shift[0]), output=output, out_shape=x.shape, order=order,
             mode=mode, cval=cval, prefilter=prefilter)


@EXAMPLES
@given(x=inputs(), seed=st.integers(0, 2**16), grid_mode=st.booleans(), **COMMON)
def test_zoom(x, seed, grid_mode, order, mode, cval, prefilter, output):
    rng = np.random.default_rng(seed)
    zoom = rng.choice([0.5, 0.7, 1.0, 1.5, 2.0, 3.3], x.ndim)
    out_shape = tuple(int(round(a * b)) for a, b in zip(x.shape, zoom))
    if 0 in out_shape:
        return
    run_both("zoom", x, zoom, output=output, out_shape=out_shape, order=order, mode=mode, cval=cval,
             prefilter=prefilter, grid_mode=grid_mode)


@EXAMPLES
@given(x=inputs(min_ndim=2), angle=st.sampled_from([0.0, 17.0, 45.0, 90.0, -133.5, 270.0]), reshape=st.booleans(),
       axes_seed=st.integers(0, 100), **COMMON)
def test_rotate(x, angle, reshape, axes_seed, order, mode, cval, prefilter, output):
    axes = [(1, 0), (0, -1), (x.ndim - 1, x.ndim - 2)][axes_seed % 3]
    if output == "array":
        output = None  # the output shape is rotate's to work out
    run_both("rotate", x, angle, axes=axes, reshape=reshape, output=output, order=order, mode=mode, cval=cval,
             prefilter=prefilter)


def test_every_interpolation_runs_natively_on_a_larger_image():
    rng = np.random.default_rng(7)
    x = rng.standard_normal((67, 45))
    coordinates = rng.uniform(-5, 70, (2, 40, 33))
    for order in (1, 3):
        for mode in ("constant", "nearest", "mirror", "grid-wrap"):
            run_both("map_coordinates", x, coordinates, order=order, mode=mode, cval=0.5)
            run_both("zoom", x, (2.0, 0.75), order=order, mode=mode)
            run_both("shift", x, (3.3, -7.9), order=order, mode=mode)
            run_both("rotate", x, 33.0, order=order, mode=mode)
    run_both("rotate", rng.standard_normal((9, 17, 13)).astype(np.float32), 21.0, axes=(0, 2))


def test_outputs_spanning_many_parallel_chunks():
    """Outputs of thousands of points are split into chunks that start mid-row."""
    rng = np.random.default_rng(11)
    x = rng.standard_normal((40, 31, 7)).astype(np.float32)
    for shape in [(9001,), (50, 173), (3, 41, 59)]:
        coordinates = rng.uniform(-2, 42, (3, *shape))
        run_both("map_coordinates", x, coordinates, order=1, mode="nearest")
        run_both("map_coordinates", x, coordinates[:, ::-1], order=3, mode="reflect")
    run_both("affine_transform", x, rng.uniform(-1, 1, (3, 2)), output_shape=(77, 149), order=2)
    run_both("zoom", x, (2.3, 1.9, 3.1), order=3, mode="mirror")


@pytest.mark.parametrize("mode", ["constant", "grid-constant", "nearest", "wrap"])
def test_four_dimensions(mode):
    rng = np.random.default_rng(5)
    x = rng.standard_normal((4, 5, 3, 6))
    coordinates = rng.uniform(-2, 7, (4, 7, 9))
    for order in (0, 1, 3, 5):
        run_both("map_coordinates", x, coordinates, order=order, mode=mode, cval=2.0)
        run_both("zoom", x, (1.5, 0.8, 2.0, 1.2), order=order, mode=mode, cval=2.0)
        run_both("affine_transform", x, np.eye(4) * 0.9, rng.uniform(-1, 1, 4), order=order, mode=mode)


def test_thread_counts_agree(monkeypatch):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((64, 48))
    coordinates = rng.uniform(-2, 66, (2, 100, 70))
    results = []
    for n in (1, 2, 3):
        monkeypatch.setattr(_native_ndimage, "num_threads", n)
        with uscipy.set_backend("native", only=True):
            results.append([uscipy.ndimage.map_coordinates(x, coordinates), uscipy.ndimage.zoom(x, 3.1),
                            uscipy.ndimage.rotate(x, 10.0)])
    for other in results[1:]:
        for a, b in zip(results[0], other):
            np.testing.assert_array_equal(a, b)


def test_declines_pass_to_scipy():
    x = np.arange(20.0).reshape(4, 5)
    with uscipy.set_backend("native"), uscipy.trace() as t:
        # Beyond npy_intp: SciPy's cast is undefined behaviour there.
        uscipy.ndimage.map_coordinates(x, [[1e300], [0.0]], mode="nearest")
        uscipy.ndimage.geometric_transform(x, lambda c: (c[0] * 0.5, c[1]))  # a Python callable
        uscipy.ndimage.shift(x, 0.5, output=x, order=1)  # the output is the (unfiltered) input
        uscipy.ndimage.shift(x, 0.5)
    assert [c.backend.name for c in t] == ["scipy"] * 3 + ["native"]
    # SciPy's C code does not read float16: declined, and SciPy raises its own error.
    with uscipy.set_backend("native"), pytest.raises(RuntimeError, match="not supported"):
        uscipy.ndimage.shift(x.astype(np.float16), 0.5)
    with uscipy.set_backend("native", only=True), pytest.raises(
        uscipy.BackendNotImplementedError, match="native: scipy.ndimage.shift: input dtype float16"
    ):
        uscipy.ndimage.shift(x.astype(np.float16), 0.5)


def test_nan_shifts_give_cval_where_scipy_would_crash():
    """SciPy's zoom_shift dereferences a null table for a NaN coordinate outside mode
    'constant'; the native kernel gives those points cval, as 'constant' does."""
    x = np.arange(12.0).reshape(3, 4)
    with uscipy.set_backend("native", only=True):
        got = uscipy.ndimage.shift(x, (np.nan, 0.0), order=1, mode="mirror", cval=-1.0)
    np.testing.assert_array_equal(got, np.full_like(x, -1.0))


def test_scipy_errors_for_bad_arguments():
    x = np.arange(20.0).reshape(4, 5)
    for call in [
        lambda m: m.map_coordinates(x, np.zeros((2, 3)), order=6),
        lambda m: m.map_coordinates(x, np.zeros((3, 3))),
        lambda m: m.map_coordinates(x, np.zeros((2, 3), complex)),
        lambda m: m.map_coordinates(x, np.zeros((2, 3)), mode="bogus"),
        lambda m: m.shift(x, 0.5, order=-1),
        lambda m: m.shift(x, (0.5, 1.0, 2.0)),
        lambda m: m.zoom(x, 2.0, output=np.zeros((3, 3))),
        lambda m: m.affine_transform(x, np.eye(4)),
        lambda m: m.affine_transform(x, np.ones((3, 3))),
        lambda m: m.affine_transform(x, np.eye(2), offset=(1.0, 2.0, 3.0)),
        lambda m: m.rotate(np.arange(5.0), 30.0),
        lambda m: m.rotate(x, 30.0, axes=(0, 5)),
        lambda m: m.rotate(x, 30.0, axes=(0, 1, 1)),
    ]:
        with pytest.raises(Exception) as theirs:
            call(ndi)
        with uscipy.set_backend("native", only=True), pytest.raises(type(theirs.value)):
            call(uscipy.ndimage)


def test_zoom_grid_mode_warns_as_scipy_does():
    x = np.arange(20.0).reshape(4, 5)
    with uscipy.set_backend("native", only=True), pytest.warns(UserWarning, match="grid-constant"):
        uscipy.ndimage.zoom(x, 2.0, grid_mode=True, mode="constant")
