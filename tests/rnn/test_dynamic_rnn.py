"""dynamic_rnn, bidirectional_dynamic_rnn and raw_rnn (on while_loop and TensorArray)."""

import numpy as np
import pytest

import flowgraph as fg
from flowgraph.control_flow import TensorArray, cond, nest
from tests.rnn import reference as ref

rnn_cell = fg.nn.rnn_cell


def _session_values(fetches, feeds):
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        return sess.run(fetches, feeds)


@pytest.mark.parametrize("make_cell", [
    lambda: rnn_cell.BasicLSTMCell(4),
    lambda: rnn_cell.GRUCell(3),
    lambda: rnn_cell.LSTMCell(3, use_peepholes=True, num_proj=2),
    lambda: rnn_cell.MultiRNNCell([rnn_cell.BasicLSTMCell(3), rnn_cell.GRUCell(2)]),
])
def test_dynamic_rnn_equals_static_rnn(make_cell):
    rng = np.random.default_rng(0)
    x = fg.placeholder(fg.float64, [3, 5, 2])
    cell = make_cell()
    outputs, state = fg.nn.dynamic_rnn(cell, x, dtype=fg.float64)
    with fg.variable_scope("rnn", reuse=True):
        static_outputs, static_state = fg.nn.static_rnn(cell, fg.unstack(x, axis=1),
                                                        dtype=fg.float64, scope="rnn")
    assert outputs.shape.as_list() == [3, 5, cell.output_size]
    value = rng.standard_normal((3, 5, 2))
    dyn, stat, dyn_state, stat_state = _session_values(
        [outputs, static_outputs, state, static_state], {x: value})
    np.testing.assert_allclose(dyn, np.stack(stat, axis=1), rtol=0, atol=1e-12)
    for a, b in zip(nest.flatten(dyn_state),
                    nest.flatten(stat_state)):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)


def test_variables_and_op_names_follow_tf1():
    x = fg.placeholder(fg.float32, [2, 3, 4])
    cell = rnn_cell.BasicLSTMCell(5)
    outputs, state = fg.nn.dynamic_rnn(cell, x, dtype=fg.float32)
    assert [v.op.name for v in fg.global_variables()] == ["rnn/basic_lstm_cell/kernel",
                                                          "rnn/basic_lstm_cell/bias"]
    assert isinstance(state, rnn_cell.LSTMStateTuple)
    assert state.h.shape.as_list() == [2, 5] and outputs.shape.as_list() == [2, 3, 5]
    loops = [op for op in fg.get_default_graph().get_operations() if op.type == "While"]
    assert [op.name for op in loops] == ["rnn/while"]
    body_ops = [op.name for op in loops[0].op_def.body.get_operations()]
    assert "rnn/while/basic_lstm_cell/MatMul" in body_ops


def test_time_major_and_matches_numpy():
    rng = np.random.default_rng(1)
    x = fg.placeholder(fg.float64, [4, 2, 3])  # [time, batch, depth]
    cell = rnn_cell.BasicLSTMCell(3)
    outputs, state = fg.nn.dynamic_rnn(cell, x, dtype=fg.float64, time_major=True)
    assert outputs.shape.as_list() == [4, 2, 3]
    value = rng.standard_normal((4, 2, 3))
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        kernel, bias = sess.run(cell.weights)
        out, st = sess.run([outputs, state], {x: value})
    expected, c, h = ref.run_lstm(list(value), kernel, bias)
    np.testing.assert_allclose(out, np.array(expected), rtol=0, atol=1e-10)
    np.testing.assert_allclose(st.c, c, rtol=0, atol=1e-10)


