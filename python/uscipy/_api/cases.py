"""Sample inputs for every public array function of ``scipy.fft``, ``scipy.ndimage``,
``scipy.linalg`` and ``scipy.special``.

A declarative table: for each ``(module, name)`` a list of :class:`Case`, each building small,
deterministic, *fresh* NumPy arrays / Python scalars on every call, valid for SciPy (it computes
them without raising). Used by the differential test (uscipy vs SciPy) and by the compatibility
tracker (one function, several array backends).

Most entries come from rules (a family of functions sharing a signature, every ``scipy.special``
ufunc from its ``nin``/``types``); explicit entries only where no rule fits.

``Case.compare`` says how two results are compared so that two *correct* implementations agree:

- ``"allclose"``: values, within ``rtol``/``atol`` (NaNs equal);
- ``"abs"``: absolute values (sign / phase conventions: ``svd``, ``qr``, ``eigh``...);
- ``"sorted"``: every array flattened and sorted (eigenvalue order);
- ``"shape"``: only the structure, shapes and dtypes (non-unique results: ``eig``, ``schur``, ``qz``...).

:func:`compare_results` / :func:`results_equal` implement them, recursively through tuples,
lists, dicts, ``poly1d`` and plain objects.
"""

from __future__ import annotations

import functools
import importlib
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from .rules import MODULES, PASSTHROUGH

__all__ = [
    "ALL", "EXCLUDED", "MODULES", "Case", "cases", "compare_results", "convert_inputs", "results_equal",
    "scipy_function",
    "vec", "img", "square", "spd", "sym", "rect", "binary", "labels",
]


#: names in the modules' ``__all__`` that are not array functions (no cases).
EXCLUDED: dict[str, frozenset[str]] = {m: frozenset(names) for m, names in PASSTHROUGH.items()}

_COMPARE = ("allclose", "abs", "sorted", "shape")


@dataclass(frozen=True)
class Case:
    args: Callable[[], tuple]            # builds fresh positional args (NumPy / Python values)
    kwargs: Callable[[], dict] = dict    # builds fresh keyword args
    label: str = ""                      # e.g. "float64 2-D, mode=nearest"
    rtol: float = 1e-7
    atol: float = 0.0
    compare: str = "allclose"            # "allclose" | "abs" | "sorted" | "shape"

    def __post_init__(self):
        if self.compare not in _COMPARE:
            raise ValueError(f"compare must be one of {_COMPARE}, not {self.compare!r}")

    def call(self, func):
        """``func(*args(), **kwargs())`` on fresh inputs."""
        return func(*self.args(), **self.kwargs())


def C(args, kwargs=None, label="", *, rtol=1e-7, atol=0.0, compare="allclose") -> Case:
    """Case builder. ``kwargs`` may be a dict of immutable values (strings, numbers, tuples);
    a dict holding arrays (mutable) must be passed as a callable."""
    if kwargs is None:
        kw = dict
    elif callable(kwargs):
        kw = kwargs
    else:
        frozen = dict(kwargs)
        for k, v in frozen.items():
            if isinstance(v, (np.ndarray, list, dict, set)):
                raise TypeError(f"kwarg {k!r} is mutable: pass kwargs as a callable")
        kw = functools.partial(dict, frozen)
    if not label and not callable(kwargs) and kwargs:
        label = ", ".join(f"{k}={v!r}" for k, v in kwargs.items())
    return Case(args=args, kwargs=kw, label=label, rtol=rtol, atol=atol, compare=compare)


# ---------------------------------------------------------------------------------------------
# input factories (seeded: the same values on every call, a new array every call)
# ---------------------------------------------------------------------------------------------

def _rng(seed=0):
    return np.random.default_rng(seed)


def _cast(x, r, dtype):
    dtype = np.dtype(dtype)
    if dtype.kind == "c":
        x = x + 1j * r.standard_normal(x.shape)
    return x.astype(dtype)


def vec(n=16, dtype=np.float64, seed=0):
    """Standard-normal vector (complex: independent real and imaginary parts)."""
    r = _rng(seed)
    return _cast(r.standard_normal(n), r, dtype)


def img(shape=(16, 16), dtype=np.float64, seed=0):
    """Uniform [0, 1) image; integer dtypes: values 0..9; bool: x > 0.5."""
    r = _rng(seed)
    x = r.random(shape)
    dtype = np.dtype(dtype)
    if dtype.kind == "b":
        return x > 0.5
    if dtype.kind in "iu":
        return (x * 10).astype(dtype)
    if dtype.kind == "c":
        return (x + 1j * r.random(shape)).astype(dtype)
    return x.astype(dtype)


def square(n=4, dtype=np.float64, seed=0, scale=0.25):
    """Well-conditioned general square matrix: I + scale * N(0, 1); eigenvalues near 1."""
    r = _rng(seed)
    return np.eye(n, dtype=dtype) + scale * _cast(r.standard_normal((n, n)), r, dtype)


def spd(n=4, dtype=np.float64, seed=0):
    """Symmetric (Hermitian for complex) positive definite: M M^H + n I."""
    r = _rng(seed)
    m = _cast(r.standard_normal((n, n)), r, dtype)
    return (m @ m.conj().T + n * np.eye(n)).astype(dtype)


def sym(n=4, dtype=np.float64, seed=0):
    """Symmetric (Hermitian) indefinite matrix."""
    r = _rng(seed)
    m = _cast(r.standard_normal((n, n)), r, dtype)
    return ((m + m.conj().T) / 2).astype(dtype)


def rect(m=5, n=3, dtype=np.float64, seed=0):
    r = _rng(seed)
    return _cast(r.standard_normal((m, n)), r, dtype)


def binary(shape=(12, 12)):
    """Boolean image with a few blobs, one of them with a hole."""
    b = np.zeros(shape, dtype=bool)
    b[1:5, 1:6] = True
    b[7:11, 2:4] = True
    b[5:11, 6:11] = True
    b[7:9, 8] = False          # hole
    b[2, 9:11] = True
    return b


def labels(shape=(12, 12)):
    """Integer label image with labels 1..4 (0 is background)."""
    lab = np.zeros(shape, dtype=np.int64)
    lab[1:5, 1:6] = 1
    lab[7:11, 2:4] = 2
    lab[5:11, 6:11] = 3
    lab[2, 9:11] = 4
    return lab


def lin(lo, hi, n=8):
    return np.linspace(lo, hi, n)


def ints(n=8, lo=1, hi=4, dtype=np.int64):
    """Small integers lo..hi, cycling."""
    return (np.arange(n) % (hi - lo + 1) + lo).astype(dtype)


def _tridiag_spd(n=5, seed=0):
    """(dense A, upper banded form ab (2, n)) of a diagonally dominant SPD tridiagonal matrix."""
    r = _rng(seed)
    d, e = 4 + r.random(n), r.random(n - 1) - 0.5
    a = np.diag(d) + np.diag(e, 1) + np.diag(e, -1)
    ab = np.zeros((2, n))
    ab[0, 1:], ab[1] = e, d
    return a, ab


