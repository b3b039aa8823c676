"""The native backend's scipy.ndimage filters, differentially against scipy.ndimage with
hypothesis: 1-D to 4-D shapes (axes of length 1 and axes shorter than the filter among them),
every dtype SciPy's filters accept, C / F / strided / reversed / big-endian layouts, every
boundary mode with cval, origins, axes, and outputs given as None, a dtype or an array
(the input itself included).

Tolerance: the kernels repeat SciPy's arithmetic in double precision operation for operation
(the same weights, the same order of additions, no fused multiply-adds), so results are
expected bit for bit, and integer outputs (C truncation, wrap-around) must be identical. Float
outputs are allowed 4 ulp of the output dtype relative to the largest output magnitude, only
so that a SciPy build whose compiler contracts ``a + b * c`` into an FMA still passes.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.ndimage as ndi
from hypothesis import given, settings
from hypothesis import strategies as st

import uscipy
from ndimage_data import LAYOUTS, MODES, layout, values
from uscipy.backends import _native_ndimage

DTYPES = [np.uint8, np.int8, np.int16, np.uint16, np.int32, np.uint32, np.int64, np.uint64, np.float32, np.float64, np.bool_]
SIZES = [1, 2, 3, 4, 7]
EXAMPLES = settings(max_examples=200, deadline=None)


def assert_matches(ours: np.ndarray, theirs: np.ndarray) -> None:
    assert ours.dtype == theirs.dtype and ours.shape == theirs.shape, (ours.dtype, theirs.dtype, ours.shape)
    if theirs.dtype.kind in "biu":
        np.testing.assert_array_equal(ours, theirs)
        return
    eps = float(np.finfo(theirs.dtype).eps)
    scale = float(np.max(np.abs(theirs), initial=0.0, where=~np.isnan(theirs)))
    np.testing.assert_allclose(ours, theirs, rtol=4 * eps, atol=4 * eps * scale)


@st.composite
def arrays(draw, min_ndim=1, max_ndim=4, dtypes=DTYPES):
    ndim = draw(st.integers(min_ndim, max_ndim))
    shape = tuple(draw(st.sampled_from(SIZES)) for _ in range(ndim))
    dtype = draw(st.sampled_from(dtypes))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    return layout(values(rng, shape, dtype), draw(st.sampled_from(LAYOUTS)))


OUTPUTS = st.sampled_from([None, np.float64, np.float32, np.int32, np.uint8, "array-float64", "array-int16", "input"])


def outputs(x: np.ndarray, choice):
    """The output argument for SciPy and for uscipy (each its own array), and the input each
    gets (the same object as the output for "input")."""
    if choice == "input":
        if x.dtype.kind == "b" or not x.dtype.isnative:
            choice = None
        else:
            a, b = x.copy(), x.copy()
            return a, b, a, b
    if isinstance(choice, str):
        dtype = np.dtype(choice.split("-")[1])
        a, b = np.zeros(x.shape, dtype, order="F"), np.zeros(x.shape, dtype, order="F")
        return a, b, x, x
    return choice, choice, x, x


def run_both(name: str, x: np.ndarray, *args, output=None, **kwargs):
    """SciPy's result, and the native one (checking native ran and left its input alone)."""
    out_s, out_n, x_s, x_n = outputs(x, output)
    expected = getattr(ndi, name)(x_s, *args, output=out_s, **kwargs)
    before = x_n.copy()
    with uscipy.set_backend("native", only=True), uscipy.trace() as t:
        got = getattr(uscipy.ndimage, name)(x_n, *args, output=out_n, **kwargs)
    assert [c.backend.name for c in t] == ["native"]
    if output != "input":
        np.testing.assert_array_equal(x_n, before)
    if isinstance(out_n, np.ndarray):
        assert got is out_n
    assert_matches(got, expected)


