"""The native backend's FFTs, differentially against scipy.fft with hypothesis: shapes of
1 to 4 dimensions (sizes 1, 2, 3, 5, 7, 16, 17 and 1009 among them), every dtype, axes, norms,
n cropping and padding, non-contiguous, negative-stride and big-endian inputs, workers.

Tolerance: FFT round-off grows like eps * log2(n) (Gentleman & Sande; pocketfft and rustfft
both achieve it), so results must agree with SciPy's to 32 * eps(dtype) * log2(n + 1) relative
to the largest output magnitude: a few ulp per butterfly stage, for either implementation."""

from __future__ import annotations

import concurrent.futures
import math
import os

import numpy as np
import pytest
import scipy.fft
from hypothesis import given, settings
from hypothesis import strategies as st

import uscipy

SIZES = [1, 2, 3, 5, 7, 16, 17]
DTYPES = [np.float16, np.float32, np.float64, np.complex64, np.complex128, np.int32, np.int64, np.bool_, np.uint8]


def close(ours: np.ndarray, theirs: np.ndarray, n: int) -> None:
    assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
    eps = np.finfo(theirs.dtype).eps
    scale = max(1.0, float(np.max(np.abs(theirs), initial=0.0)))
    err = float(np.max(np.abs(ours.astype(np.complex128) - theirs), initial=0.0))
    assert err <= 32 * eps * math.log2(n + 1) * scale + 1e-300, f"max error {err:.3g} (scale {scale:.3g}, n={n})"


def laid_out(x: np.ndarray, layout: str) -> np.ndarray:
    """`x`'s values in memory order `layout`: C, Fortran, every other element, reversed along
    the last axis, or big-endian."""
    if layout == "f":
        return np.asfortranarray(x)
    if layout == "strided":
        return np.repeat(x, 2, axis=-1)[..., ::2]
    if layout == "reversed":
        return x[..., ::-1]
    if layout == "big-endian" and x.dtype.itemsize > 2:  # SciPy itself rejects big-endian float16
        return x.astype(x.dtype.newbyteorder(">"))
    return x


@st.composite
def arrays(draw, real_only=False):
    ndim = draw(st.integers(1, 4))
    shape = tuple(draw(st.sampled_from(SIZES if ndim > 1 else SIZES + [1009])) for _ in range(ndim))
    dtype = np.dtype(draw(st.sampled_from([d for d in DTYPES if not (real_only and np.dtype(d).kind == "c")])))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    x = rng.standard_normal(shape) * 4
    if dtype.kind == "c":
        x = x + 1j * rng.standard_normal(shape)
    x = x.astype(dtype)
    x = laid_out(x, draw(st.sampled_from(["c", "f", "strided", "reversed", "big-endian"])))
    axis = draw(st.integers(-ndim, ndim - 1))
    return x, axis


TRANSFORMS = st.sampled_from(["fft", "ifft"])
NORMS = st.sampled_from([None, "backward", "ortho", "forward"])


@settings(max_examples=150, deadline=None)
@given(data=arrays(), name=TRANSFORMS, norm=NORMS, n_delta=st.sampled_from([None, -1, 0, 3]), workers=st.sampled_from([None, 1, 2, -1]))
def test_complex_transforms_match_scipy(data, name, norm, n_delta, workers):
    x, axis = data
    n = None if n_delta is None else max(1, x.shape[axis] + n_delta)
    before = x.copy()
    expected = getattr(scipy.fft, name)(x, n=n, axis=axis, norm=norm)
    with uscipy.set_backend("native", only=True):
        got = getattr(uscipy.fft, name)(x, n=n, axis=axis, norm=norm, workers=workers)
    close(got, expected, n or x.shape[axis])
    np.testing.assert_array_equal(x, before)  # input untouched