def _chol_banded_upper(n=5, seed=0):
    a, _ = _tridiag_spd(n, seed)
    u = np.linalg.cholesky(a).T
    cb = np.zeros((2, n))
    cb[0, 1:], cb[1] = np.diag(u, 1), np.diag(u)
    return cb


def _lu_factor_np(a):
    """LAPACK getrf-style (lu, piv) in plain NumPy (partial pivoting)."""
    lu = np.array(a, dtype=np.result_type(a, np.float64))
    n = lu.shape[0]
    piv = np.zeros(n, dtype=np.int32)
    for k in range(n):
        p = k + int(np.argmax(np.abs(lu[k:, k])))
        piv[k] = p
        if p != k:
            lu[[k, p]] = lu[[p, k]]
        lu[k + 1:, k] /= lu[k, k]
        lu[k + 1:, k + 1:] -= np.outer(lu[k + 1:, k], lu[k, k + 1:])
    return lu, piv


def _orthogonal(n=4, seed=0):
    q, r = np.linalg.qr(_rng(seed).standard_normal((n, n)))
    return q * np.sign(np.diag(r))


def _qr_np(n=4, seed=0):
    return tuple(np.linalg.qr(square(n, seed=seed)))


# callables passed to ndimage (plain NumPy; module-level so they pickle and have stable reprs)

def _filter1d_sum3(iline, oline):
    """generic_filter1d callback with filter_size=3: moving sum."""
    oline[...] = iline[:-2] + iline[1:-1] + iline[2:]


def _into(output, r):
    """ndimage passes ``output`` as an array to fill or as a dtype: honour both."""
    if output is None:
        return r
    if isinstance(output, (np.dtype, type, str)):
        return r.astype(output)
    output[...] = r
    return output


def _padded_along(input, axis):
    """``input`` as float64 with ``axis`` first and its edges repeated, in the input's own
    array library (the callbacks get CuPy arrays from CuPy's ndimage, NumPy's from SciPy's)."""
    if hasattr(input, "__array_namespace__"):
        xp = input.__array_namespace__()
    else:  # CuPy's ndarray lacks the standard's method: its top-level package is the namespace
        xp = importlib.import_module(type(input).__module__.partition(".")[0])
    a = xp.moveaxis(xp.asarray(input, dtype=xp.float64), axis, 0)
    concat = getattr(xp, "concat", None) or xp.concatenate  # NumPy < 2 lacks the standard's name
    return xp, concat([a[:1], a, a[-1:]])


def _second_derivative(input, axis, output, mode, cval):
    """generic_laplace callback: [1, -2, 1] along ``axis``, edges repeated (mode ignored)."""
    xp, p = _padded_along(input, axis)
    return _into(output, xp.moveaxis(p[:-2] - 2 * p[1:-1] + p[2:], 0, axis))


def _first_derivative(input, axis, output, mode, cval):
    """generic_gradient_magnitude callback: central difference, edges repeated."""
    xp, p = _padded_along(input, axis)
    return _into(output, xp.moveaxis((p[2:] - p[:-2]) / 2, 0, axis))


def _shift_mapping(out):
    """geometric_transform mapping: output coords -> input coords."""
    return (out[0] - 0.5, out[1] - 1.25)


def _square_func(x):
    return x * x


# ---------------------------------------------------------------------------------------------
# the table
# ---------------------------------------------------------------------------------------------

ALL: dict[tuple[str, str], list[Case]] = {}


def _add(module, names, *cs):
    for name in names.split() if isinstance(names, str) else names:
        ALL.setdefault((module, name), []).extend(cs)


# ---- scipy.fft -------------------------------------------------------------------------------

F = functools.partial(C, atol=1e-10)
F32 = functools.partial(C, rtol=1e-4, atol=1e-4)

_cvec = lambda: (vec(16, np.complex128),)                  # noqa: E731
_rvec = lambda: (vec(16),)                                 # noqa: E731
_half = lambda: (vec(9, np.complex128),)                   # noqa: E731  hermitian half, n=16
_cimg = lambda: (img((8, 8), np.complex128),)             # noqa: E731
_rimg = lambda: (img((8, 8)),)                             # noqa: E731
_himg = lambda: (img((8, 5), np.complex128),)             # noqa: E731  half spectrum, s=(8, 8)

_add("fft", "fft ifft", F(_cvec, label="complex128 (16,)"))
_add("fft", "hfft irfft", F(_half, label="complex128 (9,) -> 16"))
_add("fft", "rfft ihfft dct idct dst idst fftshift ifftshift", F(_rvec, label="float64 (16,)"))
_add("fft", "fft2 ifft2 fftn ifftn", F(_cimg, label="complex128 (8, 8)"))
_add("fft", "rfft2 rfftn ihfft2 ihfftn dctn idctn dstn idstn", F(_rimg, label="float64 (8, 8)"))
_add("fft", "hfft2 hfftn irfft2 irfftn", F(_himg, label="complex128 (8, 5) -> (8, 8)"))
_add("fft", "fftfreq", F(lambda: (8, 0.1)), F(lambda: (9,), label="odd n"))
_add("fft", "rfftfreq", F(lambda: (8, 0.1)), F(lambda: (9, 0.5), label="odd n"))
_add("fft", "fht ifht", F(lambda: (np.exp(-lin(-2, 2, 16) ** 2), 0.1, 0.5), label="dln=0.1, mu=0.5"))
_add("fft", "fhtoffset", F(lambda: (0.1, 0.5)), F(lambda: (0.1, 0.5), {"initial": 0.2, "bias": 0.1}))

_add("fft", "fft",
     F(_rvec, label="float64 input"),
     F32(lambda: (img((8, 8), np.float32),), {"axis": 0, "norm": "ortho"}, "float32 (8, 8), axis=0, ortho"))
_add("fft", "rfft",
     F(lambda: (vec(15),), label="odd length 15"),
     F(_rimg, {"n": 12, "axis": 0}, "(8, 8), n=12, axis=0"))
_add("fft", "fftn",
     F(lambda: (img((4, 4, 4)),), label="float64 3-D"),
     F(_rimg, {"s": (8, 10), "axes": (0, 1), "norm": "forward"}, "s=(8, 10), norm=forward"))
_add("fft", "dct",
     F(_rvec, {"type": 3, "norm": "ortho"}),
     F(_rvec, {"type": 1}),
     F32(lambda: (img((8, 8), np.float32),), {"type": 4, "axis": 0}, "float32, type=4, axis=0"))
_add("fft", "fftshift", F(_rimg, {"axes": 0}))

# ---- scipy.ndimage ---------------------------------------------------------------------------

N = functools.partial(C, atol=1e-10)
_img = lambda: (img(),)                                    # noqa: E731
_kernel = lambda: (img(), img((3, 3), seed=1))             # noqa: E731
_fimg = lambda: (np.fft.fft2(img((8, 8))),)                # noqa: E731
_lab3 = lambda: (img((12, 12)), labels(), np.array([1, 2, 3]))  # noqa: E731

