"""The native ``scipy.ndimage`` measurements: ``label``, ``find_objects`` and the labelled
statistics (``sum_labels``/``sum``, ``mean``, ``variance``, ``standard_deviation``,
``minimum``, ``maximum``, ``median``, ``extrema``, ``minimum_position``,
``maximum_position``, ``center_of_mass``, ``histogram``) on the Rust kernels of
``crates/kernels/src/measure``, one pass over the image per statistic.

Results follow SciPy's, type and shape: a NumPy scalar for ``labels=None``, ``index=None``
or a scalar ``index`` (one group), an array shaped like ``index`` otherwise; positions as
tuples. With a sequence ``index``, sums are accumulated in C order as ``numpy.bincount``
accumulates them, so ``sum_labels``, ``mean``, ``variance``, ``standard_deviation`` and
``center_of_mass`` equal SciPy's bit for bit; for one group SciPy sums pairwise (NumPy's
``sum``), this sums in C order in float64, so they agree to rounding.

Ties: the position of a minimum or maximum is its first occurrence in C order. SciPy finds
the same for one group; with an index sequence it sorts with an unstable sort, so among
equal extreme values its choice is not defined.

Declined (``BackendNotImplementedError``; SciPy then runs, or raises its own error):

* every function: inputs of dtypes other than bool, (u)int8..64, float32, float64 (complex,
  float16, long double, object...); labels of non-integer dtype, or uint64 labels beyond int64;
  input and labels that do not broadcast; a scalar ``index`` that is a bool, not an integer, or
  beyond int64; a 0-d ``index`` array, a non-empty one of non-integer dtype, uint64 values
  beyond int64; an index sequence with empty labels (except ``histogram``);
* ``minimum``/``maximum``/``median``/``extrema``/positions: ndarray subclasses (SciPy keeps
  them); NaN among the selected values (``median``: anywhere); one group of no pixels
  (``median`` excepted: NaN as NumPy gives); with an index sequence, labels whose dtype cannot
  hold ``labels.max() + 2`` where SciPy indexes without remapping (SciPy fails there);
* positions, ``extrema``, ``center_of_mass``: 0-d input, or labels broadcasting the input to
  a larger shape; ``center_of_mass``: an index of more than one dimension;
* ``histogram``: non-integer or < 1 ``bins``, non-finite or reversed range, ``index`` without
  labels, an empty, multi-dimensional or non-integer ``index``, index values the labels' dtype
  cannot hold;
* ``label``: a structure that is not boolean-convertible, of the wrong rank or shape, or not
  symmetric; 2**31 - 2 pixels or more; an ``output`` array of the wrong shape or read-only;
  big-endian input or output (SciPy rejects them); an output dtype its labels do not fit, or a
  non-C-contiguous output array of a dtype other than int32/int64;
* ``find_objects``: non-integer or 0-d input, a non-integer ``max_label``, empty input without
  ``max_label``.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import _core
from .._core import BackendNotImplementedError
from ._native_ndimage import threads

_INT64_MAX = np.iinfo(np.int64).max


def _decline(name: str, why: str) -> BackendNotImplementedError:
    return BackendNotImplementedError(f"native: scipy.ndimage.{name}: {why}")


def _native(a: np.ndarray) -> np.ndarray:
    return a if a.dtype.isnative else a.astype(a.dtype.newbyteorder("="))


def _image(name: str, input: Any, anyarray: bool = False) -> np.ndarray:
    """The image as NumPy's, in its own byte order, or a decline."""
    x = np.asanyarray(input) if anyarray else np.asarray(input)
    if type(x) is not np.ndarray:
        raise _decline(name, f"input of type {type(x).__name__}")
    kind, size = x.dtype.kind, x.dtype.itemsize
    if not (kind in "biu" or (kind == "f" and size in (4, 8))):
        raise _decline(name, f"input dtype {x.dtype}")
    return x


