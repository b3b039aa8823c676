"""Builds uscipy's multimethods from the API table, lazily, one SciPy function at a time.

A multimethod gets SciPy's exact signature (``inspect.signature`` compares equal), SciPy's
docstring, the domain ``numpy.scipy.<module>``, and an extractor that marks every dispatchable
parameter. Nothing of SciPy is imported until a function is first looked up.
"""

from __future__ import annotations

import importlib
import inspect
import sys
from collections.abc import Callable, Iterator
from typing import Any

from .. import uarray as ua
from .rules import MODULES, PASSTHROUGH
from .table import API

_P = inspect.Parameter


def domain_of(module: str) -> str:
    return f"numpy.scipy.{module}"


def is_markable(value: Any) -> bool:
    """Values worth dispatching on: not ``None``, not a dtype, type or string (``output=`` and
    ``dtype=``-like parameters take those as well as arrays)."""
    if value is None or isinstance(value, (str, type)):
        return False
    return type(value).__name__ != "dtype" or type(value).__module__.split(".")[0] != "numpy"


def _markables(value: Any, spread: bool) -> Iterator[Any]:
    # `out=` of a multi-output ufunc, `(c, lower)` pairs and `*arrays` hold several values.
    if spread or isinstance(value, tuple):
        yield from (v for v in value if is_markable(v))
    elif is_markable(value):
        yield value


def dispatch_params(module: str, name: str) -> tuple[str, ...]:
    entry = API[module][name]
    if entry[0] == "ufunc":
        signature = inspect.signature(getattr(importlib.import_module(f"scipy.{module}"), name))
        inputs = [p for p in signature.parameters][: entry[1]]
        return (*inputs, "out")
    return entry[1]


def _make_extractor(name: str, signature: inspect.Signature, dispatch: tuple[str, ...]) -> Callable[..., Any]:
    """A function with SciPy's parameters (defaults included) returning the dispatchables."""
    import numpy as np

    namespace: dict[str, Any] = {"_mark": _mark_all, "_ndarray": np.ndarray}
    parts: list[str] = []
    seen_kwonly_marker = False
    params = list(signature.parameters.values())
    for i, p in enumerate(params):
        if p.kind is _P.KEYWORD_ONLY and not seen_kwonly_marker:
            parts.append("*")
            seen_kwonly_marker = True
        text = {_P.VAR_POSITIONAL: f"*{p.name}", _P.VAR_KEYWORD: f"**{p.name}"}.get(p.kind, p.name)
        if p.kind is _P.VAR_POSITIONAL:
            seen_kwonly_marker = True
        if p.default is not _P.empty:
            namespace[f"_d{i}"] = p.default
            text += f"=_d{i}"
        parts.append(text)
        if p.kind is _P.POSITIONAL_ONLY and (i + 1 == len(params) or params[i + 1].kind is not _P.POSITIONAL_ONLY):
            parts.append("/")
    spread = {p.name for p in params if p.kind is _P.VAR_POSITIONAL}
    values = ", ".join(f"({d}, {d in spread})" for d in dispatch)
    source = f"def {name}({', '.join(parts)}):\n    return _mark(_ndarray, ({values}{',' if len(dispatch) == 1 else ''}))\n"
    exec(source, namespace)  # noqa: S102 - generated from SciPy's own signature, no user input
    extractor = namespace[name]
    extractor.__signature__ = signature
    return extractor


def _mark_all(mark_type: Any, values: tuple[tuple[Any, bool], ...]) -> tuple[ua.Dispatchable, ...]:
    return tuple(ua.Dispatchable(v, mark_type) for value, spread in values for v in _markables(value, spread))