_add("ndimage", """uniform_filter median_filter maximum_filter minimum_filter grey_closing
     grey_dilation grey_erosion grey_opening black_tophat white_tophat morphological_gradient
     morphological_laplace""", N(_img, {"size": 3}, "float64 (16, 16), size=3"))
_add("ndimage", "percentile_filter", N(_img, {"percentile": 30, "size": 3}))
_add("ndimage", "rank_filter", N(_img, {"rank": 2, "size": 3}))
_add("ndimage", "generic_filter", N(lambda: (img(), np.mean), {"size": 3}, "func=np.mean, size=3"))
_add("ndimage", "vectorized_filter", N(lambda: (img(), np.mean), {"size": 3}, "func=np.mean, size=3"))
_add("ndimage", "gaussian_filter gaussian_laplace gaussian_gradient_magnitude",
     N(lambda: (img(), 1.0), label="sigma=1"))
_add("ndimage", "gaussian_filter1d", N(lambda: (img(), 1.5), label="sigma=1.5"),
     N(lambda: (img(), 1.0), {"order": 1, "axis": 0}))
_add("ndimage", "uniform_filter1d minimum_filter1d maximum_filter1d",
     N(lambda: (img(), 3), label="size=3"))
_add("ndimage", "correlate1d convolve1d",
     N(lambda: (img(), np.array([1.0, 2.0, -1.0])), label="weights (3,)"))
_add("ndimage", "generic_filter1d", N(lambda: (img(), _filter1d_sum3, 3), label="moving sum, size 3"))
_add("ndimage", "laplace prewitt sobel spline_filter", N(_img, label="float64 (16, 16)"))
_add("ndimage", "spline_filter1d", N(_img, label="float64 (16, 16)"), N(_img, {"order": 2, "axis": 0}))
_add("ndimage", "generic_laplace", N(lambda: (img(), _second_derivative), label="[1,-2,1]"))
_add("ndimage", "generic_gradient_magnitude", N(lambda: (img(), _first_derivative), label="central diff"))
_add("ndimage", "correlate convolve", N(_kernel, label="float64 (16, 16), weights (3, 3)"))
_add("ndimage", """binary_erosion binary_dilation binary_opening binary_closing binary_fill_holes
     distance_transform_bf distance_transform_cdt distance_transform_edt""",
     N(lambda: (binary(),), label="bool (12, 12)"))
_add("ndimage", "binary_hit_or_miss",
     N(lambda: (binary(), np.array([[0, 1, 0], [1, 1, 1], [0, 1, 0]])), label="structure1=cross"))
_add("ndimage", "binary_propagation",
     N(lambda: (binary() & (np.arange(12) < 3)[:, None],), lambda: {"mask": binary()}, "mask=binary"))
_add("ndimage", """maximum minimum mean median standard_deviation variance sum sum_labels
     center_of_mass extrema maximum_position minimum_position""",
     N(_lab3, label="(12, 12), labels, index=[1, 2, 3]"))
_add("ndimage", "mean sum maximum", N(lambda: (img(),), label="no labels"))
_add("ndimage", "labeled_comprehension",
     N(lambda: (*_lab3(), np.mean, np.float64, 0.0), label="np.mean per label"))
_add("ndimage", "histogram", N(lambda: (img(), 0.0, 1.0, 10), label="10 bins"),
     N(lambda: (img((12, 12)), 0.0, 1.0, 5, labels(), [1, 3]), label="with labels"))
_add("ndimage", "find_objects value_indices", N(lambda: (labels(),), label="int64 labels (12, 12)"))
_add("ndimage", "label", N(lambda: (binary(),), label="bool (12, 12)"),
     N(lambda: (binary(),), lambda: {"structure": np.ones((3, 3), dtype=int)}, "8-connectivity"),
     N(lambda: (img((6, 6, 6)) > 0.6,), label="bool 3-D"))
_add("ndimage", "generate_binary_structure", N(lambda: (2, 1)), N(lambda: (3, 2)))
_add("ndimage", "iterate_structure",
     N(lambda: (np.array([[0, 1, 0], [1, 1, 1], [0, 1, 0]], dtype=bool), 2), label="cross, 2"))
_add("ndimage", "watershed_ift", N(
    lambda: ((img() * 255).astype(np.uint8),
             np.pad(np.array([[1, 0], [0, 2]], dtype=np.int16), 7)[:16, :16]),
    label="uint8 image, 2 markers"))
_add("ndimage", "fourier_gaussian", N(lambda: (*_fimg(), 1.0), label="sigma=1"))
_add("ndimage", "fourier_uniform", N(lambda: (*_fimg(), 3), label="size=3"))
_add("ndimage", "fourier_ellipsoid", N(lambda: (*_fimg(), 3.0), label="size=3"))
_add("ndimage", "fourier_shift", N(lambda: (*_fimg(), (1.5, -2.0)), label="shift=(1.5, -2)"))
_add("ndimage", "zoom",
     N(lambda: (img((8, 8)), 2.0), label="x2, order=3"),
     N(lambda: (img((16, 16)), 0.5), {"order": 1}, "x0.5, order=1"),
     N(lambda: (img((8, 8), np.float32), (1.5, 2.0)), {"order": 0, "mode": "nearest"},
       "float32, (1.5, 2), order=0, nearest", rtol=1e-5, atol=1e-6),
     # 16 -> 24: the last output coordinate, 23 * (15 / 23), is 15.000001 in float32, outside.
     N(lambda: (img((16, 16), np.float32), 1.5), label="float32, x1.5, order=3: the far edge",
       rtol=1e-5, atol=1e-6))
_add("ndimage", "rotate", N(lambda: (img(), 30.0), {"reshape": False}), N(lambda: (img((8, 12)), 45.0)))
_add("ndimage", "shift", N(lambda: (img(), (1.5, -0.5))),
     N(lambda: (img(), 2.0), {"order": 1, "mode": "wrap"}))
_add("ndimage", "affine_transform", N(
    lambda: (img(), np.array([[0.9, 0.1], [-0.1, 0.9]])), {"offset": (1.0, 0.5)}))
_add("ndimage", "map_coordinates", N(
    lambda: (img(), np.array([[1.5, 2.5, 3.2, 10.0], [0.5, 4.1, 7.7, 12.3]])), label="4 points"),
     N(lambda: (img(), np.array([[1.5, 2.5], [0.5, 4.1]])), {"order": 1}))
_add("ndimage", "geometric_transform", N(lambda: (img(), _shift_mapping), label="shift mapping"))

# commonly used: more dtypes / modes
_add("ndimage", "gaussian_filter",
     N(lambda: (img(), (1.0, 2.0)), {"order": (0, 1), "mode": "nearest"}),
     N(lambda: (img(dtype=np.float32), 1.0), {"truncate": 3.0}, "float32, truncate=3",
       rtol=1e-5, atol=1e-6))
