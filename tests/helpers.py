"""Small backends and multimethods shared by the engine's tests."""

from __future__ import annotations

from typing import Any

import uscipy.uarray as ua


class Backend:
    """A backend whose ``__ua_function__`` returns ``result`` (or NotImplemented when inactive)."""

    def __init__(self, domain: Any = "uscipy_tests", result: Any = None, name: str = "backend"):
        self.__ua_domain__ = domain
        self.result = object() if result is None else result
        self.active = True
        self.calls: list[tuple[Any, tuple[Any, ...], dict[str, Any]]] = []
        self.name = name

    def __ua_function__(self, method, args, kwargs):
        self.calls.append((method, args, kwargs))
        return self.result if self.active else NotImplemented

    def __repr__(self) -> str:
        return f"<Backend {self.name}>"


def nullary(domain: str = "uscipy_tests", default=None):
    return ua.generate_multimethod(lambda: (), lambda a, kw, d: (a, kw), domain, default=default)


def unary(domain: str = "uscipy_tests", mark: Any = "mark"):
    return ua.generate_multimethod(
        lambda x: (ua.Dispatchable(x, mark),), lambda a, kw, d: (tuple(d) + a[1:], kw), domain
    )
