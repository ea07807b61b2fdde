"""TF1 behaviour of the string ops: errors, attribute checks, names and dtypes."""

import numpy as np
import pytest

import flowgraph as fg
from flowgraph.ops import strings


def _run(t, feed=None):
    with fg.Session() as sess:
        return sess.run(t, feed)


def test_string_to_number_names_the_bad_string_at_run_time():
    text = fg.placeholder(fg.string, [None])
    number = fg.string_to_number(text)
    assert number.dtype == fg.float32 and number.op.type == "StringToNumber"
    np.testing.assert_array_equal(_run(number, {text: ["2.5"]}), [2.5])
    with pytest.raises(fg.errors.InvalidArgumentError,
                       match="could not correctly convert string: 12abc"):
        _run(number, {text: ["1", "12abc"]})


@pytest.mark.parametrize("text, out_type", [
    ("1.5", fg.int32),          # a float is not an int
    ("2147483648", fg.int32),   # out of range
    ("", fg.float32),
    ("1_000", fg.int64),        # Python's int() would take this; TF1 does not
    ("0x10", fg.int32),
    ("abc", fg.float64),
])
def test_string_to_number_rejects(text, out_type):
    with pytest.raises(fg.errors.InvalidArgumentError, match="could not correctly convert"):
        _run(fg.string_to_number(fg.constant([text]), out_type=out_type))


def test_string_to_number_out_type_must_be_numeric():
    with pytest.raises(TypeError, match="out_type"):
        fg.string_to_number(fg.constant(["1"]), out_type=fg.bool)
    with pytest.raises(TypeError, match="string"):
        fg.string_to_number(fg.constant([1.0]))


def test_as_string_defaults_follow_printf():
    assert _run(fg.as_string(fg.constant(1.5))) == b"1.500000"
    assert _run(fg.as_string(fg.constant(12))) == b"12"
    assert _run(fg.as_string(fg.constant(True))) == b"true"
    t = fg.as_string(fg.constant([[1.0, 2.0]], dtype=fg.float64), precision=1, width=6)
    assert t.shape.as_list() == [1, 2] and t.dtype == fg.string
    np.testing.assert_array_equal(_run(t), [[b"   1.0", b"   2.0"]])


def test_as_string_attribute_errors():
    with pytest.raises(ValueError, match="precision"):
        fg.as_string(fg.constant([1]), precision=2)
    with pytest.raises(ValueError, match="scientific"):
        fg.as_string(fg.constant([1]), scientific=True)
    with pytest.raises(ValueError, match="both scientific and shortest"):
        fg.as_string(fg.constant([1.0]), scientific=True, shortest=True)
    with pytest.raises(ValueError, match="fill argument not supported"):
        fg.as_string(fg.constant([1.0]), width=3, fill="x")
    with pytest.raises(ValueError, match="one or fewer"):
        fg.as_string(fg.constant([1.0]), fill="00")
    with pytest.raises(TypeError, match="dtype string"):
        fg.as_string(fg.constant(["a"]))


def test_string_join_checks_inputs():
    with pytest.raises(TypeError, match="string"):
        fg.string_join([fg.constant("a"), fg.constant(1)])
    with pytest.raises(TypeError, match="list"):
        fg.string_join("ab")
    with pytest.raises(ValueError, match="broadcast"):
        fg.string_join([fg.constant(["a", "b"]), fg.constant(["a", "b", "c"])])


def test_string_join_name_shape_and_python_inputs():
    joined = fg.string_join(["x", fg.constant(["1", "2"])], separator="_")
    assert joined.op.type == "StringJoin" and joined.op.name == "StringJoin"
    assert joined.shape.as_list() == [2]
    np.testing.assert_array_equal(_run(joined), [b"x_1", b"x_2"])


def test_string_join_keeps_unicode_bytes():
    joined = fg.string_join([fg.constant("\u00e9"), fg.constant(b"\xff")], separator="\u2192")
    assert _run(joined) == "\u00e9\u2192".encode() + b"\xff"


def test_length_upper_lower_attributes():
    with pytest.raises(ValueError, match="unit"):
        strings.length(fg.constant("a"), unit="CHAR")
    with pytest.raises(ValueError, match="encoding"):
        strings.upper(fg.constant("a"), encoding="latin-1")
    n = strings.length(fg.constant([["ab"], ["\u00e9"]]), unit="UTF8_CHAR")
    assert n.dtype == fg.int32 and n.shape.as_list() == [2, 1]
    np.testing.assert_array_equal(_run(n), [[2], [1]])


def test_strings_namespace_aliases_exist():
    assert strings.join is strings.string_join
    assert strings.to_number is strings.string_to_number
    assert fg.as_string is strings.as_string
