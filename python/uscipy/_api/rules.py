"""Which SciPy parameters are dispatchable arrays, and which public names are not array
functions at all. These rules (and the short override lists) are the whole hand-written part of
the API; ``generate.py`` applies them to the installed SciPy and writes ``table.py``."""

from __future__ import annotations

import re

MODULES = ("fft", "ndimage", "linalg", "special")

# A parameter is dispatchable if SciPy documents its type with one of these words...
ARRAY_TYPE = re.compile(r"array_like|\barray\b|\barrays\b|ndarray|matrix|sparse", re.IGNORECASE)
# ...unless it is one of these, which describe shapes, axes or namespaces, never data.
NEVER_ARRAY = frozenset({"xp", "s", "axes", "axis", "shape", "device", "dtype", "mode", "arrays"})
# Always dispatchable where present (issue: footprint, structure, labels, index, weights, output).
ALWAYS_ARRAY = frozenset({"weights", "footprint", "structure", "labels", "index", "output", "mask"})

# Names in a module's __all__ that are not array functions: re-exported from SciPy unchanged.
PASSTHROUGH: dict[str, dict[str, str]] = {
    "fft": {
        "set_backend": "SciPy's own uarray backend control (uscipy.set_backend covers uscipy's)",
        "skip_backend": "SciPy's own uarray backend control",
        "set_global_backend": "SciPy's own uarray backend control",
        "register_backend": "SciPy's own uarray backend control",
        "set_workers": "thread-local worker count of SciPy's pocketfft",
        "get_workers": "thread-local worker count of SciPy's pocketfft",
        "next_fast_len": "integer arithmetic on sizes, no array argument",
        "prev_fast_len": "integer arithmetic on sizes, no array argument",
    },
    "linalg": {
        "LinAlgError": "exception class",
        "LinAlgWarning": "warning class",
        "get_blas_funcs": "returns SciPy's BLAS wrappers themselves",
        "get_lapack_funcs": "returns SciPy's LAPACK wrappers themselves",
        "find_best_blas_type": "BLAS type-code inspection",
        **{m: "deprecated submodule" for m in (
            "basic", "blas", "cython_blas", "cython_lapack", "decomp", "decomp_cholesky",
            "decomp_lu", "decomp_qr", "decomp_schur", "decomp_svd", "lapack", "matfuncs", "misc",
            "special_matrices")},
    },
    "special": {
        "SpecialFunctionWarning": "warning class",
        "SpecialFunctionError": "exception class",
        "errstate": "context manager for SciPy's special-function error handling",
        "geterr": "SciPy's special-function error handling",
        "seterr": "SciPy's special-function error handling",
    },
    "ndimage": {},
}

# Where SciPy's docstrings do not say "array" for a parameter that carries array data.
OVERRIDES: dict[str, dict[str, tuple[str, ...]]] = {
    "ndimage": {"sum": ("input", "labels", "index")},  # alias of sum_labels, documented there
    "linalg": {
        "block_diag": ("arrs",),
        "cho_solve": ("c_and_lower", "b"),
        "cho_solve_banded": ("cb_and_lower", "b"),
        "lu_solve": ("lu_and_piv", "b"),
    },
    "special": {
        "jvp": ("v", "z"),
        "yvp": ("v", "z"),
        "assoc_laguerre": ("x", "n", "k"),
        "ellip_harm": ("h2", "k2", "s"),
        "ellip_harm_2": ("h2", "k2", "s"),
        "ellip_normal": ("h2", "k2"),
        "lmbda": ("x",),
        "riccati_jn": ("x",),
        "riccati_yn": ("x",),
    },
    "fft": {},
}