_add("ndimage", "uniform_filter",
     N(_img, {"size": (3, 5), "mode": "wrap"}),
     N(lambda: (img(dtype=np.float32),), {"size": 4}, "float32, size=4", rtol=1e-5, atol=1e-6))
_add("ndimage", "median_filter",
     N(lambda: (img(dtype=np.int32),),
       lambda: {"footprint": np.array([[0, 1, 0], [1, 1, 1], [0, 1, 0]]), "mode": "nearest"},
       "int32, cross footprint, nearest"),
     N(lambda: (vec(16),), {"size": 5, "mode": "constant", "cval": 0.5}))
_add("ndimage", "convolve",
     N(lambda: (img(dtype=np.int32), np.array([[1, 2, 1], [0, 0, 0], [-1, -2, -1]])),
       {"mode": "nearest"}, "int32, int weights, nearest"),
     N(_kernel, {"mode": "constant", "cval": 0.5}))
_add("ndimage", "binary_erosion",
     N(lambda: (binary(),), lambda: {"structure": np.ones((3, 3), dtype=bool), "iterations": 2},
       "3x3 structure, iterations=2"),
     N(lambda: (binary(),), {"border_value": 1}))

# ---- scipy.linalg ----------------------------------------------------------------------------

L = functools.partial(C, atol=1e-10)
_sq = lambda: (square(),)                                  # noqa: E731
_spd = lambda: (spd(),)                                    # noqa: E731

_add("linalg", """det inv expm cosm sinm coshm sinhm tanhm matrix_balance expm_cond norm pinv polar
     lu lu_factor svdvals logm sqrtm""", L(_sq, label="float64 (4, 4)"))
_add("linalg", "tanm", L(lambda: (0.5 * square(),), label="float64 (4, 4), small norm"))
_add("linalg", "hessenberg qr rq svd", L(_sq, label="float64 (4, 4)", compare="abs"))
_add("linalg", "eigvals", L(_sq, label="float64 (4, 4)", compare="sorted"))
_add("linalg", "eig schur", L(_sq, label="float64 (4, 4)", compare="shape"))
_add("linalg", "cholesky eigvalsh pinvh ldl", L(_spd, label="SPD (4, 4)"))
_add("linalg", "eigh", L(_spd, label="SPD (4, 4)", compare="abs"))
_add("linalg", "cho_factor", L(_spd, label="SPD (4, 4), unused triangle unspecified", compare="shape"))
_add("linalg", "fractional_matrix_power", L(lambda: (spd(), 0.5), label="SPD, p=0.5"))
_add("linalg", "signm", L(lambda: (sym(),), label="symmetric indefinite"))
_add("linalg", "funm", L(lambda: (square(), np.exp), label="func=np.exp"),
     L(lambda: (spd(), _square_func), label="SPD, x*x"))
_add("linalg", "expm_frechet", L(lambda: (square(), square(seed=1))))
_add("linalg", "issymmetric ishermitian", L(lambda: (sym(),), label="symmetric"),
     L(lambda: (sym(dtype=np.complex128),), label="hermitian"), L(_sq, label="general"))
_add("linalg", "bandwidth", L(lambda: (np.triu(np.tril(square(5), 2), -1),), label="(1, 2)-banded"))
_add("linalg", "lstsq", L(lambda: (rect(), vec(5))), L(lambda: (rect(), rect(5, 2, seed=1)), label="2 rhs"))
_add("linalg", "solve", L(lambda: (square(), vec(4)), label="vector rhs"),
     L(lambda: (square(), rect(4, 2, seed=1)), label="matrix rhs"),
     L(lambda: (spd(), vec(4)), {"assume_a": "pos"}),
     L(lambda: (square(dtype=np.complex128), vec(4, np.complex128)), label="complex128"))
_add("linalg", "solve_triangular", L(lambda: (np.triu(square()), vec(4))),
     L(lambda: (np.tril(square()), rect(4, 2)), {"lower": True}))
_add("linalg", "solve_banded", L(
    lambda: ((1, 1), np.vstack([vec(5, seed=1), 4 + vec(5, seed=2), vec(5, seed=3)]), vec(5)),
    label="tridiagonal"))
_add("linalg", "solveh_banded", L(lambda: (_tridiag_spd()[1], vec(5)), label="SPD tridiagonal"))
_add("linalg", "cholesky_banded eigvals_banded",
     L(lambda: (_tridiag_spd()[1],), label="SPD tridiagonal, upper form"))
_add("linalg", "eig_banded", L(lambda: (_tridiag_spd()[1],), label="SPD tridiagonal", compare="abs"))
_add("linalg", "cho_solve_banded", L(lambda: ((_chol_banded_upper(), False), vec(5))))
_add("linalg", "cho_solve", L(lambda: ((np.linalg.cholesky(spd()), True), vec(4)), label="lower factor"))
_add("linalg", "lu_solve", L(lambda: (_lu_factor_np(square()), vec(4))),
     L(lambda: (_lu_factor_np(square()), rect(4, 2)), {"trans": 1}))
_add("linalg", "solve_circulant", L(lambda: (np.array([4.0, 1.0, 0.5, -1.0, 0.2]), vec(5))))
_add("linalg", "solve_toeplitz",
     L(lambda: ((np.array([4.0, 1.0, 0.5, -1.0]), np.array([4.0, 2.0, -0.5, 0.3])), vec(4))),
     L(lambda: (np.array([4.0, 1.0, 0.5, -1.0]), rect(4, 2)), label="symmetric, matrix rhs"))
_add("linalg", "matmul_toeplitz", L(lambda: ((vec(5), vec(5, seed=1)), rect(5, 2))))
_add("linalg", "eigh_tridiagonal", L(lambda: (4 + vec(5), vec(4, seed=1)), compare="abs"))
_add("linalg", "eigvalsh_tridiagonal", L(lambda: (4 + vec(5), vec(4, seed=1))))
_add("linalg", "cdf2rdf", L(lambda: (
    np.array([1 + 2j, 1 - 2j, 3 + 0j]),
    np.array([[1 + 1j, 1 - 1j, 0], [2j, -2j, 1], [1, 1, 1]])), label="one conjugate pair"))
_add("linalg", "rsf2csf", L(lambda: (
    np.array([[1.0, 2.0, 0.5], [-3.0, 1.0, 0.2], [0.0, 0.0, 2.0]]), np.eye(3)),
    label="real Schur with a 2x2 block", compare="abs"))
_add("linalg", "null_space", L(lambda: (rect(3, 4),), label="(3, 4): 1-D null space", compare="abs"))
_add("linalg", "orth", L(lambda: (np.outer(vec(5), vec(4, seed=1)),), label="rank 1", compare="abs"),
     L(lambda: (rect(),), label="(5, 3) full rank: basis not unique", compare="shape"))