def _values(name: str, input: Any, anyarray: bool = False) -> np.ndarray:
    """The image as NumPy's in native byte order (bool viewed as uint8 by the caller)."""
    return _native(_image(name, input, anyarray))


def _kernel_view(x: np.ndarray) -> np.ndarray:
    return x.view(np.uint8) if x.dtype == np.bool_ else x


def _label_array(name: str, labels: Any) -> tuple[np.ndarray, np.dtype]:
    """(labels as int32/int64, their dtype as given)."""
    lab = np.asarray(labels)
    dtype = lab.dtype
    if dtype.kind not in "biu":
        raise _decline(name, f"labels dtype {dtype}")
    lab = _native(lab)
    if dtype.kind == "b" or dtype.itemsize < 4:
        return lab.astype(np.int32), dtype
    if dtype.kind == "i":
        return lab, dtype
    if dtype.itemsize == 4:
        return lab.astype(np.int64), dtype
    if lab.size and lab.max() > _INT64_MAX:
        raise _decline(name, "uint64 labels beyond int64")
    return lab.astype(np.int64), dtype


def _safely_castable_to_int(dt: np.dtype) -> bool:
    """SciPy's rule for labels it bincounts directly (not remapped)."""
    size = np.dtype(int).itemsize
    return (dt.kind == "i" and dt.itemsize <= size) or (dt.kind == "u" and dt.itemsize < size)


class _Groups:
    """How ``labels`` and ``index`` group the pixels: one group (``select`` None for labels > 0
    or an int) or one slot per distinct index value (``select`` a sorted int64 array, and
    ``inverse``/``shape`` mapping them back to ``index``)."""

    def __init__(self, name: str, input: Any, labels: Any, index: Any, anyarray: bool = False, empty_ok: bool = False):
        x = _image(name, input, anyarray)
        self.dtype = x.dtype  # as given: SciPy's minima and maxima keep its byte order
        x = _native(x)
        self.input_shape = x.shape
        self.single = True
        self.select: Any = None
        if labels is None:
            lab = np.broadcast_to(np.ones((1,) * x.ndim, np.int32), x.shape)
            self.label_dtype = None
        else:
            lab, self.label_dtype = _label_array(name, labels)
            try:
                x, lab = np.broadcast_arrays(x, lab)
            except ValueError:
                raise _decline(name, "input and labels do not broadcast") from None
            if index is not None:
                if np.isscalar(index):
                    if isinstance(index, (bool, np.bool_)) or not isinstance(index, (int, np.integer)):
                        raise _decline(name, f"index {index!r}")
                    if not -(2**63) <= int(index) <= _INT64_MAX:
                        raise _decline(name, "index beyond int64")
                    self.select = int(index)
                else:
                    idx = np.asarray(index)
                    if idx.ndim == 0:
                        raise _decline(name, "0-d index array")
                    if idx.size and idx.dtype.kind not in "iu":
                        raise _decline(name, f"index dtype {idx.dtype}")
                    if idx.dtype.kind == "u" and idx.size and idx.max() > _INT64_MAX:
                        raise _decline(name, "index beyond int64")
                    if lab.size == 0 and not empty_ok:
                        raise _decline(name, "empty labels with an index sequence")
                    unique, inverse = np.unique(idx.astype(np.int64), return_inverse=True)
                    self.select = np.ascontiguousarray(unique, dtype=np.int64)
                    self.inverse = inverse.reshape(-1)
                    self.shape = idx.shape
                    self.single = False
        self.x = x
        self.kx = _kernel_view(x)
        self.labels = lab
        self.slots = 1 if self.single else len(self.select)
        self.name = name

    def gather(self, per_slot: np.ndarray) -> np.ndarray:
        """Per-slot results as SciPy shapes them for the index sequence."""
        return per_slot[self.inverse].reshape(self.shape + per_slot.shape[1:])

    def check_select_quirk(self, lmin: int, lmax: int) -> None:
        """SciPy's ``_select`` without remapping sizes tables ``labels.max() + 2`` in the labels'
        own dtype; where that overflows it fails."""
        dt = self.label_dtype
        if self.single or dt is None or not _safely_castable_to_int(dt):
            return
        if lmin >= 0 and lmax <= self.labels.size and lmax + 2 > np.iinfo(dt).max:
            raise _decline(self.name, "SciPy's labels.max() + 2 overflows the labels dtype")


