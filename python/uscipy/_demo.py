"""``uscipy demo``: SciPy's fft dispatching through uscipy's engine, shown step by step."""

from __future__ import annotations

import sys
import timeit


def run() -> int:
    if "scipy._lib.uarray" in sys.modules:
        print("scipy was imported before uscipy could stand in for uarray", file=sys.stderr)
        return 1
    from . import uarray as ua

    sys.modules["uarray"] = ua  # SciPy prefers an installed uarray to its vendored copy
    import numpy as np
    import scipy._lib.uarray
    import scipy.fft

    print(f"scipy.fft runs on uscipy's engine: {scipy._lib.uarray._Function is ua._Function}")

    class Tracing:
        """A backend that records each call, then lets SciPy's own backend compute."""

        __ua_domain__ = "numpy.scipy.fft"
        seen: list[str] = []

        @staticmethod
        def __ua_function__(method, args, kwargs):
            Tracing.seen.append(method.__name__)
            return NotImplemented

    x = np.arange(8.0)
    with ua.set_backend(Tracing):
        y = scipy.fft.rfft(x)
    print(f"with set_backend(Tracing): rfft saw {Tracing.seen}, result {np.round(y, 3)}")

    class NoFFT:
        __ua_domain__ = "numpy.scipy.fft"

        @staticmethod
        def __ua_function__(method, args, kwargs):
            return NotImplemented

        def __repr__(self) -> str:
            return "NoFFT()"

    print("\nWhen nothing can run, the error says what was tried:")
    try:
        with ua.set_backend(NoFFT(), only=True):
            scipy.fft.fft(x)
    except ua.BackendNotImplementedError as err:
        print(f"  {type(err).__name__}: " + str(err).replace("\n", "\n  "))

    per_call = min(timeit.repeat(lambda: scipy.fft.fft(x), number=2000, repeat=5)) / 2000
    print(f"\nscipy.fft.fft on 8 points through uscipy's engine: {per_call * 1e6:.1f} us per call")
    return 0
