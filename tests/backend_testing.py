"""Shared machinery for differential tests of array-library backends against SciPy."""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

import uscipy
from uscipy._api.cases import ALL, Case, compare_results, convert_inputs, scipy_function


def claimed_cases(backend: Any) -> list[tuple[str, str, int, Case]]:
    return [
        (module, name, i, case)
        for (module, name), cases in ALL.items()
        if backend.implements(module, name)
        for i, case in enumerate(cases)
    ]


def run_differential(backend_name: str, module: str, name: str, case: Case, to_array, *, rtol: float | None = None):
    """Runs ``case`` through uscipy with the backend as the only one, inputs converted, and
    compares with SciPy on NumPy inputs. Returns (problem or None, backends that ran); a
    declined call returns ("declined: why", [])."""
    ours = getattr(importlib.import_module(f"uscipy.{module}"), name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = case.call(scipy_function(module, name))
        args = convert_inputs(case.args(), to_array)
        kwargs = convert_inputs(case.kwargs(), to_array)
        with uscipy.set_backend(backend_name, only=True), uscipy.trace() as t:
            try:
                got = ours(*args, **kwargs)
            except uscipy.BackendNotImplementedError as declined:
                # Declining a variant it lacks is allowed; a wrong answer is not.
                return f"declined: {declined.attempts[0][1]}", []
    if rtol is not None and rtol > case.rtol:
        import dataclasses

        case = dataclasses.replace(case, rtol=rtol)
    problem = compare_results(got, expected, case)
    return problem, [getattr(c.backend, "name", None) for c in t]


def cases_of(backend: Any) -> list[Any]:
    """``pytest.param`` objects for every case of every function ``backend`` claims."""
    import pytest

    return [pytest.param(*c, id=f"{c[0]}.{c[1]}[{c[2]}]") for c in claimed_cases(backend)]


def assert_matches_scipy(backend_name: str, module: str, name: str, case: Case, to_array, *, rtol: float = 1e-6) -> None:
    """The differential test of one claimed case: equal to SciPy, computed by the backend (the
    last dispatch: chunk probes may dispatch NumPy blocks before it), or a declined variant
    (skipped with the backend's reason)."""
    import pytest

    problem, ran = run_differential(backend_name, module, name, case, to_array, rtol=rtol)
    if problem is not None and problem.startswith("declined"):
        pytest.skip(f"{backend_name} declines this variant: {problem}")
    assert ran[-1:] == [backend_name]
    assert problem is None, problem
