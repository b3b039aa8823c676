"""The torch backend, differentially: every function it claims, on every case of the shared
table with the inputs as float64 (complex128...) tensors, equals SciPy on NumPy inputs; each
semantic adapter against SciPy explicitly; dispatch by type; declines naming the argument; CUDA
where there is a device."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="torch is not installed (pip install torch)")
import scipy.fft  # noqa: E402
import scipy.linalg  # noqa: E402
import scipy.special  # noqa: E402

import uscipy  # noqa: E402
from uscipy.backends import get  # noqa: E402

from backend_testing import assert_matches_scipy, cases_of  # noqa: E402

BACKEND = get("torch")
CUDA = torch.cuda.is_available()
DEVICES = [
    "cpu",
    pytest.param("cuda", marks=pytest.mark.skipif(not CUDA, reason="no CUDA device: torch.cuda.is_available() is False")),
]


def T(a, device="cpu"):
    return torch.as_tensor(np.asarray(a), device=device)


def N(t):
    return t.detach().cpu().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)


def rng(seed=0):
    return np.random.default_rng(seed)


def spd(n=4, seed=0):
    a = rng(seed).standard_normal((n, n))
    return a @ a.T + n * np.eye(n)


def general(n=4, seed=0, complex_=False):
    r = rng(seed)
    a = np.eye(n) + 0.5 * r.standard_normal((n, n))
    if complex_:
        a = a + 0.5j * r.standard_normal((n, n))
    return a


@pytest.mark.parametrize("module, name, i, case", cases_of(BACKEND))
def test_torch_matches_scipy(module, name, i, case):
    assert_matches_scipy("torch", module, name, case, torch.as_tensor)


@pytest.mark.skipif(not CUDA, reason="no CUDA device: torch.cuda.is_available() is False")
@pytest.mark.parametrize("module, name, i, case", cases_of(BACKEND) if CUDA else [])
def test_torch_on_cuda_matches_scipy(module, name, i, case):
    # The same cases with CUDA tensors: other kernels (cuFFT, cuSOLVER/MAGMA), same answers.
    assert_matches_scipy("torch", module, name, case, lambda a: torch.as_tensor(a, device="cuda"))


def test_claims_per_module():
    from uscipy._api.table import API

    claimed = {m: sorted(f for f in API[m] if BACKEND.implements(m, f)) for m in API}
    polar = hasattr(torch.linalg, "polar")  # PyTorch 2.11 lacks it: polar is then not claimed
    assert BACKEND.implements("linalg", "polar") is polar
    assert {m: len(v) for m, v in claimed.items()} == {"fft": 22, "ndimage": 0, "linalg": 22 + polar, "special": 43}
    assert {"rfft", "hfftn", "fftfreq", "fftshift"} <= set(claimed["fft"])
    assert {"cholesky", "lu_solve", "solve_triangular", "lstsq", "eig"} <= set(claimed["linalg"])
    assert {"k0e", "eval_chebyt", "logsumexp", "softmax"} <= set(claimed["special"])
    assert not BACKEND.implements("fft", "dct") and not BACKEND.implements("ndimage", "gaussian_filter")


# --- linalg adapters ------------------------------------------------------------------------

def test_cholesky_upper_by_default_and_lower():
    a = spd()
    np.testing.assert_allclose(N(uscipy.linalg.cholesky(T(a))), scipy.linalg.cholesky(a), rtol=1e-12)
    np.testing.assert_allclose(N(uscipy.linalg.cholesky(T(a), lower=True)),
                               scipy.linalg.cholesky(a, lower=True), rtol=1e-12)
    c, lower = uscipy.linalg.cho_factor(T(a), lower=True)
    c_ref, _ = scipy.linalg.cho_factor(a, lower=True)
    assert lower is True
    np.testing.assert_allclose(N(c), c_ref, rtol=1e-12)
    b = rng(1).standard_normal(4)
    np.testing.assert_allclose(N(uscipy.linalg.cho_solve((c, lower), T(b))),
                               scipy.linalg.cho_solve((c_ref, True), b), rtol=1e-12)


def test_check_finite_raises_as_scipy():
    a = spd()
    a[0, 0] = np.nan
    with pytest.raises(ValueError, match="infs or NaNs"):
        uscipy.linalg.cholesky(T(a))


@pytest.mark.parametrize("mode", ["full", "economic", "r"])
def test_qr_modes(mode):
    a = rng(2).standard_normal((5, 3))
    got = uscipy.linalg.qr(T(a), mode=mode)
    want = scipy.linalg.qr(a, mode=mode)
    assert isinstance(got, tuple) and len(got) == len(want)
    for g, w in zip(got, want):
        assert tuple(g.shape) == w.shape
        np.testing.assert_allclose(np.abs(N(g)), np.abs(w), rtol=1e-10, atol=1e-12)
    if mode != "r":
        np.testing.assert_allclose(N(got[0] @ got[1]), a, rtol=1e-12, atol=1e-12)
    with pytest.raises(uscipy.BackendNotImplementedError, match="argument 'pivoting' is not supported"):
        uscipy.linalg.qr(T(a), pivoting=True)


@pytest.mark.parametrize("complex_", [False, True])
def test_lu_and_its_variants(complex_):
    a = general(5, 3, complex_)
    p, l, u = uscipy.linalg.lu(T(a))
    for g, w in zip((p, l, u), scipy.linalg.lu(a)):
        np.testing.assert_allclose(N(g), w, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(N(p @ l @ u), a, rtol=1e-12, atol=1e-14)  # SciPy's a = p @ l @ u
    pl, u2 = uscipy.linalg.lu(T(a), permute_l=True)
    pl_ref, u_ref = scipy.linalg.lu(a, permute_l=True)
    np.testing.assert_allclose(N(pl), pl_ref, rtol=1e-12, atol=1e-14)
    pi, _, _ = uscipy.linalg.lu(T(a), p_indices=True)
    np.testing.assert_array_equal(N(pi), scipy.linalg.lu(a, p_indices=True)[0])


@pytest.mark.parametrize("trans", [0, 1, 2])
@pytest.mark.parametrize("complex_", [False, True])
def test_lu_factor_pivots_zero_based_and_lu_solve_trans(trans, complex_):
    a = general(5, 4, complex_)
    b = rng(5).standard_normal((5, 2)) + (1j * rng(6).standard_normal((5, 2)) if complex_ else 0)
    lu, piv = uscipy.linalg.lu_factor(T(a))
    lu_ref, piv_ref = scipy.linalg.lu_factor(a)
    np.testing.assert_array_equal(N(piv), piv_ref)  # 0-based, as SciPy's
    np.testing.assert_allclose(N(lu), lu_ref, rtol=1e-12)
    for rhs in (b, b[:, 0]):
        got = uscipy.linalg.lu_solve((lu, piv), T(rhs), trans=trans)
        np.testing.assert_allclose(N(got), scipy.linalg.lu_solve((lu_ref, piv_ref), rhs, trans=trans), rtol=1e-10)


@pytest.mark.parametrize("lower", [False, True])
@pytest.mark.parametrize("trans", [0, 1, 2])
@pytest.mark.parametrize("unit_diagonal", [False, True])
def test_solve_triangular(lower, trans, unit_diagonal):
    # A full matrix: only the `lower` (or upper) triangle may be read, as in SciPy.
    a = general(4, 7, complex_=True) + 3 * np.eye(4)
    b = rng(8).standard_normal(4) + 1j * rng(9).standard_normal(4)
    got = uscipy.linalg.solve_triangular(T(a), T(b), trans=trans, lower=lower, unit_diagonal=unit_diagonal)
    want = scipy.linalg.solve_triangular(a, b, trans=trans, lower=lower, unit_diagonal=unit_diagonal)
    np.testing.assert_allclose(N(got), want, rtol=1e-10)


@pytest.mark.parametrize("assume_a", [None, "sym", "pos"])
@pytest.mark.parametrize("lower", [False, True])
def test_solve_reads_the_triangle_scipy_reads(assume_a, lower):
    a = spd(4, 10)
    a[np.triu_indices(4, 1) if lower else np.tril_indices(4, -1)] = 99.0  # ignored unless general
    b = rng(11).standard_normal((4, 2))
    got = uscipy.linalg.solve(T(a), T(b), assume_a=assume_a, lower=lower)
    np.testing.assert_allclose(N(got), scipy.linalg.solve(a, b, assume_a=assume_a, lower=lower), rtol=1e-10)


def test_lstsq_returns_like_scipy():
    a = rng(12).standard_normal((6, 3))
    b = rng(13).standard_normal(6)
    x, res, rank, s = uscipy.linalg.lstsq(T(a), T(b))
    x_ref, res_ref, rank_ref, s_ref = scipy.linalg.lstsq(a, b)
    np.testing.assert_allclose(N(x), x_ref, rtol=1e-10)
    np.testing.assert_allclose(N(res), res_ref, rtol=1e-10)
    assert rank == rank_ref and isinstance(rank, int)
    np.testing.assert_allclose(N(s), s_ref, rtol=1e-10)


def test_eigh_and_eig():
    a = spd(5, 14)
    w, v = uscipy.linalg.eigh(T(a), lower=False)
    w_ref, v_ref = scipy.linalg.eigh(a, lower=False)
    np.testing.assert_allclose(N(w), w_ref, rtol=1e-10)
    np.testing.assert_allclose(np.abs(N(v)), np.abs(v_ref), rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(N(uscipy.linalg.eigh(T(a), eigvals_only=True)), w_ref, rtol=1e-10)
    w, v = uscipy.linalg.eig(T(a))  # symmetric: real eigenvalues, so real eigenvectors as SciPy
    w_ref, v_ref = scipy.linalg.eig(a)
    assert N(v).dtype == v_ref.dtype == np.float64 and N(w).dtype == w_ref.dtype
    with pytest.raises(uscipy.BackendNotImplementedError, match="argument 'b' is not supported"):
        uscipy.linalg.eigh(T(a), T(np.eye(5)))


def test_expm_pinv_norm():
    a = general(4, 15)
    np.testing.assert_allclose(N(uscipy.linalg.expm(T(a))), scipy.linalg.expm(a), rtol=1e-12)
    b, rank = uscipy.linalg.pinv(T(a[:, :3]), return_rank=True)
    b_ref, rank_ref = scipy.linalg.pinv(a[:, :3], return_rank=True)
    np.testing.assert_allclose(N(b), b_ref, rtol=1e-10)
    assert rank == rank_ref
    for kw in ({}, {"ord": "fro"}, {"ord": 2}, {"ord": -np.inf, "axis": 0}, {"axis": (0, 1), "keepdims": True}):
        np.testing.assert_allclose(N(uscipy.linalg.norm(T(a), **kw)), scipy.linalg.norm(a, **kw), rtol=1e-12)


# --- special: the table's argument order and renames ---------------------------------------

@pytest.mark.parametrize("name", ["eval_chebyt", "eval_chebyu", "eval_sh_chebyt", "eval_sh_chebyu", "eval_hermite",
                                  "eval_hermitenorm", "eval_laguerre", "eval_legendre"])
def test_orthogonal_polynomials_take_n_first(name):
    n = np.arange(6)
    x = np.linspace(-0.9, 0.9, 6)
    want = getattr(scipy.special, name)(n, x)
    got = getattr(uscipy.special, name)(T(n), T(x))
    assert got.dtype == torch.float64  # int64 degrees, float64 points: SciPy's 'ld->d' loop
    np.testing.assert_allclose(N(got), want, rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(N(getattr(uscipy.special, name)(3, T(x))), getattr(scipy.special, name)(3, x), rtol=1e-12)
    with pytest.raises(uscipy.BackendNotImplementedError, match=r"x1=.* is not supported"):
        getattr(uscipy.special, name)(T(n - 1), T(x))  # negative degree: SciPy's extension


@pytest.mark.parametrize("name", ["i0", "i1", "i0e", "i1e", "k0", "k1", "k0e", "k1e"])
def test_bessel_renames(name):
    x = np.linspace(0.1, 20, 50)
    np.testing.assert_allclose(N(getattr(uscipy.special, name)(T(x))), getattr(scipy.special, name)(x), rtol=1e-9)


@pytest.mark.parametrize("name, x", [("j0", 5.52), ("j1", 7.02), ("y0", 7.08), ("y1", 5.43), ("ndtr", -8.0)])
def test_inaccurate_functions_are_excluded(name, x):
    # Why they are not claimed: PyTorch's float64 results are off by more than 1e-6 relative.
    from uscipy.backends.torch import EXCLUDED, SPECIAL

    torch_value = getattr(torch.special, SPECIAL[name][0])(torch.tensor(x, dtype=torch.float64)).item()
    assert abs(torch_value - getattr(scipy.special, name)(x)) > 1e-6 * abs(getattr(scipy.special, name)(x))
    assert f"special.{name}" in EXCLUDED and not BACKEND.implements("special", name)


def test_integer_input_computes_in_float64_as_scipy():
    got = uscipy.special.erf(torch.arange(4))
    assert got.dtype == torch.float64
    np.testing.assert_allclose(N(got), scipy.special.erf(np.arange(4)), rtol=1e-15)
    assert uscipy.special.erf(torch.ones(3, dtype=torch.float32)).dtype == torch.float32
    # Python floats are float64 as in SciPy (not torch's default float32)
    x = np.linspace(0.5, 3, 5)
    np.testing.assert_allclose(N(uscipy.special.xlogy(T(x), 0.1)), scipy.special.xlogy(x, 0.1), rtol=1e-15)
    np.testing.assert_allclose(N(uscipy.special.zeta(T(x + 1), 0.3)), scipy.special.zeta(x + 1, 0.3), rtol=1e-13)


@pytest.mark.parametrize("kw", [{}, {"axis": None}, {"axis": 1}, {"axis": (0, 2)}, {"axis": (0, 2), "keepdims": True}])
def test_logsumexp_softmax_axes(kw):
    a = rng(16).standard_normal((3, 4, 5))
    np.testing.assert_allclose(N(uscipy.special.logsumexp(T(a), **kw)), scipy.special.logsumexp(a, **kw), rtol=1e-12)
    axis = {k: v for k, v in kw.items() if k == "axis"}
    np.testing.assert_allclose(N(uscipy.special.softmax(T(a), **axis)), scipy.special.softmax(a, **axis), rtol=1e-12)
    np.testing.assert_allclose(N(uscipy.special.log_softmax(T(a), **axis)), scipy.special.log_softmax(a, **axis), rtol=1e-12)


def test_zeta_hurwitz_only_and_polygamma_orders():
    x = np.linspace(1.5, 6, 7)
    np.testing.assert_allclose(N(uscipy.special.zeta(T(x), 2.0)), scipy.special.zeta(x, 2.0), rtol=1e-12)
    with pytest.raises(uscipy.BackendNotImplementedError, match="q=None"):
        uscipy.special.zeta(T(x))
    n = np.array([0, 1, 2, 1, 0, 3, 2])
    # torch's trigamma: relative error ~3e-10 (SciPy's ~1e-16)
    np.testing.assert_allclose(N(uscipy.special.polygamma(T(n), T(x))), scipy.special.polygamma(n, x), rtol=1e-9)


# --- fft ------------------------------------------------------------------------------------

def test_fft_axes_become_dim():
    x = rng(17).standard_normal((4, 6, 8))
    np.testing.assert_allclose(N(uscipy.fft.rfft(T(x), axis=1)), scipy.fft.rfft(x, axis=1), rtol=1e-12)
    np.testing.assert_allclose(N(uscipy.fft.fftn(T(x), s=(4, 5), axes=(0, 2))), scipy.fft.fftn(x, s=(4, 5), axes=(0, 2)),
                               rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(N(uscipy.fft.irfftn(T(x), s=(6, 10))), scipy.fft.irfftn(x, s=(6, 10)), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(N(uscipy.fft.fftshift(T(x), axes=(0, 1))), scipy.fft.fftshift(x, axes=(0, 1)))
    with uscipy.set_backend("torch"):
        f = uscipy.fft.fftfreq(9, 0.1)
    assert isinstance(f, torch.Tensor) and f.dtype == torch.float64
    np.testing.assert_allclose(N(f), scipy.fft.fftfreq(9, 0.1), rtol=1e-15)


def test_tensors_dispatch_by_type_without_selection():
    x = torch.arange(8.0, dtype=torch.float64)
    with uscipy.trace() as t:
        y = uscipy.fft.rfft(x)
    assert isinstance(y, torch.Tensor) and [c.backend.name for c in t] == ["torch"]
    np.testing.assert_allclose(N(y), np.fft.rfft(np.arange(8.0)), rtol=1e-12)
    p = torch.nn.Parameter(torch.ones(3, dtype=torch.float64))  # a subclass: owned through the MRO
    assert isinstance(uscipy.special.erf(p), torch.Tensor)


def test_unsupported_argument_declines_naming_it():
    x = torch.ones(8, dtype=torch.float64)
    with pytest.raises(uscipy.BackendNotImplementedError, match="torch: scipy.fft.rfft: argument 'workers' is not supported"):
        uscipy.fft.rfft(x, workers=2)
    with pytest.raises(uscipy.BackendNotImplementedError, match="torch: scipy.special.erf: argument 'out' is not supported"):
        uscipy.special.erf(x, out=torch.empty(8, dtype=torch.float64))
    with pytest.raises(uscipy.BackendNotImplementedError, match="belongs to another backend"):
        uscipy.ndimage.gaussian_filter(torch.ones((4, 4)), 1)  # not claimed: never converted implicitly


def test_import_safe_without_torch():
    code = (
        "import sys; sys.modules['torch'] = None\n"
        "import uscipy, uscipy.backends.torch as t\n"
        "ok, why = t.available(); assert not ok and 'torch' in why, why\n"
        "assert not t.backend.implements('fft', 'rfft')\n"
        "import numpy as np; uscipy.fft.rfft(np.ones(4))\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


@pytest.mark.parametrize("device", DEVICES)
def test_results_stay_on_the_device(device):
    x = T(rng(18).standard_normal(16), device)
    y = uscipy.fft.rfft(x)
    assert y.device.type == device
    np.testing.assert_allclose(N(y), scipy.fft.rfft(N(x)), rtol=1e-12)
    a = spd(4, 19)
    c = uscipy.linalg.cholesky(T(a, device))
    assert c.device.type == device
    np.testing.assert_allclose(N(c), scipy.linalg.cholesky(a), rtol=1e-10)
    n = T(np.arange(4), device)
    e = uscipy.special.eval_legendre(n, T(np.linspace(0, 1, 4), device))
    assert e.device.type == device
    np.testing.assert_allclose(N(e), scipy.special.eval_legendre(np.arange(4), np.linspace(0, 1, 4)), rtol=1e-12)


def test_transposed_complex_solve_declines_as_scipy_refuses_it():
    a = torch.eye(2, dtype=torch.complex128) + 1j
    b = torch.ones(2, dtype=torch.complex128)
    with pytest.raises(uscipy.BackendNotImplementedError, match="transposed=True with a complex matrix"):
        uscipy.linalg.solve(a, b, transposed=True)
