"""The ``scipy`` backend: SciPy itself, for NumPy arrays, subclasses and array-likes. It is the
fallback of every domain: tried when no selected, type-owning or global backend ran."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from ._base import Backend

# scipy.fft's public functions are uarray multimethods themselves; call the implementations
# behind them (as SciPy's own backend does) so a call is not dispatched twice.
_FFT_IMPLEMENTATIONS = (
    "scipy.fft._basic_backend",
    "scipy.fft._realtransforms_backend",
    "scipy.fft._fftlog_backend",
    "scipy.fft",
)


class ScipyBackend(Backend):
    name = "scipy"

    def implementation(self, module: str, name: str) -> Callable[..., Any] | None:
        places = _FFT_IMPLEMENTATIONS if module == "fft" else (f"scipy.{module}",)
        for place in places:
            impl = getattr(importlib.import_module(place), name, None)
            if impl is not None:
                return impl
        return None


backend = ScipyBackend()