@settings(max_examples=150, deadline=None)
@given(data=arrays(real_only=True), norm=NORMS, n_delta=st.sampled_from([None, -1, 0, 2]), workers=st.sampled_from([None, 2]))
def test_real_transforms_match_scipy(data, norm, n_delta, workers):
    x, axis = data
    n = None if n_delta is None else max(1, x.shape[axis] + n_delta)
    with uscipy.set_backend("native", only=True):
        forward = uscipy.fft.rfft(x, n=n, axis=axis, norm=norm, workers=workers)
        close(forward, scipy.fft.rfft(x, n=n, axis=axis, norm=norm), n or x.shape[axis])
    spectrum = scipy.fft.rfft(x, axis=axis)
    try:
        expected = scipy.fft.irfft(spectrum, n=n, axis=axis, norm=norm)
    except ValueError as e:  # e.g. one frequency and no n: zero output points
        with uscipy.set_backend("native"), pytest.raises(ValueError, match=str(e).split("(")[0]):
            uscipy.fft.irfft(spectrum, n=n, axis=axis, norm=norm, workers=workers)  # SciPy's error
        return
    with uscipy.set_backend("native", only=True):
        back = uscipy.fft.irfft(spectrum, n=n, axis=axis, norm=norm, workers=workers)
    close(back, expected, n or 2 * (spectrum.shape[axis] - 1))


def test_dispatch_and_what_falls_through():
    x = np.arange(8.0)
    with uscipy.set_backend("native"), uscipy.trace() as t:
        uscipy.fft.fft(x)
        uscipy.fft.fft(x.astype(np.longdouble))  # long double: SciPy computes it
        with pytest.raises(ValueError, match="invalid number of data points"):
            uscipy.fft.fft(x, n=0)  # SciPy's own error for bad input
    assert [c.backend.name if c.backend else None for c in t] == ["native", "scipy", None]
    with uscipy.set_backend("native", only=True):
        with pytest.raises(uscipy.BackendNotImplementedError, match="native: scipy.fft.fft: long double input"):
            uscipy.fft.fft(x.astype(np.longdouble))


def test_default_workers_follow_scipy_set_workers():
    from uscipy.backends._native_fft_args import workers_count

    assert workers_count(None, "fft") == scipy.fft.get_workers()
    with scipy.fft.set_workers(3):
        assert workers_count(None, "fft") == 3

        def in_thread():  # set_workers is per thread in SciPy: a new thread sees the default
            return workers_count(None, "fft"), scipy.fft.get_workers()

        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            ours, theirs = pool.submit(in_thread).result()
        assert ours == theirs == 1
    assert workers_count(-1, "fft") == (os.cpu_count() or 1)


def test_priority_list_selects_native():
    before = uscipy.config.backends
    try:
        uscipy.config.backends = ["native", "scipy"]
        assert uscipy.explain(uscipy.fft.rfft, np.ones(4)).backend.name == "native"
        assert uscipy.explain(uscipy.fft.dctn, np.ones(4)).backend.name == "native"
        assert uscipy.explain(uscipy.special.erf, np.ones(4)).backend.name == "scipy"  # not native
    finally:
        uscipy.config.backends = before


def test_threads_transform_concurrently_with_equal_results():
    rng = np.random.default_rng(0)
    inputs = [rng.standard_normal((64, 257)) for _ in range(8)]

    def run(x):
        with uscipy.set_backend("native", only=True):
            return uscipy.fft.fft(x, axis=1, workers=2)

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        results = list(pool.map(run, inputs * 4))
    for x, got in zip(inputs * 4, results):
        close(got, scipy.fft.fft(x, axis=1), 257)


@st.composite
def nd_arguments(draw):
    x, _ = draw(arrays())
    ndim = x.ndim
    axes = draw(st.one_of(st.none(), st.lists(st.integers(-ndim, ndim - 1), min_size=1, max_size=ndim,
                                              unique_by=lambda a: a % ndim)))
    count = ndim if axes is None else len(axes)
    s = draw(st.one_of(st.none(), st.lists(st.sampled_from([1, 2, 3, 4, 6, 8]), min_size=count, max_size=count)))
    return x, s, axes


@settings(max_examples=150, deadline=None)
@given(data=nd_arguments(), name=st.sampled_from(["fftn", "ifftn", "rfftn", "irfftn"]), norm=NORMS,
       workers=st.sampled_from([None, 2]))
