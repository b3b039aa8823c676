"""The ``jax`` backend: JAX arrays (and tracers, so calls work under ``jax.jit``) go to
``jax.numpy.fft``, ``jax.scipy.fft``, ``jax.scipy.ndimage``, ``jax.scipy.linalg`` and
``jax.scipy.special``, through :class:`Adapter` where the arguments differ from SciPy's.

Which functions it claims is a rule (the same name exists in JAX's namespace) minus
``EXCLUDED``, the functions whose results differ from SciPy's (found by the differential tests).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from ._adapt import Adapter, scipy_signature
from ._base import Backend, importable

# Where JAX keeps each SciPy module's functions, searched in order.
NAMESPACES = {
    "fft": ("jax.scipy.fft", "jax.numpy.fft"),
    "ndimage": ("jax.scipy.ndimage",),
    "linalg": ("jax.scipy.linalg",),
    "special": ("jax.scipy.special",),
}

# Values JAX supports for arguments SciPy accepts more of.
ACCEPTS: dict[str, dict[str, Callable[[Any], bool]]] = {
    "ndimage.map_coordinates": {
        "order": lambda v: v in (0, 1),
        "output": lambda v: v is None,
        "mode": lambda v: v in ("constant", "nearest", "wrap", "mirror", "reflect"),
    },
    **{f"fft.{f}": {"type": lambda v: v == 2, "orthogonalize": lambda v: v is None}
       for f in ("dct", "idct", "dctn", "idctn")},
    "linalg.eigh": {"b": lambda v: v is None},
}

# Same name in JAX, different results or semantics than SciPy's (differential tests):
# pascal computes in floating point (20.00002 for 20); bernoulli is approximate (2.5e-6);
# sph_harm_y takes other arguments (n_max).
EXCLUDED: frozenset[str] = frozenset({"linalg.pascal", "special.bernoulli", "special.sph_harm_y"})

# jax.scipy.special is real-valued but for these.
COMPLEX_SPECIAL = frozenset({"wofz"})


def _real(value: Any) -> bool:
    dtype = getattr(value, "dtype", None)
    return not (isinstance(value, complex) or (dtype is not None and getattr(dtype, "kind", "") == "c"))


def available() -> tuple[bool, str]:
    return importable("jax", "'uscipy[jax]'")


class JaxBackend(Backend):
    name = "jax"
    types = ("jaxlib._jax:ArrayImpl", "jax._src.core:Tracer")

    def available(self) -> tuple[bool, str]:
        return available()

    def implementation(self, module: str, name: str) -> Callable[..., Any] | None:
        if f"{module}.{name}" in EXCLUDED or not available()[0]:
            return None
        signature = scipy_signature(module, name)
        accepts = dict(ACCEPTS.get(f"{module}.{name}", {}))
        if module == "special" and name not in COMPLEX_SPECIAL:
            for param in signature.parameters.values():
                if param.kind in (param.POSITIONAL_ONLY, param.POSITIONAL_OR_KEYWORD):
                    accepts.setdefault(param.name, _real)
        for namespace in NAMESPACES[module]:
            target = getattr(importlib.import_module(namespace), name, None)
            if target is not None:
                return Adapter("jax", f"{module}.{name}", signature, target, accepts=accepts)
        return None


backend = JaxBackend()
