"""fg.contrib.rnn: TF1's tf.contrib.rnn names, legacy wrappers and stacked bidirectional RNNs."""

import numpy as np
import pytest

import flowgraph as fg
import flowgraph.contrib.rnn as contrib_rnn


def _run(fetches, feeds=None):
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        return sess.run(fetches, feeds or {})


def test_contrib_rnn_reexports_the_cells():
    import flowgraph.contrib
    assert flowgraph.contrib.rnn is contrib_rnn
    for name in ("BasicLSTMCell", "BasicRNNCell", "GRUCell", "LSTMCell", "MultiRNNCell",
                 "DropoutWrapper", "ResidualWrapper", "DeviceWrapper", "LSTMStateTuple",
                 "RNNCell"):
        assert getattr(contrib_rnn, name) is getattr(fg.nn.rnn_cell, name)
    assert contrib_rnn.static_rnn is fg.nn.static_rnn
    assert contrib_rnn.static_bidirectional_rnn is fg.nn.static_bidirectional_rnn
    assert set(contrib_rnn.__all__) <= set(dir(contrib_rnn))


def test_stack_bidirectional_rnn_names_and_shapes():
    xs = [fg.constant(np.ones((2, 3))) for _ in range(4)]
    cells_fw = [contrib_rnn.BasicLSTMCell(2), contrib_rnn.BasicLSTMCell(3)]
    cells_bw = [contrib_rnn.GRUCell(2), contrib_rnn.GRUCell(1)]
    outputs, states_fw, states_bw = contrib_rnn.stack_bidirectional_rnn(
        cells_fw, cells_bw, xs, dtype=fg.float64, sequence_length=[4, 3])
    assert len(outputs) == 4 and outputs[0].shape.as_list() == [2, 4]
    assert len(states_fw) == 2 and isinstance(states_fw[1], contrib_rnn.LSTMStateTuple)
    names = {v.op.name for v in fg.global_variables()}
    assert "stack_bidirectional_rnn/cell_0/fw/basic_lstm_cell/kernel" in names
    assert "stack_bidirectional_rnn/cell_1/bw/gru_cell/gates/kernel" in names
    # Layer 1 reads the 2 + 2 concatenated outputs of layer 0.
    kernel = [v for v in fg.global_variables() if v.op.name ==
              "stack_bidirectional_rnn/cell_1/fw/basic_lstm_cell/kernel"][0]
    assert kernel.shape.as_list() == [4 + 3, 12]
    out = _run(outputs)
    assert np.all(out[3][1] == 0)  # row 1 has length 3


def test_stack_bidirectional_dynamic_rnn_matches_the_static_one():
    rng = np.random.default_rng(0)
    x = fg.placeholder(fg.float64, [2, 3, 2])
    make = [lambda: contrib_rnn.BasicLSTMCell(2), lambda: contrib_rnn.BasicLSTMCell(2)]
    cells_fw = [m() for m in make]
    cells_bw = [m() for m in make]
    outputs, states_fw, states_bw = contrib_rnn.stack_bidirectional_dynamic_rnn(
        cells_fw, cells_bw, x, dtype=fg.float64, sequence_length=[3, 2])
    assert outputs.shape.as_list() == [2, 3, 4]
    dynamic_vars = fg.global_variables()
    # As TF1: the dynamic stack has a bidirectional_rnn scope, the static one does not.
    assert dynamic_vars[0].op.name == \
        "stack_bidirectional_rnn/cell_0/bidirectional_rnn/fw/basic_lstm_cell/kernel"
    static_cells = [m() for m in make], [m() for m in make]
    static_out, _, _ = contrib_rnn.stack_bidirectional_rnn(
        *static_cells, fg.unstack(x, axis=1), dtype=fg.float64, sequence_length=[3, 2],
        scope="static")
    static_vars = fg.global_variables()[len(dynamic_vars):]
    assert [v.op.name for v in static_vars] == [
        v.op.name.replace("stack_bidirectional_rnn/", "static/").replace(
            "bidirectional_rnn/", "") for v in dynamic_vars]
    value = rng.standard_normal((2, 3, 2))
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        sess.run([s.assign(d) for s, d in zip(static_vars, dynamic_vars)])
        dyn, stat = sess.run([outputs, static_out], {x: value})
    np.testing.assert_allclose(dyn, np.stack(stat, axis=1), atol=1e-12)


