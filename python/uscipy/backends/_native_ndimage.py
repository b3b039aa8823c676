"""The ``native`` backend's ``scipy.ndimage`` filters: uscipy's Rust kernels
(``crates/kernels/src/ndimage``) on NumPy arrays of any strides, the GIL released, lines (1-D
filters) or output rows (footprint filters) in parallel.

Natively: ``correlate1d``, ``convolve1d``, ``uniform_filter1d``, ``minimum_filter1d``,
``maximum_filter1d``, ``gaussian_filter1d``, and the filters SciPy builds from them or from its
N-D footprint kernels: ``uniform_filter``, ``gaussian_filter``, ``gaussian_laplace``,
``gaussian_gradient_magnitude``, ``laplace``, ``sobel``, ``prewitt``, ``correlate``,
``convolve``, ``minimum_filter``, ``maximum_filter``, ``rank_filter``, ``median_filter``,
``percentile_filter``. Each follows SciPy's ``_filters.py`` step for step (same argument
checks through SciPy's own ``_ni_support`` helpers, so bad arguments raise SciPy's errors; same
passes, intermediates stored in the output's dtype), and the kernels compute in double precision
with SciPy's boundary extension and its C casts into the output (integer outputs truncate).

Declined (the call passes to the next backend, normally SciPy): complex input or weights,
float16 / long double / non-numeric input or output dtypes, 0-d input, an output array in
non-native byte order, ``rank_filter``/``median_filter``/``percentile_filter`` of 1-D input
whose rank is neither the minimum nor the maximum (SciPy runs a separate 1-D algorithm there).

Threads: ``num_threads`` below; ``None`` (the default) means the environment variable
``USCIPY_NUM_THREADS`` if set, else ``os.cpu_count()``. ``scipy.ndimage`` has no ``workers``
argument, so this is the only knob.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
from numpy.lib.array_utils import normalize_axis_index
from scipy.ndimage import _ni_support
from scipy.ndimage._filters import _expand_footprint, _expand_mode, _expand_origin, _gaussian_kernel1d, _invalid_origin

from .. import _core
from .._core import BackendNotImplementedError

num_threads: int | None = None
"""Threads the native ndimage filters use; None: ``USCIPY_NUM_THREADS`` or ``os.cpu_count()``."""


_CPUS = os.cpu_count() or 1  # os.cpu_count() takes microseconds a call


def threads() -> int:
    if num_threads is not None:
        return max(1, int(num_threads))
    env = os.environ.get("USCIPY_NUM_THREADS", "").strip()
    if env:
        return max(1, int(env))
    return _CPUS


def _decline(name: str, why: str) -> BackendNotImplementedError:
    return BackendNotImplementedError(f"native: scipy.ndimage.{name}: {why}")


def _supported(dtype: np.dtype) -> bool:
    return (dtype.kind in "biu" and dtype.itemsize <= 8) or (dtype.kind == "f" and dtype.itemsize in (4, 8))


def _input(name: str, x: Any) -> np.ndarray:
    x = np.asarray(x)
    if x.dtype.kind == "c":
        raise _decline(name, "complex input")
    if not _supported(x.dtype):
        raise _decline(name, f"input dtype {x.dtype}")
    if x.ndim == 0:
        raise _decline(name, "0-d input")
    if not x.dtype.isnative:
        x = x.astype(x.dtype.newbyteorder("="))
    return x


def _output(name: str, output: Any, input: np.ndarray) -> np.ndarray:
    if output is not None and not isinstance(output, np.ndarray) and not isinstance(output, type | np.dtype | str):
        raise _decline(name, f"output of type {type(output).__name__}")
    if isinstance(output, type | np.dtype | str):
        dtype = np.dtype(output)
        if not _supported(dtype):
            raise _decline(name, f"output dtype {dtype}")
    if isinstance(output, np.ndarray):
        if not _supported(output.dtype) or not output.dtype.isnative:
            raise _decline(name, f"output dtype {output.dtype}")
        if not output.flags.writeable:
            raise _decline(name, "read-only output")
    return _ni_support._get_output(output, input)


def _same_memory(a: np.ndarray, b: np.ndarray) -> bool:
    ia, ib = a.__array_interface__, b.__array_interface__
    return ia["data"][0] == ib["data"][0] and a.strides == b.strides and a.dtype == b.dtype and a.shape == b.shape


def _line_pass(kernel: Callable[..., None], input: np.ndarray, output: np.ndarray, *args: Any) -> None:
    """One 1-D pass; ``input is output`` (or the same memory) filters in place, as SciPy's line
    buffers do; a partial overlap reads a copy of the input."""
    if input is output or _same_memory(input, output):
        kernel(None, output, *args, threads())
        return
    if np.may_share_memory(input, output):
        input = input.copy()
    kernel(input, output, *args, threads())


# --- 1-D filters ---------------------------------------------------------------------------


def correlate1d(input, weights, axis=-1, output=None, mode="reflect", cval=0.0, origin=0):
    name = "correlate1d"
    input = _input(name, input)
    weights = np.asarray(weights)
    if weights.dtype.kind == "c":
        raise _decline(name, "complex weights")
    output = _output(name, output, input)
    weights = np.asarray(weights, dtype=np.float64)
    if weights.ndim != 1 or weights.shape[0] < 1:
        raise RuntimeError("no filter weights given")
    axis = normalize_axis_index(axis, input.ndim)
    if _invalid_origin(origin, len(weights)):
        raise ValueError(
            "Invalid origin; origin must satisfy -(len(weights) // 2) <= origin <= (len(weights)-1) // 2"
        )
    code = _ni_support._extend_mode_to_code(mode)
    _line_pass(_core.nd_correlate1d, input, output, axis, weights.tolist(), code, float(cval), int(origin))
    return output


def convolve1d(input, weights, axis=-1, output=None, mode="reflect", cval=0.0, origin=0):
    weights = np.asarray(weights)
    if weights.dtype.kind == "c":
        raise _decline("convolve1d", "complex weights")
    origin = -origin
    if not weights.shape[0] & 1:
        origin -= 1
    return correlate1d(input, weights[::-1], axis, output, mode, cval, origin)


def _sized1d(name: str, kernel: Callable[..., None], *extra: Any) -> Callable[..., Any]:
    def filter1d(input, size, axis=-1, output=None, mode="reflect", cval=0.0, origin=0):
        input = _input(name, input)
        axis = normalize_axis_index(axis, input.ndim)
        if size < 1:
            raise RuntimeError("incorrect filter size")
        output = _output(name, output, input)
        if (size // 2 + origin < 0) or (size // 2 + origin >= size):
            raise ValueError("invalid origin")
        code = _ni_support._extend_mode_to_code(mode)
        _line_pass(kernel, input, output, axis, int(size), code, float(cval), int(origin), *extra)
        return output

    filter1d.__name__ = name
    return filter1d


uniform_filter1d = _sized1d("uniform_filter1d", _core.nd_uniform_filter1d)
minimum_filter1d = _sized1d("minimum_filter1d", _core.nd_min_or_max_filter1d, True)
maximum_filter1d = _sized1d("maximum_filter1d", _core.nd_min_or_max_filter1d, False)


def gaussian_filter1d(input, sigma, axis=-1, order=0, output=None, mode="reflect", cval=0.0, truncate=4.0, *, radius=None):
    import numbers

    sd = float(sigma)
    lw = int(truncate * sd + 0.5)
    if radius is not None:
        lw = radius
    if not isinstance(lw, numbers.Integral) or lw < 0:
        raise ValueError("Radius must be a nonnegative integer.")
    weights = _gaussian_kernel1d(sigma, order, lw)[::-1]
    return correlate1d(input, weights, axis, output, mode, cval, 0)


# --- separable N-D filters (passes of 1-D filters, as SciPy composes them) -------------------


def gaussian_filter(input, sigma, order=0, output=None, mode="reflect", cval=0.0, truncate=4.0, *, radius=None, axes=None):
    name = "gaussian_filter"
    input = _input(name, input)
    output = _output(name, output, input)
    axes = _ni_support._check_axes(axes, input.ndim)
    num_axes = len(axes)
    orders = _ni_support._normalize_sequence(order, num_axes)
    sigmas = _ni_support._normalize_sequence(sigma, num_axes)
    modes = _ni_support._normalize_sequence(mode, num_axes)
    radiuses = _ni_support._normalize_sequence(radius, num_axes)
    axes = [
        (axes[ii], sigmas[ii], orders[ii], modes[ii], radiuses[ii]) for ii in range(num_axes) if sigmas[ii] > 1e-15
    ]
    if len(axes) > 0:
        for axis, sigma, order, mode, radius in axes:
            gaussian_filter1d(input, sigma, axis, order, output, mode, cval, truncate, radius=radius)
            input = output
    else:
        output[...] = input[...]
    return output


def _edge(name: str, smooth: list[float]) -> Callable[..., Any]:
    def edge(input, axis=-1, output=None, mode="reflect", cval=0.0):
        input = _input(name, input)
        axis = normalize_axis_index(axis, input.ndim)
        output = _output(name, output, input)
        modes = _ni_support._normalize_sequence(mode, input.ndim)
        correlate1d(input, [-1, 0, 1], axis, output, modes[axis], cval, 0)
        for ii in [ii for ii in range(input.ndim) if ii != axis]:
            correlate1d(output, smooth, ii, output, modes[ii], cval, 0)
        return output

    edge.__name__ = name
    return edge


sobel = _edge("sobel", [1, 2, 1])
prewitt = _edge("prewitt", [1, 1, 1])


def _generic_laplace(name, input, derivative2, output, mode, cval, extra_arguments=(), extra_keywords=None, axes=None):
    extra_keywords = extra_keywords or {}
    input = _input(name, input)
    output = _output(name, output, input)
    axes = _ni_support._check_axes(axes, input.ndim)
    if len(axes) > 0:
        modes = _ni_support._normalize_sequence(mode, len(axes))
        derivative2(input, axes[0], output, modes[0], cval, *extra_arguments, **extra_keywords)
        for ii in range(1, len(axes)):
            tmp = derivative2(input, axes[ii], output.dtype, modes[ii], cval, *extra_arguments, **extra_keywords)
            output += tmp
    else:
        output[...] = input[...]
    return output


def laplace(input, output=None, mode="reflect", cval=0.0, *, axes=None):
    def derivative2(input, axis, output, mode, cval):
        return correlate1d(input, [1, -2, 1], axis, output, mode, cval, 0)

    return _generic_laplace("laplace", input, derivative2, output, mode, cval, axes=axes)


def gaussian_laplace(input, sigma, output=None, mode="reflect", cval=0.0, *, axes=None, **kwargs):
    input = _input("gaussian_laplace", input)

    def derivative2(input, axis, output, mode, cval, sigma, **kwargs):
        order = [0] * input.ndim
        order[axis] = 2
        return gaussian_filter(input, sigma, order, output, mode, cval, **kwargs)

    axes = _ni_support._check_axes(axes, input.ndim)
    num_axes = len(axes)
    sigma = _ni_support._normalize_sequence(sigma, num_axes)
    if num_axes < input.ndim:
        sigma_temp = [0] * input.ndim
        for s, ax in zip(sigma, axes):
            sigma_temp[ax] = s
        sigma = sigma_temp
    return _generic_laplace(
        "gaussian_laplace", input, derivative2, output, mode, cval, (sigma,), kwargs, axes
    )


def gaussian_gradient_magnitude(input, sigma, output=None, mode="reflect", cval=0.0, *, axes=None, **kwargs):
    name = "gaussian_gradient_magnitude"
    input = _input(name, input)

    def derivative(input, axis, output, mode, cval, sigma, **kwargs):
        order = [0] * input.ndim
        order[axis] = 1
        return gaussian_filter(input, sigma, order, output, mode, cval, **kwargs)

    output = _output(name, output, input)
    axes = _ni_support._check_axes(axes, input.ndim)
    if len(axes) > 0:
        modes = _ni_support._normalize_sequence(mode, len(axes))
        derivative(input, axes[0], output, modes[0], cval, sigma, **kwargs)
        np.multiply(output, output, output)
        for ii in range(1, len(axes)):
            tmp = derivative(input, axes[ii], output.dtype, modes[ii], cval, sigma, **kwargs)
            np.multiply(tmp, tmp, tmp)
            output += tmp
        np.sqrt(output, output, casting="unsafe")
    else:
        output[...] = input[...]
    return output


def uniform_filter(input, size=3, output=None, mode="reflect", cval=0.0, origin=0, *, axes=None):
    name = "uniform_filter"
    input = _input(name, input)
    output = _output(name, output, input)
    axes = _ni_support._check_axes(axes, input.ndim)
    num_axes = len(axes)
    sizes = _ni_support._normalize_sequence(size, num_axes)
    origins = _ni_support._normalize_sequence(origin, num_axes)
    modes = _ni_support._normalize_sequence(mode, num_axes)
    axes = [(axes[ii], sizes[ii], origins[ii], modes[ii]) for ii in range(num_axes) if sizes[ii] > 1]
    if len(axes) > 0:
        for axis, size, origin, mode in axes:
            uniform_filter1d(input, int(size), axis, output, mode, cval, origin)
            input = output
    else:
        output[...] = input[...]
    return output


# --- footprint filters ------------------------------------------------------------------------


def _footprint_run(name, input, output, fshape, mask, weights, op, rank, origins, mode, cval):
    """SciPy's N-D kernels write into an output that shares no memory with the input: a
    temporary otherwise, copied into the output afterwards. (The kernel casts ``cval`` to the
    input's type for minimum/maximum and rank, as SciPy's C code does.)"""
    temp = None
    if np.may_share_memory(input, output):
        temp, output = output, np.zeros(input.shape, dtype=output.dtype)
    _core.nd_footprint_filter(
        input, output, [int(n) for n in fshape], [bool(m) for m in mask], [float(w) for w in weights],
        op, int(rank), [int(o) for o in origins], mode, float(cval), threads(),
    )
    if temp is not None:
        temp[...] = output
        output = temp
    return output


def _correlate_or_convolve(name, input, weights, output, mode, cval, origin, convolution, axes):
    input = _input(name, input)
    weights = np.asarray(weights)
    if weights.dtype.kind == "c":
        raise _decline(name, "complex weights")
    axes = _ni_support._check_axes(axes, input.ndim)
    weights = np.asarray(weights, dtype=np.float64)
    weights = _expand_footprint(input.ndim, axes, weights, "weights")
    origins = _expand_origin(input.ndim, axes, origin)
    wshape = [ii for ii in weights.shape if ii > 0]
    if len(wshape) != input.ndim:
        raise RuntimeError(f"weights.ndim ({len(wshape)}) must match len(axes) ({len(axes)})")
    if convolution:
        weights = weights[tuple([slice(None, None, -1)] * weights.ndim)]
        for ii in range(len(origins)):
            origins[ii] = -origins[ii]
            if not weights.shape[ii] & 1:
                origins[ii] -= 1
    for o, lenw in zip(origins, wshape):
        if _invalid_origin(o, lenw):
            raise ValueError(
                "Invalid origin; origin must satisfy -(weights.shape[k] // 2) <= origin[k] <= (weights.shape[k]-1) // 2"
            )
    output = _output(name, output, input)
    if not isinstance(mode, str) and isinstance(mode, Iterable):
        raise RuntimeError("A sequence of modes is not supported")
    code = _ni_support._extend_mode_to_code(mode)
    flat = np.ascontiguousarray(weights).ravel()
    return _footprint_run(name, input, output, weights.shape, [], flat, "correlate", 0, origins, code, cval)


def correlate(input, weights, output=None, mode="reflect", cval=0.0, origin=0, *, axes=None):
    return _correlate_or_convolve("correlate", input, weights, output, mode, cval, origin, False, axes)


def convolve(input, weights, output=None, mode="reflect", cval=0.0, origin=0, *, axes=None):
    return _correlate_or_convolve("convolve", input, weights, output, mode, cval, origin, True, axes)


def _min_or_max_filter(name, input, size, footprint, output, mode, cval, origin, minimum, axes=None):
    import warnings

    if (size is not None) and (footprint is not None):
        warnings.warn("ignoring size because footprint is set", UserWarning, stacklevel=3)
    if footprint is None:
        if size is None:
            raise RuntimeError("no footprint provided")
        separable = True
    else:
        footprint = np.asarray(footprint, dtype=bool)
        if not footprint.any():
            raise ValueError("All-zero footprint is not supported.")
        if footprint.all():
            size = footprint.shape
            footprint = None
            separable = True
        else:
            separable = False
    input = _input(name, input)
    output = _output(name, output, input)
    temp_needed = np.may_share_memory(input, output)
    if temp_needed:
        temp = output
        output = _ni_support._get_output(output.dtype, input)
    axes = _ni_support._check_axes(axes, input.ndim)
    num_axes = len(axes)
    if separable:
        origins = _ni_support._normalize_sequence(origin, num_axes)
        sizes = _ni_support._normalize_sequence(size, num_axes)
        modes = _ni_support._normalize_sequence(mode, num_axes)
        axes = [(axes[ii], sizes[ii], origins[ii], modes[ii]) for ii in range(len(axes)) if sizes[ii] > 1]
        filter_ = minimum_filter1d if minimum else maximum_filter1d
        if len(axes) > 0:
            for axis, size, origin, mode in axes:
                filter_(input, int(size), axis, output, mode, cval, origin)
                input = output
        else:
            output[...] = input[...]
    else:
        footprint = _expand_footprint(input.ndim, axes, footprint)
        origins = _expand_origin(input.ndim, axes, origin)
        fshape = [ii for ii in footprint.shape if ii > 0]
        if len(fshape) != input.ndim:
            raise RuntimeError(f"footprint.ndim ({footprint.ndim}) must match len(axes) ({len(axes)})")
        for o, lenf in zip(origins, fshape):
            if (lenf // 2 + o < 0) or (lenf // 2 + o >= lenf):
                raise ValueError("invalid origin")
        if not isinstance(mode, str) and isinstance(mode, Iterable):
            raise RuntimeError("A sequence of modes is not supported for non-separable footprints")
        code = _ni_support._extend_mode_to_code(mode)
        output = _footprint_run(
            name, input, output, footprint.shape, np.ascontiguousarray(footprint).ravel(), [],
            "minimum" if minimum else "maximum", 0, origins, code, cval,
        )
    if temp_needed:
        temp[...] = output
        output = temp
    return output


def minimum_filter(input, size=None, footprint=None, output=None, mode="reflect", cval=0.0, origin=0, *, axes=None):
    return _min_or_max_filter("minimum_filter", input, size, footprint, output, mode, cval, origin, True, axes)


def maximum_filter(input, size=None, footprint=None, output=None, mode="reflect", cval=0.0, origin=0, *, axes=None):
    return _min_or_max_filter("maximum_filter", input, size, footprint, output, mode, cval, origin, False, axes)


def _rank_filter(name, input, rank, size=None, footprint=None, output=None, mode="reflect", cval=0.0, origin=0,
                 operation="rank", axes=None):
    import warnings

    if (size is not None) and (footprint is not None):
        warnings.warn("ignoring size because footprint is set", UserWarning, stacklevel=3)
    input = _input(name, input)
    axes = _ni_support._check_axes(axes, input.ndim)
    num_axes = len(axes)
    if footprint is None:
        if size is None:
            raise RuntimeError("no footprint or filter size provided")
        sizes = _ni_support._normalize_sequence(size, num_axes)
        footprint = np.ones(sizes, dtype=bool)
    else:
        footprint = np.asarray(footprint, dtype=bool)
    footprint = _expand_footprint(input.ndim, axes, footprint)
    origins = _expand_origin(input.ndim, axes, origin)
    mode = _expand_mode(input.ndim, axes, mode)
    fshape = [ii for ii in footprint.shape if ii > 0]
    if len(fshape) != input.ndim:
        raise RuntimeError(f"footprint.ndim ({footprint.ndim}) must match len(axes) ({len(axes)})")
    for o, lenf in zip(origins, fshape):
        if (lenf // 2 + o < 0) or (lenf // 2 + o >= lenf):
            raise ValueError("invalid origin")
    filter_size = int(np.count_nonzero(footprint))
    if operation == "median":
        rank = filter_size // 2
    elif operation == "percentile":
        percentile = rank
        if percentile < 0.0:
            percentile += 100.0
        if percentile < 0 or percentile > 100:
            raise RuntimeError("invalid percentile")
        if percentile == 100.0:
            rank = filter_size - 1
        else:
            rank = int(float(filter_size) * percentile / 100.0)
    if rank < 0:
        rank += filter_size
    if rank < 0 or rank >= filter_size:
        raise RuntimeError("rank not within filter footprint size")
    if rank == 0:
        return minimum_filter(input, None, footprint, output, mode, cval, origins, axes=None)
    if rank == filter_size - 1:
        return maximum_filter(input, None, footprint, output, mode, cval, origins, axes=None)
    if input.ndim == 1:
        raise _decline(name, "1-D input (SciPy's separate 1-D rank algorithm)")
    output = _output(name, output, input)
    if not isinstance(mode, str) and isinstance(mode, Iterable):
        raise RuntimeError("A sequence of modes is not supported by non-separable rank filters")
    code = _ni_support._extend_mode_to_code(mode, is_filter=True)
    return _footprint_run(
        name, input, output, footprint.shape, np.ascontiguousarray(footprint).ravel(), [], "rank", rank, origins,
        code, cval,
    )


def rank_filter(input, rank, size=None, footprint=None, output=None, mode="reflect", cval=0.0, origin=0, *, axes=None):
    import operator

    rank = operator.index(rank)
    return _rank_filter("rank_filter", input, rank, size, footprint, output, mode, cval, origin, "rank", axes)


def median_filter(input, size=None, footprint=None, output=None, mode="reflect", cval=0.0, origin=0, *, axes=None):
    return _rank_filter("median_filter", input, 0, size, footprint, output, mode, cval, origin, "median", axes)


def percentile_filter(input, percentile, size=None, footprint=None, output=None, mode="reflect", cval=0.0, origin=0, *,
                      axes=None):
    return _rank_filter("percentile_filter", input, percentile, size, footprint, output, mode, cval, origin,
                        "percentile", axes)


IMPLEMENTATIONS: dict[tuple[str, str], Callable[..., Any]] = {
    ("ndimage", f.__name__): f
    for f in (
        correlate1d, convolve1d, uniform_filter1d, minimum_filter1d, maximum_filter1d, gaussian_filter1d,
        gaussian_filter, sobel, prewitt, laplace, gaussian_laplace, gaussian_gradient_magnitude, uniform_filter,
        correlate, convolve, minimum_filter, maximum_filter, rank_filter, median_filter, percentile_filter,
    )
}
