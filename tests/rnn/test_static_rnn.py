"""static_rnn, static_bidirectional_rnn and static_state_saving_rnn."""

import numpy as np
import pytest

import flowgraph as fg
from tests.rnn import reference as ref

rnn_cell = fg.nn.rnn_cell


def _lstm_weights(cell):
    kernel, bias = cell.weights
    return kernel, bias


def test_sequence_length_zeros_outputs_and_stops_state():
    rng = np.random.default_rng(0)
    values = [rng.standard_normal((3, 2)) for _ in range(5)]
    lengths = np.array([2, 5, 0])
    xs = [fg.placeholder(fg.float64, [3, 2]) for _ in values]
    seq = fg.placeholder(fg.int64, [3])
    cell = rnn_cell.BasicLSTMCell(4)
    outputs, state = fg.nn.static_rnn(cell, xs, dtype=fg.float64, sequence_length=seq)
    assert outputs[0].shape.as_list() == [3, 4] and state.c.shape.as_list() == [3, 4]
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        kernel, bias = sess.run(cell.weights)
        out, st = sess.run([outputs, state], {**dict(zip(xs, values)), seq: lengths})
    expected, c, h = ref.run_lstm(values, kernel, bias, lengths=lengths)
    np.testing.assert_allclose(np.array(out), np.array(expected), atol=1e-12)
    np.testing.assert_allclose(st.c, c, atol=1e-12)
    np.testing.assert_allclose(st.h, h, atol=1e-12)
    assert np.all(np.array(out)[2:, 0] == 0) and np.all(np.array(out)[:, 2] == 0)
    np.testing.assert_array_equal(st.h[2], np.zeros(4))  # length 0 keeps the initial state


def test_no_gradient_from_padding():
    rng = np.random.default_rng(1)
    xs = [fg.placeholder(fg.float64, [2, 3]) for _ in range(4)]
    cell = rnn_cell.GRUCell(3)
    outputs, state = fg.nn.static_rnn(cell, xs, dtype=fg.float64, sequence_length=[1, 4])
    loss = fg.add_n([fg.reduce_sum(o) for o in outputs]) + fg.reduce_sum(state)
    grads = fg.gradients(loss, xs)
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        g = sess.run(grads, {x: rng.standard_normal((2, 3)) for x in xs})
    for t in range(1, 4):
        np.testing.assert_array_equal(g[t][0], np.zeros(3))  # row 0 ends after step 0
        assert np.abs(g[t][1]).sum() > 0
    assert np.abs(g[0][0]).sum() > 0


def test_gradient_check_with_sequence_length():
    rng = np.random.default_rng(2)
    x = fg.placeholder(fg.float64, [3, 3, 2])
    h0 = fg.placeholder(fg.float64, [3, 2])
    c0 = fg.placeholder(fg.float64, [3, 2])
    cell = rnn_cell.BasicLSTMCell(2)
    outputs, state = fg.nn.static_rnn(cell, fg.unstack(x, axis=1),
                                      initial_state=rnn_cell.LSTMStateTuple(c0, h0),
                                      sequence_length=[3, 1, 2])
    y = fg.concat([fg.stack(outputs, axis=1), fg.expand_dims(state.c, 1)], axis=1)
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        error = fg.test.compute_gradient_error(
            [x, h0, c0], [[3, 3, 2], [3, 2], [3, 2]], y, [3, 4, 2],
            x_init_value=[rng.standard_normal((3, 3, 2)), rng.standard_normal((3, 2)),
                          rng.standard_normal((3, 2))], delta=1e-6)
    assert error < 1e-8


def test_gradient_check_wrt_the_kernel():
    rng = np.random.default_rng(3)
    xs = [fg.constant(rng.standard_normal((2, 2))) for _ in range(3)]
    cell = rnn_cell.LSTMCell(2, use_peepholes=True, num_proj=2)
    outputs, _ = fg.nn.static_rnn(cell, xs, dtype=fg.float64, sequence_length=[3, 2])
    y = fg.stack(outputs)
    kernel = cell.weights[0]
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        value = sess.run(kernel)
        error = fg.test.compute_gradient_error(kernel, [4, 8], y, [3, 2, 2],
                                               x_init_value=value, delta=1e-6)
    assert error < 1e-8


def test_static_rnn_errors():
    x = fg.placeholder(fg.float32, [2, 3])
    with pytest.raises(TypeError, match="is not an RNNCell"):
        fg.nn.static_rnn(lambda a, b: (a, b), [x], dtype=fg.float32)
    with pytest.raises(TypeError, match="inputs must be a sequence"):
        fg.nn.static_rnn(rnn_cell.GRUCell(2), x, dtype=fg.float32)
    with pytest.raises(ValueError, match="inputs must not be empty"):
        fg.nn.static_rnn(rnn_cell.GRUCell(2), [], dtype=fg.float32)
    with pytest.raises(ValueError, match="dtype must be specified"):
        fg.nn.static_rnn(rnn_cell.GRUCell(2), [x])
    with pytest.raises(ValueError, match="must be accessible via shape inference"):
        fg.nn.static_rnn(rnn_cell.GRUCell(2), [fg.placeholder(fg.float32, [2, None])],
                         dtype=fg.float32)
    with pytest.raises(ValueError, match="sequence_length must be a vector"):
        fg.nn.static_rnn(rnn_cell.GRUCell(2), [x], dtype=fg.float32,
                         sequence_length=[[1, 2]])


