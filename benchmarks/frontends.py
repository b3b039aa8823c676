"""uscipy's SciPy frontends against the SciPy functions they mirror, in one process.

    python benchmarks/frontends.py [--repeats N] [--json FILE]

Every contender of a scenario is checked against the others before it is timed. Repeats are
interleaved (each repeat times every contender once, the order rotated by one each repeat) so
drift in CPU clock or cache state hits all alike; the table reports median ns/call over repeats.
Last, ``python -X importtime`` shows what ``import uscipy`` and ``import uscipy.fft`` cost.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import platform
import re
import resource
import statistics
import subprocess
import sys
import timeit
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import scipy
import scipy.fft
import scipy.fft._basic_backend
import scipy.ndimage
import scipy.special

import uscipy
import uscipy.backends
import uscipy.fft
import uscipy.ndimage
import uscipy.special

TARGET_SECONDS = 0.03  # one repeat: long enough to swamp timer resolution, short enough for many
TYPE_DISPATCH_GOAL_NS = 150.0
FORBIDDEN_IMPORTS = ("numpy", "scipy", "dask", "jax")  # none may load before a function is used
IMPORT_RUNS = 5  # import times are noisy: report the median of this many fresh interpreters

# SciPy prefers an installed uarray (>= 0.8) to its vendored copy: say which one scipy.fft pays.
SCIPY_UARRAY = type(scipy.fft.fft).__module__

Goal = Literal["mirror", "type dispatch"]


@dataclass(frozen=True)
class Versus:
    """One line of the table: uscipy against the contender ``ref``."""

    ref: str
    goal: Goal | None = None  # "mirror": uscipy must not be slower; "type dispatch": overhead cap


@dataclass(frozen=True)
class Scenario:
    name: str
    # Builds the evaluation namespace; what it installs, it undoes through the exit stack.
    build: Callable[[contextlib.ExitStack], dict[str, Any]]
    exprs: dict[str, str]  # contender -> timed expression; "uscipy" is always one of them
    versus: tuple[Versus, ...]
    identity: bool = False  # every contender must return env["x"] itself, not just an equal value


# --- the type-owned argument: a foreign array type and the backend owning it ------------------


class OwnedArray:
    """Stands in for a foreign array (GPU, lazy, ...): uscipy knows it only by its name."""

    __slots__ = ("data",)

    def __init__(self, data: np.ndarray) -> None:
        self.data = data


def impl(x: Any, *args: Any, **kwargs: Any) -> Any:
    # Does nothing, so what uscipy.fft.fft(owned) costs on top of it is dispatch alone.
    return x


class OwnedBackend(uscipy.backends.Backend):
    name = "owned"
    types = (f"{OwnedArray.__module__}:{OwnedArray.__qualname__}",)

    def implementation(self, module: str, name: str) -> Callable[..., Any] | None:
        return impl if (module, name) == ("fft", "fft") else None


# --- scenarios --------------------------------------------------------------------------------
# Functions are bound in the namespace, not looked up as `module.attr` in the timed expression:
# the table then compares calls, not attribute lookups on two different modules.


def build_fft(stack: contextlib.ExitStack) -> dict[str, Any]:
    return {"x": np.arange(8.0) + 1j * np.arange(8.0)[::-1], "uscipy": uscipy.fft.fft,
            "scipy": scipy.fft.fft, "inner": scipy.fft._basic_backend.fft}


def build_erf_scalar(stack: contextlib.ExitStack) -> dict[str, Any]:
    return {"x": 0.5, "uscipy": uscipy.special.erf, "scipy": scipy.special.erf}


def build_erf_array(stack: contextlib.ExitStack) -> dict[str, Any]:
    return {"x": np.linspace(-2.0, 2.0, 10), "uscipy": uscipy.special.erf, "scipy": scipy.special.erf}


def build_owned(stack: contextlib.ExitStack) -> dict[str, Any]:
    backend = OwnedBackend()
    uscipy.backends.install(backend)
    stack.callback(uscipy.backends.uninstall, backend)  # NumPy-input scenarios never see it
    return {"x": OwnedArray(np.arange(8.0)), "uscipy": uscipy.fft.fft, "impl": impl}


def build_uniform_filter(stack: contextlib.ExitStack) -> dict[str, Any]:
    return {"x": np.arange(16.0).reshape(4, 4), "uscipy": uscipy.ndimage.uniform_filter,
            "scipy": scipy.ndimage.uniform_filter}


SCENARIOS: list[Scenario] = [
    Scenario("fft.fft, 8 complex128", build_fft,
             {"uscipy": "uscipy(x)", "scipy.fft.fft": "scipy(x)", "_basic_backend.fft": "inner(x)"},
             (Versus("scipy.fft.fft", "mirror"), Versus("_basic_backend.fft"))),
    Scenario("special.erf, float 0.5", build_erf_scalar,
             {"uscipy": "uscipy(x)", "scipy.special.erf": "scipy(x)"}, (Versus("scipy.special.erf", "mirror"),)),
    Scenario("special.erf, 10 float64", build_erf_array,
             {"uscipy": "uscipy(x)", "scipy.special.erf": "scipy(x)"}, (Versus("scipy.special.erf", "mirror"),)),
    Scenario("fft.fft, OwnedArray (cache warm)", build_owned,
             {"uscipy": "uscipy(x)", "impl(x) direct": "impl(x)"}, (Versus("impl(x) direct", "type dispatch"),),
             identity=True),
    Scenario("ndimage.uniform_filter, 4x4 float64", build_uniform_filter,
             {"uscipy": "uscipy(x)", "scipy.ndimage.uniform_filter": "scipy(x)"},
             (Versus("scipy.ndimage.uniform_filter", "mirror"),)),
]


# --- checking and timing ----------------------------------------------------------------------


def verify(scenario: Scenario, env: dict[str, Any]) -> None:
    """Fails unless every contender returns what uscipy returns (or, for identity, ``x``)."""
    results = {label: eval(expr, env) for label, expr in scenario.exprs.items()}
    ours = results["uscipy"]
    for label, result in results.items():
        where = f"{scenario.name} [{label}]"
        if scenario.identity:
            assert result is env["x"], f"{where}: got {result!r}, not the argument itself"
            continue
        assert type(result) is type(ours), f"{where}: {type(result).__name__} vs {type(ours).__name__}"
        assert np.asarray(result).dtype == np.asarray(ours).dtype, f"{where}: dtypes differ"
        # Bitwise equal, not close: uscipy runs the very same SciPy code.
        assert np.array_equal(result, ours, equal_nan=True), f"{where}: {result!r} != {ours!r}"


def calibrate(timer: timeit.Timer) -> int:
    """A call count for which one repeat takes about TARGET_SECONDS (also warms caches up)."""
    number = 1
    while (elapsed := timer.timeit(number)) < TARGET_SECONDS / 10:
        number *= 10
    return max(1, round(number * TARGET_SECONDS / elapsed))


def bench(scenario: Scenario, repeats: int) -> dict[str, list[float]]:
    """ns/call samples per contender, all contenders interleaved in every repeat."""
    with contextlib.ExitStack() as stack:
        env = scenario.build(stack)
        verify(scenario, env)
        # Source strings, not callables: timeit inlines them, adding no Python call of its own.
        timers = {label: timeit.Timer(expr, globals=env) for label, expr in scenario.exprs.items()}
        numbers = {label: calibrate(timer) for label, timer in timers.items()}
        samples: dict[str, list[float]] = {label: [] for label in timers}
        order = list(timers)
        for _ in range(repeats):
            for label in order:
                # timeit turns the garbage collector off while it runs
                samples[label].append(timers[label].timeit(numbers[label]) / numbers[label] * 1e9)
            order = order[1:] + order[:1]  # each contender takes each position equally often
    return samples


# --- import cost ------------------------------------------------------------------------------

_MARK = "--- uscipy benchmark: interpreter started ---"
_IMPORTTIME = re.compile(r"^import time:\s+\d+ \|\s+(\d+) \| ( *)(\S+)$")


def import_profile(statement: str) -> dict[str, Any]:
    """Median cumulative µs of ``statement`` in fresh interpreters, and the non-stdlib top-level
    packages it imports (interpreter start-up, e.g. ``site``, is cut off at a marker)."""
    # importtime also lists imports that failed (e.g. ``copy`` probing Jython's ``org.python``):
    # the child prints ``sys.modules`` so only modules that really loaded are counted.
    code = f"import sys; print({_MARK!r}, file=sys.stderr, flush=True); {statement}; print(*sys.modules)"
    totals: list[int] = []
    packages: set[str] = set()
    for _ in range(IMPORT_RUNS):
        proc = subprocess.run([sys.executable, "-X", "importtime", "-c", code],
                              capture_output=True, text=True, check=True)
        loaded, total = set(proc.stdout.split()), 0
        for line in proc.stderr.partition(_MARK)[2].splitlines():
            if match := _IMPORTTIME.match(line):
                cumulative, indent, module = match.groups()
                total += int(cumulative) if not indent else 0  # top-level lines already sum children
                if module in loaded:
                    packages.add(module.partition(".")[0])
        totals.append(total)
    third_party = sorted(p for p in packages if p not in sys.stdlib_module_names and p != "uscipy")
    return {"statement": statement, "total_us": statistics.median(totals), "totals_us": totals,
            "third_party": third_party, "forbidden": [p for p in third_party if p in FORBIDDEN_IMPORTS]}


# --- report -----------------------------------------------------------------------------------


def peak_rss_mib() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 2**20 if sys.platform == "darwin" else rss / 2**10  # bytes on macOS, KiB elsewhere


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15, help="timed repeats per scenario and contender")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    args = parser.parse_args(argv)

    print(f"Python {platform.python_version()}, NumPy {np.__version__}, SciPy {scipy.__version__}, "
          f"uscipy {uscipy.__version__}, {args.repeats} repeats, median ns/call")
    print(f"scipy.fft.fft dispatches through {SCIPY_UARRAY}")
    name_w = max(len(s.name) for s in SCENARIOS)
    ref_w = max(len(v.ref) for s in SCENARIOS for v in s.versus)
    print(f"{'scenario':<{name_w}} | {'vs':<{ref_w}} | {'uscipy':>8} | {'other':>8} | {'ratio':>6} | {'diff ns':>8}")
    print(f"{'-' * name_w}-+-{'-' * ref_w}-+-{'-' * 8}-+-{'-' * 8}-+-{'-' * 6}-+-{'-' * 8}")

    rows: list[dict[str, Any]] = []
    for scenario in SCENARIOS:
        samples = bench(scenario, args.repeats)
        ours = statistics.median(samples["uscipy"])
        for versus in scenario.versus:
            theirs = statistics.median(samples[versus.ref])
            rows.append({"scenario": scenario.name, "vs": versus.ref, "goal": versus.goal, "uscipy_ns": ours,
                         "other_ns": theirs, "ratio": ours / theirs, "diff_ns": ours - theirs,
                         "samples_ns": {"uscipy": samples["uscipy"], versus.ref: samples[versus.ref]}})
            print(f"{scenario.name:<{name_w}} | {versus.ref:<{ref_w}} | {ours:8.1f} | {theirs:8.1f} | "
                  f"{ours / theirs:6.3f} | {ours - theirs:+8.1f}", flush=True)

    peak = peak_rss_mib()
    print(f"\npeak memory (ru_maxrss): {peak:.1f} MiB")

    mirrors = [row for row in rows if row["goal"] == "mirror"]
    slower = [row for row in mirrors if row["diff_ns"] > 0]
    summary = f"FAIL in {len(slower)} of {len(mirrors)} rows" if slower else f"ok in all {len(mirrors)} rows"
    print(f"\ngoal: uscipy never slower than the SciPy function it mirrors: {summary}")
    for row in mirrors:
        diff = row["diff_ns"]
        verdict = f"FAIL, {diff:.1f} ns slower" if diff > 0 else f"ok, {-diff:.1f} ns faster"
        print(f"  {row['scenario']} vs {row['vs']}: {verdict}")
    typed = [row for row in rows if row["goal"] == "type dispatch"]
    for row in typed:
        verdict = "ok" if row["diff_ns"] <= TYPE_DISPATCH_GOAL_NS else "FAIL"
        print(f"goal: type dispatch overhead <= {TYPE_DISPATCH_GOAL_NS:.0f} ns: {verdict} "
              f"({row['diff_ns']:.1f} ns over the direct call, ratio {row['ratio']:.3f})")

    print(f"\nimport cost (python -X importtime, median of {IMPORT_RUNS} fresh interpreters)")
    imports = [import_profile("import uscipy"), import_profile("import uscipy.fft")]
    for profile in imports:
        verdict = f"FAIL: imports {', '.join(profile['forbidden'])}" if profile["forbidden"] else \
            f"ok: none of {', '.join(FORBIDDEN_IMPORTS)}"
        print(f"  {profile['statement']:<17} {profile['total_us']:8.0f} us cumulative; third-party "
              f"top-level modules: {', '.join(profile['third_party']) or 'none'} ({verdict})")

    if args.json:
        with open(args.json, "w") as f:
            json.dump({"python": platform.python_version(), "numpy": np.__version__, "scipy": scipy.__version__,
                       "scipy_uarray": SCIPY_UARRAY, "repeats": args.repeats, "rows": rows, "peak_rss_mib": peak,
                       "mirror_goal_failures": [f"{r['scenario']} vs {r['vs']}" for r in slower],
                       "type_dispatch_goal_ns": TYPE_DISPATCH_GOAL_NS, "imports": imports}, f, indent=2)


if __name__ == "__main__":
    main()
