"""TF1 behaviours of `max_pool_with_argmax` (fg.nn.max_pool_with_argmax): signature,
result namedtuple, node names, static shapes and dtypes, argument errors, the argmax layout
and tie rule, and its gradient (MaxPoolGradWithArgmax), checked against values computed by
hand and against loops over every window."""

import inspect

import numpy as np
import pytest

import flowgraph as fg
from flowgraph import errors
from flowgraph.ops import pool_argmax
from flowgraph.ops.pool_argmax import max_pool_with_argmax
from flowgraph.ops.registry import apply_op
from tests.ops.cases.pool_argmax import loop_argmax, loop_scatter

TIES = np.array([[[[1.0], [3.0], [3.0]], [[3.0], [0.0], [2.0]], [[1.0], [1.0], [1.0]]]],
                np.float32)
TIES2 = np.concatenate([TIES, TIES + 1], 0)


def run(fetches, feed_dict=None):
    with fg.Session() as sess:
        return sess.run(fetches, feed_dict)


def test_signature_is_tf1s():
    params = inspect.signature(max_pool_with_argmax).parameters
    assert list(params) == ["input", "ksize", "strides", "padding", "data_format", "Targmax",
                            "name", "output_dtype", "include_batch_in_index"]
    assert params["data_format"].default == "NHWC"
    assert params["Targmax"].default is None and params["output_dtype"].default is None
    assert params["include_batch_in_index"].default is False


def test_result_names_shapes_and_dtypes():
    x = fg.placeholder(fg.float32, [None, 3, 3, 1])
    result = max_pool_with_argmax(x, [1, 2, 2, 1], [1, 1, 1, 1], "VALID")
    output, argmax = result
    assert result.output is output and result.argmax is argmax
    assert output.name == "MaxPoolWithArgmax:0" and argmax.name == "MaxPoolWithArgmax:1"
    assert output.op.type == "MaxPoolWithArgmax"
    assert output.shape.as_list() == [None, 2, 2, 1] and argmax.shape.as_list() == [None, 2, 2, 1]
    assert output.dtype == fg.float32 and argmax.dtype == fg.int64
    named = max_pool_with_argmax(x, [1, 2, 2, 1], [1, 2, 2, 1], "SAME", name="pool")
    assert named.output.name == "pool:0"
    assert named.argmax.shape.as_list() == [None, 2, 2, 1]


def test_hand_computed_values_with_and_without_batch_index():
    x = fg.placeholder(fg.float32, [None, 3, 3, 1])
    plain = max_pool_with_argmax(x, [1, 2, 2, 1], [1, 1, 1, 1], "VALID")
    # SAME, 2x2 stride 2 on 3x3: 2 outputs per side, the padding goes after.
    batch = max_pool_with_argmax(x, [1, 2, 2, 1], [1, 2, 2, 1], "SAME",
                                 include_batch_in_index=True)
    got = run([plain, batch], {x: TIES2})
    np.testing.assert_array_equal(got[0].output[:, :, :, 0],
                                  [[[3, 3], [3, 2]], [[4, 4], [4, 3]]])
    np.testing.assert_array_equal(got[0].argmax[:, :, :, 0], [[[1, 1], [3, 5]]] * 2)
    np.testing.assert_array_equal(got[1].output[:, :, :, 0],
                                  [[[3, 3], [1, 1]], [[4, 4], [2, 2]]])
    np.testing.assert_array_equal(got[1].argmax[:, :, :, 0],
                                  [[[1, 2], [6, 8]], [[10, 11], [15, 17]]])


def test_argmax_layout_counts_channels_innermost():
    x = np.random.default_rng(0).permutation(2 * 4 * 6 * 3).reshape(2, 4, 6, 3) * 1.0
    out, arg = run(max_pool_with_argmax(x, [1, 2, 3, 1], [1, 2, 3, 1], "VALID"))
    want_out, want_arg = loop_argmax(x, [2, 3], [2, 3], "VALID")
    np.testing.assert_array_equal(out, want_out)
    np.testing.assert_array_equal(arg, want_arg)
    # The index points back at the maximum of its own image.
    for b in range(2):
        np.testing.assert_array_equal(x[b].reshape(-1)[arg[b]], out[b])


@pytest.mark.parametrize("kwargs, dtype", [
    ({}, fg.int64), ({"Targmax": fg.int32}, fg.int32), ({"output_dtype": fg.int32}, fg.int32),
    ({"Targmax": "int64"}, fg.int64),
])
def test_argmax_dtype(kwargs, dtype):
    result = max_pool_with_argmax(TIES, [1, 2, 2, 1], [1, 1, 1, 1], "VALID", **kwargs)
    assert result.argmax.dtype == dtype
    assert run(result.argmax).dtype == dtype.np


