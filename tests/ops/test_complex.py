"""Complex dtypes, complex arithmetic and TF1's complex gradient convention.

References: numpy written here, hand-computed values, numbers printed by TensorFlow 1.x
(tf.compat.v1 in TF 2.21) hard-coded, and central finite differences on the real and
imaginary parts separately (the gradient of a real loss L with respect to z = x + iy is
dL/dx + i dL/dy in TF1).
"""

import os

import numpy as np
import pytest

import flowgraph as fg

Z = np.array([1 + 1j, 2 - 0.5j, -0.5 + 0.25j, 0.3 + 2j])


def _run(fetches, feeds=None):
    with fg.Session() as sess:
        return sess.run(fetches, feeds)


def test_dtype_tables():
    assert fg.complex64.as_datatype_enum == 8
    assert fg.complex128.as_datatype_enum == 18
    assert fg.as_dtype(8) is fg.complex64 and fg.as_dtype(18) is fg.complex128
    assert fg.dtypes.complex64 is fg.complex64
    assert fg.as_dtype(np.complex128) is fg.complex128
    assert fg.as_dtype("complex64") is fg.complex64
    assert fg.complex64.is_complex and not fg.complex64.is_floating
    assert not fg.float32.is_complex
    assert fg.complex64.real_dtype is fg.float32
    assert fg.complex128.real_dtype is fg.float64
    assert fg.float32.real_dtype is fg.float32
    assert fg.complex64.as_numpy_dtype is np.complex64
    assert fg.complex128.size == 16
    with pytest.raises(TypeError):
        _ = fg.complex64.min
    with pytest.raises(TypeError):
        _ = fg.complex128.max


def test_constants_of_python_complex_are_complex128():
    with fg.Graph().as_default():
        c = fg.constant([1 + 2j, 3.0])
        assert c.dtype == fg.complex128
        np.testing.assert_array_equal(_run(c), [1 + 2j, 3 + 0j])


def test_placeholder_feed_fetch_and_arithmetic():
    a = np.array([1 + 2j, -3 + 0.5j, 2j], np.complex64)
    b = np.array([0.5 - 1j, 2 + 2j, -1 + 0j], np.complex64)
    with fg.Graph().as_default():
        x = fg.placeholder(fg.complex64, [3])
        y = fg.placeholder(fg.complex64, [3])
        outs = [x + y, x - y, x * y, x / y, fg.truediv(x, y), fg.div(x, y), -x, fg.square(x),
                fg.exp(x), fg.log(x), fg.sqrt(x), fg.reduce_sum(x), fg.reduce_mean(x),
                fg.abs(x)]
        got = _run(outs, {x: a, y: b})
    want = [a + b, a - b, a * b, a / b, a / b, a / b, -a, a * a, np.exp(a), np.log(a),
            np.sqrt(a), a.sum(), a.mean(), np.abs(a)]
    for g, w in zip(got, want):
        assert g.dtype == np.asarray(w).dtype
        np.testing.assert_allclose(g, w, rtol=1e-6)
    assert outs[-1].dtype == fg.float32 and outs[-1].op.type == "ComplexAbs"


def test_matmul_complex():
    a = np.array([[1 + 1j, 2], [0.5j, -1]], np.complex128)
    b = np.array([[2 - 1j], [1 + 3j]], np.complex128)
    with fg.Graph().as_default():
        np.testing.assert_allclose(_run(fg.matmul(a, b)), a @ b)


def test_cast_between_real_and_complex():
    with fg.Graph().as_default():
        z = fg.constant(Z)
        to_real = fg.cast(z, fg.float32)  # keeps the real part, as TF1
        to_complex = fg.cast(fg.constant([1.5, -2.0]), fg.complex64)
        got = _run([to_real, to_complex])
    np.testing.assert_array_equal(got[0], np.array([1.0, 2.0, -0.5, 0.3], np.float32))
    assert got[1].dtype == np.complex64
    np.testing.assert_array_equal(got[1], [1.5 + 0j, -2 + 0j])


def test_complex_real_imag_conj_angle_functions():
    with fg.Graph().as_default():
        re = fg.constant([1.0, -2.0])
        im = fg.constant([0.5, 3.0])
        z = fg.complex(re, im)
        assert z.dtype == fg.complex64 and z.op.name == "Complex"
        r, i, c, a = fg.real(z), fg.imag(z), fg.conj(z), fg.angle(z)
        assert [t.op.name for t in (r, i, c, a)] == ["Real", "Imag", "Conj", "Angle"]
        assert r.dtype == fg.float32 and a.dtype == fg.float32
        # Real tensors, as TF1: real -> itself, imag -> zeros, conj -> itself, angle -> 0 / pi.
        assert fg.real(re) is re and fg.conj(re) is re
        zero_imag = fg.math.imag(re)
        real_angle = fg.math.angle(fg.constant([-2.0, 3.0]))
        got = _run([r, i, c, a, zero_imag, real_angle])
    np.testing.assert_array_equal(got[0], [1.0, -2.0])
    np.testing.assert_array_equal(got[1], [0.5, 3.0])
    np.testing.assert_array_equal(got[2], [1 - 0.5j, -2 - 3j])
    np.testing.assert_allclose(got[3], [np.arctan2(0.5, 1.0), np.arctan2(3.0, -2.0)],
                               rtol=1e-6)
    np.testing.assert_array_equal(got[4], [0.0, 0.0])
    np.testing.assert_allclose(got[5], [np.pi, 0.0], rtol=1e-6)


