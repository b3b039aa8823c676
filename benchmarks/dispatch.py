"""Dispatch overhead of ``uscipy.uarray`` against the real ``uarray`` 0.9.4, in one process.

    python benchmarks/dispatch.py [--repeats N] [--json FILE]

Every scenario is built once per engine, each engine with its own module for everything
(backends, ``Dispatchable``, contexts), so nothing registered on one can reach the other.
Repeats are interleaved (uscipy then uarray, the order flipped every repeat) so drift in CPU
clock or cache state hits both alike; the table reports the median ns/call over repeats.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import platform
import resource
import statistics
import sys
import timeit
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, ContextManager

import numpy as np
import uarray

import uscipy.uarray

# uarray 0.9.4's set_backend warns (DeprecationWarning) on every call. Keep the warnings
# machinery enabled but filtered to "ignore", which is what a user sees by default: the
# warn() call and its filter lookup are still paid on every call, nothing is printed.
warnings.simplefilter("ignore", DeprecationWarning)

ENGINES: dict[str, ModuleType] = {"uscipy": uscipy.uarray, "uarray": uarray}
TARGET_SECONDS = 0.03  # one repeat: long enough to swamp timer resolution, short enough for many
X = np.arange(8.0)  # the one dispatched value; backends hand it back, so `result is X` checks


@dataclass(frozen=True)
class Case:
    """One scenario built on one engine: ``expr`` is timed, evaluated in ``env``."""

    expr: str
    env: dict[str, Any]
    expected: Any = field(default_factory=lambda: X)  # (an ndarray can't be a plain default)
    # Entered around every call, inside the timed loop (a context expression in `env`).
    per_call_ctx: str | None = None
    # Entered once around the whole timed loop, outside the timing.
    outer_ctx: Callable[[], ContextManager[Any]] | None = None

    def stmt(self) -> str:
        # A source string rather than a callable: timeit then inlines it in its loop, so no
        # extra Python-level call is measured on top of the dispatch itself.
        if self.per_call_ctx is None:
            return self.expr
        return f"with {self.per_call_ctx}:\n    {self.expr}"


Builder = Callable[[ModuleType, str], Case]


@dataclass(frozen=True)
class Scenario:
    name: str
    domain: str  # where its backends live; cleared on both engines when the scenario ends
    build: Builder
    floor: bool = False  # a reference line, left out of "max ratio"


# --- backends and multimethods --------------------------------------------------------------


def _return_first(method: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    return args[0]


def _not_implemented(method: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    return NotImplemented


def _convert_values(dispatchables: Any, coerce: bool) -> list[Any]:
    return [d.value for d in dispatchables]


def _replace_first(args: tuple[Any, ...], kwargs: dict[str, Any], dispatched: tuple[Any, ...]) -> Any:
    return dispatched + args[1:], kwargs


def make_backend(domain: str, function: Callable[..., Any] = _return_first, convert: bool = False) -> type:
    # A fresh class per engine and scenario: set_backend caches its context object on the
    # backend (``__ua_cache__``), so a backend shared by both engines would mix their contexts.
    attrs: dict[str, Any] = {"__ua_domain__": domain, "__ua_function__": staticmethod(function)}
    if convert:
        attrs["__ua_convert__"] = staticmethod(_convert_values)
    return type("BenchBackend", (), attrs)


def make_mm(eng: ModuleType, domain: str) -> Any:
    """``mm(x)`` with ``x`` its one dispatchable argument."""
    Dispatchable = eng.Dispatchable

    def mm(x: Any) -> tuple[Any, ...]:
        return (Dispatchable(x, np.ndarray),)

    return eng.generate_multimethod(mm, _replace_first, domain)


def call_mm(mm: Any, **env: Any) -> Case:
    return Case("mm(x)", {"mm": mm, "x": X, **env})


# --- scenario builders: each takes an engine module and the scenario's domain ----------------


def build_global(eng: ModuleType, domain: str) -> Case:
    eng.set_global_backend(make_backend(domain))
    return call_mm(make_mm(eng, domain))


def build_registered(eng: ModuleType, domain: str) -> Case:
    eng.register_backend(make_backend(domain))
    return call_mm(make_mm(eng, domain))


def build_scoped_outer(eng: ModuleType, domain: str) -> Case:
    be = make_backend(domain)
    case = call_mm(make_mm(eng, domain))
    return Case(case.expr, case.env, outer_ctx=lambda: eng.set_backend(be))


def build_fft_like(eng: ModuleType, domain: str) -> Case:
    Dispatchable = eng.Dispatchable

    def fft(x: Any, n: Any = None, axis: int = -1, norm: Any = None, overwrite_x: bool = False,
            workers: Any = None, *, plan: Any = None) -> tuple[Any, ...]:
        return (Dispatchable(x, np.ndarray),)

    eng.set_global_backend(make_backend(domain))
    mm = eng.generate_multimethod(fft, _replace_first, domain)
    # Every argument passed, all equal to its default: the engine has to notice and drop them.
    return Case("mm(x, None, -1, None, False, None, plan=None)", {"mm": mm, "x": X})


def build_convert(eng: ModuleType, domain: str) -> Case:
    eng.set_global_backend(make_backend(domain, convert=True))
    return call_mm(make_mm(eng, domain))


def build_domain_walk(eng: ModuleType, domain: str) -> Case:
    # The multimethod is 3 levels deep; the backend only on the top level, so every call
    # looks in "<d>.l2.l3", then "<d>.l2", then finds it in "<d>".
    eng.register_backend(make_backend(domain))
    return call_mm(make_mm(eng, f"{domain}.l2.l3"))


def build_not_implemented_chain(eng: ModuleType, domain: str) -> Case:
    for function in (_not_implemented, _not_implemented, _return_first):
        eng.register_backend(make_backend(domain, function))  # tried in registration order
    return call_mm(make_mm(eng, domain))


def build_with_per_call(eng: ModuleType, domain: str) -> Case:
    # As a user writes it: set_backend(be) evaluated and entered on every call.
    case = call_mm(make_mm(eng, domain), set_backend=eng.set_backend, be=make_backend(domain))
    return Case(case.expr, case.env, per_call_ctx="set_backend(be)")


def build_floor(eng: ModuleType, domain: str) -> Case:
    # The least any dispatcher can do: call the backend's __ua_function__ once.
    be = make_backend(domain)
    return Case("f(None, args, kwargs)", {"f": be.__ua_function__, "args": (X,), "kwargs": {}})


SCENARIOS: list[Scenario] = [
    Scenario("global", "bench.global", build_global),
    Scenario("registered", "bench.registered", build_registered),
    Scenario("scoped (outer with)", "bench.scoped", build_scoped_outer),
    Scenario("fft-like signature, all defaults passed", "bench.fft", build_fft_like),
    Scenario("__ua_convert__", "bench.convert", build_convert),
    Scenario("three-level domain walk", "bwalk", build_domain_walk),
    Scenario("two NotImplemented backends, then one that works", "bench.notimpl", build_not_implemented_chain),
    Scenario("with set_backend(be): mm(x) per call", "bench.with", build_with_per_call),
    Scenario("direct call of the backend function (floor)", "bench.floor", build_floor, floor=True),
]


# --- running ---------------------------------------------------------------------------------


@contextlib.contextmanager
def built(scenario: Scenario, eng: ModuleType) -> Iterator[Case]:
    """The scenario's case on ``eng``; its backends are cleared from ``eng`` afterwards."""
    try:
        yield scenario.build(eng, scenario.domain)
    finally:
        eng.clear_backends(scenario.domain, registered=True, globals=True)


