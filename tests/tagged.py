"""A small, real array type and a backend that owns it, for tests of dispatch by type.

``TaggedArray`` converts to NumPy (``__array__``), like a GPU or lazy array would if asked,
so tests can check that nothing converts it implicitly."""

from __future__ import annotations

import importlib

import numpy as np

from uscipy.backends import Backend


class TaggedArray:
    def __init__(self, data, tag: str = "a"):
        self.data = np.asarray(data)
        self.tag = tag
        self.converted = 0

    def __array__(self, dtype=None, copy=None):
        self.converted += 1
        return self.data if dtype is None else self.data.astype(dtype)


class OtherArray(TaggedArray):
    """A subclass: owned through its MRO."""


class SecondArray:
    def __init__(self, data):
        self.data = np.asarray(data)


class TaggedBackend(Backend):
    """Implements a few functions by unwrapping, running SciPy, and wrapping again."""

    def __init__(self, name: str, types: tuple[str, ...], functions: set[str], priority: int = 0, wrap=TaggedArray):
        super().__init__()
        self.name, self.types, self.priority = name, types, priority
        self.functions, self.wrap = functions, wrap
        self.calls: list[str] = []

    def implementation(self, module, name):
        if f"{module}.{name}" not in self.functions:
            return None
        scipy_impl = getattr(importlib.import_module(f"scipy.{module}"), name)

        def run(*args, **kwargs):
            self.calls.append(f"{module}.{name}")
            unwrapped = [a.data if hasattr(a, "data") else a for a in args]
            return self.wrap(scipy_impl(*unwrapped, **kwargs))

        return run


class MarkerBackend(Backend):
    """A NumPy backend whose erf is SciPy's plus 1000, so a result shows where it ran; it
    declines non-NumPy input, so Dask arrays still reach the dask backend."""

    name = "marker"

    def implementation(self, module, name):
        if (module, name) != ("special", "erf"):
            return None

        def erf(x, *args, **kwargs):
            if not isinstance(x, np.ndarray):
                from uscipy import BackendNotImplementedError

                raise BackendNotImplementedError("marker: NumPy input only")
            import scipy.special

            return scipy.special.erf(x) + 1000

        return erf

    def __reduce__(self):
        return "MARKER"  # by reference: workers import this module and find the same object


MARKER = MarkerBackend()
