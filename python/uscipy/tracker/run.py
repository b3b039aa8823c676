"""Running the tracker: every (function, backend) pair, on every case, against SciPy."""

from __future__ import annotations

import enum
import importlib
import statistics
import time
import warnings
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np

from .._api.cases import ALL, Case, compare_results, convert_inputs, scipy_function
from .._api.table import API
from .groups import group_of

SCHEMA = "uscipy-tracker/1"


class Status(str, enum.Enum):
    VERIFIED = "verified"  # ran on the sample inputs and matched SciPy within tolerance
    MISMATCH = "mismatch"  # ran, and differed from SciPy
    ERROR = "error"  # raised something other than declining
    NOT_IMPLEMENTED = "not implemented"
    UNAVAILABLE = "unavailable"  # library or device missing


@dataclass
class Outcome:
    status: Status
    detail: str = ""  # the mismatch, the exception, the reason
    cases: int = 0  # cases run
    declined: int = 0  # cases the backend declined (argument variants it lacks)
    time_ratio: float | None = None  # time / SciPy's time on the first case


@dataclass
class Row:
    module: str
    name: str
    group: str
    outcomes: dict[str, Outcome] = field(default_factory=dict)


@dataclass(frozen=True)
class Target:
    """How to run cases on one backend: its name for set_backend, and its array type."""

    name: str
    to_array: Callable[[np.ndarray], Any]
    materialize: Callable[[Any], Any] = lambda r: r  # force a lazy result (for timing)
    usable: bool = True
    reason: str = ""
    backend: Any = None  # the backend object, where it has no name uscipy knows (tests)


def _jax_target() -> Target:
    import jax

    jax.config.update("jax_enable_x64", True)  # compare in float64, as SciPy computes
    import jax.numpy as jnp

    def ready(r: Any) -> Any:
        return jax.block_until_ready(r) if isinstance(r, jax.Array) else r

    return Target("jax", jnp.asarray, ready)


