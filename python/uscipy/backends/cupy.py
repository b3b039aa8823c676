"""The ``cupy`` backend: CuPy arrays run on the GPU through ``cupyx.scipy.{fft, ndimage,
linalg, special}``, through :class:`Adapter` where CuPy's arguments differ from SciPy's.

Import-safe without a GPU: the module imports nothing; ``available()`` says "no CUDA device"
(or that CuPy is missing), and the backend then implements nothing. Its claims are the
functions CuPy provides under SciPy's names, minus ``EXCLUDED`` (differential tests on a GPU).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from ._adapt import Adapter, scipy_signature
from ._base import Backend

NAMESPACES = {m: (f"cupyx.scipy.{m}",) for m in ("fft", "ndimage", "linalg", "special")}

# Same name in CuPy, different results or semantics than SciPy's (found on a GPU).
EXCLUDED: frozenset[str] = frozenset()


@lru_cache(maxsize=1)
def available() -> tuple[bool, str]:
    try:
        cupy = importlib.import_module("cupy")
    except ImportError as e:
        return False, f"cupy is not installed ({e.msg}); pip install cupy-cuda12x"
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as e:  # noqa: BLE001 - CUDA driver/runtime errors vary
        return False, f"no CUDA device ({type(e).__name__}: {e})"
    if count == 0:
        return False, "no CUDA device"
    return True, ""


class CupyBackend(Backend):
    name = "cupy"
    types = ("cupy:ndarray", "cupy._core.core:_ndarray_base")

    def available(self) -> tuple[bool, str]:
        return available()

    def implementation(self, module: str, name: str) -> Callable[..., Any] | None:
        if f"{module}.{name}" in EXCLUDED or not available()[0]:
            return None
        for namespace in NAMESPACES[module]:
            try:
                target = getattr(importlib.import_module(namespace), name, None)
            except ImportError:
                return None
            if callable(target):
                return Adapter("cupy", f"{module}.{name}", scipy_signature(module, name), target)
        return None


backend = CupyBackend()
