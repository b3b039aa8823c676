"""uscipy on Dask arrays, computed on a distributed LocalCluster, against SciPy in one process.

    python benchmarks/dask.py [--quick] [--size N] [--fft-size M] [--repeats R] [--json FILE]

Two scenarios (the issue's): ``ndimage.gaussian_filter(image, sigma=4)`` on a float32 N x N
image (default N = 16384: 1 GiB in, 1 GiB out), and ``fft.fft2`` over a stack of 64 M x M planes
(default M = 1024, complex64: 512 MiB in, 512 MiB out). ``--quick`` runs 4096 and 16 x 512.

Contenders:

- scipy: ``scipy.ndimage.gaussian_filter`` / ``scipy.fft.fft2`` on a NumPy array, in this
  process (one thread: neither function threads by default).
- dask: ``uscipy.ndimage.gaussian_filter`` / ``uscipy.fft.fft2`` on a Dask array, which dispatches
  to uscipy's dask backend (``map_overlap`` running SciPy on each chunk; ``dask.array.fft``, i.e.
  NumPy's FFT, on chunks holding whole planes, so no rechunk), computed on a LocalCluster of 2
  worker processes, 1 thread each (this machine's 2 cores).

What is timed, per repeat: the function call and a reduction of its result to one number, the
sum (float64) of the gaussian-filtered image or of ``abs`` of the FFT stack, so that neither
contender pulls its whole result into this process. For dask that is building the graph plus
``client.compute(result.sum()).result()``; the "graph s" column is the building part alone. The
input is made beforehand and not timed: a NumPy array here, and for dask an array generated on
the workers with ``da.random.default_rng(0)`` and persisted there (so the 1 GiB input is never
shipped from the client). The two inputs hold different random values, which does not matter for
time; correctness is checked before timing, at a small size, on identical data: the Dask array's
computed values go through SciPy and must match uscipy-on-Dask (rtol 1e-5), with several chunks
along every filtered axis so the overlap seams are exercised.

Peak memory is ``ru_maxrss``: of this process over the SciPy runs, and over the Dask runs of this
process (the client, and the LocalCluster's scheduler, which runs in it) and of each worker. The
peaks are reset (``/proc/self/clear_refs``, Linux) once the input is in memory, so each includes
the resident input plus what the computation adds, not the input's generation; where the reset is
unavailable they are peaks since the process started (the output says so). To keep the peaks
apart the contenders run in phases (all SciPy repeats, the input freed, then all Dask repeats),
not interleaved as in the other benchmarks; each repeat takes seconds, so clock drift matters
little. Medians over ``--repeats`` (default 3). The cluster's workers get ``--worker-memory``
each (default 4 GiB). At the default sizes a run takes about a minute on 2 cores, and the
machine's used memory rose by under 3 GiB at its highest (the SciPy phase: 1 GiB in, 1 GiB out).
"""

from __future__ import annotations

import os
import sys

# This file is named dask.py: with its own folder first on sys.path (as `python benchmarks/dask.py`
# puts it), `import dask` would import this file. Drop that folder before anything imports dask.
# (The cluster's worker processes are spawned with this sys.path, and re-run this module's top.)
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]

import argparse  # noqa: E402
import gc  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import platform  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from typing import Any  # noqa: E402

import dask  # noqa: E402
import dask.array as da  # noqa: E402
import distributed  # noqa: E402
import numpy as np  # noqa: E402
import scipy  # noqa: E402
import scipy.fft  # noqa: E402
import scipy.ndimage  # noqa: E402

import uscipy  # noqa: E402
import uscipy.fft  # noqa: E402
import uscipy.ndimage  # noqa: E402

SIGMA = 4.0
RTOL = 1e-5
MiB = 2**20


@dataclass(frozen=True)
class Sizes:
    image: int  # side of the gaussian_filter image
    chunk: int  # side of its square chunks
    planes: int  # FFT stack depth
    fft: int  # side of each FFT plane
    planes_per_chunk: int
    fft_dtype: str

    def describe(self) -> dict[str, str]:
        return {
            "gaussian_filter": f"{self.image}x{self.image} float32, sigma={SIGMA:g}, "
                               f"chunks {self.chunk}x{self.chunk} ({_mib(self.image**2 * 4)} MiB)",
            "fft2 stack": f"{self.planes}x{self.fft}x{self.fft} {self.fft_dtype}, "
                    f"chunks {self.planes_per_chunk}x{self.fft}x{self.fft} "
                    f"({_mib(self.planes * self.fft**2 * np.dtype(self.fft_dtype).itemsize)} MiB)",
        }