def test_sequence_length_zeros_and_last_valid_state():
    rng = np.random.default_rng(2)
    x = fg.placeholder(fg.float64, [3, 6, 2])
    seq = fg.placeholder(fg.int64, [3])
    cell = rnn_cell.BasicLSTMCell(4)
    outputs, state = fg.nn.dynamic_rnn(cell, x, sequence_length=seq, dtype=fg.float64)
    assert outputs.shape.as_list() == [3, 6, 4]
    value = rng.standard_normal((3, 6, 2))
    lengths = np.array([4, 1, 3])  # the loop stops after 4 of the 6 steps
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        kernel, bias = sess.run(cell.weights)
        out, st = sess.run([outputs, state], {x: value, seq: lengths})
    expected, c, h = ref.run_lstm(list(value.transpose(1, 0, 2)), kernel, bias,
                                  lengths=lengths)
    np.testing.assert_allclose(out, np.stack(expected, axis=1), rtol=0, atol=1e-10)
    np.testing.assert_allclose(st.c, c, rtol=0, atol=1e-10)
    np.testing.assert_allclose(st.h, h, rtol=0, atol=1e-10)
    assert np.all(out[0, 4:] == 0) and np.all(out[1, 1:] == 0) and np.all(out[2, 3:] == 0)
    # The last output of each row is its final h.
    np.testing.assert_allclose(out[np.arange(3), lengths - 1], st.h, atol=1e-12)


def test_all_zero_lengths_keep_the_initial_state():
    x = fg.constant(np.ones((2, 3, 1)))
    h0 = fg.constant(np.full((2, 2), 0.5))
    outputs, state = fg.nn.dynamic_rnn(rnn_cell.GRUCell(2), x, sequence_length=[0, 0],
                                       initial_state=h0)
    out, st = _session_values([outputs, state], {})
    np.testing.assert_array_equal(out, np.zeros((2, 3, 2)))
    np.testing.assert_array_equal(st, np.full((2, 2), 0.5))


def test_gradient_check_through_dynamic_rnn_with_sequence_length():
    rng = np.random.default_rng(3)
    x = fg.placeholder(fg.float64, [3, 4, 2])
    c0 = fg.placeholder(fg.float64, [3, 2])
    h0 = fg.placeholder(fg.float64, [3, 2])
    cell = rnn_cell.BasicLSTMCell(2)
    outputs, state = fg.nn.dynamic_rnn(cell, x, sequence_length=[2, 4, 1],
                                       initial_state=rnn_cell.LSTMStateTuple(c0, h0))
    y = fg.concat([outputs, fg.expand_dims(state.c, 1)], axis=1)
    values = [rng.standard_normal((3, 4, 2)), rng.standard_normal((3, 2)),
              rng.standard_normal((3, 2))]
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        error = fg.test.compute_gradient_error([x, c0, h0], [[3, 4, 2], [3, 2], [3, 2]],
                                               y, [3, 5, 2], x_init_value=values,
                                               delta=1e-6)
        assert error < 1e-8
        kernel = cell.weights[0]
        error = fg.test.compute_gradient_error(
            kernel, [4, 8], y, [3, 5, 2], x_init_value=sess.run(kernel), delta=1e-6,
            extra_feed_dict=dict(zip([x, c0, h0], values)))
        assert error < 1e-8


def test_no_gradient_from_the_padding():
    rng = np.random.default_rng(4)
    x = fg.placeholder(fg.float64, [2, 5, 3])
    outputs, state = fg.nn.dynamic_rnn(rnn_cell.GRUCell(3), x, sequence_length=[2, 5],
                                       dtype=fg.float64)
    loss = fg.reduce_sum(outputs) + fg.reduce_sum(state)
    (grad,) = fg.gradients(loss, [x])
    g = _session_values(grad, {x: rng.standard_normal((2, 5, 3))})
    np.testing.assert_array_equal(g[0, 2:], np.zeros((3, 3)))
    assert np.abs(g[0, :2]).sum() > 0 and np.abs(g[1]).min() > 0


def test_unknown_batch_and_time_dimensions():
    x = fg.placeholder(fg.float32, [None, None, 3])
    seq = fg.placeholder(fg.int32, [None])
    outputs, state = fg.nn.dynamic_rnn(rnn_cell.BasicRNNCell(2), x, sequence_length=seq,
                                       dtype=fg.float32)
    assert outputs.shape.as_list() == [None, None, 2]
    assert state.shape.as_list() == [None, 2]
    for batch, time in ((2, 3), (4, 7)):
        out = _session_values(outputs, {x: np.ones((batch, time, 3)),
                                        seq: np.full(batch, time - 1)})
        assert out.shape == (batch, time, 2)
        assert np.all(out[:, -1] == 0) and np.all(out[:, 0] != 0)


