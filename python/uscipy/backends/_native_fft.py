"""The ``native`` backend's ``scipy.fft``: uscipy's Rust kernels (``crates/kernels/src/fft``) on
NumPy arrays, the GIL released, lines in parallel with rayon as ``workers`` asks.

So far: ``scipy.fft``'s ``fft``, ``ifft``, ``rfft``, ``irfft`` and their 2-D and N-D forms
(``fft2``, ``fftn``, ``rfftn``, ``irfftn``...), and ``dct``/``idct``/``dst``/``idst`` of types II
and III (rustdct),
every argument as SciPy has it
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


def _shape_and_axes(name: str, x: np.ndarray, s: Any, axes: Any, default_axes: tuple[int, ...] | None) -> tuple[list[int], list[int]]:
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
        raise _decline(name, f"axes={axes}")
    axes = [a % x.ndim for a in axes]
    if len(set(axes)) != len(axes):
        raise _decline(name, "repeated axes")
    shape = [x.shape[a] for a in axes] if s is None else [int(n) for n in np.atleast_1d(s)]
    if len(shape) != len(axes) or min(shape) < 1:
        raise _decline(name, f"s={s}")
    return shape, axes


def _fit(x: np.ndarray, sizes: dict[int, int]) -> np.ndarray:
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


def fft_nd(name: str, forward: bool, default_axes: tuple[int, ...] | None) -> Callable[..., Any]:
    """fft2/fftn and their inverses: one out-of-place pass, then in-place passes (no second
    array), each line of each axis transformed by the 1-D kernel."""

    def transform(x, s=None, axes=None, norm=None, overwrite_x=False, workers=None, *, plan=None):
        x, _, _ = _prepare(name, x, None, -1, plan, real_input=False)
        shape, axes = _shape_and_axes(name, x, s, axes, default_axes)
        threads = _workers(workers, name)
        x = _fit(x, dict(zip(axes, shape)))
        out = np.empty(x.shape, dtype=x.dtype)
        _core.fft_c2c(x, out, axes[-1], forward, _scale(norm, shape[-1], forward, name), threads)
        for axis, n in zip(axes[:-1], shape[:-1]):
            _core.fft_c2c_inplace(out, axis, forward, _scale(norm, n, forward, name), threads)
        return out

    transform.__name__ = name
    return transform


def rfft_nd(name: str, default_axes: tuple[int, ...] | None) -> Callable[..., Any]:
    def transform(x, s=None, axes=None, norm=None, overwrite_x=False, workers=None, *, plan=None):
        x, _, _ = _prepare(name, x, None, -1, plan, real_input=True)
        shape, axes = _shape_and_axes(name, x, s, axes, default_axes)
        threads = _workers(workers, name)
        x = _fit(x, dict(zip(axes, shape)))
        last = axes[-1]
        out_shape = list(x.shape)
        out_shape[last] = shape[-1] // 2 + 1
        out = np.empty(out_shape, dtype=np.complex64 if x.dtype == np.float32 else np.complex128)
        _core.fft_r2c(x, out, last, shape[-1], _scale(norm, shape[-1], True, name), threads)
        for axis, n in zip(axes[:-1], shape[:-1]):
            _core.fft_c2c_inplace(out, axis, True, _scale(norm, n, True, name), threads)
        return out

    transform.__name__ = name
    return transform


def irfft_nd(name: str, default_axes: tuple[int, ...] | None) -> Callable[..., Any]:
    def transform(x, s=None, axes=None, norm=None, overwrite_x=False, workers=None, *, plan=None):
        x, _, _ = _prepare(name, x, None, -1, plan, real_input=False)
        if s is None:  # the last axis holds n // 2 + 1 frequencies of an even length
            probe_axes = default_axes if axes is None and default_axes is not None else axes
            _, probe = _shape_and_axes(name, x, None, probe_axes, default_axes)
            s = [x.shape[a] for a in probe]
            s[-1] = max(1, 2 * (s[-1] - 1))  # SciPy's n-D forms make one frequency one point
            axes = probe
        shape, axes = _shape_and_axes(name, x, s, axes, default_axes)
        threads = _workers(workers, name)
        last = axes[-1]
        sizes = dict(zip(axes[:-1], shape[:-1]))
        sizes[last] = shape[-1] // 2 + 1
        work = _fit(x, sizes)
        work = np.array(work, copy=True) if work is x else work  # the input stays untouched
        for axis, n in zip(axes[:-1], shape[:-1]):
            _core.fft_c2c_inplace(work, axis, False, _scale(norm, n, False, name), threads)
        out_shape = list(work.shape)
        out_shape[last] = shape[-1]
        out = np.empty(out_shape, dtype=np.float32 if work.dtype == np.complex64 else np.float64)
        _core.fft_c2r(work, out, last, _scale(norm, shape[-1], False, name), threads)
        return out

    transform.__name__ = name
    return transform


def trig(name: str, inverse: bool, sine: bool) -> Callable[..., Any]:
    """dct/idct/dst/idst of types II and III. With SciPy's conventions, each is twice rustdct's
    unnormalised transform; the inverse of one type is the other, divided by 2N; "ortho" scales
    by sqrt(1/(2N)) and, when orthogonalised, the edge value (first for cosines, last for
    sines) of the type II output by 1/sqrt(2), or of the type III input by sqrt(2)."""

    def transform(x, type=2, n=None, axis=-1, norm=None, overwrite_x=False, workers=None, orthogonalize=None):
        if type not in (2, 3):
            raise _decline(name, f"type={type}")
        x, axis, n = _prepare(name, x, n, axis, None, real_input=True)
        if n < 1:
            raise _decline(name, f"n={n}")
        ortho = norm == "ortho"
        if orthogonalize is not None and bool(orthogonalize) != ortho:
            raise _decline(name, f"orthogonalize={orthogonalize} with norm={norm!r}")
        if norm not in (None, "backward", "ortho", "forward"):
            raise _decline(name, f"norm={norm!r}")
        type2 = (type == 2) != inverse  # the inverse of type II is a type III, and vice versa
        forward_direction = not inverse
        if ortho:
            scale = 2.0 * math.sqrt(1.0 / (2 * n))
        elif (norm == "forward") == forward_direction:
            scale = 1.0 / n  # the scaled direction: 2 / (2N)
        else:
            scale = 2.0
        edge_in = math.sqrt(2.0) if (ortho and not type2) else 1.0
        edge_out = 1.0 / math.sqrt(2.0) if (ortho and type2) else 1.0
        shape = list(x.shape)
        shape[axis] = n
        out = np.empty(shape, dtype=x.dtype)
        _core.r2r23(x, out, axis, sine, type2, scale, edge_in, edge_out, _workers(workers, name))
        return out

    transform.__name__ = name
    return transform


IMPLEMENTATIONS: dict[tuple[str, str], Callable[..., Any]] = {
    ("fft", "dct"): trig("dct", False, False),
    ("fft", "idct"): trig("idct", True, False),
    ("fft", "dst"): trig("dst", False, True),
    ("fft", "idst"): trig("idst", True, True),
    ("fft", "fft"): fft_c2c("fft", True),
    ("fft", "ifft"): fft_c2c("ifft", False),
    ("fft", "rfft"): rfft,
    ("fft", "irfft"): irfft,
    ("fft", "fft2"): fft_nd("fft2", True, (-2, -1)),
    ("fft", "ifft2"): fft_nd("ifft2", False, (-2, -1)),
    ("fft", "fftn"): fft_nd("fftn", True, None),
    ("fft", "ifftn"): fft_nd("ifftn", False, None),
    ("fft", "rfft2"): rfft_nd("rfft2", (-2, -1)),
    ("fft", "rfftn"): rfft_nd("rfftn", None),
    ("fft", "irfft2"): irfft_nd("irfft2", (-2, -1)),
    ("fft", "irfftn"): irfft_nd("irfftn", None),
}

