"""The ``dask`` backend: Dask arrays stay lazy, chunk by chunk, on a laptop or a cluster.

- ``fft``: ``dask.array.fft.fft_wrap`` around uscipy's functions, so chunks run the selected
  NumPy backend (each transformed axis rechunked to one chunk, unless
  ``uscipy.config.dask_rechunk`` is False: then a clear error); the real transforms (dct, dst)
  chunk-wise along the other axes.
- ``linalg``: ``dask.array.linalg`` where it exists.
- ``ndimage``: dask-image (``dask_image.nd*``, its argument names mapped to SciPy's), and for
  chunk-local filters it lacks, ``map_overlap`` with the depth the footprint, size or radius
  needs, the array's outer boundary handled by SciPy's own ``mode``.
- ``special``: every ufunc element-wise, multi-output ones (airy, sici, fresnel...) included.

Per-chunk work runs uscipy's function on NumPy blocks under the backend state captured when
the graph was built, so ``with uscipy.set_backend(...)`` around graph construction selects the
implementation the workers use. Nothing here computes implicitly: what cannot be done chunk-wise
(a function above does not cover, or a variant one declines) is declined, with a message naming
the two ways to run it anyway:

- ``uscipy.config.dask_compute = True`` (or ``USCIPY_DASK_COMPUTE=1`` in the environment; default
  False): the Dask arguments are computed (one ``dask.compute`` over all of them), the function
  runs again on the NumPy arrays (through whichever backend is selected for NumPy input), and
  array results come back wrapped with ``dask.array.from_array`` (tuples element by element,
  scalars as they are). No warning; it is logged at DEBUG on the ``uscipy`` logger. What *is*
  chunk-wise stays lazy; ``implements()`` (the tracker, ``uscipy.backends()``) still reports only
  the chunk-wise functions.
- ``uscipy.set_backend("scipy", coerce=True)`` around the call computes and runs SciPy.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import logging
import os
from collections.abc import Callable
from typing import Any

import numpy as np

from .._core import BackendNotImplementedError
from ._adapt import Adapter, scipy_signature
from ._base import Backend, importable

FFT_NAMES = frozenset({
    "fft", "ifft", "fft2", "ifft2", "fftn", "ifftn", "rfft", "irfft", "rfft2", "irfft2", "rfftn",
    "irfftn", "hfft", "ihfft"})
SHIFTS = frozenset({"fftshift", "ifftshift"})
REAL_TRANSFORMS = frozenset({"dct", "idct", "dst", "idst", "dctn", "idctn", "dstn", "idstn"})
# dask.array.linalg works on single matrices (no batches); these need square ones too.
SQUARE_ONLY = frozenset({"cholesky", "inv", "lu", "solve", "solve_triangular"})


def _matrix(a: Any) -> bool:
    return getattr(a, "ndim", 2) == 2


def _square(a: Any) -> bool:
    return _matrix(a) and a.shape[0] == a.shape[1]


LINALG_NAMES = frozenset({"cholesky", "inv", "lu", "qr", "solve", "solve_triangular", "svd", "lstsq", "norm"})
# dask-image, for what uscipy does not overlap itself: binary morphology (with iterations) and
# the Fourier filters. (Its filters are not used: with mode='wrap' they differ from SciPy, while
# the overlap below is SciPy itself on each chunk.)
DASK_IMAGE = {
    "dask_image.ndmorph": ("binary_closing", "binary_dilation", "binary_erosion", "binary_opening"),
    "dask_image.ndfourier": ("fourier_gaussian", "fourier_shift", "fourier_uniform"),
}


def _depth_from_size(size: Any, ndim: int, origin: Any = 0) -> tuple[int, ...]:
    sizes = np.broadcast_to(np.asarray(size), (ndim,))
    origins = np.broadcast_to(np.asarray(origin), (ndim,))
    return tuple(int(s) // 2 + abs(int(o)) for s, o in zip(sizes, origins))


def _axis_depth(ndim: int, axis: int, depth: int) -> tuple[int, ...]:
    out = [0] * ndim
    out[axis % ndim] = depth
    return tuple(out)


# Chunk-local filters dask-image lacks: the overlap each needs, from SciPy's bound arguments.
def _grey_depth(a: dict[str, Any], ndim: int) -> tuple[int, ...]:
    shape = next((np.shape(a[k]) for k in ("footprint", "structure") if a.get(k) is not None), None)
    return _depth_from_size(shape if shape is not None else a["size"], ndim, a.get("origin", 0))


def _weights_depth(a: dict[str, Any], ndim: int) -> tuple[int, ...]:
    return _depth_from_size(np.shape(a["weights"]), ndim, a.get("origin", 0))


def _gaussian_depth(a: dict[str, Any], ndim: int) -> tuple[int, ...]:
    axes = range(ndim) if a.get("axes") is None else [ax % ndim for ax in np.atleast_1d(a["axes"])]
    sigmas = np.broadcast_to(np.asarray(a["sigma"], dtype=float), (len(axes),))
    radius = a.get("radius")
    radii = (np.broadcast_to(np.asarray(radius), (len(axes),)) if radius is not None
             else [int(float(a.get("truncate", 4.0)) * s + 0.5) for s in sigmas])
    depth = [0] * ndim
    for ax, r in zip(axes, radii):
        depth[ax] = int(r)
    return tuple(depth)


def _twice(depth_of: Callable[[dict[str, Any], int], tuple[int, ...]]) -> Callable[[dict[str, Any], int], tuple[int, ...]]:
    # opening = dilation after erosion: two passes, twice the reach.
    return lambda a, n: tuple(2 * d for d in depth_of(a, n))


OVERLAP_DEPTH: dict[str, Callable[[dict[str, Any], int], tuple[int, ...]]] = {
    **{name: _grey_depth for name in (
        "uniform_filter", "minimum_filter", "maximum_filter", "median_filter", "percentile_filter",
        "rank_filter")},
    "correlate": _weights_depth,
    "convolve": _weights_depth,
    **{name: _gaussian_depth for name in ("gaussian_filter", "gaussian_laplace", "gaussian_gradient_magnitude")},
    **{name: (lambda a, n: (1,) * n) for name in ("laplace", "sobel", "prewitt")},
    "uniform_filter1d": lambda a, n: _axis_depth(n, a["axis"], int(a["size"]) // 2 + abs(int(a["origin"]))),
    "minimum_filter1d": lambda a, n: _axis_depth(n, a["axis"], int(a["size"]) // 2 + abs(int(a["origin"]))),
    "maximum_filter1d": lambda a, n: _axis_depth(n, a["axis"], int(a["size"]) // 2 + abs(int(a["origin"]))),
    "correlate1d": lambda a, n: _axis_depth(n, a["axis"], len(a["weights"]) // 2 + abs(int(a["origin"]))),
    "convolve1d": lambda a, n: _axis_depth(n, a["axis"], len(a["weights"]) // 2 + abs(int(a["origin"]))),
    "gaussian_filter1d": lambda a, n: _axis_depth(
        n, a["axis"], int(a["radius"]) if a["radius"] is not None else int(float(a["truncate"]) * float(a["sigma"]) + 0.5)),
    **{name: _grey_depth for name in ("grey_erosion", "grey_dilation", "morphological_gradient", "morphological_laplace")},
    **{name: _twice(_grey_depth) for name in ("grey_opening", "grey_closing", "white_tophat", "black_tophat")},
}
OVERLAP_INPUT = "input"


log = logging.getLogger("uscipy.backends.dask")

COMPUTE_ENV = "USCIPY_DASK_COMPUTE"
COMPUTE_HINT = (f"set uscipy.config.dask_compute = True (or {COMPUTE_ENV}=1) to compute the Dask inputs and "
                "run the NumPy backend, or use uscipy.set_backend('scipy', coerce=True)")


def _env_flag(name: str) -> bool:
    text = os.environ.get(name, "").strip().lower()
    if text in ("", "0", "false", "no", "off"):
        return False
    if text in ("1", "true", "yes", "on"):
        return True
    raise ValueError(f"{name}={os.environ[name]!r} is malformed: expected 1 or 0 (true/false, yes/no, on/off)")


class _Config:
    rechunk = True  # uscipy.config.dask_rechunk
    compute: bool | None = None  # uscipy.config.dask_compute; None: from USCIPY_DASK_COMPUTE

    @classmethod
    def compute_allowed(cls) -> bool:
        if cls.compute is None:
            cls.compute = _env_flag(COMPUTE_ENV)
        return cls.compute


def _in_state(state: Any, function: Any, *blocks: Any, **kwargs: Any) -> Any:
    """Per-chunk work, on a worker: uscipy's function under the state captured at build time."""
    from .. import uarray

    with uarray.set_state(state):
        return function(*blocks, **kwargs)