def test_nd_transforms_match_scipy(data, name, norm, workers):
    x, s, axes = data
    if name == "rfftn" and x.dtype.kind == "c":
        x = x.real.copy()
    if name == "irfftn":
        x = scipy.fft.rfftn(x.real.astype(np.float64)) if x.dtype.kind != "c" else x
    try:
        expected = getattr(scipy.fft, name)(x, s=s, axes=axes, norm=norm)
    except ValueError as e:
        with uscipy.set_backend("native"), pytest.raises(ValueError, match=str(e).split("(")[0][:30]):
            getattr(uscipy.fft, name)(x, s=s, axes=axes, norm=norm, workers=workers)
        return
    with uscipy.set_backend("native", only=True):
        got = getattr(uscipy.fft, name)(x, s=s, axes=axes, norm=norm, workers=workers)
    close(got, expected, int(np.prod(got.shape)) or 1)


def test_2d_forms_use_the_last_two_axes():
    x = np.random.default_rng(3).standard_normal((3, 5, 6))
    with uscipy.set_backend("native", only=True):
        for name in ("fft2", "ifft2", "rfft2"):
            close(getattr(uscipy.fft, name)(x), getattr(scipy.fft, name)(x), 30)
        spectrum = scipy.fft.rfft2(x)
        close(uscipy.fft.irfft2(spectrum), scipy.fft.irfft2(spectrum), 30)


def scipy_or_its_error(function, *args, **kwargs):
    """SciPy's result, or the exception it raises (which uscipy must raise too)."""
    try:
        return function(*args, **kwargs), None
    except (ValueError, RuntimeError, TypeError) as e:
        return None, e


@settings(max_examples=200, deadline=None)
@given(data=arrays(), name=st.sampled_from(["dct", "idct", "dst", "idst"]), kind=st.sampled_from([1, 2, 3, 4]),
       norm=NORMS, orthogonalize=st.sampled_from([None, False, True]), n_delta=st.sampled_from([None, -1, 0, 2]))
def test_trig_transforms_match_scipy(data, name, kind, norm, orthogonalize, n_delta):
    x, axis = data
    n = None if n_delta is None else max(1, x.shape[axis] + n_delta)
    kwargs = dict(type=kind, n=n, axis=axis, norm=norm, orthogonalize=orthogonalize)
    expected, error = scipy_or_its_error(getattr(scipy.fft, name), x, **kwargs)
    with uscipy.set_backend("native"), uscipy.trace() as t:
        if error is not None:  # DCT-I of one point: SciPy's own error
            with pytest.raises(type(error)):
                getattr(uscipy.fft, name)(x, **kwargs)
            return
        got = getattr(uscipy.fft, name)(x, **kwargs)
    # Orthogonalising without "ortho" (or the reverse) is left to SciPy; the rest is native.
    if orthogonalize is None or bool(orthogonalize) == (norm == "ortho"):
        assert t.calls[-1].backend.name == "native"
    close(got, expected, 2 * (n or x.shape[axis]) + 2)


@pytest.mark.parametrize("name", ["dct", "dst", "idct", "idst"])
@pytest.mark.parametrize("kind", [1, 2, 3, 4])
def test_trig_buffers_reused_across_lengths(name, kind):
    """Per-thread buffers kept from a shorter transform must not leak into a longer one
    (rustdct's DST-I read stale scratch: wrong results after a shorter DST-I)."""
    rng = np.random.default_rng(kind)
    for n in (16, 1000, 7, 1009, 2, 1024):
        x = rng.standard_normal(n)
        with uscipy.set_backend("native", only=True):
            got = getattr(uscipy.fft, name)(x, type=kind)
        close(got, getattr(scipy.fft, name)(x, type=kind), 2 * n + 2)


@settings(max_examples=150, deadline=None)
@given(data=nd_arguments(), name=st.sampled_from(["dctn", "idctn", "dstn", "idstn"]), kind=st.sampled_from([1, 2, 3, 4]),
       norm=NORMS, workers=st.sampled_from([None, 2]))
def test_nd_trig_transforms_match_scipy(data, name, kind, norm, workers):
    x, s, axes = data
    expected, error = scipy_or_its_error(getattr(scipy.fft, name), x, type=kind, s=s, axes=axes, norm=norm)
    with uscipy.set_backend("native"), uscipy.trace() as t:
        if error is not None:
            with pytest.raises(type(error)):
                getattr(uscipy.fft, name)(x, type=kind, s=s, axes=axes, norm=norm, workers=workers)
            return
        got = getattr(uscipy.fft, name)(x, type=kind, s=s, axes=axes, norm=norm, workers=workers)
    assert t.calls[-1].backend.name == "native"
    close(got, expected, 2 * int(np.prod(got.shape)) + 2)