_add("linalg", "orthogonal_procrustes", L(lambda: (rect(), rect(seed=1))))
_add("linalg", "subspace_angles", L(lambda: (rect(5, 2), rect(5, 3, seed=1))))
_add("linalg", "khatri_rao", L(lambda: (rect(2, 3), rect(4, 3, seed=1))))
_add("linalg", "qr_multiply", L(lambda: (square(), rect(3, 4)), label="c @ Q", compare="abs"))
_add("linalg", "qr_update",
     L(lambda: (*_qr_np(), vec(4, seed=1), vec(4, seed=2)), label="rank-1", compare="abs"))
_add("linalg", "qr_insert", L(lambda: (*_qr_np(), vec(4, seed=1), 1), label="row at 1", compare="abs"))
_add("linalg", "qr_delete", L(lambda: (*_qr_np(), 1), label="row 1", compare="abs"))
_add("linalg", "cossin", L(lambda: (_orthogonal(), 2, 2), label="orthogonal (4, 4), p=q=2", compare="shape"))
_add("linalg", "qz", L(lambda: (square(), square(seed=1)), compare="shape"))
_add("linalg", "ordqz", L(lambda: (square(), square(seed=1)), {"sort": "lhp"}, compare="shape"))
_add("linalg", "clarkson_woodruff_transform",
     L(lambda: (rect(16, 4), 3), {"rng": 0}, "random sketch", compare="shape"))
_add("linalg", "solve_sylvester",
     L(lambda: (square(3) + np.eye(3), square(2, seed=1) + np.eye(2), rect(3, 2))))
_add("linalg", "solve_continuous_lyapunov solve_lyapunov", L(lambda: (-spd(3), sym(3, seed=1))))
_add("linalg", "solve_discrete_lyapunov", L(lambda: (0.3 * rect(3, 3), sym(3, seed=1))))
_add("linalg", "solve_continuous_are solve_discrete_are",
     L(lambda: (square(3) - np.eye(3), rect(3, 2, seed=1), np.eye(3), np.eye(2))))
_add("linalg", "block_diag", L(lambda: (square(2), rect(1, 3), np.array([[5.0]]))))
_add("linalg", "circulant", L(lambda: (vec(5),)))
_add("linalg", "companion", L(lambda: (np.array([1.0, -3.0, 2.0, 0.5]),)))
_add("linalg", "convolution_matrix", L(lambda: (vec(3), 5)), L(lambda: (vec(3), 5, "same")))
_add("linalg", "fiedler", L(lambda: (np.array([1.0, 4.0, 12.0, 45.0]),)))
_add("linalg", "fiedler_companion", L(lambda: (np.array([1.0, -3.0, 2.0, 0.5]),)))
_add("linalg", "leslie", L(lambda: (np.array([0.1, 2.0, 1.0, 0.1]), np.array([0.2, 0.8, 0.7]))))
_add("linalg", "toeplitz hankel", L(lambda: (vec(4),)), L(lambda: (vec(4), vec(5, seed=1))))
_add("linalg", "diagsvd", L(lambda: (np.array([3.0, 2.0, 1.0]), 4, 3)))
_add("linalg", "hadamard", L(lambda: (8,)))
_add("linalg", "helmert", L(lambda: (5,)), L(lambda: (5,), {"full": True}))
_add("linalg", "hilbert invhilbert pascal invpascal dft", L(lambda: (5,)))
_add("linalg", "pascal", L(lambda: (5,), {"kind": "lower"}))

# commonly used: more dtypes / shapes / options
_add("linalg", "inv",
     L(lambda: (square(dtype=np.complex128),), label="complex128"),
     L(lambda: (square(dtype=np.float32),), label="float32", rtol=1e-4, atol=1e-5),
     L(lambda: (np.stack([square(3), square(3, seed=1)]),), label="batch (2, 3, 3)"))
_add("linalg", "det",
     L(lambda: (square(dtype=np.complex128),), label="complex128"),
     L(lambda: (np.stack([square(3), square(3, seed=1)]),), label="batch (2, 3, 3)"))
_add("linalg", "eig", L(_sq, {"right": False}, "eigenvalues only", compare="sorted"),
     L(lambda: (square(), square(seed=1)), label="generalized", compare="shape"))
_add("linalg", "eigh",
     L(lambda: (spd(dtype=np.complex128),), label="hermitian complex128", compare="abs"),
     L(lambda: (sym(), spd(seed=1)), label="generalized", compare="abs"),
     L(_spd, {"eigvals_only": True}))
_add("linalg", "svd",
     L(lambda: (rect(),), {"full_matrices": False}, "(5, 3) economic", compare="abs"),
     L(lambda: (rect(),), label="(5, 3) full_matrices: U's complement not unique", compare="shape"),
     L(lambda: (rect(dtype=np.complex128),), {"compute_uv": False}, "complex, values only"))
_add("linalg", "qr",
     L(lambda: (rect(),), {"mode": "economic"}, "(5, 3) economic", compare="abs"),
     L(lambda: (rect(),), {"mode": "r"}, "(5, 3) mode=r", compare="abs"),
     L(_sq, {"pivoting": True}, compare="abs"))
_add("linalg", "lu", L(lambda: (rect(),), label="(5, 3)"), L(_sq, {"permute_l": True}),
     L(_sq, {"p_indices": True}), L(lambda: (square(dtype=np.complex128),), label="complex128"))
_add("linalg", "cholesky", L(_spd, {"lower": True}),
     L(lambda: (spd(dtype=np.complex128),), label="HPD complex128"))
_add("linalg", "expm",
     L(lambda: (square(dtype=np.complex128),), label="complex128"),
     L(lambda: (np.stack([square(3), 3 * square(3, seed=1)]),), label="batch (2, 3, 3)"))
_add("linalg", "norm", L(_sq, {"ord": "fro"}), L(_sq, {"ord": 2}), L(lambda: (vec(8),), {"ord": 1}))
_add("linalg", "pinv", L(lambda: (rect(),), label="(5, 3)"))
_add("linalg", "polar", L(_sq, {"side": "left"}))
_add("linalg", "svdvals", L(lambda: (rect(),), label="(5, 3)"))

# ---- scipy.special ---------------------------------------------------------------------------

S = C
S12 = functools.partial(C, atol=1e-12)      # roots, zeros, polynomial coefficients: exact zeros

# special ufuncs: inputs generated from the first loop whose inputs are all float64 ('d') or
# integer ('l', 'q', 'i'), else the first with complex128 ('D'); per position a default range
# (position 0: order/parameter, 2: often a probability), overridden where that gives NaN.
_UFUNC_DEFAULTS = ((0.1, 0.9), (1.5, 3.5), (0.2, 0.8), (0.3, 0.7), (1.2, 2.2))

_OBL_CV = (5.015885665256057, 10.958308981033635, 18.924991602767584)   # obl_cv(1, [2,3,4], 1.5)
_PRO_CV = (6.9447848136442785, 13.055617810349066, 21.087030584738088)  # pro_cv(1, [2,3,4], 1.5)


