"""The native ``distance_transform_cdt`` and ``distance_transform_bf`` of ``scipy.ndimage``:
Rust kernels (``crates/kernels/src/morphology/{chamfer,brute}.rs``), the GIL released.
Results equal SciPy's exactly: int32 distances and indices for ``cdt``; float64 (Euclidean)
or uint32 distances, bit for bit, and int32 indices for ``bf``, ties broken as SciPy breaks
them (see the kernels).

``distance_transform_cdt``: the metrics ``'chessboard'``, ``'taxicab'`` (``'cityblock'``,
``'manhattan'``) and any 3^rank ``metric`` array, read as SciPy's C code reads it (the raw
bytes of its first half, whatever its dtype); SciPy's two raster passes, a row at a time
(one thread: each row depends on the one before), the indices unravelled in parallel.
``distance_transform_bf``: ``'euclidean'`` (with ``sampling``), ``'taxicab'`` and
``'chessboard'``; only border elements within reach of a known background element are
compared, on ``_native_ndimage.threads()`` threads.

Arguments SciPy rejects raise SciPy's exception, with its message, at the same point (the
``distances=`` array is written before a bad ``indices=`` array is reported, as in SciPy).

Declined (the call passes to SciPy): 0-d input; input dtypes other than bool, integers,
floats, complex; more than 2**31 - 1 elements. ``cdt``: a metric array of another rank than
the input, or not of a numeric dtype; arrays of 2**14 elements or more whose rows (the last
axis, axes of length 1 aside) are too short for the metric's ``k`` neighbours in earlier
rows, where SciPy's element-by-element passes are faster (``n < 4`` or
``n * max(8, k) < 6 * k + 12`` for rows of ``n``: rows of 3 or less, of 4 for 3-D and 4-D
chessboard). ``bf``: a ``sampling`` that is not one finite value per axis, or large enough
for a distance to overflow (SciPy's results there depend on ``DBL_MAX`` comparisons).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import _core
from ._native_morphology import _dilate, _generate, decline
from ._native_ndimage import threads

_MAX_SIZE = 2**31 - 1


def _check_arguments(distances_out: bool, indices_out: bool, return_distances: bool, return_indices: bool) -> None:
    """SciPy's RuntimeError for impossible combinations, with its message."""
    errors = []
    if not return_distances and not return_indices:
        errors.append("at least one of return_distances/return_indices must be True")
    if distances_out and not return_distances:
        errors.append("return_distances must be True if distances is supplied")
    if indices_out and not return_indices:
        errors.append("return_indices must be True if indices is supplied")
    if errors:
        raise RuntimeError(", ".join(errors))


def _input(name: str, input: Any) -> np.ndarray:
    """SciPy's foreground (``input != 0``) as C-contiguous 0/1 bytes."""
    x = np.asarray(input)
    if x.ndim == 0:
        raise decline(name, "0-d input")
    if x.dtype.kind not in "biufc":
        raise decline(name, f"input dtype {x.dtype}")
    if x.size > _MAX_SIZE:
        raise decline(name, "more than 2**31 - 1 elements")
    if x.dtype == np.bool_:
        return np.ascontiguousarray(x).view(np.uint8)
    return np.not_equal(x, 0, order="C").view(np.uint8)


def _features(return_indices: bool, ft_inplace: bool, shape: tuple[int, ...]) -> np.ndarray | None:
    """Where the kernel writes features: coordinates, or flat indices for an ``indices=``
    array (SciPy gathers from its contents, see ``_gather``)."""
    if not return_indices:
        return None
    return np.empty(shape if ft_inplace else (len(shape),) + shape, dtype=np.int32)


def _gather(indices: np.ndarray, flat: np.ndarray, error: type[Exception]) -> None:
    """SciPy's checks and use of an ``indices=`` array: it takes the place of
    ``np.indices(shape)``, so each block becomes its own values at the feature indices."""
    shape = flat.shape
    if indices.dtype.type != np.int32:
        raise error("indices array must be int32")
    if indices.shape != (len(shape),) + shape:
        raise error("indices array has wrong shape")
    flat = np.ravel(flat)
    for ii in range(indices.shape[0]):
        indices[ii, ...] = np.ravel(indices[ii, ...])[flat].reshape(shape)


def _result(distances: np.ndarray | None, indices: np.ndarray | None) -> Any:
    result = [r for r in (distances, indices) if r is not None]
    if len(result) == 2:
        return tuple(result)
    return result[0] if result else None


def _cdt_structure(name: str, metric: Any, x: np.ndarray) -> list[bool]:
    """The structure as SciPy's C code reads it: the first half of the metric's bytes."""
    if isinstance(metric, str):
        if metric in ("taxicab", "cityblock", "manhattan"):
            metric = _generate(x.ndim, 1)
        elif metric == "chessboard":
            metric = _generate(x.ndim, x.ndim)
        else:
            raise ValueError("invalid metric provided")
    else:
        try:
            metric = np.asarray(metric)
        except Exception as e:
            raise ValueError("invalid metric provided") from e
        for s in metric.shape:
            if s != 3:
                raise ValueError("metric sizes must be equal to 3")
    if metric.ndim != x.ndim:
        raise decline(name, f"metric of rank {metric.ndim} for input of rank {x.ndim}")
    if metric.dtype.kind not in "biufc":
        raise decline(name, f"metric dtype {metric.dtype}")
    # SciPy makes it C-contiguous, aligned and native-endian, then reads npy_bool values.
    raw = np.ascontiguousarray(metric, dtype=metric.dtype.newbyteorder("=")).reshape(-1).view(np.uint8)
    half = metric.size // 2
    return [bool(b) for b in raw[:half]] + [False] * (metric.size - half)


