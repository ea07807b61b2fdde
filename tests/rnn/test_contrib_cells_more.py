"""tf.contrib.rnn cells added for TF1 fidelity: LSTMBlockCell, GRUBlockCell(V2),
LayerNormBasicLSTMCell, HighwayWrapper, LSTMBlockFusedCell: TF1's variable names, and
values against the numpy cells of tests/rnn/reference.py (written independently)."""

import numpy as np
import pytest

import flowgraph as fg
from tests.rnn.reference import gru_step, lstm_full_step, run_lstm, sigmoid

R = fg.contrib.rnn
X = (np.sin(np.arange(2 * 3 * 3) * 0.9) * 0.8).reshape(2, 3, 3).astype(np.float32)


def _values(names):
    """Deterministic values for the variables (by name), set before running."""
    out = {}
    for k, v in enumerate(fg.global_variables()):
        n = int(np.prod(v.shape.as_list()))
        out[v.name] = (np.cos(np.arange(n) * 0.37 + k) * 0.4).reshape(v.shape.as_list())
    assert sorted(out) == sorted(names)
    return out


def _run(fetches, values):
    with fg.Session() as sess:
        for v in fg.global_variables():
            sess.run(v.assign(values[v.name].astype(np.float32)))
        return sess.run(fetches)


def test_lstm_block_cell_is_lstm_cell_with_peepholes_and_clip():
    out, state = fg.nn.dynamic_rnn(R.LSTMBlockCell(4, use_peephole=True, cell_clip=0.3),
                                   fg.constant(X), dtype=fg.float32)
    p = "rnn/lstm_cell/"
    vals = _values([p + n for n in ("kernel:0", "bias:0", "w_f_diag:0", "w_i_diag:0",
                                    "w_o_diag:0")])
    got_out, got_state = _run([out, state], vals)
    c = h = np.zeros((2, 4))
    peep = (vals[p + "w_f_diag:0"], vals[p + "w_i_diag:0"], vals[p + "w_o_diag:0"])
    for t in range(3):
        c, h = lstm_full_step(X[:, t], c, h, vals[p + "kernel:0"], vals[p + "bias:0"],
                              peep=peep, cell_clip=0.3)
        np.testing.assert_allclose(got_out[:, t], h, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got_state.c, c, rtol=1e-5, atol=1e-6)
    assert np.abs(got_state.c).max() <= 0.3 + 1e-6


@pytest.mark.parametrize("cls,names", [
    (R.GRUBlockCell, ("w_ru", "b_ru", "w_c", "b_c")),
    (R.GRUBlockCellV2, ("gates/kernel", "gates/bias", "candidate/kernel", "candidate/bias")),
])
def test_gru_block_cells(cls, names):
    cell = cls(cell_size=3) if cls is R.GRUBlockCell else cls(3)
    out, state = fg.nn.dynamic_rnn(cell, fg.constant(X), dtype=fg.float32)
    full = [f"rnn/gru_cell/{n}:0" for n in names]
    vals = _values(full)
    got = _run(out, vals)
    h = np.zeros((2, 3))
    for t in range(3):
        h = gru_step(X[:, t], h, *(vals[n] for n in full))
        np.testing.assert_allclose(got[:, t], h, rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="Exactly one"):
        cls(3, cell_size=3)


def _layer_norm(v, gamma, beta):
    mean = v.mean(axis=1, keepdims=True)
    var = v.var(axis=1, keepdims=True)
    return (v - mean) / np.sqrt(var + 1e-12) * gamma + beta


def test_layer_norm_basic_lstm_cell():
    out, state = fg.nn.dynamic_rnn(R.LayerNormBasicLSTMCell(3, forget_bias=0.5),
                                   fg.constant(X), dtype=fg.float32)
    p = "rnn/layer_norm_basic_lstm_cell/"
    parts = ("input", "transform", "forget", "output", "state")
    names = [p + "kernel:0"] + [f"{p}{s}/{g}:0" for s in parts for g in ("gamma", "beta")]
    vals = _values(names)
    got_out, got_state = _run([out, state], vals)

    def norm(v, s):
        return _layer_norm(v, vals[f"{p}{s}/gamma:0"], vals[f"{p}{s}/beta:0"])

    c = h = np.zeros((2, 3))
    for t in range(3):
        z = np.concatenate([X[:, t], h], axis=1) @ vals[p + "kernel:0"]
        i, j, f, o = (norm(v, s) for v, s in zip(np.split(z, 4, axis=1), parts))
        c = norm(c * sigmoid(f + 0.5) + sigmoid(i) * np.tanh(j), "state")
        h = np.tanh(c) * sigmoid(o)
        np.testing.assert_allclose(got_out[:, t], h, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(got_state.c, c, rtol=1e-4, atol=1e-5)


def test_layer_norm_basic_lstm_cell_without_norm_has_a_bias():
    fg.nn.dynamic_rnn(R.LayerNormBasicLSTMCell(3, layer_norm=False), fg.constant(X),
                      dtype=fg.float32)
    assert [v.name for v in fg.global_variables()] == [
        "rnn/layer_norm_basic_lstm_cell/kernel:0", "rnn/layer_norm_basic_lstm_cell/bias:0"]


def test_highway_wrapper():
    cell = R.HighwayWrapper(fg.nn.rnn_cell.GRUCell(3), carry_bias_init=0.5)
    out, _ = fg.nn.dynamic_rnn(cell, fg.constant(X), dtype=fg.float32)
    gru = [f"rnn/gru_cell/{n}:0" for n in ("gates/kernel", "gates/bias", "candidate/kernel",
                                          "candidate/bias")]
    vals = _values(gru + ["rnn/carry_w:0", "rnn/carry_b:0"])
    got = _run(out, vals)
    h = np.zeros((2, 3))
    for t in range(3):
        h = gru_step(X[:, t], h, *(vals[n] for n in gru))
        carry = sigmoid(X[:, t] @ vals["rnn/carry_w:0"] + vals["rnn/carry_b:0"])
        np.testing.assert_allclose(got[:, t], X[:, t] * carry + h * (1 - carry), rtol=1e-5,
                                   atol=1e-6)
    with pytest.raises(ValueError, match="shaped as its inputs"):
        fg.nn.dynamic_rnn(R.HighwayWrapper(fg.nn.rnn_cell.GRUCell(2)), fg.constant(X),
                          dtype=fg.float32, scope="other")


def test_lstm_block_fused_cell_time_major_with_lengths():
    inputs = fg.constant(X.transpose(1, 0, 2))  # [time, batch, input]
    out, state = R.LSTMBlockFusedCell(4, forget_bias=0.7)(inputs, dtype=fg.float32,
                                                          sequence_length=[2, 3])
    assert out.shape.as_list() == [3, 2, 4]
    names = ["lstm_fused_cell/kernel:0", "lstm_fused_cell/bias:0"]
    vals = _values(names)
    got_out, got_state = _run([out, state], vals)
    want, c, h = run_lstm([X[:, t].astype(np.float64) for t in range(3)], vals[names[0]],
                          vals[names[1]], lengths=[2, 3], forget_bias=0.7)
    np.testing.assert_allclose(got_out, np.stack(want), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got_state.c, c, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got_state.h, h, rtol=1e-5, atol=1e-6)
