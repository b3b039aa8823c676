"""The ``native`` backend's binary morphology, distance transforms and watershed against
scipy.ndimage, in one process.

    python benchmarks/ndimage_morphology.py [--quick] [--repeats N] [--size3d N]

Cases: ``binary_erosion`` by a full 3x3 (3x3x3) structure with ``iterations=5``,
``binary_fill_holes``, ``distance_transform_edt`` and ``distance_transform_cdt``
(chessboard and taxicab, with and without indices), on a 2048x2048 image and a 256^3 volume
(``--size3d`` scales the volume down) of smooth blobs (uniform noise, Gaussian-smoothed,
thresholded at its median: about half foreground, holes and all); ``distance_transform_bf``
(the three metrics, with indices) on a 256x256 image of such blobs (SciPy's brute force
compares every foreground element with every border one); ``watershed_ift`` on 1024x1024 and
2048x2048 uint8 gradient magnitudes of a smooth random field, from 300 labelled markers and
one negative (background) marker.

Contenders, all called as a user would: ``scipy`` (``scipy.ndimage.<f>``); ``native``
(``uscipy.ndimage.<f>`` inside ``uscipy.set_backend("native", only=True)``, on all cores,
``os.cpu_count()``); ``native-1`` (the same on one thread). Every result must equal SciPy's
exactly before timing. Repeats are interleaved (each repeat times every contender once, the
order rotated each repeat); the table gives median milliseconds, the speedup over SciPy, and
the peak memory of one call above the resident memory before it (Linux: VmHWM after resetting
it through /proc/self/clear_refs, glibc's mmap threshold fixed at 1 MiB so that freed buffers
leave the resident set; n/a elsewhere).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import scipy
import scipy.ndimage as ndi

import uscipy
import uscipy.ndimage
from uscipy.backends import _native_ndimage


def blobs(shape: tuple[int, ...], sigma: float) -> np.ndarray:
    field = ndi.gaussian_filter(np.random.default_rng(0).random(shape, dtype=np.float32), sigma)
    return field > np.median(field)


def _status(key: str) -> int | None:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(key):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def peak_memory(call: Callable[[], Any]) -> int | None:
    """Bytes above the resident set at the start that one call peaks at."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")  # reset VmHWM to the current RSS
    except OSError:
        return None
    before = _status("VmRSS:")
    result = call()
    peak = _status("VmHWM:")
    del result
    return None if before is None or peak is None else peak - before


def contenders(function: str, args: tuple, kwargs: dict) -> dict[str, Callable[[], Any]]:
    def scipy_call() -> Any:
        return getattr(ndi, function)(*args, **kwargs)

    def native_call(workers: int) -> Callable[[], Any]:
        def call() -> Any:
            _native_ndimage.num_threads = workers
            with uscipy.set_backend("native", only=True):
                return getattr(uscipy.ndimage, function)(*args, **kwargs)

        return call

    return {"scipy": scipy_call, "native": native_call(os.cpu_count() or 1), "native-1": native_call(1)}


def check(result: Any, expected: Any, name: str) -> None:
    """Exactly SciPy's result (each array of a tuple)."""
    if isinstance(expected, tuple):
        for r, e in zip(result, expected, strict=True):
            check(r, e, name)
        return
    assert result.dtype == expected.dtype, f"{name}: dtype {result.dtype} != {expected.dtype}"
    np.testing.assert_array_equal(result, expected, err_msg=f"{name} differs from SciPy")


def run(label: str, function: str, args: tuple, kwargs: dict, repeats: int) -> None:
    calls = contenders(function, args, kwargs)
    expected = calls["scipy"]()
    for name, call in calls.items():
        check(call(), expected, name)
    names = list(calls)
    times: dict[str, list[float]] = {name: [] for name in names}
    for r in range(repeats):
        for name in names[r % len(names):] + names[: r % len(names)]:
            t0 = time.perf_counter()
            calls[name]()
            times[name].append(time.perf_counter() - t0)
    base = statistics.median(times["scipy"])
    for name in names:
        median = statistics.median(times[name])
        memory = peak_memory(calls[name])
        mem = "n/a" if memory is None else f"{memory / 2**20:.0f} MiB"
        print(f"{label:<34} {name:<9} {median * 1e3:10.1f} ms {base / median:7.2f}x {mem:>10}", flush=True)


def main() -> None:
    if "MALLOC_MMAP_THRESHOLD_" not in os.environ and sys.platform.startswith("linux"):
        # A fixed mmap threshold turns off glibc's adaptive one, so every big buffer is
        # unmapped when freed and the peak memory of each call is measured from a clean RSS.
        # Same process (exec), started again with it.
        os.environ["MALLOC_MMAP_THRESHOLD_"] = str(1 << 20)
        os.execv(sys.executable, [sys.executable, *sys.argv])
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="2-D only, 3 repeats")
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--size3d", type=int, default=256)
    options = parser.parse_args()
    repeats = options.repeats or (3 if options.quick else 5)
    print(f"numpy {np.__version__}, scipy {scipy.__version__}, {os.cpu_count()} CPUs; "
          f"median of {repeats} interleaved repeats; speedup = scipy / contender; peak memory above RSS")
    images = [("2048x2048", blobs((2048, 2048), 8.0))]
    if not options.quick:
        n = options.size3d
        images.append((f"{n}^3", blobs((n, n, n), 4.0)))
    _native_ndimage.num_threads = None
    for label, image in images:
        full = np.ones((3,) * image.ndim, bool)
        run(f"binary_erosion 3^d it=5 {label}", "binary_erosion", (image,), dict(structure=full, iterations=5), repeats)
        run(f"binary_fill_holes {label}", "binary_fill_holes", (image,), {}, repeats)
        run(f"distance_transform_edt {label}", "distance_transform_edt", (image,), {}, repeats)
        for metric in ("chessboard", "taxicab"):
            for indices in (False, True):
                run(f"cdt {metric}{' +indices' if indices else ''} {label}", "distance_transform_cdt", (image,),
                    dict(metric=metric, return_indices=indices), repeats)
    small = blobs((256, 256), 4.0)
    for metric in ("euclidean", "taxicab", "chessboard"):
        run(f"bf {metric} +indices 256x256", "distance_transform_bf", (small,),
            dict(metric=metric, return_indices=True), repeats)
    for n in (1024, 2048):
        image, markers = watershed_problem(n)
        run(f"watershed_ift {n}x{n} 301 markers", "watershed_ift", (image, markers), {}, repeats)
    _native_ndimage.num_threads = None


def watershed_problem(n: int) -> tuple[np.ndarray, np.ndarray]:
    """A uint8 gradient magnitude of a smooth field, 300 markers labelled 1..300 and -1."""
    rng = np.random.default_rng(1)
    field = ndi.gaussian_filter(rng.random((n, n)), 6)
    gradient = ndi.gaussian_gradient_magnitude(field, 2)
    image = np.round(gradient / gradient.max() * 255).astype(np.uint8)
    markers = np.zeros((n, n), np.int32)
    points = rng.choice(n * n, 301, replace=False)
    markers.flat[points[:300]] = np.arange(1, 301)
    markers.flat[points[300]] = -1
    return image, markers


if __name__ == "__main__":
    main()
