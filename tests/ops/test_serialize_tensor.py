"""serialize_tensor / parse_tensor: TensorFlow's bytes, round trips and TF1's errors."""

import numpy as np
import pytest

import flowgraph as tf
from flowgraph import errors
from flowgraph.ops.serialize_tensor import parse_tensor, serialize_tensor

pytest.importorskip("tensorboardX")


def _run(fetch):
    with tf.Session() as sess:
        return sess.run(fetch)


def test_scalar_float_bytes_match_tensorflow():
    # DT_FLOAT (1), an empty TensorShapeProto, 1.5 as little-endian float32 (00 00 c0 3f).
    with tf.Graph().as_default():
        out = _run(serialize_tensor(tf.constant(1.5)))
    assert out == b'\x08\x01\x12\x00"\x04\x00\x00\xc0?'


@pytest.mark.parametrize("value, dtype", [
    (np.float64([[0.5, -2.0]]), tf.float64), (np.int64([7, -8]), tf.int64),
    (np.array([True, False]), tf.bool), (np.float16([1.5]), tf.float16),
    (np.zeros((0, 3), np.float32), tf.float32), (np.uint8([[1], [255]]), tf.uint8),
])
def test_round_trip_keeps_values_dtype_and_shape(value, dtype):
    with tf.Graph().as_default():
        back = parse_tensor(serialize_tensor(tf.constant(value, dtype)), dtype)
        assert back.dtype == dtype and back.shape.ndims is None
        out = _run(back)
    assert out.dtype == value.dtype and out.shape == value.shape
    np.testing.assert_array_equal(out, value)


def test_graph_names_and_static_shapes():
    with tf.Graph().as_default():
        ser = serialize_tensor([1, 2])
        back = parse_tensor(ser, tf.int32, name="back")
        assert ser.name == "SerializeTensor:0" and ser.shape.as_list() == []
        assert back.name == "back:0"


def test_wrong_out_type_fails_at_run_time():
    with tf.Graph().as_default():
        back = parse_tensor(serialize_tensor(tf.constant([1, 2])), tf.float32)
        with pytest.raises(errors.InvalidArgumentError, match="int32.*float32"):
            _run(back)


def test_garbage_and_non_scalar_inputs_fail_at_run_time():
    with tf.Graph().as_default():
        garbage = parse_tensor(tf.constant("zz"), tf.float32)
        vector = parse_tensor(tf.constant(["zz"]), tf.float32)
        with pytest.raises(errors.InvalidArgumentError, match="TensorProto"):
            _run(garbage)
        with pytest.raises(errors.InvalidArgumentError, match="scalar"):
            _run(vector)