def test_reusing_a_cell_in_a_second_rnn_shares_its_weights():
    x = fg.placeholder(fg.float64, [2, 3, 2])
    cell = rnn_cell.BasicLSTMCell(2)
    first, _ = fg.nn.dynamic_rnn(cell, x, dtype=fg.float64)
    with fg.variable_scope(fg.get_variable_scope(), reuse=True):
        second, _ = fg.nn.dynamic_rnn(cell, x, dtype=fg.float64)
    assert len(fg.global_variables()) == 2
    a, b = _session_values([first, second], {x: np.ones((2, 3, 2))})
    np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="already exists"):
        fg.nn.dynamic_rnn(rnn_cell.BasicLSTMCell(2), x, dtype=fg.float64)


class TupleInputCell(rnn_cell.RNNCell):
    """A cell in the old style: it creates its Variable with get_variable in `call`."""

    state_size = 2
    output_size = 2

    def call(self, inputs, state):
        a, b = inputs
        w = fg.get_variable("w", [3, 2], dtype=a.dtype,
                            initializer=fg.constant_initializer(0.5))
        return fg.tanh(fg.matmul(fg.concat([a, b], 1), w)) + state, state + 1.0


def test_nested_inputs_and_an_old_style_cell():
    a = fg.placeholder(fg.float64, [2, 4, 1])
    b = fg.placeholder(fg.float64, [2, 4, 2])
    cell = TupleInputCell()
    outputs, state = fg.nn.dynamic_rnn(cell, (a, b), dtype=fg.float64)
    assert [v.op.name for v in cell.trainable_weights] == ["rnn/tuple_input_cell/w"]
    out, st = _session_values([outputs, state], {a: np.zeros((2, 4, 1)),
                                                 b: np.zeros((2, 4, 2))})
    np.testing.assert_allclose(st, np.full((2, 2), 4.0))
    np.testing.assert_allclose(out[:, :, 0], [[0, 1, 2, 3]] * 2)


def test_dropout_wrapper_inside_the_loop():
    x = fg.constant(np.ones((4, 3, 2)))
    cell = rnn_cell.DropoutWrapper(rnn_cell.BasicRNNCell(50), output_keep_prob=0.5, seed=1)
    outputs, _ = fg.nn.dynamic_rnn(cell, x, dtype=fg.float64)
    out = _session_values(outputs, {})
    assert 0.3 < np.mean(out == 0) < 0.7


def test_dynamic_rnn_errors():
    x = fg.placeholder(fg.float32, [2, 3, 4])
    with pytest.raises(ValueError, match="you must give a dtype"):
        fg.nn.dynamic_rnn(rnn_cell.GRUCell(2), x)
    with pytest.raises(TypeError, match="is not an RNNCell"):
        fg.nn.dynamic_rnn("cell", x, dtype=fg.float32)
    with pytest.raises(ValueError, match="sequence_length must be a vector"):
        fg.nn.dynamic_rnn(rnn_cell.GRUCell(2), x, sequence_length=[[1, 2]], dtype=fg.float32)
    with pytest.raises(ValueError, match="Expected shape for Tensor"):
        fg.nn.dynamic_rnn(rnn_cell.GRUCell(2), x, sequence_length=[1, 2, 3],
                          dtype=fg.float32)
    with pytest.raises(ValueError, match="must be accessible via shape inference"):
        fg.nn.dynamic_rnn(rnn_cell.GRUCell(2), fg.placeholder(fg.float32, [2, 3, None]),
                          dtype=fg.float32)
    with pytest.raises(ValueError):
        fg.nn.dynamic_rnn(rnn_cell.GRUCell(2), fg.placeholder(fg.float32, [2, 3]),
                          dtype=fg.float32)


