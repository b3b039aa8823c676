"""The ``native`` backend: uscipy's Rust kernels (``crates/kernels``) on NumPy arrays, the GIL
released, lines in parallel with rayon as ``workers`` asks.

So far: ``scipy.fft``'s ``fft``, ``ifft``, ``rfft`` and ``irfft``, every argument as SciPy has it
(``n`` cropping or zero-padding, any ``axis``, the three ``norm``\\ s, ``workers`` with SciPy's
rules, ``overwrite_x``), for float32/complex64 (in single precision) and every other real,
integer or complex input in double precision. Whatever it does not cover declines, so the call
passes to the next backend, SciPy, which computes it (or raises SciPy's error for bad input):
long double input, a ``plan``, ``n < 1``, a zero-length axis, an axis out of range.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import _core
from .._core import BackendNotImplementedError
from ._base import Backend



def _precision(dtype: np.dtype) -> str:
    """SciPy's rule: half and single precision compute in single, long double is its own,
    everything else (integers, bools, double) in double. Byte order does not matter."""
    if dtype.kind == "f":
        return "single" if dtype.itemsize <= 4 else ("double" if dtype.itemsize == 8 else "long")
    if dtype.kind == "c":
        return "single" if dtype.itemsize <= 8 else ("double" if dtype.itemsize == 16 else "long")
    return "double"


def _decline(name: str, why: str) -> BackendNotImplementedError:
    return BackendNotImplementedError(f"native: scipy.fft.{name}: {why}")


def _workers(workers: Any, name: str) -> int:
    """SciPy's rules: None -> the scipy.fft.set_workers default; negative counts back from
    the number of CPUs (-1: all of them)."""
    if workers is None:
        import scipy.fft

        workers = scipy.fft.get_workers()
    workers = int(workers)
    if workers < 0:
        workers += (os.cpu_count() or 1) + 1
    if workers <= 0:
        raise _decline(name, f"workers={workers}")  # SciPy raises ValueError for it
    return workers


def _scale(norm: Any, n: int, forward: bool, name: str) -> float:
    if norm in (None, "backward"):
        return 1.0 if forward else 1.0 / n
    if norm == "ortho":
        return 1.0 / math.sqrt(n)
    if norm == "forward":
        return 1.0 / n if forward else 1.0
    raise _decline(name, f"norm={norm!r}")  # SciPy raises ValueError naming the choices


def _prepare(name: str, x: Any, n: Any, axis: Any, plan: Any, real_input: bool) -> tuple[np.ndarray, int, int]:
    if plan is not None:
        raise _decline(name, "plan is not supported")
    x = np.asarray(x)
    precision = _precision(x.dtype)
    if precision == "long":
        raise _decline(name, "long double input")
    if x.ndim == 0:
        raise _decline(name, "0-d input")
    if not (-x.ndim <= int(axis) < x.ndim):
        raise _decline(name, f"axis={axis} out of range")
    axis = int(axis) % x.ndim
    if real_input:
        if x.dtype.kind == "c":
            raise _decline(name, "complex input")  # SciPy: TypeError
        dtype = np.float32 if precision == "single" else np.float64
    else:
        dtype = np.complex64 if precision == "single" else np.complex128
    if x.shape[axis] == 0 and n is None:
        raise _decline(name, "zero-length axis")
    x = x.astype(dtype, copy=False)  # a view where the dtype already matches (any strides)
    return x, axis, x.shape[axis] if n is None else int(n)


def fft_c2c(name: str, forward: bool) -> Callable[..., Any]:
    def transform(x, n=None, axis=-1, norm=None, overwrite_x=False, workers=None, *, plan=None):
        x, axis, n = _prepare(name, x, n, axis, plan, real_input=False)
        if n < 1:
            raise _decline(name, f"n={n}")
        shape = list(x.shape)
        shape[axis] = n
        out = np.empty(shape, dtype=x.dtype)
        _core.fft_c2c(x, out, axis, forward, _scale(norm, n, forward, name), _workers(workers, name))
        return out

    transform.__name__ = name
    return transform


def rfft(x, n=None, axis=-1, norm=None, overwrite_x=False, workers=None, *, plan=None):
    x, axis, n = _prepare("rfft", x, n, axis, plan, real_input=True)
    if n < 1:
        raise _decline("rfft", f"n={n}")
    shape = list(x.shape)
    shape[axis] = n // 2 + 1
    out = np.empty(shape, dtype=np.complex64 if x.dtype == np.float32 else np.complex128)
    _core.fft_r2c(x, out, axis, n, _scale(norm, n, True, "rfft"), _workers(workers, "rfft"))
    return out


def irfft(x, n=None, axis=-1, norm=None, overwrite_x=False, workers=None, *, plan=None):
    x, axis, m = _prepare("irfft", x, None, axis, plan, real_input=False)
    n = 2 * (m - 1) if n is None else int(n)
    if n < 1:
        raise _decline("irfft", f"n={n}")
    shape = list(x.shape)
    shape[axis] = n
    out = np.empty(shape, dtype=np.float32 if x.dtype == np.complex64 else np.float64)
    _core.fft_c2r(x, out, axis, _scale(norm, n, False, "irfft"), _workers(workers, "irfft"))
    return out


IMPLEMENTATIONS: dict[tuple[str, str], Callable[..., Any]] = {
    ("fft", "fft"): fft_c2c("fft", True),
    ("fft", "ifft"): fft_c2c("ifft", False),
    ("fft", "rfft"): rfft,
    ("fft", "irfft"): irfft,
}


class NativeBackend(Backend):
    name = "native"
    modules = ("fft",)

    def implementation(self, module: str, name: str) -> Callable[..., Any] | None:
        return IMPLEMENTATIONS.get((module, name))


backend = NativeBackend()
