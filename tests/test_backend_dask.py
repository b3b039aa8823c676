"""The dask backend: every function it claims, on every case of the shared table with the
inputs as chunked Dask arrays, equals SciPy on NumPy inputs (threaded scheduler); results stay
lazy; and the same on a dask.distributed LocalCluster of two worker processes on loopback."""

from __future__ import annotations

import numpy as np
import pytest

da = pytest.importorskip("dask.array", reason="dask is not installed (pip install 'uscipy[dask]')")
import dask  # noqa: E402

import uscipy  # noqa: E402
from uscipy.backends import get  # noqa: E402

from backend_testing import assert_matches_scipy, cases_of  # noqa: E402

BACKEND = get("dask")


def chunked(a: np.ndarray):
    """Several chunks along every axis longer than 1."""
    return da.from_array(a, chunks=tuple(max(1, (n + 1) // 2) for n in a.shape) or ())


@pytest.fixture(autouse=True)
def threaded():
    with dask.config.set(scheduler="threads"):
        yield


@pytest.mark.parametrize("module, name, i, case", cases_of(BACKEND))
def test_dask_matches_scipy(module, name, i, case):
    assert_matches_scipy("dask", module, name, case, chunked)


def test_results_stay_lazy_and_dispatch_by_type():
    x = chunked(np.arange(64.0).reshape(8, 8))
    with uscipy.trace() as t:
        y = uscipy.ndimage.gaussian_filter(x, 1)
        z = uscipy.special.erf(x)
    assert isinstance(y, da.Array) and isinstance(z, da.Array)
    calls_on_dask = [c.backend.name for c in t if "dask.array.core.Array" in c.argument_types]
    assert calls_on_dask == ["dask", "dask"]


def test_rechunk_can_be_forbidden():
    x = chunked(np.ones((8, 8)))
    uscipy.config.dask_rechunk = False
    try:
        with pytest.raises(ValueError, match="several chunks; allow rechunking"):
            uscipy.fft.fft(x)
    finally:
        uscipy.config.dask_rechunk = True
    assert uscipy.fft.fft(x).chunks[1] == (8,)


def test_no_implicit_compute():
    x = chunked(np.eye(4))
    assert uscipy.config.dask_compute is False  # the default
    with pytest.raises(uscipy.BackendNotImplementedError, match="belongs to another backend") as declined:
        uscipy.linalg.expm(x)
    assert "dask: scipy.linalg.expm cannot be done chunk-wise; set uscipy.config.dask_compute = True" in str(declined.value)
    with uscipy.set_backend("scipy", coerce=True):  # asked: compute and run SciPy
        np.testing.assert_allclose(uscipy.linalg.expm(x), np.eye(4) * np.e)


def test_declined_variant_names_the_option():
    x = chunked(np.ones((4, 3)))  # dask.array.linalg.inv needs a square matrix
    with pytest.raises(uscipy.BackendNotImplementedError, match=r"uscipy.config.dask_compute"):
        uscipy.linalg.inv(x)


@pytest.fixture
def dask_compute():
    """uscipy.config.dask_compute = True for one test, restored after it (a process-wide class
    attribute outside uarray's state, like dask_rechunk: no process_globals marker needed)."""
    from uscipy.backends.dask import _Config

    saved = _Config.compute
    uscipy.config.dask_compute = True
    try:
        yield
    finally:
        _Config.compute = saved


def test_compute_option_runs_numpy_and_wraps_results(dask_compute, caplog):
    import logging
    import warnings

    import scipy.linalg
    import scipy.ndimage

    image = (np.random.default_rng(3).random((9, 7)) > 0.6).astype(int)
    a = np.eye(4) + 0.1 * np.arange(16.0).reshape(4, 4)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning
        with caplog.at_level(logging.DEBUG, logger="uscipy"), uscipy.trace() as t:
            labels, count = uscipy.ndimage.label(chunked(image))
            e = uscipy.linalg.expm(chunked(a))
    assert not BACKEND.implements("ndimage", "label")  # still not claimed as chunk-wise
    want_labels, want_count = scipy.ndimage.label(image)
    assert isinstance(labels, da.Array) and isinstance(count, int) and count == want_count
    np.testing.assert_array_equal(labels.compute(), want_labels)
    assert isinstance(e, da.Array)
    np.testing.assert_allclose(e.compute(), scipy.linalg.expm(a), rtol=1e-12)
    assert [c.backend.name for c in t] == ["scipy", "dask", "scipy", "dask"]  # NumPy inside, Dask outside
    assert "computing 1 Dask argument(s) of scipy.ndimage.label" in caplog.text


def test_compute_option_covers_declined_variants(dask_compute):
    import scipy.linalg

    a = np.random.default_rng(4).standard_normal((5, 3))
    got = uscipy.linalg.pinv(chunked(a))  # not in dask.array.linalg
    assert isinstance(got, da.Array)
    np.testing.assert_allclose(got.compute(), scipy.linalg.pinv(a), rtol=1e-12)
    y = uscipy.linalg.lu_factor(chunked(np.eye(3) * 2))  # tuples element-wise
    assert all(isinstance(v, da.Array) for v in y)
    assert isinstance(uscipy.linalg.det(chunked(np.eye(3) * 2)), float)  # scalars as they are
    # chunk-wise functions stay lazy and chunked, computing nothing
    z = uscipy.special.erf(chunked(np.ones((8, 8))))
    assert isinstance(z, da.Array) and len(z.chunks[0]) == 2


def test_compute_option_from_the_environment():
    import os
    import subprocess
    import sys

    code = ("import numpy as np, dask.array as da, uscipy\n"
            "assert uscipy.config.dask_compute is True\n"
            "y = uscipy.linalg.expm(da.from_array(np.eye(2), chunks=1))\n"
            "assert isinstance(y, da.Array), type(y)\n")
    env = {**os.environ, "USCIPY_DASK_COMPUTE": "1"}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=120)
    bad = subprocess.run([sys.executable, "-c", "import uscipy; uscipy.config.dask_compute"],
                         env={**os.environ, "USCIPY_DASK_COMPUTE": "maybe"}, capture_output=True, text=True, timeout=120)
    assert bad.returncode != 0 and "USCIPY_DASK_COMPUTE='maybe' is malformed" in bad.stderr


@pytest.fixture(scope="module")
def client():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as c:
        yield c


def test_distributed_results_equal_scipy(client):
    import scipy.fft
    import scipy.ndimage
    import scipy.special

    rng = np.random.default_rng(0)
    image = rng.random((64, 48))
    x = da.from_array(image, chunks=(16, 24))
    results = client.compute([
        uscipy.ndimage.gaussian_filter(x, 2),
        uscipy.ndimage.grey_dilation(x, size=(3, 5), mode="wrap"),
        uscipy.special.sici(x)[1],
        uscipy.fft.rfft(x, axis=0),
    ], sync=True)
    expected = [
        scipy.ndimage.gaussian_filter(image, 2),
        scipy.ndimage.grey_dilation(image, size=(3, 5), mode="wrap"),
        scipy.special.sici(image)[1],
        scipy.fft.rfft(image, axis=0),
    ]
    for got, want in zip(results, expected):
        np.testing.assert_allclose(got, want, rtol=1e-12)
    assert len(client.scheduler_info()["workers"]) == 2


def test_backend_state_travels_to_workers(client):
    # The graph is built inside `set_backend(MARKER)`: the chunk functions carry that state to
    # the worker processes, which run MARKER's erf (SciPy's + 1000) on their NumPy blocks.
    from tagged import MARKER

    points = np.linspace(0, 1, 32)
    x = da.from_array(points, chunks=8)
    with uscipy.set_backend(MARKER):
        y = uscipy.special.erf(x)
    import scipy.special

    np.testing.assert_allclose(client.compute(y, sync=True), scipy.special.erf(points) + 1000)
    np.testing.assert_allclose(client.compute(uscipy.special.erf(x), sync=True), scipy.special.erf(points))
