"""uscipy.uarray beyond uarray's own suite: the protocol details a drop-in must match."""

from __future__ import annotations

import functools
import gc
import inspect
import pickle
import weakref

import pytest

import uscipy
import uscipy.uarray as ua

from helpers import Backend, nullary, unary


def _extractor(a, b=None, c=3, *, w="w"):
    return (ua.Dispatchable(a, "mark"),)


canonical_mm = ua.generate_multimethod(_extractor, lambda a, kw, d: (a, kw), "uscipy_tests")


@ua.create_multimethod(lambda a, kw, d: (a, kw), "uscipy_tests")
def picklable_mm(x):
    return ()


class TestCanonicalisation:
    def test_trailing_defaults_dropped_by_identity(self):
        be = Backend()
        with ua.set_backend(be):
            canonical_mm(1, None, 3, w="w")
            canonical_mm(1, None, 4)
            canonical_mm(1, w="x")
        assert [(a, kw) for _, a, kw in be.calls] == [((1,), {}), ((1, None, 4), {}), ((1,), {"w": "x"})]

    def test_equal_but_not_identical_default_is_kept(self):
        be = Backend()
        with ua.set_backend(be):
            canonical_mm(1, None, 3, w="".join(["w"]) + "")  # equal, maybe not the same object
        (_, args, kwargs), = be.calls
        assert args == (1,)
        assert kwargs in ({}, {"w": "w"})

    def test_more_arguments_than_defaults_kept_whole(self):
        mm = ua.generate_multimethod(lambda *a: (), lambda a, kw, d: (a, kw), "uscipy_tests")
        be = Backend()
        with ua.set_backend(be):
            mm(None, None)
        assert be.calls[0][1] == (None, None)


class TestMultimethodObject:
    def test_update_wrapper_attributes(self):
        assert canonical_mm.__name__ == "_extractor"
        assert canonical_mm.__qualname__ == "_extractor"
        assert canonical_mm.__module__ == __name__
        assert canonical_mm.__wrapped__ is _extractor
        assert inspect.signature(canonical_mm) == inspect.signature(_extractor)
        assert repr(canonical_mm) == "<uarray multimethod '_extractor'>"
        assert canonical_mm.domain == "uscipy_tests"

    def test_dict_is_writable_and_hash_is_identity(self):
        mm = nullary()
        mm.custom = 1
        assert mm.__dict__["custom"] == 1
        assert hash(mm) == hash(mm) and mm == mm and mm != nullary()
        assert repr(ua._Function(lambda: (), None, "d", (), {}, None)) == "<uarray multimethod>"

    def test_binds_as_method(self):
        be = Backend()

        class Owner:
            method = unary()

        owner = Owner()
        with ua.set_backend(be):
            owner.method()
        assert be.calls[0][1] == (owner,)
        assert Owner.__dict__["method"].__get__(None, Owner) is Owner.__dict__["method"]

    def test_pickles_by_reference(self):
        for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
            assert pickle.loads(pickle.dumps(picklable_mm, protocol)) is picklable_mm

    def test_pickle_refuses_a_name_bound_to_another_object(self):
        # `canonical_mm.__qualname__` is its extractor's name, which resolves to the extractor.
        with pytest.raises(pickle.PicklingError, match="not the same object"):
            pickle.dumps(canonical_mm)

    def test_unpicklable_when_name_does_not_resolve(self):
        mm = nullary()
        with pytest.raises((pickle.PicklingError, AttributeError)):
            pickle.dumps(mm)

    def test_weakref_and_cycle_collection(self):
        mm = nullary()
        mm.self_ref = mm
        ref = weakref.ref(mm)
        del mm
        gc.collect()
        assert ref() is None

    @pytest.mark.parametrize(
        "args, exc",
        [
            ((1, None, "d", (), {}, None), TypeError),  # extractor not callable
            ((len, 1, "d", (), {}, None), TypeError),  # replacer not callable
            ((len, None, "d", (), {}, 1), TypeError),  # default not callable
            ((len, None, 1, (), {}, None), TypeError),  # domain not a string
            ((len, None, "", (), {}, None), ValueError),  # empty domain
            ((len, None, "d", [], {}, None), TypeError),
            ((len, None, "d", (), [], None), TypeError),
            ((len, None, "d"), TypeError),
        ],
    )
    def test_bad_construction(self, args, exc):
        with pytest.raises(exc):
            ua._Function(*args)


