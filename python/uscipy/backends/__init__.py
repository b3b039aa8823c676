"""uscipy's backends: one module per backend, found by name.

``get(name)`` returns the backend object for a built-in name or a third-party backend declared
in the entry-point group ``uscipy.backends``.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

from ._base import MODULES, Backend, domain_of

__all__ = ["Backend", "MODULES", "domain_of", "get", "install", "uninstall", "install_default_backends"]

BUILTIN = {
    name: f"uscipy.backends.{name}" for name in ("scipy", "native", "jax", "dask", "cupy", "torch", "pyfftw", "mkl_fft")
}

# Built-in backends owning array types (their modules import the array library only when a
# function is first looked up, so installing them imports nothing heavy).
BUILTIN_TYPED = ("jax", "dask", "cupy", "torch")


def get(name: str) -> Any:
    """The backend called ``name``: built in, or from the ``uscipy.backends`` entry points."""
    if name in BUILTIN:
        return importlib.import_module(BUILTIN[name]).backend
    from .._plugins import plugin_names, proxy

    backend = proxy(name)
    if backend is None:
        known = sorted({*BUILTIN, *plugin_names()})
        raise ValueError(f"unknown uscipy backend {name!r}; known backends: {', '.join(known)}")
    return backend


def install(backend: Any) -> None:
    """Makes ``backend`` reachable through the array types it owns (``backend.types``,
    ``"module:qualname"`` strings): a call with such an argument reaches it with no selection."""
    from .._core import register_typed_backend

    types = list(getattr(backend, "types", ()))
    if not types:
        raise ValueError(f"{backend!r} owns no array types; select it with uscipy.set_backend instead")
    register_typed_backend(backend, types, int(getattr(backend, "priority", 0)))


def uninstall(backend: Any) -> None:
    """Undoes :func:`install` (and removes ``backend`` from the NumPy priority list)."""
    from .._core import unregister_backend

    unregister_backend(backend)


_defaults_installed = False


def install_default_backends() -> None:
    """Once per process, whatever the scope it is first needed in: the priority list for NumPy
    input (``USCIPY_BACKENDS``, default SciPy) and every plugin owning array types, installed
    from its metadata without importing it."""
    global _defaults_installed
    if _defaults_installed:
        return
    _defaults_installed = True
    from .._config import config
    from .._plugins import typed_plugins

    config.backends  # noqa: B018 - reading it installs it
    for name in BUILTIN_TYPED:
        install(get(name))
    for proxy in typed_plugins():
        install(proxy)


class _CallableModule(types.ModuleType):
    """``uscipy.backends`` is this package and also the function listing installed backends:
    ``uscipy.backends()``."""

    def __call__(self) -> list[Any]:
        from .._select import backends

        return backends()


sys.modules[__name__].__class__ = _CallableModule
