"""The native ``scipy.ndimage`` Fourier filters: ``fourier_gaussian``, ``fourier_uniform``,
``fourier_ellipsoid`` and ``fourier_shift`` on uscipy's Rust kernel
(``crates/kernels/src/fourier.rs``), in parallel on ``_native_ndimage.threads()`` threads.

Output arrays follow SciPy's rules (``output=None``: the input's dtype for float32, complex64
and complex128, else float64; complex128 or the input's complex dtype for ``fourier_shift``).
Inputs of other dtypes than float32/float64/complex64/complex128 (bool, integers) are read in
double precision, as SciPy's kernel reads them, through a converted copy. What SciPy rejects
(a complex input with a real output, unsupported output dtypes, a wrong output shape, a
parameter sequence of the wrong length, ``fourier_ellipsoid`` beyond 3-D, an axis out of
range) declines, so SciPy raises its own error.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .. import _core
from .._core import BackendNotImplementedError
from ._native_ndimage import threads

# Scalar types, as SciPy compares them (any byte order).
_REAL_OUT = {np.float32, np.float64}
_COMPLEX_OUT = {np.complex64, np.complex128}
_KERNEL_TYPES = _REAL_OUT | _COMPLEX_OUT


def _decline(name: str, why: str) -> BackendNotImplementedError:
    return BackendNotImplementedError(f"native: scipy.ndimage.{name}: {why}")


def _output(name: str, output: Any, x: np.ndarray, complex_only: bool) -> np.ndarray:
    allowed = _COMPLEX_OUT if complex_only else _REAL_OUT | _COMPLEX_OUT
    if output is None:
        # SciPy: the input's own dtype (byte order included) for these, else native double.
        keeps = _COMPLEX_OUT if complex_only else _COMPLEX_OUT | {np.float32}
        dtype = x.dtype if x.dtype.type in keeps else np.dtype(np.complex128 if complex_only else np.float64)
        return np.zeros(x.shape, dtype=dtype)
    if isinstance(output, type):
        if output not in allowed:
            raise _decline(name, f"output={output!r}")  # SciPy: RuntimeError
        return np.zeros(x.shape, dtype=output)
    if not isinstance(output, np.ndarray) or output.shape != x.shape or output.dtype.type not in allowed:
        raise _decline(name, "output array of another shape or dtype")
    if x.dtype.kind == "c" and output.dtype.kind != "c":
        raise _decline(name, "complex input with a real output")
    return output


def _per_axis(name: str, value: Any, ndim: int) -> list[float]:
    """SciPy's ``_normalize_sequence``: a scalar for every axis, or one value per axis."""
    values = np.asarray(value, dtype=np.float64)
    if values.ndim == 0:
        return [float(values)] * ndim
    if values.shape != (ndim,):
        raise _decline(name, f"{values.size} parameters for {ndim} axes")  # SciPy: RuntimeError
    return [float(v) for v in values]


def filter_(name: str, kind: str) -> Callable[..., Any]:
    complex_only = kind == "shift"

    def run(input, parameter, n=-1, axis=-1, output=None):
        x = np.asarray(input)
        if kind == "ellipsoid" and x.ndim > 3:
            raise _decline(name, f"{x.ndim}-D input")  # SciPy: NotImplementedError
        if x.ndim == 0 or not -x.ndim <= int(axis) < x.ndim:
            raise _decline(name, f"axis={axis} for a {x.ndim}-D input")
        axis = int(axis) % x.ndim
        parameters = _per_axis(name, parameter, x.ndim)
        n = int(n)
        out = _output(name, output, x, complex_only)
        if x.size == 0:
            return out
        if x.dtype.type not in _KERNEL_TYPES or not x.dtype.isnative:
            x = x.astype(np.complex128 if x.dtype.kind == "c" else np.float64)
        work = out if out.dtype.isnative else np.empty(out.shape, out.dtype.newbyteorder("="))
        _core.fourier_filter(x, work, kind, parameters, n, axis, threads())
        if work is not out:
            out[...] = work
        return out

    run.__name__ = name
    return run


# SciPy's parameter names differ per function (sigma, size, shift): same positions.
_FILTERS = {"fourier_gaussian": "gaussian", "fourier_uniform": "uniform", "fourier_ellipsoid": "ellipsoid",
            "fourier_shift": "shift"}
_PARAMETER = {"fourier_gaussian": "sigma", "fourier_uniform": "size", "fourier_ellipsoid": "size",
              "fourier_shift": "shift"}


def _with_scipy_names(name: str, kind: str) -> Callable[..., Any]:
    inner = filter_(name, kind)
    parameter = _PARAMETER[name]

    def run(input, *args, **kwargs):
        if parameter in kwargs:
            kwargs["parameter"] = kwargs.pop(parameter)
        return inner(input, *args, **kwargs)

    run.__name__ = name
    return run


IMPLEMENTATIONS: dict[tuple[str, str], Callable[..., Any]] = {
    ("ndimage", name): _with_scipy_names(name, kind) for name, kind in _FILTERS.items()
}
