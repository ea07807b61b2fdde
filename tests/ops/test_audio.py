"""tf.audio.decode_wav / encode_wav. Expected values and error messages come from running
the same bytes through TensorFlow (tf.compat.v1); WAV inputs are built with Python's `wave`
module, independently of flowgraph's encoder."""

import io
import struct
import wave

import numpy as np
import pytest

import flowgraph as fg
from flowgraph import errors

PCM = np.array([[0, 1], [-32768, 32767], [16384, -16384]], np.int16)
AUDIO = np.array([[0.0, 3.0517578e-05], [-1.0, 0.99996948], [0.5, -0.5]], np.float32)


def wav(channels, rate, data, bits=16):
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(bits // 8)
        out.setframerate(rate)
        out.writeframes(data)
    return buffer.getvalue()


STEREO = wav(2, 8000, PCM.tobytes())
MONO = wav(1, 44100, PCM[:, 0].copy().tobytes())


def run(t):
    with fg.Session(graph=t[0].graph if isinstance(t, tuple) else t.graph) as sess:
        return sess.run(t)


def test_decode_wav_matches_tf():
    with fg.Graph().as_default():
        out = fg.audio.decode_wav(STEREO)
        assert out.audio.dtype == fg.float32 and out.sample_rate.dtype == fg.int32
        assert out.audio.shape.as_list() == [None, None] and out.sample_rate.shape.ndims == 0
        audio, rate = run(out)
        np.testing.assert_allclose(audio, AUDIO, rtol=1e-7)
        np.testing.assert_array_equal(audio, PCM.astype(np.float32) / 32768)  # exact scaling
        assert rate == 8000 and rate.dtype == np.int32
        one = fg.audio.decode_wav(STEREO, desired_channels=1)
        assert one.audio.shape.as_list() == [None, 1]
        np.testing.assert_array_equal(run(one.audio), [[0.0], [-1.0], [0.5]])
        three = fg.audio.decode_wav(STEREO, desired_channels=3)  # the last channel repeats
        np.testing.assert_array_equal(run(three.audio), AUDIO[:, [0, 1, 1]])
        padded = fg.audio.decode_wav(MONO, desired_channels=2, desired_samples=5)
        assert padded.audio.shape.as_list() == [5, 2]
        audio, rate = run(padded)
        np.testing.assert_array_equal(audio, [[0, 0], [-1, -1], [0.5, 0.5], [0, 0], [0, 0]])
        assert rate == 44100
        short = fg.audio.decode_wav(MONO, desired_samples=2)
        assert short.audio.shape.as_list() == [2, None]
        np.testing.assert_array_equal(run(short.audio), [[0.0], [-1.0]])
        assert run(fg.audio.decode_wav(MONO, desired_channels=0).audio).shape == (3, 0)


def test_decode_wav_skips_other_chunks_and_reads_fmt_18():
    extra = STEREO[:36] + b"LIST" + struct.pack("<I", 4) + b"abcd" + STEREO[36:]
    fmt18 = (STEREO[:16] + struct.pack("<I", 18) + STEREO[20:36] + b"\x00\x00" + STEREO[36:])
    with fg.Graph().as_default():
        for data in (extra, fmt18):
            np.testing.assert_array_equal(run(fg.audio.decode_wav(data).audio), AUDIO)


@pytest.mark.parametrize("data,message", [
    (STEREO[:-1], "Data too short when trying to read string"),
    (STEREO[:20], "Data too short when trying to read string"),
    (b"", "Data too short when trying to read string"),
    (b"RIFX" + STEREO[4:], "Header mismatch: Expected RIFF but found RIFX"),
    (wav(1, 8000, b"\x00\x01\x02", bits=8), "Can only read 16-bit WAV files, but received 8"),
    (wav(1, 8000, b"\x00" * 6, bits=24), "Can only read 16-bit WAV files, but received 24"),
    # A 3-byte chunk followed by a pad byte: TF skips exactly 3 bytes and loses the data.
    (STEREO[:36] + b"LIST" + struct.pack("<I", 3) + b"abc\x00" + STEREO[36:],
     "No data chunk found in WAV"),
])
def test_decode_wav_bad_data(data, message):
    with fg.Graph().as_default():
        with pytest.raises(errors.InvalidArgumentError, match=message):
            run(fg.audio.decode_wav(data))


def test_decode_wav_build_errors():
    with fg.Graph().as_default():
        with pytest.raises(ValueError, match="scalar"):
            fg.audio.decode_wav([STEREO])
        with pytest.raises(ValueError, match="desired_channels"):
            fg.audio.decode_wav(STEREO, desired_channels=-2)


ENCODED = (b"RIFF8\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x02\x00\x80>\x00\x00\x00\xfa"
           b"\x00\x00\x04\x00\x10\x00data\x14\x00\x00\x00\x00\x00\x00@\x00\x80\xff\x7f\xff"
           b"\x7f\xff\xff\xff\x7f\x00\x80\x01\x00\x00\x00")


def test_encode_wav_matches_tf():
    samples = [[0.0, 0.5], [-1.0, 1.0], [0.99999, -0.00002], [2.0, -3.0], [0.000016, -0.000015]]
    with fg.Graph().as_default():
        out = fg.audio.encode_wav(samples, 16000)
        assert out.dtype == fg.string and out.shape.ndims == 0
        assert run(out) == ENCODED
        assert run(fg.audio.encode_wav(fg.zeros([0, 1]), 8000)) == (
            b"RIFF$\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00@\x1f\x00\x00\x80>\x00"
            b"\x00\x02\x00\x10\x00data\x00\x00\x00\x00")
        assert run(fg.audio.encode_wav([[np.nan], [np.inf]], 8000)) == (
            b"RIFF(\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00@\x1f\x00\x00\x80>\x00"
            b"\x00\x02\x00\x10\x00data\x04\x00\x00\x00\x00\x00\xff\x7f")


def test_encode_then_decode_round_trips():
    rng = np.random.default_rng(0)
    pcm = rng.integers(-32768, 32768, size=(50, 3)).astype(np.int16)
    with fg.Graph().as_default():
        encoded = fg.audio.encode_wav(pcm.astype(np.float32) / 32768, 22050)
        audio, rate = run(fg.audio.decode_wav(encoded))
        np.testing.assert_array_equal(audio * 32768, pcm)
        assert rate == 22050
        assert run(encoded) == wav(3, 22050, pcm.tobytes())


def test_encode_wav_errors():
    with fg.Graph().as_default():
        with pytest.raises(ValueError, match="2-D"):
            fg.audio.encode_wav(fg.zeros([3]), 8000)
        with pytest.raises(ValueError, match="scalar"):
            fg.audio.encode_wav(fg.zeros([2, 1]), [8000])
        with pytest.raises(errors.InvalidArgumentError, match="sample_rate must be in"):
            run(fg.audio.encode_wav(fg.zeros([2, 1]), -1))
        with pytest.raises(errors.InvalidArgumentError, match="at least one channel"):
            run(fg.audio.encode_wav(fg.zeros([2, 0]), 8000))
