"""The ``cupy`` backend: CuPy arrays run on the GPU through ``cupyx.scipy.{fft, ndimage,
linalg, special}``, through :class:`Adapter` where CuPy's arguments differ from SciPy's.

Import-safe without a GPU: the module imports nothing; ``available()`` says "no CUDA device"
(or that CuPy is missing), and the backend then implements nothing. Its claims are the
functions CuPy provides under SciPy's names, minus ``EXCLUDED`` (differential tests on a GPU).
"""

from __future__ import annotations

import functools
import importlib
import inspect
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from ._adapt import Adapter, scipy_signature
from ._base import Backend

# Where CuPy keeps each SciPy module's functions, searched in order: cupyx.scipy.linalg lacks
# solve, inv, det, svd... which cupy.linalg has under NumPy's signatures (the Adapter passes on
# what matches, declines the rest; EXCLUDED holds those whose defaults mean something else).
NAMESPACES = {
    **{m: (f"cupyx.scipy.{m}",) for m in ("fft", "ndimage", "special")},
    "linalg": ("cupyx.scipy.linalg", "cupy.linalg"),
}

# Same name in CuPy, different results or semantics than SciPy's (found on a GPU): cupy.linalg's
# cholesky gives the lower factor (SciPy's the upper), its qr lacks SciPy's modes "full" and
# "economic", its lstsq gives residues of another shape.
EXCLUDED: frozenset[str] = frozenset({"linalg.cholesky", "linalg.qr", "linalg.lstsq"})


def _kernel(*kinds: str) -> Callable[[Any], bool]:
    """CuPy's generic filters take a compiled CuPy kernel where SciPy takes a Python callable."""

    def accepts(value: Any) -> bool:
        import cupy

        return isinstance(value, tuple(getattr(cupy, k) for k in kinds))

    return accepts


def _float64(value: Any) -> bool:
    import numpy as np

    dtype = getattr(value, "dtype", value)
    try:
        return np.dtype(dtype) in (np.float64, np.complex128)
    except TypeError:
        return False


# CuPy interpolates float32 (and integer) images in single precision, SciPy always in double:
# at the edges of zoom, coordinates rounded up in float32 fall outside and take cval. These run
# on the image widened to float64 (complex128), into the dtype SciPy would give.
IN_DOUBLE = frozenset(f"ndimage.{f}" for f in ("zoom", "shift", "rotate", "affine_transform", "map_coordinates"))


def _in_double(target: Callable[..., Any]) -> Callable[..., Any]:
    signature = inspect.signature(target)
    data = next(iter(signature.parameters))

    @functools.wraps(target)
    def run(*args: Any, **kwargs: Any) -> Any:
        bound = signature.bind(*args, **kwargs)
        image = bound.arguments[data]
        wide = "complex128" if image.dtype.kind == "c" else "float64"
        if image.dtype != wide:
            bound.arguments[data] = image.astype(wide)
            if bound.arguments.get("output") is None:
                bound.arguments["output"] = image.dtype
        return target(*bound.args, **bound.kwargs)

    return run


# Values CuPy supports for arguments SciPy accepts more of.
ACCEPTS: dict[str, dict[str, Callable[[Any], bool]]] = {
    "linalg.expm": {"A": lambda a: getattr(a, "ndim", 2) == 2},  # SciPy also takes stacks
    # cupy.linalg's eigh and eigvalsh are standard problems only (their 2nd parameter is UPLO).
    "linalg.eigh": {"b": lambda b: b is None},
    "linalg.eigvalsh": {"b": lambda b: b is None},
    "ndimage.generic_filter": {"function": _kernel("RawKernel", "ReductionKernel")},
    "ndimage.generic_filter1d": {"function": _kernel("RawKernel")},
    # CuPy filters in the output's precision; SciPy in double whatever the output.
    "ndimage.spline_filter": {"output": _float64},
    "ndimage.spline_filter1d": {"output": _float64},
}


def _tuples(result: Any) -> Any:
    # A list of coordinate arrays, where SciPy gives a list of tuples (of 0-d device arrays here).
    return [tuple(v) for v in result] if isinstance(result, list) else result


def _object_array(result: Any) -> Any:
    # A list of arrays, where SciPy gives a NumPy object array (holding CuPy arrays here).
    if not isinstance(result, list):
        return result
    import numpy as np

    out = np.empty(len(result), dtype=object)
    for i, array in enumerate(result):  # one by one: NumPy must not look inside them
        out[i] = array
    return out


def _no_loop(error: Exception) -> bool:
    # What CuPy's ufuncs raise for input dtypes they have no loop for (complex erf, say).
    return isinstance(error, TypeError) and str(error).startswith("Wrong type")


# CuPy's result in SciPy's structure.
RESULTS: dict[str, Callable[[Any], Any]] = {
    "ndimage.center_of_mass": _tuples,
    "ndimage.histogram": _object_array,
    "ndimage.labeled_comprehension": _object_array,
}


@lru_cache(maxsize=1)
def available() -> tuple[bool, str]:
    try:
        cupy = importlib.import_module("cupy")
    except ImportError as e:
        return False, f"cupy is not installed ({e.msg}); pip install cupy-cuda12x (or cupy-cuda13x, by your CUDA)"
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as e:  # noqa: BLE001 - CUDA driver/runtime errors vary
        return False, f"no CUDA device ({type(e).__name__}: {e})"
    if count == 0:
        return False, "no CUDA device"
    return True, ""


class CupyBackend(Backend):
    name = "cupy"
    types = ("cupy:ndarray", "cupy._core.core:_ndarray_base")

    def available(self) -> tuple[bool, str]:
        return available()

    def implementation(self, module: str, name: str) -> Callable[..., Any] | None:
        if f"{module}.{name}" in EXCLUDED or not available()[0]:
            return None
        for namespace in NAMESPACES[module]:
            try:
                target = getattr(importlib.import_module(namespace), name, None)
            except ImportError:
                continue
            if callable(target):
                qualname = f"{module}.{name}"
                if qualname in IN_DOUBLE:
                    target = _in_double(target)
                return Adapter("cupy", qualname, scipy_signature(module, name), target,
                               accepts=ACCEPTS.get(qualname, {}), result=RESULTS.get(qualname),
                               unsupported=_no_loop)
        return None


backend = CupyBackend()
