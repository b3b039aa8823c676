"""uscipy: SciPy's API as multimethods over a fast, thread- and asyncio-safe Rust dispatch engine.

``uscipy.uarray`` is a drop-in replacement for the ``uarray`` package on that engine.
"""

from ._core import BackendNotImplementedError

__version__ = "0.1.0"

__all__ = ["BackendNotImplementedError", "__version__"]
