"""pytest plugin: ``pytest -p uscipy.testing.as_uarray`` makes ``import uarray`` resolve to
:mod:`uscipy.uarray`, so uarray's own tests, and SciPy (which prefers an installed uarray to its
vendored copy), run on uscipy's engine."""

from __future__ import annotations

import sys

import pytest

import uscipy.uarray

_already_bound = "scipy._lib.uarray" in sys.modules
sys.modules["uarray"] = uscipy.uarray


def pytest_configure(config: pytest.Config) -> None:
    if _already_bound:
        raise pytest.UsageError(
            "uscipy.testing.as_uarray: SciPy's uarray was imported before the plugin; "
            "load the plugin first (pytest -p uscipy.testing.as_uarray)"
        )


def pytest_report_header(config: pytest.Config) -> str:
    return "uarray: uscipy.uarray (uscipy's Rust engine) stands in for uarray"
