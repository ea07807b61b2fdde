"""Cases for strings_extra.py; expected values are literals (checked against a real TF1
run of the same inputs)."""

import numpy as np

import flowgraph as fg
from tests.ops.harness import OpCase


def S(*items):  # noqa: N802 - object arrays of bytes
    return np.array([i.encode("utf-8") for i in items], dtype=object)


def _sparse(st):
    return [st.indices, st.values, st.dense_shape]


GRID = np.array([[b"a", b"b"], [b"c", b"d"]], dtype=object)

CASES = [
    OpCase("StringSplit", lambda s: _sparse(fg.string_split(s)), [S("hello world", "a b  c")],
           expected=[np.array([[0, 0], [0, 1], [1, 0], [1, 1], [1, 2]], np.int64),
                     S("hello", "world", "a", "b", "c"), np.array([2, 3], np.int64)]),
    OpCase("StringSplit", lambda s: _sparse(fg.string_split(s, "")), [S("abc")],
           expected=[np.array([[0, 0], [0, 1], [0, 2]], np.int64), S("a", "b", "c"),
                     np.array([1, 3], np.int64)], name="characters"),
    OpCase("StringSplitV2", lambda s: _sparse(fg.strings.split(s, sep=" ")), [S("a b  c")],
           expected=[np.array([[0, i] for i in range(4)], np.int64), S("a", "b", "", "c"),
                     np.array([1, 4], np.int64)]),
    OpCase("StringStrip", lambda s: fg.strings.strip(s), [S(" a ", "\tb\n", "c")],
           expected=S("a", "b", "c")),
    OpCase("Substr", lambda s: fg.substr(s, 1, 2), [S("hello", "ab")], expected=S("el", "b")),
    OpCase("RegexReplace", lambda s: fg.regex_replace(s, "o+", "0"),
           [S("hello world", "foo")], expected=S("hell0 w0rld", "f0")),
    OpCase("RegexReplace", lambda s: fg.regex_replace(s, "(l+)", r"<\1>", False),
           [S("hello hello")], expected=S("he<ll>o hello"), name="first_with_group"),
    OpCase("RegexFullMatch", lambda s: fg.strings.regex_full_match(s, "a.*"),
           [S("hello", "abc")], expected=np.array([False, True])),
    OpCase("ReduceJoin", lambda s: fg.reduce_join(s, 1), [GRID], expected=S("ab", "cd")),
    OpCase("ReduceJoin", lambda s: fg.reduce_join(s), [GRID],
           expected=np.array(b"abcd", dtype=object), name="all"),
    OpCase("ReduceJoin", lambda s: fg.reduce_join(s, 0, keep_dims=True, separator="-"),
           [GRID], expected=np.array([[b"a-c", b"b-d"]], dtype=object), name="keep_dims"),
]