def run_case(case: Case, number: int) -> float:
    """Seconds for ``number`` calls (timeit turns the garbage collector off meanwhile)."""
    timer = timeit.Timer(case.stmt(), globals=case.env)
    with case.outer_ctx() if case.outer_ctx else contextlib.nullcontext():
        return timer.timeit(number)


def check(case: Case, eng: ModuleType, label: str) -> None:
    """Fails unless the case returns its expected value, and (if scoped) only in its scope."""
    per_call = eval(case.per_call_ctx, case.env) if case.per_call_ctx else contextlib.nullcontext()
    with case.outer_ctx() if case.outer_ctx else contextlib.nullcontext(), per_call:
        result = eval(case.expr, case.env)
    assert result is case.expected, f"{label}: got {result!r}, expected {case.expected!r}"
    if case.outer_ctx or case.per_call_ctx:
        try:
            eval(case.expr, case.env)
        except eng.BackendNotImplementedError:
            pass
        else:
            raise AssertionError(f"{label}: the backend was reachable outside its scope")


def calibrate(case: Case) -> int:
    """A call count for which one repeat takes about TARGET_SECONDS (also warms up)."""
    number = 1
    while (elapsed := run_case(case, number)) < TARGET_SECONDS / 10:
        number *= 10
    return max(1, round(number * TARGET_SECONDS / elapsed))


def bench(scenario: Scenario, repeats: int) -> dict[str, list[float]]:
    """ns/call samples per engine, the engines interleaved and alternating order each repeat."""
    with contextlib.ExitStack() as stack:
        cases = {label: stack.enter_context(built(scenario, eng)) for label, eng in ENGINES.items()}
        for label, case in cases.items():
            check(case, ENGINES[label], f"{scenario.name} [{label}]")
        numbers = {label: calibrate(case) for label, case in cases.items()}
        samples: dict[str, list[float]] = {label: [] for label in cases}
        order = list(cases)
        for _ in range(repeats):
            for label in order:
                samples[label].append(run_case(cases[label], numbers[label]) / numbers[label] * 1e9)
            order.reverse()
    return samples


def peak_rss_mib() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 2**20 if sys.platform == "darwin" else rss / 2**10  # bytes on macOS, KiB elsewhere


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15, help="timed repeats per scenario and engine")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    args = parser.parse_args(argv)

    print(f"Python {platform.python_version()}, uarray {uarray.__version__}, "
          f"{args.repeats} repeats, median ns/call")
    width = max(len(s.name) for s in SCENARIOS)
    print(f"{'scenario':<{width}} | {'uscipy':>8} | {'uarray':>8} | {'ratio':>6}")
    print(f"{'-' * width}-+-{'-' * 8}-+-{'-' * 8}-+-{'-' * 6}")

    rows = []
    for scenario in SCENARIOS:
        samples = bench(scenario, args.repeats)
        ours, theirs = (statistics.median(samples[label]) for label in ENGINES)
        rows.append({"scenario": scenario.name, "floor": scenario.floor, "uscipy_ns": ours,
                     "uarray_ns": theirs, "ratio": ours / theirs, "samples_ns": samples})
        print(f"{scenario.name:<{width}} | {ours:8.1f} | {theirs:8.1f} | {ours / theirs:6.3f}", flush=True)

    max_ratio = max(row["ratio"] for row in rows if not row["floor"])
    peak = peak_rss_mib()
    print(f"\npeak memory (ru_maxrss): {peak:.1f} MiB")
    print(f"max ratio: {max_ratio:.3f} (goal <= 0.4)")

    if args.json:
        with open(args.json, "w") as f:
            json.dump({"python": platform.python_version(), "repeats": args.repeats, "rows": rows,
                       "max_ratio": max_ratio, "peak_rss_mib": peak}, f, indent=2)


if __name__ == "__main__":
    main()
