"""What SciPy itself says it does with each array library (its array-API capabilities table,
``scipy._lib._array_api.xp_capabilities_table``, filled when SciPy is imported with
``SCIPY_ARRAY_API=1``), shown beside what uscipy does.

SciPy reads that variable once at import, so the table is collected in a subprocess.
Per function and library the verdict is ``native`` (computed with the library's own namespace),
``convert`` (converted to NumPy and computed on the CPU: CPU libraries, ``cpu_only``, Dask with
``allow_dask_compute``), ``refuse`` (not supported: ``np_only``, ``skip_backends``, GPU arrays for
``cpu_only`` without an exception for the library) or ``unknown`` (no entry).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from functools import lru_cache

LIBRARIES = ("jax", "dask", "cupy", "torch")
_SCRIPT = r"""
import json
import scipy.fft, scipy.linalg, scipy.ndimage, scipy.special
from scipy._lib._array_api import xp_capabilities_table as table
from uscipy._api.table import API

libraries = %r
out = {}
for module in API:
    scipy_module = getattr(scipy, module)
    for name in API[module]:
        caps = table.get(getattr(scipy_module, name, None))
        if caps is None:
            continue
        skipped = {lib for lib, _ in caps.get("skip_backends", ())}
        excepted = set(caps.get("exceptions", ()))  # cpu_only, but delegated natively (cupyx...)
        verdicts = {}
        for lib in libraries:
            if caps.get("out_of_scope") or caps.get("np_only") or lib in skipped or f"{lib}.numpy" in skipped \
                    or f"{lib}.array" in skipped:
                verdicts[lib] = "refuse"
            elif caps.get("cpu_only") and lib not in excepted:
                verdicts[lib] = "refuse" if lib == "cupy" else "convert"
            elif lib == "dask" and caps.get("allow_dask_compute"):
                verdicts[lib] = "convert"
            else:
                verdicts[lib] = "native"
        out[f"{module}.{name}"] = verdicts
print(json.dumps(out))
"""


@lru_cache(maxsize=1)
def capabilities() -> dict[str, dict[str, str]]:
    """``{"module.name": {library: verdict}}``; empty if this SciPy has no such table."""
    env = {**os.environ, "SCIPY_ARRAY_API": "1"}
    proc = subprocess.run([sys.executable, "-c", _SCRIPT % (LIBRARIES,)], env=env,
                          capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        return {}
    return json.loads(proc.stdout or "{}")


def verdict(module: str, name: str, library: str) -> str:
    return capabilities().get(f"{module}.{name}", {}).get(library, "unknown")
