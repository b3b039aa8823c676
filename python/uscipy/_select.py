"""Choosing backends: by name or object, scoped (``set_backend``) or global, and listing them."""

from __future__ import annotations

import contextlib
import importlib
import logging
from dataclasses import dataclass
from typing import Any

from . import uarray as ua

log = logging.getLogger("uscipy")


def resolve(backend: Any) -> Any:
    """A backend object from a name ("scipy", "dask", a plugin's name) or a backend object
    (uscipy's, or any uarray backend, modules such as ``pyfftw.interfaces.scipy_fft`` included)."""
    if isinstance(backend, str):
        from .backends import get

        return get(backend)
    if not hasattr(backend, "__ua_domain__"):
        raise TypeError(
            f"uscipy: a backend is a name or an object with __ua_domain__ and __ua_function__, "
            f"got {type(backend).__name__}"
        )
    return backend


class BackendContext(contextlib.ContextDecorator):
    """What :func:`set_backend` and :func:`skip_backend` return: a context manager that also
    works as a decorator (``@uscipy.set_backend("scipy")``)."""

    def __init__(self, context: Any) -> None:
        self._context = context

    def __enter__(self) -> BackendContext:
        self._context.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._context.__exit__(*exc)

    def __repr__(self) -> str:
        return f"uscipy.{self._context!r}"

    def __reduce__(self) -> tuple[Any, tuple[Any]]:
        return BackendContext, (self._context,)


def set_backend(backend: Any, coerce: bool = False, only: bool = False) -> BackendContext:
    """Prefer ``backend`` inside the block (or decorated function), for every SciPy module it
    serves. ``coerce=True`` lets it convert arguments to its own array type (and implies
    ``only``); ``only=True`` makes it the last backend tried."""
    return BackendContext(ua.set_backend(resolve(backend), coerce, only))


def skip_backend(backend: Any) -> BackendContext:
    """Never use ``backend`` inside the block."""
    return BackendContext(ua.skip_backend(resolve(backend)))


def set_global_backend(backend: Any, coerce: bool = False, only: bool = False, *, try_last: bool = False) -> None:
    """Make ``backend`` the global backend of the modules it serves (uarray semantics)."""
    ua.set_global_backend(resolve(backend), coerce, only, try_last=try_last)
    log.debug("global backend set: %r (coerce=%s, only=%s, try_last=%s)", backend, coerce, only, try_last)


def register_backend(backend: Any) -> None:
    """Register ``backend`` after the global one (uarray semantics)."""
    ua.register_backend(resolve(backend))
    log.debug("backend registered: %r", backend)


@dataclass(frozen=True)
class BackendInfo:
    """One row of :func:`backends`."""

    name: str
    usable: bool
    reason: str
    types: tuple[str, ...]
    modules: tuple[str, ...]
    functions: int | None  # None: not known without importing the backend

    def __str__(self) -> str:
        state = "usable" if self.usable else f"unavailable: {self.reason}"
        count = "?" if self.functions is None else str(self.functions)
        owns = ", ".join(self.types) or "NumPy arrays and array-likes"
        return f"{self.name:10} {state:40} {count:>4} functions  owns: {owns}"


def backends() -> list[BackendInfo]:
    """Every installed backend: whether it is usable here, the types it owns, how many of
    SciPy's functions it implements. Plugins are described from their metadata, unimported."""
    from ._api.table import API
    from ._plugins import plugin_info, plugin_names
    from .backends import BUILTIN, Backend, get

    rows = []
    for name in BUILTIN:
        module = importlib.import_module(BUILTIN[name])
        availability = getattr(module, "available", None)
        usable, reason = availability() if availability else (True, "")
        if not usable:
            declared = getattr(module, "TYPES", None)
            if declared is None:  # a uscipy backend object is importable without its library
                declared = getattr(get(name), "types", ())
            rows.append(BackendInfo(name, False, reason, tuple(declared), (), 0))
            continue
        backend = get(name)
        if isinstance(backend, Backend):
            types, modules = tuple(backend.types), tuple(backend.modules)
            count = sum(backend.implements(m, f) for m in modules for f in API[m])
        else:  # a uarray module backend (pyFFTW's, mkl_fft's): serves scipy.fft
            types, modules = (), ("fft",)
            implemented = getattr(backend, "_implemented", None)  # pyFFTW keeps a table
            names = {f.__name__ for f in implemented} if isinstance(implemented, dict) else set(dir(backend))
            count = sum(f in names for f in API["fft"])
        rows.append(BackendInfo(name, usable, reason, types, modules, count))
    for name in plugin_names():
        if name in BUILTIN:
            continue
        info = plugin_info(name)
        rows.append(
            BackendInfo(
                name,
                bool(info.get("usable", True)),
                str(info.get("reason", "")),
                tuple(info.get("types", ())),
                tuple(info.get("modules", ())),
                info.get("functions"),
            )
        )
    return rows