class TestDomains:
    @pytest.mark.parametrize(
        "domain, exc, message",
        [
            ("", ValueError, "__ua_domain__ must be non-empty"),
            (1, TypeError, "__ua_domain__ must be a string or sequence of strings"),
            ([], ValueError, "__ua_domain__ lists must be non-empty"),
            (["ok", 1], TypeError, "__ua_domain__ must be a string"),
        ],
    )
    def test_invalid_domains(self, domain, exc, message):
        be = Backend(domain=domain)
        for action in (ua.set_backend, ua.skip_backend, ua.set_global_backend, ua.register_backend):
            with pytest.raises(exc, match=message):
                action(be)

    def test_parent_domain_backend_serves_child(self):
        be = Backend(domain="uscipy_tests")
        ua.set_global_backend(be)
        assert nullary("uscipy_tests.child.grandchild")() is be.result

    def test_sequence_domains(self):
        be = Backend(domain=("uscipy_a", "uscipy_b"))
        with ua.set_backend(be):
            assert nullary("uscipy_a")() is be.result
            assert nullary("uscipy_b")() is be.result


class TestConversion:
    def test_convert_and_replace(self):
        class Converting(Backend):
            def __ua_convert__(self, dispatchables, coerce):
                return [str(d.value) for d in dispatchables]

        be = Converting()
        with ua.set_backend(be):
            unary()(5)
        assert be.calls[0][1] == ("5",)

    def test_replacer_must_return_pair(self):
        class Converting(Backend):
            def __ua_convert__(self, dispatchables, coerce):
                return list(d.value for d in dispatchables)

        mark = ua.mark_as("mark")
        bad_shape = ua.generate_multimethod(lambda x: (mark(x),), lambda a, kw, d: a, "uscipy_tests")
        bad_types = ua.generate_multimethod(lambda x: (mark(x),), lambda a, kw, d: ([1], kw), "uscipy_tests")
        with ua.set_backend(Converting()):
            with pytest.raises(TypeError, match="2-tuple"):
                bad_shape(1)
            with pytest.raises(ValueError, match="Invalid return from argument_replacer"):
                bad_types(1)

    def test_wrap_single_convertor_declines_as_a_whole(self):
        @ua.wrap_single_convertor
        def convert(value, dispatch_type, coerce):
            return NotImplemented if value is None else value * 2

        assert convert.__name__ == "convert"
        assert convert([ua.Dispatchable(1, int), ua.Dispatchable(2, int)], False) == [2, 4]
        assert convert([ua.Dispatchable(1, int), ua.Dispatchable(None, int)], False) is NotImplemented

    def test_wrap_single_convertor_instance_binds(self):
        class Be:
            __ua_domain__ = "uscipy_tests"

            def __init__(self, factor):
                self.factor = factor

            @ua.wrap_single_convertor_instance
            def __ua_convert__(self, value, dispatch_type, coerce):
                return value * self.factor if coerce else value

        seen = Be(3).__ua_convert__([ua.Dispatchable(2, int), ua.Dispatchable(2, int, coercible=False)], True)
        assert seen == [6, 2]

    def test_all_of_type_marks_unmarked(self):
        @ua.all_of_type(str)
        def extract(a, b=2):
            return a, ua.Dispatchable(b, int)

        marked = extract("x")
        assert [(d.type, d.value) for d in marked] == [(str, "x"), (int, 2)]
        assert inspect.signature(extract) == inspect.signature(extract.__wrapped__)

    def test_dispatchable_protocol(self):
        d = ua.Dispatchable(1, int)
        assert (d[0], d[1], d[-1], d.value, d.type, d.coercible) == (int, 1, 1, 1, int, True)
        assert repr(d) == str(d) == "<Dispatchable: type=<class 'int'>, value=1>"
        assert ua.mark_as(int)(1).type is int
        with pytest.raises(IndexError):
            d[2]
        assert ua.Dispatchable[int, type] is not None


