"""The array assertions of fg.test.TestCase: passing and failing cases."""

import collections

import numpy as np
import pytest

import flowgraph as tf


@pytest.fixture
def tc():
    case = tf.test.TestCase()
    case.setUp()
    yield case
    case.tearDown()


def test_assert_all_close_default_tolerances_are_1e_6(tc):
    tc.assertAllClose([1.0, 2.0], [1.0 + 5e-7, 2.0])
    with pytest.raises(AssertionError, match="not close"):
        tc.assertAllClose([1.0, 2.0], [1.0, 2.0 + 1e-4])
    tc.assertAllClose([1.0, 2.0], [1.0, 2.0 + 1e-4], atol=1e-3)
    tc.assertAllClose(100.0, 100.05, rtol=1e-3)  # |diff| <= atol + rtol * |b|
    with pytest.raises(AssertionError):
        tc.assertAllClose(100.0, 100.2, rtol=1e-3)


def test_assert_all_close_message_shape_and_nan(tc):
    with pytest.raises(AssertionError, match="my note"):
        tc.assertAllClose([1.0], [2.0], msg="my note")
    with pytest.raises(AssertionError, match="Shape mismatch"):
        tc.assertAllClose([1.0, 2.0], [1.0, 2.0, 3.0])
    tc.assertAllClose([np.nan, 1.0], [np.nan, 1.0])
    with pytest.raises(AssertionError):
        tc.assertAllClose([np.nan, 1.0], [0.0, 1.0])


def test_assert_all_close_nested_structures(tc):
    point = collections.namedtuple("Point", ["x", "y"])
    a = {"w": [np.ones(2), (1.0, 2.0)], "p": point(1.0, np.zeros(3))}
    b = {"w": [np.ones(2), (1.0, 2.0)], "p": point(1.0, np.zeros(3))}
    tc.assertAllClose(a, b)
    b["p"] = point(1.0, np.array([0.0, 0.1, 0.0]))
    with pytest.raises(AssertionError, match=r"a\[p\]\[y\]"):
        tc.assertAllClose(a, b)
    with pytest.raises(ValueError, match="Can't compare dict to non-dict"):
        tc.assertAllClose({"a": 1.0}, [1.0])
    with pytest.raises(AssertionError, match="mismatched keys"):
        tc.assertAllClose({"a": 1.0}, {"b": 1.0})
    with pytest.raises(AssertionError, match="Shape mismatch"):
        tc.assertAllClose([np.ones(2), np.ones(3)], [np.ones(2)])
    # A list holding a dict cannot be one array: compared item by item.
    tc.assertAllClose([1.0, {"k": np.ones(2)}], [1.0, {"k": np.ones(2)}])
    with pytest.raises(AssertionError, match=r"a\[1\]\[k\]"):
        tc.assertAllClose([1.0, {"k": np.ones(2)}], [1.0, {"k": np.zeros(2)}])


def test_tensors_are_evaluated(tc):
    x = tf.constant([1.0, 2.0]) * 2.0
    tc.assertAllClose(x, [2.0, 4.0])
    tc.assertAllClose([2.0, 4.0], x)
    tc.assertAllEqual(x, tf.constant([2.0, 4.0]))
    with pytest.raises(AssertionError):
        tc.assertAllEqual(x, [2.0, 5.0])


def test_not_all_close_and_according_to_type(tc):
    tc.assertNotAllClose([1.0, 2.0], [1.0, 2.5])
    with pytest.raises(AssertionError, match="close at all elements"):
        tc.assertNotAllClose([1.0, 2.0], [1.0, 2.0])
    half = np.array([1.0, 2.0], np.float16)
    tc.assertAllCloseAccordingToType(half, half + np.float16(5e-4))  # 1e-3 for float16
    with pytest.raises(AssertionError):
        tc.assertAllClose(half, half + np.float16(5e-4))
    with pytest.raises(AssertionError):
        tc.assertAllCloseAccordingToType(np.array([1.0]), np.array([1.0 + 1e-4]))


def test_all_equal_and_not_all_equal(tc):
    tc.assertAllEqual([[1, 2], [3, 4]], np.array([[1, 2], [3, 4]]))
    tc.assertAllEqual([b"a", b"b"], ["a", "b"])  # bytes and str compare as bytes
    with pytest.raises(AssertionError, match="not equal"):
        tc.assertAllEqual([1, 2], [1, 3])
    with pytest.raises(AssertionError, match="Shape mismatch"):
        tc.assertAllEqual([1, 2], [[1, 2]])
    tc.assertNotAllEqual([1, 2], [1, 3])
    with pytest.raises(AssertionError, match="equal at all elements"):
        tc.assertNotAllEqual([1, 2], [1, 2])