# ---------------------------------------------------------------------------------- label


def _scan_axis(a: np.ndarray) -> int:
    """NumPy's ``PyArray_IterAllButAxis`` choice (SciPy's label scans lines along it): the first
    non-zero stride, then any smaller positive one."""
    strides = a.strides
    minstride, i = 0, 0
    while minstride == 0 and i < a.ndim:
        minstride = strides[i]
        i += 1
    axis = 0
    for i in range(1, a.ndim):
        if 0 < strides[i] < minstride:
            axis, minstride = i, strides[i]
    return axis


def _fits(max_label: int, dtype: np.dtype) -> bool:
    if dtype.kind in "iu":
        return max_label <= np.iinfo(dtype).max
    if dtype.kind == "b":
        return max_label <= 1
    if dtype.kind == "f" and dtype.itemsize in (4, 8):
        return max_label <= 2 ** np.finfo(dtype).nmant
    return False


def label(input, structure=None, output=None):
    name = "label"
    big_endian = not np.asarray(input).dtype.isnative
    x = _values(name, input)
    if structure is None:
        from scipy.ndimage import generate_binary_structure

        structure = generate_binary_structure(x.ndim, 1)
    try:
        structure = np.asarray(structure, dtype=bool)
    except (TypeError, ValueError):
        raise _decline(name, "structure not boolean") from None
    if structure.ndim != x.ndim or any(n != 3 for n in structure.shape):
        raise _decline(name, "structure shape")
    if not np.array_equal(structure, structure[(slice(None, None, -1),) * structure.ndim]):
        raise _decline(name, "structure not symmetric")
    if x.size >= 2**31 - 2:
        raise _decline(name, "input of 2**31 - 2 pixels or more")
    provided = isinstance(output, np.ndarray)
    if provided:
        if output.shape != x.shape or not output.flags.writeable:
            raise _decline(name, "output shape or read-only output")
        out = output
    else:
        try:
            out = np.empty(x.shape, np.int32 if output is None else output)
        except TypeError:
            raise _decline(name, f"output {output!r}") from None
    if x.ndim == 0 or x.size == 0:
        max_label = (1 if x != 0 else 0) if x.ndim == 0 else 0
        if not _fits(max_label, out.dtype):
            raise _decline(name, f"output dtype {out.dtype}")
        out[...] = max_label
        return max_label if provided else (out, max_label)
    if big_endian or not out.dtype.isnative:
        raise _decline(name, "big-endian input or output")  # SciPy's Cython buffers reject them
    axis = _scan_axis(out)
    direct = out.dtype in (np.dtype(np.int32), np.dtype(np.int64)) and out.dtype.isnative
    if direct and provided and np.shares_memory(out, x):
        direct = False
    if not direct and x.ndim > 1 and not out.flags.c_contiguous:
        raise _decline(name, f"non C-contiguous output of dtype {out.dtype}")
    target = out if direct else np.empty(x.shape, np.int32)
    max_label = _core.ndimage_label(_kernel_view(x), structure.ravel().tolist(), axis, target, threads())
    if not direct:
        if not _fits(max_label, out.dtype):
            raise _decline(name, f"{max_label} labels do not fit output dtype {out.dtype}")
        out[...] = target
    return max_label if provided else (out, max_label)


