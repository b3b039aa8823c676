"""The ``native`` backend: uscipy's Rust kernels (``crates/kernels``) on NumPy arrays, the GIL
released, independent lines in parallel with rayon.

Each group of functions has its own module here, holding an ``IMPLEMENTATIONS`` table
(``(module, name) -> callable with SciPy's signature``); a function missing from the tables, or
a call its implementation declines, passes to the next backend.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from ._base import Backend

# SciPy module -> the modules holding its native implementations (imported on first lookup).
TABLES: dict[str, tuple[str, ...]] = {
    "fft": ("uscipy.backends._native_fft",),
    "ndimage": (
        "uscipy.backends._native_ndimage",
        "uscipy.backends._native_grey",
        "uscipy.backends._native_spline",
        "uscipy.backends._native_interpolation",
        "uscipy.backends._native_fourier",
        "uscipy.backends._native_morphology",
        "uscipy.backends._native_distance",
        "uscipy.backends._native_measure",
        "uscipy.backends._native_watershed",
    ),
}


class NativeBackend(Backend):
    name = "native"
    modules = tuple(TABLES)

    def implementation(self, module: str, name: str) -> Callable[..., Any] | None:
        for table in TABLES.get(module, ()):
            implementation = importlib.import_module(table).IMPLEMENTATIONS.get((module, name))
            if implementation is not None:
                return implementation
        return None


backend = NativeBackend()
