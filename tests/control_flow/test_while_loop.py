"""fg.while_loop: values, run-time trip counts, nesting, structures, shape invariants,
maximum_iterations, Variables, and TF1's errors."""

import collections

import numpy as np
import pytest

import flowgraph as fg
import flowgraph.control_flow as cf
from tests.control_flow.helpers import run

LSTMStateTuple = collections.namedtuple("LSTMStateTuple", ("c", "h"))


def test_counter_and_sum():
    i = fg.constant(0)
    r = cf.while_loop(lambda i: i < 10, lambda i: i + 1, [i])
    assert isinstance(r, fg.Tensor) and run(r) == 10
    i, total = cf.while_loop(lambda i, s: i < 5, lambda i, s: (i + 1, s + i), [0, 0])
    assert run([i, total]) == [5, 0 + 1 + 2 + 3 + 4]


def test_trip_count_decided_at_run_time():
    n = fg.placeholder(fg.int32, [])
    x = fg.placeholder(fg.float64, [2])
    _, y = cf.while_loop(lambda i, y: i < n, lambda i, y: (i + 1, y * x), [0, fg.ones([2],
                                                                                   fg.float64)])
    with fg.Session() as sess:
        for count in (0, 1, 4):
            np.testing.assert_allclose(sess.run(y, {n: count, x: [2.0, 3.0]}),
                                       [2.0 ** count, 3.0 ** count])


def test_data_dependent_stop():
    x = fg.placeholder(fg.float32, [])
    y = cf.while_loop(lambda v: v < 100.0, lambda v: v * 3.0, [x])
    assert run(y, {x: 2.0}) == 162.0 and run(y, {x: 500.0}) == 500.0


def test_nested_loops():
    def outer_body(i, total):
        _, inner = cf.while_loop(lambda j, s: j < i, lambda j, s: (j + 1, s + j), [0, 0])
        return i + 1, total + inner

    _, total = cf.while_loop(lambda i, t: i < 5, outer_body, [0, 0])
    # sum over i < 5 of sum(range(i)) = 0 + 0 + 1 + 3 + 6
    assert run(total) == 10


def test_cond_inside_loop_and_loop_inside_cond():
    def body(i, s):
        return i + 1, cf.cond(fg.equal(i % 2, 0), lambda: s + i, lambda: s - i)

    _, s = cf.while_loop(lambda i, s: i < 6, body, [0, 0])
    assert run(s) == 0 - 1 + 2 - 3 + 4 - 5
    p = fg.placeholder(fg.bool, [])
    y = cf.cond(p, lambda: cf.while_loop(lambda v: v < 50, lambda v: v * 2, [fg.constant(1)]),
                lambda: fg.constant(-1))
    assert run(y, {p: True}) == 64 and run(y, {p: False}) == -1


def test_loop_vars_captured_from_two_levels_out():
    w = fg.placeholder(fg.float32, [])

    def outer(i, acc):
        def inner(j, a):
            return j + 1, a + w  # w comes from the outermost graph
        _, a = cf.while_loop(lambda j, a: j < 3, inner, [0, acc])
        return i + 1, a

    _, acc = cf.while_loop(lambda i, a: i < 2, outer, [0, fg.constant(0.0)])
    assert run(acc, {w: 1.5}) == 9.0


def test_nested_structures_namedtuple_and_dict():
    state = LSTMStateTuple(fg.zeros([2]), fg.ones([2]))

    def body(i, s, d):
        return i + 1, LSTMStateTuple(s.c + s.h, s.h * 2.0), {"n": d["n"] + 1}

    i, s, d = cf.while_loop(lambda i, s, d: i < 3, body, [0, state, {"n": fg.constant(0)}])
    assert isinstance(s, LSTMStateTuple) and isinstance(d, dict)
    values = run([s, d])
    np.testing.assert_allclose(values[0].c, [7.0, 7.0])  # 1 + 2 + 4
    np.testing.assert_allclose(values[0].h, [8.0, 8.0])
    assert values[1]["n"] == 3


