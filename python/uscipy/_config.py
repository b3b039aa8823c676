"""``uscipy.config``: the priority list of backends for NumPy input (after scoped selections
and backends owning an argument's type), from ``USCIPY_BACKENDS`` or set in code."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterable
from typing import Any

from . import _core

log = logging.getLogger("uscipy")

ENV = "USCIPY_BACKENDS"
DEFAULT = ("scipy",)


def parse_backend_list(text: str, source: str = ENV) -> tuple[str, ...]:
    """``"native, scipy"`` -> ``("native", "scipy")``, rejecting empty entries and duplicates."""
    names = tuple(part.strip() for part in text.split(","))
    for i, name in enumerate(names, 1):
        if not name:
            raise ValueError(
                f"{source}={text!r} is malformed: backend {i} is empty; expected comma-separated "
                "backend names such as 'native,scipy'"
            )
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"{source}={text!r} names {', '.join(duplicates)} more than once")
    return names


class Config:
    """Process-wide settings. ``backends``: the order in which backends are tried for NumPy
    input; it replaces the default ``("scipy",)``, so end it with "scipy" to keep SciPy as the
    last resort."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._backends: tuple[Any, ...] | None = None
        self._names: tuple[str, ...] = ()

    @property
    def backends(self) -> tuple[str, ...]:
        self._ensure()
        return self._names

    @backends.setter
    def backends(self, value: Iterable[Any]) -> None:
        if isinstance(value, str):
            value = parse_backend_list(value, "uscipy.config.backends")
        self._apply(tuple(value))

    @property
    def dask_rechunk(self) -> bool:
        """Whether the dask backend may rechunk an axis an FFT transforms into one chunk (else
        such a call raises ValueError naming the axes)."""
        from .backends.dask import _Config

        return _Config.rechunk

    @dask_rechunk.setter
    def dask_rechunk(self, value: bool) -> None:
        from .backends.dask import _Config

        _Config.rechunk = bool(value)

    @property
    def dask_compute(self) -> bool:
        """Whether the dask backend may compute: a function (or variant) it cannot run chunk-wise
        then computes the Dask arguments, runs on NumPy arrays through the backends selected for
        NumPy input, and returns array results wrapped with ``dask.array.from_array`` (logged at
        DEBUG). Default False (such a call is declined, naming this option); the environment
        variable ``USCIPY_DASK_COMPUTE=1`` sets it for the process."""
        from .backends.dask import _Config

        return _Config.compute_allowed()

    @dask_compute.setter
    def dask_compute(self, value: bool) -> None:
        from .backends.dask import _Config

        _Config.compute = bool(value)

    def _ensure(self) -> None:
        if self._backends is None:
            text = os.environ.get(ENV)
            self._apply(parse_backend_list(text) if text else DEFAULT)

    def _apply(self, entries: tuple[Any, ...]) -> None:
        from ._select import resolve

        backends = tuple(resolve(e) for e in entries)  # raises before anything changes
        with self._lock:
            for old in self._backends or ():
                _core.unregister_backend(old)
            for backend in backends:
                _core.register_fallback_backend(backend)
            self._backends = backends
            self._names = tuple(e if isinstance(e, str) else getattr(e, "name", repr(e)) for e in entries)
        log.debug("backend priority for NumPy input: %s", ", ".join(self._names))


config = Config()
