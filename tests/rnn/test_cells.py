"""Recurrent cells: TF1's parametrization and Variable names, against numpy references."""

import numpy as np
import pytest

import flowgraph as fg
from tests.rnn import reference as ref

rnn_cell = fg.nn.rnn_cell


def _inputs(steps=4, batch=3, depth=5, seed=0):
    rng = np.random.default_rng(seed)
    values = [rng.standard_normal((batch, depth)) for _ in range(steps)]
    holders = [fg.placeholder(fg.float64, [batch, depth], name=f"x{t}") for t in range(steps)]
    return holders, values


def _run(fetches, holders, values):
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        weights = {v.op.name: sess.run(v) for v in fg.global_variables()}
        return sess.run(fetches, dict(zip(holders, values))), weights


def test_basic_lstm_cell_matches_numpy_to_1e_10():
    holders, values = _inputs()
    cell = rnn_cell.BasicLSTMCell(6)
    outputs, state = fg.nn.static_rnn(cell, holders, dtype=fg.float64)
    kernel_var, bias_var = cell.weights
    assert kernel_var.shape.as_list() == [5 + 6, 24] and bias_var.shape.as_list() == [24]
    rng = np.random.default_rng(5)
    kernel, bias = rng.standard_normal((11, 24)) * 0.5, rng.standard_normal(24)
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        sess.run([kernel_var.assign(kernel), bias_var.assign(bias)])
        out, st = sess.run([outputs, state], dict(zip(holders, values)))
    expected, c, h = ref.run_lstm(values, kernel, bias)
    np.testing.assert_allclose(np.array(out), np.array(expected), rtol=0, atol=1e-10)
    assert isinstance(st, rnn_cell.LSTMStateTuple)
    np.testing.assert_allclose(st.c, c, rtol=0, atol=1e-10)
    np.testing.assert_allclose(st.h, h, rtol=0, atol=1e-10)


def test_basic_lstm_variable_names_shapes_and_sizes():
    cell = rnn_cell.BasicLSTMCell(8)
    assert cell.state_size == rnn_cell.LSTMStateTuple(8, 8) and cell.output_size == 8
    x = fg.placeholder(fg.float32, [2, 3])
    fg.nn.static_rnn(cell, [x, x], dtype=fg.float32)
    names = {v.op.name: v.shape.as_list() for v in fg.global_variables()}
    assert names == {"rnn/basic_lstm_cell/kernel": [11, 32], "rnn/basic_lstm_cell/bias": [32]}
    assert [v.op.name for v in cell.trainable_weights] == ["rnn/basic_lstm_cell/kernel",
                                                           "rnn/basic_lstm_cell/bias"]


def test_forget_bias_and_concatenated_state():
    holders, values = _inputs(steps=3)
    cell = rnn_cell.BasicLSTMCell(4, forget_bias=0.3, state_is_tuple=False)
    assert cell.state_size == 8
    outputs, state = fg.nn.static_rnn(cell, holders, dtype=fg.float64)
    assert state.shape.as_list() == [3, 8]
    (out, st), w = _run([outputs, state], holders, values)
    expected, c, h = ref.run_lstm(values, w["rnn/basic_lstm_cell/kernel"],
                                  w["rnn/basic_lstm_cell/bias"], forget_bias=0.3)
    np.testing.assert_allclose(out[-1], expected[-1], atol=1e-12)
    np.testing.assert_allclose(st, np.concatenate([c, h], axis=1), atol=1e-12)


