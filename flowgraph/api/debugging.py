"""`fg.debugging`: TF1's `tf.debugging` names (assertions, checks, float predicates)."""

from flowgraph.ops.assertions import Assert  # noqa: F401
from flowgraph.ops.check_ops import (  # noqa: F401
    assert_equal,
    assert_greater,
    assert_greater_equal,
    assert_integer,
    assert_less,
    assert_less_equal,
    assert_near,
    assert_negative,
    assert_non_negative,
    assert_non_positive,
    assert_none_equal,
    assert_positive,
    assert_proper_iterable,
    assert_rank,
    assert_rank_at_least,
    assert_rank_in,
    assert_same_float_dtype,
    assert_scalar,
    assert_type,
    check_numerics,
    is_numeric_tensor,
)
from flowgraph.ops.composites_math import is_non_decreasing, is_strictly_increasing  # noqa: F401
from flowgraph.ops.rounding import is_finite, is_inf, is_nan  # noqa: F401
from flowgraph.ops.check_ops import verify_tensor_all_finite as assert_all_finite  # noqa: F401

from flowgraph.api.assert_shapes import assert_shapes  # noqa: E402,F401 - tf.debugging.assert_shapes
