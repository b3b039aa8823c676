"""The native spline interpolation of ``scipy.ndimage``: ``map_coordinates``,
``affine_transform``, ``shift``, ``zoom`` and ``rotate``, with the Rust kernel
``crates/kernels/src/ndimage/interpolate`` doing SciPy's ``NI_GeometricTransform`` and
``NI_ZoomShift`` (output points in parallel, the GIL released) after the native B-spline
prefilter (``_native_spline``).

Every step follows SciPy's ``_interpolation.py``: the same argument checks and errors (through
SciPy's own ``_ni_support`` helpers), the same prepadding for ``nearest`` and ``grid-constant``,
complex input as its real and imaginary parts, and the kernel does SciPy's arithmetic in
SciPy's order, so outputs equal SciPy's bit for bit, integer outputs rounded as SciPy rounds.

Declined (the call passes to SciPy, which computes it or raises its own error): input,
coordinate or output dtypes SciPy's C code does not read (float16, long double, object), output
arrays in non-native byte order, read-only or sharing memory with the input or the coordinates
(SciPy reads what it has written there), and coordinates so far outside the input that SciPy
casts them beyond ``npy_intp`` (its result is then undefined behaviour).
``geometric_transform`` takes a Python callable and stays with SciPy.

Where SciPy's own C code misbehaves the native kernel gives the answer the mode implies: a NaN
coordinate in ``nearest`` or ``grid-constant`` mode (SciPy casts NaN to an integer, undefined
behaviour; its build reads out of bounds and can crash) gives NaN for orders above 0 (order 0:
the sample SciPy's x86-64 build reads, the first along that axis, or ``cval``); a NaN ``shift``
or zoom coordinate in modes other than ``constant`` (SciPy dereferences a null table) gives
``cval``.

``rotate`` of N-D input works plane by plane, as SciPy does.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
from scipy import special
from scipy.ndimage import _ni_support

from .. import _core
from ._native_ndimage import _decline, _supported, threads
from ._native_spline import spline_filter

_PADDED_MODES = ("nearest", "grid-constant")
_PAD = 12  # SciPy's ``_prepad_for_spline_filter``


def _input(name: str, input: Any) -> np.ndarray:
    x = np.asarray(input)
    complex_parts = x.dtype.kind == "c" and x.dtype.itemsize in (8, 16)  # float32/float64 parts
    if not (complex_parts or _supported(x.dtype)):
        raise _decline(name, f"input dtype {x.dtype}")
    return x


def _check_order(name: str, order: Any) -> None:
    if order < 0 or order > 5:
        raise RuntimeError("spline order not supported")
    if not isinstance(order, (int, np.integer)):
        raise _decline(name, f"order={order!r}")  # SciPy: TypeError from its C argument parsing


def _writable(name: str, output: np.ndarray, *read: np.ndarray) -> None:
    if not _supported(output.dtype) or not output.dtype.isnative:
        raise _decline(name, f"output dtype {output.dtype}")
    if not output.flags.writeable:
        raise _decline(name, "read-only output")
    if any(np.may_share_memory(output, r) for r in read):
        raise _decline(name, "output sharing memory with what is read")


def _prefiltered(input: np.ndarray, order: int, mode: Any, cval: Any, prefilter: bool) -> tuple[np.ndarray, int]:
    """SciPy's prefilter step: the B-spline coefficients (float64, padded by 12 for ``nearest``
    and ``grid-constant``) and the padding; the input itself when not prefiltering."""
    if not (prefilter and order > 1):
        return (input if input.dtype.isnative else input.astype(input.dtype.newbyteorder("="))), 0
    npad = _PAD if mode in _PADDED_MODES else 0
    if npad:
        if mode == "grid-constant":
            input = np.pad(input, npad, mode="constant", constant_values=cval)
        else:
            input = np.pad(input, npad, mode="edge")
    return spline_filter(input, order, output=np.float64, mode=mode), npad


def _ran(name: str, computed: bool) -> None:
    if not computed:
        raise _decline(name, "coordinates beyond what SciPy's C code can index (undefined there)")


def _parts(input: np.ndarray, output: np.ndarray, cval: Any):
    """(input, output, cval) per real part: complex arrays as SciPy splits them."""
    if input.dtype.kind == "c":
        return [(input.real, output.real, np.real(cval)), (input.imag, output.imag, np.imag(cval))]
    return [(input, output, cval)]


def map_coordinates(input, coordinates, output=None, order=3, mode="constant", cval=0.0, prefilter=True):
    name = "map_coordinates"
    _check_order(name, order)
    input = _input(name, input)
    coordinates = np.asarray(coordinates)
    if np.iscomplexobj(coordinates):
        raise TypeError("Complex type not supported")
    if not _supported(coordinates.dtype):
        raise _decline(name, f"coordinates dtype {coordinates.dtype}")
    output_shape = coordinates.shape[1:]
    if input.ndim < 1 or len(output_shape) < 1:
        raise RuntimeError("input and output rank must be > 0")
    if coordinates.shape[0] != input.ndim:
        raise RuntimeError("invalid shape for coordinate array")
    output = _ni_support._get_output(output, input, shape=output_shape, complex_output=input.dtype.kind == "c")
    coordinates = np.asarray(coordinates, dtype=np.float64)  # exact for every dtype SciPy reads
    for part, out, value in _parts(input, output, cval):
        filtered, npad = _prefiltered(part, order, mode, value, prefilter)
        _writable(name, out, filtered, coordinates)
        code = _ni_support._extend_mode_to_code(mode)
        _ran(name, _core.nd_map_coordinates(filtered, coordinates, out, int(order), code, float(value),
                                            npad, threads()))
    return output


def _affine_matrix(matrix: Any, offset: Any, shape: tuple[int, ...], out_ndim: int) -> tuple[np.ndarray, np.ndarray]:
    """SciPy's reading of ``matrix`` and ``offset`` (homogeneous matrices included)."""
    ndim = len(shape)
    matrix = np.asarray(matrix, dtype=np.float64)
    if matrix.ndim not in [1, 2] or matrix.shape[0] < 1:
        raise RuntimeError("no proper affine matrix provided")
    if matrix.ndim == 2 and matrix.shape[1] == ndim + 1 and matrix.shape[0] in [ndim, ndim + 1]:
        if matrix.shape[0] == ndim + 1:
            exptd = [0] * ndim + [1]
            if not np.all(matrix[ndim] == exptd):
                raise ValueError(
                    f"Expected homogeneous transformation matrix with shape {matrix.shape} for image "
                    f"shape {shape}, but bottom row was not equal to {exptd}"
                )
        offset = matrix[:ndim, ndim]
        matrix = matrix[:ndim, :ndim]
    if matrix.shape[0] != ndim:
        raise RuntimeError("affine matrix has wrong number of rows")
    if matrix.ndim == 2 and matrix.shape[1] != out_ndim:
        raise RuntimeError("affine matrix has wrong number of columns")
    offset = np.asarray(_ni_support._normalize_sequence(offset, ndim), dtype=np.float64)
    if offset.ndim != 1 or offset.shape[0] < 1:
        raise RuntimeError("no proper offset provided")
    return matrix, offset


