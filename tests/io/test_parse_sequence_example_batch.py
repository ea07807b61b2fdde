"""fg.io.parse_sequence_example against TensorFlow 2.21 (tf.compat.v1): the records were
serialized by TF and the expected outputs are what TF's parse gave, hard-coded."""

import numpy as np
import pytest

import flowgraph as fg

RECORDS = [
    b"\n\x1d\n\x0c\n\x03len\x12\x05\x1a\x03\n\x01\x02\n\r\n\x04name\x12\x05\n\x03\n\x01a\x12W"
    b"\n\x15\n\x03tok\x12\x0e\n\x05\x1a\x03\n\x01\x01\n\x05\x1a\x03\n\x01\x02\n\x19\n\x04tags"
    b"\x12\x11\n\x05\n\x03\n\x01x\n\x08\n\x06\n\x01y\n\x01z\n#\n\x03vec\x12\x1c\n\x0c\x12\n\n"
    b"\x08\x00\x00\x80?\x00\x00\x00@\n\x0c\x12\n\n\x08\x00\x00@@\x00\x00\x80@",
    b"\n\x0e\n\x0c\n\x03len\x12\x05\x1a\x03\n\x01\x03\x127\n\x1c\n\x03tok\x12\x15\n\x05\x1a"
    b"\x03\n\x01\x05\n\x05\x1a\x03\n\x01\x06\n\x05\x1a\x03\n\x01\x07\n\x17\n\x04tags\x12\x0f"
    b"\n\x02\n\x00\n\x05\n\x03\n\x01w\n\x02\n\x00",
    b"\n\x0e\n\x0c\n\x03len\x12\x05\x1a\x03\n\x01\x00\x12\x00",
]


def specs():
    context = {"len": fg.io.FixedLenFeature([], fg.int64),
               "name": fg.io.VarLenFeature(fg.string),
               "d": fg.io.FixedLenFeature([2], fg.float32, default_value=[9, 8])}
    sequence = {"tok": fg.io.FixedLenSequenceFeature([], fg.int64, allow_missing=True),
                "vec": fg.io.FixedLenSequenceFeature([2], fg.float32, allow_missing=True),
                "tags": fg.io.VarLenFeature(fg.string)}
    return context, sequence


def test_values_and_lengths_match_tensorflow():
    with fg.Graph().as_default():
        holder = fg.placeholder(fg.string, [None])
        out = fg.io.parse_sequence_example(holder, *specs())
        with fg.Session() as sess:
            context, sequence, lengths = sess.run(out, {holder: RECORDS})
    np.testing.assert_array_equal(context["len"], [2, 3, 0])
    np.testing.assert_array_equal(context["d"], np.float32([[9, 8]] * 3))
    np.testing.assert_array_equal(context["name"].indices, [[0, 0]])
    assert list(context["name"].values) == [b"a"]
    np.testing.assert_array_equal(context["name"].dense_shape, [3, 1])
    tags = sequence["tags"]
    np.testing.assert_array_equal(tags.indices, [[0, 0, 0], [0, 1, 0], [0, 1, 1], [1, 1, 0]])
    assert list(tags.values) == [b"x", b"y", b"z", b"w"]
    np.testing.assert_array_equal(tags.dense_shape, [3, 3, 2])
    np.testing.assert_array_equal(sequence["tok"], [[1, 2, 0], [5, 6, 7], [0, 0, 0]])
    np.testing.assert_array_equal(sequence["vec"], np.float32(
        [[[1, 2], [3, 4]], [[0, 0], [0, 0]], [[0, 0], [0, 0]]]))
    assert sorted(lengths) == ["tok", "vec"]
    np.testing.assert_array_equal(lengths["tok"], [2, 3, 0])
    np.testing.assert_array_equal(lengths["vec"], [2, 0, 0])


def test_static_shapes_and_names_as_tensorflow():
    with fg.Graph().as_default():
        context, sequence, lengths = fg.io.parse_sequence_example(
            fg.placeholder(fg.string, [None]), *specs())
        assert context["d"].shape.as_list() == [None, 2]
        assert context["name"].indices.shape.as_list() == [None, 2]
        assert sequence["tags"].indices.shape.as_list() == [None, 3]
        assert sequence["vec"].shape.as_list() == [None, None, 2]
        assert lengths["tok"].shape.as_list() == [None]
        assert lengths["tok"].dtype == fg.int64
        assert context["d"].op.name == "ParseSequenceExample/ParseSequenceExample"


def test_missing_required_feature_list_names_the_example():
    with fg.Graph().as_default():
        holder = fg.placeholder(fg.string, [None])
        out = fg.io.parse_sequence_example(
            holder, sequence_features={"tok": fg.io.FixedLenSequenceFeature([], fg.int64)},
            example_names=["e0", "e1", "e2"])
        with fg.Session() as sess:
            with pytest.raises(fg.errors.InvalidArgumentError, match="e2.*tok"):
                sess.run(out, {holder: RECORDS})


def test_build_errors():
    with fg.Graph().as_default():
        holder = fg.placeholder(fg.string, [None])
        with pytest.raises(ValueError, match="Missing features"):
            fg.io.parse_sequence_example(holder)
        with pytest.raises(ValueError, match="context"):
            fg.io.parse_sequence_example(holder, context_features={
                "a": fg.io.FixedLenSequenceFeature([], fg.int64, allow_missing=True)})
        with pytest.raises(ValueError, match="FixedLenFeature"):
            fg.io.parse_sequence_example(
                holder, sequence_features={"a": fg.io.FixedLenFeature([], fg.int64)})
        with pytest.raises(ValueError, match="vector"):
            fg.io.parse_sequence_example(fg.placeholder(fg.string, []),
                                         sequence_features=specs()[1])