@pytest.mark.parametrize("peepholes, cell_clip, num_proj, proj_clip", [
    (False, None, None, None),
    (True, None, None, None),
    (True, 0.2, 3, 0.05),
    (False, None, 4, None),
])
def test_lstm_cell_matches_numpy(peepholes, cell_clip, num_proj, proj_clip):
    holders, values = _inputs(steps=3, depth=4)
    cell = rnn_cell.LSTMCell(5, use_peepholes=peepholes, cell_clip=cell_clip,
                             num_proj=num_proj, proj_clip=proj_clip,
                             initializer=fg.random_normal_initializer(seed=1))
    out_size = num_proj or 5
    assert cell.output_size == out_size
    assert cell.state_size == rnn_cell.LSTMStateTuple(5, out_size)
    outputs, state = fg.nn.static_rnn(cell, holders, dtype=fg.float64)
    (out, st), w = _run([outputs, state], holders, values)
    prefix = "rnn/lstm_cell/"
    expected_names = {prefix + "kernel", prefix + "bias"}
    if peepholes:
        expected_names |= {prefix + "w_f_diag", prefix + "w_i_diag", prefix + "w_o_diag"}
    if num_proj:
        expected_names.add(prefix + "projection/kernel")
    assert set(w) == expected_names
    assert w[prefix + "kernel"].shape == (4 + out_size, 20)
    peep = (w[prefix + "w_f_diag"], w[prefix + "w_i_diag"], w[prefix + "w_o_diag"]) \
        if peepholes else None
    c = np.zeros((3, 5))
    h = np.zeros((3, out_size))
    for t, x in enumerate(values):
        c, h = ref.lstm_full_step(x, c, h, w[prefix + "kernel"], w[prefix + "bias"],
                                  peep=peep, cell_clip=cell_clip,
                                  proj=w.get(prefix + "projection/kernel"),
                                  proj_clip=proj_clip)
        np.testing.assert_allclose(out[t], h, rtol=0, atol=1e-10)
    np.testing.assert_allclose(st.c, c, atol=1e-10)
    if cell_clip is not None:
        assert np.abs(st.c).max() <= cell_clip + 1e-12
    if proj_clip is not None:
        assert np.abs(out[-1]).max() <= proj_clip + 1e-12


def test_gru_cell_matches_numpy_and_names():
    holders, values = _inputs(steps=3, depth=4)
    cell = rnn_cell.GRUCell(5)
    outputs, state = fg.nn.static_rnn(cell, holders, dtype=fg.float64)
    (out, st), w = _run([outputs, state], holders, values)
    p = "rnn/gru_cell/"
    assert {k: v.shape for k, v in w.items()} == {
        p + "gates/kernel": (9, 10), p + "gates/bias": (10,),
        p + "candidate/kernel": (9, 5), p + "candidate/bias": (5,)}
    np.testing.assert_array_equal(w[p + "gates/bias"], np.ones(10))
    np.testing.assert_array_equal(w[p + "candidate/bias"], np.zeros(5))
    h = np.zeros((3, 5))
    for t, x in enumerate(values):
        h = ref.gru_step(x, h, w[p + "gates/kernel"], w[p + "gates/bias"],
                         w[p + "candidate/kernel"], w[p + "candidate/bias"])
        np.testing.assert_allclose(out[t], h, rtol=0, atol=1e-10)
    np.testing.assert_allclose(st, h, atol=1e-10)


def test_basic_rnn_cell_matches_numpy():
    holders, values = _inputs(steps=3, depth=2)
    cell = rnn_cell.BasicRNNCell(3)
    outputs, state = fg.nn.static_rnn(cell, holders, dtype=fg.float64)
    (out, st), w = _run([outputs, state], holders, values)
    h = np.zeros((3, 3))
    for x in values:
        h = ref.rnn_step(x, h, w["rnn/basic_rnn_cell/kernel"], w["rnn/basic_rnn_cell/bias"])
    np.testing.assert_allclose(st, h, atol=1e-12)
    np.testing.assert_allclose(out[-1], h, atol=1e-12)


def test_activation_by_name_and_relu():
    holders, values = _inputs(steps=2, depth=2)
    cell = rnn_cell.BasicRNNCell(3, activation="relu")
    outputs, _ = fg.nn.static_rnn(cell, holders, dtype=fg.float64)
    (out,), w = _run([outputs], holders, values)
    assert (np.array(out) >= 0).all()
    k, b = w["rnn/basic_rnn_cell/kernel"], w["rnn/basic_rnn_cell/bias"]
    h = np.maximum(np.concatenate([values[0], np.zeros((3, 3))], 1) @ k + b, 0)
    np.testing.assert_allclose(out[0], h, atol=1e-12)


def test_zero_state_shapes_dtypes_and_names():
    cell = rnn_cell.BasicLSTMCell(4)
    state = cell.zero_state(7, fg.float32)
    assert isinstance(state, rnn_cell.LSTMStateTuple)
    assert state.c.shape.as_list() == [7, 4] and state.dtype == fg.float32
    assert state.c.name.startswith("BasicLSTMCellZeroState/")
    batch = fg.placeholder(fg.int32, [])
    dynamic = rnn_cell.GRUCell(3).zero_state(batch, fg.float64)
    assert dynamic.shape.as_list() == [None, 3]
    multi = rnn_cell.MultiRNNCell([rnn_cell.BasicLSTMCell(2), rnn_cell.GRUCell(3)])
    zero = multi.zero_state(2, fg.float32)
    assert isinstance(zero, tuple) and isinstance(zero[0], rnn_cell.LSTMStateTuple)
    with fg.Session() as sess:
        assert sess.run(dynamic, {batch: 5}).shape == (5, 3)
        assert sess.run(zero[1]).shape == (2, 3)