def test_complex_rejects_mixed_or_integer_parts():
    with fg.Graph().as_default():
        with pytest.raises(TypeError, match="real and imag have incorrect types"):
            fg.complex(fg.constant([1.0]), fg.constant([1.0], fg.float64))
        with pytest.raises(TypeError, match="incorrect types"):
            fg.complex(fg.constant([1]), fg.constant([1]))
        with pytest.raises(TypeError, match="Expected numeric"):
            fg.conj(fg.constant(["a"]))
        with pytest.raises(TypeError, match="complex"):
            fg.maximum(fg.constant(Z), fg.constant(Z))  # TF1 has no complex Maximum


def test_gradients_match_tensorflow():
    # TF 1.x: tf.gradients(tf.abs(z[0]) + tf.angle(z[1]) + tf.real(z[2] * z[3]), z).
    tf_numbers = np.array([0.70710678 + 0.70710678j, 0.11764706 + 0.47058824j,
                           0.3 - 2.0j, -0.5 - 0.25j])
    with fg.Graph().as_default():
        z = fg.constant(Z)
        loss = fg.abs(z[0]) + fg.angle(z[1]) + fg.real(z[2] * z[3])
        got = _run(fg.gradients(loss, z)[0])
        # TF 1.x: the gradient of reduce_sum(cast(z, float64)) is 1 + 0j.
        cast_grad = _run(fg.gradients(fg.reduce_sum(fg.cast(z, fg.float64)), z)[0])
    np.testing.assert_allclose(got, tf_numbers, rtol=1e-7)
    np.testing.assert_array_equal(cast_grad, np.ones(4, np.complex128))


def _finite_difference(loss_fn, z, delta=1e-6):
    """dL/dx + i dL/dy by central differences on the real and imaginary parts."""
    grad = np.zeros(z.shape, np.complex128)
    for idx in np.ndindex(z.shape):
        for unit in (1.0, 1j):
            plus, minus = z.copy(), z.copy()
            plus[idx] += unit * delta
            minus[idx] -= unit * delta
            grad[idx] += unit * (loss_fn(plus) - loss_fn(minus)) / (2 * delta)
    return grad


W = np.array([0.7 - 0.2j, -1.1 + 0.4j, 0.3 + 0.9j, 1.2 + 0.1j])
BUILDERS = {
    "mul": (lambda z, w: z * w * z, lambda z, w: z * w * z),
    "div": (lambda z, w: w / z, lambda z, w: w / z),
    "sub_neg": (lambda z, w: -(z - w), lambda z, w: -(z - w)),
    "square": (lambda z, w: fg.square(z) * w, lambda z, w: z * z * w),
    "exp": (lambda z, w: fg.exp(z) * w, lambda z, w: np.exp(z) * w),
    "log": (lambda z, w: fg.log(z) * w, lambda z, w: np.log(z) * w),
    "sqrt": (lambda z, w: fg.sqrt(z) * w, lambda z, w: np.sqrt(z) * w),
    "mean": (lambda z, w: fg.reduce_mean(z * w, keepdims=True),
             lambda z, w: np.mean(z * w, keepdims=True)),
    "conj": (lambda z, w: fg.conj(z) * w, lambda z, w: np.conj(z) * w),
    "matmul": (lambda z, w: fg.matmul(fg.reshape(z, [2, 2]), fg.reshape(w, [2, 2])),
               lambda z, w: z.reshape(2, 2) @ w.reshape(2, 2)),
}


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_complex_gradient_by_finite_differences(name):
    build, reference = BUILDERS[name]

    def np_loss(z):
        out = reference(z, W)
        return float(np.sum(np.real(out)) + 0.5 * np.sum(np.imag(out) ** 2))

    with fg.Graph().as_default():
        z = fg.placeholder(fg.complex128, [4])
        out = build(z, fg.constant(W))
        loss = fg.reduce_sum(fg.real(out)) + 0.5 * fg.reduce_sum(fg.square(fg.imag(out)))
        grad = fg.gradients(loss, z)[0]
        got, value = _run([grad, loss], {z: Z})
    assert value == pytest.approx(np_loss(Z), rel=1e-12)
    np.testing.assert_allclose(got, _finite_difference(np_loss, Z), rtol=1e-6, atol=1e-8)


def test_checkpoint_and_graph_round_trip(tmp_path):
    prefix = os.path.join(str(tmp_path), "model")
    with fg.Graph().as_default():
        v = fg.Variable(np.array([1 + 2j, -3j], np.complex64), name="v")
        fg.constant(np.array([[0.5 - 1j]], np.complex128), name="c")
        fg.multiply(v, 2, name="out")
        saver = fg.train.Saver()
        with fg.Session() as sess:
            sess.run(fg.global_variables_initializer())
            saver.save(sess, prefix)
    with fg.Graph().as_default() as graph:
        saver = fg.train.import_meta_graph(prefix + ".meta")
        with fg.Session() as sess:
            saver.restore(sess, prefix)
            out, c, v = sess.run(["out:0", "c:0", "v:0"])
        assert graph.get_tensor_by_name("v:0").dtype == fg.complex64
    np.testing.assert_array_equal(out, np.array([2 + 4j, -6j], np.complex64))
    assert out.dtype == np.complex64 and c.dtype == np.complex128
    np.testing.assert_array_equal(c, [[0.5 - 1j]])
    np.testing.assert_array_equal(v, np.array([1 + 2j, -3j], np.complex64))
