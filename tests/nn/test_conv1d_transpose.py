"""TF1 behaviours of `conv1d_transpose` (fg.nn.conv1d_transpose): signature, node names,
static shapes, NWC / NCW, strides and dilations, output_shape as a list or a Tensor, errors,
values against a direct numpy scatter loop, and gradients against finite differences."""

import inspect

import numpy as np
import pytest

import flowgraph as fg
from flowgraph.ops.conv_grad import conv1d_transpose


def run(fetches, feed_dict=None):
    with fg.Session() as sess:
        return sess.run(fetches, feed_dict)


def loop_transpose(x, f, out_width, stride, padding, dilation=1):
    """NWC: each input cell x[b, i, :] scatters f[k] @ x into output position
    i * stride + k * dilation - pad_before (TF1's padding of the forward conv1d)."""
    batch, width, _ = x.shape
    k_size, out_c, _ = f.shape
    k_eff = (k_size - 1) * dilation + 1
    if padding == "SAME":
        pad = max((width - 1) * stride + k_eff - out_width, 0) // 2
    else:
        pad = 0
    out = np.zeros((batch, out_width, out_c))
    for b in range(batch):
        for i in range(width):
            for k in range(k_size):
                pos = i * stride + k * dilation - pad
                if 0 <= pos < out_width:
                    out[b, pos] += f[k] @ x[b, i]
    return out


RNG = np.random.default_rng(0)
X = RNG.standard_normal((2, 3, 4))
F = RNG.standard_normal((3, 5, 4))


def test_signature_is_tf1s():
    params = inspect.signature(conv1d_transpose).parameters
    assert list(params) == ["input", "filters", "output_shape", "strides", "padding",
                            "data_format", "dilations", "name"]
    assert params["padding"].default == "SAME" and params["data_format"].default == "NWC"
    assert params["dilations"].default is None and params["name"].default is None


def test_names_and_static_shape():
    x = fg.placeholder(fg.float32, [2, 3, 4])
    f = fg.placeholder(fg.float32, [3, 5, 4])
    y = conv1d_transpose(x, f, [2, 6, 5], 2)
    assert y.op.name == "conv1d_transpose/Squeeze" and y.op.type == "Squeeze"
    conv = y.op.inputs[0].op
    assert conv.name == "conv1d_transpose" and conv.type == "Conv2DBackpropInput"
    assert conv.op_def.strides == (1, 1, 2, 1)
    assert y.shape.as_list() == [2, 6, 5] and y.dtype == fg.float32
    named = conv1d_transpose(x, f, [2, 6, 5], 2, name="up")
    assert named.op.name == "up/Squeeze"
    unknown = conv1d_transpose(x, f, fg.placeholder(fg.int32, [3]), 2)
    assert unknown.shape.ndims == 3


@pytest.mark.parametrize("out_width, stride, padding, dilation", [
    (6, 2, "SAME", 1), (5, 2, "SAME", 1), (7, 2, "VALID", 1), (3, 1, "SAME", 2),
    (7, 1, "VALID", 2), (9, 3, "VALID", 1),
])
def test_values_match_a_scatter_loop(out_width, stride, padding, dilation):
    y = conv1d_transpose(X, F, [2, out_width, 5], stride, padding, dilations=dilation)
    np.testing.assert_allclose(run(y), loop_transpose(X, F, out_width, stride, padding,
                                                      dilation), rtol=1e-10, atol=1e-12)


def test_hand_computed_small_case():
    # One channel, filter [1, 2]: stride 2 VALID places 1*x, 2*x at 2i, 2i+1.
    x = np.array([[[1.0], [10.0]]])
    f = np.array([[[1.0]], [[2.0]]])
    np.testing.assert_array_equal(run(conv1d_transpose(x, f, [1, 4, 1], 2, "VALID"))[0, :, 0],
                                  [1.0, 2.0, 10.0, 20.0])


def test_ncw_and_tensor_output_shape():
    x_ncw = np.ascontiguousarray(np.transpose(X, (0, 2, 1)))
    y = conv1d_transpose(x_ncw, F, fg.constant([2, 5, 6]), [1, 1, 2], data_format="NCW")
    assert y.shape.as_list() == [2, 5, 6]
    expected = np.transpose(loop_transpose(X, F, 6, 2, "SAME"), (0, 2, 1))
    np.testing.assert_allclose(run(y), expected, rtol=1e-10, atol=1e-12)


def test_is_the_adjoint_of_conv1d():
    z = RNG.standard_normal((2, 6, 5))
    forward = fg.nn.conv1d(z, F, 2, "SAME")  # F read as [width, in=5, out=4]
    back = conv1d_transpose(X, F, [2, 6, 5], 2, "SAME")
    fz, bx = run([forward, back])
    np.testing.assert_allclose(np.sum(fz * X), np.sum(z * bx), rtol=1e-10)


@pytest.mark.parametrize("kwargs, match", [
    (dict(data_format="NHWC"), "NWC"),
    (dict(strides=[1, 2]), "length"),
    (dict(output_shape=[2, 6, 5, 1]), "4 ints"),
    (dict(filters=np.zeros((3, 5, 3))), "channels"),
])
def test_errors(kwargs, match):
    args = dict(input=X, filters=F, output_shape=[2, 6, 5], strides=2)
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        conv1d_transpose(**args)


def test_gradients_match_finite_differences():
    xv = RNG.standard_normal((1, 3, 2))
    fv = RNG.standard_normal((3, 2, 2))
    w = RNG.uniform(0.5, 1.5, (1, 6, 2))
    x = fg.placeholder(fg.float64, xv.shape)
    f = fg.placeholder(fg.float64, fv.shape)
    loss = fg.reduce_sum(conv1d_transpose(x, f, [1, 6, 2], 2, "SAME") * w)
    grads = fg.gradients(loss, [x, f])
    with fg.Session() as sess:
        got = sess.run(grads, {x: xv, f: fv})
        for which, value in ((0, xv), (1, fv)):
            numeric = np.zeros(value.size)
            for i in range(value.size):
                vals = []
                for step in (1e-5, -1e-5):
                    nudged = value.copy().reshape(-1)
                    nudged[i] += step
                    feeds = {x: xv, f: fv}
                    feeds[(x, f)[which]] = nudged.reshape(value.shape)
                    vals.append(sess.run(loss, feeds))
                numeric[i] = (vals[0] - vals[1]) / 2e-5
            np.testing.assert_allclose(got[which].reshape(-1), numeric, rtol=1e-6, atol=1e-8)