def test_integer_input_keeps_its_dtype():
    x = np.arange(16, dtype=np.int32).reshape(1, 4, 4, 1)
    out, arg = run(max_pool_with_argmax(x, [1, 2, 2, 1], [1, 2, 2, 1], "VALID"))
    assert out.dtype == np.int32
    np.testing.assert_array_equal(out[0, :, :, 0], [[5, 7], [13, 15]])
    np.testing.assert_array_equal(arg[0, :, :, 0], [[5, 7], [13, 15]])


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(data_format="NCHW"), ValueError, "NHWC"),
    (dict(Targmax=fg.int16), TypeError, "Targmax"),
    (dict(Targmax=fg.int32, output_dtype=fg.int64), ValueError, "both"),
    (dict(ksize=2, strides=2), TypeError, "Expected list for 'ksize'"),
    (dict(ksize=[2, 2], strides=[2, 2]), ValueError, "less than minimum 4"),
    (dict(ksize=[1, 4, 4, 1]), ValueError, "Negative dimension size"),
    (dict(padding="FULL"), ValueError, "padding"),
])
def test_argument_errors(kwargs, error, match):
    args = dict(ksize=[1, 2, 2, 1], strides=[1, 1, 1, 1], padding="VALID")
    args.update(kwargs)
    with pytest.raises(error, match=match):
        max_pool_with_argmax(fg.placeholder(fg.float32, [None, 3, 3, 1]), **args)


def test_input_of_wrong_rank_is_refused():
    with pytest.raises(ValueError, match="rank 4"):
        max_pool_with_argmax(fg.placeholder(fg.float32, [None, 3, 3]), [1, 2, 2, 1],
                             [1, 2, 2, 1], "VALID")


def test_gradient_routes_to_argmax():
    x = fg.placeholder(fg.float32, [None, 3, 3, 1])
    result = max_pool_with_argmax(x, [1, 2, 2, 1], [1, 2, 2, 1], "SAME",
                                  include_batch_in_index=True)
    (g,) = fg.gradients(result.output, [x], grad_ys=fg.ones_like(result.output) * 3)
    assert g.op.type == "MaxPoolGradWithArgmax"
    assert g.op.op_def.include_batch_in_index is True
    got = run(g, {x: TIES2})
    hand = np.array([[0, 3, 3], [0, 0, 0], [3, 0, 3]], np.float32)
    np.testing.assert_array_equal(got[:, :, :, 0], [hand, hand])


def test_gradient_matches_loops_and_finite_differences():
    rng = np.random.default_rng(1)
    xv = rng.permutation(2 * 5 * 4 * 2).reshape(2, 5, 4, 2) * 0.1
    w = rng.uniform(0.5, 1.5, (2, 3, 2, 2))
    x = fg.placeholder(fg.float64, xv.shape)
    out, _ = max_pool_with_argmax(x, [1, 3, 2, 1], [1, 2, 2, 1], "SAME")
    loss = fg.reduce_sum(out * w)
    (g,) = fg.gradients(loss, [x])
    with fg.Session() as sess:
        got = sess.run(g, {x: xv})
        numeric = np.zeros(xv.size)
        for i in range(xv.size):
            plus, minus = xv.copy().reshape(-1), xv.copy().reshape(-1)
            plus[i] += 1e-4
            minus[i] -= 1e-4
            numeric[i] = (sess.run(loss, {x: plus.reshape(xv.shape)})
                          - sess.run(loss, {x: minus.reshape(xv.shape)})) / 2e-4
    np.testing.assert_allclose(got.reshape(-1), numeric, atol=1e-8)
    np.testing.assert_allclose(got, loop_scatter(xv.shape, w,
                                                 loop_argmax(xv, [3, 2], [2, 2], "SAME")[1]))


def test_second_derivative_is_not_defined_as_in_tf1():
    x = fg.placeholder(fg.float32, [1, 4, 4, 1])
    out, _ = max_pool_with_argmax(x, [1, 2, 2, 1], [1, 2, 2, 1], "VALID")
    (g,) = fg.gradients(out, [x])
    with pytest.raises(LookupError, match="MaxPoolGradWithArgmax"):
        fg.gradients(g, [x], grad_ys=fg.ones_like(x))


def test_argmax_outside_the_input_fails_at_run_time():
    x = np.zeros((1, 2, 2, 1), np.float32)
    bad = np.array([[[[4]]]], np.int64)
    op = pool_argmax.MaxPoolGradWithArgmax(ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1],
                                           padding="VALID")
    g = apply_op(op, [fg.constant(x), fg.constant(np.ones((1, 1, 1, 1), np.float32)),
                      fg.constant(bad)])
    with pytest.raises(errors.InvalidArgumentError, match="outside"):
        run(g)
