"""10^6 dispatches leave reference counts and memory flat (no leak in the engine)."""

from __future__ import annotations

import gc
import sys

import uscipy.uarray as ua

from helpers import Backend, nullary

N = 1_000_000


def _rss_kib() -> int:
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    import resource

    return pages * resource.getpagesize() // 1024


class Converting(Backend):
    def __ua_convert__(self, dispatchables, coerce):
        return [d.value for d in dispatchables]


class Raising(Backend):
    def __ua_function__(self, method, args, kwargs):
        raise ua.BackendNotImplementedError("declined")


def test_million_dispatches_leave_refcounts_and_memory_flat():
    mm = ua.generate_multimethod(
        lambda x, y=None, *, z=1: (ua.Dispatchable(x, "mark"),),
        lambda a, kw, d: (tuple(d) + a[1:], kw),
        "uscipy_tests",
        default=lambda x, y=None, *, z=1: x,
    )
    arg, key_arg = object(), object()
    raising, converting, declining = Raising(name="raises"), Converting(name="converts"), Backend(name="declines")
    declining.active = False

    def burst(n):
        with ua.set_backend(declining), ua.set_backend(converting), ua.set_backend(raising):
            for _ in range(n):
                mm(arg, None, z=key_arg)
        with ua.set_backend(declining, only=True):
            for _ in range(n // 10):
                mm(arg)  # declines, then the default runs with the backend as `only`
        for _ in range(n // 10):
            try:
                mm(arg)  # nothing set, default raises nothing: it returns x
            except ua.BackendNotImplementedError:
                pass

    backends = (raising, converting, declining)

    def forget_calls():
        for be in backends:
            be.calls.clear()

    # A first full burst brings the allocator to its steady state (the recorded calls come and
    # go); a leak shows as growth over the second one.
    burst(N)
    forget_calls()
    gc.collect()
    watched = [arg, key_arg, raising, converting, declining, mm]
    refs_before = [sys.getrefcount(o) for o in watched]
    objects_before = len(gc.get_objects())
    rss_before = _rss_kib()

    burst(N)
    forget_calls()
    gc.collect()
    assert [sys.getrefcount(o) for o in watched] == refs_before
    assert len(gc.get_objects()) - objects_before < 100
    # 10^6 leaked allocations of even 16 bytes would be 15 MiB.
    assert _rss_kib() - rss_before < 4 * 1024
