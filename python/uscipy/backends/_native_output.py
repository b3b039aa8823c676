"""Output arrays of the native kernels: big ones start on a huge-page boundary.

NumPy asks Linux for transparent huge pages on arrays of 4 MiB and more, but only the 2 MiB
pages wholly inside the array's mapping can be huge; the rest of its first and last 2 MiB are
faulted in 4 KiB at a time, and which case an array meets depends on where ``mmap`` put it.
On the 2-core VM this project is measured on, filling a fresh 33.6 MB array (the output of a
2048² ``rfft2``) took 536 faults and 2.6 ms in one process, 25 faults and 1.8 ms in another that
had loaded one more library: ~10% of a two-thread ``rfft2``. So outputs from ``ALIGNED_FROM``
on are views of a NumPy buffer starting on its first 2 MiB boundary and running to a whole
number of huge pages: always the fast case, for at most 2 MiB more memory (the last huge page
past the end), and the array is a view (``flags.owndata`` false), as many NumPy results are.
"""

from __future__ import annotations

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
    """``np.empty(shape, dtype)``, C-ordered, starting on a huge-page boundary when it is big.
    Small outputs pay one attribute read over ``np.empty`` (tiny transforms take ~1.5 µs)."""
    out = np.empty(shape, dtype)
    if out.nbytes < ALIGNED_FROM or not HUGE_PAGES:
        return out
    # Not yet touched, so dropping it costs an mmap and munmap, no page faults.
    pages = -(-out.nbytes // HUGE_PAGE)
    buffer = np.empty((pages + 1) * HUGE_PAGE, np.uint8)
    start = -buffer.ctypes.data % HUGE_PAGE
    return buffer[start : start + out.nbytes].view(out.dtype).reshape(out.shape)
