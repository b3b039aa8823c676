"""The ``native`` backend's binary morphology and Euclidean distance transform of
``scipy.ndimage``: Rust kernels (``crates/kernels/src/morphology``) on NumPy arrays, the GIL
released, rows (and lines) in parallel on ``_native_ndimage.threads()`` threads
(``USCIPY_NUM_THREADS`` or ``os.cpu_count()``; SciPy's functions take no ``workers`` argument).

``binary_erosion`` and ``binary_dilation`` with every argument of SciPy's (structure, origin,
border_value, mask, iterations, output, brute_force: the result is the same either way), and
``binary_opening``, ``binary_closing``, ``binary_propagation``, ``binary_fill_holes``,
``binary_hit_or_miss`` composed from them exactly as SciPy composes them;
``generate_binary_structure`` (SciPy's NumPy code: the same arrays and errors);
``distance_transform_edt`` (sampling, return_distances, return_indices, ``distances=`` and
``indices=`` arrays) with SciPy's feature transform and arithmetic: the same float64 bits and
int32 indices. Outputs equal SciPy's exactly.

Declined (the call passes to SciPy, which computes it or raises its own error): 0-d and empty
inputs; ``axes`` other than None or all axes in order; complex, float16, long double, object
inputs, masks or outputs; a structure of another rank, or empty; origins SciPy rejects;
non-integer ``iterations``/``border_value``/origins; mismatched mask/output/indices/distances
shapes or dtypes; where SciPy's changed-point iterations (``NI_BinaryErosion2``: structure
holding its centre, ``iterations != 1``, ``brute_force=False``) do not compute the erosion: a
mask whose int8 cast differs from its truth values, a non-bool output array with a mask (read
as bool), an axis shorter than the structure that has points past its reflected origin (the
wrong border region's offsets: results differing from brute force, or memory off the array);
EDT of rank > 7 or with non-native-byte-order ``indices``; invalid argument combinations.

Until stable (``iterations < 1``, centre in the structure) is computed as the least fixed point
above the input by raster scans and a queue, which is what SciPy's iterations converge to; a
fixed number of iterations by whole-array passes (vectorised, rows in parallel), then lists of
the changed points once few change.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import _core
from .._core import BackendNotImplementedError
from ._native_ndimage import threads


# dtypes SciPy's C morphology reads (input, mask) and writes (output).
_KINDS = frozenset("biu")


def decline(name: str, why: str) -> BackendNotImplementedError:
    return BackendNotImplementedError(f"native: scipy.ndimage.{name}: {why}")


def _supported(dtype: np.dtype) -> bool:
    return dtype.kind in _KINDS and dtype.itemsize <= 8 or dtype.kind == "f" and dtype.itemsize in (4, 8)


def _bits(name: str, x: np.ndarray, what: str) -> np.ndarray:
    """``x != 0`` as C-contiguous 0/1 bytes."""
    if not _supported(x.dtype):
        raise decline(name, f"{what} dtype {x.dtype}")
    if x.dtype == np.bool_:
        return np.ascontiguousarray(x).view(np.uint8)
    return np.not_equal(x, 0, order="C").view(np.uint8)


def _index(name: str, value: Any, what: str) -> int:
    try:
        return operator.index(value)
    except TypeError:
        raise decline(name, f"{what}={value!r}") from None


def _sequence(name: str, value: Any, rank: int, what: str) -> list[Any]:
    """SciPy's ``_normalize_sequence``: a scalar repeated, or a sequence of ``rank`` values."""
    if isinstance(value, str) or not hasattr(value, "__len__"):
        return [value] * rank
    value = list(value)
    if len(value) != rank:
        raise decline(name, f"{what} of length {len(value)} for rank {rank}")
    return value


def _axes(name: str, axes: Any, ndim: int) -> None:
    if axes is None:
        return
    try:
        axes = tuple(operator.index(a) for a in (axes if np.iterable(axes) else (axes,)))
    except TypeError:
        raise decline(name, f"axes={axes!r}") from None
    if axes != tuple(range(ndim)):
        raise decline(name, f"axes={axes}")


def _input(name: str, input: Any) -> np.ndarray:
    x = np.asarray(input)
    if x.ndim == 0 or x.size == 0:
        raise decline(name, "0-d or empty input")
    return x