@settings(max_examples=150, deadline=None)
@given(data=nd_arguments(), name=st.sampled_from(["hfft", "ihfft", "hfft2", "ihfft2", "hfftn", "ihfftn"]), norm=NORMS,
       workers=st.sampled_from([None, 2]))
def test_hermitian_transforms_match_scipy(data, name, norm, workers):
    x, s, axes = data
    if name.startswith("ih") and x.dtype.kind == "c":
        x = x.real.copy()
    if name in ("hfft", "ihfft"):
        args = dict(n=None if s is None else s[-1], axis=-1 if axes is None else axes[-1])
    elif name.endswith("2"):
        if x.ndim < 2:
            x = x.reshape(1, -1)
        args = dict(s=None if s is None else (s + s)[:2])
    else:
        args = dict(s=s, axes=axes)
    expected, error = scipy_or_its_error(getattr(scipy.fft, name), x, norm=norm, **args)
    with uscipy.set_backend("native"), uscipy.trace() as t:
        if error is not None:
            with pytest.raises(type(error)):
                getattr(uscipy.fft, name)(x, norm=norm, workers=workers, **args)
            return
        got = getattr(uscipy.fft, name)(x, norm=norm, workers=workers, **args)
    assert t.calls[-1].backend.name == "native"
    close(got, expected, int(np.prod(got.shape)) or 1)


@settings(max_examples=60, deadline=None)
@given(n=st.sampled_from([1, 2, 7, 64, 101]), mu=st.sampled_from([-0.5, 0.0, 0.5, 2.0]), bias=st.sampled_from([0.0, 0.3, -0.7]),
       offset=st.sampled_from([0.0, 0.2]), batch=st.booleans(), single=st.booleans())
def test_fast_hankel_transforms_match_scipy(n, mu, bias, offset, batch, single):
    r = np.logspace(-2, 2, n)
    a = r ** (mu + 1) * np.exp(-(r**2) / 2)
    a = np.stack([a, 2 * a]) if batch else a
    a = a.astype(np.float32) if single else a
    for name in ("fht", "ifht"):
        expected = getattr(scipy.fft, name)(a, 0.1, mu, offset=offset, bias=bias)
        with uscipy.set_backend("native", only=True):
            got = getattr(uscipy.fft, name)(a, 0.1, mu, offset=offset, bias=bias)
        close(got, expected, 4 * n)


def test_helpers_equal_scipy():
    x = np.arange(30.0).reshape(5, 6)
    with uscipy.set_backend("native", only=True), uscipy.trace() as t:
        for axes in (None, 0, (1,), (0, 1)):
            np.testing.assert_array_equal(uscipy.fft.fftshift(x, axes=axes), scipy.fft.fftshift(x, axes=axes))
            np.testing.assert_array_equal(uscipy.fft.ifftshift(x, axes=axes), scipy.fft.ifftshift(x, axes=axes))
        for n, d in ((1, 1.0), (8, 0.5), (9, 2.0)):
            np.testing.assert_array_equal(uscipy.fft.fftfreq(n, d), scipy.fft.fftfreq(n, d))
            np.testing.assert_array_equal(uscipy.fft.rfftfreq(n, d), scipy.fft.rfftfreq(n, d))
        assert uscipy.fft.fhtoffset(0.1, 2.0, 0.5, 0.3) == scipy.fft.fhtoffset(0.1, 2.0, 0.5, 0.3)
    assert {c.backend.name for c in t} == {"native"}


def test_every_scipy_fft_function_is_native():
    from uscipy._api.table import API
    from uscipy.backends import get

    assert [f for f in API["fft"] if not get("native").implements("fft", f)] == []