def _mib(nbytes: int) -> str:
    return f"{nbytes / MiB:,.0f}"


# --- peak memory ------------------------------------------------------------------------------


def peak_rss_mib() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 2**20 if sys.platform == "darwin" else rss / 2**10  # bytes on macOS, KiB elsewhere


def reset_peak() -> bool:
    """Resets this process's ru_maxrss to its current RSS (Linux >= 4.0); False if it can't."""
    gc.collect()
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        return False
    return True


def workers_reset_peak(client: distributed.Client) -> bool:
    return all(client.run(reset_peak).values())


def workers_peak_mib(client: distributed.Client) -> list[float]:
    return [peak for _, peak in sorted(client.run(peak_rss_mib).items())]


# --- scenarios --------------------------------------------------------------------------------
# Each scenario gives, for a Sizes and a random seed: the NumPy input, the Dask input (generated
# on the workers), the SciPy call and the uscipy call, and a reduction of the result to a float.


@dataclass(frozen=True)
class Scenario:
    name: str
    numpy_input: Callable[[Sizes], np.ndarray]
    dask_input: Callable[[Sizes], da.Array]
    scipy_call: Callable[[np.ndarray], np.ndarray]
    uscipy_call: Callable[[Any], Any]
    reduce_np: Callable[[np.ndarray], float]
    reduce_da: Callable[[da.Array], da.Array]
    check_chunks: Callable[[da.Array, da.Array], None]  # input, result: the result stays lazy
    verify_sizes: Callable[[Sizes], Sizes]  # small, several chunks per filtered axis


def gaussian_numpy(s: Sizes) -> np.ndarray:
    return np.random.default_rng(0).random((s.image, s.image), dtype=np.float32)


def gaussian_dask(s: Sizes) -> da.Array:
    return da.random.default_rng(0).random((s.image, s.image), dtype=np.float32, chunks=(s.chunk, s.chunk))


def same_chunks(x: da.Array, y: da.Array) -> None:
    # map_overlap hands back the input's chunks: anything else would mean a rechunk or a fallback.
    assert isinstance(y, da.Array), f"uscipy returned {type(y).__name__}, not a lazy Dask array"
    assert y.chunks == x.chunks, f"result chunks {y.chunks} differ from the input's {x.chunks}"


def fft_numpy(s: Sizes) -> np.ndarray:
    rng = np.random.default_rng(0)
    shape = (s.planes, s.fft, s.fft)
    if s.fft_dtype == "float32":
        return rng.random(shape, dtype=np.float32)
    out = np.empty(shape, dtype=np.complex64)  # filled in place: no complex128 temporary
    out.real = rng.random(shape, dtype=np.float32)
    out.imag = rng.random(shape, dtype=np.float32)
    return out


def fft_dask(s: Sizes) -> da.Array:
    rng = da.random.default_rng(0)
    shape, chunks = (s.planes, s.fft, s.fft), (s.planes_per_chunk, s.fft, s.fft)
    real = rng.random(shape, dtype=np.float32, chunks=chunks)
    if s.fft_dtype == "float32":
        return real
    # 1j * float32 is complex64 (NEP 50: a Python complex does not widen a float32 array).
    out = real + 1j * rng.random(shape, dtype=np.float32, chunks=chunks)
    assert out.dtype == np.complex64, out.dtype
    return out


def whole_planes(x: da.Array, y: da.Array) -> None:
    # Chunks that hold whole planes need no rechunk: the stack axis keeps its chunks.
    assert isinstance(y, da.Array), f"uscipy returned {type(y).__name__}, not a lazy Dask array"
    assert y.chunks == x.chunks, f"result chunks {y.chunks} differ from the input's {x.chunks} (a rechunk?)"
    assert y.dtype == np.complex64, f"fft2 of {x.dtype} gave {y.dtype}, SciPy gives complex64"


