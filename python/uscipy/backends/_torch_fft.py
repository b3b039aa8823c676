"""The torch backend's ``scipy.fft``: ``torch.fft`` functions under SciPy's names, ``axis``/``axes``
as ``dim``, ``workers``/``overwrite_x``/``plan`` dropped at their defaults."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from ._torch_common import _as_tensor, _inexact, _is_tensor, _torch


FFT_1D = ("fft", "ifft", "rfft", "irfft", "hfft", "ihfft")
FFT_ND = ("fft2", "ifft2", "rfft2", "irfft2", "hfft2", "ihfft2",
          "fftn", "ifftn", "rfftn", "irfftn", "hfftn", "ihfftn")


def _fft_1d(name: str) -> Callable[..., Any]:
    def run(x: Any, n: Any = None, axis: int = -1, norm: Any = None) -> Any:
        return getattr(_torch().fft, name)(_inexact(x), n=n, dim=axis, norm=norm)

    return run


def _fft_nd(name: str) -> Callable[..., Any]:
    default_axes = (-2, -1) if name.endswith("2") else None

    def run(x: Any, s: Any = None, axes: Any = default_axes, norm: Any = None) -> Any:
        dim = axes
        if dim is not None and not isinstance(dim, int):
            dim = tuple(int(a) for a in dim)
        if s is not None and not isinstance(s, int):
            s = tuple(int(n) for n in s)
        if s is not None and dim is None and name.endswith("n"):
            dim = tuple(range(-len(s), 0))  # SciPy: the last len(s) axes
        return getattr(_torch().fft, name)(_inexact(x), s=s, dim=dim, norm=norm)

    return run


def _freq(name: str) -> Callable[..., Any]:
    def run(n: Any, d: Any = 1.0, *, xp: Any = None, device: Any = None) -> Any:
        torch = _torch()
        dtype = d.dtype if _is_tensor(d) and d.dtype.is_floating_point else torch.float64
        if device is None and _is_tensor(d):
            device = d.device
        return getattr(torch.fft, name)(int(n), float(d), dtype=dtype, device=device)

    return run


def _shift(name: str) -> Callable[..., Any]:
    def run(x: Any, axes: Any = None) -> Any:
        dim = axes if axes is None or isinstance(axes, int) else tuple(int(a) for a in axes)
        return getattr(_torch().fft, name)(_as_tensor(x), dim=dim)

    return run


def _is_torch_namespace(xp: Any) -> bool:
    return xp is None or getattr(xp, "__name__", "") in ("torch", "array_api_compat.torch")


FFT: dict[str, Callable[[], Callable[..., Any]]] = {
    **{n: functools.partial(_fft_1d, n) for n in FFT_1D},
    **{n: functools.partial(_fft_nd, n) for n in FFT_ND},
    "fftfreq": functools.partial(_freq, "fftfreq"),
    "rfftfreq": functools.partial(_freq, "rfftfreq"),
    "fftshift": functools.partial(_shift, "fftshift"),
    "ifftshift": functools.partial(_shift, "ifftshift"),
}
# Values PyTorch supports for arguments SciPy accepts more of ("module.name" -> arg -> check).
ACCEPTS_FFT: dict[str, dict[str, Callable[[Any], bool]]] = {
    "fft.fftfreq": {"xp": _is_torch_namespace},
    "fft.rfftfreq": {"xp": _is_torch_namespace},
}