def _sph(x, cv=None):
    """Spheroidal wave function args: m=1, n=[2, 3, 4], c=1.5[, cv], x."""
    head = (1.0, np.array([2.0, 3.0, 4.0]), 1.5)
    return head + ((np.array(cv),) if cv else ()) + (x,)


_UFUNC_OVERRIDES: dict[str, Callable[[], tuple]] = {
    "bdtrin": lambda: (ints().astype(float), lin(0.2, 0.8), 0.4),
    "nbdtrin": lambda: (ints().astype(float), lin(0.2, 0.8), 0.5),
    "btdtrib": lambda: (lin(1.5, 3.5), lin(0.2, 0.8), 0.5),
    "gdtrib": lambda: (lin(0.5, 1.0), lin(0.2, 0.8), lin(1.2, 2.2)),
    "chdtri": lambda: (lin(1.5, 3.5), lin(0.2, 0.8)),
    "stdtrit": lambda: (lin(1.5, 3.5), lin(0.2, 0.8)),
    "chndtridf": lambda: (lin(2.0, 5.0), lin(0.2, 0.8), 0.5),
    "fdtridfd": lambda: (lin(1.5, 3.5), lin(0.2, 0.8), lin(1.2, 2.2)),
    "ncfdtridfd": lambda: (2.5, lin(0.2, 0.8), 0.5, lin(1.5, 3.5)),
    "nctdtrinc": lambda: (3.0, lin(0.2, 0.8), lin(1.2, 2.2)),
    "nrdtrisd": lambda: (0.5, lin(0.6, 0.9), lin(1.2, 2.2)),
    "gammaincinv": lambda: (lin(1.5, 3.5), lin(0.2, 0.8)),
    "gammainccinv": lambda: (lin(1.5, 3.5), lin(0.2, 0.8)),
    "ellipeinc": lambda: (lin(0.1, 1.5), lin(0.2, 0.8)),
    "ellipkinc": lambda: (lin(0.1, 1.5), lin(0.2, 0.8)),
    "ellipj": lambda: (lin(0.1, 1.5), lin(0.2, 0.8)),
    "lpmv": lambda: (ints(lo=0, hi=2).astype(float), 3.0, lin(-0.9, 0.9)),
    "mathieu_a": lambda: (ints(lo=0, hi=3).astype(float), lin(0.1, 0.9)),
    "mathieu_b": lambda: (ints().astype(float), lin(0.1, 0.9)),
    "ndtri_exp": lambda: (lin(-3.0, -0.1),),
    "pdtri": lambda: (ints(), lin(0.2, 0.8)),
    "smirnov": lambda: (ints(), lin(0.1, 0.9)),
    "smirnovi": lambda: (ints(), lin(0.2, 0.8)),
    "obl_cv": lambda: _sph(None)[:3], "pro_cv": lambda: _sph(None)[:3],
    "obl_ang1": lambda: _sph(0.4), "pro_ang1": lambda: _sph(0.4),
    "obl_rad1": lambda: _sph(2.0), "pro_rad1": lambda: _sph(2.0),
    "obl_rad2": lambda: _sph(2.0), "pro_rad2": lambda: _sph(2.0),
    "obl_ang1_cv": lambda: _sph(0.4, _OBL_CV), "pro_ang1_cv": lambda: _sph(0.4, _PRO_CV),
    "obl_rad1_cv": lambda: _sph(2.0, _OBL_CV), "pro_rad1_cv": lambda: _sph(2.0, _PRO_CV),
    "obl_rad2_cv": lambda: _sph(2.0, _OBL_CV), "pro_rad2_cv": lambda: _sph(2.0, _PRO_CV),
}
for _n in ("mathieu_cem", "mathieu_sem"):            # x in degrees
    _UFUNC_OVERRIDES[_n] = lambda: (ints().astype(float), lin(0.5, 1.5), lin(10.0, 80.0))
for _n in ("mathieu_modcem1", "mathieu_modcem2", "mathieu_modsem1", "mathieu_modsem2"):
    _UFUNC_OVERRIDES[_n] = lambda: (ints().astype(float), lin(0.5, 1.5), lin(0.2, 1.5))


def _ufunc_loop(uf: np.ufunc) -> str:
    for allowed in ("dlqi", "dlqiD"):
        for t in uf.types:
            ins = t.split("->")[0]
            if all(c in allowed for c in ins):
                return ins
    raise ValueError(f"no float64/int/complex128 loop for {uf.__name__}")


def _ufunc_args(loop: str) -> Callable[[], tuple]:
    def build():
        out = []
        for i, c in enumerate(loop):
            lo, hi = _UFUNC_DEFAULTS[i]
            if c == "d":
                out.append(lin(lo, hi))
            elif c == "D":
                out.append(lin(lo, hi) + 0.5j)
            else:
                out.append(ints(dtype=np.dtype(c).type))
        return tuple(out)
    return build


def _special_ufuncs():
    import scipy.special as sp
    for name in sorted(set(sp.__all__)):
        uf = getattr(sp, name)
        if not isinstance(uf, np.ufunc) or name in EXCLUDED["special"]:
            continue
        loop = _ufunc_loop(uf)
        rtol = 1e-6 if ("dtri" in name or name.endswith("inv") or name.startswith(("obl_", "pro_"))) else 1e-7
        if name in _UFUNC_OVERRIDES:
            _add("special", name, S(_UFUNC_OVERRIDES[name], label=f"{loop} (override)", rtol=rtol))
        else:
            _add("special", name, S(_ufunc_args(loop), label=f"{loop}: (8,) each", rtol=rtol))


_special_ufuncs()

# commonly used ufuncs: more dtypes / shapes
_add("special", "erf",
     S(lambda: (lin(-2, 2, 8).astype(np.float32),), label="float32", rtol=1e-6),
     S(lambda: (img((4, 4)) * 4 - 2,), label="float64 2-D"),
     S(lambda: (vec(8, np.complex128),), label="complex128"))
_add("special", "gamma",
     S(lambda: (np.array([-2.5, -1.5, -0.5, 0.5, 4.0, 10.5, 30.0]),), label="negative / large"),
     S(lambda: (vec(8, np.complex128),), label="complex128"))
_add("special", "jv",
     S(lambda: (np.arange(4.0)[:, None], lin(0.5, 20, 6)), label="broadcast (4,1) x (6,)"),
     S(lambda: (1.5, vec(8, np.complex128)), label="complex128 x"),
     S(lambda: (np.float32(0.5), lin(1, 5).astype(np.float32)), label="float32", rtol=1e-5))

# non-ufunc functions
_add("special", "logsumexp", S(lambda: (vec(16),), label="(16,)"),
     S(lambda: (img((4, 6)),), {"axis": 0}),
     S(lambda: (vec(8),), lambda: {"b": lin(-1, 1), "return_sign": True}, "weights b, return_sign"),
     S(lambda: (img((4, 6)),), {"axis": 1, "keepdims": True}))
