"""uarray's public API on uscipy's Rust engine: a drop-in replacement for the ``uarray`` package.

Everything uarray 0.9 exports is here with the same names, signatures and semantics, so
existing backends (``scipy.fft``'s, pyFFTW's, mkl_fft's, CuPy's) work unchanged. The engine
differs where uarray has defects: scoped state follows ``contextvars`` (per thread *and* per
asyncio task), global state is guarded, contexts never dangle, errors say what was tried.

To make ``import uarray`` (and so SciPy) use this module, put it in ``sys.modules["uarray"]``
before SciPy is imported; ``pytest -p uscipy.testing.as_uarray`` does exactly that.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from . import _core  # noqa: F401 - also reached as uarray._core by uscipy's frontends
from ._core import (
    BackendNotImplementedError,
    Dispatchable,
    _BackendState,
    _Function,
    _SetBackendContext,
    _SkipBackendContext,
)

# SciPy accepts an installed uarray only if its version is >= 0.8; this engine implements 0.9.
__version__ = "0.9.4"

__all__ = [
    "set_backend",
    "set_global_backend",
    "skip_backend",
    "register_backend",
    "determine_backend",
    "determine_backend_multi",
    "clear_backends",
    "create_multimethod",
    "generate_multimethod",
    "_Function",
    "BackendNotImplementedError",
    "Dispatchable",
    "wrap_single_convertor",
    "wrap_single_convertor_instance",
    "all_of_type",
    "mark_as",
    "set_state",
    "get_state",
    "reset_state",
    "_BackendState",
    "_SkipBackendContext",
    "_SetBackendContext",
]


def get_defaults(f: Callable[..., Any]) -> tuple[dict[str, Any], tuple[Any, ...], set[str]]:
    """Keyword defaults, positional defaults (``Parameter.empty`` where none) and parameter names
    of ``f``: what a multimethod compares arguments against to drop those left at default."""
    kw_defaults: dict[str, Any] = {}
    arg_defaults: list[Any] = []
    names: set[str] = set()
    for name, param in inspect.signature(f).parameters.items():
        if param.default is not inspect.Parameter.empty:
            kw_defaults[name] = param.default
        if param.kind in (param.POSITIONAL_ONLY, param.POSITIONAL_OR_KEYWORD):
            arg_defaults.append(param.default)
        names.add(name)
    return kw_defaults, tuple(arg_defaults), names


def generate_multimethod(
    argument_extractor: Callable[..., tuple[Any, ...]],
    argument_replacer: Callable[[tuple[Any, ...], dict[str, Any], tuple[Any, ...]], tuple[tuple[Any, ...], dict[str, Any]]],
    domain: str,
    default: Callable[..., Any] | None = None,
) -> _Function:
    """Generates a multimethod.

    Parameters
    ----------
    argument_extractor
        Has the multimethod's signature and returns the dispatchable arguments, each marked
        with :obj:`Dispatchable` (or all of one type with :obj:`all_of_type`).
    argument_replacer
        ``(args, kwargs, dispatchables) -> (args, kwargs)``: puts converted dispatchables back.
    domain
        The domain of the multimethod, e.g. ``"numpy.scipy.fft"``.
    default
        Implementation used when no backend provides one (``None``: no default).

    Examples
    --------
    >>> def override_me(a, b):
    ...     return Dispatchable(a, int),
    >>> def override_replacer(args, kwargs, dispatchables):
    ...     return (dispatchables[0], args[1]), {}
    >>> overridden_me = generate_multimethod(override_me, override_replacer, "ua_examples")
    >>> overridden_me(1, "a")
    Traceback (most recent call last):
        ...
    uscipy.BackendNotImplementedError: ...
    >>> overridden_me2 = generate_multimethod(
    ...     override_me, override_replacer, "ua_examples", default=lambda x, y: (x, y)
    ... )
    >>> overridden_me2(1, "a")
    (1, 'a')
    """
    kw_defaults, arg_defaults, _ = get_defaults(argument_extractor)
    function = _Function(argument_extractor, argument_replacer, domain, arg_defaults, kw_defaults, default)
    return functools.update_wrapper(function, argument_extractor)


def create_multimethod(*args: Any, **kwargs: Any) -> Callable[[Callable[..., Any]], _Function]:
    """Decorator form of :obj:`generate_multimethod`: decorates the argument extractor."""

    def wrapper(extractor: Callable[..., Any]) -> _Function:
        return generate_multimethod(extractor, *args, **kwargs)

    return wrapper


# Native: `with set_backend(be): ...` inside a loop is a hot path. Contexts are cached on
# ``backend.__ua_cache__`` as uarray does; they hold no per-thread state, so sharing is safe.
set_backend = _core.set_backend
skip_backend = _core.skip_backend


def set_global_backend(backend: Any, coerce: bool = False, only: bool = False, *, try_last: bool = False) -> None:
    """Makes ``backend`` the global backend of its domains: tried after scoped backends and,
    unless ``try_last``, before registered ones. Thread-safe."""
    _core.set_global_backend(backend, coerce, only, try_last)


def register_backend(backend: Any) -> None:
    """Registers ``backend`` for its domains, tried after the global backend. Thread-safe."""
    _core.register_backend(backend)


def clear_backends(domain: str | None, registered: bool = True, globals: bool = False) -> None:
    """Clears registered and/or global backends of ``domain`` (``None``: of every domain, only
    with both flags set). Safe to call from inside a backend during a dispatch."""
    _core.clear_backends(domain, registered, globals)


def get_state() -> _BackendState:
    """An opaque, picklable snapshot of all backend state, for :obj:`set_state` in another
    thread, task or process."""
    return _core.get_state()


@contextlib.contextmanager
def set_state(state: _BackendState) -> Iterator[None]:
    """A context manager that installs a state from :obj:`get_state`, and restores the previous
    one on exit."""
    old_state = get_state()
    _core.set_state(state)
    try:
        yield
    finally:
        _core.set_state(old_state, True)


@contextlib.contextmanager
def reset_state() -> Iterator[None]:
    """A context manager that undoes every backend change made inside it."""
    with set_state(get_state()):
        yield


def mark_as(dispatch_type: Any) -> functools.partial[Dispatchable]:
    """A function that marks its argument as ``dispatch_type``.

    >>> mark_int = mark_as(int)
    >>> mark_int(1)
    <Dispatchable: type=<class 'int'>, value=1>
    """
    return functools.partial(Dispatchable, dispatch_type=dispatch_type)


def all_of_type(arg_type: Any) -> Callable[[Callable[..., Iterable[Any]]], Callable[..., tuple[Dispatchable, ...]]]:
    """Decorates an argument extractor so unmarked values are marked as ``arg_type``.

    >>> @all_of_type(str)
    ... def f(a, b):
    ...     return a, Dispatchable(b, int)
    >>> f('a', 1)
    (<Dispatchable: type=<class 'str'>, value='a'>, <Dispatchable: type=<class 'int'>, value=1>)
    """

    def outer(func: Callable[..., Iterable[Any]]) -> Callable[..., tuple[Dispatchable, ...]]:
        return functools.update_wrapper(_core._AllOfType(func, arg_type), func)

    return outer


def wrap_single_convertor(convert_single: Callable[[Any, Any, bool], Any]) -> Callable[[Iterable[Dispatchable], bool], Any]:
    """Turns ``convert_single(value, type, coerce)`` into a ``__ua_convert__`` over all
    dispatchables; if it returns ``NotImplemented`` for any, so does the whole conversion."""
    return functools.update_wrapper(_core._SingleConvertor(convert_single), convert_single)


def wrap_single_convertor_instance(
    convert_single: Callable[[Any, Any, Any, bool], Any],
) -> Callable[[Any, Iterable[Dispatchable], bool], Any]:
    """Like :obj:`wrap_single_convertor` for a method ``convert_single(self, value, type, coerce)``."""
    return functools.update_wrapper(_core._SingleConvertor(convert_single, True), convert_single)


def determine_backend(value: Any, dispatch_type: Any, *, domain: str, only: bool = True, coerce: bool = False) -> _SetBackendContext:
    """A context that sets the first backend of ``domain`` whose ``__ua_convert__`` accepts
    ``value`` (marked as ``dispatch_type``), so a block of calls all reach that backend."""
    dispatchables = (Dispatchable(value, dispatch_type, coerce),)
    backend = _core.determine_backend(domain, dispatchables, coerce)
    return set_backend(backend, coerce=coerce, only=only)


def determine_backend_multi(
    dispatchables: Iterable[Any], *, domain: str, only: bool = True, coerce: bool = False, **kwargs: Any
) -> _SetBackendContext:
    """Like :obj:`determine_backend` for several values, which must all be accepted. Unmarked
    values are marked with the ``dispatch_type`` keyword, if given."""
    if "dispatch_type" in kwargs:
        dispatch_type = kwargs.pop("dispatch_type")
        dispatchables = tuple(
            d if isinstance(d, Dispatchable) else Dispatchable(d, dispatch_type) for d in dispatchables
        )
    else:
        dispatchables = tuple(dispatchables)
        if not all(isinstance(d, Dispatchable) for d in dispatchables):
            raise TypeError("dispatchables must be instances of uarray.Dispatchable")
    if kwargs:
        raise TypeError(f"Received unexpected keyword arguments: {kwargs}")
    backend = _core.determine_backend(domain, dispatchables, coerce)
    return set_backend(backend, coerce=coerce, only=only)
