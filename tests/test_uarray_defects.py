"""Regression tests for uarray 0.9's known defects (see shared/reference/uarray-protocol.md);
each one crashed, leaked state across threads or raised the wrong exception under uarray."""

from __future__ import annotations

import asyncio
import sys
import threading
import warnings

import pytest

import uscipy.uarray as ua

from helpers import Backend, nullary


def test_context_built_before_set_state_is_safe_to_enter():
    # uarray: the context kept a pointer into the domain map that set_state replaced (segfault).
    be = Backend()
    ctx = ua.set_backend(be)
    with ua.reset_state():
        with ctx:
            assert nullary()() is be.result
    with ua.set_state(ua.get_state()):
        with ctx:
            assert nullary()() is be.result


def test_clear_backends_inside_ua_function():
    # uarray: clearing the map being iterated freed the backends under the walk (segfault).
    mm = nullary()
    seen = []

    class Clearing:
        __ua_domain__ = "uscipy_tests"

        def __ua_function__(self, method, args, kwargs):
            ua.clear_backends("uscipy_tests", registered=True, globals=True)
            seen.append("cleared")
            return NotImplemented

    fallback = Backend()
    ua.register_backend(Clearing())
    ua.register_backend(fallback)
    # The walk finishes on its snapshot: the second registered backend still runs this time...
    assert mm() is fallback.result
    assert seen == ["cleared"]
    # ...and the next call sees the cleared state.
    with pytest.raises(ua.BackendNotImplementedError):
        mm()


def test_context_entered_in_another_thread_changes_only_that_thread():
    be = Backend()
    ctx = ua.set_backend(be)  # created in the main thread
    mm = nullary()
    results = {}
    entered, release = threading.Event(), threading.Event()

    def worker():
        with ctx:
            entered.set()
            results["worker"] = mm()
            release.wait(5)

    t = threading.Thread(target=worker)
    t.start()
    entered.wait(5)
    with pytest.raises(ua.BackendNotImplementedError):
        mm()  # the main thread's stack is untouched
    release.set()
    t.join()
    assert results["worker"] is be.result
    assert ua.get_state()._pickle()[1] == {}


def test_new_threads_do_not_inherit_scoped_backends():
    be = Backend()
    mm = nullary()
    out = []
    with ua.set_backend(be):
        t = threading.Thread(target=lambda: out.append(ua.get_state()._pickle()[1]))
        t.start()
        t.join()
        assert mm() is be.result
    assert out == [{}]


@pytest.mark.process_globals
def test_concurrent_global_changes_while_dispatching():
    # uarray's globals have no lock; here 8 writers and 8 dispatchers run together.
    domain = "uscipy_tests.concurrent"
    try:
        _hammer_globals(domain)
    finally:
        ua.clear_backends(domain, registered=True, globals=True)


def _hammer_globals(domain):
    mm = nullary(domain)
    per_writer = 200
    errors: list[BaseException] = []
    stop = threading.Event()
    start = threading.Barrier(16)
    ua.set_global_backend(Backend(domain))

    def writer(i):
        try:
            start.wait()
            for j in range(per_writer):
                ua.register_backend(Backend(domain, name=f"w{i}-{j}"))
                if j % 50 == 0:
                    ua.set_global_backend(Backend(domain, name=f"g{i}-{j}"))
        except BaseException as e:  # noqa: BLE001 - any failure fails the test
            errors.append(e)

    def dispatcher():
        try:
            start.wait()
            while not stop.is_set():
                assert mm() is not None
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=writer, args=(i,)) for i in range(8)]
        threads += [threading.Thread(target=dispatcher) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads[:8]:
            t.join()
        stop.set()
        for t in threads[8:]:
            t.join()
    finally:
        sys.setswitchinterval(old)
    assert errors == []
    registered = ua.get_state()._pickle()[0][domain][1]
    assert len(registered) == 8 * per_writer  # nothing lost
    assert len({b.name for b in registered}) == 8 * per_writer


def test_set_backend_emits_no_deprecation_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with ua.set_backend(Backend()):
            pass
        with ua.skip_backend(Backend()):
            pass


def test_determine_backend_with_rejecting_only_backend():
    # uarray returned NULL without an exception here: SystemError.
    class Rejects(Backend):
        def __ua_convert__(self, dispatchables, coerce):
            return NotImplemented

    with ua.set_backend(Rejects(), only=True):
        with pytest.raises(ua.BackendNotImplementedError, match="No backends could accept input of this type."):
            ua.determine_backend(1, "mark", domain="uscipy_tests")


def test_out_of_order_and_unmatched_exit_raise_runtime_error():
    be1, be2 = Backend(), Backend()
    ctx1, ctx2 = ua.set_backend(be1), ua.set_backend(be2)
    ctx1.__enter__()
    ctx2.__enter__()
    with pytest.raises(RuntimeError, match="unmatched"):
        ctx1.__exit__(None, None, None)
    with pytest.raises(RuntimeError):
        ctx2.__exit__(None, None, None)
    # uarray raised SystemExit for an exit with no enter at all.
    with pytest.raises(RuntimeError, match="no matching __enter__"):
        ctx1.__exit__(None, None, None)
    with pytest.raises(RuntimeError, match="no matching __enter__"):
        ua.skip_backend(be1).__exit__(None, None, None)


def test_concurrent_asyncio_tasks_see_only_their_own_backend():
    mm = nullary()
    backends = [Backend(name=f"task{i}") for i in range(200)]

    async def task(be):
        with ua.set_backend(be):
            for _ in range(5):
                await asyncio.sleep(0)  # let every other task enter its own context
                assert mm() is be.result
        return mm.__name__

    async def main():
        return await asyncio.gather(*(task(be) for be in backends))

    assert len(asyncio.run(main())) == 200
    assert ua.get_state()._pickle()[1] == {}


def test_asyncio_task_inherits_then_isolates():
    mm = nullary()
    outer, inner = Backend(name="outer"), Backend(name="inner")

    async def child():
        assert mm() is outer.result  # a task starts from a copy of its creator's context
        with ua.set_backend(inner):
            await asyncio.sleep(0)
            return mm()

    async def main():
        with ua.set_backend(outer):
            result = await asyncio.create_task(child())
            assert mm() is outer.result  # the child's change stayed in the child
            return result

    assert asyncio.run(main()) is inner.result
