"""The native ``watershed_ift`` of ``scipy.ndimage``: SciPy's image foresting transform
(``NI_WatershedIFT``) ported step for step to Rust (``crates/kernels/src/measure/
watershed.rs``), its bucket queue, tie order and quirks included, so labels equal SciPy's;
one thread (the queue is sequential), the GIL released.

SciPy's checks run first, with its exceptions and messages (``TypeError`` for an input other
than uint8/uint16, ``RuntimeError`` for the structure, markers and output); as in SciPy an
``output`` that is not an array is ignored (the markers' dtype is used), and markers are read
as C ``int``s, labels written and read back through the output's dtype.

Declined (the call passes to SciPy): 0-d input; more than 2**32 - 2 elements; an ``output``
array sharing memory with ``input``, or with ``markers`` unless it is the same array.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .. import _core
from ._native_morphology import _generate, decline

# SciPy's list (compared by type, as SciPy does).
_INTEGRAL = [np.int8, np.int16, np.int32, np.int64, np.intc, np.intp]


def _same_array(a: np.ndarray, b: np.ndarray) -> bool:
    return (a.dtype == b.dtype and a.shape == b.shape and a.strides == b.strides
            and a.__array_interface__["data"][0] == b.__array_interface__["data"][0])


def watershed_ift(input, markers, structure=None, output=None):
    name = "watershed_ift"
    input = np.asarray(input)
    if input.dtype.type not in [np.uint8, np.uint16]:
        raise TypeError("only 8 and 16 unsigned inputs are supported")
    if structure is None:
        structure = _generate(input.ndim, 1)
    structure = np.asarray(structure, dtype=bool)
    if structure.ndim != input.ndim:
        raise RuntimeError("structure and input must have equal rank")
    for ii in structure.shape:
        if ii != 3:
            raise RuntimeError("structure dimensions must be equal to 3")
    markers = np.asarray(markers)
    if input.shape != markers.shape:
        raise RuntimeError("input and markers must have equal shape")
    if markers.dtype.type not in _INTEGRAL:
        raise RuntimeError("marker should be of integer type")
    if isinstance(output, np.ndarray):
        if output.dtype.type not in _INTEGRAL:
            raise RuntimeError("output should be of integer type")
        if output.shape != input.shape:
            raise RuntimeError("output shape not correct")
    if input.ndim == 0:
        raise decline(name, "0-d input")
    if input.ndim > 7:
        raise RuntimeError("too many dimensions")
    if input.size >= 2**32 - 1:
        raise decline(name, "more than 2**32 - 2 elements")
    if isinstance(output, np.ndarray):
        if np.may_share_memory(output, input):
            raise decline(name, "output sharing memory with input")
        if np.may_share_memory(output, markers) and not _same_array(output, markers):
            raise decline(name, "output overlapping markers")
        out = np.asarray(output)
    else:
        out = np.zeros(input.shape, dtype=markers.dtype)
    labels = np.empty(input.shape, dtype=np.int32)
    _core.ndimage_watershed_ift(np.ascontiguousarray(input, dtype=input.dtype.newbyteorder("=")),
                                np.ascontiguousarray(markers, dtype=np.int32),
                                [bool(b) for b in structure.ravel()],
                                out.dtype.itemsize * 8, labels)
    out[...] = labels
    return out


IMPLEMENTATIONS: dict[tuple[str, str], Callable[..., Any]] = {
    ("ndimage", "watershed_ift"): watershed_ift,
}
