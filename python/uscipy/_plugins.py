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
