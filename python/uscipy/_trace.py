"""``uscipy.trace()``: record every dispatch (function, argument types, backend, duration), and
debug logging of dispatch decisions on the ``uscipy`` logger."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any

from . import _core

log = logging.getLogger("uscipy")


@dataclass(frozen=True)
class Dispatch:
    function: str
    argument_types: tuple[str, ...]
    backend: Any  # None: the multimethod's default ran, or nothing could
    seconds: float
    error: BaseException | None = None


@dataclass(eq=False)  # identity: each active trace is removed as itself
class Trace:
    """The dispatches recorded inside ``with uscipy.trace() as t:``."""

    calls: list[Dispatch] = field(default_factory=list)

    def __iter__(self):
        return iter(self.calls)

    def __len__(self) -> int:
        return len(self.calls)


_lock = threading.Lock()
_active: list[Trace] = []
_log_dispatch = False


def _type_name(value: Any) -> str:
    t = type(value)
    return t.__name__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__qualname__}"


def _hook(function: Any, backend: Any, args: tuple, kwargs: dict, elapsed_ns: int, error: BaseException | None) -> None:
    record = Dispatch(
        f"{function.__module__}.{function.__qualname__}",
        tuple(_type_name(a) for a in args) + tuple(f"{k}={_type_name(v)}" for k, v in kwargs.items()),
        backend,
        elapsed_ns / 1e9,
        error,
    )
    with _lock:
        for t in _active:
            t.calls.append(record)
    if _log_dispatch:
        log.debug("%s(%s) -> %r in %.1f us%s", record.function, ", ".join(record.argument_types), backend,
                  elapsed_ns / 1e3, f" raised {error!r}" if error else "")


def _update_hook() -> None:
    _core.set_dispatch_hook(_hook if (_active or _log_dispatch) else None)


class trace:  # noqa: N801 - used as `with uscipy.trace() as t:`
    """Records each dispatch made while active, from any thread."""

    def __enter__(self) -> Trace:
        self._trace = Trace()
        with _lock:
            _active.append(self._trace)
            _update_hook()
        return self._trace

    def __exit__(self, *exc: object) -> None:
        with _lock:
            _active.remove(self._trace)
            _update_hook()


def log_dispatches(enabled: bool = True) -> None:
    """Log every dispatch decision on the ``uscipy`` logger at DEBUG (off by default: it costs
    a Python call per dispatch)."""
    global _log_dispatch
    with _lock:
        _log_dispatch = enabled
        _update_hook()
