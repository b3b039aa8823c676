"""Choosing backends: by name or object, scoped or global, decorators, the priority list
(``uscipy.config`` / ``USCIPY_BACKENDS``), explain, trace, logging, pickling, lazy import."""

from __future__ import annotations

import concurrent.futures
import contextlib
import logging
import os
import pickle
import subprocess
import sys

import numpy as np
import pytest

import uscipy
import uscipy.uarray as ua

from tagged import TaggedArray, TaggedBackend


def _backends_used(func, *args):
    with uscipy.trace() as t:
        func(*args)
    return [c.backend.name if c.backend is not None else None for c in t]


class Recorder(TaggedBackend):
    """A NumPy backend implementing fft.fft (records, then returns SciPy's result unwrapped)."""

    def __init__(self, name="recorder"):
        super().__init__(name, (), {"fft.fft"}, wrap=lambda r: r)


def test_set_backend_by_name_and_object():
    rec = Recorder()
    x = np.ones(4)
    with uscipy.set_backend(rec):
        assert _backends_used(uscipy.fft.fft, x) == ["recorder"]
    with uscipy.set_backend("scipy", only=True):
        assert _backends_used(uscipy.fft.fft, x) == ["scipy"]
    assert _backends_used(uscipy.fft.fft, x) == ["scipy"]


def test_set_backend_as_decorator_and_skip():
    rec = Recorder()

    @uscipy.set_backend(rec)
    def compute(x):
        return uscipy.fft.fft(x)

    compute(np.ones(4))
    assert rec.calls == ["fft.fft"]
    with uscipy.set_backend(rec), uscipy.skip_backend(rec):
        assert _backends_used(uscipy.fft.fft, np.ones(4)) == ["scipy"]


def test_uarray_modules_are_backends_too():
    import types

    calls = []
    module = types.ModuleType("fake_fft_backend")
    module.__ua_domain__ = "numpy.scipy.fft"
    module.__ua_function__ = lambda method, args, kwargs: calls.append(method.__name__) or "fake"
    with uscipy.set_backend(module):
        assert uscipy.fft.fft(np.ones(4)) == "fake"
        np.testing.assert_allclose(uscipy.ndimage.uniform_filter(np.ones(3), 1), np.ones(3))
    assert calls == ["fft"]


def test_global_and_registered_selection():
    rec = Recorder("global-rec")
    uscipy.set_global_backend(rec)
    assert _backends_used(uscipy.fft.fft, np.ones(4)) == ["global-rec"]
    assert _backends_used(uscipy.fft.ifft, np.ones(4)) == ["scipy"]  # rec lacks ifft: falls through


def test_unknown_backend_names_and_objects():
    with pytest.raises(ValueError, match=r"unknown uscipy backend 'nonesuch'; known backends: .*scipy"):
        uscipy.set_backend("nonesuch")
    with pytest.raises(TypeError, match="__ua_domain__"):
        uscipy.set_backend(42)


def test_config_priority_list():
    rec = Recorder("prio")
    before = uscipy.config.backends
    try:
        uscipy.config.backends = [rec, "scipy"]
        assert _backends_used(uscipy.fft.fft, np.ones(4)) == ["prio"]
        assert _backends_used(uscipy.fft.ifft, np.ones(4)) == ["scipy"]
        with pytest.raises(ValueError, match="unknown uscipy backend"):
            uscipy.config.backends = ["nonesuch"]
        assert _backends_used(uscipy.fft.fft, np.ones(4)) == ["prio"]  # a bad list changes nothing
    finally:
        uscipy.config.backends = before
    assert uscipy.config.backends == ("scipy",)


@pytest.mark.parametrize(
    "value, message",
    [("scipy,,scipy", "backend 2 is empty"), (",", "backend 1 is empty"), ("scipy,scipy", "more than once"),
     ("nonesuch", "unknown uscipy backend 'nonesuch'")],
)
def test_malformed_environment_variable(value, message):
    code = "import numpy, uscipy; uscipy.fft.fft(numpy.ones(2))"
    proc = subprocess.run([sys.executable, "-c", code], env={**os.environ, "USCIPY_BACKENDS": value},
                          capture_output=True, text=True)
    assert proc.returncode != 0 and message in proc.stderr


def test_environment_variable_sets_priority():
    code = "import uscipy; print(uscipy.config.backends)"
    proc = subprocess.run([sys.executable, "-c", code], env={**os.environ, "USCIPY_BACKENDS": " scipy "},
                          capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "('scipy',)"


def test_explain_without_running():
    rec = Recorder()
    x = np.ones(4)
    with uscipy.set_backend(rec):
        plan = uscipy.explain(uscipy.fft.ifft, x)
    assert rec.calls == []
    assert plan.backend.name == "scipy"
    assert [(c.backend.name, c.verdict) for c in plan.candidates] == [
        ("recorder", "does not implement it"), ("scipy", "implements it")]
    text = str(plan)
    assert text.startswith("uscipy.fft.ifft(numpy.ndarray)") and "-> 2." in text


def test_trace_records_calls_from_threads():
    with uscipy.trace() as t:
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            list(pool.map(lambda _: uscipy.special.erf(0.5), range(20)))
    assert len(t) == 20 and {c.function for c in t} == {"uscipy.special.erf"}
    assert _backends_used(uscipy.special.erf, 0.5) == ["scipy"]  # tracing is off again


def test_debug_logging_of_decisions(caplog):
    uscipy.log_dispatches(True)
    try:
        with caplog.at_level(logging.DEBUG, logger="uscipy"):
            uscipy.fft.fft(np.ones(4))
    finally:
        uscipy.log_dispatches(False)
    assert any("uscipy.fft.fft(numpy.ndarray) -> <uscipy backend 'scipy'>" in r.getMessage() for r in caplog.records)


def test_pickling_multimethods_backends_contexts_and_state():
    assert pickle.loads(pickle.dumps(uscipy.fft.fft)) is uscipy.fft.fft
    scipy_backend = uscipy.backends.get("scipy")
    assert pickle.loads(pickle.dumps(scipy_backend)) is scipy_backend
    ctx = pickle.loads(pickle.dumps(uscipy.set_backend("scipy", coerce=True)))
    with ctx:
        assert uscipy.explain(uscipy.fft.fft, np.ones(2)).candidates[0].coerce
    with uscipy.set_backend("scipy", only=True):
        state = pickle.loads(pickle.dumps(uscipy.get_state()))
    with uscipy.set_state(state):
        assert uscipy.explain(uscipy.fft.fft, np.ones(2)).candidates[0].tier.startswith("selected for this block")


def test_state_travels_to_thread_pool_workers():
    rec = Recorder()

    # explain, not trace: a trace records every thread's calls, and these run concurrently.
    def chosen(state=None):
        with uscipy.set_state(state) if state is not None else contextlib.nullcontext():
            return uscipy.explain(uscipy.fft.fft, np.ones(4)).backend.name

    with uscipy.set_backend(rec):
        state = uscipy.get_state()
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        assert list(pool.map(chosen, [state] * 4)) == ["recorder"] * 4
        assert pool.submit(chosen).result() == "scipy"


def test_import_is_lazy():
    code = (
        "import sys, uscipy, uscipy.fft, uscipy.special;"
        "print(sorted(m for m in ('numpy', 'scipy', 'scipy.fft', 'dask', 'jax') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_backends_listing():
    rows = {b.name: b for b in uscipy.backends()}
    scipy_row = rows["scipy"]
    assert scipy_row.usable and scipy_row.types == () and scipy_row.functions == 554
    assert "scipy" in str(scipy_row)