def test_unknown_batch_size_uses_the_dynamic_shape():
    x = fg.placeholder(fg.float32, [None, 3])
    cell = rnn_cell.BasicLSTMCell(2)
    seq = fg.placeholder(fg.int32, [None])
    outputs, state = fg.nn.static_rnn(cell, [x, x], dtype=fg.float32, sequence_length=seq)
    assert outputs[0].shape.as_list() == [None, 2]
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        out = sess.run(outputs[1], {x: np.ones((2, 3)), seq: [1, 2]})
    assert out.shape == (2, 2) and np.all(out[0] == 0) and np.all(out[1] != 0)


def test_static_bidirectional_rnn_matches_numpy():
    rng = np.random.default_rng(4)
    values = [rng.standard_normal((2, 3)) for _ in range(4)]
    lengths = np.array([4, 2])
    xs = [fg.placeholder(fg.float64, [2, 3]) for _ in values]
    fw, bw = rnn_cell.BasicLSTMCell(2), rnn_cell.BasicLSTMCell(3)
    outputs, state_fw, state_bw = fg.nn.static_bidirectional_rnn(
        fw, bw, xs, dtype=fg.float64, sequence_length=lengths)
    assert len(outputs) == 4 and outputs[0].shape.as_list() == [2, 5]
    names = sorted(v.op.name for v in fg.global_variables())
    assert names == ["bidirectional_rnn/bw/basic_lstm_cell/bias",
                     "bidirectional_rnn/bw/basic_lstm_cell/kernel",
                     "bidirectional_rnn/fw/basic_lstm_cell/bias",
                     "bidirectional_rnn/fw/basic_lstm_cell/kernel"]
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        (kf, bf), (kb, bb) = sess.run(fw.weights), sess.run(bw.weights)
        out, sf, sb = sess.run([outputs, state_fw, state_bw], dict(zip(xs, values)))
    fw_out, _, fw_h = ref.run_lstm(values, kf, bf, lengths=lengths)
    # The backward RNN reads each row reversed up to its length.
    reversed_in = []
    for t in range(4):
        rows = []
        for b, length in enumerate(lengths):
            rows.append(values[length - 1 - t][b] if t < length else values[t][b])
        reversed_in.append(np.array(rows))
    bw_out, _, bw_h = ref.run_lstm(reversed_in, kb, bb, lengths=lengths)
    for t in range(4):
        bw_t = np.array([bw_out[length - 1 - t][b] if t < length else bw_out[t][b]
                         for b, length in enumerate(lengths)])
        np.testing.assert_allclose(out[t], np.concatenate([fw_out[t], bw_t], 1), atol=1e-12)
    np.testing.assert_allclose(sf.h, fw_h, atol=1e-12)
    np.testing.assert_allclose(sb.h, bw_h, atol=1e-12)


def test_static_bidirectional_without_lengths_reverses_the_list():
    xs = [fg.constant(np.full((1, 1), float(t))) for t in range(3)]
    cell = rnn_cell.BasicRNNCell(1, activation=lambda v: v)
    outputs, _, _ = fg.nn.static_bidirectional_rnn(cell, rnn_cell.BasicRNNCell(1), xs,
                                                   dtype=fg.float64)
    assert len(outputs) == 3 and outputs[2].shape.as_list() == [1, 2]


class _DictSaver:
    def __init__(self, state):
        self._state = state
        self.saved = {}

    def state(self, name):
        return self._state[name]

    def save_state(self, name, value):
        self.saved[name] = value
        return fg.no_op(name=f"save_{name}")


def test_static_state_saving_rnn():
    saver = _DictSaver({"c": fg.zeros([2, 3], fg.float64), "h": fg.ones([2, 3], fg.float64)})
    xs = [fg.constant(np.ones((2, 2))) for _ in range(2)]
    outputs, state = fg.nn.static_state_saving_rnn(rnn_cell.BasicLSTMCell(3), xs, saver,
                                                   ("c", "h"))
    assert set(saver.saved) == {"c", "h"}
    assert outputs[-1].op.type == "Identity"
    assert any(dep.name == "save_c" for dep in outputs[-1].op.control_inputs)
    with pytest.raises(ValueError, match="same type as cell.state_size"):
        fg.nn.static_state_saving_rnn(rnn_cell.BasicLSTMCell(3), xs, saver, "c")
