"""Test data shared by the native ndimage tests: random values of every SciPy dtype, the
memory layouts (C, Fortran, strided, reversed, big-endian) the kernels must read alike, and a
call that must run on the native backend."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

import uscipy

MODES = ["reflect", "constant", "nearest", "mirror", "wrap", "grid-constant", "grid-mirror", "grid-wrap"]
LAYOUTS = ["c", "f", "strided", "reversed", "big-endian"]


def values(rng: np.random.Generator, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    dtype = np.dtype(dtype)
    if dtype.kind == "b":
        return rng.random(shape) > 0.5
    if dtype.kind == "f":
        return (rng.standard_normal(shape) * 10).astype(dtype)
    info = np.iinfo(dtype)
    lo, hi = max(info.min, -1000), min(info.max, 1000)
    return rng.integers(lo, hi, shape, endpoint=True).astype(dtype)


def layout(x: np.ndarray, how: str) -> np.ndarray:
    if how == "f":
        return np.asfortranarray(x)
    if how == "strided":
        return np.repeat(x, 2, axis=-1)[..., ::2]
    if how == "reversed":  # the same values, read backwards in memory
        return np.ascontiguousarray(x[..., ::-1])[..., ::-1]
    if how == "big-endian" and x.dtype.itemsize > 1:
        return x.astype(x.dtype.newbyteorder(">"))
    return x


def drawn_layout(draw, x: np.ndarray) -> np.ndarray:
    """``x`` in a layout hypothesis draws."""
    return layout(x, draw(st.sampled_from(LAYOUTS)))


def native(function: str, *args, **kwargs):
    """``uscipy.ndimage.<function>`` with native selected; checks that native ran."""
    with uscipy.set_backend("native", only=True), uscipy.trace() as t:
        result = getattr(uscipy.ndimage, function)(*args, **kwargs)
    assert [c.backend.name for c in t] == ["native"], [(c.function, c.backend) for c in t]
    return result
