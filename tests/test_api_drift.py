"""uscipy's four modules mirror SciPy's public API exactly: every name, every signature and
docstring, and the committed API table matches what the rules give for the installed SciPy."""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

import pytest

import uscipy
from uscipy._api import generate
from uscipy._api.rules import MODULES, PASSTHROUGH
from uscipy._api.table import API, SCIPY_VERSION


def test_table_is_what_the_rules_give_for_installed_scipy():
    committed = Path(generate.__file__).with_name("table.py").read_text()
    assert generate.render() == committed, (
        f"SciPy's API drifted from the table made for SciPy {SCIPY_VERSION}: "
        "run `python -m uscipy._api.generate` and review the diff"
    )


@pytest.mark.parametrize("module", MODULES)
def test_every_public_name_exists(module):
    scipy_module = importlib.import_module(f"scipy.{module}")
    ours = importlib.import_module(f"uscipy.{module}")
    assert sorted(ours.__all__) == sorted(set(scipy_module.__all__))  # SciPy lists gammaln twice
    for name in scipy_module.__all__:
        assert hasattr(ours, name), f"uscipy.{module}.{name} is missing"
    assert set(dir(ours)) >= set(scipy_module.__all__)


@pytest.mark.parametrize("module", MODULES)
def test_functions_mirror_scipy(module):
    scipy_module = importlib.import_module(f"scipy.{module}")
    ours = importlib.import_module(f"uscipy.{module}")
    for name, entry in API[module].items():
        theirs, mine = getattr(scipy_module, name), getattr(ours, name)
        assert isinstance(mine, uscipy.uarray._Function), name
        assert inspect.signature(mine) == inspect.signature(theirs), name
        assert mine.__doc__ == theirs.__doc__, name
        assert mine.domain == f"numpy.scipy.{module}"
        assert mine.__name__ == name and mine.__module__ == f"uscipy.{module}"
        params = inspect.signature(theirs).parameters
        assert set(mine.__uscipy_dispatch__) <= set(params) | {"out"}, name


@pytest.mark.parametrize("module", MODULES)
def test_passthrough_names_are_scipys_objects(module):
    scipy_module = importlib.import_module(f"scipy.{module}")
    ours = importlib.import_module(f"uscipy.{module}")
    for name in PASSTHROUGH[module]:
        assert getattr(ours, name) is getattr(scipy_module, name)


@pytest.mark.parametrize(
    "module, name, expected",
    [
        ("fft", "fft", ("x",)),
        ("ndimage", "gaussian_filter", ("input", "output")),
        ("ndimage", "correlate", ("input", "weights", "output")),
        ("ndimage", "grey_erosion", ("input", "footprint", "structure", "output")),
        ("ndimage", "sum_labels", ("input", "labels", "index")),
        ("linalg", "solve", ("a", "b")),
        ("linalg", "block_diag", ("arrs",)),
        ("special", "erf", ("x", "out")),
        ("special", "jv", ("x1", "x2", "out")),
    ],
)
def test_array_parameters_are_dispatchable(module, name, expected):
    assert getattr(importlib.import_module(f"uscipy.{module}"), name).__uscipy_dispatch__ == expected


def test_unknown_attribute_raises_attribute_error():
    import uscipy.fft

    with pytest.raises(AttributeError, match="no attribute 'not_a_function'"):
        uscipy.fft.not_a_function
