"""What a uscipy backend is: a name, the SciPy modules it serves, the array types it owns, and
where its implementation of each function is. It speaks the uarray protocol, so it also works
under plain uarray and SciPy's own ``scipy.fft.set_backend``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

MODULES = ("fft", "ndimage", "linalg", "special")


def domain_of(module: str) -> str:
    return f"numpy.scipy.{module}"


def importable(module: str, install: str) -> tuple[bool, str]:
    """``(True, "")`` if ``module`` imports, else ``(False, why and what to install)``."""
    import importlib

    try:
        importlib.import_module(module)
    except ImportError as e:
        return False, f"{module} cannot be imported ({e.msg}); pip install {install}"
    return True, ""


class Backend:
    """Base class of uscipy's backends; subclasses override :meth:`implementation`."""

    name: str = ""
    modules: tuple[str, ...] = MODULES
    types: tuple[str, ...] = ()  # "module:qualname" of the array types this backend owns
    priority: int = 0  # among backends owning types of the same call, higher goes first

    def __init__(self) -> None:
        self._resolved: dict[Any, Callable[..., Any] | None] = {}

    @property
    def __ua_domain__(self) -> list[str]:
        return [domain_of(m) for m in self.modules]

    @property
    def __uscipy_numpy_only__(self) -> bool:
        """A backend owning no array types computes on NumPy arrays: selected with
        ``set_backend`` but without ``coerce``, the engine passes it over for a call with an
        argument another backend owns (it would convert that argument implicitly)."""
        return not self.types

    def available(self) -> tuple[bool, str]:
        """Whether this backend can run here, and if not, why."""
        return True, ""

    def implementation(self, module: str, name: str) -> Callable[..., Any] | None:
        """The callable computing ``scipy.<module>.<name>`` with SciPy's signature, or None
        (the default: a subclass implements nothing it does not name)."""
        return None

    def implements(self, module: str, name: str) -> bool:
        return self.implementation(module, name) is not None

    def resolve(self, method: Any) -> Callable[..., Any] | None:
        try:
            return self._resolved[method]
        except KeyError:
            module = method.domain.rpartition(".")[2]
            impl = self._resolved[method] = self.implementation(module, method.__name__)
            return impl

    def __uscipy_implementation__(self, method: Any) -> Callable[..., Any] | None:
        """Asked once per multimethod by uscipy's engine, which then calls the implementation
        directly (no ``__ua_function__`` in between). Implementations must not change later."""
        return self.resolve(method)

    def __ua_function__(self, method: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        impl = self.resolve(method)
        if impl is None:
            return NotImplemented
        return impl(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<uscipy backend {self.name!r}>"

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        # Backends pickle by name: the receiving process resolves its own instance.
        from . import get

        return get, (self.name,)
