"""The ``scipy`` backend, differentially: for every case of the shared case table,
``uscipy.<m>.<f>(...)`` on NumPy input returns what ``scipy.<m>.<f>(...)`` returns."""

from __future__ import annotations

import importlib
import warnings

import numpy as np
import pytest

import uscipy
from uscipy._api.cases import ALL, compare_results, scipy_function

PARAMS = [
    pytest.param(module, name, i, case, id=f"{module}.{name}[{i}]")
    for (module, name), cs in ALL.items()
    for i, case in enumerate(cs)
]


@pytest.mark.parametrize("module, name, i, case", PARAMS)
def test_uscipy_matches_scipy(module, name, i, case):
    ours = getattr(importlib.import_module(f"uscipy.{module}"), name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = case.call(scipy_function(module, name))
        with uscipy.trace() as t:
            got = case.call(ours)
    problem = compare_results(got, expected, case, strict_dtype=True)
    assert problem is None, problem
    assert [c.backend.name for c in t] == ["scipy"]


def test_inputs_are_not_modified():
    x = np.arange(16.0).reshape(4, 4)
    before = x.copy()
    uscipy.fft.fft(x)
    uscipy.ndimage.gaussian_filter(x, 1)
    uscipy.linalg.inv(x + np.eye(4) * 100)
    np.testing.assert_array_equal(x, before)


def test_scipy_exceptions_pass_through_unchanged():
    import scipy.linalg

    with pytest.raises(ValueError) as ours:
        uscipy.linalg.inv(np.ones((2, 3)))
    with pytest.raises(ValueError) as theirs:
        scipy.linalg.inv(np.ones((2, 3)))
    assert str(ours.value) == str(theirs.value)
    with pytest.raises(scipy.linalg.LinAlgError):
        uscipy.linalg.inv(np.zeros((2, 2)))
    with pytest.raises(TypeError):
        uscipy.ndimage.gaussian_filter()
    with pytest.raises(ValueError, match="invalid number of data points"):
        uscipy.fft.fft(np.ones(4), n=-1)


def test_output_array_is_written_like_scipy():
    x = np.arange(16.0).reshape(4, 4)
    out = np.empty_like(x)
    result = uscipy.ndimage.uniform_filter(x, 3, output=out)
    assert result is None or result is out
    import scipy.ndimage

    np.testing.assert_allclose(out, scipy.ndimage.uniform_filter(x, 3))


def test_ufunc_out_argument():
    x = np.linspace(0, 1, 5)
    out = np.empty_like(x)
    result = uscipy.special.erf(x, out=out)
    assert result is out
    import scipy.special

    np.testing.assert_array_equal(out, scipy.special.erf(x))
