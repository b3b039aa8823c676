"""The ``native`` backend's ndimage measurements against scipy.ndimage, in one process.

    python benchmarks/ndimage_measure.py [--quick] [--repeats N]

Rows: ``label`` (default structure, and full connectivity) of a random binary image (density
0.45: many small components and a few large ones) and of a blob image (smoothed noise
thresholded); ``find_objects`` of the labelled blobs; ``sum_labels``, ``mean`` and
``maximum_position`` of float64 values over an int32 label image of ~1000 blocks with
``index=arange(1, 1001)``. Sizes: 2048x2048 and 256^3 (``--quick``: 512x512 and 64^3).

Contenders: ``scipy.ndimage.<f>``, and ``uscipy.ndimage.<f>`` inside
``uscipy.set_backend("native", only=True)`` (entered once around the timed loop). Results are
checked equal first. Repeats are interleaved (each repeat times both, the order alternating);
the table shows the median ms per call and scipy/native. Peak memory: the largest increase of
the process's resident set over one call after ``malloc_trim(0)``, sampled every 0.5 ms by a
thread (so approximate, and a lower bound where the allocator reuses pages it kept; it covers
NumPy and Rust allocations alike, the returned result included), and ru_maxrss of the run.
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import os
import resource
import statistics
import threading
import time

import numpy as np
import scipy
import scipy.ndimage as ndi

import uscipy
import uscipy.ndimage

PAGE = os.sysconf("SC_PAGE_SIZE")
try:
    _malloc_trim = ctypes.CDLL("libc.so.6").malloc_trim
except (OSError, AttributeError):  # not glibc
    _malloc_trim = None


def rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE


def peak_rss_increase(call) -> float:
    """MiB: the largest resident-set increase seen while ``call()`` runs (freed memory handed
    back to the system first, so that reused pages do not hide the call's own)."""
    gc.collect()
    if _malloc_trim is not None:
        _malloc_trim(0)
    base, peak, done = rss(), [0], threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], rss() - base)
            time.sleep(0.0005)

    t = threading.Thread(target=sample)
    t.start()
    try:
        call()
    finally:
        done.set()
        t.join()
    peak[0] = max(peak[0], rss() - base)
    return peak[0] / 2**20


def same(a, b) -> None:
    if isinstance(a, tuple | list):
        assert type(a) is type(b) and len(a) == len(b)
        for x, y in zip(a, b):
            same(x, y)
    elif a is None or isinstance(a, slice):
        assert a == b
    else:
        np.testing.assert_array_equal(a, b)


def cases(quick: bool):
    rng = np.random.default_rng(0)
    for shape in [(512, 512), (64, 64, 64)] if quick else [(2048, 2048), (256, 256, 256)]:
        nd = len(shape)
        dims = "x".join(map(str, shape))
        noise = rng.random(shape, dtype=np.float32)
        binary = noise < 0.45
        blobs = ndi.gaussian_filter(noise, 2) > 0.5
        full = np.ones((3,) * nd, bool)
        yield f"label {dims} random, default", ndi.label, (binary,)
        yield f"label {dims} random, full", ndi.label, (binary, full)
        yield f"label {dims} blobs, default", ndi.label, (blobs,)
        yield f"label {dims} blobs, full", ndi.label, (blobs, full)
        lab, n = ndi.label(blobs)
        yield f"find_objects {dims} ({n} blobs)", ndi.find_objects, (lab,)
        per_axis = round(1000 ** (1 / nd))
        block = -(-shape[0] // per_axis)
        grids = np.ogrid[tuple(slice(0, s) for s in shape)]
        blocks = np.zeros(shape, np.int32)
        for g in grids:
            blocks = blocks * per_axis + (g // block).astype(np.int32)
        blocks += 1
        values = rng.standard_normal(shape)
        index = np.arange(1, 1001)
        for name in ("sum_labels", "mean", "maximum_position"):
            yield f"{name} {dims} ({int(blocks.max())} labels)", getattr(ndi, name), (values, blocks, index)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print(f"uscipy native vs scipy {scipy.__version__}, numpy {np.__version__}, {os.cpu_count()} CPUs, {args.repeats} interleaved repeats")
    print(f"{'case':48} {'scipy ms':>10} {'native ms':>10} {'scipy/nat':>9} {'scipy MiB':>9} {'nat MiB':>8}")
    for label, f, fargs in cases(args.quick):
        mine = getattr(uscipy.ndimage, f.__name__)

        def native_call():
            with uscipy.set_backend("native", only=True):
                return mine(*fargs)

        same(native_call(), f(*fargs))
        mem_scipy = peak_rss_increase(lambda: f(*fargs))
        mem_native = peak_rss_increase(native_call)
        times: dict[str, list[float]] = {"scipy": [], "native": []}
        with uscipy.set_backend("native", only=True):
            for r in range(args.repeats):
                order = [("scipy", f), ("native", mine)]
                for who, g in order if r % 2 == 0 else order[::-1]:
                    t0 = time.perf_counter()
                    g(*fargs)
                    times[who].append(time.perf_counter() - t0)
        s, n = statistics.median(times["scipy"]) * 1e3, statistics.median(times["native"]) * 1e3
        print(f"{label:48} {s:10.2f} {n:10.2f} {s / n:9.2f} {mem_scipy:9.1f} {mem_native:8.1f}", flush=True)
    print(f"ru_maxrss of the run: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
