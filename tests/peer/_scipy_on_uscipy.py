"""Proves that SciPy, in the same pytest run as its fft tests, dispatched through uscipy."""

import numpy as np

import scipy._lib.uarray
import scipy.fft
import uscipy._core
import uscipy.uarray


def test_scipy_bound_to_uscipy_engine():
    assert scipy._lib.uarray._Function is uscipy.uarray._Function
    assert scipy._lib.uarray.set_backend is uscipy.uarray.set_backend
    assert type(scipy.fft.fft) is uscipy._core._Function


def test_scipy_fft_dispatch_runs_on_uscipy():
    calls = []

    class Recorder:
        __ua_domain__ = "numpy.scipy.fft"

        @staticmethod
        def __ua_function__(method, args, kwargs):
            calls.append(method)
            return NotImplemented

    x = np.arange(8.0)
    with uscipy.uarray.set_backend(Recorder):
        np.testing.assert_allclose(scipy.fft.fft(x), np.fft.fft(x))
    assert calls == [scipy.fft.fft]