class TestDefaultAndErrors:
    def test_default_runs_with_backend_as_only(self):
        inner_calls = []
        be = Backend()
        be.active = False
        inner = nullary()

        def default():
            inner_calls.append(ua.get_state()._pickle()[1]["uscipy_tests"][1])
            return "default"

        mm = nullary(default=default)
        with ua.set_backend(be):
            assert mm() == "default"
        # The default runs with the declining backend pushed again as `only` on top of the stack.
        assert inner_calls == [[(be, False, False), (be, False, True)]]
        assert inner is not None

    def test_error_names_function_domain_and_every_backend(self):
        declined = Backend(name="declines")
        declined.active = False

        class Rejects(Backend):
            def __ua_convert__(self, dispatchables, coerce):
                return NotImplemented

        class Raises(Backend):
            def __ua_function__(self, method, args, kwargs):
                raise ua.BackendNotImplementedError("not today")

        rejects, raises = Rejects(name="rejects"), Raises(name="raises")
        mm = unary()
        with ua.set_backend(declined), ua.set_backend(rejects), ua.set_backend(raises):
            with pytest.raises(ua.BackendNotImplementedError) as info:
                mm(1)
        err = info.value
        # uarray's exact args: its message, then (backend, exception) for raising backends only.
        assert err.args[0] == "No selected backends had an implementation for this function."
        assert len(err.args) == 2 and err.args[1][0] is raises and str(err.args[1][1]) == "not today"
        assert err.domain == "uscipy_tests"
        assert [b for b, _ in err.attempts] == [raises, rejects, declined]
        text = str(err)
        for needle in ("<lambda>", "'uscipy_tests'", "<Backend raises>: not today",
                       "<Backend rejects>: __ua_convert__ returned NotImplemented (coerce=False)",
                       "<Backend declines>: __ua_function__ returned NotImplemented", "set_backend"):
            assert needle in text

    def test_error_when_nothing_is_set(self):
        with pytest.raises(uscipy.BackendNotImplementedError, match="no backend is set or registered"):
            nullary("uscipy_nothing_here")()

    def test_other_exceptions_propagate_immediately(self):
        class Boom(Backend):
            def __ua_function__(self, method, args, kwargs):
                raise KeyError("boom")

        later = Backend()
        with ua.set_backend(later), ua.set_backend(Boom()):
            with pytest.raises(KeyError):
                nullary()()
        assert later.calls == []

    def test_is_a_not_implemented_error_and_pickles(self):
        err = ua.BackendNotImplementedError("x", 1)
        assert isinstance(err, NotImplementedError)
        assert err.args == ("x", 1) and str(err) == "('x', 1)"
        again = pickle.loads(pickle.dumps(err))
        assert type(again) is ua.BackendNotImplementedError and again.args == ("x", 1)


class TestContextsAndState:
    def test_contexts_are_cached_and_pickle(self):
        be = Backend()
        assert ua.set_backend(be) is ua.set_backend(be)
        assert ua.set_backend(be, only=True) is not ua.set_backend(be)
        ctx = pickle.loads(pickle.dumps(ua.set_backend(Picklable(), coerce=True)))
        assert ctx._pickle()[1:] == (True, False)
        skip = pickle.loads(pickle.dumps(ua.skip_backend(Picklable())))
        assert isinstance(skip, ua._SkipBackendContext)

    def test_state_roundtrip_through_pickle(self):
        ua.set_global_backend(Picklable("g"), only=True, try_last=True)
        ua.register_backend(Picklable("r"))
        with ua.set_backend(Picklable("s"), coerce=True), ua.skip_backend(Picklable("k")):
            state = ua.get_state()
        restored = pickle.loads(pickle.dumps(state))
        assert restored._pickle() == state._pickle()
        globals_, locals_, thread_local = state._pickle()
        assert globals_["uscipy_tests"] == ((Picklable("g"), False, True), [Picklable("r")], True)
        assert locals_["uscipy_tests"] == ([Picklable("k")], [(Picklable("s"), True, False)])
        assert thread_local is True  # inside reset_state, globals are this scope's own copy

    def test_globals_set_inside_reset_state_do_not_leak(self):
        be = Backend()
        mm = nullary()
        with ua.reset_state():
            ua.set_global_backend(be)
            assert mm() is be.result
        with pytest.raises(ua.BackendNotImplementedError):
            mm()

    def test_set_state_rejects_other_objects(self):
        with pytest.raises(TypeError, match="_BackendState"):
            with ua.set_state(object()):
                pass

    def test_clear_backends(self):
        a, b = Backend(), Backend()
        ua.set_global_backend(a)
        ua.register_backend(b)
        ua.clear_backends("uscipy_tests")  # registered only
        assert nullary()() is a.result
        ua.clear_backends("uscipy_tests", registered=False, globals=True)
        with pytest.raises(ua.BackendNotImplementedError):
            nullary()()
        ua.register_backend(b)
        ua.clear_backends(None, registered=True, globals=True)
        with pytest.raises(ua.BackendNotImplementedError):
            nullary()()
        with pytest.raises(TypeError):
            ua.clear_backends(None)


