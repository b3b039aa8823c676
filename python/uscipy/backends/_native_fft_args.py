"""SciPy's argument rules for the native FFTs: precision, ``workers``, ``norm``, ``n``/``axis``
and ``s``/``axes``. What the native kernels do not cover raises ``BackendNotImplementedError``
(a decline), so the call passes to the next backend, which computes it or raises SciPy's error."""

from __future__ import annotations

import math
import os
import threading
from typing import Any

import numpy as np

from .._core import BackendNotImplementedError


def precision(dtype: np.dtype) -> str:
    """SciPy's rule: half and single precision compute in single, long double is its own,
    everything else (integers, bools, double) in double. Byte order does not matter."""
    if dtype.kind == "f":
        return "single" if dtype.itemsize <= 4 else ("double" if dtype.itemsize == 8 else "long")
    if dtype.kind == "c":
        return "single" if dtype.itemsize <= 8 else ("double" if dtype.itemsize == 16 else "long")
    return "double"


def decline(name: str, why: str) -> BackendNotImplementedError:
    return BackendNotImplementedError(f"native: scipy.fft.{name}: {why}")


_CPUS = os.cpu_count() or 1


def _scipy_workers() -> int:
    """SciPy's default worker count (``scipy.fft.set_workers``). Its public ``get_workers``
    costs ~280 ns (a missed ``threading.local`` attribute raises internally); the same value
    read from the thread's dict of SciPy's ``_config`` costs ~30 ns. That is SciPy's private
    state, so it is used only where it is what ``get_workers`` reads (tested), else the public
    function."""
    global _scipy_workers
    import scipy.fft

    _scipy_workers = scipy.fft.get_workers
    try:
        from scipy.fft._pocketfft import helper

        config = helper._config
        if helper.get_workers is scipy.fft.get_workers and isinstance(config, threading.local):
            _scipy_workers = lambda: config.__dict__.get("default_workers", 1)  # noqa: E731
    except (ImportError, AttributeError):
        pass
    return _scipy_workers()


def workers_count(workers: Any, name: str) -> int:
    """SciPy's rules: None -> the scipy.fft.set_workers default; negative counts back from
    the number of CPUs (-1: all of them)."""
    if workers is None:
        workers = _scipy_workers()
    if type(workers) is not int:
        workers = int(workers)
    if workers == 1:
        return 1
    if workers < 0:
        workers += _CPUS + 1
    if workers <= 0:
        raise decline(name, f"workers={workers}")  # SciPy raises ValueError for it
    return workers


def scale_for(norm: Any, n: int, forward: bool, name: str) -> float:
    if norm in (None, "backward"):
        return 1.0 if forward else 1.0 / n
    if norm == "ortho":
        return 1.0 / math.sqrt(n)
    if norm == "forward":
        return 1.0 / n if forward else 1.0
    raise decline(name, f"norm={norm!r}")  # SciPy raises ValueError naming the choices


# Already what the kernels take: (real_input, dtype) -> computed in that dtype.
_NATIVE = {
    (True, np.dtype(np.float64)), (True, np.dtype(np.float32)),
    (False, np.dtype(np.complex128)), (False, np.dtype(np.complex64)),
}


def prepare(name: str, x: Any, n: Any, axis: Any, plan: Any, real_input: bool) -> tuple[np.ndarray, int, int]:
    if plan is not None:
        raise decline(name, "plan is not supported")
    if type(x) is not np.ndarray:
        x = np.asarray(x)
    if type(axis) is not int:
        axis = int(axis)
    ndim = x.ndim
    if not (-ndim <= axis < ndim) or ndim == 0:
        raise decline(name, f"axis={axis} out of range" if ndim else "0-d input")
    if axis < 0:
        axis += ndim
    if (real_input, x.dtype) not in _NATIVE:  # convert: a copy in native byte order and SciPy's precision
        level = precision(x.dtype)
        if level == "long":
            raise decline(name, "long double input")
        if real_input:
            if x.dtype.kind == "c":
                raise decline(name, "complex input")  # SciPy: TypeError
            dtype = np.float32 if level == "single" else np.float64
        else:
            dtype = np.complex64 if level == "single" else np.complex128
        x = x.astype(dtype, copy=False)
    length = x.shape[axis]
    if length == 0 and n is None:
        raise decline(name, "zero-length axis")
    return x, axis, length if n is None else int(n)


def shape_and_axes(name: str, x: np.ndarray, s: Any, axes: Any, default_axes: tuple[int, ...] | None) -> tuple[list[int], list[int]]:
    """SciPy's rules for ``s`` and ``axes``; anything unusual (duplicate or empty axes, a length
    mismatch, sizes below 1) declines, so SciPy raises its own error or handles it."""
    if axes is None:
        if default_axes is not None:
            axes = default_axes
        elif s is not None:
            axes = tuple(range(-len(s), 0))
        else:
            axes = tuple(range(x.ndim))
    axes = [int(a) for a in np.atleast_1d(axes)]
    if not axes or any(not -x.ndim <= a < x.ndim for a in axes):
        raise decline(name, f"axes={axes}")
    axes = [a % x.ndim for a in axes]
    if len(set(axes)) != len(axes):
        raise decline(name, "repeated axes")
    shape = [x.shape[a] for a in axes] if s is None else [int(n) for n in np.atleast_1d(s)]
    if len(shape) != len(axes) or min(shape) < 1:
        raise decline(name, f"s={s}")
    return shape, axes


def fit(x: np.ndarray, sizes: dict[int, int]) -> np.ndarray:
    """``x`` cropped or zero-padded along some axes (a view when nothing changes)."""
    if all(x.shape[a] == n for a, n in sizes.items()):
        return x
    shape = list(x.shape)
    for a, n in sizes.items():
        shape[a] = n
    out = np.zeros(shape, dtype=x.dtype)
    common = tuple(slice(0, min(x.shape[i], shape[i])) for i in range(x.ndim))
    out[common] = x[common]
    return out
