"""TF1 behaviours of tf.gradients arguments and the TensorProto helpers.
Expected values are hand-computed (and agree with TensorFlow `tf.compat.v1` runs)."""

import numpy as np
import pytest

import flowgraph as fg
from flowgraph.gradients import UnconnectedGradients
from flowgraph.tensor_util import make_ndarray, make_tensor_proto


@pytest.fixture(autouse=True)
def _fresh_graph():
    with fg.Graph().as_default():
        yield


def test_unconnected_gradients_accepts_the_enum_and_strings():
    x = fg.constant(2.0)
    z = fg.constant(1.0)
    y = x * 2.0
    assert fg.gradients(y, z) == [None]
    zero_by_enum = fg.gradients(y, [z], unconnected_gradients=UnconnectedGradients.ZERO)
    zero_by_name = fg.gradients(y, z, unconnected_gradients="zero")
    with fg.Session() as sess:
        assert sess.run(zero_by_enum + zero_by_name) == [0.0, 0.0]
    with pytest.raises(ValueError, match="Unknown value for unconnected_gradients: 'bad'"):
        fg.gradients(y, z, unconnected_gradients="bad")


def test_stop_gradients_may_be_a_single_tensor():
    a = fg.constant(1.0)
    b = a * 2.0
    c = b * 3.0
    assert fg.gradients(c, a, stop_gradients=b) == [None]


def test_gradients_of_no_ys_and_of_another_graph():
    x = fg.constant(1.0)
    assert fg.gradients([], x) == [None]
    other = fg.Graph()
    with other.as_default():
        foreign = fg.constant(1.0)
    with pytest.raises(ValueError, match="must be from the same graph"):
        fg.gradients(fg.constant(2.0) * 3.0, foreign)


def test_make_tensor_proto_and_make_ndarray_round_trip():
    pytest.importorskip("tensorboardX")
    proto = make_tensor_proto([1.0, 2.0, 3.0, 4.0], shape=[2, 2])
    assert proto.dtype == 1  # DT_FLOAT
    np.testing.assert_array_equal(make_ndarray(proto), [[1, 2], [3, 4]])
    filled = make_tensor_proto(5, dtype=fg.int64, shape=[3])
    assert filled.dtype == 9 and make_ndarray(filled).tolist() == [5, 5, 5]
    words = make_ndarray(make_tensor_proto(["a", "bc"]))
    assert words.tolist() == [b"a", b"bc"]
    with pytest.raises(ValueError, match="Too many elements provided"):
        make_tensor_proto([1, 2, 3], shape=[2])


def test_make_ndarray_of_a_const_value_attribute():
    a = fg.constant([[1, 2]], name="a")
    value = make_ndarray(a.op.get_attr("value"))
    assert value.dtype == np.int32 and value.tolist() == [[1, 2]]


def test_no_gradient_flows_through_variable_updates():
    v = fg.Variable(1.0)
    updated = fg.assign(v, 2.0)
    scattered = fg.scatter_add(fg.Variable([1.0, 2.0]), [0], [1.0])
    assert fg.gradients(updated * 3.0, v) == [None]
    assert fg.gradients(fg.reduce_sum(scattered), v) == [None]


def test_grad_ys_of_another_dtype_is_a_type_error():
    x = fg.constant([1.0, 2.0])
    with pytest.raises(TypeError, match="grad_ys"):
        fg.gradients(x * x, x, grad_ys=fg.constant([1, 1]))