def affine_transform(input, matrix, offset=0.0, output_shape=None, output=None, order=3, mode="constant",
                     cval=0.0, prefilter=True):
    name = "affine_transform"
    _check_order(name, order)
    input = _input(name, input)
    if output_shape is None:
        output_shape = output.shape if isinstance(output, np.ndarray) else input.shape
    if input.ndim < 1 or len(output_shape) < 1:
        raise RuntimeError("input and output rank must be > 0")
    output = _ni_support._get_output(output, input, shape=output_shape, complex_output=input.dtype.kind == "c")
    for part, out, value in _parts(input, output, cval):
        filtered, npad = _prefiltered(part, order, mode, value, prefilter)
        _writable(name, out, filtered)
        _affine_into(name, filtered, npad, part.shape, matrix, offset, out, order, mode, value)
    return output


def _affine_into(name: str, filtered: np.ndarray, npad: int, shape: tuple[int, ...], matrix: Any, offset: Any,
                 out: np.ndarray, order: int, mode: Any, cval: Any) -> None:
    """``shape``: the input's before padding (SciPy's error messages name it)."""
    code = _ni_support._extend_mode_to_code(mode)
    matrix, offset = _affine_matrix(matrix, offset, shape, out.ndim)
    if matrix.ndim == 1:
        with np.errstate(divide="ignore", invalid="ignore"):
            shift = offset / matrix  # SciPy's zoom_shift arguments for a diagonal matrix
        computed = _core.nd_zoom_shift(filtered, matrix.tolist(), shift.tolist(), out, int(order), code,
                                       float(cval), npad, False, threads())
    else:
        computed = _core.nd_affine_transform(filtered, matrix.ravel().tolist(), offset.tolist(), out,
                                             int(order), code, float(cval), npad, threads())
    _ran(name, computed)


def shift(input, shift, output=None, order=3, mode="constant", cval=0.0, prefilter=True):
    name = "shift"
    _check_order(name, order)
    input = _input(name, input)
    if input.ndim < 1:
        raise RuntimeError("input and output rank must be > 0")
    output = _ni_support._get_output(output, input, complex_output=input.dtype.kind == "c")
    shifts = [-float(s) for s in _ni_support._normalize_sequence(shift, input.ndim)]
    for part, out, value in _parts(input, output, cval):
        filtered, npad = _prefiltered(part, order, mode, value, prefilter)
        _writable(name, out, filtered)
        code = _ni_support._extend_mode_to_code(mode)
        _ran(name, _core.nd_zoom_shift(filtered, None, shifts, out, int(order), code, float(value), npad,
                                       False, threads()))
    return output


