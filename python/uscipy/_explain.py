"""``uscipy.explain``: which backend a call would reach and why, without running it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import _core


@dataclass(frozen=True)
class Candidate:
    backend: Any
    tier: str  # why it is a candidate: selected, owns a type, global, registered, priority list
    coerce: bool
    verdict: str  # "implements it", "does not implement it", "decides when called", "not tried..."


@dataclass(frozen=True)
class Explanation:
    function: str
    argument_types: tuple[str, ...]
    candidates: tuple[Candidate, ...]

    @property
    def backend(self) -> Any:
        """The backend that would run the call (None if none would)."""
        for c in self.candidates:
            if c.verdict not in ("does not implement it", _NOT_TRIED):
                return c.backend
        return None

    def __str__(self) -> str:
        lines = [f"{self.function}({', '.join(self.argument_types)})"]
        chosen = self.backend
        lines.append(f"  runs on: {chosen!r}" if chosen is not None else "  runs on: nothing (BackendNotImplementedError)")
        for i, c in enumerate(self.candidates, 1):
            mark = "->" if c.backend is chosen else "  "
            lines.append(f"  {mark} {i}. {c.backend!r}: {c.tier}{', coerce' if c.coerce else ''}; {c.verdict}")
        if not self.candidates:
            lines.append("  no backend is selected, owns these types, or serves this domain")
        return "\n".join(lines)


_TIERS = {
    "scoped": "selected for this block (set_backend)",
    "typed": "owns an argument type",
    "global": "global backend (set_global_backend)",
    "registered": "registered (register_backend)",
    "fallback": "priority list for NumPy input (uscipy.config.backends)",
    "refused": "selected, but takes NumPy arrays and an argument belongs to another backend",
}

_NOT_TRIED = "not tried: would convert implicitly (set_backend(..., coerce=True) converts)"


def _verdict(backend: Any, function: Any) -> str:
    resolve = getattr(backend, "resolve", None)
    if resolve is None:
        return "decides when called (uarray backend)"
    return "implements it" if resolve(function) is not None else "does not implement it"


def _type_name(value: Any) -> str:
    t = type(value)
    return t.__name__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__qualname__}"


def explain(function: Any, /, *args: Any, **kwargs: Any) -> Explanation:
    """Which backend ``function(*args, **kwargs)`` would run on, every candidate in the order
    they would be tried and why; nothing is computed."""
    plan = _core.plan(function, *args, **kwargs)
    candidates = tuple(
        Candidate(b, _TIERS[tier], coerce, _NOT_TRIED if tier == "refused" else _verdict(b, function))
        for b, coerce, tier in plan
    )
    name = f"{getattr(function, '__module__', '?')}.{getattr(function, '__qualname__', function)}"
    types = tuple(_type_name(a) for a in args) + tuple(f"{k}={_type_name(v)}" for k, v in kwargs.items())
    return Explanation(name, types, candidates)