def _structure(name: str, structure: Any, ndim: int) -> np.ndarray:
    if structure is None:
        return _generate(ndim, 1)
    s = np.asarray(structure)
    if s.ndim != ndim:
        raise decline(name, f"structure of rank {s.ndim} for rank {ndim}")
    if s.size < 1:
        raise decline(name, "empty structure")
    if s.dtype.kind not in "biuf":
        raise decline(name, f"structure dtype {s.dtype}")
    return s


def _generate(rank: int, connectivity: int) -> np.ndarray:
    """SciPy's generate_binary_structure (its code: the same results and errors)."""
    if connectivity < 1:
        connectivity = 1
    if rank < 1:
        return np.array(True, dtype=bool)
    output = np.fabs(np.indices([3] * rank) - 1)
    output = np.add.reduce(output, 0)
    return output <= connectivity


def generate_binary_structure(rank, connectivity):
    return _generate(rank, connectivity)


def _erode(name: str, input: np.ndarray, structure: Any, iterations: Any, mask: Any, output: Any,
           border_value: Any, origin: Any, invert: bool, brute_force: bool) -> np.ndarray:
    """SciPy's ``_binary_erosion`` (axes already checked to be all of them)."""
    iterations = _index(name, iterations, "iterations")
    border = bool(_index(name, border_value, "border_value"))
    ndim = input.ndim
    if input.dtype.kind == "c":
        raise decline(name, "complex input")
    structure = np.asarray(_structure(name, structure, ndim), dtype=bool)
    origin = [_index(name, o, "origin") for o in _sequence(name, origin, ndim, "origin")]
    for o, s in zip(origin, structure.shape):
        if not -(s // 2) <= o <= (s - 1) // 2:
            raise decline(name, f"origin {origin} for structure shape {structure.shape}")
    center = bool(structure[tuple(o + s // 2 for o, s in zip(origin, structure.shape))])
    changed_lists = iterations != 1 and center and not brute_force  # SciPy's NI_BinaryErosion2
    if changed_lists:
        # NI_BinaryErosion2 visits the neighbours of a changed point through the offsets of the
        # border region NI_FILTER_GOTO picks for it; along an axis shorter than the structure
        # it picks the wrong one past the (reflected) origin, reading and writing off the line
        # (a result brute force does not give, or memory off the array): SciPy's to compute.
        for n, s, o in zip(input.shape, structure.shape, origin):
            if n < s and n - 1 > s // 2 - o - (0 if s & 1 else 1):
                raise decline(name, f"axis of length {n} shorter than the structure ({s}) with iterations")
    if isinstance(output, np.ndarray):
        if output.shape != input.shape:
            raise decline(name, "output shape")
        if not _supported(output.dtype) or not output.dtype.isnative:
            raise decline(name, f"output dtype {output.dtype}")
        if changed_lists and mask is not None and output.dtype.itemsize > 1:
            raise decline(name, "mask with a non-bool output array (SciPy reads it as bool)")
    bits = _bits(name, input, "input")
    mask_bits = None
    if mask is not None:
        mask = np.asarray(mask)
        if mask.shape != input.shape:
            raise decline(name, "mask shape")
        mask_bits = _bits(name, mask, "mask")
        if changed_lists and mask.dtype.itemsize > 1:
            with np.errstate(all="ignore"):
                as_int8 = np.asarray(mask, dtype=np.int8) != 0
            if not np.array_equal(as_int8, mask_bits.view(bool)):
                raise decline(name, "mask whose int8 cast differs from its truth values")
    out = np.empty(input.shape, dtype=bool)
    _core.binary_erosion(bits, np.ascontiguousarray(structure).view(np.uint8), origin, mask_bits,
                         out.view(np.uint8), border, invert, iterations, threads())
    if isinstance(output, np.ndarray):
        output[...] = out
        return output
    return out


def _dilate(name: str, input: np.ndarray, structure: Any, iterations: Any, mask: Any, output: Any,
            border_value: Any, origin: Any, brute_force: bool) -> np.ndarray:
    """SciPy's ``binary_dilation``: erosion by the reflected structure, inverted."""
    ndim = input.ndim
    structure = _structure(name, structure, ndim)
    origin = [_index(name, o, "origin") for o in _sequence(name, origin, ndim, "origin")]
    structure = structure[(slice(None, None, -1),) * ndim]
    origin = [-o - (0 if s & 1 else 1) for o, s in zip(origin, structure.shape)]
    return _erode(name, input, structure, iterations, mask, output, border_value, origin, True, brute_force)


def binary_erosion(input, structure=None, iterations=1, mask=None, output=None,
                   border_value=0, origin=0, brute_force=False, *, axes=None):
    input = _input("binary_erosion", input)
    _axes("binary_erosion", axes, input.ndim)
    return _erode("binary_erosion", input, structure, iterations, mask, output, border_value, origin, False, brute_force)


def binary_dilation(input, structure=None, iterations=1, mask=None,
                    output=None, border_value=0, origin=0,
                    brute_force=False, *, axes=None):
    input = _input("binary_dilation", input)
    _axes("binary_dilation", axes, input.ndim)
    return _dilate("binary_dilation", input, structure, iterations, mask, output, border_value, origin, brute_force)


def binary_opening(input, structure=None, iterations=1, output=None,
                   origin=0, mask=None, border_value=0, brute_force=False, *,
                   axes=None):
    name = "binary_opening"
    input = _input(name, input)
    _axes(name, axes, input.ndim)
    structure = _structure(name, structure, input.ndim)
    _check_output(name, output, input)
    tmp = _erode(name, input, structure, iterations, mask, None, border_value, origin, False, brute_force)
    return _dilate(name, tmp, structure, iterations, mask, output, border_value, origin, brute_force)


def binary_closing(input, structure=None, iterations=1, output=None,
                   origin=0, mask=None, border_value=0, brute_force=False, *,
                   axes=None):
    name = "binary_closing"
    input = _input(name, input)
    _axes(name, axes, input.ndim)
    structure = _structure(name, structure, input.ndim)
    _check_output(name, output, input)
    tmp = _dilate(name, input, structure, iterations, mask, None, border_value, origin, brute_force)
    return _erode(name, tmp, structure, iterations, mask, output, border_value, origin, False, brute_force)


def _check_output(name: str, output: Any, input: np.ndarray) -> None:
    """What the second step would decline, checked before the first one runs."""
    if isinstance(output, np.ndarray):
        if output.shape != input.shape or not _supported(output.dtype) or not output.dtype.isnative:
            raise decline(name, f"output {output.dtype} {output.shape}")


def binary_hit_or_miss(input, structure1=None, structure2=None,
                       output=None, origin1=0, origin2=None, *, axes=None):
    name = "binary_hit_or_miss"
    input = _input(name, input)
    _axes(name, axes, input.ndim)
    structure1 = _structure(name, structure1, input.ndim)
    structure2 = np.logical_not(structure1) if structure2 is None else _structure(name, structure2, input.ndim)
    origin1 = _sequence(name, origin1, input.ndim, "origin1")
    origin2 = origin1 if origin2 is None else _sequence(name, origin2, input.ndim, "origin2")
    _check_output(name, output, input)
    tmp1 = _erode(name, input, structure1, 1, None, None, 0, origin1, False, False)
    if isinstance(output, np.ndarray):
        _erode(name, input, structure2, 1, None, output, 0, origin2, True, False)
        np.logical_not(output, output)
        np.logical_and(tmp1, output, output)
        return None
    result = _erode(name, input, structure2, 1, None, None, 0, origin2, True, False)
    np.logical_not(result, result)
    return np.logical_and(tmp1, result)


def binary_propagation(input, structure=None, mask=None,
                       output=None, border_value=0, origin=0, *, axes=None):
    name = "binary_propagation"
    input = _input(name, input)
    _axes(name, axes, input.ndim)
    return _dilate(name, input, structure, -1, mask, output, border_value, origin, False)


def binary_fill_holes(input, structure=None, output=None, origin=0, *,
                      axes=None):
    name = "binary_fill_holes"
    input = _input(name, input)
    _axes(name, axes, input.ndim)
    if not _supported(input.dtype):
        raise decline(name, f"input dtype {input.dtype}")
    mask = np.logical_not(input)
    tmp = np.zeros(mask.shape, bool)
    if isinstance(output, np.ndarray):
        _check_output(name, output, input)
        _dilate(name, tmp, structure, -1, mask, output, 1, origin, False)
        np.logical_not(output, output)
        return None
    output = _dilate(name, tmp, structure, -1, mask, None, 1, origin, False)
    np.logical_not(output, output)
    return output


def iterate_structure(structure, iterations, origin=None):
    name = "iterate_structure"
    structure = np.asarray(structure)
    iterations = _index(name, iterations, "iterations")
    if structure.ndim == 0 or structure.size == 0:
        raise decline(name, "0-d or empty structure")
    if iterations < 2:
        return structure.copy()
    ni = iterations - 1
    shape = [ii + ni * (ii - 1) for ii in structure.shape]
    pos = [ni * (structure.shape[ii] // 2) for ii in range(len(shape))]
    slc = tuple(slice(pos[ii], pos[ii] + structure.shape[ii]) for ii in range(len(shape)))
    out = np.zeros(shape, bool)
    out[slc] = structure != 0
    out = _dilate(name, out, structure, ni, None, None, 0, 0, False)
    if origin is None:
        return out
    origin = _sequence(name, origin, structure.ndim, "origin")
    return out, [iterations * o for o in origin]


def distance_transform_edt(input, sampling=None, return_distances=True,
                           return_indices=False, distances=None, indices=None):
    name = "distance_transform_edt"
    ft_inplace = isinstance(indices, np.ndarray)
    dt_inplace = isinstance(distances, np.ndarray)
    if (not return_distances and not return_indices) or (dt_inplace and not return_distances) \
            or (ft_inplace and not return_indices):
        raise decline(name, "invalid combination of return_*/distances/indices")
    x = np.asarray(input)
    if x.ndim == 0 or x.size == 0:
        raise decline(name, "0-d or empty input")
    if x.ndim > 7:
        raise decline(name, "rank > 7")
    if x.dtype.kind not in "biufc" or x.dtype.kind in "fc" and x.dtype.itemsize > 16 or x.dtype == np.float16:
        raise decline(name, f"input dtype {x.dtype}")
    bits = np.not_equal(x, 0, order="C").view(np.uint8) if x.dtype != np.bool_ else np.ascontiguousarray(x).view(np.uint8)
    rank = x.ndim
    if sampling is not None:
        try:
            sampling = [float(s) for s in _sequence(name, sampling, rank, "sampling")]
        except (TypeError, ValueError):
            raise decline(name, f"sampling={sampling!r}") from None
    shape = (rank,) + x.shape
    if ft_inplace:
        if indices.shape != shape or indices.dtype.type is not np.int32 or not indices.dtype.isnative:
            raise decline(name, f"indices {indices.dtype} {indices.shape}")
        ft = indices if indices.flags.c_contiguous else np.ascontiguousarray(indices)
    else:
        ft = np.zeros(shape, dtype=np.int32)
    if dt_inplace:
        if distances.shape != x.shape or distances.dtype.type is not np.float64 or not distances.dtype.isnative:
            raise decline(name, f"distances {distances.dtype} {distances.shape}")
    _core.feature_transform(bits, sampling, ft, threads())
    if ft_inplace and ft is not indices:
        indices[...] = ft
    result = []
    if return_distances:
        if dt_inplace and distances.flags.c_contiguous:
            _core.feature_distances(ft, sampling, distances, threads())
        else:
            dt = np.empty(x.shape, dtype=np.float64)
            _core.feature_distances(ft, sampling, dt, threads())
            if dt_inplace:
                distances[...] = dt
            else:
                result.append(dt)
    if return_indices and not ft_inplace:
        result.append(ft)
    if len(result) == 2:
        return tuple(result)
    if len(result) == 1:
        return result[0]
    return None


IMPLEMENTATIONS: dict[tuple[str, str], Callable[..., Any]] = {
    ("ndimage", f.__name__): f
    for f in (binary_erosion, binary_dilation, binary_opening, binary_closing, binary_hit_or_miss,
              binary_propagation, binary_fill_holes, iterate_structure, distance_transform_edt,
              generate_binary_structure)
}
