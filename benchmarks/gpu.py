"""uscipy on CuPy arrays (the GPU) against SciPy on NumPy (the CPU) and CuPy called directly.

    python benchmarks/gpu.py [--repeats R] [--quick] [--json FILE]

Needs CuPy and a CUDA device. Each row is one SciPy function on one input; contenders:

- scipy: ``scipy.<module>.<name>`` on the NumPy array, on the CPU;
- uscipy: ``uscipy.<module>.<name>`` on the same data as a CuPy array. Nothing is selected: the
  call dispatches to the cupy backend by the array's type, as a user's call would;
- cupyx: CuPy's function called directly (``cupyx.scipy.<module>.<name>``, or
  ``cupy.linalg``'s where cupyx.scipy.linalg lacks it), the floor for uscipy on the GPU.

Each GPU time runs to completion (the stream is synchronized), not to the kernel's launch.
Before timing, each row checks that uscipy computed on the GPU (a CuPy result) and matches
SciPy (rtol 1e-4 for float32, 1e-9 for float64). The first call of each contender is a warm-up
(CuPy compiles its kernels then). SciPy's repeats run first (at most ``--cpu-budget`` seconds
beyond three), then uscipy and cupyx alternate ``--repeats`` times, each going first every
other time (a GPU idle while the CPU worked is slow to start again). Medians are printed with
two ratios: scipy / uscipy (the GPU's speed-up) and uscipy / cupyx (what uscipy adds; the "+us"
column is the same difference in microseconds). The small rows show dispatch's cost: their
kernels take microseconds. In the zoom and rotate rows uscipy also computes in float64, as SciPy
does, where CuPy alone computes float32 images in float32 (the cupy backend's IN_DOUBLE). GPU memory is the CuPy memory pool's
high-water mark over uscipy's calls of the row (the pool keeps what it was given).
"""

from __future__ import annotations

import argparse
import importlib
import json
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

import uscipy
import uscipy.fft
import uscipy.linalg
import uscipy.ndimage
import uscipy.special
from uscipy.backends.cupy import NAMESPACES

MiB = 2**20


@dataclass(frozen=True)
class Row:
    module: str
    name: str
    make: Callable[[np.random.Generator, bool], tuple[tuple[Any, ...], dict[str, Any]]]
    label: str


def image(side: int, dtype: str = "float32") -> Callable[[np.random.Generator, bool], Any]:
    def make(rng: np.random.Generator, quick: bool) -> np.ndarray:
        n = side // 4 if quick else side
        return rng.random((n, n)).astype(dtype)

    return make


def cplx(side: int) -> Callable[[np.random.Generator, bool], Any]:
    def make(rng: np.random.Generator, quick: bool) -> np.ndarray:
        n = side // 4 if quick else side
        return (rng.random((n, n)) + 1j * rng.random((n, n))).astype(np.complex64)

    return make


def call(array: Callable[[np.random.Generator, bool], Any], *args: Any, **kwargs: Any):
    def make(rng: np.random.Generator, quick: bool):
        return (array(rng, quick), *args), kwargs

    return make


def square_system(n: int):
    def make(rng: np.random.Generator, quick: bool):
        m = n // 4 if quick else n
        a = rng.random((m, m)) + m * np.eye(m)
        return (a, rng.random((m, 8))), {}

    return make


