"""uscipy: SciPy's API (``fft``, ``ndimage``, ``linalg``, ``special``) as multimethods over a
fast, thread- and asyncio-safe Rust dispatch engine, with backends chosen by array type or by you.

    import uscipy
    uscipy.fft.fft(x)                      # NumPy in: SciPy runs; a typed array: its backend
    with uscipy.set_backend("scipy"): ...  # choose for a block (also a decorator)
    print(uscipy.explain(uscipy.fft.fft, x))

``uscipy.uarray`` is a drop-in replacement for the ``uarray`` package on the same engine.
Everything is imported lazily: ``import uscipy`` imports neither NumPy nor SciPy.
"""

from __future__ import annotations

import importlib
from typing import Any

from ._core import BackendNotImplementedError

__version__ = "0.1.0"

_LAZY = {
    "fft": ("uscipy.fft", None),
    "ndimage": ("uscipy.ndimage", None),
    "linalg": ("uscipy.linalg", None),
    "special": ("uscipy.special", None),
    "uarray": ("uscipy.uarray", None),
    "set_backend": ("uscipy._select", "set_backend"),
    "skip_backend": ("uscipy._select", "skip_backend"),
    "set_global_backend": ("uscipy._select", "set_global_backend"),
    "register_backend": ("uscipy._select", "register_backend"),
    "backends": ("uscipy.backends", None),
    "explain": ("uscipy._explain", "explain"),
    "trace": ("uscipy._trace", "trace"),
    "log_dispatches": ("uscipy._trace", "log_dispatches"),
    "config": ("uscipy._config", "config"),
    "get_state": ("uscipy.uarray", "get_state"),
    "set_state": ("uscipy.uarray", "set_state"),
}

__all__ = ["BackendNotImplementedError", "__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    try:
        module, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'uscipy' has no attribute {name!r}") from None
    value = importlib.import_module(module)
    if attr is not None:
        value = getattr(value, attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