SCENARIOS: list[Scenario] = [
    Scenario(
        "gaussian_filter", gaussian_numpy, gaussian_dask,
        scipy_call=lambda x: scipy.ndimage.gaussian_filter(x, sigma=SIGMA),
        uscipy_call=lambda x: uscipy.ndimage.gaussian_filter(x, sigma=SIGMA),
        reduce_np=lambda y: float(y.sum(dtype=np.float64)),
        reduce_da=lambda y: y.sum(dtype=np.float64),
        check_chunks=same_chunks,
        # 2048 x 2048 in 512 x 512 chunks: 3 inner seams per axis, the overlap (16) well inside.
        verify_sizes=lambda s: Sizes(min(s.image, 2048), min(s.image, 2048) // 4, s.planes, s.fft,
                                     s.planes_per_chunk, s.fft_dtype),
    ),
    Scenario(
        "fft2 stack", fft_numpy, fft_dask,
        scipy_call=lambda x: scipy.fft.fft2(x),
        uscipy_call=lambda x: uscipy.fft.fft2(x),
        reduce_np=lambda y: float(np.abs(y).sum(dtype=np.float64)),
        reduce_da=lambda y: abs(y).sum(dtype=np.float64),
        check_chunks=whole_planes,
        verify_sizes=lambda s: Sizes(s.image, s.chunk, min(s.planes, 16), min(s.fft, 256),
                                     min(s.planes_per_chunk, 4), s.fft_dtype),
    ),
]


# --- checking and timing ----------------------------------------------------------------------


def verify(scenario: Scenario, sizes: Sizes, client: distributed.Client) -> str:
    """uscipy on the Dask array, computed on the cluster, against SciPy on its very values."""
    small = scenario.verify_sizes(sizes)
    x = scenario.dask_input(small)
    data = client.compute(x).result()
    y = scenario.uscipy_call(x)
    scenario.check_chunks(x, y)
    got = client.compute(y).result()
    want = scenario.scipy_call(data)
    assert got.dtype == want.dtype, f"{scenario.name}: dtype {got.dtype}, SciPy gives {want.dtype}"
    # Relative to each element, and (for the FFT, whose small coefficients carry the rounding
    # of the large ones) to the result's largest magnitude.
    atol = RTOL * float(np.abs(want).max()) if np.iscomplexobj(want) else 0.0
    np.testing.assert_allclose(got, want, rtol=RTOL, atol=atol, err_msg=f"{scenario.name}: uscipy-on-Dask vs SciPy")
    diff = np.abs(got.astype(want.dtype) - want)
    err = (f"max |diff| / max |scipy| {float(diff.max() / np.abs(want).max()):.1e}" if atol
           else f"max relative error {float(np.max(diff / np.abs(want))):.1e}")
    return f"{' x '.join(map(str, x.shape))} in chunks {' x '.join(str(c[0]) for c in x.chunks)}: {err}"


def time_scipy(scenario: Scenario, sizes: Sizes, repeats: int) -> dict[str, Any]:
    x = scenario.numpy_input(sizes)
    exact = reset_peak()
    seconds, values = [], []
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        values.append(scenario.reduce_np(scenario.scipy_call(x)))
        seconds.append(time.perf_counter() - start)
    peak = peak_rss_mib()
    del x
    gc.collect()
    return {"seconds": seconds, "values": values, "peak_main_mib": peak, "peak_reset": exact}


def time_dask(scenario: Scenario, sizes: Sizes, repeats: int, client: distributed.Client) -> dict[str, Any]:
    x = client.persist(scenario.dask_input(sizes))
    distributed.wait(x)
    exact = reset_peak() & workers_reset_peak(client)
    seconds, graph, values = [], [], []
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        y = scenario.uscipy_call(x)
        total = scenario.reduce_da(y)
        built = time.perf_counter()
        values.append(float(client.compute(total).result()))
        seconds.append(time.perf_counter() - start)
        graph.append(built - start)
        scenario.check_chunks(x, y)  # after the clock: dispatch really built a lazy, chunked result
        del y, total
    peak_main, peak_workers = peak_rss_mib(), workers_peak_mib(client)
    del x  # releases the persisted input on the workers
    gc.collect()
    client.run(gc.collect)
    return {"seconds": seconds, "graph_seconds": graph, "values": values, "peak_main_mib": peak_main,
            "peak_workers_mib": peak_workers, "peak_reset": exact}


# --- report -----------------------------------------------------------------------------------