def vector(n: int):
    def make(rng: np.random.Generator, quick: bool):
        return (rng.random(n // 16 if quick and n > 4096 else n) * 10 + 0.5,), {}

    return make


ROWS = [
    Row("fft", "fft2", call(cplx(4096)), "fft2 c64 4096²"),
    Row("fft", "rfft", call(image(4096)), "rfft f32 4096², along rows"),
    Row("fft", "dctn", call(image(2048, "float64")), "dctn f64 2048²"),
    Row("ndimage", "gaussian_filter", call(image(4096), sigma=4.0), "gaussian_filter f32 4096², sigma 4"),
    Row("ndimage", "uniform_filter", call(image(4096), size=9), "uniform_filter f32 4096², size 9"),
    Row("ndimage", "median_filter", call(image(2048), size=5), "median_filter f32 2048², size 5"),
    Row("ndimage", "zoom", call(image(2048), 1.5, order=3), "zoom f32 2048², x1.5, order 3"),
    Row("ndimage", "rotate", call(image(2048), 30.0, order=1, reshape=False), "rotate f32 2048², 30°, order 1"),
    Row("ndimage", "binary_erosion", call(lambda r, q: image(4096)(r, q) > 0.3, iterations=3, brute_force=True),
        "binary_erosion bool 4096², 3 iterations"),
    Row("ndimage", "label", call(lambda r, q: image(4096)(r, q) > 0.6), "label bool 4096²"),
    Row("linalg", "solve", square_system(4096), "solve f64 4096², 8 right-hand sides"),
    Row("linalg", "lu_factor", call(lambda r, q: r.random((1024, 1024) if q else (4096, 4096))), "lu_factor f64 4096²"),
    Row("special", "gammaln", vector(2**24), "gammaln f64, 16 M"),
    Row("special", "j0", vector(2**24), "j0 f64, 16 M"),
    # Small inputs: the kernels take microseconds, so these rows show dispatch's cost.
    Row("special", "erf", vector(1000), "erf f64, 1000"),
    Row("fft", "fft", call(lambda r, q: r.random(64) + 0j), "fft c128, 64"),
    Row("ndimage", "uniform_filter", call(image(64), size=3), "uniform_filter f32 64², size 3"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--quick", action="store_true", help="quarter-size inputs")
    parser.add_argument("--cpu-budget", type=float, default=5.0,
                        help="seconds of SciPy repeats per row, beyond the first 3")
    parser.add_argument("--json", help="also write the results to this file")
    opts = parser.parse_args()

    import cupy

    device = cupy.cuda.runtime.getDeviceProperties(0)["name"].decode()
    print(f"device: {device}; CuPy {cupy.__version__}; uscipy {uscipy.__version__}; "
          f"repeats {opts.repeats}, medians")
    header = f"{'row':44} {'scipy ms':>10} {'uscipy ms':>10} {'cupyx ms':>10} {'speed-up':>9} {'uscipy/cupyx':>12} {'+us':>7} {'GPU MiB':>8}"
    print(header)
    results = []
    for row in ROWS:
        results.append(run_row(row, opts, cupy))
        r = results[-1]
        print(f"{row.label:44} {r['scipy_ms']:10.3f} {r['uscipy_ms']:10.3f} {r['cupyx_ms']:10.3f} "
              f"{r['speedup']:8.1f}x {r['overhead_ratio']:11.3f}x {r['overhead_us']:7.1f} {r['gpu_mib']:8.0f}",
              flush=True)
    if opts.json:
        with open(opts.json, "w") as f:
            json.dump({"device": device, "cupy": cupy.__version__, "rows": results}, f, indent=1)


def run_row(row: Row, opts: argparse.Namespace, cupy: Any) -> dict[str, Any]:
    rng = np.random.default_rng(0)
    args, kwargs = row.make(rng, opts.quick)
    gpu_args = tuple(cupy.asarray(a) if isinstance(a, np.ndarray) else a for a in args)
    scipy_f = getattr(importlib.import_module(f"scipy.{row.module}"), row.name)
    ours = getattr(importlib.import_module(f"uscipy.{row.module}"), row.name)
    direct = next(getattr(importlib.import_module(ns), row.name) for ns in NAMESPACES[row.module]
                  if hasattr(importlib.import_module(ns), row.name))
    stream = cupy.cuda.get_current_stream()

    def on_gpu(f: Callable[..., Any]) -> Callable[[], Any]:
        def run() -> Any:
            out = f(*gpu_args, **kwargs)
            stream.synchronize()
            return out
        return run

    cpu, gpu = (lambda: scipy_f(*args, **kwargs)), {"uscipy": on_gpu(ours), "cupyx": on_gpu(direct)}
    check(row, cpu(), gpu["uscipy"](), cupy)
    gpu["cupyx"]()
    pool = cupy.get_default_memory_pool()
    pool.free_all_blocks()
    # SciPy first, on its own: a GPU left idle while the CPU works slows its next launch, which
    # would land on whichever GPU contender came first. The GPU contenders then alternate,
    # each going first every other repeat.
    samples: dict[str, list[float]] = {"scipy": [], "uscipy": [], "cupyx": []}
    for _ in range(opts.repeats):
        samples["scipy"].append(timed(cpu))
        if sum(samples["scipy"]) > opts.cpu_budget and len(samples["scipy"]) >= 3:
            break
    for run in gpu.values():
        run()  # untimed: wakes the GPU after SciPy's turn
    for r in range(opts.repeats):
        for name in ("uscipy", "cupyx") if r % 2 == 0 else ("cupyx", "uscipy"):
            samples[name].append(timed(gpu[name]))
    med = {k: statistics.median(v) for k, v in samples.items()}
    return {
        "row": row.label,
        "scipy_ms": med["scipy"] * 1e3, "uscipy_ms": med["uscipy"] * 1e3, "cupyx_ms": med["cupyx"] * 1e3,
        "speedup": med["scipy"] / med["uscipy"],
        "overhead_ratio": med["uscipy"] / med["cupyx"],
        "overhead_us": (med["uscipy"] - med["cupyx"]) * 1e6,
        "gpu_mib": pool.total_bytes() / MiB,
    }


def timed(run: Callable[[], Any]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def check(row: Row, want: Any, got: Any, cupy: Any) -> None:
    wants = want if isinstance(want, tuple) else (want,)
    gots = got if isinstance(got, tuple) else (got,)
    assert len(wants) == len(gots), f"{row.label}: {len(gots)} results, SciPy gives {len(wants)}"
    for w, g in zip(wants, gots):
        if isinstance(w, np.ndarray):
            assert isinstance(g, cupy.ndarray), f"{row.label}: uscipy returned {type(g).__name__}, not a CuPy array"
            g = cupy.asnumpy(g)
            rtol = 1e-4 if np.result_type(w).itemsize <= 4 or w.dtype == np.complex64 else 1e-9
            np.testing.assert_allclose(g, w, rtol=rtol, atol=rtol * float(np.abs(w).max(initial=0)),
                                       err_msg=row.label)
        else:
            assert g == w, f"{row.label}: {g!r} != {w!r}"


if __name__ == "__main__":
    main()
