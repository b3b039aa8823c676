"""The sample-input table ``uscipy._api.cases``: complete for the four modules, every case valid
for SciPy, deterministic under its own comparison rule, with fresh and small inputs."""

import importlib
import warnings

import numpy as np
import pytest

from uscipy._api.cases import (
    ALL, EXCLUDED, MODULES, Case, cases, compare_results, results_equal, scipy_function,
)

MAX_ELEMENTS = 64 * 64

PARAMS = [
    pytest.param(module, name, i, case, id=f"{module}.{name}[{i}]")
    for (module, name), cs in ALL.items()
    for i, case in enumerate(cs)
]


def _public(module):
    return set(importlib.import_module(f"scipy.{module}").__all__) - EXCLUDED[module]


@pytest.mark.parametrize("module", MODULES)
def test_every_public_function_has_cases(module):
    covered = {name for (m, name) in ALL if m == module}
    public = _public(module)
    assert not public - covered, f"no case for scipy.{module}: {sorted(public - covered)}"
    assert not covered - public, f"cases for names not in __all__: {sorted(covered - public)}"
    assert not covered & EXCLUDED[module]
    for name in covered:
        assert cases(module, name), name


def test_table_shape():
    assert {m for m, _ in ALL} == set(MODULES)
    for key, cs in ALL.items():
        assert cs and all(isinstance(c, Case) for c in cs), key
    with pytest.raises(KeyError):
        cases("fft", "next_fast_len")
    with pytest.raises(KeyError):
        cases("nomodule", "fft")


def _leaves(x):
    if isinstance(x, dict):
        x = list(x.values())
    if isinstance(x, (tuple, list)):
        for v in x:
            yield from _leaves(v)
    else:
        yield x


def _run(func, case):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return case.call(func)


@pytest.mark.parametrize("module, name, i, case", PARAMS)
def test_case_runs_and_is_deterministic(module, name, i, case):
    func = scipy_function(module, name)

    # fresh, small inputs
    args1, args2 = case.args(), case.args()
    kw1, kw2 = case.kwargs(), case.kwargs()
    assert isinstance(args1, tuple) and isinstance(kw1, dict)
    arrays1 = [a for a in _leaves((args1, kw1)) if isinstance(a, np.ndarray)]
    arrays2 = [a for a in _leaves((args2, kw2)) if isinstance(a, np.ndarray)]
    assert len(arrays1) == len(arrays2)
    for a, b in zip(arrays1, arrays2):
        assert a.size <= MAX_ELEMENTS
        assert not np.shares_memory(a, b), "args() must build new arrays on every call"
        np.testing.assert_array_equal(a, b)

    r1 = _run(func, case)
    r2 = _run(func, case)
    err = compare_results(r1, r2, case)
    assert err is None, err
    assert results_equal(r1, r2, case)

    # the inputs are meant to be valid: some finite output wherever the output is floating
    for leaf in _leaves(r1):
        if isinstance(leaf, np.poly1d):
            leaf = leaf.coeffs
        if isinstance(leaf, (np.ndarray, np.generic, float, complex)):
            x = np.asarray(leaf)
            if x.dtype.kind in "fc" and x.size:
                assert np.isfinite(x).any(), f"all non-finite output: {x!r}"


# ---- the comparison helper itself -----------------------------------------------------------

def test_results_equal_modes():
    c = Case(args=tuple)
    a = np.array([1.0, 2.0, np.nan])
    assert results_equal(a, a.copy(), c)
    assert not results_equal(a, a + 1e-3, c)
    assert not results_equal(np.zeros(3), np.zeros(4), c)
    assert results_equal((a, 1, [np.int64(2), None]), (a.copy(), 1.0, [2, None]), c)
    assert not results_equal((a,), (a, a), c)
    assert results_equal({np.int64(1): (np.arange(3),)}, {1: (np.arange(3),)}, c)
    assert not results_equal({1: 1}, {2: 1}, c)
    assert results_equal(np.poly1d([1.0, 2.0]), np.poly1d([1.0, 2.0 + 1e-12]), c)
    assert results_equal([(slice(0, 2), slice(1, 3)), None], [(slice(0, 2), slice(1, 3)), None], c)
    assert not results_equal(slice(0, 2), slice(0, 3), c)
    assert results_equal(10**30, 10**30, c) and not results_equal(10**30, 10**30 + 1, c)

    ab = Case(args=tuple, compare="abs")
    assert results_equal(np.array([[1.0, -2.0]]), np.array([[-1.0, 2.0]]), ab)
    assert not results_equal(np.array([1.0, -2.0]), np.array([1.0, 3.0]), ab)

    so = Case(args=tuple, compare="sorted")
    assert results_equal(np.array([3.0, 1.0, 2.0]), np.array([1.0, 2.0, 3.0]), so)
    assert results_equal(np.array([1 + 2j, 1 - 2j]), np.array([1 - 2j, 1 + 2j + 1e-14]), so)

    sh = Case(args=tuple, compare="shape")
    assert results_equal((np.ones(3), np.ones((2, 2))), (np.zeros(3), np.zeros((2, 2))), sh)
    assert not results_equal(np.ones(3), np.ones(3, np.float32), sh)
    assert not results_equal(np.ones(3), np.ones(4), sh)

    assert not results_equal(np.ones(3), np.ones(3, np.float32), c, strict_dtype=True)
    with pytest.raises(ValueError):
        Case(args=tuple, compare="nope")