class Picklable:
    __ua_domain__ = "uscipy_tests"

    def __init__(self, tag: str = "p"):
        self.tag = tag

    def __eq__(self, other):
        return isinstance(other, Picklable) and other.tag == self.tag

    def __hash__(self):
        return hash(self.tag)

    @staticmethod
    def __ua_function__(method, args, kwargs):
        return NotImplemented


def test_functools_partial_of_multimethod():
    be = Backend()
    mm = unary()
    with ua.set_backend(be):
        functools.partial(mm, 1)()
    assert be.calls[0][1] == (1,)


def test_set_backend_on_backend_refusing_attributes():
    class Slotted:
        __slots__ = ()
        __ua_domain__ = "uscipy_tests"

        @staticmethod
        def __ua_function__(method, args, kwargs):
            return "slotted"

    be = Slotted()
    with ua.set_backend(be), ua.skip_backend(Backend()):
        assert nullary()() == "slotted"


def test_backend_with_cached_context_is_collectable():
    be = Backend()
    with ua.set_backend(be, only=True):
        nullary()()
    ref = weakref.ref(be)
    del be
    gc.collect()
    assert ref() is None  # backend -> __ua_cache__ -> context -> backend is a collectable cycle


def test_nested_and_reentered_contexts_unwind_exactly():
    a, b = Backend(name="a"), Backend(name="b")
    ctx_a = ua.set_backend(a)
    mm = nullary()
    with ctx_a:
        with ua.set_backend(b):
            with ctx_a:
                assert mm() is a.result
            assert mm() is b.result
        assert mm() is a.result
    assert ua.get_state()._pickle()[1] == {}


def test_class_backend_changes_take_effect_immediately():
    # The engine remembers a class backend's __ua_function__ while the class is unchanged;
    # any change to the class (CPython bumps its version tag) must be seen on the next call.
    class ClassBackend:
        __ua_domain__ = "uscipy_tests"

        @staticmethod
        def __ua_function__(method, args, kwargs):
            return "first"

    mm = unary()
    with ua.set_backend(ClassBackend):
        assert mm(1) == "first"
        ClassBackend.__ua_function__ = staticmethod(lambda method, args, kwargs: "second")
        assert mm(1) == "second"
        ClassBackend.__ua_convert__ = staticmethod(lambda dispatchables, coerce: [d.value * 10 for d in dispatchables])
        ClassBackend.__ua_function__ = staticmethod(lambda method, args, kwargs: args)
        assert mm(1) == (10,)
        del ClassBackend.__ua_convert__
        assert mm(1) == (1,)


def test_instance_and_module_backends_are_read_on_every_call():
    import types

    module = types.ModuleType("mod_backend")
    module.__ua_domain__ = "uscipy_tests"
    module.__ua_function__ = lambda method, args, kwargs: "module"
    be = Backend()
    mm = nullary()
    with ua.set_backend(module):
        assert mm() == "module"
        module.__ua_function__ = lambda method, args, kwargs: "changed"
        assert mm() == "changed"
    with ua.set_backend(be):
        assert mm() is be.result
        be.__ua_function__ = lambda method, args, kwargs: "instance"
        assert mm() == "instance"
