"""Cases for the string ops; expected values are hand-written literals."""

import numpy as np

import flowgraph as fg
from flowgraph.ops import strings
from tests.ops.harness import OpCase


def S(*items):  # noqa: N802 - a short constructor for object arrays of bytes
    return np.array([i.encode("utf-8") if isinstance(i, str) else i for i in items],
                    dtype=object)


GRID = np.array([[b"a", b"b"], [b"c", b"d"]], dtype=object)

CASES = [
    # -- StringJoin: elementwise, broadcasting scalars and rows
    OpCase("StringJoin", lambda a, b, c: fg.string_join([a, b, c], separator="-"),
           [GRID, np.array(b"x", dtype=object), S("1", "2")],
           expected=np.array([[b"a-x-1", b"b-x-2"], [b"c-x-1", b"d-x-2"]], dtype=object)),
    OpCase("StringJoin", lambda a, b: strings.join([a, b]), [S("ab", ""), S("c", "d")],
           expected=S("abc", "d"), name="no_separator"),
    OpCase("StringJoin", lambda a: fg.string_join([a], separator="+"), [S("p", "q")],
           expected=S("p", "q"), name="single"),
    OpCase("StringJoin", lambda a, b: fg.string_join([a, b], separator=", "),
           [np.array(b"k", dtype=object), np.array(b"v", dtype=object)],
           expected=b"k, v", name="scalars"),
    OpCase("StringJoin", lambda a, b: fg.string_join([a, b]),
           [np.zeros((0,), dtype=object), np.array(b"z", dtype=object)],
           expected=np.zeros((0,), dtype=object), name="empty"),
    # -- AsString: printf formatting as TF1
    OpCase("AsString", lambda x: fg.as_string(x),
           [np.array([1.5, -2.25, 0.0, 100.0], dtype=np.float32)],
           expected=S("1.500000", "-2.250000", "0.000000", "100.000000")),
    OpCase("AsString", lambda x: fg.as_string(x, precision=2),
           [np.array([[3.14159], [-0.005]], dtype=np.float64)],
           expected=np.array([[b"3.14"], [b"-0.01"]], dtype=object), name="precision"),
    OpCase("AsString", lambda x: fg.as_string(x, scientific=True, precision=3),
           [np.array([12345.678], dtype=np.float32)], expected=S("1.235e+04"),
           name="scientific"),
    OpCase("AsString", lambda x: fg.as_string(x, shortest=True),
           [np.array([0.5, 1e-7, 1234567.0], dtype=np.float64)],
           expected=S("0.5", "1e-07", "1.23457e+06"), name="shortest"),
    OpCase("AsString", lambda x: fg.as_string(x),
           [np.array([7, -42, 0], dtype=np.int32)], expected=S("7", "-42", "0"), name="int32"),
    OpCase("AsString", lambda x: fg.as_string(x, width=4),
           [np.array([-42, 0, 2**40], dtype=np.int64)],
           expected=S(" -42", "   0", "1099511627776"), name="width"),
    OpCase("AsString", lambda x: fg.as_string(x, width=4, fill="-"),
           [np.array([-42, 0, 42], dtype=np.int64)], expected=S("-42 ", "0   ", "42  "),
           name="fill_left"),
    OpCase("AsString", lambda x: fg.as_string(x, width=5, fill="0"),
           [np.array([3, -42], dtype=np.int16)], expected=S("00003", "-0042"),
           name="fill_zero"),
    OpCase("AsString", lambda x: fg.as_string(x), [np.array([True, False])],
           expected=S("true", "false"), name="bool"),
    OpCase("AsString", lambda x: fg.as_string(x), [np.float32(np.inf)], expected=b"inf",
           name="scalar_inf"),
    # -- StringToNumber
    OpCase("StringToNumber", lambda s: fg.string_to_number(s),
           [S("1.5", " -2e3 ", "7", ".25", "inf")],
           expected=np.array([1.5, -2000.0, 7.0, 0.25, np.inf], dtype=np.float32)),
    OpCase("StringToNumber", lambda s: fg.string_to_number(s, out_type=fg.float64),
           [np.array([[b"0.1"], [b"-1e-300"]], dtype=object)],
           expected=np.array([[0.1], [-1e-300]], dtype=np.float64), name="float64"),
    OpCase("StringToNumber", lambda s: strings.to_number(s, out_type=fg.int32),
           [S("12", "-7", "+3", "2147483647")],
           expected=np.array([12, -7, 3, 2147483647], dtype=np.int32), name="int32"),
    OpCase("StringToNumber", lambda s: fg.string_to_number(s, out_type=fg.int64),
           [S("9007199254740993")], expected=np.array([9007199254740993], dtype=np.int64),
           name="int64"),
    # -- StringLength
    OpCase("StringLength", lambda s: strings.length(s), [S("abc", "", "h\u00e9")],
           expected=np.array([3, 0, 3], dtype=np.int32)),
    OpCase("StringLength", lambda s: strings.length(s, unit="UTF8_CHAR"),
           [S("abc", "", "h\u00e9", "\u65e5\u672c")],
           expected=np.array([3, 0, 2, 2], dtype=np.int32), name="utf8_chars"),
    # -- StringUpper / StringLower: ASCII only unless encoding="utf-8"
    OpCase("StringUpper", lambda s: strings.upper(s), [S("abc1", "M\u00e9x")],
           expected=S("ABC1", "M\u00e9X")),
    OpCase("StringUpper", lambda s: strings.upper(s, encoding="utf-8"), [S("m\u00e9x")],
           expected=S("M\u00c9X"), name="utf8"),
    OpCase("StringLower", lambda s: strings.lower(s), [GRID], expected=GRID),
    OpCase("StringLower", lambda s: strings.lower(s, encoding="utf-8"),
           [S("\u00c9T\u00c9", "ABC")], expected=S("\u00e9t\u00e9", "abc"), name="utf8"),
]