def test_get_initial_state_checks_batch_and_dtype():
    cell = rnn_cell.BasicRNNCell(3)
    x = fg.placeholder(fg.float32, [4, 2])
    assert cell.get_initial_state(inputs=x).shape.as_list() == [4, 3]
    with pytest.raises(ValueError, match="batch size from input tensor"):
        cell.get_initial_state(inputs=x, batch_size=5)
    with pytest.raises(ValueError, match="batch_size and dtype cannot be None"):
        cell.get_initial_state()


def test_multi_rnn_cell_names_and_states():
    holders, values = _inputs(steps=3, depth=4)
    cells = [rnn_cell.BasicLSTMCell(5), rnn_cell.BasicLSTMCell(3)]
    multi = rnn_cell.MultiRNNCell(cells)
    assert multi.state_size == (rnn_cell.LSTMStateTuple(5, 5), rnn_cell.LSTMStateTuple(3, 3))
    assert multi.output_size == 3
    outputs, state = fg.nn.static_rnn(multi, holders, dtype=fg.float64)
    (out, st), w = _run([outputs, state], holders, values)
    p = "rnn/multi_rnn_cell/cell_{}/basic_lstm_cell/"
    assert set(w) == {p.format(0) + "kernel", p.format(0) + "bias",
                      p.format(1) + "kernel", p.format(1) + "bias"}
    assert len(multi.trainable_weights) == 4
    c0 = h0 = np.zeros((3, 5))
    c1 = h1 = np.zeros((3, 3))
    for x in values:
        c0, h0 = ref.lstm_step(x, c0, h0, w[p.format(0) + "kernel"], w[p.format(0) + "bias"])
        c1, h1 = ref.lstm_step(h0, c1, h1, w[p.format(1) + "kernel"], w[p.format(1) + "bias"])
    np.testing.assert_allclose(out[-1], h1, atol=1e-10)
    np.testing.assert_allclose(st[0].c, c0, atol=1e-10)
    np.testing.assert_allclose(st[1].h, h1, atol=1e-10)


def test_multi_rnn_cell_errors():
    with pytest.raises(ValueError, match="at least one cell"):
        rnn_cell.MultiRNNCell([])
    with pytest.raises(ValueError, match="state_is_tuple is not set"):
        rnn_cell.MultiRNNCell([rnn_cell.BasicLSTMCell(2)], state_is_tuple=False)


def test_multi_rnn_cell_concatenated_state():
    holders, values = _inputs(steps=2, depth=2)
    multi = rnn_cell.MultiRNNCell([rnn_cell.GRUCell(2), rnn_cell.BasicRNNCell(3)],
                                  state_is_tuple=False)
    assert multi.state_size == 5
    outputs, state = fg.nn.static_rnn(multi, holders, dtype=fg.float64)
    assert state.shape.as_list() == [3, 5]
    (out, st), _ = _run([outputs, state], holders, values)
    np.testing.assert_allclose(st[:, 2:], out[-1], atol=1e-12)


def test_dropout_wrapper_keep_one_adds_nothing_and_keeps_names():
    holders, values = _inputs(steps=2)
    plain = rnn_cell.BasicLSTMCell(4)
    wrapped = rnn_cell.DropoutWrapper(plain)
    assert wrapped.state_size == plain.state_size and wrapped.output_size == 4
    outputs, _ = fg.nn.static_rnn(wrapped, holders, dtype=fg.float64)
    assert [v.op.name for v in fg.global_variables()] == ["rnn/basic_lstm_cell/kernel",
                                                          "rnn/basic_lstm_cell/bias"]
    random_ops = [op.name for op in fg.get_default_graph().get_operations()
                  if op.type == "RandomUniform"]
    assert len(random_ops) == 1 and random_ops[0].startswith("rnn/basic_lstm_cell/kernel/")
    assert wrapped.wrapped_cell is plain


