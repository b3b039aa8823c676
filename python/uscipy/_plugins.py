"""Third-party backends, discovered through entry points without importing them.

A package declares, in its metadata:

    [project.entry-points."uscipy.backends"]
    mybackend = "mypackage.uscipy_backend:backend"        # the backend object (imported on use)

    [project.entry-points."uscipy.backend_info"]
    mybackend = "mypackage._uscipy_info:info"             # a dict, or a function returning one

``info`` describes the backend without importing its array library: ``{"types":
["mylib:Array"], "modules": ["fft", ...], "priority": 0, "requires": ["mylib"]}``.
"""

from __future__ import annotations

import functools
import importlib
import importlib.metadata
from functools import lru_cache
from typing import Any

BACKENDS_GROUP = "uscipy.backends"
INFO_GROUP = "uscipy.backend_info"


@lru_cache(maxsize=None)
def _entry_points(group: str) -> dict[str, importlib.metadata.EntryPoint]:
    return {ep.name: ep for ep in importlib.metadata.entry_points(group=group)}


def plugin_names() -> list[str]:
    return sorted(_entry_points(BACKENDS_GROUP))


def plugin_info(name: str) -> dict[str, Any]:
    """What the plugin says of itself; imports only its (small) info module."""
    ep = _entry_points(INFO_GROUP).get(name)
    if ep is None:
        return {}
    info = ep.load()
    return dict(info() if callable(info) else info)


def load_plugin(name: str) -> Any:
    ep = _entry_points(BACKENDS_GROUP).get(name)
    return None if ep is None else ep.load()


def refresh() -> None:
    """Forget discovered entry points (after installing a package at run time)."""
    _entry_points.cache_clear()
    proxy.cache_clear()


class LazyBackend:
    """Stands for a plugin backend described by its metadata: dispatch can route arrays of its
    types here while the plugin (and its array library) is imported only on the first call."""

    def __init__(self, name: str, info: dict[str, Any]) -> None:
        from .backends._base import MODULES, domain_of

        self.name = name
        self.types = tuple(info.get("types", ()))
        self.priority = int(info.get("priority", 0))
        self.modules = tuple(info.get("modules", MODULES))
        self.__ua_domain__ = [domain_of(m) for m in self.modules]
        self._backend: Any = None

    @property
    def backend(self) -> Any:
        if self._backend is None:
            self._backend = load_plugin(self.name)
        return self._backend

    def __uscipy_implementation__(self, method: Any) -> Any:
        resolve = getattr(self.backend, "__uscipy_implementation__", None)
        if resolve is not None:
            return resolve(method)
        return functools.partial(_call_through, self.backend, method)

    def __ua_function__(self, method: Any, args: tuple, kwargs: dict) -> Any:
        return self.backend.__ua_function__(method, args, kwargs)

    def __repr__(self) -> str:
        return f"<uscipy backend {self.name!r} (plugin)>"


def _call_through(backend: Any, method: Any, *args: Any, **kwargs: Any) -> Any:
    result = backend.__ua_function__(method, args, kwargs)
    if result is NotImplemented:
        from . import BackendNotImplementedError

        raise BackendNotImplementedError(f"{backend!r} does not implement {method.__name__}")
    return result


@lru_cache(maxsize=None)
def proxy(name: str) -> LazyBackend | None:
    """The one proxy of plugin ``name`` (what dispatch, selection and skipping all use)."""
    if name not in _entry_points(BACKENDS_GROUP):
        return None
    return LazyBackend(name, plugin_info(name))


def typed_plugins() -> list[LazyBackend]:
    """The proxy of every plugin whose metadata says it owns array types."""
    return [p for p in map(proxy, plugin_names()) if p is not None and p.types]
