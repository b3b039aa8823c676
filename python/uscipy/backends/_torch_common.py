"""Shared by the torch backend's modules: importing PyTorch lazily, tensors in the dtype and on
the device SciPy's semantics call for, ``check_finite``, declining."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._core import BackendNotImplementedError
from ._base import importable


def available() -> tuple[bool, str]:
    return importable("torch", "torch")


def _torch() -> Any:
    import torch

    return torch


def _is_tensor(x: Any) -> bool:
    torch = _torch()
    return isinstance(x, torch.Tensor)


def _device_of(*values: Any) -> Any:
    for v in values:
        if _is_tensor(v):
            return v.device
    return None


def _as_tensor(x: Any, device: Any = None) -> Any:
    torch = _torch()
    if isinstance(x, torch.Tensor):
        return x
    # Through NumPy: a Python float becomes float64, as in SciPy (torch.as_tensor: float32).
    return torch.as_tensor(np.asarray(x), device=device)


def _inexact(x: Any, device: Any = None) -> Any:
    """``x`` as a floating or complex tensor, as SciPy's LAPACK/pocketfft would compute it:
    integers and booleans in float64, float16 in float32."""
    torch = _torch()
    x = _as_tensor(x, device)
    if x.dtype.is_floating_point:
        return x.to(torch.float32) if x.dtype in (torch.float16, torch.bfloat16) else x
    if x.dtype.is_complex:
        return x
    return x.to(torch.float64)


def _check_finite(check: bool, *arrays: Any) -> None:
    if check:
        torch = _torch()
        for a in arrays:
            if _is_tensor(a) and not bool(torch.isfinite(a).all()):
                raise ValueError("array must not contain infs or NaNs")


def _decline(qualname: str, why: str) -> BackendNotImplementedError:
    return BackendNotImplementedError(f"torch: scipy.{qualname}: {why}")


def _same_dtype(a: Any, b: Any) -> tuple[Any, Any]:
    torch = _torch()
    dtype = torch.promote_types(a.dtype, b.dtype)
    return a.to(dtype), b.to(dtype)
