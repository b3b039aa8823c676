"""SciPy's own grouping of its functions, read from the installed modules' docstrings: each
``autosummary`` entry belongs to the nearest section heading above it."""

from __future__ import annotations

import importlib
import re
from functools import lru_cache

_UNDERLINE = re.compile(r"^\s*([=\-~^]{3,})\s*$")
_ENTRY = re.compile(r"^\s{2,}([A-Za-z_][A-Za-z0-9_]*)\s*(?:--?\s.*)?$")


@lru_cache(maxsize=None)
def groups(module: str) -> dict[str, str]:
    """``{function name: section title}`` for ``scipy.<module>``."""
    lines = (importlib.import_module(f"scipy.{module}").__doc__ or "").splitlines()
    found: dict[str, str] = {}
    section = "Other"
    in_summary = False
    for i, line in enumerate(lines):
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if line.strip() and _UNDERLINE.match(nxt) and not _UNDERLINE.match(line):
            section, in_summary = line.strip(), False
            continue
        if line.strip().startswith(".. autosummary::"):
            in_summary = True
            continue
        if in_summary:
            m = _ENTRY.match(line)
            if m and not line.strip().startswith(":"):
                found.setdefault(m.group(1), section)
    return found


def group_of(module: str, name: str) -> str:
    """The section of ``name``; an alias (``ndimage.sum``, ``special.p_roots``) gets the section
    of the function it is another name for."""
    found = groups(module)
    if name in found:
        return found[name]
    scipy_module = importlib.import_module(f"scipy.{module}")
    target = getattr(scipy_module, name, None)
    for other, section in found.items():
        if getattr(scipy_module, other, None) is target:
            return section
    return "Other"