@st.composite
def long_power_of_two_lines(draw):
    """Power-of-two lines of 512 to 16384 points (where the native backend runs its own AVX-512
    FFT on CPUs that have it), alone or side by side with 1 to 37 neighbours, in every layout:
    contiguous lines and strided ones gathered in blocks, full and partial."""
    n = draw(st.sampled_from([512, 1024, 2048, 16384]))
    width = draw(st.sampled_from([1, 3, 4, 5, 16, 17, 37]))
    shape = draw(st.sampled_from([(n, width), (width, n), (2, n, width), (width, 2, n)]))
    dtype = np.dtype(draw(st.sampled_from([np.float64, np.complex128, np.float32, np.complex64])))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    x = rng.standard_normal(shape)
    if dtype.kind == "c":
        x = x + 1j * rng.standard_normal(shape)
    x = x.astype(dtype)
    x = laid_out(x, draw(st.sampled_from(["c", "f", "strided", "reversed"])))
    return x, shape.index(n) - len(shape)


@settings(max_examples=60, deadline=None)
@given(data=long_power_of_two_lines(), name=st.sampled_from(["fft", "ifft", "rfft", "irfft", "fft2", "ifft2",
                                                             "rfft2", "irfft2", "fftn"]),
       norm=NORMS, workers=st.sampled_from([None, 2]))
def test_long_power_of_two_lines_match_scipy(data, name, norm, workers):
    x, axis = data
    if name.startswith("rfft"):
        x = x.real.copy()
    if name in ("fft", "ifft", "rfft", "irfft"):
        kwargs = {"axis": axis}
    else:  # the long axis first, so it is transformed in place after the other
        other = (axis + 1) % x.ndim - x.ndim if name != "fftn" else None
        kwargs = {"axes": (axis, other) if other is not None else None}
    expected = getattr(scipy.fft, name)(x, norm=norm, **kwargs)
    with uscipy.set_backend("native", only=True):
        got = getattr(uscipy.fft, name)(x, norm=norm, workers=workers, **kwargs)
    close(got, expected, int(np.prod(got.shape)))


@pytest.mark.parametrize("name", ["fft", "rfft", "irfft", "fft2", "rfft2", "irfft2", "dctn"])
def test_big_outputs_start_on_a_huge_page_and_match_scipy(name):
    """Outputs of 16 MiB and more are views starting on a 2 MiB boundary (where Linux has
    transparent huge pages): right values, right shape and dtype, writeable, C-ordered, and each
    call's output its own memory."""
    from uscipy.backends import _native_output

    rng = np.random.default_rng(7)
    real = name in ("rfft", "rfft2", "dctn")
    shape = (1030, 2050)  # outputs of 16.9 to 33.8 MB
    x = rng.standard_normal(shape) + (0 if real else 1j * rng.standard_normal(shape))
    expected = getattr(scipy.fft, name)(x)
    with uscipy.set_backend("native", only=True):
        first, second = (getattr(uscipy.fft, name)(x) for _ in range(2))
    close(first, expected, max(shape))
    assert first.flags.c_contiguous and first.flags.writeable
    assert not np.shares_memory(first, second)
    if _native_output.HUGE_PAGES and first.nbytes >= _native_output.ALIGNED_FROM:
        assert first.ctypes.data % _native_output.HUGE_PAGE == 0


@pytest.mark.parametrize("dtype", [np.float32, np.complex128])
@pytest.mark.parametrize("shape", [(), (0,), (5, 0), (3, 7), (4097, 1024), (2, 3, 1024, 700)])
def test_native_output_allocation(shape, dtype):
    """`empty` gives np.empty's shape, dtype and layout, aligned from ALIGNED_FROM bytes on."""
    from uscipy.backends._native_output import ALIGNED_FROM, HUGE_PAGE, HUGE_PAGES, empty

    out = empty(shape, dtype)
    assert out.shape == shape and out.dtype == dtype and out.flags.c_contiguous and out.flags.writeable
    out[...] = 1  # every byte of it is usable
    if HUGE_PAGES and out.nbytes >= ALIGNED_FROM:
        assert out.ctypes.data % HUGE_PAGE == 0
        pages = -(-out.nbytes // HUGE_PAGE)
        assert out.base.nbytes == (pages + 1) * HUGE_PAGE  # to a whole page past the end
    else:
        assert out.flags.owndata  # plain np.empty
