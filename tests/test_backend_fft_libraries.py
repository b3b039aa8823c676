"""pyFFTW's and mkl_fft's own uarray backends for scipy.fft, unchanged, through uscipy: by name
and as modules; what they implement equals SciPy; what they lack falls through to SciPy."""

from __future__ import annotations

import importlib

import numpy as np
import pytest

import uscipy
from uscipy._api.cases import ALL, compare_results, scipy_function

# Transforms both libraries implement.
CORE = frozenset({"fft", "ifft", "rfft", "irfft", "fft2", "ifft2", "fftn", "ifftn", "rfft2", "irfft2", "rfftn", "irfftn"})
LIBRARIES = {"pyfftw": "pyfftw.interfaces.scipy_fft", "mkl_fft": "mkl_fft.interfaces.scipy_fft"}


def _module(name):
    ok, why = importlib.import_module(f"uscipy.backends.{name}").available()
    if not ok:
        pytest.skip(why)
    return importlib.import_module(LIBRARIES[name])


PARAMS = [
    pytest.param(lib, name, i, case, id=f"{lib}-{name}[{i}]")
    for lib in LIBRARIES
    for (module, name), cases in ALL.items() if module == "fft"
    for i, case in enumerate(cases)
]


@pytest.mark.parametrize("library, name, i, case", PARAMS)
def test_fft_library_matches_scipy(library, name, i, case):
    module = _module(library)
    ours = getattr(uscipy.fft, name)
    expected = case.call(scipy_function("fft", name))
    with uscipy.set_backend(library), uscipy.trace() as t:
        got = case.call(ours)
    ran = t.calls[-1].backend
    if name in CORE:
        assert ran is module, f"{library} implements {name} but {ran!r} ran"
    else:  # what a library declines falls through to SciPy
        assert ran is module or getattr(ran, "name", None) == "scipy"
    problem = compare_results(got, expected, case.__class__(**{**case.__dict__, "rtol": max(case.rtol, 1e-6)}))
    assert problem is None, problem


@pytest.mark.parametrize("library", sorted(LIBRARIES))
def test_module_object_works_as_backend_too(library):
    module = _module(library)
    x = np.random.default_rng(0).random(32)
    with uscipy.set_backend(module, only=True):
        np.testing.assert_allclose(uscipy.fft.rfft(x), np.fft.rfft(x), rtol=1e-10)
        with pytest.raises(uscipy.BackendNotImplementedError, match=LIBRARIES[library].split(".")[0]):
            uscipy.fft.fht(x, 0.1, 0.5)  # not implemented there, and `only` forbids falling through
