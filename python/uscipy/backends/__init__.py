"""uscipy's backends: one module per backend, found by name.

``get(name)`` returns the backend object for a built-in name or a third-party backend declared
in the entry-point group ``uscipy.backends``.
"""

from __future__ import annotations

import importlib
import threading
from typing import Any

from .._core import register_fallback_backend
from ._base import MODULES, Backend, domain_of

__all__ = ["Backend", "MODULES", "domain_of", "get", "install_default_backends"]

BUILTIN = {"scipy": "uscipy.backends.scipy"}

_installed = False
_install_lock = threading.Lock()


def get(name: str) -> Any:
    """The backend called ``name``: built in, or from the ``uscipy.backends`` entry points."""
    if name in BUILTIN:
        return importlib.import_module(BUILTIN[name]).backend
    from .._plugins import load_plugin

    backend = load_plugin(name)
    if backend is None:
        known = sorted({*BUILTIN, *_plugin_names()})
        raise ValueError(f"unknown uscipy backend {name!r}; known backends: {', '.join(known)}")
    return backend


def _plugin_names() -> list[str]:
    from .._plugins import plugin_names

    return plugin_names()


def install_default_backends() -> None:
    """Makes SciPy the fallback of uscipy's domains (once per process, whatever the scope)."""
    global _installed
    if _installed:
        return
    with _install_lock:
        if not _installed:
            register_fallback_backend(get("scipy"))
            _installed = True