def _numpy_state() -> Any:
    """Today's backend state, with this backend skipped: chunks are NumPy arrays, dispatched to
    whichever NumPy backend is selected, never back to Dask (even under ``only=True``)."""
    from .. import uarray

    with uarray.skip_backend(backend):
        return uarray.get_state()


def _on_blocks(function: Any, *blocks: Any, **kwargs: Any) -> Any:
    """``function`` on NumPy stand-ins (output dtype and shape probes), as the chunks will be."""
    from .. import uarray

    with uarray.skip_backend(backend):
        return function(*blocks, **kwargs)


def _captured(function: Any, **kwargs: Any) -> Callable[..., Any]:
    """``function(*blocks)`` with ``kwargs`` bound (never passed through Dask, whose own
    keywords, ``output``, ``dtype``... would collide) and the NumPy-side backend state."""
    return functools.partial(_in_state, _numpy_state(), function, **kwargs)


def _uscipy_function(module: str, name: str) -> Any:
    return getattr(importlib.import_module(f"uscipy.{module}"), name)


def _arguments(signature: inspect.Signature, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
    """SciPy's arguments by name, defaults applied, ``**kwargs`` merged in."""
    bound = signature.bind(*args, **kwargs)
    bound.apply_defaults()
    named = dict(bound.arguments)
    for name, param in signature.parameters.items():
        if param.kind is param.VAR_KEYWORD:
            named.update(named.pop(name, {}))
    return named


def _single_chunk(x: Any, axes: tuple[int, ...], what: str) -> Any:
    axes = tuple(a % x.ndim for a in axes)
    if all(len(x.chunks[a]) == 1 for a in axes):
        return x
    if not _Config.rechunk:
        raise ValueError(
            f"uscipy.{what}: the transformed axes {axes} of this Dask array have several chunks; "
            "allow rechunking (uscipy.config.dask_rechunk = True) or rechunk them to one chunk"
        )
    return x.rechunk({a: -1 for a in axes})


def _transformed_axes(bound: dict[str, Any], ndim: int, name: str) -> tuple[int, ...]:
    if "axis" in bound:
        return (bound["axis"],)
    axes = bound.get("axes")
    if axes is None:
        if name.endswith("2"):
            return (-2, -1)
        return tuple(range(ndim))
    return tuple(np.atleast_1d(axes).tolist())


def _fft(name: str) -> Callable[..., Any]:
    """``dask.array.fft.fft_wrap`` around uscipy's own function: each chunk runs the NumPy
    backend selected when the graph is built (SciPy's pocketfft by default, not numpy.fft)."""
    signature = scipy_signature("fft", name)
    function = _uscipy_function("fft", name)
    first = next(iter(signature.parameters))

    def run(*args: Any, **kwargs: Any) -> Any:
        from dask.array.fft import fft_wrap

        from .. import uarray

        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        x = bound.arguments[first]
        bound.arguments[first] = _single_chunk(x, _transformed_axes(bound.arguments, x.ndim, name), f"fft.{name}")
        state = _numpy_state()

        def chunk(a: Any, *rest: Any, **keywords: Any) -> Any:
            with uarray.set_state(state):
                return function(a, *rest, **keywords)

        chunk.__name__, chunk.__module__, chunk.__doc__ = name, __name__, None
        adapted = Adapter("dask", f"fft.{name}", signature, fft_wrap(chunk, kind=name))
        return adapted(*bound.args, **bound.kwargs)

    return run


def _shift(name: str) -> Callable[..., Any]:
    return Adapter("dask", f"fft.{name}", scipy_signature("fft", name),
                   getattr(importlib.import_module("dask.array.fft"), name))


def _chunkwise_along_axes(module: str, name: str) -> Callable[..., Any]:
    """dct & co.: independent along every axis but the transformed ones."""
    import dask.array as da

    signature = scipy_signature(module, name)
    function = _uscipy_function(module, name)

    def run(*args: Any, **kwargs: Any) -> Any:
        a = _arguments(signature, args, kwargs)
        if a.get("n") is not None or a.get("s") is not None:
            raise BackendNotImplementedError(f"dask: scipy.{module}.{name}: n/s (padding or cropping) is not supported")
        x = a.pop("x")
        x = _single_chunk(x, _transformed_axes(a, x.ndim, name), f"{module}.{name}")
        axes = {ax % x.ndim for ax in _transformed_axes(a, x.ndim, name)}
        probe = np.ones([x.shape[i] if i in axes else 1 for i in range(x.ndim)], dtype=x.dtype)
        meta = _on_blocks(function, probe, **a)
        return da.map_blocks(_captured(function, **a), x, meta=np.empty((0,) * x.ndim, dtype=meta.dtype))

    return run


def _overlap(name: str) -> Callable[..., Any]:
    signature = scipy_signature("ndimage", name)
    function = _uscipy_function("ndimage", name)
    depth_of = OVERLAP_DEPTH[name]

    def run(*args: Any, **kwargs: Any) -> Any:
        a = _arguments(signature, args, kwargs)
        if a.get("output") is not None:
            raise BackendNotImplementedError(f"dask: scipy.ndimage.{name}: output= is not supported (Dask arrays are immutable)")
        x = a.pop(OVERLAP_INPUT)
        depth = depth_of({**a, OVERLAP_INPUT: x}, x.ndim)
        mode = a.get("mode", "reflect")
        # Inner chunk edges get their neighbours' data; the array's own edges are left to
        # SciPy's `mode` in the edge chunks, exactly as on the whole array ('wrap' needs the
        # opposite edge, which Dask supplies as 'periodic').
        boundary = "periodic" if mode in ("wrap", "grid-wrap") else "none"
        meta = _on_blocks(function, np.ones((3,) * x.ndim, dtype=x.dtype), **a)
        return x.map_overlap(_captured(function, **a), depth=depth, boundary=boundary,
                             meta=np.empty((0,) * x.ndim, dtype=meta.dtype))

    return run


def _ufunc(name: str) -> Callable[..., Any] | None:
    import dask.array as da

    scipy_ufunc = getattr(importlib.import_module("scipy.special"), name)
    if not isinstance(scipy_ufunc, np.ufunc):
        return None
    function = _uscipy_function("special", name)

    def run(*args: Any, out: Any = None, **kwargs: Any) -> Any:
        if out is not None or kwargs:
            raise BackendNotImplementedError(f"dask: scipy.special.{name}: out= and ufunc keywords are not supported")
        if len(args) != scipy_ufunc.nin:
            raise TypeError(f"{name}() takes {scipy_ufunc.nin} positional arguments but {len(args)} were given")
        samples = [np.ones(1, dtype=getattr(a, "dtype", np.asarray(a).dtype)) for a in args]
        results = scipy_ufunc(*samples)
        if scipy_ufunc.nout == 1:
            arrays = da.broadcast_arrays(*args)
            return da.map_blocks(_captured(function), *arrays, meta=np.empty((0,) * arrays[0].ndim, dtype=results.dtype))
        # Multi-output ufuncs, which dask's own ufunc wrappers reject.
        signature = ",".join("()" for _ in args) + "->" + ",".join("()" for _ in results)
        return da.apply_gufunc(_captured(function), signature, *args,
                               output_dtypes=[r.dtype for r in results])

    return run


def _dask_arrays(value: Any, found: list[Any]) -> None:
    import dask.array as da

    if isinstance(value, da.Array):
        found.append(value)
    elif isinstance(value, (tuple, list)):
        for v in value:
            _dask_arrays(v, found)
    elif isinstance(value, dict):
        for v in value.values():
            _dask_arrays(v, found)


def _substitute(value: Any, computed: dict[int, Any]) -> Any:
    if id(value) in computed:
        return computed[id(value)]
    if isinstance(value, tuple) and hasattr(value, "_fields"):  # namedtuple
        return type(value)(*(_substitute(v, computed) for v in value))
    if isinstance(value, (tuple, list)):
        return type(value)(_substitute(v, computed) for v in value)
    if isinstance(value, dict):
        return {k: _substitute(v, computed) for k, v in value.items()}
    return value


def _wrap_result(value: Any) -> Any:
    import dask.array as da

    if isinstance(value, np.ndarray):
        return da.from_array(value)
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return type(value)(*(_wrap_result(v) for v in value))
    if isinstance(value, (tuple, list)):
        return type(value)(_wrap_result(v) for v in value)
    return value  # scalars (NumPy's included) and other objects as they are


def _compute_and_run(module: str, name: str, function: Any, why: str, args: tuple[Any, ...],
                     kwargs: dict[str, Any]) -> Any:
    """``uscipy.config.dask_compute``: the Dask arguments computed, ``function`` (uscipy's
    multimethod) run on NumPy arrays by the NumPy-side backends, array results back in Dask."""
    import dask

    from .. import uarray

    arrays: list[Any] = []
    _dask_arrays((args, kwargs), arrays)
    unique = list({id(a): a for a in arrays}.values())
    log.debug("dask: computing %d Dask argument(s) of scipy.%s.%s (%s)", len(unique), module, name, why)
    values = dask.compute(*unique) if unique else ()
    computed = {id(a): v for a, v in zip(unique, values)}
    args, kwargs = _substitute(args, computed), _substitute(kwargs, computed)
    with uarray.skip_backend(backend):
        result = function(*args, **kwargs)
    return _wrap_result(result)


def _allowing_compute(module: str, name: str, chunkwise: Callable[..., Any] | None) -> Callable[..., Any]:
    """What the engine calls: the chunk-wise implementation if there is one; where there is
    none, or it declines a variant, the computing fallback if ``uscipy.config.dask_compute``,
    else a decline naming the option."""
    function = _uscipy_function(module, name)

    def run(*args: Any, **kwargs: Any) -> Any:
        if chunkwise is not None:
            try:
                return chunkwise(*args, **kwargs)
            except BackendNotImplementedError as e:
                if e.function is not None:  # a nested dispatch's error (NumPy blocks), not our decline
                    raise
                why = str(e)
                if not _Config.compute_allowed():
                    raise BackendNotImplementedError(f"{why}; {COMPUTE_HINT}") from e
        else:
            why = "not chunk-wise"
            if not _Config.compute_allowed():
                raise BackendNotImplementedError(
                    f"dask: scipy.{module}.{name} cannot be done chunk-wise; {COMPUTE_HINT}")
        return _compute_and_run(module, name, function, why, args, kwargs)

    run.__name__ = name
    run.__qualname__ = f"dask.{module}.{name}"
    return run


def available() -> tuple[bool, str]:
    return importable("dask.array", "'uscipy[dask]'")


class DaskBackend(Backend):
    name = "dask"
    types = ("dask.array.core:Array",)

    def available(self) -> tuple[bool, str]:
        return available()

    def resolve(self, method: Any) -> Callable[..., Any] | None:
        """What the engine runs: every function of a served module, chunk-wise where
        :meth:`implementation` has it, else declining or computing (``uscipy.config.dask_compute``,
        read at call time)."""
        try:
            return self._resolved[method]
        except KeyError:
            module = method.domain.rpartition(".")[2]
            name = method.__name__
            impl = None
            if module in self.modules and available()[0]:
                chunkwise = self.implementation(module, name)
                impl = _allowing_compute(module, name, chunkwise)
                impl.chunkwise = chunkwise  # type: ignore[attr-defined]
            self._resolved[method] = impl
            return impl

    def __ua_function__(self, method: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        # Under plain uarray (scipy.fft.set_backend...), what is not chunk-wise stays
        # NotImplemented unless computing is allowed: the next backend is tried, as before.
        impl = self.resolve(method)
        if impl is None or (impl.chunkwise is None and not _Config.compute_allowed()):
            return NotImplemented
        return impl(*args, **kwargs)

    def implementation(self, module: str, name: str) -> Callable[..., Any] | None:
        """The chunk-wise implementation (what this backend claims), or None."""
        if not available()[0]:
            return None
        if module == "fft":
            if name in FFT_NAMES:
                return _fft(name)
            if name in SHIFTS:
                return _shift(name)
            if name in REAL_TRANSFORMS and not name.endswith("n"):
                return _chunkwise_along_axes(module, name)
            return None
        if module == "linalg" and name in LINALG_NAMES:
            target = getattr(importlib.import_module("dask.array.linalg"), name)
            signature = scipy_signature(module, name)
            first = next(iter(signature.parameters))
            accepts = {first: _square if name in SQUARE_ONLY else _matrix}
            return Adapter("dask", f"linalg.{name}", signature, target, accepts=accepts)
        if module == "ndimage":
            for place, names in DASK_IMAGE.items():
                if name in names:
                    try:
                        target = getattr(importlib.import_module(place), name)
                    except ImportError:
                        break
                    return Adapter("dask", f"ndimage.{name}", scipy_signature(module, name), target)
            if name in OVERLAP_DEPTH:
                return _overlap(name)
            return None
        if module == "special":
            return _ufunc(name)
        return None


backend = DaskBackend()
