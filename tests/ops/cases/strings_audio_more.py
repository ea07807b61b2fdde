"""Cases for strings_more.py, audio.py and decode_more.py. Every expected value is a literal
produced by running the same inputs through TensorFlow (tf.compat.v1) itself."""

import gzip
import zlib

import numpy as np

from flowgraph.ops import audio, decode_more, strings_more
from tests.ops.harness import OpCase


def S(*items):  # noqa: N802 - object arrays of bytes
    return np.array([i if isinstance(i, bytes) else i.encode("utf-8") for i in items],
                    dtype=object)


WORDS = S("Hello", "TensorFlow", "2.x")
# Two frames of 2-channel 16-bit PCM at 8000 Hz: [[0, 1], [-32768, 32767], [16384, -16384]].
WAV = (b"RIFF0\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x02\x00@\x1f\x00\x00\x00}\x00\x00"
       b"\x04\x00\x10\x00data\x0c\x00\x00\x00\x00\x00\x01\x00\x00\x80\xff\x7f\x00@\x00\xc0")
WAV_AUDIO = np.array([[0.0, 1 / 32768], [-1.0, 32767 / 32768], [0.5, -0.5]], np.float32)
ENCODED = (b"RIFF8\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x02\x00\x80>\x00\x00\x00\xfa"
           b"\x00\x00\x04\x00\x10\x00data\x14\x00\x00\x00\x00\x00\x00@\x00\x80\xff\x7f\xff"
           b"\x7f\xff\xff\xff\x7f\x00\x80\x01\x00\x00\x00")
EXAMPLE_JSON = ('{"features": {"feature": {"b": {"int64List": {"value": ["1", 2, "-3"]}}, '
                '"a": {"floatList": {"value": [1.5, "NaN", 2]}}, '
                '"c": {"bytesList": {"value": ["aGVsbG8=", ""]}}}}}')
EXAMPLE_BYTES = (b"\nB\n\x16\n\x01b\x12\x11\x1a\x0f\x08\x01\x08\x02\x08\xfd\xff\xff\xff\xff\xff"
                 b"\xff\xff\xff\x01\n\x16\n\x01a\x12\x11\x12\x0f\r\x00\x00\xc0?\r\x00\x00\xc0"
                 b"\x7f\r\x00\x00\x00@\n\x10\n\x01c\x12\x0b\n\t\n\x05hello\n\x00")



def _encoded_check(values, inputs):
    # Compared as bytes: a numpy "S" array would drop the trailing zero bytes of the WAV.
    got = values[0]
    assert (got.item() if isinstance(got, np.ndarray) else got) == ENCODED



def _json_check(values, inputs):
    assert list(values[0]) == [EXAMPLE_BYTES, b"", b"\n\x00"]


CASES = [
    # TF: tf.strings.to_hash_bucket(["Hello", "TensorFlow", "2.x"], 3) -> [2, 0, 1].
    OpCase("StringToHashBucket", lambda s: strings_more.string_to_hash_bucket(s, 3), [WORDS],
           expected=np.array([2, 0, 1], np.int64)),
    OpCase("StringToHashBucket", lambda s: strings_more.string_to_hash_bucket(s, 10),
           [np.array([[b""], [b"abcdefgh"], [b"abcdefghi"]], dtype=object)],
           expected=np.array([[9], [6], [1]], np.int64), name="rank2"),
    # TF docs: to_hash_bucket_strong(["Hello", "TensorFlow", "2.x"], 3, [1, 2]) -> [2, 2, 1].
    OpCase("StringToHashBucketStrong",
           lambda s: strings_more.string_to_hash_bucket_strong(s, 3, [1, 2]), [WORDS],
           expected=np.array([2, 2, 1], np.int64)),
    OpCase("UnicodeTranscode",
           lambda s: strings_more.unicode_transcode(s, "UTF-8", "UTF-16-BE"),
           [S("Hello", "héllo")],
           expected=S(b"\x00H\x00e\x00l\x00l\x00o", b"\x00h\x00\xe9\x00l\x00l\x00o")),
    OpCase("UnicodeTranscode",
           lambda s: strings_more.unicode_transcode(s, "UTF-8", "UTF-8"),
           [S(b"a\xffb", b"\xed\xa0\x80x")],
           expected=S(b"a\xef\xbf\xbdb", b"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdx"),
           name="replace"),
    OpCase("UnsortedSegmentJoin",
           lambda s, i: strings_more.unsorted_segment_join(s, i, 5, separator=":"),
           [S("a", "b", "c", "d"), np.array([1, 0, 1, 3], np.int32)],
           expected=S("b", "a:c", "", "d", "")),
    OpCase("UnsortedSegmentJoin",
           lambda s, i: strings_more.unsorted_segment_join(s, i, 2),
           [np.array([[b"Y", b"q", b"c"], [b"Y", b"6", b"6"], [b"p", b"G", b"a"]], object),
            np.array([1, 0, 1], np.int64)],
           expected=np.array([[b"Y", b"6", b"6"], [b"Yp", b"qG", b"ca"]], object), name="2d"),
    OpCase("DecodeWav", lambda c: list(audio.decode_wav(c)), [np.array(WAV, dtype=object)],
           expected=[WAV_AUDIO, np.int32(8000)]),
    OpCase("DecodeWav", lambda c: list(audio.decode_wav(c, desired_channels=3,
                                                        desired_samples=4)),
           [np.array(WAV, dtype=object)],
           expected=[np.concatenate([WAV_AUDIO[:, [0, 1, 1]], np.zeros((1, 3), np.float32)]),
                     np.int32(8000)], name="desired"),
    OpCase("EncodeWav", lambda a, r: audio.encode_wav(a, r),
           [np.array([[0.0, 0.5], [-1.0, 1.0], [0.99999, -0.00002], [2.0, -3.0],
                      [0.000016, -0.000015]], np.float32), np.array(16000, np.int32)],
           check=_encoded_check, grad=False),
    OpCase("DecodeCompressed", lambda s: decode_more.decode_compressed(s, "ZLIB"),
           [S(zlib.compress(b"hello world" * 3), zlib.compress(b""))],
           expected=S(b"hello world" * 3, b"")),
    OpCase("DecodeCompressed", lambda s: decode_more.decode_compressed(s, "GZIP"),
           [S(gzip.compress(b"ab") + gzip.compress(b"cd"))], expected=S(b"abcd"), name="gzip"),
    OpCase("DecodeJSONExample", lambda s: decode_more.decode_json_example(s),
           [S(EXAMPLE_JSON, "{}", '{"features": {}}')],
           check=_json_check),
]
