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
    # The target's result in SciPy's structure (a tuple where the target gives an array...).
    result: Callable[[Any], Any] | None = None
    # Exceptions by which the target says it lacks a variant SciPy has (CuPy's ufuncs raise
    # TypeError "Wrong type ..." for dtypes they have no loop for): declined, not raised.
    unsupported: Callable[[Exception], bool] | None = None

    def __post_init__(self) -> None:
        params = _parameters(self.target)
        self._target_params = params
        # A ufunc needs every input: one that SciPy lets default (zeta's q) has no counterpart.
        inputs = getattr(self.target, "nin", None)
        self._inputs = inputs if isinstance(inputs, int) else 0
        self._takes_kwargs = any(p.kind is _P.VAR_KEYWORD for p in params.values())
        self._positional = [
            n for n, p in params.items() if p.kind in (_P.POSITIONAL_ONLY, _P.POSITIONAL_OR_KEYWORD)
        ]
        self._positional_only = {n for n, p in params.items() if p.kind is _P.POSITIONAL_ONLY}
        # SciPy's defaults for parameters the target requires (map_coordinates' `order`).
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
        self._plan_fast_path()

    def _plan_fast_path(self) -> None:
        """Calls whose arguments land on the target's parameters as they are, with nothing to
        check or drop, skip binding: positional ones at the same place, keywords under the
        target's name, SciPy's defaults where the target requires them. Others (an argument
        the target lacks or checks, SciPy's ``*args``...) bind against SciPy's signature."""
        scipy_params = list(self.scipy_signature.parameters.values())
        arity = 0
        for i, p in enumerate(scipy_params):
            if (p.kind not in (_P.POSITIONAL_ONLY, _P.POSITIONAL_OR_KEYWORD) or i >= len(self._positional)
                    or self.rename.get(p.name, p.name) != self._positional[i] or p.name in self.accepts):
                break
            arity += 1
        index = {p.name: i for i, p in enumerate(scipy_params)}
        # (SciPy's place, SciPy's name, the target's name, SciPy's default)
        self._fast_defaults = [
            (index[n], n, self.rename.get(n, n), self.scipy_signature.parameters[n].default)
            for n in self._required_defaults
        ]
        if any(n in self.accepts or self._target_params[self.rename.get(n, n)].kind is _P.POSITIONAL_ONLY
               for n in self._required_defaults):
            arity = -1  # a default to check, or one only passable by place: general path
        # SciPy's parameters without a default, by place: a call must supply those past its
        # positional arguments by keyword (else binding raises SciPy's TypeError).
        self._fast_required = [
            (i, p.name) for i, p in enumerate(scipy_params)
            if p.default is _P.empty and p.kind in (_P.POSITIONAL_ONLY, _P.POSITIONAL_OR_KEYWORD, _P.KEYWORD_ONLY)
        ]
        # SciPy keyword -> (its place, the target's keyword), where it passes unchecked.
        self._fast_keywords: dict[str, tuple[int, str]] = {}
        for i, p in enumerate(scipy_params):
            target_name = self.rename.get(p.name, p.name)
            target_param = self._target_params.get(target_name)
            if (p.kind in (_P.POSITIONAL_OR_KEYWORD, _P.KEYWORD_ONLY) and p.name not in self.accepts
                    and (target_param is not None and target_param.kind is not _P.POSITIONAL_ONLY
                         or target_param is None and self._takes_kwargs)):
                self._fast_keywords[p.name] = (i, target_name)
        self._fast = (self._inputs, arity)

    def _fast_arguments(self, count: int, kwargs: dict[str, Any]) -> dict[str, Any] | None:
        """The target's keywords for a call with ``count`` positional arguments and ``kwargs``,
        or None where the call needs binding."""
        mapped: dict[str, Any] = {}
        for name, value in kwargs.items():
            entry = self._fast_keywords.get(name)
            if entry is None or entry[0] < count:  # unknown, checked, or also given by place
                return None
            mapped[entry[1]] = value
        for i, name in self._fast_required:
            if i >= count and name not in kwargs:
                return None
        for i, name, target_name, default in self._fast_defaults:
            if i >= count and name not in kwargs:
                mapped[target_name] = default
        return mapped

    def _decline(self, why: str) -> BackendNotImplementedError:
        return BackendNotImplementedError(f"{self.backend}: scipy.{self.qualname}: {why}")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        fewest, most = self._fast
        if fewest <= len(args) <= most:
            mapped = self._fast_arguments(len(args), kwargs)
            if mapped is not None:
                return self._run(args, mapped)
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
        if len(call_args) + len(varargs) < self._inputs:
            raise self._decline(f"it takes {self._inputs} inputs, {len(call_args) + len(varargs)} given")
        return self._run((*call_args, *varargs), mapped)

    def _run(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        try:
            out = self.target(*args, **kwargs)
        except BackendNotImplementedError:
            raise
        except NotImplementedError as e:  # the library lacks this variant: decline, say why
            raise self._decline(str(e)) from e
        except Exception as e:
            if self.unsupported is not None and self.unsupported(e):
                raise self._decline(str(e)) from e
            raise
        return out if self.result is None else self.result(out)


def _parameters(target: Callable[..., Any]) -> Mapping[str, inspect.Parameter]:
    """The target's parameters; for a ufunc without a signature (CuPy's), NumPy's ufunc
    parameters under NumPy's names: its inputs, then what CuPy's ufuncs take by keyword."""
    try:
        return inspect.signature(target).parameters
    except (TypeError, ValueError):
        pass
    inputs = getattr(target, "nin", None)
    if not isinstance(inputs, int):
        return {}
    names = ["x"] if inputs == 1 else [f"x{i + 1}" for i in range(inputs)]
    return inspect.Signature(
        [_P(n, _P.POSITIONAL_ONLY) for n in names]
        + [_P(n, _P.KEYWORD_ONLY, default=d) for n, d in (("out", None), ("casting", "same_kind"), ("dtype", None))]
    ).parameters


def scipy_signature(module: str, name: str) -> inspect.Signature:
    import importlib

    return inspect.signature(getattr(importlib.import_module(f"scipy.{module}"), name))
