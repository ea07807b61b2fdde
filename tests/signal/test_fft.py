"""fg.signal / fg.spectral FFTs against numpy.fft; gradients against TensorFlow 1.x numbers
(hard-coded) and central finite differences."""

import numpy as np
import pytest

import flowgraph as fg

RNG = np.random.default_rng(5)
Z = RNG.normal(size=(2, 3, 4)) + 1j * RNG.normal(size=(2, 3, 4))
X = RNG.normal(size=(2, 3, 7))


def _run(fetches, feeds=None):
    with fg.Session() as sess:
        return sess.run(fetches, feeds)


def test_top_level_and_spectral_aliases():
    assert fg.fft is fg.signal.fft and fg.ifft3d is fg.signal.ifft3d
    assert fg.spectral.rfft is fg.signal.rfft and fg.spectral.dct is fg.signal.dct
    assert not hasattr(fg.spectral, "stft")  # TF1's tf.spectral has FFTs and DCTs only


@pytest.mark.parametrize("name,reference", [
    ("fft", np.fft.fft), ("ifft", np.fft.ifft), ("fft2d", np.fft.fft2),
    ("ifft2d", np.fft.ifft2), ("fft3d", np.fft.fftn), ("ifft3d", np.fft.ifftn)])
def test_complex_ffts(name, reference):
    with fg.Graph().as_default():
        for dtype in (np.complex64, np.complex128):
            holder = fg.placeholder(dtype, [None, 3, 4])
            out = getattr(fg.signal, name)(holder)
            assert out.dtype == fg.as_dtype(dtype)
            assert out.op.name == name.upper() or out.op.name.startswith(name.upper() + "_")
            got = _run(out, {holder: Z.astype(dtype)})
            assert got.dtype == dtype
            tol = 1e-5 if dtype == np.complex64 else 1e-12
            np.testing.assert_allclose(got, reference(Z), rtol=tol, atol=tol)


@pytest.mark.parametrize("rank", [1, 2, 3])
@pytest.mark.parametrize("lengths", ["default", "pad", "crop"])
def test_rfft_and_irfft(rank, lengths):
    axes = tuple(range(-rank, 0))
    inner = X.shape[-rank:]
    fft_length = {"default": None, "pad": [n + 2 for n in inner],
                  "crop": [max(1, n - 1) for n in inner]}[lengths]
    suffix = "" if rank == 1 else f"{rank}d"
    rfft = getattr(fg.signal, "rfft" + suffix)
    irfft = getattr(fg.signal, "irfft" + suffix)
    with fg.Graph().as_default():
        holder = fg.placeholder(fg.float64, X.shape)
        spectrum = rfft(holder, fft_length)
        assert spectrum.op.name == "rfft" + suffix and spectrum.dtype == fg.complex128
        back = irfft(fg.constant(Z[..., :3] if rank == 1 else Z), fft_length)
        assert back.dtype == fg.float64
        got_spectrum, got_back = _run([spectrum, back], {holder: X})
    np.testing.assert_allclose(got_spectrum, np.fft.rfftn(X, s=fft_length, axes=axes),
                               rtol=1e-12, atol=1e-12)
    zin = Z[..., :3] if rank == 1 else Z
    if fft_length is None:
        s = list(zin.shape[-rank:])
        s[-1] = 2 * (s[-1] - 1)
    else:
        s = fft_length
    np.testing.assert_allclose(got_back, np.fft.irfftn(zin, s=s, axes=axes), rtol=1e-12,
                               atol=1e-12)
    assert got_spectrum.shape == np.fft.rfftn(X, s=fft_length, axes=axes).shape


def test_rfft_float32_gives_complex64_and_static_shape():
    with fg.Graph().as_default():
        out = fg.signal.rfft(fg.placeholder(fg.float32, [5, 10]), fft_length=[16])
        assert out.dtype == fg.complex64 and out.shape.as_list() == [5, 9]
        inv = fg.signal.irfft(fg.placeholder(fg.complex64, [5, 9]))
        assert inv.dtype == fg.float32 and inv.shape.as_list() == [5, 16]


def test_dynamic_shapes_infer_fft_length_at_run_time():
    with fg.Graph().as_default():
        holder = fg.placeholder(fg.float64, [None, None])
        out = fg.signal.irfft(fg.signal.rfft(holder))
        got = _run(out, {holder: X[0, :, :6]})
    np.testing.assert_allclose(got, X[0, :, :6], atol=1e-12)


