"""fg.signal's framing, windows, STFT, DCT and mel helpers. Window, mel-matrix, STFT and MFCC
values are TensorFlow 1.x numbers (tf.compat.v1 in TF 2.21) hard-coded; frames, overlap-add
and DCTs are checked against numpy written here (scipy.fft for the DCT)."""

import numpy as np
import pytest

import flowgraph as fg

SIGNAL = np.sin(np.arange(20) * 0.3).astype(np.float32)


def _run(fetches, feeds=None):
    with fg.Session() as sess:
        return sess.run(fetches, feeds)


@pytest.mark.parametrize("fn,length,periodic,expected", [
    ("hann_window", 5, True, [0.0, 0.5, 1.0, 0.5, 0.0]),
    ("hann_window", 6, True, [0.0, 0.25, 0.75, 1.0, 0.74999994, 0.24999982]),
    ("hamming_window", 6, True, [0.08000001, 0.31000003, 0.77000004, 1.0, 0.77, 0.30999985]),
    ("hamming_window", 5, False, [0.08000001, 0.54, 1.0, 0.54, 0.08000001]),
    ("hann_window", 1, True, [1.0]),
])
def test_windows_match_tensorflow(fn, length, periodic, expected):
    with fg.Graph().as_default():
        window = getattr(fg.signal, fn)(length, periodic)
        assert window.dtype == fg.float32
        np.testing.assert_allclose(_run(window), expected, rtol=1e-6, atol=1e-6)


def test_symmetric_window_and_dtype():
    n = np.arange(6)
    with fg.Graph().as_default():
        got = _run(fg.signal.hann_window(6, periodic=False, dtype=fg.float64))
        with pytest.raises(ValueError, match="floating point"):
            fg.signal.hann_window(4, dtype=fg.int32)
    np.testing.assert_allclose(got, 0.5 - 0.5 * np.cos(2 * np.pi * n / 5), atol=1e-12)


def test_frame_against_numpy():
    x = np.arange(30, dtype=np.float32).reshape(3, 10)
    with fg.Graph().as_default():
        plain = fg.signal.frame(x, 4, 3)
        padded = fg.signal.frame(x, 4, 3, pad_end=True, pad_value=-1)
        on_axis0 = fg.signal.frame(x.T, 4, 3, axis=0)
        assert plain.shape.as_list() == [3, 3, 4] and padded.shape.as_list() == [3, 4, 4]
        got = _run([plain, padded, on_axis0])
    want = np.stack([x[:, s:s + 4] for s in (0, 3, 6)], axis=1)
    np.testing.assert_array_equal(got[0], want)
    tail = np.concatenate([x[:, 9:10], -np.ones((3, 3), np.float32)], axis=1)
    np.testing.assert_array_equal(got[1], np.concatenate([want, tail[:, None]], axis=1))
    np.testing.assert_array_equal(got[2], np.stack([x.T[s:s + 4] for s in (0, 3, 6)], 0))


def test_frame_dynamic_length():
    holder = None
    with fg.Graph().as_default():
        holder = fg.placeholder(fg.float32, [None])
        out = fg.signal.frame(holder, 4, 3, pad_end=True)
        got = _run(out, {holder: SIGNAL[:7]})
    want = [SIGNAL[0:4], SIGNAL[3:7], np.concatenate([SIGNAL[6:7], np.zeros(3, np.float32)])]
    np.testing.assert_array_equal(got, want)


def test_overlap_and_add_against_numpy():
    frames = np.arange(2 * 4 * 5, dtype=np.float64).reshape(2, 4, 5)
    want = np.zeros((2, 3 * 2 + 5))
    for f in range(4):
        want[:, 2 * f:2 * f + 5] += frames[:, f]
    with fg.Graph().as_default():
        out = fg.signal.overlap_and_add(frames, 2)
        assert out.shape.as_list() == [2, 11]
        np.testing.assert_array_equal(_run(out), want)


def test_stft_matches_tensorflow_and_round_trips():
    with fg.Graph().as_default():
        stfts = fg.signal.stft(SIGNAL, 8, 4)
        assert stfts.shape.as_list() == [4, 5] and stfts.dtype == fg.complex64
        assert fg.signal.stft(SIGNAL, 8, 4, fft_length=16, pad_end=True).shape.as_list() == \
            [5, 9]
        inverse = fg.signal.inverse_stft(
            fg.signal.stft(SIGNAL, 8, 2), 8, 2,
            window_fn=fg.signal.inverse_stft_window_fn(2))
        got, back = _run([stfts, inverse])
    tf_row1 = [2.4575124 + 0j, -1.3674437 - 0.79903924j, 0.11797941 + 0.20282269j,
               0.016517282 + 0.033688396j, 0.008381724 + 0j]
    np.testing.assert_allclose(got[1], tf_row1, rtol=1e-5, atol=1e-6)
    # Away from the ends (which fewer frames cover), the inverse restores the signal.
    np.testing.assert_allclose(back[6:14], SIGNAL[6:14], atol=1e-6)


