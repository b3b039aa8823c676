"""The native ``distance_transform_cdt`` of ``scipy.ndimage``: chamfer distances (``taxicab`` /
``cityblock`` / ``manhattan``, ``chessboard``, or any 3^d ``metric`` structure) and feature
indices by the two raster passes SciPy makes, in Rust (``crates/kernels/src/morphology/
chamfer.rs``): identical distances and indices (ties keep the first neighbour in the
structure's order, as SciPy's do). The passes are sequential by nature, so one thread.

Arguments SciPy rejects raise SciPy's errors (``RuntimeError`` for the return/output
combinations, ``ValueError`` for the metric and the output arrays); 0-d input declines.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .. import _core
from ._native_morphology import _generate, decline


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


def _metric(metric: Any, rank: int) -> np.ndarray:
    if isinstance(metric, str):
        if metric in ("taxicab", "cityblock", "manhattan"):
            return _generate(rank, 1)
        if metric == "chessboard":
            return _generate(rank, rank)
        raise ValueError("invalid metric provided")
    try:
        metric = np.asarray(metric)
    except Exception as e:
        raise ValueError("invalid metric provided") from e
    if any(s != 3 for s in metric.shape):
        raise ValueError("metric sizes must be equal to 3")
    return metric


def distance_transform_cdt(input, metric="chessboard", return_distances=True, return_indices=False,
                           distances=None, indices=None):
    name = "distance_transform_cdt"
    ft_inplace = isinstance(indices, np.ndarray)
    dt_inplace = isinstance(distances, np.ndarray)
    _check_arguments(dt_inplace, ft_inplace, return_distances, return_indices)
    x = np.asarray(input)
    if x.ndim == 0:
        raise decline(name, "0-d input")
    structure = _metric(metric, x.ndim)
    if structure.ndim != x.ndim or structure.dtype.kind not in "biuf":
        raise decline(name, f"metric of shape {structure.shape} and dtype {structure.dtype}")
    if dt_inplace:
        if distances.dtype.type != np.int32:
            raise ValueError("distances must be of int32 type")
        if distances.shape != x.shape:
            raise ValueError("distances has wrong shape")
    dt = np.where(x, -1, 0).astype(np.int32)
    ft = np.arange(dt.size, dtype=np.int32).reshape(dt.shape) if return_indices else None
    _core.chamfer_transform(dt, ft, [bool(v) for v in structure.ravel()])
    if dt_inplace:
        distances[...] = dt
    if return_indices:
        if ft_inplace:
            if indices.dtype.type != np.int32:
                raise ValueError("indices array must be int32")
            if indices.shape != (dt.ndim,) + dt.shape:
                raise ValueError("indices array has wrong shape")
            out = indices
        else:
            out = np.indices(dt.shape, dtype=np.int32)
        for axis, coordinate in enumerate(np.unravel_index(ft.ravel(), dt.shape)):
            out[axis, ...] = coordinate.reshape(dt.shape)
        ft = out
    result = []
    if return_distances and not dt_inplace:
        result.append(dt)
    if return_indices and not ft_inplace:
        result.append(ft)
    if len(result) == 2:
        return tuple(result)
    return result[0] if result else None


IMPLEMENTATIONS: dict[tuple[str, str], Callable[..., Any]] = {
    ("ndimage", "distance_transform_cdt"): distance_transform_cdt,
}
