"""The native B-spline prefilters of ``scipy.ndimage``: ``spline_filter1d`` and
``spline_filter`` (orders 2 to 5 filtered by the Rust kernel ``crates/kernels/src/ndimage/
spline.rs``, orders 0 and 1 copied, complex input as its real and imaginary parts), for
float32 or float64 output; other output dtypes, unknown modes and orders SciPy rejects decline.

Which extension each mode's filter starts from follows SciPy: mirror for ``mirror``,
``constant``, ``grid-constant`` and ``wrap``; periodic for ``grid-wrap``; reflect for
``reflect``, ``grid-mirror`` and ``nearest``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .. import _core
from ._native_ndimage import _decline, _same_memory, threads

_MIRROR, _WRAP, _REFLECT = 0, 1, 2
_BOUNDARY = {"mirror": _MIRROR, "constant": _MIRROR, "grid-constant": _MIRROR, "wrap": _MIRROR,
             "grid-wrap": _WRAP, "reflect": _REFLECT, "grid-mirror": _REFLECT, "nearest": _REFLECT}
_FLOAT = (np.float32, np.float64)


def _output(name: str, output: Any, x: np.ndarray) -> np.ndarray:
    complex_input = x.dtype.kind == "c"
    if isinstance(output, np.ndarray):
        if output.shape != x.shape:
            raise _decline(name, "output shape differs")
        wanted = output
    else:
        try:
            dtype = np.dtype(output)
        except TypeError as e:
            raise _decline(name, f"output={output!r}") from e
        if complex_input and dtype.kind != "c":
            dtype = np.result_type(dtype, np.complex64)  # SciPy makes a complex output
        wanted = np.zeros(x.shape, dtype)
    part = wanted.real if complex_input else wanted
    if (complex_input and wanted.dtype.kind != "c") or part.dtype.type not in _FLOAT:
        raise _decline(name, f"output dtype {wanted.dtype}")
    return wanted


def _filter_into(name: str, x: np.ndarray, out: np.ndarray, order: int, axis: int, mode: Any) -> None:
    """One axis, real parts: ``out`` may be ``x`` (filtered in place: the kernel reads each
    block of lines whole before writing it back)."""
    if order in (0, 1):
        out[...] = x
        return
    work = out if out.dtype.isnative else np.empty(out.shape, out.dtype.newbyteorder("="))
    if work is x or _same_memory(x, work):
        _core.nd_spline_filter1d(None, work, axis, order, _BOUNDARY[mode], threads())
        return
    if x.dtype.type not in _FLOAT or not x.dtype.isnative:
        x = x.astype(np.float64)
    elif np.may_share_memory(x, work):
        x = x.copy()
    _core.nd_spline_filter1d(x, work, axis, order, _BOUNDARY[mode], threads())
    if work is not out:
        out[...] = work


def _check(name: str, order: Any, mode: Any, lowest: int) -> int:
    if not isinstance(order, (int, np.integer)) or not lowest <= order <= 5:
        raise _decline(name, f"order={order!r}")  # SciPy: RuntimeError
    if mode not in _BOUNDARY:
        raise _decline(name, f"mode={mode!r}")  # SciPy: RuntimeError
    return int(order)


def spline_filter1d(input, order=3, axis=-1, output=np.float64, mode="mirror"):
    order = _check("spline_filter1d", order, mode, 0)
    x = np.asarray(input)
    if x.ndim == 0 or not -x.ndim <= axis < x.ndim:
        raise _decline("spline_filter1d", f"axis={axis} for a {x.ndim}-D input")
    out = _output("spline_filter1d", output, x)
    parts = [(x.real, out.real), (x.imag, out.imag)] if x.dtype.kind == "c" else [(x, out)]
    for part, into in parts:
        _filter_into("spline_filter1d", part, into, order, axis % x.ndim, mode)
    return out


def spline_filter(input, order=3, output=np.float64, mode="mirror"):
    order = _check("spline_filter", order, mode, 2)
    x = np.asarray(input)
    out = _output("spline_filter", output, x)
    parts = [(x.real, out.real), (x.imag, out.imag)] if x.dtype.kind == "c" else [(x, out)]
    for part, into in parts:
        if part.ndim == 0:
            into[...] = part
        for axis in range(part.ndim):  # every axis in turn, in place after the first
            _filter_into("spline_filter", part, into, order, axis, mode)
            part = into
    return out


IMPLEMENTATIONS: dict[tuple[str, str], Callable[..., Any]] = {
    ("ndimage", "spline_filter1d"): spline_filter1d,
    ("ndimage", "spline_filter"): spline_filter,
}