def test_bounds(tc):
    tc.assertAllGreater([2, 3], 1)
    with pytest.raises(AssertionError):
        tc.assertAllGreater([1, 3], 1)
    tc.assertAllGreaterEqual([1, 3], 1)
    tc.assertAllLess([1, 2], 3)
    with pytest.raises(AssertionError):
        tc.assertAllLess([1, 3], 3)
    tc.assertAllLessEqual([1, 3], 3)
    tc.assertAllInRange([0.0, 0.5, 1.0], 0.0, 1.0)
    with pytest.raises(AssertionError, match=r"outside the range \(0.0, 1.0\]"):
        tc.assertAllInRange([0.0, 0.5], 0.0, 1.0, open_lower_bound=True)
    with pytest.raises(AssertionError, match="NaN"):
        tc.assertAllInRange([np.nan], 0.0, 1.0)
    with pytest.raises(AssertionError, match="ordered numeric type"):
        tc.assertAllInRange(["a"], 0, 1)
    tc.assertAllInSet([1, 2, 2], {1, 2})
    with pytest.raises(AssertionError, match="1 unique element"):
        tc.assertAllInSet([1, 3, 3], [1, 2])


def test_near_shape_and_dtype(tc):
    tc.assertNear(1.0, 1.05, 0.1)
    with pytest.raises(AssertionError, match="difference"):
        tc.assertNear(1.0, 1.2, 0.1)
    tc.assertNear(float("inf"), float("inf"), 0.1)
    tc.assertArrayNear([1.0, 2.0], [1.01, 1.99], 0.02)
    with pytest.raises(AssertionError):
        tc.assertArrayNear([1.0, 2.0], [1.0, 2.5], 0.1)
    tc.assertNDArrayNear(np.ones(4), np.ones(4) + 0.01, 0.03)  # norm 0.02
    with pytest.raises(AssertionError):
        tc.assertNDArrayNear(np.ones(4), np.ones(4) + 0.01, 0.01)
    x = tf.placeholder(tf.float32, [None, 3])
    tc.assertShapeEqual(np.zeros((2, 3)), tf.zeros([2, 3]))
    with pytest.raises(AssertionError):
        tc.assertShapeEqual(np.zeros((2, 3)), x)  # static [None, 3] is not [2, 3]
    with pytest.raises(TypeError, match="input_a"):
        tc.assertShapeEqual([1, 2], x)
    tc.assertDTypeEqual(np.zeros(2, np.float32), np.float32)
    tc.assertDTypeEqual(tf.constant([1, 2]), tf.int32)
    with pytest.raises(AssertionError):
        tc.assertDTypeEqual(np.zeros(2, np.float64), np.float32)


def test_raises_with_predicate_match(tc):
    with tc.assertRaisesWithPredicateMatch(ValueError, "bad va"):
        raise ValueError("bad value")
    with tc.assertRaisesWithPredicateMatch(ValueError, lambda e: "value" in str(e)):
        raise ValueError("bad value")
    with pytest.raises(AssertionError, match="Exception of type"):
        with tc.assertRaisesWithPredicateMatch(ValueError, "other"):
            raise ValueError("bad value")
    with pytest.raises(AssertionError, match="OpError not raised"):
        with tc.assertRaisesOpError("anything"):
            pass
    with pytest.raises(AssertionError):
        with tc.assertRaisesOpError("anything"):
            raise KeyError("not an OpError")


def test_absl_style_helpers(tc):
    tc.assertItemsEqual([1, 2, 2], [2, 1, 2])
    with pytest.raises(AssertionError):
        tc.assertItemsEqual([1, 2], [1, 2, 2])
    tc.assertSameElements([1, 2, 2], [2, 1])
    tc.assertStartsWith("flowgraph", "flow")
    with pytest.raises(AssertionError):
        tc.assertEndsWith("flowgraph", "flow")
    tc.assertLen([1, 2], 2)
    with pytest.raises(AssertionError, match="length of 2"):
        tc.assertLen([1, 2], 3)
    tc.assertEmpty([])
    tc.assertNotEmpty([0])
    tc.assertBetween(2, 1, 3)
    tc.assertDeviceEqual("/cpu:0", "/device:CPU:0")
    with pytest.raises(AssertionError):
        tc.assertDeviceEqual("/cpu:0", "/gpu:0")
    tc.assertDictEqual({"a": np.array([1.0, 2.0])}, {"a": [1.0, 2.0 + 1e-8]})
    with pytest.raises(AssertionError):
        tc.assertDictEqual({"a": np.array([1, 2])}, {"a": [1, 3]})