def _dask_target() -> Target:
    import dask
    import dask.array as da

    dask.config.set(scheduler="threads")

    def chunked(a: np.ndarray) -> Any:
        return da.from_array(a, chunks=tuple(max(1, (n + 1) // 2) for n in a.shape) or ())

    return Target("dask", chunked, lambda r: dask.compute(r)[0])


def _torch_target() -> Target:
    import torch

    def tensor(a: np.ndarray) -> Any:
        return torch.as_tensor(np.ascontiguousarray(a))  # same dtype (float64 stays float64)

    return Target("torch", tensor)


def _cupy_target() -> Target:
    import cupy

    def ready(r: Any) -> Any:
        # Kernels are queued asynchronously: time them to completion, not to launch.
        cupy.cuda.get_current_stream().synchronize()
        return r

    return Target("cupy", cupy.asarray, ready)


_TARGETS: dict[str, Callable[[], Target]] = {
    "jax": _jax_target, "dask": _dask_target, "torch": _torch_target, "cupy": _cupy_target,
}


def targets(names: Iterable[str]) -> list[Target]:
    """Targets for the named backends; a backend that cannot run here is kept, unusable."""
    out = []
    for name in names:
        module = importlib.import_module(f"uscipy.backends.{name}") if _builtin(name) else None
        available = getattr(module, "available", None) if module else None
        usable, reason = available() if available else (True, "")
        if not usable:
            out.append(Target(name, lambda a: a, usable=False, reason=reason))
            continue
        out.append(_TARGETS[name]() if name in _TARGETS else Target(name, lambda a: a))
    return out


def _builtin(name: str) -> bool:
    from ..backends import BUILTIN

    return name in BUILTIN


def _implements(target: Target, module: str, name: str) -> bool | None:
    """True/False where the backend says; None where only a call can tell (uarray modules)."""
    from ..backends import Backend, get

    backend = target.backend or get(target.name)
    if isinstance(backend, Backend):
        return backend.implements(module, name)
    if module != "fft":
        return False
    return None


def _best_time(call: Callable[[], Any], budget: float = 0.05) -> float:
    samples, spent = [], 0.0
    while spent < budget and len(samples) < 50:
        start = time.perf_counter()
        call()
        samples.append(time.perf_counter() - start)
        spent += samples[-1]
    return statistics.median(samples)


def _run_one(module: str, name: str, target: Target, expected: list[Any], time_it: bool) -> Outcome:
    import uscipy

    if not target.usable:
        return Outcome(Status.UNAVAILABLE, target.reason)
    if _implements(target, module, name) is False:
        return Outcome(Status.NOT_IMPLEMENTED)
    function = getattr(importlib.import_module(f"uscipy.{module}"), name)
    cases: list[Case] = ALL[(module, name)]
    ran = declined = 0
    why_declined = ""
    for case, want in zip(cases, expected):
        if isinstance(want, BaseException):
            continue  # SciPy itself failed here: nothing to compare with
        args, kwargs = convert_inputs(case.args(), target.to_array), convert_inputs(case.kwargs(), target.to_array)
        try:
            with warnings.catch_warnings(), uscipy.set_backend(target.backend or target.name, only=True):
                warnings.simplefilter("ignore")
                got = target.materialize(function(*args, **kwargs))
        except uscipy.BackendNotImplementedError as e:
            declined += 1
            why_declined = str(e.attempts[0][1]) if e.attempts else str(e)
            continue
        except Exception as e:  # noqa: BLE001 - the tracker reports every failure
            return Outcome(Status.ERROR, f"{type(e).__name__}: {e}"[:500], ran, declined)
        ran += 1
        tolerance = case if target.name == "scipy" else replace(case, rtol=max(case.rtol, 1e-6))
        problem = compare_results(got, want, tolerance)
        if problem is not None:
            return Outcome(Status.MISMATCH, problem[:500], ran, declined)
    if ran == 0:
        return Outcome(Status.NOT_IMPLEMENTED, why_declined, 0, declined)
    ratio = _time_ratio(module, name, cases[0], target) if time_it else None
    detail = f"declined {declined} of {len(cases)} cases: {why_declined}" if declined else ""
    return Outcome(Status.VERIFIED, detail, ran, declined, ratio)


def _time_ratio(module: str, name: str, case: Case, target: Target) -> float | None:
    import uscipy

    function = getattr(importlib.import_module(f"uscipy.{module}"), name)
    scipy_func = scipy_function(module, name)
    args, kwargs = case.args(), case.kwargs()
    targs, tkwargs = convert_inputs(args, target.to_array), convert_inputs(kwargs, target.to_array)
    try:
        with warnings.catch_warnings(), uscipy.set_backend(target.backend or target.name, only=True):
            warnings.simplefilter("ignore")
            ours = _best_time(lambda: target.materialize(function(*targs, **tkwargs)))
            theirs = _best_time(lambda: scipy_func(*args, **kwargs))
    except Exception:  # noqa: BLE001 - timing is best effort; the verdict stands
        return None
    return ours / theirs if theirs > 0 else None


def _expected(module: str, name: str) -> list[Any]:
    out: list[Any] = []
    for case in ALL[(module, name)]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                out.append(case.call(scipy_function(module, name)))
            except Exception as e:  # noqa: BLE001
                out.append(e)
    return out


def track(
    modules: Iterable[str] | None = None,
    backends: Iterable[str] | None = None,
    functions: Iterable[str] | None = None,
    groups: Iterable[str] | None = None,
    jobs: int = 1,
    time_it: bool = True,
    progress: Callable[[Row], None] | None = None,
) -> tuple[list[Row], list[Target]]:
    """Every (function, backend) outcome, in SciPy's order."""
    from ..backends import BUILTIN, install_default_backends

    install_default_backends()
    modules = list(modules or API)
    wanted_functions = set(functions or ())
    wanted_groups = {g.lower() for g in groups or ()}
    chosen = targets(list(backends or BUILTIN))
    work = [
        Row(m, n, group_of(m, n))
        for m in modules for n in API[m]
        if (m, n) in ALL
        and (not wanted_functions or n in wanted_functions or f"{m}.{n}" in wanted_functions)
        and (not wanted_groups or group_of(m, n).lower() in wanted_groups)
    ]

    def fill(row: Row) -> Row:
        expected = _expected(row.module, row.name)
        for target in chosen:
            row.outcomes[target.name] = _run_one(row.module, row.name, target, expected, time_it)
        if progress is not None:
            progress(row)
        return row

    if jobs > 1:
        with ThreadPoolExecutor(jobs) as pool:
            rows = list(pool.map(fill, work))
    else:
        rows = [fill(r) for r in work]
    return rows, chosen


def to_json_data(rows: list[Row], chosen: list[Target]) -> dict[str, Any]:
    import scipy

    import uscipy

    from .scipy_capabilities import capabilities

    scipy_caps = capabilities()
    return {
        "schema": SCHEMA,
        "uscipy_version": uscipy.__version__,
        "scipy_version": scipy.__version__,
        "backends": [{"name": t.name, "usable": t.usable, "reason": t.reason} for t in chosen],
        "functions": [
            {"module": r.module, "name": r.name, "group": r.group,
             "results": {b: {**asdict(o), "status": o.status.value} for b, o in r.outcomes.items()},
             # What SciPy itself does with each library's arrays (SCIPY_ARRAY_API=1).
             "scipy_array_api": scipy_caps.get(f"{r.module}.{r.name}", {})}
            for r in rows
        ],
    }