def zoom(input, zoom, output=None, order=3, mode="constant", cval=0.0, prefilter=True, *, grid_mode=False):
    name = "zoom"
    _check_order(name, order)
    input = _input(name, input)
    if input.ndim < 1:
        raise RuntimeError("input and output rank must be > 0")
    zoom = _ni_support._normalize_sequence(zoom, input.ndim)
    output_shape = tuple([int(round(ii * jj)) for ii, jj in zip(input.shape, zoom)])
    output = _ni_support._get_output(output, input, shape=output_shape, complex_output=input.dtype.kind == "c")
    if all(z == 1 for z in zoom) and prefilter:  # SciPy's early exit (gh-20999)
        output[...] = input
        return output
    if input.dtype.kind == "c":
        grid_mode = False  # SciPy zooms the real and imaginary parts without passing grid_mode on
    if grid_mode:
        suggest = {"constant": "grid-constant", "wrap": "grid-wrap"}.get(mode)
        if suggest is not None:
            warnings.warn(
                f"It is recommended to use mode = {suggest} instead of {mode} when grid_mode is True.",
                stacklevel=2,
            )
    zoom_div = np.array(output_shape)
    zoom_nominator = np.array(input.shape)
    if not grid_mode:
        zoom_div -= 1
        zoom_nominator -= 1
    # SciPy: zooming to infinite values is unpredictable, so it takes zoom factor 1 instead.
    factors = np.divide(zoom_nominator, zoom_div, out=np.ones_like(input.shape, dtype=np.float64),
                        where=zoom_div != 0)
    for part, out, value in _parts(input, output, cval):
        filtered, npad = _prefiltered(part, order, mode, value, prefilter)
        _writable(name, out, filtered)
        code = _ni_support._extend_mode_to_code(mode)
        _ran(name, _core.nd_zoom_shift(filtered, factors.tolist(), None, out, int(order), code, float(value),
                                       npad, bool(grid_mode), threads()))
    return output


def rotate(input, angle, axes=(1, 0), reshape=True, output=None, order=3, mode="constant", cval=0.0,
           prefilter=True):
    name = "rotate"
    input_arr = _input(name, input)
    ndim = input_arr.ndim
    if ndim < 2:
        raise ValueError("input array should be at least 2D")
    axes = list(axes)
    if len(axes) != 2:
        raise ValueError("axes should contain exactly two values")
    if not all([float(ax).is_integer() for ax in axes]):
        raise ValueError("axes should contain only integer values")
    if axes[0] < 0:
        axes[0] += ndim
    if axes[1] < 0:
        axes[1] += ndim
    if axes[0] < 0 or axes[1] < 0 or axes[0] >= ndim or axes[1] >= ndim:
        raise ValueError("invalid rotation plane specified")
    axes.sort()
    c, s = special.cosdg(angle), special.sindg(angle)
    rot_matrix = np.array([[c, s], [-s, c]])
    img_shape = np.asarray(input_arr.shape)
    in_plane_shape = img_shape[axes]
    if reshape:
        iy, ix = in_plane_shape
        out_bounds = rot_matrix @ [[0, 0, iy, iy], [0, ix, 0, ix]]
        out_plane_shape = (np.ptp(out_bounds, axis=1) + 0.5).astype(int)
    else:
        out_plane_shape = img_shape[axes]
    out_center = rot_matrix @ ((out_plane_shape - 1) / 2)
    in_center = (in_plane_shape - 1) / 2
    offset = in_center - out_center
    output_shape = img_shape
    output_shape[axes] = out_plane_shape
    output_shape = tuple(output_shape)
    output = _ni_support._get_output(output, input_arr, shape=output_shape,
                                     complex_output=input_arr.dtype.kind == "c")
    if ndim <= 2:
        return affine_transform(input_arr, rot_matrix, offset, output_shape, output, order, mode, cval, prefilter)
    _check_order(name, order)
    for part, out, value in _parts(input_arr, output, cval):
        # Plane by plane as SciPy does: temporaries the size of one plane.
        planes = itertools.product(*[[slice(None)] if ax in axes else range(img_shape[ax]) for ax in range(ndim)])
        for plane in planes:
            filtered, npad = _prefiltered(part[plane], order, mode, value, prefilter)
            _writable(name, out[plane], filtered)
            _affine_into(name, filtered, npad, part[plane].shape, rot_matrix, offset, out[plane], order, mode, value)
    return output


IMPLEMENTATIONS: dict[tuple[str, str], Callable[..., Any]] = {
    ("ndimage", "map_coordinates"): map_coordinates,
    ("ndimage", "affine_transform"): affine_transform,
    ("ndimage", "shift"): shift,
    ("ndimage", "zoom"): zoom,
    ("ndimage", "rotate"): rotate,
}
