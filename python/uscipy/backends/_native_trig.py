"""The native cosine and sine transforms: ``dct``, ``idct``, ``dst``, ``idst`` of types 1 to 4
and their N-D forms ``dctn``, ``idctn``, ``dstn``, ``idstn``, on rustdct (types I, III, IV)
and our own DCT-II through one real FFT (``crates/kernels/src/fft``).

SciPy's unnormalised transforms are twice rustdct's. With M the logical length (2(N-1) for
DCT-I, 2(N+1) for DST-I, else 2N), the inverse of a type is the type itself for I and IV and
the other one for II and III, scaled by 2/M; "ortho" scales by 2/sqrt(M) and, orthogonalised,
multiplies the edge inputs of types I and III by sqrt(2) and divides the edge outputs of types
I and II by sqrt(2) (first for cosines, last for sines, both for DCT-I). Complex input is
transformed as SciPy does, real and imaginary parts separately (into the output's two halves).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import _core
from . import _native_output as _output
from ._native_fft_args import decline, fit, precision, shape_and_axes, workers_count

_NORMS = (None, "backward", "ortho", "forward")


def _factors(name: str, kind: int, n: int, norm: Any, orthogonalize: Any, inverse: bool, sine: bool) -> tuple[int, float, float, float]:
    """(the type rustdct runs, scale, edge_in, edge_out) of one axis of length ``n``."""
    if kind not in (1, 2, 3, 4):
        raise decline(name, f"type={kind!r}")  # SciPy: ValueError
    if n < 1 or (kind == 1 and not sine and n < 2):
        raise decline(name, f"n={n} for type {kind}")  # SciPy raises its own error
    if norm not in _NORMS:
        raise decline(name, f"norm={norm!r}")
    ortho = norm == "ortho"
    if orthogonalize is not None and bool(orthogonalize) != ortho:
        raise decline(name, f"orthogonalize={orthogonalize} with norm={norm!r}")
    runs = {2: 3, 3: 2}.get(kind, kind) if inverse else kind
    logical = 2 * (n - 1) if (kind == 1 and not sine) else 2 * (n + 1) if kind == 1 else 2 * n
    if ortho:
        scale = 2.0 / math.sqrt(logical)
    elif (norm == "forward") != inverse:  # the direction this norm scales
        scale = 2.0 / logical
    else:
        scale = 2.0
    cosine_one = runs == 1 and not sine
    edge_in = math.sqrt(2.0) if ortho and (runs == 3 or cosine_one) else 1.0
    edge_out = 1.0 / math.sqrt(2.0) if ortho and (runs == 2 or cosine_one) else 1.0
    return runs, scale, edge_in, edge_out


def _as_input(name: str, x: Any) -> np.ndarray:
    x = np.asarray(x)
    level = precision(x.dtype)
    if level == "long":
        raise decline(name, "long double input")
    if x.ndim == 0:
        raise decline(name, "0-d input")
    if x.dtype.kind == "c":
        return x.astype(np.complex64 if level == "single" else np.complex128, copy=False)
    return x.astype(np.float32 if level == "single" else np.float64, copy=False)


def _parts(x: np.ndarray, out: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """(input, output) real arrays to transform: the real and imaginary halves if complex."""
    if x.dtype.kind == "c":
        return [(x.real, out.real), (x.imag, out.imag)]
    return [(x, out)]


def trig(name: str, inverse: bool, sine: bool) -> Callable[..., Any]:
    def transform(x, type=2, n=None, axis=-1, norm=None, overwrite_x=False, workers=None, orthogonalize=None):
        x = _as_input(name, x)
        if not -x.ndim <= int(axis) < x.ndim:
            raise decline(name, f"axis={axis} out of range")
        axis = int(axis) % x.ndim
        length = x.shape[axis] if n is None else int(n)
        runs, *factors = _factors(name, type, length, norm, orthogonalize, inverse, sine)
        threads = workers_count(workers, name)
        shape = list(x.shape)
        shape[axis] = length
        out = _output.empty(shape, x.dtype)
        for part, into in _parts(x, out):
            _core.r2r(part, into, axis, sine, runs, *factors, threads)
        return out

    transform.__name__ = name
    return transform


def trig_nd(name: str, inverse: bool, sine: bool) -> Callable[..., Any]:
    """dctn/idctn/dstn/idstn: one out-of-place pass, then in-place passes over the output."""

    def transform(x, type=2, s=None, axes=None, norm=None, overwrite_x=False, workers=None, *, orthogonalize=None):
        x = _as_input(name, x)
        shape, axes = shape_and_axes(name, x, s, axes, None)
        passes = [(axis, *_factors(name, type, n, norm, orthogonalize, inverse, sine)) for axis, n in zip(axes, shape)]
        threads = workers_count(workers, name)
        x = fit(x, dict(zip(axes, shape)))
        out = _output.empty(x.shape, x.dtype)
        for part, into in _parts(x, out):
            (axis, runs, *factors), *rest = passes
            _core.r2r(part, into, axis, sine, runs, *factors, threads)
            for axis, runs, *factors in rest:
                _core.r2r_inplace(into, axis, sine, runs, *factors, threads)
        return out

    transform.__name__ = name
    return transform


TRIG: dict[str, Callable[..., Any]] = {
    "dct": trig("dct", False, False),
    "idct": trig("idct", True, False),
    "dst": trig("dst", False, True),
    "idst": trig("idst", True, True),
    "dctn": trig_nd("dctn", False, False),
    "idctn": trig_nd("idctn", True, False),
    "dstn": trig_nd("dstn", False, True),
    "idstn": trig_nd("idstn", True, True),
}