def resolve_sizes(args: argparse.Namespace) -> Sizes:
    quick = args.quick
    image = args.size or (4096 if quick else 16384)
    fft = args.fft_size or (512 if quick else 1024)
    planes = args.fft_planes or (16 if quick else 64)
    per_chunk = min(args.planes_per_chunk, planes)
    return Sizes(image, min(args.chunk, image), planes, fft, per_chunk, args.fft_dtype)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="timed repeats per scenario and contender")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    parser.add_argument("--quick", action="store_true", help="small sizes (4096 image, 16 x 512 FFT stack)")
    parser.add_argument("--size", type=int, help="gaussian_filter image side (default 16384; 4096 with --quick)")
    parser.add_argument("--chunk", type=int, default=2048, help="gaussian_filter chunk side (default 2048)")
    parser.add_argument("--fft-size", type=int, help="FFT plane side (default 1024; 512 with --quick)")
    parser.add_argument("--fft-planes", type=int, help="FFT stack depth (default 64; 16 with --quick)")
    parser.add_argument("--planes-per-chunk", type=int, default=8, help="FFT planes per chunk (default 8)")
    parser.add_argument("--fft-dtype", choices=("complex64", "float32"), default="complex64",
                        help="FFT input dtype (default complex64); the output is complex64 either way")
    parser.add_argument("--worker-memory", default="4GiB", help="memory_limit of each of the 2 workers")
    args = parser.parse_args(argv)
    sizes = resolve_sizes(args)

    print(f"Python {platform.python_version()}, NumPy {np.__version__}, SciPy {scipy.__version__}, "
          f"Dask {dask.__version__}, distributed {distributed.__version__}, uscipy {uscipy.__version__}")
    print(f"{args.repeats} repeats, median seconds; timed: the call plus a reduction of its result to one "
          f"float (dask: graph build + client.compute(...).result()); inputs made beforehand, untimed")
    for name, text in sizes.describe().items():
        print(f"  {name}: {text}")

    rows: list[dict[str, Any]] = []
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                       dashboard_address=None, memory_limit=args.worker_memory,
                                       silence_logs=logging.ERROR)
    with cluster, distributed.Client(cluster) as client:
        print(f"LocalCluster: 2 worker processes x 1 thread, memory_limit {args.worker_memory} each; "
              f"scipy runs in this process, single-threaded\n")
        for scenario in SCENARIOS:
            checked = verify(scenario, sizes, client)  # also warms the workers up (imports, plans)
            print(f"verified {scenario.name}: uscipy-on-Dask == SciPy (rtol {RTOL:g}) at {checked}", flush=True)

        head = (f"{'scenario':<15} | {'scipy s':>8} | {'dask s':>8} | {'ratio':>6} | {'graph s':>7} | "
                f"{'scipy peak MiB':>14} | dask peak MiB: main / each worker")
        print(f"\n{head}\n{'-' * len(head)}")
        for scenario in SCENARIOS:
            ref = time_scipy(scenario, sizes, args.repeats)
            ours = time_dask(scenario, sizes, args.repeats, client)
            scipy_s, dask_s = statistics.median(ref["seconds"]), statistics.median(ours["seconds"])
            graph_s = statistics.median(ours["graph_seconds"])
            workers = " + ".join(f"{p:,.0f}" for p in ours["peak_workers_mib"])
            rows.append({"scenario": scenario.name, "size": sizes.describe()[scenario.name],
                         "scipy_s": scipy_s, "dask_s": dask_s, "ratio": dask_s / scipy_s, "graph_s": graph_s,
                         "scipy": ref, "dask": ours})
            print(f"{scenario.name:<15} | {scipy_s:8.2f} | {dask_s:8.2f} | {dask_s / scipy_s:6.3f} | "
                  f"{graph_s:7.3f} | {ref['peak_main_mib']:14,.0f} | {ours['peak_main_mib']:,.0f} / {workers}",
                  flush=True)

    exact = all(row[c]["peak_reset"] for row in rows for c in ("scipy", "dask"))
    print("\nratio = dask s / scipy s (below 1: the cluster is faster; 2 workers on 2 cores, so 0.5 at best)")
    print("peaks: ru_maxrss " + ("over each phase, reset once its input was resident (input included)" if exact
                                 else "since each process started (/proc/self/clear_refs unavailable)"))
    overall = max(row[c]["peak_main_mib"] for row in rows for c in ("scipy", "dask"))
    workers = max(p for row in rows for p in row["dask"]["peak_workers_mib"])
    print(f"highest peaks: this process {overall:,.0f} MiB, one worker {workers:,.0f} MiB")

    if args.json:
        with open(args.json, "w") as f:
            json.dump({"python": platform.python_version(), "numpy": np.__version__, "scipy": scipy.__version__,
                       "dask": dask.__version__, "distributed": distributed.__version__, "repeats": args.repeats,
                       "sizes": sizes.__dict__, "worker_memory": args.worker_memory, "peaks_reset": exact,
                       "rows": rows}, f, indent=2)


if __name__ == "__main__":
    main()