def find_objects(input, max_label=0):
    name = "find_objects"
    lab = np.asarray(input)
    if lab.dtype.kind not in "iu":
        raise _decline(name, f"input dtype {lab.dtype}")
    if lab.ndim == 0:
        raise _decline(name, "0-d input")
    try:
        max_label = operator.index(max_label)
    except TypeError:
        raise _decline(name, f"max_label {max_label!r}") from None
    lab, _ = _label_array(name, lab)
    if max_label < 1:
        if lab.size == 0:
            raise _decline(name, "empty input without max_label")
        max_label = int(lab.max())
    if max_label < 1:
        return []
    bounds = np.empty(max_label * 2 * lab.ndim, np.int64)
    _core.ndimage_find_objects(lab, max_label, bounds, threads())
    return _slices(bounds.reshape(max_label, lab.ndim, 2))


def _slices(bounds: np.ndarray) -> list[tuple[slice, ...] | None]:
    """The boxes as SciPy returns them (None for absent labels), built by ``map``/``zip`` in C:
    as few Python objects as SciPy builds, and no Python loop over the labels."""
    columns = [map(slice, bounds[:, k, 0].tolist(), (bounds[:, k, 1] + 1).tolist()) for k in range(bounds.shape[1])]
    out: list[tuple[slice, ...] | None] = list(zip(*columns))
    for absent in np.flatnonzero(bounds[:, 0, 0] < 0).tolist():
        out[absent] = None
    return out


# ----------------------------------------------------------------------------- statistics


def _moments(g: _Groups, coords: bool = False):
    n = g.slots
    count = np.empty(n, np.int64)
    sums = np.empty(n, np.float64)
    int_sum = np.empty(n, np.int64)
    coord_sums = np.empty(n * g.x.ndim if coords else 0, np.float64)
    _core.ndimage_moments(g.kx, g.labels, g.select, count, sums, int_sum, coord_sums)
    return count, sums, int_sum, coord_sums.reshape(n, g.x.ndim) if coords else None


def _group_sum(dtype: np.dtype, sums: np.ndarray, int_sum: np.ndarray):
    """One group's ``vals.sum()`` as NumPy types it."""
    if dtype.kind == "f":
        return dtype.type(sums[0])
    if dtype.kind == "u":
        return np.uint64(int_sum.view(np.uint64)[0])
    return np.int64(int_sum[0])


def sum_labels(input, labels=None, index=None):
    g = _Groups("sum_labels", input, labels, index)
    count, sums, int_sum, _ = _moments(g)
    if g.single:
        return _group_sum(g.x.dtype, sums, int_sum)
    return g.gather(sums)


def sum(input, labels=None, index=None):  # noqa: A001 - SciPy's name
    return sum_labels(input, labels, index)


def mean(input, labels=None, index=None):
    g = _Groups("mean", input, labels, index)
    count, sums, int_sum, _ = _moments(g)
    if g.single:
        return _group_sum(g.x.dtype, sums, int_sum) / np.asanyarray(count[0]).astype(np.float64)
    return g.gather(sums) / g.gather(count).astype(np.float64)


def variance(input, labels=None, index=None):
    g = _Groups("variance", input, labels, index)
    count, sums, _, _ = _moments(g)
    with np.errstate(divide="ignore", invalid="ignore"):
        means = sums / count
    centered = np.empty(g.slots, np.float64)
    _core.ndimage_centered(g.kx, g.labels, g.select, means, centered)
    if g.single:
        return centered[0] / np.asanyarray(count[0]).astype(float)
    return g.gather(centered) / g.gather(count).astype(float)


def standard_deviation(input, labels=None, index=None):
    return np.sqrt(variance(input, labels, index))


