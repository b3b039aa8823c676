"""``uscipy tracker``: which backend implements, and verifiably computes, which SciPy function.

Every public array function of scipy.fft, ndimage, linalg and special, against every backend:
run on the shared case table (``uscipy._api.cases``), compared with SciPy, timed."""

from .run import SCHEMA, Outcome, Row, Status, track

__all__ = ["SCHEMA", "Outcome", "Row", "Status", "track"]
