"""The torch backend's ``scipy.special``: a declarative table of SciPy ufunc name ->
``torch.special`` function and argument order, computed in the dtype SciPy's own ufunc loop
would use, plus adapters for the few non-ufuncs (``logsumexp``, ``softmax``, ``zeta``...)."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

import numpy as np

from ._torch_common import _as_tensor, _decline, _device_of, _is_tensor, _same_dtype, _torch

_P = inspect.Parameter


# SciPy name -> (torch.special function, SciPy's positional arguments in torch's order).
SPECIAL: dict[str, tuple[str, tuple[int, ...]]] = {
    **{n: (n, (0,)) for n in (
        "erf", "erfc", "erfcx", "erfinv", "expit", "logit", "gammaln", "digamma", "psi", "i0",
        "i0e", "i1", "i1e", "ndtr", "ndtri", "log_ndtr", "entr", "exp2", "expm1", "log1p", "round")},
    **{n: (n, (0, 1)) for n in ("xlogy", "xlog1py", "gammainc", "gammaincc")},
    "j0": ("bessel_j0", (0,)), "j1": ("bessel_j1", (0,)),
    "y0": ("bessel_y0", (0,)), "y1": ("bessel_y1", (0,)),
    "k0": ("modified_bessel_k0", (0,)), "k1": ("modified_bessel_k1", (0,)),
    "k0e": ("scaled_modified_bessel_k0", (0,)), "k1e": ("scaled_modified_bessel_k1", (0,)),
    # SciPy (n, x) -> PyTorch (input=x, n)
    "eval_chebyt": ("chebyshev_polynomial_t", (1, 0)),
    "eval_chebyu": ("chebyshev_polynomial_u", (1, 0)),
    "eval_sh_chebyt": ("shifted_chebyshev_polynomial_t", (1, 0)),
    "eval_sh_chebyu": ("shifted_chebyshev_polynomial_u", (1, 0)),
    "eval_hermite": ("hermite_polynomial_h", (1, 0)),
    "eval_hermitenorm": ("hermite_polynomial_he", (1, 0)),
    "eval_laguerre": ("laguerre_polynomial_l", (1, 0)),
    "eval_legendre": ("legendre_polynomial_p", (1, 0)),
}


def _integral_nonnegative(value: Any) -> bool:
    """A polynomial degree PyTorch evaluates as SciPy does: integers >= 0 (SciPy extends to
    negative and non-integer degrees, PyTorch does not)."""
    if isinstance(value, (bool, np.bool_)):
        return False
    if isinstance(value, (int, np.integer)):
        return value >= 0
    if _is_tensor(value):
        return not value.dtype.is_floating_point and not value.dtype.is_complex and bool((value >= 0).all())
    if isinstance(value, np.ndarray):
        return value.dtype.kind in "iu" and bool((value >= 0).all())
    return False


# The polynomials' degrees PyTorch evaluates: integers >= 0.
ACCEPTS_SPECIAL: dict[str, dict[str, Callable[[Any], bool]]] = {
    f"special.{name}": {"x1": _integral_nonnegative}
    for name in ("eval_chebyt", "eval_chebyu", "eval_sh_chebyt", "eval_sh_chebyu", "eval_hermite",
                 "eval_hermitenorm", "eval_laguerre", "eval_legendre")
}


@functools.lru_cache(maxsize=None)
def _torch_to_numpy_dtype(dtype: Any) -> np.dtype | None:
    torch = _torch()
    try:
        return torch.empty(0, dtype=dtype).numpy().dtype
    except (TypeError, RuntimeError):
        return None


def _probe(x: Any) -> Any:
    if _is_tensor(x):
        dt = _torch_to_numpy_dtype(x.dtype)
        return None if dt is None else np.empty(0, dtype=dt)
    if isinstance(x, np.ndarray):
        return np.empty(0, dtype=x.dtype)
    return x


def _loop_dtype(scipy_ufunc: Any, args: tuple[Any, ...], qualname: str) -> Any:
    """The torch dtype SciPy's ufunc computes these arguments in (its output's)."""
    import warnings

    torch = _torch()
    probes = [_probe(a) for a in args]
    if any(p is None for p in probes):
        raise _decline(qualname, "this dtype has no NumPy equivalent")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            result = scipy_ufunc(*probes)
        except TypeError as e:
            raise TypeError(f"scipy.{qualname}: {e}") from e
    result = result[0] if isinstance(result, tuple) else result
    kind = np.asarray(result).dtype
    if kind.kind == "c":
        raise _decline(qualname, "complex arguments are not supported")
    if kind not in (np.float32, np.float64):
        raise _decline(qualname, f"dtype {kind} is not supported")
    return torch.float64 if kind == np.float64 else torch.float32


def _ufunc_target(name: str, scipy_ufunc: Any) -> Callable[..., Any]:
    target_name, order = SPECIAL[name]
    qualname = f"special.{name}"

    def run(*args: Any) -> Any:
        torch = _torch()
        dtype = _loop_dtype(scipy_ufunc, args, qualname)
        device = _device_of(*args)
        tensors = [_as_tensor(a, device).to(dtype) for a in args]
        if device is not None:
            tensors = [t.to(device) for t in tensors]
        return getattr(torch.special, target_name)(*(tensors[i] for i in order))

    params = [_P(f"x{i + 1}" if scipy_ufunc.nin > 1 else "x", _P.POSITIONAL_ONLY) for i in range(scipy_ufunc.nin)]
    run.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    run.__name__ = name
    return run


def _real_float(x: Any, qualname: str, device: Any = None) -> Any:
    torch = _torch()
    x = _as_tensor(x, device)
    if x.is_complex():
        raise _decline(qualname, "complex arguments are not supported")
    if not x.dtype.is_floating_point:
        x = x.to(torch.float64)
    return x


def _dims(axis: Any, ndim: int) -> tuple[int, ...]:
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, (int, np.integer)):
        return (int(axis),)
    return tuple(int(a) for a in axis)


def _logsumexp(a, axis=None, keepdims=False):
    torch = _torch()
    a = _real_float(a, "special.logsumexp")
    if a.ndim == 0:
        return a.clone()
    return torch.logsumexp(a, dim=_dims(axis, a.ndim), keepdim=bool(keepdims))


def _softmax(x, axis=None):
    torch = _torch()
    x = _real_float(x, "special.softmax")
    if isinstance(axis, (int, np.integer)):
        return torch.special.softmax(x, int(axis))
    if x.ndim == 0:
        return torch.ones_like(x)
    return torch.exp(x - torch.logsumexp(x, dim=_dims(axis, x.ndim), keepdim=True))


def _log_softmax(x, axis=None):
    torch = _torch()
    x = _real_float(x, "special.log_softmax")
    if isinstance(axis, (int, np.integer)):
        return torch.special.log_softmax(x, int(axis))
    if x.ndim == 0:
        return torch.zeros_like(x)
    return x - torch.logsumexp(x, dim=_dims(axis, x.ndim), keepdim=True)


def _zeta(x, q=None, out=None):
    if q is None:
        raise _decline("special.zeta", "q=None (Riemann's zeta) is not supported: torch.special.zeta "
                       "is Hurwitz's, which lacks Riemann's continuation to x < 1")
    device = _device_of(x, q)
    x = _real_float(x, "special.zeta", device)
    q = _real_float(q, "special.zeta", device)
    x, q = _same_dtype(x, q)
    return _torch().special.zeta(x, q)


def _multigammaln(a, d):
    torch = _torch()
    if int(d) != d or d < 1:
        raise ValueError("d should be a positive integer (dimension)")
    a = _real_float(a, "special.multigammaln")
    if bool((a <= (d - 1) / 2.0).any()):
        raise ValueError(f"condition a ({a}) > 0.5 * (d-1) ({0.5 * (d - 1)}) not met")
    return torch.special.multigammaln(a, int(d))


def _polygamma(n, x):
    torch = _torch()
    device = _device_of(n, x)
    x = _real_float(x, "special.polygamma", device)
    n = _as_tensor(n, device)
    if n.is_complex() or n.is_floating_point() and not bool((n == n.round()).all()):
        raise _decline("special.polygamma", "non-integer orders n are not supported")
    if bool((n < 0).any()):
        raise _decline("special.polygamma", "negative orders n are not supported")
    n, x = torch.broadcast_tensors(n.to(torch.int64), x)
    out = torch.empty_like(x)
    for k in torch.unique(n).tolist():
        mask = n == k
        out[mask] = torch.special.polygamma(int(k), x[mask])
    return out


def _sinc(x):
    torch = _torch()
    x = _as_tensor(x)
    if not (x.dtype.is_floating_point or x.is_complex()):
        x = x.to(torch.float64)
    return torch.special.sinc(x)


SPECIAL_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "logsumexp": _logsumexp, "softmax": _softmax, "log_softmax": _log_softmax, "zeta": _zeta,
    "multigammaln": _multigammaln, "polygamma": _polygamma, "sinc": _sinc,
}