def test_namedtuple_loop_vars_are_unpacked_as_tf1():
    state = LSTMStateTuple(fg.constant(1), fg.constant(2))
    out = cf.while_loop(lambda c, h: c < 10, lambda c, h: LSTMStateTuple(c + h, h), state)
    assert isinstance(out, LSTMStateTuple)
    assert run(out.c) == 11


def test_return_same_structure():
    r = cf.while_loop(lambda i: i < 3, lambda i: i + 1, [fg.constant(0)],
                      return_same_structure=True)
    assert isinstance(r, list) and run(r[0]) == 3


def test_maximum_iterations():
    n = fg.placeholder(fg.int32, [])
    r = cf.while_loop(lambda i: i < 100, lambda i: i + 1, [fg.constant(0)],
                      maximum_iterations=n)
    assert run(r, {n: 7}) == 7
    i, s = cf.while_loop(lambda i, s: True, lambda i, s: (i + 1, s * 2), [0, 1],
                         maximum_iterations=5)
    assert run([i, s]) == [5, 32]
    with pytest.raises(ValueError, match="maximum_iterations must be a scalar"):
        cf.while_loop(lambda i: i < 3, lambda i: i + 1, [0], maximum_iterations=[1, 2])


def test_shape_invariants_allow_growth():
    x = fg.constant([1.0])
    y = cf.while_loop(lambda v: fg.size(v) < 8, lambda v: fg.concat([v, v], 0), [x],
                      shape_invariants=[fg.TensorShape([None])])
    assert y.shape.as_list() == [None]
    np.testing.assert_allclose(run(y), np.ones(8))


def test_shape_change_without_invariant_is_a_build_error():
    x = fg.constant([1.0])
    with pytest.raises(ValueError, match=r"enters the loop with shape \(1,\), but has shape "
                                         r"\(2,\) after one iteration.*shape_invariants"):
        cf.while_loop(lambda v: fg.size(v) < 8, lambda v: fg.concat([v, v], 0), [x])


def test_shape_change_only_known_at_run_time_is_a_run_error():
    x = fg.constant([1.0, 2.0])
    n = fg.placeholder(fg.int32, [])
    # The body's output has an unknown static length: checked when the loop runs.
    y = cf.while_loop(lambda v: fg.reduce_sum(v) < 100.0,
                      lambda v: fg.tile(v * 2.0, fg.reshape(n, [1])), [x])
    np.testing.assert_allclose(run(y, {n: 1}), [64.0, 128.0])
    with pytest.raises(fg.errors.InvalidArgumentError, match="shape invariant"):
        run(y, {n: 2})


def test_invariant_incompatible_with_initial_shape():
    with pytest.raises(ValueError, match="not compatible with the initial shape"):
        cf.while_loop(lambda v: True, lambda v: v, [fg.zeros([2])],
                      shape_invariants=[fg.TensorShape([3])])


def test_body_errors():
    with pytest.raises(TypeError, match="enters the loop as int32 but the body returns "
                                        "float32"):
        cf.while_loop(lambda i: i < 3, lambda i: fg.cast(i, fg.float32), [0])
    with pytest.raises(ValueError, match="structure of loop_vars"):
        cf.while_loop(lambda i, j: i < 3, lambda i, j: (i + 1,), [0, 0])
    with pytest.raises(TypeError, match="cond must be callable"):
        cf.while_loop(None, lambda i: i, [0])
    with pytest.raises(TypeError, match="body must be callable"):
        cf.while_loop(lambda i: True, 3, [0])
    with pytest.raises(ValueError, match="No loop variables provided"):
        cf.while_loop(lambda: True, lambda: (), [])
    with pytest.raises(TypeError, match="bool scalar"):
        cf.while_loop(lambda i: i, lambda i: i + 1, [0])
    with pytest.raises(TypeError, match="parallel_iterations must be a positive integer"):
        cf.while_loop(lambda i: i < 3, lambda i: i + 1, [0], parallel_iterations=0)


