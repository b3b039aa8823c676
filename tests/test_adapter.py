"""``Adapter``: SciPy's arguments reach an array library's function as that function takes them,
or the call is declined naming the argument; never silently other semantics. Also the CuPy
backend's argument and result shims, which need no GPU."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import uscipy
from uscipy.backends import cupy as cupy_backend
from uscipy.backends._adapt import Adapter, scipy_signature


def recording(signature: str):
    """A target with ``signature`` that returns what it was called with."""
    scope: dict = {}
    exec(f"def target{signature}:\n    return dict(locals())", scope)  # noqa: S102 - test double
    return scope["target"]


def zoom_adapter(**extra) -> Adapter:
    target = recording("(x, zoom, order, mode='constant', cval=0.0)")
    return Adapter("lib", "ndimage.zoom", scipy_signature("ndimage", "zoom"), target, **extra)


@pytest.mark.parametrize("call", [
    lambda a, x: a(x, 2.0),                       # positional alone: the fast path
    lambda a, x: a(x, zoom=2.0),                  # keywords: bound against SciPy's signature
    lambda a, x: a(input=x, zoom=2.0, order=3),
])
def test_both_paths_rename_the_data_argument_and_supply_required_defaults(call):
    x = np.ones(3)
    got = call(zoom_adapter(), x)
    # SciPy's `input` is the target's `x`; the target requires `order`: SciPy's default, 3.
    assert got["x"] is x and got["zoom"] == 2.0 and got["order"] == 3 and got["mode"] == "constant"


def test_plain_calls_skip_binding():
    adapter = zoom_adapter()
    assert adapter._fast[1] == 2  # input and zoom by place; SciPy's `output` has no place in the target
    signature, adapter.scipy_signature = adapter.scipy_signature, None  # binding now would raise
    assert adapter(np.ones(2), 1.5)["zoom"] == 1.5
    assert adapter(np.ones(2), zoom=1.5, mode="wrap")["mode"] == "wrap"
    image = np.ones(2)
    assert adapter(input=image, zoom=1.5)["x"] is image  # SciPy's `input` is the target's `x`
    with pytest.raises(AttributeError):  # grid_mode, which the target lacks: this one binds
        adapter(image, 1.5, grid_mode=False)
    adapter.scipy_signature = signature
    with pytest.raises(TypeError, match="multiple values"):  # given by place and by keyword
        adapter(np.ones(2), 1.5, zoom=2.0)


def test_unsupported_argument_declines_naming_it_and_defaults_are_dropped():
    adapter = zoom_adapter()
    assert "grid_mode" not in adapter(np.ones(2), 2.0, grid_mode=False)
    with pytest.raises(uscipy.BackendNotImplementedError, match=r"lib: scipy.ndimage.zoom: argument 'grid_mode'"):
        adapter(np.ones(2), 2.0, grid_mode=True)


def test_accepts_checks_on_both_paths():
    adapter = zoom_adapter(accepts={"zoom": lambda z: z > 1})
    assert adapter._fast[1] < 2  # zoom has a check: positional calls with it bind
    with pytest.raises(uscipy.BackendNotImplementedError, match=r"zoom=0.5 is not supported"):
        adapter(np.ones(2), 0.5)
    assert adapter(np.ones(2), 2.0)["zoom"] == 2.0


def test_result_hook_on_both_paths():
    adapter = zoom_adapter(result=lambda r: ("wrapped", r["zoom"]))
    assert adapter(np.ones(2), 2.0) == ("wrapped", 2.0)
    assert adapter(np.ones(2), zoom=3.0) == ("wrapped", 3.0)


def test_missing_required_argument_is_scipy_s_type_error():
    with pytest.raises(TypeError, match="zoom"):
        zoom_adapter()(np.ones(2))


class SignaturelessUfunc:
    """Like CuPy's ufuncs: ``nin`` inputs, no signature inspect can read."""

    nin = 2

    @property
    def __signature__(self):
        raise ValueError("no signature found for builtin")

    def __call__(self, *args, **kwargs):
        if len(args) != self.nin:
            raise TypeError("Wrong number of arguments")
        if any(getattr(a, "dtype", np.dtype(float)).kind == "c" for a in args):
            raise TypeError(f"Wrong type ({tuple(np.result_type(a) for a in args)}) of arguments for fake")
        return ("called", args, kwargs)


def ufunc_adapter(name: str = "jv", **extra) -> Adapter:
    with pytest.raises(ValueError):
        inspect.signature(SignaturelessUfunc())
    return Adapter("lib", f"special.{name}", scipy_signature("special", name), SignaturelessUfunc(), **extra)


def test_signatureless_ufunc_takes_inputs_by_place():
    x = np.ones(3)
    assert ufunc_adapter()(1.5, x) == ("called", (1.5, x), {})
    got = ufunc_adapter()(1.5, x, out=None, casting="same_kind")  # general path: defaults pass on
    assert got[1] == (1.5, x)
    with pytest.raises(uscipy.BackendNotImplementedError, match="argument 'where'"):
        ufunc_adapter()(1.5, x, where=x > 0)


def test_ufunc_input_scipy_defaults_is_declined():
    # scipy.special.zeta(x) is Riemann's zeta (q=None); a two-input ufunc has no such variant.
    with pytest.raises(uscipy.BackendNotImplementedError, match="takes 2 inputs, 1 given"):
        ufunc_adapter("zeta")(np.ones(2))


def test_unsupported_predicate_declines_and_other_errors_propagate():
    adapter = ufunc_adapter(unsupported=cupy_backend._no_loop)
    with pytest.raises(uscipy.BackendNotImplementedError, match="Wrong type"):
        adapter(1.5, np.ones(2, complex))
    plain = ufunc_adapter()
    with pytest.raises(TypeError, match="Wrong type") as caught:
        plain(1.5, np.ones(2, complex))
    assert not isinstance(caught.value, uscipy.BackendNotImplementedError)


# --- the CuPy backend's shims, on NumPy arrays ---------------------------------------------


def test_in_double_widens_the_image_and_keeps_scipy_s_output_dtype():
    target = recording("(input, zoom, output=None, order=3)")
    wrapped = cupy_backend._in_double(target)
    assert inspect.signature(wrapped) == inspect.signature(target)  # the Adapter reads this
    image = np.ones((2, 2), np.float32)
    got = wrapped(image, 2.0)
    assert got["input"].dtype == np.float64 and got["output"] == np.float32
    assert image.dtype == np.float32  # the caller's array is untouched
    assert wrapped(image, 2.0, output=np.float64)["output"] == np.float64
    assert wrapped(image.astype(np.complex64), 2.0)["input"].dtype == np.complex128
    same = np.ones(2)
    assert wrapped(same, 2.0)["input"] is same and wrapped(same, 2.0)["output"] is None


class NoImplicitConversion:
    def __array__(self, *args, **kwargs):
        raise TypeError("Implicit conversion to a NumPy array is not allowed")


def test_results_in_scipy_s_structure_without_converting_device_arrays():
    parts = [NoImplicitConversion(), NoImplicitConversion()]
    holder = cupy_backend._object_array(parts)
    assert holder.dtype == object and holder.shape == (2,) and holder[0] is parts[0]
    assert cupy_backend._object_array("as is") == "as is"
    assert cupy_backend._tuples([np.array([1.0, 2.0])]) == [(1.0, 2.0)]
    assert cupy_backend._tuples((1.0, 2.0)) == (1.0, 2.0)
