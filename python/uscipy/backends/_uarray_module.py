"""Backends that are other projects' uarray backends for ``scipy.fft``, used unchanged: the
module itself is the backend (``uscipy.set_backend("pyfftw")`` is
``uscipy.set_backend(pyfftw.interfaces.scipy_fft)``). Functions they lack fall through."""

from __future__ import annotations

import importlib
from typing import Any

from ._base import importable


def module_backend(module_path: str, package: str) -> tuple[Any, Any]:
    """``(__getattr__, available)`` for a uscipy backend module wrapping ``module_path``."""

    def available() -> tuple[bool, str]:
        return importable(module_path, package)

    def __getattr__(name: str) -> Any:
        if name == "backend":
            return importlib.import_module(module_path)
        raise AttributeError(name)

    return __getattr__, available
