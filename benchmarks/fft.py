"""The ``native`` backend's FFTs against scipy.fft, numpy.fft, pyFFTW and mkl_fft, in one process.

    python benchmarks/fft.py [--quick] [--only TEXT] [--repeats N] [--warm-heap] [--json FILE]

Each row is one transform at one ``workers`` count: complex128 ``fft`` or float64 ``rfft`` along
the last axis (1-D, and batched over the rows of a 2-D array), complex128 ``fft2``, float64
``rfft2`` and float64 ``dctn`` (type II) over both axes. Contenders, all called as a user would, every one with ``workers=w`` except
numpy.fft, which has no such argument and so only appears in ``workers=1`` rows:

* native: ``uscipy.fft.<f>`` inside ``uscipy.set_backend("native", only=True)``, the context
  entered once around the timed loop (``only=True``: it cannot quietly fall through to SciPy);
* kernel: the native backend's implementation called directly, without dispatch;
* scipy: ``scipy.fft.<f>`` (pocketfft); numpy: ``numpy.fft.<f>``;
* pyfftw: ``pyfftw.interfaces.scipy_fft.<f>`` with ``pyfftw.interfaces.cache.enable()`` and the
  default planner effort. Its cache drops a plan unused for 0.1 s by default, which would make
  interleaved timing (the other contenders run in between) re-plan at the start of every repeat;
  the keepalive is set longer than one row takes, as a user calling it in a loop sees it;
* mkl_fft: ``mkl_fft.interfaces.scipy_fft.<f>`` (needs mkl-service; n/a when it won't import,
  or where its interface lacks the function, as for ``dctn``). MKL's OpenMP threads spin for
  ``KMP_BLOCKTIME`` (200 ms by default) after each call, holding a core: on a 2-core machine
  that slowed whichever contender was timed next (measured: native ``rfft2`` 2048² w2 took
  8.6-11 ms right after mkl_fft, 7.0-7.4 ms with ``KMP_BLOCKTIME=0``). So each mkl_fft repeat
  is followed by an untimed wait until they sleep (a busy wait, so the machine stays as loaded
  as while timing); its own calls keep the default.

Before timing, every contender's result must equal SciPy's within 1e-10 (max abs difference over
max abs value). Repeats are interleaved (each repeat times every contender once, in a fresh order:
shuffled, seeded by the row), so drift in CPU clock or cache state hits all alike and no contender
always follows the same one; the call count of each
contender is calibrated so a repeat takes about TARGET_SECONDS. The table reports median µs/call,
``scipy/nat`` (speedup over SciPy) and ``best/nat`` (the faster of pyfftw and mkl_fft over native;
above 1: native is faster). 1-D rows run at ``workers=1`` only (SciPy and native share out whole
lines, so one line gets one thread); the batched 2-D rows at 1 and 2. Under the
table: minor page faults per call where they are many, since fresh output and scratch memory
(and glibc's adaptive mmap threshold deciding whether a buffer is fresh) can dominate big rows.

``--warm-heap`` reruns the benchmark in a fresh interpreter with glibc told to serve and keep big
buffers on its heap (``MALLOC_MMAP_THRESHOLD_`` and friends, see ``WARM_HEAP``), so after the
first call no contender's output costs page faults: the view without the kernel's page zeroing,
which a virtual machine may make slow and erratic (one whose freed memory goes back to the host
pays a host fault per fresh page).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.metadata
import json
import os
import platform
import random
import resource
import statistics
import sys
import time
import timeit
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ContextManager, Literal

import numpy as np
import scipy
import scipy.fft

import uscipy
import uscipy.fft
from uscipy.backends import _native_fft as native

try:
    import pyfftw
    import pyfftw.interfaces.cache
    import pyfftw.interfaces.scipy_fft
except ImportError:  # shown as n/a
    pyfftw = None  # type: ignore[assignment]

try:
    import mkl_fft.interfaces.scipy_fft  # imports mkl (mkl-service)
except (ImportError, OSError):  # OSError: MKL's shared libraries missing
    mkl_fft = None  # type: ignore[assignment]

TARGET_SECONDS = 0.1  # one repeat of one contender (big rows: a few calls; small: many thousands)
TOLERANCE = 1e-10  # max |result - scipy| / max |scipy|
SPEEDUP_GOAL = 1.5  # native vs scipy
PYFFTW_KEEPALIVE_S = 30.0  # longer than any one row's interleaved repeats take
DEFAULT_REPEATS, QUICK_REPEATS = 7, 3
FAULTS_SHOWN = 100  # page faults per call worth a line under the table
# glibc tunables for --warm-heap: buffers up to 1 GiB from the heap, never trimmed back to the OS.
WARM_HEAP = {"MALLOC_MMAP_THRESHOLD_": str(2**30), "MALLOC_TRIM_THRESHOLD_": str(2**32),
             "MALLOC_TOP_PAD_": str(2**28)}

Kind = Literal["fft", "rfft", "fft2", "rfft2", "dctn"]
COMPLEX_KINDS = ("fft", "fft2")  # complex128 input; the others float64
CONTENDERS = ("native", "kernel", "scipy", "numpy", "pyfftw", "mkl_fft")
PEERS = ("pyfftw", "mkl_fft")  # the "best" of these is what native is held against last


@dataclass(frozen=True)
class Row:
    kind: Kind  # fft, rfft: along the last axis; fft2, rfft2, dctn: over both axes
    shape: tuple[int, ...]
    workers: int = 1
    quick: bool = False  # also run with --quick

    @property
    def name(self) -> str:
        dtype = "c128" if self.kind in COMPLEX_KINDS else "f64"
        return f"{self.kind:<5} {dtype:<4} {'x'.join(map(str, self.shape)):>9} w{self.workers}"


SIZES_1D = (8, 64, 1000, 1024, 4096, 2**16, 2**20)
QUICK_1D = (64, 1024, 2**16)

ROWS: list[Row] = [
    *(Row(kind, (n,), quick=n in QUICK_1D) for kind in ("fft", "rfft") for n in SIZES_1D),
    # batched 1-D transforms: every line along the last axis
    *(Row("fft", (512, 512), w, quick=True) for w in (1, 2)),
    *(Row("fft", (2048, 2048), w) for w in (1, 2)),
    *(Row("rfft", (2048, 2048), w) for w in (1, 2)),
    # N-D transforms over both axes
    *(Row("fft2", (512, 512), w, quick=True) for w in (1, 2)),
    *(Row("fft2", (2048, 2048), w) for w in (1, 2)),
    *(Row("rfft2", (2048, 2048), w) for w in (1, 2)),
    *(Row("dctn", (1024, 1024), w, quick=True) for w in (1, 2)),
]


@dataclass(frozen=True)
class Contender:
    expr: str  # timed, evaluated in env; a source string, so timeit inlines it (no extra call)
    env: dict[str, Any]
    # Entered once around each timed loop (and the check), outside the timing.
    outer_ctx: Callable[[], ContextManager[Any]] | None = None
    # Seconds waited after each timed loop, untimed: how long its threads keep spinning after a
    # call, which would take a core from the contender timed next.
    settle_s: float = 0.0

    def call(self) -> Any:
        with self.outer_ctx() if self.outer_ctx else contextlib.nullcontext():
            return eval(self.expr, self.env)

    def run(self, number: int) -> float:
        """Seconds for ``number`` calls (timeit turns the garbage collector off meanwhile)."""
        timer = timeit.Timer(self.expr, globals=self.env)
        with self.outer_ctx() if self.outer_ctx else contextlib.nullcontext():
            return timer.timeit(number)


def openmp_spin_seconds() -> float:
    """How long Intel OpenMP's threads (MKL's) spin after a parallel call before they sleep:
    ``KMP_BLOCKTIME`` ms, 200 by default, plus a margin."""
    blocktime = os.environ.get("KMP_BLOCKTIME", "200")
    milliseconds = float(blocktime) if blocktime.replace(".", "", 1).isdigit() else 200.0
    return milliseconds / 1000 + 0.05


def busy_wait(seconds: float) -> None:
    """Waits on the CPU, not asleep, so that the machine is as busy between two contenders as
    while timing them."""
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        pass


def make_input(row: Row) -> np.ndarray:
    rng = np.random.default_rng(sum(row.shape))
    x = rng.standard_normal(row.shape)
    return x + 1j * rng.standard_normal(row.shape) if row.kind in COMPLEX_KINDS else x


def contenders(row: Row, x: np.ndarray) -> dict[str, Contender | None]:
    """Every contender of the row; None where it does not apply or is not installed."""
    # The function is bound in the namespace: the table compares calls, not attribute lookups.
    with_workers = "f(x, workers=w)"

    def c(f: Any, expr: str = with_workers, ctx: Callable[[], ContextManager[Any]] | None = None,
          settle_s: float = 0.0) -> Contender:
        return Contender(expr, {"f": f, "x": x, "w": row.workers}, ctx, settle_s)

    return {
        "native": c(getattr(uscipy.fft, row.kind), ctx=lambda: uscipy.set_backend("native", only=True)),
        "kernel": c(native.IMPLEMENTATIONS[("fft", row.kind)]),
        "scipy": c(getattr(scipy.fft, row.kind)),
        "numpy": c(getattr(np.fft, row.kind), "f(x)") if row.workers == 1 and hasattr(np.fft, row.kind) else None,
        "pyfftw": c(getattr(pyfftw.interfaces.scipy_fft, row.kind)) if pyfftw and hasattr(pyfftw.interfaces.scipy_fft, row.kind) else None,
        "mkl_fft": c(getattr(mkl_fft.interfaces.scipy_fft, row.kind), settle_s=openmp_spin_seconds()) if mkl_fft and hasattr(mkl_fft.interfaces.scipy_fft, row.kind) else None,
    }


def verify(row: Row, cases: dict[str, Contender]) -> dict[str, float]:
    """Relative error of every contender against SciPy; fails beyond TOLERANCE (this also warms
    up plans, thread pools and caches)."""
    expected = cases["scipy"].call()
    scale = float(np.max(np.abs(expected)))
    errors: dict[str, float] = {}
    for label, case in cases.items():
        result = case.call()
        where = f"{row.name} [{label}]"
        assert result.shape == expected.shape, f"{where}: shape {result.shape} != {expected.shape}"
        assert result.dtype == expected.dtype, f"{where}: dtype {result.dtype} != {expected.dtype}"
        errors[label] = float(np.max(np.abs(result - expected))) / scale
        assert errors[label] <= TOLERANCE, f"{where}: relative error {errors[label]:.3g} > {TOLERANCE}"
    return errors


def calibrate(case: Contender, target: float) -> int:
    """A call count for which one repeat takes about ``target`` seconds."""
    number = 1
    while (elapsed := case.run(number)) < target / 10:
        number *= 10
    return max(1, round(number * target / elapsed))


def minor_faults() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


@dataclass
class Measured:
    samples_us: dict[str, list[float]]  # µs/call, one per repeat
    # Minor page faults per call, one per repeat: what fresh (mmap'ed) output and scratch memory
    # costs. glibc's adaptive mmap threshold decides whether a big buffer comes back from the heap
    # (no faults) or from the kernel, so this varies with what ran before; it explains outliers.
    faults: dict[str, list[float]]
    numbers: dict[str, int]
    errors: dict[str, float]


def bench(row: Row, repeats: int) -> Measured:
    """Samples per contender, all contenders interleaved in every repeat."""
    x = make_input(row)
    cases = {label: case for label, case in contenders(row, x).items() if case is not None}
    errors = verify(row, cases)
    numbers = {label: calibrate(case, TARGET_SECONDS) for label, case in cases.items()}
    samples: dict[str, list[float]] = {label: [] for label in cases}
    faults: dict[str, list[float]] = {label: [] for label in cases}
    order = list(cases)
    shuffle = random.Random(row.name).shuffle  # seeded: reruns time in the same orders
    for _ in range(repeats):
        for label in order:
            before = minor_faults()
            samples[label].append(cases[label].run(numbers[label]) / numbers[label] * 1e6)
            faults[label].append((minor_faults() - before) / numbers[label])
            busy_wait(cases[label].settle_s)
        shuffle(order)  # no contender always follows the same one
    return Measured(samples, faults, numbers, errors)


# --- report -----------------------------------------------------------------------------------


def peak_rss_mib() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 2**20 if sys.platform == "darwin" else rss / 2**10  # bytes on macOS, KiB elsewhere


def version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "n/a"


def cpu_model() -> str:
    with contextlib.suppress(OSError):
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.partition(":")[2].strip()
    return platform.processor() or "unknown CPU"


def us(value: float | None) -> str:
    if value is None:
        return f"{'n/a':>9}"
    return f"{value:9.2f}" if value < 100 else f"{value:9.1f}" if value < 10_000 else f"{value:9.0f}"


def ratio(value: float | None) -> str:
    return f"{'n/a':>9}" if value is None else f"{value:8.2f}x"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer sizes, fewer repeats")
    parser.add_argument("--only", metavar="TEXT", help="only the rows whose name contains TEXT")
    parser.add_argument("--repeats", type=int, default=None,
                        help=f"timed repeats per row and contender (default {DEFAULT_REPEATS}, "
                             f"{QUICK_REPEATS} with --quick)")
    parser.add_argument("--warm-heap", action="store_true",
                        help="rerun with glibc keeping freed big buffers for reuse: no page faults")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    args = parser.parse_args(argv)
    warm = all(os.environ.get(name) == value for name, value in WARM_HEAP.items())
    if args.warm_heap and not warm:
        # glibc reads these once, at start-up: only a fresh interpreter gets them.
        arguments = sys.argv[1:] if argv is None else argv
        os.execve(sys.executable, [sys.executable, __file__, *arguments], {**os.environ, **WARM_HEAP})
    repeats = args.repeats or (QUICK_REPEATS if args.quick else DEFAULT_REPEATS)
    rows_to_run = [row for row in ROWS if (row.quick or not args.quick) and (args.only or "") in row.name]

    if pyfftw:
        pyfftw.interfaces.cache.enable()
        pyfftw.interfaces.cache.set_keepalive_time(PYFFTW_KEEPALIVE_S)

    print(f"Python {platform.python_version()}, NumPy {np.__version__}, SciPy {scipy.__version__}, "
          f"uscipy {uscipy.__version__}, pyFFTW {version('pyfftw')}, mkl_fft {version('mkl_fft')}")
    print(f"{cpu_model()}, {os.cpu_count()} CPUs; {repeats} repeats of ~{TARGET_SECONDS:g} s, "
          f"median µs/call{'; --quick' if args.quick else ''}"
          f"{'; warm heap (no page faults for big buffers)' if warm else ''}")
    name_w = max(len(row.name) for row in rows_to_run)
    header = [f"{label:>9}" for label in CONTENDERS] + [f"{'scipy/nat':>9}", f"{'best/nat':>9}"]
    print(f"{'row':<{name_w}} | " + " | ".join(header))
    print(f"{'-' * name_w}-+-" + "-+-".join("-" * 9 for _ in header))

    results: list[dict[str, Any]] = []
    for row in rows_to_run:
        measured = bench(row, repeats)
        med = {label: statistics.median(s) for label, s in measured.samples_us.items()}
        faults = {label: statistics.median(f) for label, f in measured.faults.items()}
        nat = med["native"]
        peers = [med[p] for p in PEERS if p in med]
        best = min(peers) if peers else None
        result = {"row": row.name, "kind": row.kind, "shape": list(row.shape), "workers": row.workers,
                  "median_us": med, "speedup_vs_scipy": med["scipy"] / nat,
                  "best_peer_over_native": best / nat if best is not None else None,
                  "beats_peers": bool(peers) and all(nat < p for p in peers),
                  "median_faults_per_call": faults, "numbers": measured.numbers,
                  "relative_errors": measured.errors, "samples_us": measured.samples_us,
                  "faults_per_call": measured.faults}
        results.append(result)
        cells = [us(med.get(label)) for label in CONTENDERS]
        cells += [ratio(result["speedup_vs_scipy"]), ratio(result["best_peer_over_native"])]
        print(f"{row.name:<{name_w}} | " + " | ".join(cells), flush=True)

    faulting = [r for r in results if max(r["median_faults_per_call"].values()) >= FAULTS_SHOWN]
    if faulting:
        print(f"\nminor page faults per call (median), rows where some contender has >= {FAULTS_SHOWN}:")
        for r in faulting:
            cells = [f"{label} {r['median_faults_per_call'][label]:.0f}" for label in CONTENDERS
                     if label in r["median_faults_per_call"]]
            print(f"  {r['row']:<{name_w}}  " + ", ".join(cells))

    peak = peak_rss_mib()
    fast = sum(r["speedup_vs_scipy"] >= SPEEDUP_GOAL for r in results)
    beats = sum(r["beats_peers"] for r in results)
    missing = [p for p, mod in (("pyfftw", pyfftw), ("mkl_fft", mkl_fft)) if mod is None]
    print(f"\npeak memory (ru_maxrss): {peak:.1f} MiB")
    print(f"native >= {SPEEDUP_GOAL}x scipy in {fast} of {len(results)} rows; native faster than both "
          f"mkl_fft and pyfftw in {beats} of {len(results)} rows"
          + (f" (not installed: {', '.join(missing)})" if missing else ""))

    if args.json:
        with open(args.json, "w") as f:
            json.dump({"python": platform.python_version(), "numpy": np.__version__, "scipy": scipy.__version__,
                       "pyfftw": version("pyfftw"), "mkl_fft": version("mkl_fft"), "cpu": cpu_model(),
                       "cpus": os.cpu_count(), "repeats": repeats, "quick": args.quick, "warm_heap": warm,
                       "target_seconds": TARGET_SECONDS, "rows": results, "peak_rss_mib": peak,
                       "rows_speedup_ge_goal": fast, "rows_beating_peers": beats}, f, indent=2)


if __name__ == "__main__":
    main()
