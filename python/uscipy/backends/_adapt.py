"""Calling an array library's function with SciPy's arguments.

``Adapter`` binds a call against SciPy's signature, passes on every argument the target
accepts (under its own name, if renamed), drops those left at SciPy's default that the target
does not have (``overwrite_x=False``, ``workers=None``, ufunc ``out=None``...), and declines with
``BackendNotImplementedError`` naming the argument otherwise: a call is never silently given
different semantics. ``Constraint`` adds value checks where the target supports less.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .._core import BackendNotImplementedError

_P = inspect.Parameter


def _same(a: Any, b: Any) -> bool:
    if a is b:
        return True
    try:
        return bool(a == b)
    except Exception:  # noqa: BLE001 - arrays and odd objects: not "the default"
        return False


@dataclass
class Adapter:
    backend: str
    qualname: str  # e.g. "fft.fft", for messages
    scipy_signature: inspect.Signature
    target: Callable[..., Any]
    rename: Mapping[str, str] = field(default_factory=dict)
    # name -> predicate on the value: the target supports only values it accepts.
    accepts: Mapping[str, Callable[[Any], bool]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        try:
            params = inspect.signature(self.target).parameters
        except (TypeError, ValueError):
            params = {}
        self._target_params = params
        self._takes_kwargs = any(p.kind is _P.VAR_KEYWORD for p in params.values())
        self._positional = [
            n for n, p in params.items() if p.kind in (_P.POSITIONAL_ONLY, _P.POSITIONAL_OR_KEYWORD)
        ]
        self._positional_only = {n for n, p in params.items() if p.kind is _P.POSITIONAL_ONLY}
        # The data argument is often named differently (x / a / input): match the first
        # positional parameters by position when the target lacks SciPy's name.
        self._required_defaults = [
            n for n, p in self.scipy_signature.parameters.items()
            if p.default is not _P.empty and self.rename.get(n, n) in params
            and params[self.rename.get(n, n)].default is _P.empty
            and params[self.rename.get(n, n)].kind not in (_P.VAR_POSITIONAL, _P.VAR_KEYWORD)
        ]
        # Data arguments are often named differently (x / a / input, ufuncs' x1, x2): a SciPy
        # positional parameter the target lacks takes the target's parameter at the same
        # position, if that one is not itself a SciPy parameter name.
        scipy_positional = [
            n for n, p in self.scipy_signature.parameters.items()
            if p.kind in (_P.POSITIONAL_ONLY, _P.POSITIONAL_OR_KEYWORD)
        ]
        rename = dict(self.rename)
        for i, name in enumerate(scipy_positional[: len(self._positional)]):
            theirs = self._positional[i]
            if name not in params and name not in rename and theirs not in self.scipy_signature.parameters:
                rename[name] = theirs
        self.rename = rename

    def _decline(self, why: str) -> BackendNotImplementedError:
        return BackendNotImplementedError(f"{self.backend}: scipy.{self.qualname}: {why}")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        bound = self.scipy_signature.bind(*args, **kwargs)
        # Where the target *requires* an argument SciPy defaults (map_coordinates' `order`),
        # SciPy's default is what the caller meant.
        for name in self._required_defaults:
            bound.arguments.setdefault(name, self.scipy_signature.parameters[name].default)
        mapped: dict[str, Any] = {}
        varargs: tuple[Any, ...] = ()
        for name, value in bound.arguments.items():
            kind = self.scipy_signature.parameters[name].kind
            if kind is _P.VAR_POSITIONAL:
                varargs = value
                continue
            if kind is _P.VAR_KEYWORD:
                for k, v in value.items():
                    mapped[self.rename.get(k, k)] = v
                continue
            check = self.accepts.get(name)
            if check is not None and not check(value):
                raise self._decline(f"{name}={value!r} is not supported")
            target_name = self.rename.get(name, name)
            if target_name in self._target_params or self._takes_kwargs:
                mapped[target_name] = value
            elif not _same(value, self.scipy_signature.parameters[name].default):
                raise self._decline(f"argument {name!r} is not supported")
        call_args: list[Any] = []
        for name in self._positional:  # positional while contiguous, keywords after
            if name not in mapped:
                break
            call_args.append(mapped.pop(name))
        missing = self._positional_only & set(mapped)
        if missing:
            raise self._decline(f"cannot pass {sorted(missing)} positionally")
        try:
            return self.target(*call_args, *varargs, **mapped)
        except BackendNotImplementedError:
            raise
        except NotImplementedError as e:  # the library lacks this variant: decline, say why
            raise self._decline(str(e)) from e


def scipy_signature(module: str, name: str) -> inspect.Signature:
    import importlib

    return inspect.signature(getattr(importlib.import_module(f"scipy.{module}"), name))