def test_stft_gradient_by_finite_differences():
    x = np.cos(np.arange(12) * 0.7)
    weights = np.linspace(0.5, 1.5, 3 * 5).reshape(3, 5)

    def np_loss(v):
        frames = np.stack([v[s:s + 6] for s in (0, 3, 6)])
        window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(6) / 6)
        spec = np.fft.rfft(frames * window, 8)
        return float(np.sum(weights * np.abs(spec) ** 2))

    with fg.Graph().as_default():
        holder = fg.placeholder(fg.float64, [12])
        spec = fg.signal.stft(holder, 6, 3, window_fn=lambda n, dtype: fg.signal.hann_window(
            n, dtype=dtype))
        loss = fg.reduce_sum(fg.constant(weights) * fg.square(fg.abs(spec)))
        grad = fg.convert_to_tensor(fg.gradients(loss, holder)[0])  # gather: IndexedSlices
        got, value = _run([grad, loss], {holder: x})
    assert value == pytest.approx(np_loss(x), rel=1e-10)
    numeric = np.zeros(12)
    for i in range(12):
        step = np.zeros(12)
        step[i] = 1e-6
        numeric[i] = (np_loss(x + step) - np_loss(x - step)) / 2e-6
    np.testing.assert_allclose(got, numeric, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("dct_type,norm", [(1, None), (2, None), (2, "ortho"), (3, None),
                                           (3, "ortho")])
def test_dct_and_idct_against_scipy(dct_type, norm):
    # TF1 documents its DCTs as scipy.fftpack's (whose idct is not normalized).
    import scipy.fftpack as scipy_fft
    x = np.random.default_rng(3).normal(size=(3, 8))
    with fg.Graph().as_default():
        got = _run([fg.signal.dct(x, type=dct_type, norm=norm),
                    fg.signal.idct(x, type=dct_type, norm=norm),
                    fg.signal.dct(x, type=dct_type, n=6, norm=norm)])
    np.testing.assert_allclose(got[0], scipy_fft.dct(x, dct_type, norm=norm), atol=1e-10)
    np.testing.assert_allclose(got[1], scipy_fft.idct(x, dct_type, norm=norm), atol=1e-10)
    np.testing.assert_allclose(got[2], scipy_fft.dct(x[:, :6], dct_type, norm=norm),
                               atol=1e-10)


def test_dct_errors():
    with fg.Graph().as_default():
        with pytest.raises(ValueError, match="Types I, II and III"):
            fg.signal.dct(np.ones(4), type=4)
        with pytest.raises(NotImplementedError, match="axis must be -1"):
            fg.signal.dct(np.ones((2, 4)), axis=0)
        with pytest.raises(ValueError, match="Unknown normalization"):
            fg.signal.dct(np.ones(4), norm="forward")


def test_mel_weight_matrix_matches_tensorflow():
    tf_small = np.array([
        [0.0, 0.0, 0.0, 0.0],
        [0.89565384, 0.10434615, 0.0, 0.0],
        [0.0, 0.8690782, 0.13092178, 0.0],
        [0.0, 0.1091703, 0.8908297, 0.0],
        [0.0, 0.0, 0.505573, 0.49442706],
        [0.0, 0.0, 0.004824332, 0.99517566],
        [0.0, 0.0, 0.0, 0.5769244],
        [0.0, 0.0, 0.0, 0.20334473],
        [0.0, 0.0, 0.0, 0.0]])
    tf_default_sums = [2.2854714, 2.4851954, 2.7095313, 2.9776318, 3.2053006, 3.4202042,
                       3.7764494, 4.096006, 4.393706, 4.7897706, 5.1877155, 5.6169157,
                       6.1225863, 6.594092, 7.1700454, 7.7694526, 8.434293, 9.121259,
                       9.916669, 10.728545]
    with fg.Graph().as_default():
        small = fg.signal.linear_to_mel_weight_matrix(4, 9, 8000, 125.0, 3800.0)
        default = fg.signal.linear_to_mel_weight_matrix()
        assert default.shape.as_list() == [129, 20] and default.dtype == fg.float32
        got_small, got_default = _run([small, default])
        with pytest.raises(ValueError, match="Nyquist"):
            fg.signal.linear_to_mel_weight_matrix(upper_edge_hertz=5000.0)
        with pytest.raises(ValueError, match="num_mel_bins must be positive"):
            fg.signal.linear_to_mel_weight_matrix(num_mel_bins=0)
    np.testing.assert_allclose(got_small, tf_small, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got_default.sum(0), tf_default_sums, rtol=1e-5)


def test_mfccs_match_tensorflow():
    log_mel = np.array([[1.0, 2.0, 0.5, -1.0, 3.0]], np.float32)
    with fg.Graph().as_default():
        got = _run(fg.signal.mfccs_from_log_mel_spectrograms(log_mel))
    np.testing.assert_allclose(got, [[3.4785054, -0.08775781, 1.5350019, -2.547999,
                                      0.58631855]], rtol=1e-5, atol=1e-6)