_add("special", "softmax log_softmax", S(lambda: (vec(8),)), S(lambda: (img((3, 4)),), {"axis": 1}))
# sinc(±2) is 0; SciPy's (NumPy's) sin(2π)/(2π) leaves -3.9e-17, CuPy's gives 0 exactly.
_add("special", "softplus sinc lambertw", S(lambda: (lin(-2, 2),), label="float64 (8,)", atol=1e-15))
_add("special", "zeta", S(lambda: (lin(1.5, 3.5),), label="Riemann"),
     S(lambda: (lin(1.5, 3.5), 2.0), label="Hurwitz"))
_add("special", "diric", S(lambda: (lin(-3, 3), 5)))
_add("special", "multigammaln", S(lambda: (lin(2.0, 5.0), 3)))
_add("special", "polygamma", S(lambda: (ints(lo=0, hi=3), lin(0.5, 4.0))))
_add("special", "comb perm", S(lambda: (np.arange(5, 13), ints(lo=0, hi=4)), label="float results"),
     S(lambda: (10, 3), {"exact": True}, "exact"))
_add("special", "stirling2", S(lambda: (np.arange(5, 13), ints(lo=1, hi=4))),
     S(lambda: (10, 3), {"exact": True}))
_add("special", "factorial", S(lambda: (np.arange(8),)), S(lambda: (10,), {"exact": True}))
_add("special", "factorial2", S(lambda: (np.arange(8),)), S(lambda: (9,), {"exact": True}))
_add("special", "factorialk", S(lambda: (np.arange(8), 3)), S(lambda: (10, 3), {"exact": True}))
_add("special", "bernoulli euler", S(lambda: (6,)))
_add("special", "assoc_laguerre", S(lambda: (lin(0.1, 3.0), 2, 1.0)))
_add("special", "jvp yvp ivp kvp h1vp h2vp", S(lambda: (1.0, lin(1.5, 3.5)), label="v=1, n=1"))
_add("special", "jvp", S(lambda: (0.5, lin(1.5, 3.5), 2), label="n=2"))
_add("special", "spherical_jn spherical_yn spherical_in spherical_kn",
     S(lambda: (ints(lo=0, hi=3), lin(0.5, 4.0))),
     S(lambda: (2, lin(0.5, 4.0)), {"derivative": True}))
_add("special", "legendre_p", S(lambda: (3, lin(-0.9, 0.9))))
_add("special", "legendre_p_all", S(lambda: (3, lin(-0.9, 0.9))))
_add("special", "assoc_legendre_p", S(lambda: (2, 1, lin(-0.9, 0.9))))
_add("special", "assoc_legendre_p_all", S(lambda: (3, 2, lin(-0.9, 0.9))))
_add("special", "sph_legendre_p", S(lambda: (2, 1, lin(0.1, 3.0))))
_add("special", "sph_legendre_p_all", S(lambda: (2, 2, lin(0.1, 3.0))))
_add("special", "sph_harm_y", S(lambda: (2, 1, lin(0.1, 3.0), lin(0.0, 6.0))))
_add("special", "sph_harm_y_all", S(lambda: (2, 2, lin(0.1, 3.0), lin(0.0, 6.0))))
_add("special", "lqmn", S(lambda: (2, 3, 0.5)))
_add("special", "lqn", S(lambda: (3, 0.5)))
_add("special", "lmbda", S(lambda: (2.5, 1.3)))
_add("special", "riccati_jn riccati_yn", S(lambda: (3, 1.5)))
_add("special", "pbdn_seq", S(lambda: (3, 0.5)))
_add("special", "pbdv_seq pbvv_seq", S(lambda: (1.5, 0.5)))
_add("special", "obl_cv_seq pro_cv_seq", S(lambda: (0, 3, 1.5), rtol=1e-6))
_add("special", "mathieu_even_coef mathieu_odd_coef", S(lambda: (2, 1.5), atol=1e-12))
_add("special", "ellip_harm", S(lambda: (5.0, 8.0, 1, 1, 2.5)))
_add("special", "ellip_harm_2", S(lambda: (5.0, 8.0, 3, 7, 10.0), rtol=1e-6))
_add("special", "ellip_normal", S(lambda: (5.0, 8.0, 3, 7), rtol=1e-6))

# zeros of Bessel / Kelvin / Airy / error / Fresnel functions
_add("special", """ai_zeros bi_zeros ber_zeros bei_zeros berp_zeros beip_zeros ker_zeros kei_zeros
     kerp_zeros keip_zeros kelvin_zeros erf_zeros fresnel_zeros fresnelc_zeros fresnels_zeros
     y0_zeros y1_zeros y1p_zeros jnjnp_zeros""", S12(lambda: (3,), label="nt=3"))
_add("special", "jn_zeros jnp_zeros yn_zeros ynp_zeros jnyn_zeros", S12(lambda: (1, 3), label="n=1, nt=3"))

# Gaussian quadrature (roots_* and their short aliases) and orthogonal polynomial objects
_ORTHO_PARAMS = {
    "chebyc": (), "chebys": (), "chebyt": (), "chebyu": (), "hermite": (), "hermitenorm": (),
    "laguerre": (), "legendre": (), "sh_chebyt": (), "sh_chebyu": (), "sh_legendre": (),
    "gegenbauer": (1.5,), "genlaguerre": (0.5,), "jacobi": (0.5, 1.5), "sh_jacobi": (2.5, 1.5),
}
_ROOTS_ALIASES = {
    "c_roots": "chebyc", "s_roots": "chebys", "t_roots": "chebyt", "u_roots": "chebyu",
    "cg_roots": "gegenbauer", "h_roots": "hermite", "he_roots": "hermitenorm",
    "j_roots": "jacobi", "js_roots": "sh_jacobi", "l_roots": "laguerre", "la_roots": "genlaguerre",
    "p_roots": "legendre", "ps_roots": "sh_legendre", "ts_roots": "sh_chebyt", "us_roots": "sh_chebyu",
}
for _fam, _params in _ORTHO_PARAMS.items():
    _add("special", _fam, S12(lambda p=_params: (3, *p), label=f"n=3{', params' if _params else ''}"))
    _add("special", f"roots_{_fam}", S12(lambda p=_params: (4, *p), label="n=4"),
         S12(lambda p=_params: (3, *p), {"mu": True}, "n=3, mu=True"))
for _alias, _fam in _ROOTS_ALIASES.items():
    _add("special", _alias, S12(lambda p=_ORTHO_PARAMS[_fam]: (4, *p), label=f"= roots_{_fam}, n=4"))

del _n, _fam, _params, _alias

ALL = dict(sorted(ALL.items()))


