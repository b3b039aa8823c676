"""Output arrays of the native kernels: big ones start on a huge-page boundary.

NumPy asks Linux for transparent huge pages on arrays of 4 MiB and more, but an array starts
wherever ``malloc`` put it, and only the 2 MiB pages wholly inside it can be huge: the rest of
its first and last 2 MiB are faulted in 4 KiB at a time. On the 2-core VM this project is
measured on, that was ~520 faults of a 33.6 MB output (``rfft2`` of 2048²), and filling a fresh
array of that size took 2.56 ms against 1.84 ms when it starts on a 2 MiB boundary, ~10% of a
two-thread ``rfft2``. So outputs from ``ALIGNED_FROM`` on are views of a NumPy buffer 2 MiB
longer, starting at its first 2 MiB boundary: at most 2 MiB more memory (one huge page past the
end), and the array is a view (``flags.owndata`` false), as many NumPy results are.
"""

from __future__ import annotations

import math
import sys
from typing import Any

import numpy as np

HUGE_PAGE = 2 << 20
ALIGNED_FROM = 16 << 20  # bytes: the extra huge page is at most 1/8 of the output


def _huge_pages_possible() -> bool:
    """Linux with transparent huge pages not switched off."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        with open("/sys/kernel/mm/transparent_hugepage/enabled") as f:
            return "[never]" not in f.read()
    except OSError:
        return False


HUGE_PAGES = _huge_pages_possible()


def empty(shape: Any, dtype: Any) -> np.ndarray:
    """``np.empty(shape, dtype)``, C-ordered, starting on a huge-page boundary when it is big."""
    dtype = np.dtype(dtype)
    shape = tuple(shape)
    nbytes = math.prod(shape) * dtype.itemsize
    if nbytes < ALIGNED_FROM or not HUGE_PAGES:
        return np.empty(shape, dtype)
    buffer = np.empty(nbytes + HUGE_PAGE, np.uint8)
    start = -buffer.ctypes.data % HUGE_PAGE
    return buffer[start : start + nbytes].view(dtype).reshape(shape)
