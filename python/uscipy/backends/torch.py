"""The ``torch`` backend: PyTorch tensors (CPU or CUDA, results on the input's device) go to
``torch.fft``, ``torch.linalg`` and ``torch.special``, through :class:`Adapter`.

PyTorch's functions have no Python signatures and often other semantics (``dim`` for ``axis``,
``upper`` for SciPy's ``lower``, 1-based pivots, ``(input, n)`` for SciPy's ``(n, x)``), so every
function this backend claims is declared in one of three tables, with SciPy's parameter names:

- ``FFT``: ``torch.fft`` functions with SciPy's name; ``axis``/``axes`` become ``dim``.
- ``LINALG``: a small adapter per function, where SciPy's results are rebuilt from PyTorch's
  (``cholesky`` upper by default, ``qr`` modes, ``lu``'s ``permute_l``/``p_indices``, 0-based
  ``lu_factor`` pivots, ``lu_solve``/``solve_triangular`` ``trans``...).
- ``SPECIAL``: SciPy ufunc name -> ``torch.special`` function and the order of SciPy's
  positional arguments in PyTorch's call (``eval_chebyt(n, x)`` is
  ``chebyshev_polynomial_t(x, n)``), plus ``ACCEPTS`` value constraints; inputs are cast to the
  dtype SciPy's own ufunc loop would compute in (``int64`` -> ``float64``, not PyTorch's
  ``float32``).

What is not claimed is declined by the engine; arguments a table entry lacks are declined by
:class:`Adapter`, naming the argument; ``overwrite_*`` (a permission) and ``lwork`` (a hint) are
accepted and ignored, ``check_finite`` is honoured (it raises SciPy's ``ValueError``). ``EXCLUDED``
lists the functions left out after the differential tests, with why.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from ._adapt import Adapter, scipy_signature
from ._base import Backend
from ._torch_common import _is_tensor, available
from ._torch_fft import ACCEPTS_FFT, FFT
from ._torch_linalg import LINALG
from ._torch_special import ACCEPTS_SPECIAL, SPECIAL, SPECIAL_FUNCTIONS, _ufunc_target

# Functions deliberately not claimed, and why (each found by the differential tests or by
# reading PyTorch's semantics):
EXCLUDED: dict[str, str] = {
    # Measured against SciPy in float64 on x in [0.01, 50] (torch 2.15, CPU): PyTorch's
    # asymptotic expansions for x >= 5 are float32-grade.
    **{f"special.{n}": f"torch.special.{t} is accurate to ~1e-7 only for x >= 5 (absolute error up "
       f"to {e}, relative up to 6e-3 near zeros)"
       for n, t, e in (("j0", "bessel_j0", "3.7e-7"), ("j1", "bessel_j1", "4.5e-7"),
                       ("y0", "bessel_y0", "2.0e-7"), ("y1", "bessel_y1", "8.5e-7"))},
    # 0.5 * (1 + erf(x / sqrt(2))) cancels in the left tail: relative error 2.3e-6 at x = -7,
    # 1.8e-2 at x = -8, and 0.0 (SciPy: 7.6e-24) at x = -10.
    "special.ndtr": "torch.special.ndtr loses the left tail (x < -6.5: relative error > 1e-6; 0.0 for x <= -8.3)",
}
# Not in EXCLUDED but restricted (ACCEPTS and the adapters): zeta's q=None (torch.special.zeta is
# Hurwitz's; Riemann's continuation to x < 1 is missing), eval_*'s negative or non-integer
# degrees, complex arguments to special functions. ndimage: PyTorch has nothing with SciPy's
# semantics (boundary modes, origins), so nothing is claimed.

# Values PyTorch supports for arguments SciPy accepts more of ("module.name" -> arg -> check).
ACCEPTS: dict[str, dict[str, Callable[[Any], bool]]] = {**ACCEPTS_FFT, **ACCEPTS_SPECIAL}


def _resolve(result: Any) -> Any:
    """Results as materialised tensors: PyTorch's lazy conjugate/negative views (``ihfft``,
    ``.mH``) would refuse ``.numpy()``."""
    if _is_tensor(result):
        return result.resolve_conj().resolve_neg()
    if isinstance(result, tuple):
        return tuple(_resolve(r) for r in result)
    return result


def _resolving(target: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(target)  # Adapter reads the signature through __wrapped__
    def run(*args: Any, **kwargs: Any) -> Any:
        return _resolve(target(*args, **kwargs))

    return run


# Adapters built on a PyTorch function younger than the oldest PyTorch supported: claimed
# where it exists (torch.linalg.polar is missing from PyTorch 2.11, found on a GPU machine).
LINALG_NEEDS = {"polar": "linalg.polar"}


def _has(path: str | None) -> bool:
    if path is None:
        return True
    import torch

    obj: Any = torch
    for part in path.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            return False
    return True


class TorchBackend(Backend):
    name = "torch"
    # Matched against the MRO: subclasses (torch.nn.Parameter...) are owned too.
    types = ("torch:Tensor",)

    def available(self) -> tuple[bool, str]:
        return available()

    def implementation(self, module: str, name: str) -> Callable[..., Any] | None:
        qualname = f"{module}.{name}"
        if qualname in EXCLUDED or not available()[0]:
            return None
        if module == "fft" and name in FFT:
            target = FFT[name]()
        elif module == "linalg" and name in LINALG and _has(LINALG_NEEDS.get(name)):
            target = LINALG[name]
        elif module == "special" and name in SPECIAL:
            import scipy.special

            target = _ufunc_target(name, getattr(scipy.special, name))
        elif module == "special" and name in SPECIAL_FUNCTIONS:
            target = SPECIAL_FUNCTIONS[name]
        else:
            return None
        return Adapter("torch", qualname, scipy_signature(module, name), _resolving(target),
                       accepts=ACCEPTS.get(qualname, {}))


backend = TorchBackend()