@EXAMPLES
@given(
    x=arrays(),
    name=st.sampled_from(["correlate1d", "convolve1d", "uniform_filter1d", "minimum_filter1d", "maximum_filter1d"]),
    size=st.integers(1, 9),
    origin_frac=st.floats(0, 1),
    mode=st.sampled_from(MODES),
    cval=st.sampled_from([0.0, 1.5, -3.0]),
    axis_frac=st.floats(0, 1, exclude_max=True),
    output=OUTPUTS,
    seed=st.integers(0, 1000),
)
def test_line_filters(x, name, size, origin_frac, mode, cval, axis_frac, output, seed):
    axis = int(axis_frac * x.ndim) - x.ndim  # negative axes too
    lo, hi = -(size // 2), (size - 1) // 2
    origin = lo + round(origin_frac * (hi - lo))
    if name in ("correlate1d", "convolve1d"):
        weights = np.random.default_rng(seed).standard_normal(size).round(2)
        if seed % 3 == 0:  # symmetric and antisymmetric weights take SciPy's other paths
            weights = weights + weights[::-1] * (1 if seed % 2 else -1)
        args = (weights,)  # convolve1d's valid origins are the same range
    else:
        args = (size,)
    run_both(name, x, *args, axis=axis, mode=mode, cval=cval, origin=origin, output=output)


@EXAMPLES
@given(
    x=arrays(),
    sigma=st.sampled_from([0.0, 0.5, 1.0, 2.5]),
    order=st.integers(0, 2),
    mode=st.sampled_from(MODES),
    cval=st.sampled_from([0.0, 2.0]),
    truncate=st.sampled_from([4.0, 1.5]),
    use_radius=st.booleans(),
    use_axes=st.booleans(),
    output=OUTPUTS,
)
def test_gaussian(x, sigma, order, mode, cval, truncate, use_radius, use_axes, output):
    kwargs = dict(order=order, mode=mode, cval=cval, truncate=truncate)
    if use_radius:
        kwargs["radius"] = 2
    if use_axes and x.ndim > 1:
        kwargs["axes"] = (-1, 0)
        kwargs["mode"] = [mode, "nearest"]
        kwargs["order"] = [order, 0]
    run_both("gaussian_filter", x, sigma, output=output, **kwargs)
    run_both("gaussian_filter1d", x, max(sigma, 0.3), axis=0, order=order, mode=mode, cval=cval, output=output)


@EXAMPLES
@given(
    x=arrays(),
    name=st.sampled_from(["sobel", "prewitt", "laplace", "gaussian_laplace", "gaussian_gradient_magnitude"]),
    mode=st.sampled_from(MODES),
    cval=st.sampled_from([0.0, 2.0]),
    output=OUTPUTS,
)
def test_derivatives(x, name, mode, cval, output):
    if name in ("sobel", "prewitt"):
        run_both(name, x, axis=0, mode=mode, cval=cval, output=output)
    elif name == "laplace":
        run_both(name, x, mode=mode, cval=cval, output=output)
    else:
        run_both(name, x, 1.0, mode=mode, cval=cval, output=output)


@EXAMPLES
@given(
    x=arrays(),
    name=st.sampled_from(["uniform_filter", "minimum_filter", "maximum_filter"]),
    size=st.integers(1, 6),
    per_axis=st.booleans(),
    mode=st.sampled_from(MODES),
    cval=st.sampled_from([0.0, 0.7, -2.0]),
    output=OUTPUTS,
    seed=st.integers(0, 1000),
)
def test_separable_sized(x, name, size, per_axis, mode, cval, output, seed):
    rng = np.random.default_rng(seed)
    if per_axis:
        sizes = [int(s) for s in rng.integers(1, 6, x.ndim)]
        origins = [int(rng.integers(-(s // 2), (s - 1) // 2 + 1)) for s in sizes]
        modes = [MODES[i] for i in rng.integers(0, len(MODES), x.ndim)]
        run_both(name, x, sizes, mode=modes, cval=cval, origin=origins, output=output)
    else:
        run_both(name, x, size, mode=mode, cval=cval, output=output)


@EXAMPLES
@given(
    x=arrays(),
    name=st.sampled_from(["correlate", "convolve", "minimum_filter", "maximum_filter", "median_filter",
                          "rank_filter", "percentile_filter"]),
    mode=st.sampled_from(MODES),
    cval=st.sampled_from([0.0, 0.7, -2.5]),
    output=OUTPUTS,
    seed=st.integers(0, 1000),
)
def test_footprint_filters(x, name, mode, cval, output, seed):
    rng = np.random.default_rng(seed)
    fshape = tuple(int(s) for s in rng.integers(1, 6, x.ndim))
    origins = [int(rng.integers(-(s // 2), (s - 1) // 2 + 1)) for s in fshape]
    kwargs = dict(mode=mode, cval=cval, origin=origins, output=output)
    if name in ("correlate", "convolve"):
        weights = rng.standard_normal(fshape).round(2)
        weights[rng.random(fshape) < 0.3] = 0.0  # zeros are skipped, as SciPy skips them
        run_both(name, x, weights, **kwargs)
        return
    footprint = rng.random(fshape) < 0.6
    footprint.flat[rng.integers(0, footprint.size)] = True
    n = int(footprint.sum())
    rank = int(rng.integers(-n, n))
    if x.ndim == 1 and name in ("median_filter", "rank_filter", "percentile_filter"):
        if rank % n not in (0, n - 1) or name != "rank_filter":
            return  # 1-D ranks other than min/max decline (tested below)
    if name == "rank_filter":
        run_both(name, x, rank, footprint=footprint, **kwargs)
    elif name == "percentile_filter":
        run_both(name, x, float(rng.choice([0, 20, 50, 99.5, 100, -30])), footprint=footprint, **kwargs)
    else:
        run_both(name, x, footprint=footprint, **kwargs)


@settings(max_examples=25, deadline=None)
@given(x=arrays(min_ndim=2), axes_seed=st.integers(0, 100), name=st.sampled_from(
    ["median_filter", "uniform_filter", "minimum_filter", "gaussian_filter", "correlate"]))
def test_axes_argument(x, axes_seed, name):
    rng = np.random.default_rng(axes_seed)
    axes = tuple(int(a) for a in rng.permutation(x.ndim)[: rng.integers(1, x.ndim + 1)])
    if name == "gaussian_filter":
        run_both(name, x, 1.0, axes=axes)
    elif name == "correlate":
        run_both(name, x, rng.standard_normal((3,) * len(axes)), axes=axes)
    else:
        run_both(name, x, size=3, axes=axes)


def test_large_footprints_and_long_filters_wrap_around_short_axes():
    rng = np.random.default_rng(5)
    x = rng.standard_normal((3, 4))
    for mode in MODES:
        run_both("correlate1d", x, rng.standard_normal(23), axis=0, mode=mode, cval=1.0, origin=5)
        run_both("minimum_filter1d", x, 17, axis=1, mode=mode, cval=1.0)
        run_both("correlate", x, rng.standard_normal((9, 11)), mode=mode, cval=1.0)
        run_both("median_filter", x, footprint=rng.random((13, 9)) < 0.5, mode=mode, cval=1.0)


def test_empty_arrays_match():
    for shape in [(0,), (3, 0), (0, 4, 2)]:
        x = np.zeros(shape)
        for name, args in [("uniform_filter", (3,)), ("gaussian_filter", (1.0,)), ("correlate1d", ([1.0, 2.0],)),
                           ("minimum_filter", (3,)), ("sobel", ())]:
            run_both(name, x, *args)


def test_integer_casts_wrap_like_scipy():
    x = np.array([[0, 200, 3, 255], [9, 1, 250, 0]], dtype=np.uint8)
    run_both("sobel", x)  # negative results wrap
    run_both("correlate1d", x.astype(np.int8), [100.0, 100.0], output=None)  # past int8's range
    run_both("correlate", x, [[-1.5, 2.0]], output=np.uint16)  # SciPy's "safe" unsigned cast
    run_both("uniform_filter", np.array([-7, 7, -3], dtype=np.int32), 2)  # truncation toward zero
    # cval cast to the input's type first; a rank's result goes back through that type too
    # (2^64 - 2 rounds to 2^64 as a double, which wraps to 0).
    footprint = np.ones((5, 4), bool)
    footprint[0, 2:] = False
    big = np.array([[851]], dtype=np.uint64)
    run_both("median_filter", big, footprint=footprint, mode="constant", cval=-2.5, output=np.float64)
    for dtype in (np.uint64, np.uint8, np.int8):
        x = np.full((3, 3), 100, dtype=dtype)
        run_both("rank_filter", x, 1, size=3, mode="constant", cval=300.7, output=np.float64)
        run_both("minimum_filter", x, footprint=[[1, 0], [1, 1]], mode="constant", cval=-2.5, output=np.float64)


def test_declines():
    x = np.arange(12.0).reshape(3, 4)
    with uscipy.set_backend("native"), uscipy.trace() as t:
        uscipy.ndimage.gaussian_filter(x + 1j, 1.0)  # complex input
        uscipy.ndimage.median_filter(np.arange(9.0), 3)  # 1-D rank: SciPy's own 1-D algorithm
        uscipy.ndimage.correlate1d(x, [1j, 1.0])  # complex weights
        uscipy.ndimage.generic_filter(x, np.mean, size=3)  # not native
        uscipy.ndimage.uniform_filter(x, 3)  # native
    assert [c.backend.name for c in t] == ["scipy"] * 4 + ["native"]
    with uscipy.set_backend("native", only=True):
        with pytest.raises(uscipy.BackendNotImplementedError, match="native: scipy.ndimage.gaussian_filter: complex"):
            uscipy.ndimage.gaussian_filter(x + 1j, 1.0)


def test_scipy_errors_for_bad_arguments():
    x = np.arange(12.0).reshape(3, 4)
    for call in [
        lambda m: m.correlate1d(x, [1.0, 2.0, 3.0], origin=2),
        lambda m: m.uniform_filter1d(x, 0),
        lambda m: m.minimum_filter(x, footprint=np.zeros((2, 2))),
        lambda m: m.median_filter(x, size=3, mode="bogus"),
        lambda m: m.rank_filter(x, 20, size=3),
    ]:
        with pytest.raises(Exception) as theirs:
            call(ndi)
        with uscipy.set_backend("native", only=True), pytest.raises(type(theirs.value)):
            call(uscipy.ndimage)


def test_thread_counts_agree(monkeypatch):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((64, 48, 5)).astype(np.float32)
    results = []
    for n in (1, 2, 3):
        monkeypatch.setattr(_native_ndimage, "num_threads", n)
        with uscipy.set_backend("native", only=True):
            results.append([uscipy.ndimage.gaussian_filter(x, 2.0), uscipy.ndimage.median_filter(x, 3),
                             uscipy.ndimage.maximum_filter(x, 4)])
    for other in results[1:]:
        for a, b in zip(results[0], other):
            np.testing.assert_array_equal(a, b)
    monkeypatch.setattr(_native_ndimage, "num_threads", None)
    monkeypatch.setenv("USCIPY_NUM_THREADS", "1")
    assert _native_ndimage.threads() == 1


@settings(max_examples=80, deadline=None)
@given(x=arrays(dtypes=[np.float32, np.float64]), seed=st.integers(0, 1000), name=st.sampled_from(
    ["minimum_filter1d", "maximum_filter1d", "maximum_filter", "median_filter", "rank_filter", "uniform_filter",
     "gaussian_filter"]))
def test_nan_follows_scipy(x, seed, name):
    """NaN makes minima, maxima and ranks depend on the algorithm: SciPy's is followed."""
    rng = np.random.default_rng(seed)
    x = np.array(x)  # writable, native
    x[rng.random(x.shape) < 0.2] = np.nan
    fshape = tuple(int(s) for s in rng.integers(1, 5, x.ndim))
    if name.endswith("1d"):
        run_both(name, x, int(rng.integers(1, 6)), axis=-1, mode=MODES[seed % len(MODES)])
    elif name == "maximum_filter":
        footprint = rng.random(fshape) < 0.7
        footprint.flat[0] = True
        run_both(name, x, footprint=footprint if seed % 2 else None, size=3 if seed % 2 == 0 else None)
    elif name in ("median_filter", "rank_filter"):
        if x.ndim == 1:
            return
        args = (int(rng.integers(0, int(np.prod(fshape)))),) if name == "rank_filter" else ()
        run_both(name, x, *args, size=fshape, mode=MODES[seed % len(MODES)])
    elif name == "uniform_filter":
        run_both(name, x, 3)
    else:
        run_both(name, x, 1.0)
