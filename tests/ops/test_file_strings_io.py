"""tf.io file ops, base64, tf.strings.format and parse_single_sequence_example: errors,
static shapes and edge cases (values checked against literals and plain-Python references)."""

import base64
import os

import numpy as np
import pytest

import flowgraph as fg
from flowgraph import errors
from flowgraph.io.sequence_example_parsing import parse_single_sequence_example
from flowgraph.ops.base64_ops import decode_base64, encode_base64
from flowgraph.ops.file_io import matching_files, read_file, write_file
from flowgraph.ops.string_format import string_format
from tests.ops.cases.parse_sequence_example import SEQ


def _run(fetch, feed=None):
    with fg.Session() as sess:
        return sess.run(fetch, feed_dict=feed)


def test_read_file_missing_is_not_found(tmp_path):
    with fg.Graph().as_default():
        data = read_file(str(tmp_path / "nope.txt"))
        assert data.shape.as_list() == [] and data.dtype == fg.string
        with pytest.raises(errors.NotFoundError, match="nope.txt"):
            _run(data)


def test_read_file_rejects_vector_name_at_build():
    with fg.Graph().as_default():
        with pytest.raises(ValueError, match="rank 0"):
            read_file(["a", "b"])


def test_write_file_is_stateful_and_writes_when_run(tmp_path):
    path = tmp_path / "deep" / "out.bin"
    with fg.Graph().as_default():
        op = write_file(str(path), b"\x00abc")
        assert isinstance(op, fg.Operation) and op.type == "WriteFile"
        assert not path.exists()  # nothing happens at build time
        _run(op)
    assert path.read_bytes() == b"\x00abc"


def test_matching_files_sorted_and_empty(tmp_path):
    for name in ("b2", "a1", "c3"):
        (tmp_path / name).write_bytes(b"")
    with fg.Graph().as_default():
        found = matching_files(os.path.join(str(tmp_path), "*"))
        none = matching_files(os.path.join(str(tmp_path), "*.zip"))
        assert found.shape.as_list() == [None]
        got, empty = _run([found, none])
    want = [os.path.join(str(tmp_path), n).encode() for n in ("a1", "b2", "c3")]
    assert list(got) == want
    assert empty.shape == (0,)


def test_base64_round_trip_matches_python_urlsafe():
    raw = [bytes(range(i, i + 7)) for i in (0, 100, 249)]
    with fg.Graph().as_default():
        encoded = encode_base64(np.array(raw, dtype=object))
        back = decode_base64(encoded)
        got, again = _run([encoded, back])
    assert [g for g in got] == [base64.urlsafe_b64encode(r).rstrip(b"=") for r in raw]
    assert list(again) == raw


@pytest.mark.parametrize("text, message", [(b"YW+", "Invalid character"),
                                           (b"YW/=", "Invalid character"),
                                           (b"Y", "1 modulo 4"),
                                           (b"YWI==", "Invalid character")])
def test_decode_base64_errors(text, message):
    with fg.Graph().as_default():
        with pytest.raises(errors.InvalidArgumentError, match=message):
            _run(decode_base64(text))


def test_string_format_placeholder_count_mismatch():
    with fg.Graph().as_default():
        with pytest.raises(ValueError, match="expects 2 tensors, but the inputs only has 1"):
            string_format("{} {}", [fg.constant(1)])


def test_string_format_scalars_and_escapes():
    with fg.Graph().as_default():
        out = string_format("{}|{}|{}|{}", [fg.constant(3.0), fg.constant([True, False]),
                                            fg.constant(1 / 3, fg.float64),
                                            fg.constant(['a"b'])])
        assert out.shape.as_list() == []
        got = _run(out)
    assert got == b'3|[1 0]|0.33333333333333331|["a\\"b"]'


def test_string_format_summarize_all():
    with fg.Graph().as_default():
        got = _run(string_format("{}", fg.constant(np.arange(8)), summarize=-1))
    assert got == b"[0 1 2 3 4 5 6 7]"