def convert_inputs(value: Any, to_array: Callable[[np.ndarray], Any]) -> Any:
    """Every NumPy array in ``value`` (through tuples, lists and dicts) passed through
    ``to_array``: a case's inputs as another array library's arrays."""
    if isinstance(value, np.ndarray):
        return to_array(value)
    if isinstance(value, (tuple, list)):
        return type(value)(convert_inputs(v, to_array) for v in value)
    if isinstance(value, dict):
        return {k: convert_inputs(v, to_array) for k, v in value.items()}
    return value


def cases(module: str, name: str) -> list[Case]:
    """The cases for ``scipy.<module>.<name>`` (KeyError if it has none)."""
    if module not in MODULES:
        raise KeyError(f"unknown module {module!r}; expected one of {MODULES}")
    return list(ALL[(module, name)])


def scipy_function(module: str, name: str):
    """``scipy.<module>.<name>``."""
    return getattr(importlib.import_module(f"scipy.{module}"), name)


# ---------------------------------------------------------------------------------------------
# comparing results
# ---------------------------------------------------------------------------------------------

def _to_numpy(x):
    """A backend's array (CuPy, Dask, JAX, torch...) as NumPy; other objects unchanged."""
    if x is None or isinstance(x, (np.ndarray, np.generic, bool, int, float, complex, str,
                                   np.poly1d, tuple, list, dict, slice)):
        return x
    if hasattr(x, "__cuda_array_interface__") and hasattr(x, "get"):       # CuPy
        return x.get()
    if hasattr(x, "compute") and hasattr(x, "dask"):                        # Dask
        x = x.compute()
    if hasattr(x, "detach") and hasattr(x, "cpu"):                          # torch
        return x.detach().cpu().numpy()
    if hasattr(x, "__array__") or hasattr(x, "__array_namespace__"):
        try:
            return np.asarray(x)
        except Exception:
            return x
    return x


_NUMERIC = (np.ndarray, np.generic, bool, int, float, complex)


def _sort_flat(x: np.ndarray) -> np.ndarray:
    x = x.ravel()
    if x.dtype.kind == "c":
        # real parts of conjugate pairs can differ in the last bits: round the primary key
        return x[np.lexsort((x.imag, np.round(x.real, 8)))]
    if x.dtype.kind in "biuf":
        return np.sort(x)
    return x


def _compare_arrays(a, b, case, path, strict_dtype) -> str | None:
    x, y = np.asarray(a), np.asarray(b)
    if x.shape != y.shape:
        return f"{path}: shape {x.shape} != {y.shape}"
    if (strict_dtype or case.compare == "shape") and x.dtype != y.dtype:
        return f"{path}: dtype {x.dtype} != {y.dtype}"
    if case.compare == "shape":
        return None
    if x.dtype.kind == "O" or y.dtype.kind == "O":
        return _compare(x.tolist(), y.tolist(), case, path, strict_dtype)
    if x.dtype.kind in "US" or y.dtype.kind in "US":
        return None if np.array_equal(x, y) else f"{path}: {x!r} != {y!r}"
    if case.compare == "abs":
        x, y = np.abs(x), np.abs(y)
    elif case.compare == "sorted":
        x, y = _sort_flat(x), _sort_flat(y)
    if x.dtype.kind in "biu" and y.dtype.kind in "biu":
        return None if np.array_equal(x, y) else f"{path}: integer values differ:\n{x}\n{y}"
    try:
        np.testing.assert_allclose(x, y, rtol=case.rtol, atol=case.atol, equal_nan=True,
                                   err_msg=path)
    except AssertionError as e:
        return str(e).strip()
    except TypeError as e:   # e.g. bool vs float: compare as float
        try:
            np.testing.assert_allclose(x.astype(float), y.astype(float), rtol=case.rtol,
                                       atol=case.atol, equal_nan=True, err_msg=path)
        except Exception:
            return f"{path}: {e}"
    return None


def _norm_key(k):
    return k.item() if isinstance(k, np.generic) else k


def _compare(a, b, case, path, strict_dtype) -> str | None:
    a, b = _to_numpy(a), _to_numpy(b)
    if isinstance(a, np.poly1d) or isinstance(b, np.poly1d):
        if not (isinstance(a, np.poly1d) and isinstance(b, np.poly1d)):
            return f"{path}: {type(a).__name__} vs {type(b).__name__}"
        return _compare_arrays(a.coeffs, b.coeffs, case, path + ".coeffs", strict_dtype)
    if isinstance(a, dict) or isinstance(b, dict):
        if not (isinstance(a, dict) and isinstance(b, dict)):
            return f"{path}: {type(a).__name__} vs {type(b).__name__}"
        da = {_norm_key(k): v for k, v in a.items()}
        db = {_norm_key(k): v for k, v in b.items()}
        if set(da) != set(db):
            return f"{path}: keys {sorted(da, key=repr)} != {sorted(db, key=repr)}"
        for k in da:
            err = _compare(da[k], db[k], case, f"{path}[{k!r}]", strict_dtype)
            if err:
                return err
        return None
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        if len(a) != len(b):
            return f"{path}: length {len(a)} != {len(b)}"
        for i, (u, v) in enumerate(zip(a, b)):
            err = _compare(u, v, case, f"{path}[{i}]", strict_dtype)
            if err:
                return err
        return None
    if isinstance(a, _NUMERIC) and isinstance(b, _NUMERIC):
        if (isinstance(a, int) and isinstance(b, int) and not isinstance(a, bool)
                and not isinstance(b, bool) and max(abs(a), abs(b)) > 2**53):
            return None if (a == b or case.compare == "shape") else f"{path}: {a} != {b}"
        return _compare_arrays(a, b, case, path, strict_dtype)
    if a is None or b is None or isinstance(a, (str, slice)) or isinstance(b, (str, slice)):
        return None if a == b else f"{path}: {a!r} != {b!r}"
    if case.compare == "shape":
        return None if type(a) is type(b) else f"{path}: {type(a).__name__} vs {type(b).__name__}"
    try:
        eq = a == b
        if isinstance(eq, (bool, np.bool_)) and eq:
            return None
    except Exception:
        pass
    return None if repr(a) == repr(b) else f"{path}: {a!r} != {b!r}"


_DEFAULT_CASE = Case(args=tuple)


def compare_results(a: Any, b: Any, case: Case | None = None, *, strict_dtype: bool = False) -> str | None:
    """``None`` if ``a`` and ``b`` are equal under ``case.compare`` / ``case.rtol`` /
    ``case.atol`` (``Case`` defaults if ``case`` is None), else a message saying where they
    differ. Handles ndarrays (and backend arrays convertible to NumPy), scalars, tuples /
    lists / dicts recursively, ``poly1d`` (coefficients), slices, None; other objects by ``==``
    then ``repr``. ``strict_dtype``: array dtypes must match exactly."""
    return _compare(a, b, case or _DEFAULT_CASE, "result", strict_dtype)


def results_equal(a: Any, b: Any, case: Case | None = None, *, strict_dtype: bool = False) -> bool:
    """``compare_results(a, b, case) is None``."""
    return compare_results(a, b, case, strict_dtype=strict_dtype) is None
