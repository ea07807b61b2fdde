"""fg.register_tensor_conversion_function: user types converted by every op builder, in
TF1's priority order, with TF1's errors (reference behaviour checked against TF 1.x)."""

import numpy as np
import pytest

import flowgraph as fg
from flowgraph.tensor_conversion import ConversionRegistry


def _recording(log, tag, value=None, give=True):
    def convert(obj, dtype=None, name=None, as_ref=False):
        log.append((tag, dtype, name, as_ref))
        if not give:
            return NotImplemented
        return fg.constant(obj.v if value is None else value, dtype=dtype, name=name)
    return convert


def test_user_type_flows_into_ops_and_runs():
    class Meters:
        def __init__(self, v):
            self.v = v

    fg.register_tensor_conversion_function(Meters, _recording([], "m"))
    with fg.Graph().as_default():
        total = fg.add(Meters(np.array([1.5, 2.0], np.float32)), 1.0)
        prod = fg.matmul(Meters(np.eye(2, dtype=np.float32) * 3), [[1.0], [2.0]])
        with fg.Session() as sess:
            got_total, got_prod = sess.run([total, prod])
    np.testing.assert_allclose(got_total, [2.5, 3.0])
    np.testing.assert_allclose(got_prod, [[3.0], [6.0]])


def test_priority_then_registration_order_and_not_implemented():
    class A:
        v = 0.0

    class A2(A):
        pass

    log = []
    fg.register_tensor_conversion_function(A, _recording(log, "p100_no", give=False))
    fg.register_tensor_conversion_function(A2, _recording(log, "p50", 5.0), priority=50)
    fg.register_tensor_conversion_function(A, _recording(log, "p100_yes", 1.0))
    with fg.Graph().as_default():
        t = fg.convert_to_tensor(A2())
        assert [entry[0] for entry in log] == ["p50"]
        assert log[0] == ("p50", None, None, False)
        assert t.dtype == fg.float32
        log.clear()
        u = fg.convert_to_tensor(A())
        assert [entry[0] for entry in log] == ["p100_no", "p100_yes"]
        assert fg.Session().run(u) == 1.0


def test_requested_dtype_and_name_are_passed():
    class Q:
        v = 3

    log = []
    fg.register_tensor_conversion_function(Q, _recording(log, "q"))
    with fg.Graph().as_default():
        t = fg.convert_to_tensor(Q(), dtype=fg.float64, name="qq")
        assert log == [("q", fg.float64, "qq", False)]
        assert t.dtype == fg.float64 and t.op.name == "qq"


def test_preferred_dtype_tried_first():
    class E:
        pass

    seen = []

    def convert(value, dtype=None, name=None, as_ref=False):
        seen.append(dtype)
        return fg.constant(2, dtype=dtype or fg.int32)

    fg.register_tensor_conversion_function(E, convert)
    with fg.Graph().as_default():
        t = fg.convert_to_tensor(E(), preferred_dtype=fg.float32)
    assert seen == [fg.float32] and t.dtype == fg.float32


def test_wrong_results_raise_runtime_errors_as_tf():
    class B:
        pass

    class D:
        pass

    fg.register_tensor_conversion_function(B, lambda value, dtype=None, name=None,
                                           as_ref=False: 7)
    fg.register_tensor_conversion_function(D, lambda value, dtype=None, name=None,
                                           as_ref=False: fg.constant(1.0))
    with fg.Graph().as_default():
        with pytest.raises(RuntimeError, match=r"for type .*B'> returned non-Tensor: 7"):
            fg.convert_to_tensor(B())
        with pytest.raises(RuntimeError, match=r"^nm: Conversion function .* returned "
                                               r"incompatible dtype: requested = int32, "
                                               r"actual = float32"):
            fg.convert_to_tensor(D(), dtype=fg.int32, name="nm")


def test_bad_registrations_are_type_errors():
    def ok(value, dtype=None, name=None, as_ref=False):
        return fg.constant(0)

    for numeric in (int, float, np.float32, np.ndarray, bool):
        with pytest.raises(TypeError, match="Python numeric types and NumPy"):
            fg.register_tensor_conversion_function(numeric, ok)
    with pytest.raises(TypeError, match="must be a type or a tuple of types"):
        fg.register_tensor_conversion_function("notatype", ok)
    with pytest.raises(TypeError, match="must be callable"):
        fg.register_tensor_conversion_function(type("T", (), {}), 3)


def test_builtin_conversions_keep_their_tf_priorities():
    # A (list, tuple) function at 150 runs after TF's own list conversions (99 and 100):
    # it is never reached for a list of numbers; one at 50 preempts them.
    registry = ConversionRegistry()
    calls = []

    def late(value, dtype=None, name=None, as_ref=False):
        calls.append("late")
        return NotImplemented

    registry.register((list, tuple), late, priority=150)
    with fg.Graph().as_default():
        builtin = [False]

        def fallback():
            builtin[0] = True
            return fg.constant([1, 2])

        out = registry.convert([1, 2], None, None, None, fallback,
                               registry.builtin_priority([1, 2], lambda v: False))
        assert builtin[0] and calls == [] and out.dtype == fg.int32

        def early(value, dtype=None, name=None, as_ref=False):
            calls.append("early")
            return fg.constant(9.0)

        registry.register(list, early, priority=50)
        builtin[0] = False
        out = registry.convert([1, 2], None, None, None, fallback, 100)
        assert calls == ["early"] and not builtin[0] and out.dtype == fg.float32


def test_unregistered_object_still_fails_clearly():
    class C:
        pass

    with fg.Graph().as_default(), pytest.raises(TypeError, match="Failed to convert"):
        fg.convert_to_tensor(C())
