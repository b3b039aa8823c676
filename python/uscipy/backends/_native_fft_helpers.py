"""The native ``fht``/``ifht`` and ``scipy.fft``'s helpers.

``fht``/``ifht`` (FFTLog, Hamilton 2000) are SciPy's algorithm on the native real FFTs: the
coefficients ``u_m`` (complex log-gamma from ``scipy.special``, computed once per call as SciPy
does), one native ``rfft``, a product, one native ``irfft`` and a reversal.

``fhtoffset`` is the same scalar formula as SciPy's. ``fftfreq``, ``rfftfreq``, ``fftshift`` and ``ifftshift`` have no arithmetic worth a kernel
(an ``arange`` and one strided copy); they are NumPy's, exactly as SciPy computes them for NumPy
input, so selecting ``native`` alone still covers all of ``scipy.fft``.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import _core
from ._native_fft_args import decline

_LN_2 = math.log(2.0)


def _fht_coefficients(name: str, n: int, dln: float, mu: float, offset: float, bias: float, inverse: bool) -> np.ndarray:
    """u_m = (kr)^(-i 2 pi m / (n dln)) U_mu(q + i 2 pi m / (n dln)), with
    U_mu(x) = 2^x Gamma((mu + 1 + x) / 2) / Gamma((mu + 1 - x) / 2), m = 0 .. n // 2."""
    from scipy.special import loggamma, poch

    plus, minus = (mu + 1 + bias) / 2, (mu + 1 - bias) / 2
    y = np.linspace(0, np.pi * (n // 2) / (n * dln), n // 2 + 1)
    log_u = loggamma(plus + 1j * y) - np.conj(loggamma(minus + 1j * y))
    log_u = log_u.real + _LN_2 * bias + 1j * (log_u.imag + 2 * (_LN_2 - offset) * y)
    u = np.exp(log_u)
    if n % 2 == 0:
        u.imag[-1] = 0  # the last coefficient is real
    if not np.isfinite(u[0]):
        u[0] = 2**bias * poch(minus, plus - minus)  # handles negative integers exactly
    if np.isinf(u[0]) and not inverse:
        warnings.warn("singular transform; consider changing the bias", stacklevel=4)
        u[0] = 0
    elif u[0] == 0 and inverse:
        warnings.warn("singular inverse transform; consider changing the bias", stacklevel=4)
        u[0] = np.inf
    return u


def hankel(name: str, inverse: bool) -> Callable[..., Any]:
    def transform(a, dln, mu, offset=0.0, bias=0.0):
        a = np.asarray(a)
        if a.ndim == 0 or a.shape[-1] == 0 or a.dtype.kind not in "biuf" or a.dtype.itemsize > 8:
            raise decline(name, f"input of dtype {a.dtype} and shape {a.shape}")
        n = a.shape[-1]
        j = np.arange(n, dtype=np.float64)
        j_c = (n - 1) / 2
        if bias != 0:  # as SciPy: a_q(r) = a(r) (r/r_c)^-q, undone on the output
            a = a * (np.exp(bias * ((j - j_c) * dln + offset)) if inverse else np.exp(-bias * (j - j_c) * dln))
        u = _fht_coefficients(name, n, dln, mu, offset, bias, inverse)
        real = a.astype(np.float32 if a.dtype == np.float32 else np.float64, copy=False)
        spectrum = np.empty(real.shape[:-1] + (n // 2 + 1,), np.complex64 if real.dtype == np.float32 else np.complex128)
        _core.fft_r2c(real, spectrum, real.ndim - 1, n, 1.0, False, 1)
        if inverse:
            spectrum /= np.conj(u)
        else:
            spectrum *= u
        out = np.empty(real.shape, real.dtype)
        _core.fft_c2r(spectrum, out, real.ndim - 1, 1.0 / n, False, 1)
        out = out[..., ::-1]
        if bias != 0:
            if inverse:
                out /= np.exp(-bias * (j - j_c) * dln)
            else:
                out *= np.exp(-bias * ((j - j_c) * dln + offset))
        return out

    transform.__name__ = name
    return transform


def fhtoffset(dln, mu, initial=0.0, bias=0.0):
    """The offset nearest ``initial`` meeting FFTLog's low-ringing condition."""
    from scipy.special import loggamma

    plus, minus = (mu + 1 + bias) / 2, (mu + 1 - bias) / 2
    y = np.pi / (2 * dln)
    arg = (_LN_2 - initial) / dln + (loggamma(plus + 1j * y).imag + loggamma(minus + 1j * y).imag) / np.pi
    return initial + (arg - np.round(arg)) * dln


def frequencies(name: str, numpy_function: Callable[..., Any]) -> Callable[..., Any]:
    def freq(n, d=1.0, *, xp=None, device=None):
        if xp is not None or device is not None:
            raise decline(name, "xp and device select another array library")
        return numpy_function(n, d=d)

    freq.__name__ = name
    return freq


def shift(name: str, numpy_function: Callable[..., Any]) -> Callable[..., Any]:
    def shifted(x, axes=None):
        if not isinstance(x, np.ndarray) and hasattr(x, "__array_namespace__"):
            raise decline(name, f"{type(x).__name__} input")
        return numpy_function(np.asarray(x), axes=axes)

    shifted.__name__ = name
    return shifted


HELPERS: dict[str, Callable[..., Any]] = {
    "fht": hankel("fht", inverse=False),
    "ifht": hankel("ifht", inverse=True),
    "fhtoffset": fhtoffset,
    "fftfreq": frequencies("fftfreq", np.fft.fftfreq),
    "rfftfreq": frequencies("rfftfreq", np.fft.rfftfreq),
    "fftshift": shift("fftshift", np.fft.fftshift),
    "ifftshift": shift("ifftshift", np.fft.ifftshift),
}
