"""``scipy.fft``'s public API as uscipy multimethods (domain ``numpy.scipy.fft``).

Each function is built from SciPy's own on first use: same signature and docstring, dispatched
to the backend that owns the argument types, the one selected with ``uscipy.set_backend``, or
SciPy. Non-array names (see ``uscipy._api.rules.PASSTHROUGH``) are SciPy's own objects.
"""

from ._api.frontend import module_namespace

__all__, __getattr__, __dir__ = module_namespace("fft")