def _make_replacer(signature: inspect.Signature, dispatch: tuple[str, ...]) -> Callable[..., Any]:
    """Puts converted dispatchables back where the extractor found them."""
    positional = [p.name for p in signature.parameters.values() if p.kind in (_P.POSITIONAL_ONLY, _P.POSITIONAL_OR_KEYWORD)]
    var_name = next((p.name for p in signature.parameters.values() if p.kind is _P.VAR_POSITIONAL), None)
    index = {n: i for i, n in enumerate(positional)}

    def replace(args: tuple[Any, ...], kwargs: dict[str, Any], dispatchables: tuple[Any, ...]):
        args_out, kwargs_out, converted = list(args), dict(kwargs), iter(dispatchables)

        def swap(value: Any, spread: bool) -> Any:
            if spread or isinstance(value, tuple):
                return type(value)(next(converted) if is_markable(v) else v for v in value)
            return next(converted) if is_markable(value) else value

        for name in dispatch:
            if name == var_name:
                start = len(positional)
                args_out[start:] = swap(tuple(args_out[start:]), True)
            elif name in index and index[name] < len(args_out):
                args_out[index[name]] = swap(args_out[index[name]], False)
            elif name in kwargs_out:
                kwargs_out[name] = swap(kwargs_out[name], False)
        return tuple(args_out), kwargs_out

    return replace


def build(module: str, name: str) -> ua._Function:
    """The multimethod for ``scipy.<module>.<name>``."""
    scipy_func = getattr(importlib.import_module(f"scipy.{module}"), name)
    signature = inspect.signature(scipy_func)
    dispatch = dispatch_params(module, name)
    extractor = _make_extractor(name, signature, dispatch)
    multimethod = ua.generate_multimethod(extractor, _make_replacer(signature, dispatch), domain_of(module))
    multimethod.__doc__ = scipy_func.__doc__
    multimethod.__module__ = f"uscipy.{module}"
    multimethod.__qualname__ = name
    multimethod.__uscipy_dispatch__ = dispatch
    ua._core.set_dispatch_spec(multimethod, _dispatch_spec(signature, dispatch))
    if getattr(scipy_func, "domain", None) == multimethod.domain and hasattr(scipy_func, "arg_extractor"):
        # scipy.fft's own multimethod: uarray backends written for scipy.fft (pyFFTW's, keyed
        # by these objects) receive it, and so work unchanged.
        ua._core.set_protocol_method(multimethod, scipy_func)
    return multimethod


def _dispatch_spec(signature: inspect.Signature, dispatch: tuple[str, ...]) -> list[tuple[int | None, str, bool]]:
    """Where each dispatchable parameter sits in a call, for the engine's dispatch by type."""
    params = list(signature.parameters.values())
    positional = [p.name for p in params if p.kind in (_P.POSITIONAL_ONLY, _P.POSITIONAL_OR_KEYWORD)]
    spec = []
    for name in dispatch:
        kind = signature.parameters[name].kind
        if kind is _P.VAR_POSITIONAL:
            spec.append((len(positional), sys.intern(name), True))
        else:
            position = positional.index(name) if name in positional else None
            spec.append((position, sys.intern(name), False))
    return spec


def module_namespace(module: str) -> tuple[list[str], Callable[[str], Any], Callable[[], list[str]]]:
    """``__all__``, ``__getattr__`` and ``__dir__`` for ``uscipy.<module>``: attributes are
    built on first access and then cached as ordinary module globals."""
    assert module in MODULES
    names = [*API[module], *PASSTHROUGH[module]]

    def __getattr__(attr: str) -> Any:
        if attr in API[module]:
            from ..backends import install_default_backends

            install_default_backends()
            value = build(module, attr)
        elif attr in PASSTHROUGH[module]:
            value = getattr(importlib.import_module(f"scipy.{module}"), attr)
        else:
            raise AttributeError(f"module 'uscipy.{module}' has no attribute {attr!r}")
        setattr(sys.modules[f"uscipy.{module}"], attr, value)
        return value

    def __dir__() -> list[str]:
        return sorted(set(names) | set(vars(sys.modules[f"uscipy.{module}"])))

    return names, __getattr__, __dir__