def test_bad_inputs():
    with fg.Graph().as_default():
        with pytest.raises(TypeError, match="complex64 or complex128"):
            fg.signal.fft(fg.constant([1.0, 2.0]))
        with pytest.raises(TypeError, match="float32 or float64"):
            fg.signal.rfft(fg.constant([1, 2]))
        with pytest.raises(ValueError, match="at least rank 2"):
            fg.signal.fft2d(fg.constant([1j, 2j]))
        with pytest.raises(ValueError, match="vector of 2 lengths"):
            fg.signal.rfft2d(fg.constant([[1.0, 2.0]]), fft_length=[2])
        with pytest.raises(ValueError, match="non-negative"):
            fg.signal.rfft(fg.constant([1.0, 2.0]), fft_length=[-1])
        lengths = fg.placeholder(fg.int32, [1])
        out = fg.signal.rfft(fg.constant([1.0, 2.0]), fft_length=lengths)
        with pytest.raises(fg.errors.InvalidArgumentError, match="non-negative"):
            _run(out, {lengths: [-3]})


def test_gradients_match_tensorflow():
    # TF 1.x numbers (tf.compat.v1 in TF 2.21) for the same graphs.
    rr_value = np.array([1.0, 2.0, -1.0, 0.5, 3.0, 0.25])
    w_value = np.array([0.3 - 1j, 2 + 0.5j, -1.5 + 2j, 0.7 + 0.1j])
    z_value = np.array([1 + 1j, 2 - 0.5j, -0.5 + 0.25j, 0.3 + 2j])
    with fg.Graph().as_default():
        rr = fg.constant(rr_value)
        z = fg.constant(z_value)
        loss1 = fg.reduce_sum(fg.real(fg.signal.rfft(rr, [6]) * fg.constant(w_value)))
        loss2 = fg.reduce_sum(fg.signal.irfft(z, [6]) * rr)
        g1, g2 = _run([fg.gradients(loss1, rr)[0], fg.gradients(loss2, z)[0]])
    np.testing.assert_allclose(g1, [1.5, 3.51506351, -0.54903811, -3.9, 2.04903811,
                                    -0.81506351], rtol=1e-7)
    np.testing.assert_allclose(g2, [0.95833333 + 0j, 0.20833333 + 0.64951905j,
                                    -0.20833333 - 1.65988202j, 0.04166667 + 0j], rtol=1e-6)


def _numeric_gradient(fn, x, delta=1e-6):
    grad = np.zeros(x.shape, dtype=x.dtype)
    units = (1.0, 1j) if np.iscomplexobj(x) else (1.0,)
    for idx in np.ndindex(x.shape):
        for unit in units:
            plus, minus = x.copy(), x.copy()
            plus[idx] += unit * delta
            minus[idx] -= unit * delta
            grad[idx] += unit * (fn(plus) - fn(minus)) / (2 * delta)
    return grad


LOSS_W = RNG.uniform(0.5, 1.5, size=(2, 3, 8))


@pytest.mark.parametrize("case", ["fft2d", "ifft3d", "rfft-pad", "rfft2d-crop", "irfft-odd",
                                  "irfft2d-crop-pad"])
def test_gradients_by_finite_differences(case):
    """A real loss sum(w * |f(x)|^2) style objective: finite differences on the real and
    imaginary parts of complex inputs separately."""
    specs = {
        "fft2d": (Z, lambda t: fg.signal.fft2d(t), lambda v: np.fft.fft2(v)),
        "ifft3d": (Z, lambda t: fg.signal.ifft3d(t), lambda v: np.fft.ifftn(v)),
        "rfft-pad": (X, lambda t: fg.signal.rfft(t, [9]), lambda v: np.fft.rfft(v, 9)),
        "rfft2d-crop": (X, lambda t: fg.signal.rfft2d(t, [2, 6]),
                        lambda v: np.fft.rfftn(v, s=[2, 6], axes=(-2, -1))),
        "irfft-odd": (Z, lambda t: fg.signal.irfft(t, [7]), lambda v: np.fft.irfft(v, 7)),
        "irfft2d-crop-pad": (Z, lambda t: fg.signal.irfft2d(t, [2, 8]),
                             lambda v: np.fft.irfftn(v, s=[2, 8], axes=(-2, -1))),
    }
    value, build, reference = specs[case]

    def objective(out, w):
        return np.sum(w * np.real(out)) + np.sum(np.imag(out) ** 2)

    def np_loss(v):
        out = reference(v)
        return float(objective(out, LOSS_W[tuple(slice(0, n) for n in out.shape)]))

    with fg.Graph().as_default():
        holder = fg.placeholder(fg.as_dtype(value.dtype), value.shape)
        out = build(holder)
        w = LOSS_W[tuple(slice(0, n) for n in out.shape.as_list())]
        loss = fg.reduce_sum(fg.constant(w) * fg.real(out)) + \
            fg.reduce_sum(fg.square(fg.imag(out)))
        got = _run(fg.gradients(loss, holder)[0], {holder: value})
    np.testing.assert_allclose(got, _numeric_gradient(np_loss, value), rtol=1e-5, atol=1e-6)
