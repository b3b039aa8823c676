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

from backend_testing import claimed_cases, run_differential  # noqa: E402

BACKEND = get("dask")


def chunked(a: np.ndarray):
    """Several chunks along every axis longer than 1."""
    return da.from_array(a, chunks=tuple(max(1, (n + 1) // 2) for n in a.shape) or ())


@pytest.fixture(autouse=True)
def threaded():
    with dask.config.set(scheduler="threads"):
        yield


@pytest.mark.parametrize(
    "module, name, i, case",
    [pytest.param(*c, id=f"{c[0]}.{c[1]}[{c[2]}]") for c in claimed_cases(BACKEND)],
)
def test_dask_matches_scipy(module, name, i, case):
    problem, ran = run_differential("dask", module, name, case, chunked, rtol=1e-6)
    if problem is not None and problem.startswith("declined"):
        pytest.skip(f"dask declines this variant: {problem}")
    assert ran[-1:] == ["dask"]  # the call itself (chunk probes may dispatch NumPy blocks before it)
    assert problem is None, problem


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
    with pytest.raises(uscipy.BackendNotImplementedError, match="belongs to another backend"):
        uscipy.linalg.expm(x)
    with uscipy.set_backend("scipy", coerce=True):  # asked: compute and run SciPy
        np.testing.assert_allclose(uscipy.linalg.expm(x), np.eye(4) * np.e)


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