def distance_transform_cdt(input, metric="chessboard", return_distances=True,
                           return_indices=False, distances=None, indices=None):
    name = "distance_transform_cdt"
    ft_inplace = isinstance(indices, np.ndarray)
    dt_inplace = isinstance(distances, np.ndarray)
    _check_arguments(dt_inplace, ft_inplace, return_distances, return_indices)
    x = np.asarray(input)
    structure = _cdt_structure(name, metric, x)
    bits = _input(name, x)
    if dt_inplace:
        if distances.dtype.type != np.int32:
            raise ValueError("distances must be of int32 type")
        if distances.shape != x.shape:
            raise ValueError("distances has wrong shape")
    direct = dt_inplace and distances.flags.c_contiguous and distances.dtype.isnative and distances.flags.writeable
    dt = distances if direct else np.empty(x.shape, dtype=np.int32)
    ft = _features(return_indices, ft_inplace, x.shape)
    if not _core.chamfer_transform(bits, structure, dt.view(np.uint32), ft, threads()):
        raise decline(name, "rows too short for the neighbours in earlier rows (SciPy is faster)")
    if dt_inplace and not direct:
        distances[...] = dt
    if return_indices and ft_inplace:
        _gather(indices, ft, ValueError)
    return _result(dt if return_distances and not dt_inplace else None,
                   ft if return_indices and not ft_inplace else None)


_BF_METRICS = {"euclidean": 1, "taxicab": 2, "cityblock": 2, "manhattan": 2, "chessboard": 3}


def _sampling(name: str, sampling: Any, shape: tuple[int, ...]) -> list[float] | None:
    """SciPy's checks of ``sampling`` (its errors), then the values the kernel takes."""
    if sampling is None:
        return None
    rank = len(shape)
    if not isinstance(sampling, str) and np.iterable(sampling):
        sampling = list(sampling)
        if len(sampling) != rank:
            raise RuntimeError("sequence argument must have length equal to input rank")
    else:
        sampling = [sampling] * rank
    values = np.asarray(sampling, dtype=np.float64)
    if values.shape != (rank,):
        raise decline(name, f"sampling of shape {values.shape}")
    if not np.isfinite(values).all():
        raise decline(name, "non-finite sampling")
    # The largest distance must stay well below DBL_MAX, SciPy's starting minimum.
    with np.errstate(over="ignore"):
        largest = float(np.sum((values * np.maximum(np.array(shape, dtype=np.float64) - 1, 0)) ** 2))
    if not math.isfinite(largest) or largest > 1e300:
        raise decline(name, "sampling large enough for distances to overflow")
    return [float(v) for v in values]


def distance_transform_bf(input, metric="euclidean", sampling=None,
                          return_distances=True, return_indices=False,
                          distances=None, indices=None):
    name = "distance_transform_bf"
    ft_inplace = isinstance(indices, np.ndarray)
    dt_inplace = isinstance(distances, np.ndarray)
    _check_arguments(dt_inplace, ft_inplace, return_distances, return_indices)
    x = np.asarray(input)
    bits = _input(name, x)
    foreground = bits.view(bool)
    # SciPy's labels: 1 foreground, -1 background touching it (full connectivity), 0 else.
    border = _dilate(name, foreground, _generate(x.ndim, x.ndim), 1, None, None, 0, 0, False) \
        if x.size else foreground.copy()
    labels = foreground.view(np.int8) - (border ^ foreground).view(np.int8)
    metric = metric.lower()
    if metric not in _BF_METRICS:
        raise RuntimeError("distance metric not supported")
    code = _BF_METRICS[metric]
    sampling = _sampling(name, sampling, x.shape)
    dt = None
    if return_distances:
        dtype = np.float64 if code == 1 else np.uint32
        if dt_inplace:
            if distances.shape != x.shape:
                raise RuntimeError("distances array has wrong shape")
            if distances.dtype.type != dtype:
                raise RuntimeError(f"distances array must be {np.dtype(dtype).name}")
        direct = dt_inplace and distances.flags.c_contiguous and distances.dtype.isnative and distances.flags.writeable
        dt = distances if direct else np.empty(x.shape, dtype=dtype)
    ft = _features(return_indices, ft_inplace, x.shape)
    _core.brute_force_transform(labels, code, sampling if code == 1 else None,
                                dt if code == 1 else None, dt if code != 1 and dt is not None else None,
                                ft, threads())
    if dt_inplace and dt is not distances:
        distances[...] = dt
    if return_indices and ft_inplace:
        _gather(indices, ft, RuntimeError)
    return _result(dt if return_distances and not dt_inplace else None,
                   ft if return_indices and not ft_inplace else None)


IMPLEMENTATIONS: dict[tuple[str, str], Callable[..., Any]] = {
    ("ndimage", f.__name__): f for f in (distance_transform_cdt, distance_transform_bf)
}
