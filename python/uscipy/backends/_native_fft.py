"""The ``native`` backend's ``scipy.fft``: uscipy's Rust kernels (``crates/kernels/src/fft``) on
NumPy arrays, the GIL released, lines in parallel with rayon as ``workers`` asks.

Every function of ``scipy.fft``: the complex, real and Hermitian transforms here (rustfft,
realfft), the cosine and sine transforms in ``_native_trig`` (rustdct, and our own DCT-II), the
fast Hankel transform and the helpers in ``_native_fft_helpers``. Every argument as SciPy has it
(``n``/``s`` cropping or zero-padding, any ``axis``/``axes``, the three norms,
``workers`` with SciPy's rules, ``overwrite_x``), float32/complex64 in single precision and
every other real, integer or complex input in double precision. Whatever it does not cover
declines (``_native_fft_args``), so the call passes to the next backend, SciPy, which computes
it or raises SciPy's error for bad input: long double input, a ``plan``, ``n < 1``, a
zero-length axis, axes out of range, repeated or empty ``axes``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .. import _core
from . import _native_output as _output
from ._native_fft_args import decline, fit, prepare, scale_for, shape_and_axes, workers_count


def fft_c2c(name: str, forward: bool) -> Callable[..., Any]:
    """fft/ifft; real input takes a real transform and the mirrored conjugate half, as
    pocketfft does (half the arithmetic, and no complex copy of the input)."""

    def transform(x, n=None, axis=-1, norm=None, overwrite_x=False, workers=None, *, plan=None):
        real = np.asarray(x).dtype.kind != "c"
        x, axis, n = prepare(name, x, n, axis, plan, real_input=real)
        if n < 1:
            raise decline(name, f"n={n}")
        shape = list(x.shape)
        shape[axis] = n
        scale, threads = scale_for(norm, n, forward, name), workers_count(workers, name)
        if not real:
            out = _output.empty(shape, x.dtype)
            _core.fft_c2c(x, out, axis, forward, scale, threads)
            return out
        out = _output.empty(shape, np.complex64 if x.dtype == np.float32 else np.complex128)
        half = n // 2 + 1

        def along(part: slice) -> tuple[slice, ...]:
            return tuple(part if i == axis else slice(None) for i in range(out.ndim))

        _core.fft_r2c(x, out[along(slice(0, half))], axis, n, scale, not forward, threads)
        # X[n - k] = conj(X[k]) for the frequencies the real transform leaves out
        np.conjugate(out[along(slice(n - half, 0, -1))], out=out[along(slice(half, n))])
        return out

    transform.__name__ = name
    return transform


def real_to_complex(name: str, hermitian: bool) -> Callable[..., Any]:
    """rfft, or ihfft (``hermitian``): the conjugate spectrum, scaled as an inverse transform."""
    forward = not hermitian

    def transform(x, n=None, axis=-1, norm=None, overwrite_x=False, workers=None, *, plan=None):
        x, axis, n = prepare(name, x, n, axis, plan, real_input=True)
        if n < 1:
            raise decline(name, f"n={n}")
        shape = list(x.shape)
        shape[axis] = n // 2 + 1
        out = _output.empty(shape, np.complex64 if x.dtype == np.float32 else np.complex128)
        scale = scale_for(norm, n, forward, name)
        _core.fft_r2c(x, out, axis, n, scale, hermitian, workers_count(workers, name))
        return out

    transform.__name__ = name
    return transform


def complex_to_real(name: str, hermitian: bool) -> Callable[..., Any]:
    """irfft, or hfft (``hermitian``): the transform of the conjugate input, scaled as a
    forward transform."""
    forward = hermitian

    def transform(x, n=None, axis=-1, norm=None, overwrite_x=False, workers=None, *, plan=None):
        x, axis, m = prepare(name, x, None, axis, plan, real_input=False)
        n = 2 * (m - 1) if n is None else int(n)
        if n < 1:
            raise decline(name, f"n={n}")
        shape = list(x.shape)
        shape[axis] = n
        out = _output.empty(shape, np.float32 if x.dtype == np.complex64 else np.float64)
        scale = scale_for(norm, n, forward, name)
        _core.fft_c2r(x, out, axis, scale, hermitian, workers_count(workers, name))
        return out

    transform.__name__ = name
    return transform


def fft_nd(name: str, forward: bool, default_axes: tuple[int, ...] | None) -> Callable[..., Any]:
    """fft2/fftn and their inverses: one out-of-place pass, then in-place passes (no second
    array), each line of each axis transformed by the 1-D kernel."""

    def transform(x, s=None, axes=None, norm=None, overwrite_x=False, workers=None, *, plan=None):
        x, _, _ = prepare(name, x, None, -1, plan, real_input=False)
        shape, axes = shape_and_axes(name, x, s, axes, default_axes)
        threads = workers_count(workers, name)
        x = fit(x, dict(zip(axes, shape)))
        out = _output.empty(x.shape, x.dtype)
        _core.fft_c2c(x, out, axes[-1], forward, scale_for(norm, shape[-1], forward, name), threads)
        for axis, n in zip(axes[:-1], shape[:-1]):
            _core.fft_c2c_inplace(out, axis, forward, scale_for(norm, n, forward, name), threads)
        return out

    transform.__name__ = name
    return transform


def rfft_nd(name: str, default_axes: tuple[int, ...] | None, hermitian: bool = False) -> Callable[..., Any]:
    """rfft2/rfftn, or ihfft2/ihfftn (``hermitian``): the conjugate spectrum, every axis
    scaled as an inverse transform."""
    forward = not hermitian

    def transform(x, s=None, axes=None, norm=None, overwrite_x=False, workers=None, *, plan=None):
        x, _, _ = prepare(name, x, None, -1, plan, real_input=True)
        shape, axes = shape_and_axes(name, x, s, axes, default_axes)
        threads = workers_count(workers, name)
        x = fit(x, dict(zip(axes, shape)))
        last = axes[-1]
        out_shape = list(x.shape)
        out_shape[last] = shape[-1] // 2 + 1
        out = _output.empty(out_shape, np.complex64 if x.dtype == np.float32 else np.complex128)
        _core.fft_r2c(x, out, last, shape[-1], scale_for(norm, shape[-1], forward, name), hermitian, threads)
        for axis, n in zip(axes[:-1], shape[:-1]):  # conj(F(x)) = F^-1(conj(x)), unscaled
            _core.fft_c2c_inplace(out, axis, forward, scale_for(norm, n, forward, name), threads)
        return out

    transform.__name__ = name
    return transform


def irfft_nd(name: str, default_axes: tuple[int, ...] | None, hermitian: bool = False) -> Callable[..., Any]:
    """irfft2/irfftn, or hfft2/hfftn (``hermitian``): the real transform of the conjugate
    input, every axis scaled as a forward transform."""
    forward = hermitian

    def transform(x, s=None, axes=None, norm=None, overwrite_x=False, workers=None, *, plan=None):
        x, _, _ = prepare(name, x, None, -1, plan, real_input=False)
        if s is None:  # the last axis holds n // 2 + 1 frequencies of an even length
            probe_axes = default_axes if axes is None and default_axes is not None else axes
            _, probe = shape_and_axes(name, x, None, probe_axes, default_axes)
            s = [x.shape[a] for a in probe]
            s[-1] = max(1, 2 * (s[-1] - 1))  # SciPy's n-D forms make one frequency one point
            axes = probe
        shape, axes = shape_and_axes(name, x, s, axes, default_axes)
        threads = workers_count(workers, name)
        last = axes[-1]
        sizes = dict(zip(axes[:-1], shape[:-1]))
        sizes[last] = shape[-1] // 2 + 1
        work = fit(x, sizes)
        work = np.array(work, copy=True) if work is x else work  # the input stays untouched
        for axis, n in zip(axes[:-1], shape[:-1]):  # F(X), conjugated by the last pass
            _core.fft_c2c_inplace(work, axis, forward, scale_for(norm, n, forward, name), threads)
        out_shape = list(work.shape)
        out_shape[last] = shape[-1]
        out = _output.empty(out_shape, np.float32 if work.dtype == np.complex64 else np.float64)
        _core.fft_c2r(work, out, last, scale_for(norm, shape[-1], forward, name), hermitian, threads)
        return out

    transform.__name__ = name
    return transform


def _table() -> dict[tuple[str, str], Callable[..., Any]]:
    from ._native_fft_helpers import HELPERS
    from ._native_trig import TRIG

    transforms = {
        "fft": fft_c2c("fft", True),
        "ifft": fft_c2c("ifft", False),
        "rfft": real_to_complex("rfft", hermitian=False),
        "ihfft": real_to_complex("ihfft", hermitian=True),
        "irfft": complex_to_real("irfft", hermitian=False),
        "hfft": complex_to_real("hfft", hermitian=True),
        "fft2": fft_nd("fft2", True, (-2, -1)),
        "ifft2": fft_nd("ifft2", False, (-2, -1)),
        "fftn": fft_nd("fftn", True, None),
        "ifftn": fft_nd("ifftn", False, None),
        "rfft2": rfft_nd("rfft2", (-2, -1)),
        "rfftn": rfft_nd("rfftn", None),
        "ihfft2": rfft_nd("ihfft2", (-2, -1), hermitian=True),
        "ihfftn": rfft_nd("ihfftn", None, hermitian=True),
        "irfft2": irfft_nd("irfft2", (-2, -1)),
        "irfftn": irfft_nd("irfftn", None),
        "hfft2": irfft_nd("hfft2", (-2, -1), hermitian=True),
        "hfftn": irfft_nd("hfftn", None, hermitian=True),
    }
    return {("fft", name): f for name, f in {**transforms, **TRIG, **HELPERS}.items()}


IMPLEMENTATIONS: dict[tuple[str, str], Callable[..., Any]] = _table()
