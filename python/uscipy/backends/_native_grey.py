"""The native grey-scale morphology of ``scipy.ndimage`` with flat structuring elements:
``grey_erosion``/``grey_dilation`` are the native minimum/maximum filters (``_native_ndimage``),
and ``grey_opening``, ``grey_closing``, ``morphological_gradient``, ``morphological_laplace``,
``white_tophat`` and ``black_tophat`` compose them exactly as SciPy does (the dilation's
reflected footprint and shifted origins included). A non-flat ``structure`` declines: SciPy
computes it.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from ._native_ndimage import _decline, _min_or_max_filter


def _flat_only(name: str, size: Any, footprint: Any, structure: Any) -> None:
    if size is None and footprint is None and structure is None:
        raise ValueError("size, footprint, or structure must be specified")
    if structure is not None:
        raise _decline(name, "a non-flat structure")


def _warn_size_ignored(size: Any, footprint: Any) -> None:
    if size is not None and footprint is not None:
        warnings.warn("ignoring size because footprint is set", UserWarning, stacklevel=3)


def grey_erosion(input, size=None, footprint=None, structure=None, output=None, mode="reflect", cval=0.0,
                 origin=0, *, axes=None):
    _flat_only("grey_erosion", size, footprint, structure)
    return _min_or_max_filter("grey_erosion", input, size, footprint, output, mode, cval, origin, True, axes)


def grey_dilation(input, size=None, footprint=None, structure=None, output=None, mode="reflect", cval=0.0,
                  origin=0, *, axes=None):
    """The maximum over the reflected footprint: origins negated, and moved by one where the
    footprint's length is even (SciPy's rule)."""
    from scipy.ndimage import _ni_support

    _flat_only("grey_dilation", size, footprint, structure)
    if footprint is not None:
        footprint = np.asarray(footprint)
        footprint = footprint[tuple([slice(None, None, -1)] * footprint.ndim)]
    input = np.asarray(input)
    axes = _ni_support._check_axes(axes, input.ndim)
    origin = _ni_support._normalize_sequence(origin, len(axes))
    for ii in range(len(origin)):
        origin[ii] = -origin[ii]
        if footprint is not None:
            sz = footprint.shape[ii]
        elif np.isscalar(size):
            sz = size
        else:
            sz = size[ii]
        if not sz & 1:
            origin[ii] -= 1
    return _min_or_max_filter("grey_dilation", input, size, footprint, output, mode, cval, origin, False, axes)


def grey_opening(input, size=None, footprint=None, structure=None, output=None, mode="reflect", cval=0.0,
                 origin=0, *, axes=None):
    _flat_only("grey_opening", size, footprint, structure)
    _warn_size_ignored(size, footprint)
    tmp = grey_erosion(input, size, footprint, None, None, mode, cval, origin, axes=axes)
    return grey_dilation(tmp, size, footprint, None, output, mode, cval, origin, axes=axes)


def grey_closing(input, size=None, footprint=None, structure=None, output=None, mode="reflect", cval=0.0,
                 origin=0, *, axes=None):
    _flat_only("grey_closing", size, footprint, structure)
    _warn_size_ignored(size, footprint)
    tmp = grey_dilation(input, size, footprint, None, None, mode, cval, origin, axes=axes)
    return grey_erosion(tmp, size, footprint, None, output, mode, cval, origin, axes=axes)


def morphological_gradient(input, size=None, footprint=None, structure=None, output=None, mode="reflect",
                           cval=0.0, origin=0, *, axes=None):
    _flat_only("morphological_gradient", size, footprint, structure)
    tmp = grey_dilation(input, size, footprint, None, None, mode, cval, origin, axes=axes)
    if isinstance(output, np.ndarray):
        grey_erosion(input, size, footprint, None, output, mode, cval, origin, axes=axes)
        return np.subtract(tmp, output, output)
    return tmp - grey_erosion(input, size, footprint, None, None, mode, cval, origin, axes=axes)


def morphological_laplace(input, size=None, footprint=None, structure=None, output=None, mode="reflect",
                          cval=0.0, origin=0, *, axes=None):
    _flat_only("morphological_laplace", size, footprint, structure)
    input = np.asarray(input)
    tmp1 = grey_dilation(input, size, footprint, None, None, mode, cval, origin, axes=axes)
    if isinstance(output, np.ndarray):
        grey_erosion(input, size, footprint, None, output, mode, cval, origin, axes=axes)
        np.add(tmp1, output, output)
        np.subtract(output, input, output)
        return np.subtract(output, input, output)
    tmp2 = grey_erosion(input, size, footprint, None, None, mode, cval, origin, axes=axes)
    np.add(tmp1, tmp2, tmp2)
    np.subtract(tmp2, input, tmp2)
    np.subtract(tmp2, input, tmp2)
    return tmp2


def _tophat(name: str, white: bool) -> Callable[..., Any]:
    """white: input - opening(input); black: closing(input) - input (xor for booleans)."""

    def tophat(input, size=None, footprint=None, structure=None, output=None, mode="reflect", cval=0.0,
               origin=0, *, axes=None):
        _flat_only(name, size, footprint, structure)
        input = np.asarray(input)
        _warn_size_ignored(size, footprint)
        first, second = (grey_erosion, grey_dilation) if white else (grey_dilation, grey_erosion)
        tmp = first(input, size, footprint, None, None, mode, cval, origin, axes=axes)
        tmp = second(tmp, size, footprint, None, output, mode, cval, origin, axes=axes)
        if tmp is None:
            tmp = output
        if input.dtype == np.bool_ and tmp.dtype == np.bool_:
            np.bitwise_xor(input, tmp, out=tmp)
        elif white:
            np.subtract(input, tmp, out=tmp)
        else:
            np.subtract(tmp, input, out=tmp)
        return tmp

    tophat.__name__ = name
    return tophat


IMPLEMENTATIONS: dict[tuple[str, str], Callable[..., Any]] = {
    ("ndimage", f.__name__): f
    for f in (grey_erosion, grey_dilation, grey_opening, grey_closing, morphological_gradient,
              morphological_laplace, _tophat("white_tophat", True), _tophat("black_tophat", False))
}