def _extrema(name: str, input, labels, index, positions: bool):
    g = _Groups(name, input, labels, index, anyarray=True)
    if positions and (g.x.shape != g.input_shape or g.x.ndim == 0):
        raise _decline(name, "positions of a broadcast or 0-d input")
    n = g.slots
    count = np.empty(n, np.int64)
    lo = np.empty(n, g.kx.dtype)
    hi = np.empty(n, g.kx.dtype)
    lo_at = np.empty(n, np.int64)
    hi_at = np.empty(n, np.int64)
    nan, lmin, lmax = _core.ndimage_extrema(g.kx, g.labels, g.select, count, lo, hi, lo_at, hi_at)
    if nan:
        raise _decline(name, "NaN among the values")
    lo, hi = lo.view(g.x.dtype), hi.view(g.x.dtype)
    if g.single:
        if count[0] == 0:
            raise _decline(name, "no pixels selected")
        return g, lo[0], hi[0], lo_at[0], hi_at[0]
    g.check_select_quirk(lmin, lmax)
    empty = count == 0
    lo[empty] = 0
    hi[empty] = 0
    lo, hi = lo.astype(g.dtype, copy=False), hi.astype(g.dtype, copy=False)
    return g, g.gather(lo), g.gather(hi), g.gather(lo_at).astype(np.int_), g.gather(hi_at).astype(np.int_)