def test_dropout_wrapper_drops_outputs_and_h_but_never_c():
    holders, values = _inputs(steps=2, batch=50, depth=3)
    cell = rnn_cell.DropoutWrapper(rnn_cell.BasicLSTMCell(40), input_keep_prob=1.0,
                                   output_keep_prob=0.5, state_keep_prob=0.5, seed=3)
    x = holders[0]
    state = cell.zero_state(50, fg.float64)
    state = rnn_cell.LSTMStateTuple(state.c + 1.0, state.h + 1.0)
    out, new_state = cell(x, state)
    (o, s), _ = _run([out, new_state], holders, values)
    # Dropped outputs are exactly 0; kept ones are scaled by 2.
    assert 0.3 < np.mean(o == 0) < 0.7
    assert 0.3 < np.mean(s.h == 0) < 0.7
    assert np.mean(s.c == 0) == 0.0


def test_dropout_wrapper_validates_probabilities():
    with pytest.raises(ValueError, match="input_keep_prob must be between 0 and 1"):
        rnn_cell.DropoutWrapper(rnn_cell.GRUCell(2), input_keep_prob=1.5)
    with pytest.raises(TypeError, match="is not an RNNCell"):
        rnn_cell.DropoutWrapper(object())
    with pytest.raises(ValueError, match="dtype must be provided"):
        rnn_cell.DropoutWrapper(rnn_cell.GRUCell(2), variational_recurrent=True)


def test_variational_dropout_uses_one_mask_for_all_steps():
    holders, values = _inputs(steps=3, batch=2, depth=3)
    cell = rnn_cell.DropoutWrapper(rnn_cell.BasicRNNCell(30), output_keep_prob=0.5,
                                   variational_recurrent=True, dtype=fg.float64, seed=1)
    outputs, _ = fg.nn.static_rnn(cell, holders, dtype=fg.float64)
    (out,), _ = _run([outputs], holders, values)
    masks = [o == 0 for o in out]
    np.testing.assert_array_equal(masks[0], masks[1])
    np.testing.assert_array_equal(masks[0], masks[2])
    assert masks[0][0].any() and not masks[0][0].all()


def test_residual_wrapper_adds_inputs():
    holders, values = _inputs(steps=2, depth=3)
    inner = rnn_cell.GRUCell(3)
    outputs, _ = fg.nn.static_rnn(rnn_cell.ResidualWrapper(inner), holders, dtype=fg.float64)
    plain_outputs, _ = fg.nn.static_rnn(inner, holders, dtype=fg.float64, scope="rnn_plain")
    (out,), _ = _run([outputs], holders, values)
    assert [v.op.name for v in inner.weights][0] == "rnn/gru_cell/gates/kernel"
    del plain_outputs
    # The first step's output is the GRU output plus the input.
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        feeds = dict(zip(holders, values))
        step0 = sess.run(inner(holders[0], inner.zero_state(3, fg.float64))[0], feeds)
        np.testing.assert_allclose(sess.run(outputs[0], feeds), step0 + values[0], atol=1e-12)


def test_device_wrapper_places_the_cell_ops():
    x = fg.placeholder(fg.float32, [2, 3])
    cell = rnn_cell.DeviceWrapper(rnn_cell.BasicRNNCell(2), "/cpu:0")
    out, _ = cell(x, cell.zero_state(2, fg.float32))
    assert "cpu" in out.op.device.lower()


def test_reuse_shares_weights_between_two_rnns():
    holders, values = _inputs(steps=2)
    with fg.variable_scope("model"):
        a, _ = fg.nn.static_rnn(rnn_cell.BasicLSTMCell(4), holders, dtype=fg.float64)
    with fg.variable_scope("model", reuse=True):
        b, _ = fg.nn.static_rnn(rnn_cell.BasicLSTMCell(4), holders, dtype=fg.float64)
    assert len(fg.global_variables()) == 2
    (ra, rb), _ = _run([a, b], holders, values)
    np.testing.assert_array_equal(ra, rb)
    with pytest.raises(ValueError, match="already exists"):
        with fg.variable_scope("model"):
            fg.nn.static_rnn(rnn_cell.BasicLSTMCell(4), holders, dtype=fg.float64)


def test_cell_rejects_int_inputs_and_unknown_depth():
    cell = rnn_cell.BasicRNNCell(2)
    with pytest.raises(ValueError, match="only supports floating point"):
        cell(fg.placeholder(fg.int32, [2, 3]), fg.zeros([2, 2], fg.int32))
    with pytest.raises(ValueError, match="inputs.shape\\[-1\\] to be known"):
        rnn_cell.GRUCell(2)(fg.placeholder(fg.float32, [2, None]), fg.zeros([2, 2]))
