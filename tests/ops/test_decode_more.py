"""tf.io.decode_compressed and tf.io.decode_json_example. Expected bytes and error classes
come from running the same inputs through TensorFlow (tf.compat.v1); compressed inputs are
made with Python's zlib / gzip."""

import gzip
import json
import zlib

import numpy as np
import pytest

import flowgraph as fg
from flowgraph import errors

DATA = [b"hello world" * 3, b"", b"\x00\xff"]


def run(t):
    with fg.Session(graph=t.graph) as sess:
        return sess.run(t)


def obj(items):
    out = np.empty(len(items), dtype=object)
    out[:] = items
    return out


def test_decode_compressed_matches_tf():
    with fg.Graph().as_default():
        z = fg.io.decode_compressed(obj([zlib.compress(x) for x in DATA]), "ZLIB")
        assert z.op.type == "DecodeCompressed" and z.shape.as_list() == [3]
        assert run(z).tolist() == DATA
        g = fg.decode_compressed(obj([gzip.compress(x) for x in DATA]), compression_type="GZIP")
        assert run(g).tolist() == DATA
        assert run(fg.io.decode_compressed(obj(DATA))).tolist() == DATA
        cases = [
            (zlib.compress(b"abc")[:-3], "ZLIB", b"abc"),  # cut-off checksum: kept
            (zlib.compress(b"abc") + b"junk", "ZLIB", b"abc"),  # trailing bytes ignored
            (gzip.compress(b"ab") + gzip.compress(b"cd"), "GZIP", b"abcd"),  # all members
            (zlib.compress(b"ab") + zlib.compress(b"cd"), "ZLIB", b"ab"),  # only the first
            (zlib.compress(b"abcdefghij" * 50)[:20], "ZLIB", b"abcdefghij" * 50),
            (gzip.compress(b"ab")[:-2], "GZIP", b"ab"),
            (b"", "ZLIB", b""),
        ]
        for data, kind, expected in cases:
            assert run(fg.io.decode_compressed(obj([data]), kind)).tolist() == [expected]
        grid = fg.io.decode_compressed([[zlib.compress(b"a")], [zlib.compress(b"b")]], "ZLIB")
        assert run(grid).tolist() == [[b"a"], [b"b"]]


@pytest.mark.parametrize("data,kind,error", [
    (b"garbage", "ZLIB", errors.DataLossError),
    (zlib.compress(b"x"), "GZIP", errors.DataLossError),
    (gzip.compress(b"ab", mtime=0) + b"junk", "GZIP", errors.DataLossError),
    (b"x", "LZ4", errors.InvalidArgumentError),
    (b"x", "zlib", errors.InvalidArgumentError),
])
def test_decode_compressed_errors(data, kind, error):
    with fg.Graph().as_default():
        with pytest.raises(error):
            run(fg.io.decode_compressed(obj([data]), kind))


EXAMPLE = {"features": {"feature": {
    "b": {"int64List": {"value": ["1", 2, "-3"]}}, "a": {"floatList": {"value": [1.5, "NaN", 2]}},
    "c": {"bytesList": {"value": ["aGVsbG8=", ""]}}, "d": {}, "e": {"int64List": {}}}}}
# TF: tf.io.decode_json_example of the JSON texts below.
JSON_BYTES = [
    (json.dumps(EXAMPLE),
     b"\nR\n\x16\n\x01b\x12\x11\x1a\x0f\x08\x01\x08\x02\x08\xfd\xff\xff\xff\xff\xff\xff\xff\xff"
     b"\x01\n\x16\n\x01a\x12\x11\x12\x0f\r\x00\x00\xc0?\r\x00\x00\xc0\x7f\r\x00\x00\x00@\n\x10"
     b"\n\x01c\x12\x0b\n\t\n\x05hello\n\x00\n\x05\n\x01d\x12\x00\n\x07\n\x01e\x12\x02\x1a\x00"),
    ("{}", b""),
    ('{"features": {}}', b"\n\x00"),
    ('{"features": null}', b""),
    ('{"features": {"feature": {"x": {"bytes_list": {"value": ["YQ=="]}}}}}',
     b"\n\x0c\n\n\n\x01x\x12\x05\n\x03\n\x01a"),
    ('{"features": {"feature": {"x": {"int64List": {"value": [3.0]}}}}}',
     b"\n\x0b\n\t\n\x01x\x12\x04\x1a\x02\x08\x03"),
    ('{"features": {"feature": {"x": {"int64List": {"value": [1e3]}}}}}',
     b"\n\x0c\n\n\n\x01x\x12\x05\x1a\x03\x08\xe8\x07"),
    ('{"features": {"feature": {"x": {"bytesList": {"value": ["a-_b"]}}}}}',
     b"\n\x0e\n\x0c\n\x01x\x12\x07\n\x05\n\x03k\xef\xdb"),
    ('{"features": {"feature": {"z": {"int64List": {"value": [-1]}}, '
     '"y": {"floatList": {"value": []}}}}}',
     b"\n\x1d\n\x12\n\x01z\x12\r\x1a\x0b\x08\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01\n\x07\n"
     b"\x01y\x12\x02\x12\x00"),
]


def test_decode_json_example_matches_tf():
    with fg.Graph().as_default():
        out = fg.io.decode_json_example([text for text, _ in JSON_BYTES])
        assert out.op.type == "DecodeJSONExample" and out.shape.as_list() == [len(JSON_BYTES)]
        assert run(out).tolist() == [expected for _, expected in JSON_BYTES]
        assert run(fg.decode_json_example(JSON_BYTES[1][0])) == b""


def test_decode_json_example_feeds_parse_example():
    with fg.Graph().as_default():
        serialized = fg.io.decode_json_example([json.dumps(EXAMPLE)])
        parsed = fg.io.parse_example(serialized, {
            "b": fg.io.FixedLenFeature([3], fg.int64),
            "c": fg.io.FixedLenFeature([2], fg.string)})
        with fg.Session() as sess:
            values = sess.run(parsed)
        assert values["b"].tolist() == [[1, 2, -3]]
        assert values["c"].tolist() == [[b"hello", b""]]


@pytest.mark.parametrize("text", [
    "not json",
    '{"foo": 1}',
    "[1]",
    '{"features": {"feature": {"x": {"int64List": {"value": [1.5]}}}}}',
    '{"features": {"feature": {"x": {"int64List": {"value": ["99999999999999999999"]}}}}}',
    '{"features": {"feature": {"x": {"int64List": {"value": [1]}, '
    '"floatList": {"value": [1]}}}}}',
    '{"features": {"feature": {"x": {"bytesList": {"value": ["a"]}}}}}',
    '{"features": {"feature": {"x": {"floatList": {"value": ["Infinity", 1e40]}}}}}',
    '{"features": {"feature": {"x": {"int64List": {"value": [true]}}}}}',
])
def test_decode_json_example_errors(text):
    with fg.Graph().as_default():
        with pytest.raises(errors.InvalidArgumentError, match="Error while parsing JSON"):
            run(fg.io.decode_json_example([text]))
