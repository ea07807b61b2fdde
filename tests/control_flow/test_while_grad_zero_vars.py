"""The gradient of a while_loop leaves out loop variables whose gradient is zero at every
iteration (no gradient reaches them, and they only flow into such variables): their
gradient is zeros, the others' are unchanged (checked by finite differences)."""

import numpy as np

import flowgraph as fg
import flowgraph.control_flow as cf
from tests.control_flow.helpers import check_gradients

RNG = np.random.default_rng(9)
W = RNG.standard_normal((3, 3)) * 0.5


def _backward_op_types():
    return {op.type for op in fg.get_default_graph().get_operations()
            for op in _all_ops(op)}


def _all_ops(op):
    """`op` and the ops of the sub-graphs it runs (bodies of loops, nested)."""
    yield op
    for graph in (getattr(op.op_def, "body", None), getattr(op.op_def, "cond", None)):
        if isinstance(graph, fg.Graph):
            for inner in graph.get_operations():
                yield from _all_ops(inner)


def test_unused_tensor_array_of_outputs_is_left_out():
    # h_t = tanh(h @ W + x_t); every h_t is written to a TensorArray nobody reads.
    x = fg.placeholder(fg.float64, [4, 2, 3])
    h0 = fg.placeholder(fg.float64, [2, 3])
    ta = cf.TensorArray(fg.float64, size=4)

    def body(t, h, out):
        h = fg.tanh(fg.matmul(h, fg.constant(W)) + x[t])
        return t + 1, h, out.write(t, h)

    _, h, out = cf.while_loop(lambda t, h, out: t < 4, body, [0, h0, ta])
    loss = fg.reduce_sum(h * h)
    check_gradients(loss, [h0, x], [RNG.standard_normal((2, 3)),
                                    RNG.standard_normal((4, 2, 3))])
    # No gradient TensorList is carried or read in the backward loop.
    assert "TensorListGatherOrZeros" not in _backward_op_types()


def test_variable_feeding_a_used_one_is_kept():
    # a gets no gradient from the loss directly, but feeds b each iteration.
    a0 = fg.placeholder(fg.float64, [3])
    b0 = fg.placeholder(fg.float64, [3])

    def body(t, a, b):
        return t + 1, a * 1.5, b * fg.tanh(a) + a

    _, a, b = cf.while_loop(lambda t, a, b: t < 3, body, [0, a0, b0])
    grads = check_gradients(fg.reduce_sum(b), [a0, b0], [RNG.standard_normal(3),
                                                         RNG.standard_normal(3)])
    assert np.all(np.abs(grads[0]) > 1e-3)


def test_left_out_variable_gets_zeros_of_its_input_shape():
    a0 = fg.placeholder(fg.float64, [2])
    b0 = fg.placeholder(fg.float64, [2])

    def body(t, a, b):
        return t + 1, a * b, b * 2.0  # a never reaches b; only b is used

    _, a, b = cf.while_loop(lambda t, a, b: t < 3, body, [0, a0, b0])
    da, db = fg.gradients(fg.reduce_sum(b), [a0, b0])
    with fg.Session() as sess:
        got_a, got_b = sess.run([da, db], {a0: [1.0, 2.0], b0: [3.0, 4.0]})
    np.testing.assert_array_equal(got_a, [0.0, 0.0])
    np.testing.assert_array_equal(got_b, [8.0, 8.0])
