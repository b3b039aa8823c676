"""The ``native`` backend's scipy.ndimage filters against scipy.ndimage and dask-image, in one
process.

    python benchmarks/ndimage.py [--repeats N] [--size3d N] [--only NAME,...] [--no-2d]

Inputs: a 2048x2048 float64 image and an N^3 float32 volume (``--size3d``, default 128: at 256,
SciPy's median filter would take some 20 s a call, extrapolating the 2.6 s we measured at 128^3
by the 8 times larger volume), both
standard normal. Filters: ``gaussian_filter`` sigma 4, ``uniform_filter`` size 15,
``median_filter`` size 5, ``maximum_filter`` size 9, ``sobel`` (axis -1). Interpolation:
``zoom`` x2 order 3, ``map_coordinates`` order 1 and 3 at as many random points as the input
has (uniform over the input, seeded), ``rotate`` 30 degrees order 3 (``reshape=False``),
``shift`` by (0.3, 0.7, ...) order 3; every mode ``constant`` (SciPy's default).

Contenders, each called as a user would:

* scipy: ``scipy.ndimage.<f>`` (single-threaded C);
* native: ``uscipy.ndimage.<f>`` inside ``uscipy.set_backend("native", only=True)`` (so it
  cannot fall through to SciPy), with all cores (``os.cpu_count()``) and again with 1 thread
  (the ``num_threads`` setting of ``uscipy.backends._native_ndimage``);
* dask-image: ``dask_image.ndfilters.<f>`` (or ``ndinterp.<f>`` where it has the function:
  ``map_coordinates``, ``rotate``) on a dask array chunked into ``2 * cores`` slabs along the
  first axis, computed with the threaded scheduler and ``num_workers = cores`` (dask-image adds
  the halo each chunk needs).

Before timing, every contender's result must equal SciPy's (max abs difference <= 1e-6 of the
max abs value); a dask-image result that differs, or a dask-image call that raises, is reported
as such and not timed. Repeats are
interleaved: each repeat times every contender once, in an order rotated by one each repeat,
so drift in load or clock speed hits all alike; the table shows the median seconds per call and
``scipy/x`` (SciPy's median over the contender's: above 1 means faster than SciPy).

Memory: ``peak MiB`` is the peak of Python-visible allocations during one extra, untimed call
(``tracemalloc``, which sees NumPy's array buffers: outputs and temporaries; not the kernels'
own small per-thread line buffers in Rust or C, nor dask's task bookkeeping outside NumPy).

OpenBLAS's threads are pinned to 1 (``OPENBLAS_NUM_THREADS``) before NumPy loads: idle BLAS
threads spinning after a ``dot`` (SciPy's Gaussian kernel uses one) otherwise steal the very
cores being measured.
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
# This folder holds a benchmarks/dask.py, which would shadow the dask package.
sys.path = [p for p in sys.path if os.path.abspath(p or ".") != os.path.dirname(os.path.abspath(__file__))]

import argparse  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
from collections.abc import Callable  # noqa: E402

import numpy as np  # noqa: E402
import scipy  # noqa: E402
import scipy.ndimage as ndi  # noqa: E402

import uscipy  # noqa: E402
from uscipy.backends import _native_ndimage  # noqa: E402

try:
    import dask  # noqa: E402
    import dask.array as da  # noqa: E402
    import dask_image.ndfilters as dfilters  # noqa: E402
    import dask_image.ndinterp as dinterp  # noqa: E402
except ImportError:  # shown as n/a
    dfilters = dinterp = None


def random_points(x: np.ndarray) -> np.ndarray:
    """As many coordinates as ``x`` has elements, uniform over it (seeded), as a list of points
    (dask-image takes no other shape)."""
    rng = np.random.default_rng(1)
    extent = np.array(x.shape, float).reshape(-1, 1) - 1
    return rng.random((x.ndim, x.size)) * extent


# (row label, scipy.ndimage function, positional arguments (a callable: made from the input),
# keyword arguments)
CASES: list[tuple[str, str, tuple | Callable[[np.ndarray], tuple], dict]] = [
    ("gaussian_filter", "gaussian_filter", (4.0,), {}),
    ("uniform_filter", "uniform_filter", (15,), {}),
    ("median_filter", "median_filter", (), {"size": 5}),
    ("maximum_filter", "maximum_filter", (), {"size": 9}),
    ("sobel", "sobel", (), {}),
    ("zoom", "zoom", (2.0,), {"order": 3}),
    ("map_coordinates1", "map_coordinates", lambda x: (random_points(x),), {"order": 1}),
    ("map_coordinates3", "map_coordinates", lambda x: (random_points(x),), {"order": 3}),
    ("rotate", "rotate", (30.0,), {"order": 3, "reshape": False}),
    ("shift", "shift", lambda x: ((0.3, 0.7, 0.5)[: x.ndim],), {"order": 3}),
]


def dask_function(name: str) -> Callable[..., object] | None:
    for module in (dfilters, dinterp):
        if module is not None and hasattr(module, name):
            return getattr(module, name)
    return None


def contenders(name: str, args: tuple, kwargs: dict, x: np.ndarray, cores: int) -> dict[str, Callable[[], object]]:
    def scipy_call():
        return getattr(ndi, name)(x, *args, **kwargs)

    def native(threads: int):
        def call():
            _native_ndimage.num_threads = threads
            with uscipy.set_backend("native", only=True):
                return getattr(uscipy.ndimage, name)(x, *args, **kwargs)

        return call

    out = {"scipy": scipy_call, f"native {cores}t": native(cores), "native 1t": native(1)}
    function = dask_function(name)
    if function is not None:
        chunks = (max(1, x.shape[0] // (2 * cores)),) + x.shape[1:]
        dx = da.from_array(x, chunks=chunks)

        def dask_call():
            return function(dx, *args, **kwargs).compute(scheduler="threads", num_workers=cores)

        out[f"dask-image {cores}t"] = dask_call
    return out


def peak_mib(call: Callable[[], object]) -> float:
    tracemalloc.start()
    tracemalloc.reset_peak()
    result = call()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del result
    return peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--size3d", type=int, default=128)
    parser.add_argument("--only", default=None, help="run only these filters (comma-separated)")
    parser.add_argument("--no-2d", action="store_true", help="skip the 2-D image")
    opts = parser.parse_args()
    cores = os.cpu_count() or 1
    rng = np.random.default_rng(0)
    inputs = {
        "2048x2048 float64": rng.standard_normal((2048, 2048)),
        f"{opts.size3d}^3 float32": rng.standard_normal((opts.size3d,) * 3).astype(np.float32),
    }
    print(f"numpy {np.__version__}, scipy {scipy.__version__}, dask {dask.__version__ if dfilters else 'n/a'}, "
          f"{cores} cores, {opts.repeats} interleaved repeats, median seconds per call")
    header = f"{'input':<20} {'filter':<16} {'contender':<16} {'seconds':>9} {'scipy/x':>8} {'peak MiB':>9}"
    print(header)
    print("-" * len(header))
    if opts.no_2d:
        del inputs["2048x2048 float64"]
    for label, x in inputs.items():
        for row, name, args, kwargs in CASES:
            if opts.only and row not in opts.only.split(","):
                continue
            calls = contenders(name, args(x) if callable(args) else args, kwargs, x, cores)
            expected = calls["scipy"]()
            for who, call in list(calls.items()):
                try:
                    got = np.asarray(call())
                except Exception as e:  # a peer's own failure is reported, not fatal
                    if not who.startswith("dask-image"):
                        raise
                    print(f"{label:<20} {row:<16} {who:<16} raised {type(e).__name__}: {e}: not timed")
                    del calls[who]
                    continue
                scale = float(np.max(np.abs(expected)))
                err = float(np.max(np.abs(got.astype(np.float64) - expected)))
                if who.startswith("dask-image") and err > 1e-6 * scale:
                    print(f"{label:<20} {row:<16} {who:<16} differs from SciPy by {err:.3g}: not timed")
                    del calls[who]
                    continue
                assert got.dtype == expected.dtype and err <= 1e-6 * scale, (label, name, who, err)
            times: dict[str, list[float]] = {who: [] for who in calls}
            order = list(calls)
            for r in range(opts.repeats):
                for who in order[r % len(order):] + order[: r % len(order)]:
                    t = time.perf_counter()
                    calls[who]()
                    times[who].append(time.perf_counter() - t)
            base = statistics.median(times["scipy"])
            for who, call in calls.items():
                med = statistics.median(times[who])
                print(f"{label:<20} {row:<16} {who:<16} {med:9.4f} {base / med:8.2f} {peak_mib(call):9.1f}")
    _native_ndimage.num_threads = None


if __name__ == "__main__":
    main()
