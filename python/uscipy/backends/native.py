"""The ``native`` backend: uscipy's Rust kernels (``crates/kernels``) on NumPy arrays, the GIL
released, independent lines in parallel with rayon.

Each SciPy module it serves has its own module here, holding an ``IMPLEMENTATIONS`` table
(``(module, name) -> callable with SciPy's signature``); a function missing from the table, or
a call its implementation declines, passes to the next backend.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from ._base import Backend

# SciPy module -> the module holding its native implementations (imported on first lookup).
TABLES = {
    "fft": "uscipy.backends._native_fft",
    "ndimage": "uscipy.backends._native_measure",
}


class NativeBackend(Backend):
    name = "native"
    modules = tuple(TABLES)

    def implementation(self, module: str, name: str) -> Callable[..., Any] | None:
        if module not in TABLES:
            return None
        return importlib.import_module(TABLES[module]).IMPLEMENTATIONS.get((module, name))


backend = NativeBackend()