def test_bidirectional_dynamic_rnn_equals_the_static_one():
    rng = np.random.default_rng(5)
    x = fg.placeholder(fg.float64, [2, 4, 3])
    lengths = [4, 2]
    fw, bw = rnn_cell.BasicLSTMCell(2), rnn_cell.GRUCell(3)
    (out_fw, out_bw), (state_fw, state_bw) = fg.nn.bidirectional_dynamic_rnn(
        fw, bw, x, sequence_length=lengths, dtype=fg.float64)
    assert out_fw.shape.as_list() == [2, 4, 2] and out_bw.shape.as_list() == [2, 4, 3]
    names = sorted(v.op.name for v in fg.global_variables())
    assert names[0].startswith("bidirectional_rnn/bw/gru_cell/")
    assert names[-1] == "bidirectional_rnn/fw/basic_lstm_cell/kernel"
    with fg.variable_scope(fg.get_variable_scope(), reuse=True):
        static_out, static_fw, static_bw = fg.nn.static_bidirectional_rnn(
            fw, bw, fg.unstack(x, axis=1), dtype=fg.float64, sequence_length=lengths)
    value = rng.standard_normal((2, 4, 3))
    dyn_fw, dyn_bw, stat, sf, sb, dsf, dsb = _session_values(
        [out_fw, out_bw, static_out, static_fw, static_bw, state_fw, state_bw], {x: value})
    np.testing.assert_allclose(np.concatenate([dyn_fw, dyn_bw], 2), np.stack(stat, 1),
                               atol=1e-12)
    np.testing.assert_allclose(dsf.h, sf.h, atol=1e-12)
    np.testing.assert_allclose(dsb, sb, atol=1e-12)
    assert np.all(dyn_bw[1, 2:] == 0)


def test_bidirectional_without_lengths_reverses_the_whole_sequence():
    x = fg.constant(np.arange(6, dtype=np.float64).reshape(1, 3, 2))
    cell = rnn_cell.BasicRNNCell(2, activation=lambda v: v)
    (out_fw, out_bw), _ = fg.nn.bidirectional_dynamic_rnn(cell, rnn_cell.BasicRNNCell(2), x,
                                                          dtype=fg.float64, time_major=False)
    a, b = _session_values([out_fw, out_bw], {})
    assert a.shape == b.shape == (1, 3, 2)


def test_raw_rnn_reproduces_dynamic_rnn():
    rng = np.random.default_rng(6)
    max_time, batch, depth = 5, 3, 2
    inputs = fg.placeholder(fg.float64, [max_time, batch, depth])
    lengths = fg.constant([5, 2, 3], dtype=fg.int32)
    inputs_ta = TensorArray(fg.float64, size=max_time).unstack(inputs)
    cell = rnn_cell.BasicLSTMCell(3)

    def loop_fn(time, cell_output, cell_state, loop_state):
        next_state = cell.zero_state(batch, fg.float64) if cell_output is None else cell_state
        finished = time >= lengths
        next_input = cond(fg.reduce_all(finished),
                             lambda: fg.zeros([batch, depth], dtype=fg.float64),
                             lambda: inputs_ta.read(time))
        return finished, next_input, next_state, cell_output, None

    outputs_ta, final_state, final_loop_state = fg.nn.raw_rnn(cell, loop_fn)
    assert final_loop_state is None
    raw = outputs_ta.stack()
    with fg.variable_scope(fg.get_variable_scope(), reuse=True):
        dyn, dyn_state = fg.nn.dynamic_rnn(cell, inputs, sequence_length=lengths,
                                           dtype=fg.float64, time_major=True)
    value = rng.standard_normal((max_time, batch, depth))
    r, d, rs, ds = _session_values([raw, dyn, final_state, dyn_state], {inputs: value})
    np.testing.assert_allclose(r, d, atol=1e-12)
    np.testing.assert_allclose(rs.h, ds.h, atol=1e-12)


def test_checkpoint_of_dynamic_rnn_restores_into_static_rnn(tmp_path):
    rng = np.random.default_rng(7)
    value = rng.standard_normal((2, 3, 4))
    path = str(tmp_path / "lstm.ckpt")
    graph = fg.Graph()
    with graph.as_default():
        x = fg.placeholder(fg.float64, [2, 3, 4])
        outputs, _ = fg.nn.dynamic_rnn(rnn_cell.BasicLSTMCell(3), x, dtype=fg.float64)
        saver = fg.train.Saver()
        with fg.Session() as sess:
            sess.run(fg.global_variables_initializer())
            expected = sess.run(outputs, {x: value})
            saver.save(sess, path)
    graph = fg.Graph()
    with graph.as_default():
        x = fg.placeholder(fg.float64, [2, 3, 4])
        outputs, _ = fg.nn.static_rnn(rnn_cell.BasicLSTMCell(3), fg.unstack(x, axis=1),
                                      dtype=fg.float64)
        with fg.Session() as sess:
            fg.train.Saver().restore(sess, path)
            restored = sess.run(outputs, {x: value})
    np.testing.assert_allclose(np.stack(restored, axis=1), expected, atol=1e-12)