def _unravel(result, shape):
    """SciPy's conversion of flat positions to index tuples."""
    dims = np.array(shape)
    dim_prod = np.cumprod([1] + list(dims[:0:-1]))[::-1]
    if np.isscalar(result):
        return tuple((result // dim_prod) % dims)
    return [tuple(v) for v in (result.reshape(-1, 1) // dim_prod) % dims]


def minimum(input, labels=None, index=None):
    return _extrema("minimum", input, labels, index, False)[1]


def maximum(input, labels=None, index=None):
    return _extrema("maximum", input, labels, index, False)[2]


def minimum_position(input, labels=None, index=None):
    g, _, _, at, _ = _extrema("minimum_position", input, labels, index, True)
    return _unravel(at, g.input_shape)


def maximum_position(input, labels=None, index=None):
    g, _, _, _, at = _extrema("maximum_position", input, labels, index, True)
    return _unravel(at, g.input_shape)


def extrema(input, labels=None, index=None):
    g, lo, hi, lo_at, hi_at = _extrema("extrema", input, labels, index, True)
    return lo, hi, _unravel(lo_at, g.input_shape), _unravel(hi_at, g.input_shape)


def median(input, labels=None, index=None):
    name = "median"
    g = _Groups(name, input, labels, index, anyarray=True)
    n = g.slots
    count = np.empty(n, np.int64)
    lower = np.empty(n, g.kx.dtype)
    upper = np.empty(n, g.kx.dtype)
    first = np.empty(1, g.kx.dtype)
    nan, lmin, lmax, has_first = _core.ndimage_median(g.kx, g.labels, g.select, count, lower, upper, first)
    if nan:
        raise _decline(name, "NaN among the values")
    lower, upper, first = lower.view(g.x.dtype), upper.view(g.x.dtype), first.view(g.x.dtype)
    integral = g.x.dtype.kind in "biu"
    if g.single:
        if count[0] == 0:
            return np.median(np.empty(0, g.x.dtype))  # NaN, with NumPy's warning and type
        a, b = lower[0], upper[0]
        if integral:
            return np.float64((np.float64(a) + np.float64(b)) / 2.0)
        return a if count[0] % 2 else (a + b) / 2.0
    g.check_select_quirk(lmin, lmax)
    empty = count == 0
    if empty.any():
        if not has_first:
            raise _decline(name, "no pixels")
        lower[empty] = first[0]
        upper[empty] = first[0]
    lower, upper = g.gather(lower), g.gather(upper)
    if integral:
        return (lower.astype("d") + upper.astype("d")) / 2.0
    return (lower + upper) / 2.0


def center_of_mass(input, labels=None, index=None):
    name = "center_of_mass"
    g = _Groups(name, input, labels, index)
    if g.x.shape != g.input_shape or g.x.ndim == 0:
        raise _decline(name, "broadcast or 0-d input")
    if not g.single and len(g.shape) > 1:
        raise _decline(name, "index of more than one dimension")
    count, sums, int_sum, coord_sums = _moments(g, coords=True)
    if g.single:
        normalizer = _group_sum(g.x.dtype, sums, int_sum)
        return tuple(np.float64(c) / normalizer for c in coord_sums[0])
    normalizer = g.gather(sums)
    results = [g.gather(coord_sums[:, d]) / normalizer for d in range(g.x.ndim)]
    return [tuple(v) for v in np.array(results).T]


def histogram(input, min, max, bins, labels=None, index=None):  # noqa: A002 - SciPy's names
    name = "histogram"
    try:
        bins = operator.index(bins)
        lo, hi = float(min), float(max)
    except TypeError:
        raise _decline(name, "non-integer bins or non-real range") from None
    if bins < 1 or not (np.isfinite(lo) and np.isfinite(hi)) or lo > hi:
        raise _decline(name, f"range [{min}, {max}] with {bins} bins")
    edges = np.ascontiguousarray(np.linspace(min, max, bins + 1), dtype=np.float64)
    if edges.dtype != np.float64 or np.any(edges[:-1] > edges[1:]):
        raise _decline(name, "bin edges")
    if labels is None and index is not None:
        raise _decline(name, "index without labels")
    scalar = np.isscalar(index)
    if index is not None:
        idx = np.atleast_1d(index)
        if idx.size == 0 or idx.ndim > 1 or idx.dtype.kind not in "iu":
            raise _decline(name, f"index {index!r}")
        label_dtype = np.asarray(labels).dtype
        with np.errstate(all="ignore"):
            if np.any(idx.astype(label_dtype).astype(idx.dtype) != idx):
                raise _decline(name, "index values not in the labels' dtype")
        # SciPy compares labels with the index cast to their dtype; uint64 values beyond int64
        # wrap to negative values, which no (non-negative) uint64 label equals.
        index = idx.astype(label_dtype).astype(np.int64).reshape(-1)
    g = _Groups(name, input, labels, index, empty_ok=True)
    pixels = np.empty(g.slots, np.int64)
    counts = np.empty(g.slots * bins, np.int64)
    _core.ndimage_histogram(g.kx, g.labels, g.select, edges, pixels, counts)
    counts = counts.reshape(g.slots, bins).astype(np.intp, copy=False)
    if g.single:
        return counts[0]
    out = np.empty(g.shape, object)
    flat = out.reshape(-1)
    for at, slot in enumerate(g.inverse):
        flat[at] = counts[slot].copy() if pixels[slot] else None
    return out[0] if scalar else out


def value_indices(arr, *, ignore_value=None):
    """The positions of each distinct value (ascending), in C order: one counting pass and one
    filling pass in Rust; the index arrays are views of one int64 array."""
    name = "value_indices"
    a = np.asarray(arr)
    if a.dtype.kind not in "iu":
        raise ValueError("Parameter 'arr' must be an integer array")  # SciPy's error
    if a.ndim == 0:
        raise _decline(name, "0-d input")
    ignore = None
    if ignore_value is not None:
        cast = np.zeros((1,), dtype=a.dtype)
        cast[0] = ignore_value  # SciPy's conversion (and its errors)
        ignore = int(cast[0])
    if not a.dtype.isnative:
        # SciPy reads byte-swapped elements as native ones (keys 256, 512... for 1, 2...):
        # its own result, not one to reproduce.
        raise _decline(name, "non-native byte order")
    values, counts, positions = _core.ndimage_value_indices(a, ignore)
    result = {}
    start = 0
    for value, count in zip(values, counts.tolist()):
        result[value] = tuple(positions[d, start:start + count] for d in range(a.ndim))
        start += count
    return result


IMPLEMENTATIONS: dict[tuple[str, str], Callable[..., Any]] = {
    ("ndimage", f.__name__): f
    for f in (
        label,
        find_objects,
        value_indices,
        sum_labels,
        sum,
        mean,
        variance,
        standard_deviation,
        minimum,
        maximum,
        median,
        extrema,
        minimum_position,
        maximum_position,
        center_of_mass,
        histogram,
    )
}