def test_stack_bidirectional_errors():
    xs = [fg.constant(np.ones((2, 3)))]
    with pytest.raises(ValueError, match="at least one fw cell"):
        contrib_rnn.stack_bidirectional_rnn([], [contrib_rnn.GRUCell(2)], xs)
    with pytest.raises(ValueError, match="same depth"):
        contrib_rnn.stack_bidirectional_rnn([contrib_rnn.GRUCell(2)] * 2,
                                            [contrib_rnn.GRUCell(2)], xs)
    with pytest.raises(ValueError, match="must be a list"):
        contrib_rnn.stack_bidirectional_rnn((contrib_rnn.GRUCell(2),),
                                            [contrib_rnn.GRUCell(2)], xs)


def test_output_projection_wrapper():
    xs = [fg.constant(np.ones((2, 3))) for _ in range(2)]
    cell = contrib_rnn.OutputProjectionWrapper(contrib_rnn.GRUCell(4), 6)
    assert cell.output_size == 6 and cell.state_size == 4
    outputs, state = fg.nn.static_rnn(cell, xs, dtype=fg.float64)
    names = {v.op.name: v.shape.as_list() for v in fg.global_variables()}
    assert names["rnn/output_projection_wrapper/kernel"] == [4, 6]
    assert names["rnn/output_projection_wrapper/bias"] == [6]
    assert "rnn/output_projection_wrapper/gru_cell/gates/kernel" in names
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        out, h = sess.run([outputs, state])
        kernel = sess.run(fg.get_default_graph().get_tensor_by_name(
            "rnn/output_projection_wrapper/kernel:0"))
    np.testing.assert_allclose(out[1], h @ kernel, atol=1e-12)
    with pytest.raises(ValueError, match="output_size must be > 0"):
        contrib_rnn.OutputProjectionWrapper(contrib_rnn.GRUCell(4), 0)


def test_input_projection_wrapper():
    xs = [fg.constant(np.ones((2, 5))) for _ in range(2)]
    cell = contrib_rnn.InputProjectionWrapper(contrib_rnn.BasicRNNCell(3), 2)
    outputs, _ = fg.nn.static_rnn(cell, xs, dtype=fg.float64)
    names = {v.op.name: v.shape.as_list() for v in fg.global_variables()}
    assert names["rnn/input_projection_wrapper/kernel"] == [5, 2]
    assert names["rnn/input_projection_wrapper/basic_rnn_cell/kernel"] == [2 + 3, 3]
    assert _run(outputs)[1].shape == (2, 3)


def test_embedding_wrapper_looks_up_ids():
    ids = [fg.constant([1, 4], dtype=fg.int32), fg.constant([0, 0], dtype=fg.int32)]
    cell = contrib_rnn.EmbeddingWrapper(contrib_rnn.GRUCell(3), embedding_classes=5,
                                        embedding_size=2)
    outputs, state = fg.nn.static_rnn(cell, ids, dtype=fg.float32)
    names = {v.op.name: v.shape.as_list() for v in fg.global_variables()}
    assert names["rnn/embedding_wrapper/embedding"] == [5, 2]
    assert names["rnn/embedding_wrapper/gru_cell/gates/kernel"] == [2 + 3, 6]
    out = _run(outputs)
    assert out[0].shape == (2, 3) and out[0].dtype == np.float32
    with pytest.raises(ValueError, match="must be > 0"):
        contrib_rnn.EmbeddingWrapper(contrib_rnn.GRUCell(3), 0, 2)