def test_sequence_example_missing_required_list_fails_when_run():
    with fg.Graph().as_default():
        _, seq = parse_single_sequence_example(
            SEQ, sequence_features={"absent": fg.io.FixedLenSequenceFeature([], fg.int64)},
            example_name="ex0")
        assert seq["absent"].shape.as_list() == [None]
        with pytest.raises(errors.InvalidArgumentError, match="ex0.*'absent' is required"):
            _run(seq["absent"])


def test_sequence_example_wrong_step_size_and_type():
    with fg.Graph().as_default():
        _, seq = parse_single_sequence_example(
            SEQ, sequence_features={"tokens": fg.io.FixedLenSequenceFeature([2], fg.int64)})
        with pytest.raises(errors.InvalidArgumentError, match="values size: 1"):
            _run(seq["tokens"])
        _, seq = parse_single_sequence_example(
            SEQ, sequence_features={"tokens": fg.io.VarLenFeature(fg.string)})
        with pytest.raises(errors.InvalidArgumentError, match="Data types don't match"):
            _run(seq["tokens"].values)


def test_sequence_example_build_errors():
    with fg.Graph().as_default():
        with pytest.raises(ValueError, match="Missing features"):
            parse_single_sequence_example(SEQ)
        with pytest.raises(ValueError, match="FixedLenFeature"):
            parse_single_sequence_example(
                SEQ, sequence_features={"tokens": fg.io.FixedLenFeature([], fg.int64)})
        with pytest.raises(ValueError, match="FixedLenSequenceFeature"):
            parse_single_sequence_example(
                SEQ, context_features={"x": fg.io.FixedLenSequenceFeature([], fg.int64)})
        with pytest.raises(ValueError, match="scalar"):
            parse_single_sequence_example(
                [SEQ], context_features={"length": fg.io.FixedLenFeature([], fg.int64)})


def test_sequence_example_context_only_and_sequence_only():
    with fg.Graph().as_default():
        ctx, seq = parse_single_sequence_example(
            SEQ, context_features={"weight": fg.io.FixedLenFeature([2], fg.float32)})
        assert seq == {} and ctx["weight"].shape.as_list() == [2]
        ctx2, seq2 = parse_single_sequence_example(
            SEQ, sequence_features={"vec": fg.io.FixedLenSequenceFeature([2], fg.float32)})
        assert ctx2 == {}
        weight, vec = _run([ctx["weight"], seq2["vec"]])
    np.testing.assert_array_equal(weight, np.float32([0.5, 1.5]))
    np.testing.assert_array_equal(vec, np.float32([[1, 2], [3, 4]]))


def test_ngrams_build_errors_and_static_shape():
    from flowgraph.ops.string_ngrams import ngrams
    with fg.Graph().as_default():
        with pytest.raises(ValueError, match="rank>0"):
            ngrams("a", 2)
        with pytest.raises(ValueError, match="Rank of data must be known"):
            ngrams(fg.placeholder(fg.string), 2)
        with pytest.raises(ValueError, match="pad_values must be provided"):
            ngrams(["a"], 2, padding_width=1)
        with pytest.raises(ValueError, match="greater than 0"):
            ngrams(["a"], 0)
        out = ngrams(fg.placeholder(fg.string, [4, 5]), 2)
        assert out.shape.as_list() == [4, None]
        short = ngrams(["a", "b"], 3)
        assert _run(short).shape == (0,)


def test_public_names():
    from flowgraph.ops.string_ngrams import ngrams
    assert fg.io.read_file is read_file and fg.read_file is read_file
    assert fg.io.write_file is write_file and fg.io.matching_files is matching_files
    assert fg.io.encode_base64 is encode_base64 and fg.decode_base64 is decode_base64
    assert fg.io.parse_single_sequence_example is parse_single_sequence_example
    assert fg.strings.format is string_format and fg.strings.ngrams is ngrams
