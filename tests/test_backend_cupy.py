"""The cupy backend: every function it claims, on every case, with CuPy inputs on the GPU,
equals SciPy. Runs where a CUDA device exists; elsewhere it checks the backend is import-safe
and reports itself unavailable with the reason."""

from __future__ import annotations

import numpy as np
import pytest

import uscipy
from uscipy.backends import get
from uscipy.backends.cupy import available

from backend_testing import assert_matches_scipy, cases_of

BACKEND = get("cupy")
USABLE, REASON = available()


def test_import_safe_and_reports_why_unavailable():
    rows = {b.name: b for b in uscipy.backends()}
    assert rows["cupy"].usable is USABLE
    if not USABLE:
        assert rows["cupy"].reason == REASON and ("no CUDA device" in REASON or "not installed" in REASON)
        assert not BACKEND.implements("fft", "fft")


gpu = pytest.mark.skipif(not USABLE, reason=f"cupy backend unavailable here: {REASON}")


@gpu
@pytest.mark.parametrize("module, name, i, case", cases_of(BACKEND) if USABLE else [])
def test_cupy_matches_scipy(module, name, i, case):
    import cupy

    assert_matches_scipy("cupy", module, name, case, cupy.asarray)


@gpu
def test_cupy_arrays_dispatch_by_type_and_stay_on_device():
    import cupy

    x = cupy.arange(16.0)
    y = uscipy.fft.fft(x)
    assert isinstance(y, cupy.ndarray)
    np.testing.assert_allclose(cupy.asnumpy(y), np.fft.fft(np.arange(16.0)))
