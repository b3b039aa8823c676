"""The torch backend's ``scipy.linalg``: one adapter per function, with SciPy's parameter names,
rebuilding SciPy's results from PyTorch's (``cholesky`` upper by default, ``qr`` modes, ``lu``'s
``permute_l``/``p_indices``, 0-based ``lu_factor`` pivots, ``lu_solve``/``solve_triangular``
``trans``, ``lstsq``'s residues and rank, ``eig``'s real eigenvectors). Parameters left out are
declined by ``Adapter`` when not at SciPy's default."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from ._torch_common import _as_tensor, _check_finite, _decline, _device_of, _inexact, _same_dtype, _torch


_TRANS = {0: 0, 1: 1, 2: 2, "N": 0, "T": 1, "C": 2, "n": 0, "t": 1, "c": 2}


def _matrix_rhs(b: Any) -> tuple[Any, bool]:
    """``b`` with a column axis, and whether it was a vector (SciPy: ``b`` of shape ``(N,)``)."""
    return (b.unsqueeze(-1), True) if b.ndim == 1 else (b, False)


def _cholesky(a, lower=False, overwrite_a=False, check_finite=True):
    a = _inexact(a)
    _check_finite(check_finite, a)
    return _torch().linalg.cholesky(a, upper=not lower)


@lru_cache(maxsize=1)
def _scipy_cleans_cho_factor() -> bool:
    # SciPy 1.18 zeros the other triangle (unless overwrite_a); earlier, potrf left it as in `a`.
    import scipy

    return tuple(int(p) for p in scipy.__version__.split(".")[:2]) >= (1, 18)


def _cho_factor(a, lower=False, overwrite_a=False, check_finite=True):
    torch = _torch()
    a = _inexact(a)
    _check_finite(check_finite, a)
    c = torch.linalg.cholesky(a, upper=not lower)
    if _scipy_cleans_cho_factor():
        return c, lower
    rest = torch.triu(a, 1) if lower else torch.tril(a, -1)
    return c + rest, lower


def _cho_solve(c_and_lower, b, overwrite_b=False, check_finite=True):
    torch = _torch()
    c, lower = c_and_lower
    c, b = _same_dtype(_inexact(c), _inexact(b, c.device))
    _check_finite(check_finite, c, b)
    if c.ndim != 2:
        raise _decline("linalg.cho_solve", "batched factors are not supported")
    b2, vector = _matrix_rhs(b)
    factor = torch.tril(c) if lower else torch.triu(c)
    x = torch.cholesky_solve(b2, factor, upper=not lower)
    return x.squeeze(-1) if vector else x


def _qr(a, overwrite_a=False, lwork=None, mode="full", check_finite=True):
    torch = _torch()
    a = _inexact(a)
    _check_finite(check_finite, a)
    if mode == "r":
        return (torch.linalg.qr(a, mode="complete").R,)  # SciPy: R of shape (M, N), in a tuple
    if mode not in ("full", "economic"):
        raise _decline("linalg.qr", f"mode={mode!r} is not supported")
    q, r = torch.linalg.qr(a, mode="complete" if mode == "full" else "reduced")
    return q, r


def _lu(a, permute_l=False, overwrite_a=False, check_finite=True, p_indices=False):
    a = _inexact(a)
    _check_finite(check_finite, a)
    p, l, u = _torch().linalg.lu(a)  # a = p @ l @ u, as SciPy's
    if permute_l:
        return p @ l, u
    if p_indices:
        # SciPy: a = l[p] @ u, i.e. p[i] = the row of l@u that is row i of a.
        return (p.real if p.is_complex() else p).argmax(-1).to(_torch().int32), l, u
    return p, l, u


def _lu_factor(a, overwrite_a=False, check_finite=True):
    a = _inexact(a)
    _check_finite(check_finite, a)
    lu, pivots = _torch().linalg.lu_factor(a)
    return lu, pivots - 1  # LAPACK's 1-based pivots; SciPy's are 0-based


def _lu_solve(lu_and_piv, b, trans=0, overwrite_b=False, check_finite=True):
    torch = _torch()
    lu, piv = lu_and_piv
    lu, b = _same_dtype(_inexact(lu), _inexact(b, lu.device))
    _check_finite(check_finite, lu, b)
    if lu.ndim != 2:
        raise _decline("linalg.lu_solve", "batched factors are not supported")
    if isinstance(trans, str) or trans not in (0, 1, 2):  # SciPy's lu_solve takes no 'N'/'T'/'C'
        raise ValueError(f"trans must be 0, 1 or 2, not {trans!r}")
    t = int(trans)
    pivots = _as_tensor(piv, lu.device).to(torch.int32) + 1
    b2, vector = _matrix_rhs(b)
    if t == 1 and lu.is_complex():  # a.T x = b  <=>  a^H conj(x) = conj(b)
        x = torch.linalg.lu_solve(lu, pivots, b2.conj(), adjoint=True).conj()
    else:
        x = torch.linalg.lu_solve(lu, pivots, b2, adjoint=t != 0)
    return x.squeeze(-1) if vector else x


def _solve_triangular(a, b, trans=0, lower=False, unit_diagonal=False, overwrite_b=False, check_finite=True):
    torch = _torch()
    a, b = _same_dtype(_inexact(a), _inexact(b, a.device))
    _check_finite(check_finite, a, b)
    if a.ndim != 2:
        raise _decline("linalg.solve_triangular", "batched matrices are not supported")
    t = _TRANS.get(trans)
    if t is None:
        raise ValueError(f"trans must be 0, 1 or 2 (or 'N', 'T', 'C'), not {trans!r}")
    # Only `a`'s `lower` (or upper) triangle is read; transposing it swaps which one.
    if t == 1:
        a, upper = a.mT, lower
    elif t == 2:
        a, upper = a.mH, lower
    else:
        upper = not lower
    b2, vector = _matrix_rhs(b)
    x = torch.linalg.solve_triangular(a, b2, upper=upper, left=True, unitriangular=bool(unit_diagonal))
    return x.squeeze(-1) if vector else x


def _from_triangle(a: Any, lower: bool, hermitian: bool) -> Any:
    torch = _torch()
    tri = torch.tril(a) if lower else torch.triu(a)
    strict = torch.tril(a, -1) if lower else torch.triu(a, 1)
    other = strict.mH if hermitian else strict.mT
    full = tri + other
    if hermitian and full.is_complex():
        full = full - 1j * torch.diag_embed(torch.diagonal(full, dim1=-2, dim2=-1).imag)
    return full


def _solve(a, b, lower=False, overwrite_a=False, overwrite_b=False, check_finite=True, assume_a=None,
           transposed=False):
    torch = _torch()
    a, b = _same_dtype(_inexact(a), _inexact(b, a.device))
    _check_finite(check_finite, a, b)
    if a.ndim != 2:
        raise _decline("linalg.solve", "batched matrices are not supported")
    kind = {None: "gen", "gen": "gen", "general": "gen", "sym": "sym", "symmetric": "sym",
            "her": "her", "hermitian": "her", "pos": "pos", "positive definite": "pos"}.get(assume_a)
    if kind is None:
        raise _decline("linalg.solve", f"assume_a={assume_a!r} is not supported")
    if transposed:
        if a.is_complex():
            # SciPy itself refuses this (NotImplementedError): nothing to compute the same way.
            raise _decline("linalg.solve", "transposed=True with a complex matrix (SciPy raises "
                           "NotImplementedError for it too)")
        a = a.mT
    if kind == "pos":
        b2, vector = _matrix_rhs(b)
        factor = torch.linalg.cholesky(a, upper=not lower)
        x = torch.cholesky_solve(b2, factor, upper=not lower)
        return x.squeeze(-1) if vector else x
    if kind in ("sym", "her"):
        a = _from_triangle(a, lower, kind == "her")
    return torch.linalg.solve(a, b)


def _inv(a, overwrite_a=False, check_finite=True, *, assume_a=None):
    a = _inexact(a)
    _check_finite(check_finite, a)
    if assume_a not in (None, "gen", "general"):
        raise _decline("linalg.inv", f"assume_a={assume_a!r} is not supported")
    return _torch().linalg.inv(a)


def _det(a, overwrite_a=False, check_finite=True):
    a = _inexact(a)
    _check_finite(check_finite, a)
    return _torch().linalg.det(a)


def _eigh(a, *, lower=True, eigvals_only=False, overwrite_a=False, check_finite=True):
    torch = _torch()
    a = _inexact(a)
    _check_finite(check_finite, a)
    uplo = "L" if lower else "U"
    if eigvals_only:
        return torch.linalg.eigvalsh(a, UPLO=uplo)
    w, v = torch.linalg.eigh(a, UPLO=uplo)
    return w, v


def _eigvalsh(a, *, lower=True, overwrite_a=False, check_finite=True):
    a = _inexact(a)
    _check_finite(check_finite, a)
    return _torch().linalg.eigvalsh(a, UPLO="L" if lower else "U")


def _eig(a, right=True, overwrite_a=False, check_finite=True):
    torch = _torch()
    a = _inexact(a)
    _check_finite(check_finite, a)
    if not right:
        return torch.linalg.eigvals(a)
    w, v = torch.linalg.eig(a)
    # SciPy: real eigenvectors for a real matrix whose eigenvalues are all real.
    if not a.is_complex() and bool((w.imag == 0).all()):
        v = v.real.contiguous()
    return w, v


def _eigvals(a, overwrite_a=False, check_finite=True):
    a = _inexact(a)
    _check_finite(check_finite, a)
    return _torch().linalg.eigvals(a)


def _svd(a, full_matrices=True, compute_uv=True, overwrite_a=False, check_finite=True, lapack_driver="gesdd"):
    torch = _torch()
    a = _inexact(a)
    _check_finite(check_finite, a)
    if lapack_driver not in ("gesdd", "gesvd"):
        raise ValueError(f'lapack_driver must be "gesdd" or "gesvd", not "{lapack_driver}"')
    if not compute_uv:
        return torch.linalg.svdvals(a)
    u, s, vh = torch.linalg.svd(a, full_matrices=bool(full_matrices))
    return u, s, vh


def _svdvals(a, overwrite_a=False, check_finite=True):
    a = _inexact(a)
    _check_finite(check_finite, a)
    return _torch().linalg.svdvals(a)


def _norm(a, ord=None, axis=None, keepdims=False, check_finite=True):
    a = _inexact(a)
    _check_finite(check_finite, a)
    dim = axis if axis is None or isinstance(axis, int) else tuple(int(x) for x in axis)
    return _torch().linalg.norm(a, ord=ord, dim=dim, keepdim=bool(keepdims))


def _pinv(a, *, atol=None, rtol=None, return_rank=False, check_finite=True):
    torch = _torch()
    a = _inexact(a)
    _check_finite(check_finite, a)
    # SciPy's defaults, explicitly (PyTorch's differ when only one is given).
    eps = torch.finfo(a.real.dtype if a.is_complex() else a.dtype).eps
    atol = 0.0 if atol is None else atol
    rtol = max(a.shape[-2:]) * eps if rtol is None else rtol
    if atol < 0 or rtol < 0:
        raise ValueError("atol and rtol values must be positive.")
    b = torch.linalg.pinv(a, atol=atol, rtol=rtol)
    if return_rank:
        s = torch.linalg.svdvals(a)
        smax = s.amax(-1, keepdim=True) if s.shape[-1] else torch.zeros_like(s[..., :1])
        rank = (s > atol + smax * rtol).sum(-1)
        return b, (int(rank) if rank.ndim == 0 else rank)
    return b


def _expm(A):
    return _torch().linalg.matrix_exp(_inexact(A))


def _lstsq(a, b, cond=None, overwrite_a=False, overwrite_b=False, check_finite=True, lapack_driver=None):
    torch = _torch()
    a, b = _same_dtype(_inexact(a), _inexact(b, a.device))
    _check_finite(check_finite, a, b)
    if a.ndim != 2:
        raise _decline("linalg.lstsq", "batched matrices are not supported")
    if a.device.type != "cpu":
        raise _decline("linalg.lstsq", "torch.linalg.lstsq off the CPU has only the 'gels' driver "
                       "(no rank, no singular values)")
    driver = lapack_driver or "gelsd"
    if driver not in ("gelsd", "gelss"):
        raise _decline("linalg.lstsq", f"lapack_driver={lapack_driver!r} is not supported")
    real = a.real.dtype if a.is_complex() else a.dtype
    rcond = torch.finfo(real).eps if cond is None else float(cond)  # SciPy's default: eps
    b2, vector = _matrix_rhs(b)
    x, _, rank, s = torch.linalg.lstsq(a, b2, rcond=rcond, driver=driver)
    m, n = a.shape
    rank = int(rank)
    if m > n and rank == n:
        residues = (b2 - a @ x).abs().square().sum(0)
        residues = residues[0] if vector else residues
    else:
        residues = torch.empty(0, dtype=real, device=a.device)
    return (x.squeeze(-1) if vector else x), residues, rank, s


def _block_diag(*arrs):
    torch = _torch()
    if not arrs:
        return torch.zeros((1, 0), dtype=torch.float64)
    device = _device_of(*arrs)
    tensors = [_as_tensor(x, device) for x in arrs]
    if any(t.ndim > 2 for t in tensors):
        bad = [i for i, t in enumerate(tensors) if t.ndim > 2]
        raise ValueError(f"arguments in the following positions have dimension greater than 2: {bad}")
    return torch.block_diag(*tensors)


def _polar(a, side="right"):
    torch = _torch()
    a = _inexact(a)
    if side not in ("right", "left"):
        raise ValueError("`side` must be either 'right' or 'left'")
    if side == "right":
        u, p = torch.linalg.polar(a)
        return u, p
    u, p = torch.linalg.polar(a.mH)  # a^H = u' p'  =>  a = p' u'^H
    return u.mH, p


LINALG: dict[str, Callable[..., Any]] = {
    "cholesky": _cholesky, "cho_factor": _cho_factor, "cho_solve": _cho_solve, "qr": _qr, "lu": _lu,
    "lu_factor": _lu_factor, "lu_solve": _lu_solve, "solve_triangular": _solve_triangular,
    "solve": _solve, "inv": _inv, "det": _det, "eigh": _eigh, "eigvalsh": _eigvalsh, "eig": _eig,
    "eigvals": _eigvals, "svd": _svd, "svdvals": _svdvals, "norm": _norm, "pinv": _pinv,
    "expm": _expm, "lstsq": _lstsq, "block_diag": _block_diag, "polar": _polar,
}
