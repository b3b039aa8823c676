"""The jax backend, differentially: every function it claims, on every case of the shared table,
with the inputs as JAX arrays, equals SciPy on NumPy inputs; dispatch by type and under jit."""

from __future__ import annotations

import numpy as np
import pytest

jax = pytest.importorskip("jax", reason="jax is not installed (pip install 'uscipy[jax]')")
jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp  # noqa: E402

import uscipy  # noqa: E402
from uscipy.backends import get  # noqa: E402

from backend_testing import assert_matches_scipy, cases_of  # noqa: E402

BACKEND = get("jax")


@pytest.mark.parametrize("module, name, i, case", cases_of(BACKEND))
def test_jax_matches_scipy(module, name, i, case):
    assert_matches_scipy("jax", module, name, case, jnp.asarray)


def test_claims_per_module():
    from uscipy._api.table import API

    claimed = {m: sum(BACKEND.implements(m, f) for f in API[m]) for m in API}
    assert claimed["fft"] >= 20 and claimed["linalg"] >= 30 and claimed["special"] >= 40


def test_jax_arrays_dispatch_by_type_without_selection():
    x = jnp.arange(8.0)
    with uscipy.trace() as t:
        y = uscipy.fft.rfft(x)
    assert isinstance(y, jax.Array) and [c.backend.name for c in t] == ["jax"]
    np.testing.assert_allclose(np.asarray(y), np.fft.rfft(np.arange(8.0)))


def test_works_under_jit():
    f = jax.jit(lambda v: uscipy.special.erf(v) + uscipy.fft.dct(v).real)
    x = jnp.linspace(0, 1, 8)
    import scipy.fft
    import scipy.special

    np.testing.assert_allclose(np.asarray(f(x)), scipy.special.erf(np.asarray(x)) + scipy.fft.dct(np.asarray(x)), rtol=1e-12)


def test_unsupported_argument_declines_with_reason():
    with pytest.raises(uscipy.BackendNotImplementedError, match=r"jax: scipy.ndimage.map_coordinates: order=3 is not supported"):
        uscipy.ndimage.map_coordinates(jnp.ones((4, 4)), jnp.zeros((2, 3)))
    out = uscipy.ndimage.map_coordinates(jnp.ones((4, 4)), jnp.zeros((2, 3)), order=1)
    assert isinstance(out, jax.Array)


def test_function_jax_lacks_never_converts():
    x = jnp.ones((5, 5))
    with pytest.raises(uscipy.BackendNotImplementedError, match="belongs to another backend"):
        uscipy.ndimage.gaussian_filter(x, 1)
    with uscipy.set_backend("scipy", coerce=True):
        y = uscipy.ndimage.gaussian_filter(x, 1)
    assert isinstance(y, np.ndarray)
