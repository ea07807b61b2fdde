"""`tf.compat` helpers with `import flowgraph as tf` (and through the TF1 runner's alias):
string conversions, dimension accessors and the forward-compatibility horizon, as TF1."""

from __future__ import annotations

import pytest

import flowgraph as tf


def test_string_conversions():
    assert tf.compat.as_bytes("héllo") == "héllo".encode()
    assert tf.compat.as_bytes(bytearray(b"ab")) == b"ab"
    assert tf.compat.as_text(b"abc") == "abc" and tf.compat.as_str(b"x") == "x"
    assert tf.compat.as_str_any(12) == "12" and tf.compat.as_str_any(b"q") == "q"
    assert tf.compat.v1.compat.as_bytes("z") == b"z"
    with pytest.raises(TypeError, match="Expected binary or unicode string"):
        tf.compat.as_bytes(3)


def test_dimension_accessors():
    shape = tf.TensorShape([3, None])
    assert tf.compat.dimension_value(shape[0]) == 3
    assert tf.compat.dimension_value(shape[1]) is None
    assert tf.compat.dimension_value(7) == 7
    assert tf.compat.dimension_at_index(shape, 0).value == 3
    assert tf.compat.dimension_at_index(tf.TensorShape(None), 5).value is None


def test_forward_compatible_follows_the_horizon():
    assert tf.compat.forward_compatible(2018, 1, 1)
    assert not tf.compat.forward_compatible(2035, 1, 1)
    with tf.compat.forward_compatibility_horizon(2036, 1, 1):
        assert tf.compat.forward_compatible(2035, 1, 1)
    assert not tf.compat.forward_compatible(2035, 1, 1)


def test_type_tuples():
    assert isinstance(3, tf.compat.integral_types) and not isinstance(3.5, tf.compat.integral_types)
    assert isinstance(2.5, tf.compat.real_types) and isinstance(1j, tf.compat.complex_types)
    assert isinstance(b"a", tf.compat.bytes_or_text_types)
