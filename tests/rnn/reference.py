"""Hand-written numpy recurrent cells: independent references for the flowgraph cells."""

import numpy as np


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def lstm_step(x, c, h, kernel, bias, forget_bias=1.0):
    """One BasicLSTMCell step: gates i, j, f, o from [x, h] @ kernel + bias."""
    z = np.concatenate([x, h], axis=1) @ kernel + bias
    i, j, f, o = np.split(z, 4, axis=1)
    c = c * sigmoid(f + forget_bias) + sigmoid(i) * np.tanh(j)
    h = np.tanh(c) * sigmoid(o)
    return c, h


def lstm_full_step(x, c, h, kernel, bias, forget_bias=1.0, peep=None, cell_clip=None,
                   proj=None, proj_clip=None):
    """One LSTMCell step with optional peepholes (w_f, w_i, w_o), clipping and projection."""
    z = np.concatenate([x, h], axis=1) @ kernel + bias
    i, j, f, o = np.split(z, 4, axis=1)
    if peep is not None:
        w_f, w_i, w_o = peep
        c_new = sigmoid(f + forget_bias + w_f * c) * c + sigmoid(i + w_i * c) * np.tanh(j)
    else:
        c_new = sigmoid(f + forget_bias) * c + sigmoid(i) * np.tanh(j)
    if cell_clip is not None:
        c_new = np.clip(c_new, -cell_clip, cell_clip)
    if peep is not None:
        m = sigmoid(o + peep[2] * c_new) * np.tanh(c_new)
    else:
        m = sigmoid(o) * np.tanh(c_new)
    if proj is not None:
        m = m @ proj
        if proj_clip is not None:
            m = np.clip(m, -proj_clip, proj_clip)
    return c_new, m


def gru_step(x, h, gate_kernel, gate_bias, cand_kernel, cand_bias):
    g = sigmoid(np.concatenate([x, h], axis=1) @ gate_kernel + gate_bias)
    r, u = np.split(g, 2, axis=1)
    c = np.tanh(np.concatenate([x, r * h], axis=1) @ cand_kernel + cand_bias)
    return u * h + (1 - u) * c


def rnn_step(x, h, kernel, bias):
    return np.tanh(np.concatenate([x, h], axis=1) @ kernel + bias)


def run_lstm(xs, kernel, bias, lengths=None, forget_bias=1.0):
    """A BasicLSTMCell over the time-major list xs from zeros; with lengths, rows past their
    length output zeros and keep their state. Returns (outputs, c, h)."""
    batch = xs[0].shape[0]
    units = bias.shape[0] // 4
    c = np.zeros((batch, units))
    h = np.zeros((batch, units))
    outputs = []
    for t, x in enumerate(xs):
        c_new, h_new = lstm_step(x, c, h, kernel, bias, forget_bias)
        if lengths is not None:
            alive = (t < np.asarray(lengths))[:, None]
            c = np.where(alive, c_new, c)
            h = np.where(alive, h_new, h)
            outputs.append(np.where(alive, h_new, 0.0))
        else:
            c, h = c_new, h_new
            outputs.append(h)
    return outputs, c, h
