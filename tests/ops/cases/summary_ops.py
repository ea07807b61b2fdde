"""Cases for the summary ops: the output protobuf bytes are parsed back (with tensorboardX's
classes) and compared with hand-computed values."""

import io
import struct
import wave
import zlib

import numpy as np
from tensorboardX.proto import summary_pb2

from flowgraph.ops.registry import apply_op
from flowgraph.ops.summary_ops import ScalarSummary
from flowgraph.summary import audio, histogram, image, merge, scalar, tensor_summary, text
from tests.ops.harness import OpCase

DBL_MAX = float(np.finfo(np.float64).max)


def parse(value) -> summary_pb2.Summary:
    return summary_pb2.Summary.FromString(bytes(np.asarray(value, dtype=object).item()))


def reference_limits() -> list:
    # TensorFlow's default histogram buckets, written out independently of flowgraph.
    pos = []
    v = 1e-12
    while v < 1e20:
        pos.append(v)
        v *= 1.1
    pos.append(DBL_MAX)
    return [-x for x in reversed(pos)] + [0.0] + pos


def decode_png(data: bytes) -> np.ndarray:
    """A minimal decoder for the filter-0, 8-bit, non-interlaced PNGs the op writes."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    w, h, depth, color = header[:4]
    channels = {0: 1, 2: 3, 6: 4}[color]
    assert depth == 8
    rows = np.frombuffer(zlib.decompress(idat), np.uint8).reshape(h, 1 + w * channels)
    assert not rows[:, 0].any(), "expected filter type 0 on every row"
    return rows[:, 1:].reshape(h, w, channels)


def decode_wav(data: bytes) -> tuple:
    with wave.open(io.BytesIO(data), "rb") as f:
        frames = np.frombuffer(f.readframes(f.getnframes()), "<i2")
        return f.getframerate(), f.getnchannels(), frames.reshape(-1, f.getnchannels())


# --------------------------------------------------------------------------- checks
def check_scalar(tag, expected):
    def check(values, inputs):
        (v,) = parse(values[0]).value
        assert v.tag == tag and v.WhichOneof("value") == "simple_value"
        np.testing.assert_allclose(v.simple_value, expected, rtol=1e-6)
    return check


def check_scalar_vector(values, inputs):
    got = [(v.tag, v.simple_value) for v in parse(values[0]).value]
    assert got == [("a", 1.5), ("b", -2.0)], got


def check_histogram(tag, lo, hi, num, total, squares, limits, counts):
    def check(values, inputs):
        (v,) = parse(values[0]).value
        h = v.histo
        assert v.tag == tag
        assert (h.min, h.max, h.num) == (lo, hi, num)
        np.testing.assert_allclose([h.sum, h.sum_squares], [total, squares], rtol=1e-12)
        np.testing.assert_array_equal(list(h.bucket_limit), limits)
        np.testing.assert_array_equal(list(h.bucket), counts)
    return check


LIMITS = reference_limits()
ONE = next(x for x in LIMITS if x > 1.0)  # the bucket that counts the value 1.0
MINUS_TWO = next(x for x in LIMITS if x > -2.0)
BELOW_MINUS_TWO = LIMITS[LIMITS.index(MINUS_TWO) - 1]
BELOW_ONE = LIMITS[LIMITS.index(ONE) - 1]


def check_images(tags, pixels):
    def check(values, inputs):
        got = parse(values[0]).value
        assert [v.tag for v in got] == tags
        for v, want in zip(got, pixels):
            want = np.asarray(want, np.uint8)
            assert (v.image.height, v.image.width, v.image.colorspace) == want.shape
            np.testing.assert_array_equal(decode_png(v.image.encoded_image_string), want)
    return check


def check_audio(tags, rate, clips):
    def check(values, inputs):
        got = parse(values[0]).value
        assert [v.tag for v in got] == tags
        for v, want in zip(got, clips):
            want = np.asarray(want, np.int16)
            a = v.audio
            assert (a.sample_rate, a.num_channels, a.length_frames) == (rate, want.shape[1],
                                                                        want.shape[0])
            assert a.content_type == "audio/wav"
            got_rate, channels, samples = decode_wav(a.encoded_audio_string)
            assert (got_rate, channels) == (rate, want.shape[1])
            np.testing.assert_array_equal(samples, want)
    return check


def check_text(values, inputs):
    (v,) = parse(values[0]).value
    assert v.tag == "notes"
    assert v.metadata.plugin_data.plugin_name == "text"
    t = v.tensor
    assert t.dtype == 7  # DT_STRING
    assert [d.size for d in t.tensor_shape.dim] == [2]
    assert list(t.string_val) == [b"hello", b"**world**"]


def check_tensor(values, inputs):
    (v,) = parse(values[0]).value
    t = v.tensor
    assert v.tag == "weights" and v.metadata.display_name == "W"
    assert v.metadata.summary_description == "the weights"
    assert t.dtype == 3  # DT_INT32
    assert [d.size for d in t.tensor_shape.dim] == [2, 2]
    np.testing.assert_array_equal(np.frombuffer(t.tensor_content, "<i4"), [1, -2, 3, 40000])


def summary_bytes(*pairs) -> np.ndarray:
    s = summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag=t, simple_value=v)
                                   for t, v in pairs])
    return np.array(s.SerializeToString(), dtype=object)


def check_merge(values, inputs):
    got = [(v.tag, v.simple_value) for v in parse(values[0]).value]
    assert got == [("a", 1.0), ("b", 2.0), ("c", 3.0)], got


GRAY = np.array([[[[0], [10]], [[200], [255]]]], dtype=np.uint8)  # [1, 2, 2, 1]
RGB = np.arange(2 * 1 * 2 * 3, dtype=np.uint8).reshape(2, 1, 2, 3) * 10
FLOAT_POS = np.array([[[[0.0], [0.5]], [[1.0], [np.nan]]]], dtype=np.float32)
FLOAT_NEG = np.array([[[[-1.0, 0.0, 0.5]]]], dtype=np.float64)  # [1, 1, 1, 3]
RGBA = np.zeros((1, 1, 1, 4), dtype=np.float32)

CASES = [
    # -- ScalarSummary
    OpCase("ScalarSummary", lambda x: scalar("loss", x), [np.float32(2.5)],
           check=check_scalar("loss", 2.5)),
    OpCase("ScalarSummary", lambda x: scalar("steps", x, family="train"), [np.int32(-7)],
           check=check_scalar("train/train/steps", -7.0), name="int_family"),
    OpCase("ScalarSummary", lambda x: scalar("big", x), [np.float64(1e30)],
           check=check_scalar("big", 1e30), name="float64"),
    OpCase("ScalarSummary", lambda t, x: apply_op(ScalarSummary(), [t, x]),
           [np.array([b"a", b"b"], dtype=object), np.array([1.5, -2.0], dtype=np.float32)],
           check=check_scalar_vector, name="vector"),
    # -- HistogramSummary: runs of empty buckets collapse to their last limit
    OpCase("HistogramSummary", lambda x: histogram("h", x), [np.zeros((1,), np.float32)],
           check=check_histogram("h", 0.0, 0.0, 1.0, 0.0, 0.0, [0.0, 1e-12, DBL_MAX],
                                 [0.0, 1.0, 0.0])),
    OpCase("HistogramSummary", lambda x: histogram("w", x),
           [np.array([[1.0, -2.0], [1.0, 1.0]], np.float64)],
           check=check_histogram("w", -2.0, 1.0, 4.0, 1.0, 7.0,
                                 [BELOW_MINUS_TWO, MINUS_TWO, BELOW_ONE, ONE, DBL_MAX],
                                 [0.0, 1.0, 0.0, 3.0, 0.0]), name="mixed"),
    OpCase("HistogramSummary", lambda x: histogram("e", x), [np.zeros((0, 3), np.int32)],
           check=check_histogram("e", DBL_MAX, -DBL_MAX, 0.0, 0.0, 0.0, [DBL_MAX], [0.0]),
           name="empty"),
    # -- ImageSummary
    OpCase("ImageSummary", lambda x: image("pic", x, max_outputs=1), [GRAY],
           check=check_images(["pic/image"], [GRAY[0]])),
    OpCase("ImageSummary", lambda x: image("rgb", x), [RGB],
           check=check_images(["rgb/image/0", "rgb/image/1"], [RGB[0], RGB[1]]),
           name="rgb_batch"),
    OpCase("ImageSummary", lambda x: image("one", x, max_outputs=3), [np.concatenate([RGB] * 2)],
           check=check_images(["one/image/0", "one/image/1", "one/image/2"],
                              [RGB[0], RGB[1], RGB[0]]), name="max_outputs"),
    OpCase("ImageSummary", lambda x: image("f", x, max_outputs=1), [FLOAT_POS],
           check=check_images(["f/image"], [[[[0], [127]], [[255], [255]]]]),
           name="float_positive_nan"),
    OpCase("ImageSummary", lambda x: image("n", x, max_outputs=1), [FLOAT_NEG],
           check=check_images(["n/image"], [[[[1, 128, 191]]]]), name="float_negative"),
    OpCase("ImageSummary", lambda x: image("z", x, max_outputs=1), [RGBA],
           check=check_images(["z/image"], [[[[0, 0, 0, 0]]]]), name="rgba_zeros"),
    # -- AudioSummaryV2
    OpCase("AudioSummaryV2", lambda x: audio("snd", x, 8000, max_outputs=1),
           [np.array([[0.0, 0.5, -1.0, 1.5]], np.float32)],
           check=check_audio(["snd/audio"], 8000, [[[0], [16384], [-32768], [32767]]])),
    OpCase("AudioSummaryV2", lambda x: audio("st", x, 16000.0),
           [np.array([[[0.25, -0.25]], [[0.0, 1.0]]], np.float32)],
           check=check_audio(["st/audio/0", "st/audio/1"], 16000,
                             [[[8192, -8192]], [[0, 32767]]]), name="stereo_batch"),
    # -- TensorSummaryV2 (text and general tensors)
    OpCase("TensorSummaryV2", lambda s: text("notes", s),
           [np.array([b"hello", b"**world**"], dtype=object)], check=check_text),
    OpCase("TensorSummaryV2",
           lambda x: tensor_summary("weights", x, summary_description="the weights",
                                    display_name="W"),
           [np.array([[1, -2], [3, 40000]], np.int32)], check=check_tensor, name="int32"),
    # -- MergeSummary
    OpCase("MergeSummary", lambda a, b: merge([a, b]),
           [summary_bytes(("a", 1.0), ("b", 2.0)), summary_bytes(("c", 3.0))],
           check=check_merge),
    OpCase("MergeSummary", lambda a: merge([a, scalar("c", 3.0)]),
           [np.array([summary_bytes(("a", 1.0)).item(), summary_bytes(("b", 2.0)).item()],
                     dtype=object)],
           check=check_merge, name="vector_input"),
]
