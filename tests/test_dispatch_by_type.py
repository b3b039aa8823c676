"""Dispatch by array type: a backend that owns a type gets calls with such arguments, with no
registration by the user; mixed types follow one rule; nothing is converted implicitly."""

from __future__ import annotations

import numpy as np
import pytest

import uscipy
from uscipy.backends import install, uninstall

from tagged import OtherArray, SecondArray, TaggedArray, TaggedBackend


@pytest.fixture
def tagged():
    be = TaggedBackend("tagged", ("tagged:TaggedArray",), {"fft.fft", "ndimage.gaussian_filter", "special.erf"})
    install(be)
    yield be
    uninstall(be)


@pytest.fixture
def second():
    be = TaggedBackend("second", ("tagged:SecondArray",), {"fft.fft"}, priority=5, wrap=SecondArray)
    install(be)
    yield be
    uninstall(be)


def test_owned_type_reaches_its_backend(tagged):
    x = TaggedArray(np.arange(8.0))
    y = uscipy.fft.fft(x)
    assert isinstance(y, TaggedArray) and tagged.calls == ["fft.fft"]
    np.testing.assert_allclose(y.data, np.fft.fft(np.arange(8.0)))
    assert isinstance(uscipy.special.erf(x), TaggedArray)


def test_keyword_and_subclass_arguments(tagged):
    assert isinstance(uscipy.fft.fft(x=OtherArray(np.ones(4))), TaggedArray)
    assert isinstance(uscipy.ndimage.gaussian_filter(input=TaggedArray(np.ones((4, 4))), sigma=1), TaggedArray)


def test_numpy_input_still_goes_to_scipy(tagged):
    with uscipy.trace() as t:
        uscipy.fft.fft(np.ones(4))
    assert [c.backend.name for c in t] == ["scipy"] and tagged.calls == []


def test_missing_function_never_converts_implicitly(tagged):
    x = TaggedArray(np.ones(4))
    with pytest.raises(uscipy.BackendNotImplementedError) as info:
        uscipy.fft.ifft(x)
    assert x.converted == 0  # SciPy was not allowed to np.asarray() it
    text = str(info.value)
    assert "uscipy.fft.ifft" in text and "<uscipy backend 'tagged'>" in text
    assert "belongs to another backend" in text and "coerce=True" in text
    # Asked explicitly, SciPy converts and computes.
    with uscipy.set_backend("scipy", coerce=True):
        np.testing.assert_allclose(uscipy.fft.ifft(x), np.fft.ifft(np.ones(4)))
    assert x.converted > 0


def test_mixed_numpy_and_owned_goes_to_owner(tagged):
    out = uscipy.ndimage.gaussian_filter(TaggedArray(np.ones((4, 4))), 1, output=np.empty((4, 4)))
    assert isinstance(out, TaggedArray)


def test_two_owned_types_by_priority_then_fall_through(tagged, second):
    a, b = TaggedArray(np.eye(3) * 2), SecondArray(np.ones(3))
    # The rule: owners of any argument's type, highest priority first; NumPy arrays and
    # Python scalars own nothing. `second` (priority 5) lacks solve, so `tagged` runs it.
    plan = uscipy.explain(uscipy.linalg.solve, a, b)
    assert [c.backend.name for c in plan.candidates] == ["second", "tagged"]
    assert [c.verdict for c in plan.candidates] == ["does not implement it", "does not implement it"]
    tagged.functions.add("linalg.solve")
    tagged._resolved.clear()
    assert uscipy.explain(uscipy.linalg.solve, a, b).backend is tagged
    assert second.calls == []
    # fft.fft: both implement it, only `x` is dispatchable: its owner alone is a candidate.
    assert [c.backend.name for c in uscipy.explain(uscipy.fft.fft, b).candidates] == ["second"]


def test_scoped_selection_beats_type_ownership(tagged):
    x = TaggedArray(np.ones(4))
    with uscipy.set_backend("scipy"):
        plan = uscipy.explain(uscipy.fft.fft, x)
    assert [c.backend.name for c in plan.candidates][:2] == ["scipy", "tagged"]


def test_explain_and_trace_report_the_owner(tagged):
    x = TaggedArray(np.ones(4))
    text = str(uscipy.explain(uscipy.fft.fft, x))
    assert "owns an argument type" in text and "tagged.TaggedArray" in text
    with uscipy.trace() as t:
        uscipy.fft.fft(x)
    (call,) = t
    assert call.backend is tagged and call.argument_types == ("tagged.TaggedArray",) and call.seconds > 0


def test_uninstalled_backend_no_longer_owns(tagged):
    uninstall(tagged)
    x = TaggedArray(np.ones(4))
    # Owned by nobody, it is an array-like like any other: SciPy takes it.
    np.testing.assert_allclose(uscipy.fft.fft(x), np.fft.fft(np.ones(4)))
    assert tagged.calls == [] and x.converted == 1
    install(tagged)


def test_install_requires_types():
    with pytest.raises(ValueError, match="owns no array types"):
        install(TaggedBackend("none", (), set()))
    from uscipy._core import register_typed_backend

    with pytest.raises(ValueError, match="module:qualname"):
        register_typed_backend(TaggedBackend("bad", (), set()), ["no_colon"])


@pytest.mark.parametrize("numpy_backend", ["scipy", "native"])
def test_selected_numpy_backend_never_converts_an_owned_type(tagged, numpy_backend):
    x = TaggedArray(np.arange(8.0))
    # Selected without coerce: passed over (it would convert), the owner runs.
    with uscipy.set_backend(numpy_backend), uscipy.trace() as t:
        assert isinstance(uscipy.fft.fft(x), TaggedArray)
        assert "not tried: would convert implicitly" in str(uscipy.explain(uscipy.fft.fft, x))
    assert [c.backend.name for c in t] == ["tagged"]
    # As the only backend, the call fails and says why.
    with uscipy.set_backend(numpy_backend, only=True):
        with pytest.raises(uscipy.BackendNotImplementedError, match="would convert it implicitly"):
            uscipy.fft.fft(x)
    # Asked to coerce, it converts.
    with uscipy.set_backend(numpy_backend, coerce=True), uscipy.trace() as t:
        y = uscipy.fft.fft(x)
    assert isinstance(y, np.ndarray) and [c.backend.name for c in t] == [numpy_backend]
    np.testing.assert_allclose(y, np.fft.fft(np.arange(8.0)))
    # NumPy input is unaffected.
    with uscipy.set_backend(numpy_backend, only=True):
        np.testing.assert_allclose(uscipy.fft.fft(np.arange(8.0)), np.fft.fft(np.arange(8.0)))