def test_error_inside_body_names_the_inner_node():
    x = fg.placeholder(fg.float32, [None])
    y = cf.while_loop(lambda i, v: i < 2, lambda i, v: (i + 1, fg.reshape(v, [2, 2])[0]),
                      [0, x])[1]
    with pytest.raises(fg.errors.InvalidArgumentError, match="Reshape"):
        run(y, {x: [1.0, 2.0, 3.0]})


def test_assign_in_body_and_fresh_variable_reads():
    v = fg.Variable(0, name="v")

    def body(i):
        with fg.control_dependencies([v.assign_add(i)]):
            return i + 1

    done = cf.while_loop(lambda i: i < 5, body, [0])
    reads = cf.while_loop(lambda i, s: i < 3,
                          lambda i, s: (i + 1, s + v * 1), [0, fg.constant(0)])[1]
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        assert sess.run(done) == 5
        assert sess.run(v) == 10
        assert sess.run(reads) == 30


def test_get_variable_in_body_is_created_once_in_the_outer_graph():
    def body(i, x):
        with fg.variable_scope("cell"):
            w = fg.get_variable("w", [], initializer=fg.constant_initializer(2.0))
        return i + 1, x * w

    with fg.variable_scope("rnn"):
        _, y = cf.while_loop(lambda i, x: i < 3, body, [0, fg.constant(1.0)])
    assert [v.name for v in fg.trainable_variables()] == ["rnn/cell/w:0"]
    assert run(y, init=True) == 8.0


def test_back_prop_false_gives_no_gradient():
    x = fg.placeholder(fg.float32, [])
    y = cf.while_loop(lambda v: v < 10.0, lambda v: v * 2.0, [x], back_prop=False)
    assert fg.gradients(y, x) == [None]


def test_iterations_do_not_build_nodes_at_run_time():
    x = fg.placeholder(fg.float32, [])
    y = cf.while_loop(lambda i, v: i < 50, lambda i, v: (i + 1, v + 1.0), [0, x])[1]
    graph = fg.get_default_graph()
    body = graph.get_operation_by_name("while").op_def.body  # y is "while/Exit_1:0"
    before = (len(graph.get_operations()), len(body.get_operations()))
    with fg.Session() as sess:
        assert sess.run(y, {x: 0.0}) == 50.0
        assert sess.run(y, {x: 1.0}) == 51.0
    assert (len(graph.get_operations()), len(body.get_operations())) == before


def test_regularizer_of_a_variable_made_in_a_loop_body_lives_in_the_outer_graph():
    graph = fg.Graph()
    with graph.as_default():
        x = fg.placeholder(fg.float32, [3])

        def body(i, acc):
            w = fg.get_variable("w", [3], initializer=fg.constant_initializer([1.0, 2.0, 3.0]),
                                regularizer=lambda v: 0.5 * fg.reduce_sum(v * v))
            return i + 1, acc + w * x

        _, acc = fg.while_loop(lambda i, a: i < 3, body, [0, fg.zeros([3])])
        losses = fg.get_collection(fg.GraphKeys.REGULARIZATION_LOSSES)
        assert [loss.graph for loss in losses] == [graph]
        (d_w,) = fg.gradients(fg.losses.get_regularization_loss(), fg.trainable_variables())
        with fg.Session() as sess:
            sess.run(fg.global_variables_initializer())
            got_acc, got_loss, got_dw = sess.run([acc, losses[0], d_w], {x: [1, 1, 2]})
    np.testing.assert_allclose(got_acc, [3.0, 6.0, 18.0])
    np.testing.assert_allclose(got_loss, 0.5 * (1 + 4 + 9))
    np.testing.assert_allclose(got_dw, [1.0, 2.0, 3.0])
