"""tf.strings.to_hash_bucket(_strong), unicode_transcode, unsorted_segment_join and
bytes_split. Expected values are literals from running the same inputs through TensorFlow
(tf.compat.v1, TF 2.21 install) and hard-coded here."""

import numpy as np
import pytest

import flowgraph as fg
from flowgraph import errors

STRINGS = [b"", b"a", b"ab", b"abc", b"abcd", b"hello", b"Hello", b"TensorFlow", b"2.x",
           b"abcdefg", b"abcdefgh", b"abcdefghi", b"The quick brown fox jumps over the lazy dog",
           b"\xff\x00z", "ünïcödé".encode(), b"x" * 100]
# TF: tf.strings.to_hash_bucket(STRINGS, 2**62) and to_hash_bucket_strong(..., [1, 2]).
LEGACY = [105434511174508091, 2996632905371535868, 3579204183985781795, 1046625677629754806,
          404301170780174469, 1331861223480393034, 1802903312739808229, 4519201464338240520,
          106544778936929492, 2960345911509200448, 3429851175771700306, 2154505082538699157,
          1687480807060433122, 2013528050062280229, 2223235430220709563, 1482511825497849095]
STRONG = [443797209252341627, 546566331822570742, 4607785088827641202, 1250540936487842205,
          4277338952175910099, 2957200328589801622, 3561599031292589466, 1016018213495009118,
          2342011335358101778, 957890530879302020, 2649018002260510108, 545485191183657959,
          150232139108451824, 2296582820352433098, 1854608093044682411, 1638981394980189463]


def run(t, feed=None):
    with fg.Session(graph=t.graph) as sess:
        return sess.run(t, feed)


def obj(items):
    out = np.empty(len(items), dtype=object)
    out[:] = items
    return out


def test_legacy_hash_bucket_matches_tf():
    with fg.Graph().as_default():
        x = fg.constant(obj(STRINGS))
        assert run(fg.strings.to_hash_bucket(x, 2 ** 62)).tolist() == LEGACY
        ten = fg.string_to_hash_bucket(x, 10)
        assert ten.op.type == "StringToHashBucket" and ten.dtype == fg.int64
        assert run(ten).tolist() == [9, 8, 9, 0, 1, 8, 1, 2, 0, 6, 6, 1, 6, 1, 5, 7]
        # TF1's deprecated keyword `input` is an alias of string_tensor.
        alias = fg.strings.to_hash_bucket(input=["Hello", "TensorFlow", "2.x"], num_buckets=3)
        assert run(alias).tolist() == [2, 0, 1]


def test_strong_hash_bucket_matches_tf():
    with fg.Graph().as_default():
        x = fg.constant(obj(STRINGS))
        assert run(fg.strings.to_hash_bucket_strong(x, 2 ** 62, [1, 2])).tolist() == STRONG
        # Negative key entries are taken as uint64, as TF's int attr -> uint64 cast.
        other = fg.string_to_hash_bucket_strong(x, 100, [0xDECAFCAFFE, -1])
        assert run(other).tolist() == [62, 15, 29, 22, 31, 27, 1, 27, 42, 5, 74, 11, 98, 71, 88,
                                       67]


def test_hash_bucket_errors():
    with fg.Graph().as_default():
        with pytest.raises(ValueError, match="num_buckets"):
            fg.strings.to_hash_bucket(["a"], 0)
        with pytest.raises(ValueError, match="num_buckets"):
            fg.strings.to_hash_bucket_strong(["a"], -1, [1, 2])
        with pytest.raises(ValueError, match="string_tensor"):
            fg.strings.to_hash_bucket(["a"], 3, input=["b"])
        with pytest.raises(TypeError, match="string"):
            fg.strings.to_hash_bucket([1, 2], 3)
        with pytest.raises(TypeError, match="key"):
            fg.strings.to_hash_bucket_strong(["a"], 3, 7)
        bad = fg.strings.to_hash_bucket_strong(["a"], 3, [1])
        with pytest.raises(errors.InvalidArgumentError, match="Key must have 2 elements"):
            run(bad)


T = fg.strings.unicode_transcode
R = "\ufffd".encode()  # U+FFFD in UTF-8

TRANSCODE = [
    (["Hello", "héllo", "\x01a\x7f"], "UTF-8", "UTF-16-BE", {},
     [b"\x00H\x00e\x00l\x00l\x00o", b"\x00h\x00\xe9\x00l\x00l\x00o", b"\x00\x01\x00a\x00\x7f"]),
    (["Hello", "héllo", "\x01a\x7f\x1f"], "UTF-8", "UTF-8", {"replace_control_characters": True},
     [b"Hello", b"h\xc3\xa9llo", R + b"a\x7f" + R]),
    ([b"a\xffb", b"a\xe2\x82b", b"\xc3", b"\xed\xa0\x80x", b"\xf4\x90\x80\x80", b"\xc0\xaf"],
     "UTF-8", "UTF-8", {}, [b"a" + R + b"b", b"a" + R + b"b", R, R * 3 + b"x", R * 4, R * 2]),
    ([b"a\xffb", b"a\xe2\x82b", b"\xc3", b"\xed\xa0\x80x", b"\xf4\x90\x80\x80", b"\xc0\xaf"],
     "UTF-8", "UTF-8", {"errors": "ignore"}, [b"ab", b"ab", b"", b"x", b"", b""]),
    ([b"a\xffb", b"a\xe2\x82b"], "UTF-8", "UTF-8", {"replacement_char": ord("?")},
     [b"a?b", b"a?b"]),
    ([b"\x00a\xd8\x00\x00b", b"\x00a\x00", b"\xd8\x3d\xde\x00"], "UTF-16-BE", "UTF-8", {},
     [b"a" + R + b"b", b"a" + R, b"\xf0\x9f\x98\x80"]),
    ([b"\x00\x00\x00a\x00\x11\x00\x00", b"\x00\x00\x00a\x00", b"\x00\x00\xd8\x00"], "UTF-32-BE",
     "UTF-8", {}, [b"a" + R, b"a" + R, R]),
    (["😀x"], "UTF-8", "UTF-32-BE", {}, [b"\x00\x01\xf6\x00\x00\x00\x00x"]),
    ([b"a\xffb"], "UTF-8", "UTF-16-BE", {"replacement_char": 0x1F600},
     [b"\x00a\xd8=\xde\x00\x00b"]),
    ([b"a\x80\x80b", b"\xf0\x9f\x98", b"\xe0\x80\x80", b"\xf8\x88\x80\x80\x80"], "UTF-8",
     "UTF-8", {}, [b"a" + R * 2 + b"b", R, R * 3, R * 5]),
    (["a\u0085b\u009f"], "UTF-8", "UTF-8", {"replace_control_characters": True},
     [b"a\xc2\x85b\xc2\x9f"]),
    ([b"\xd8\x00\xd8\x00", b"\xdc\x00"], "UTF-16-BE", "UTF-8", {}, [R * 2, R]),
    (["a\tb\nc\rd\x00"], "UTF-8", "UTF-8", {"replace_control_characters": True},
     [b"a" + R + b"b" + R + b"c" + R + b"d" + R]),
    ([b"a\x01\xffb"], "UTF-8", "UTF-8", {"errors": "ignore", "replace_control_characters": True},
     [b"ab"]),
    ([b"a\xffb"], "UTF-8", "UTF-8", {"replacement_char": 0xD800}, [b"a" + R + b"b"]),
    ([b"\xef\xbb\xbfab"], "UTF-8", "UTF-16-BE", {}, [b"\xfe\xff\x00a\x00b"]),
    ([b"\xfe\xff\x00a"], "UTF-16-BE", "UTF-8", {}, [b"\xef\xbb\xbfa"]),
]


@pytest.mark.parametrize("inputs,src,dst,kwargs,expected", TRANSCODE)
def test_unicode_transcode_matches_tf(inputs, src, dst, kwargs, expected):
    with fg.Graph().as_default():
        out = T(obj([s.encode() if isinstance(s, str) else s for s in inputs]), src, dst,
                **kwargs)
        assert out.op.type == "UnicodeTranscode" and out.shape.as_list() == [len(inputs)]
        assert run(out).tolist() == expected


def test_unicode_transcode_shape_and_errors():
    with fg.Graph().as_default():
        grid = T([["a\x00", "b"]], "UTF-8", "UTF-16-BE", replace_control_characters=True,
                 replacement_char=0x41)
        assert run(grid).tolist() == [[b"\x00a\x00A", b"\x00b"]]
        with pytest.raises(errors.InvalidArgumentError, match="Invalid formatting"):
            run(T([b"a\xffb"], "UTF-8", "UTF-8", errors="strict"))
        with pytest.raises(errors.InvalidArgumentError, match="Invalid formatting"):
            run(T([b"a\x01b"], "UTF-8", "UTF-8", errors="strict",
                  replace_control_characters=True))
        assert run(T(["ab"], "UTF-8", "UTF-8", errors="strict")).tolist() == [b"ab"]
        for code in (0x110000, -1):
            with pytest.raises(errors.InvalidArgumentError, match="replacement_char"):
                run(T([b"a\xffb"], "UTF-8", "UTF-8", replacement_char=code))
        with pytest.raises(ValueError, match="UTF-7"):
            T(["a"], "UTF-8", "UTF-7")
        with pytest.raises(ValueError, match="errors"):
            T(["a"], "UTF-8", "UTF-8", errors="bad")


J = fg.strings.unsorted_segment_join


def test_unsorted_segment_join_matches_tf():
    with fg.Graph().as_default():
        assert run(J(["a", "b", "c", "d"], [1, 0, 1, 3], 5, separator=":")).tolist() == [
            b"b", b"a:c", b"", b"d", b""]
        grid = J([["Y", "q", "c"], ["Y", "6", "6"], ["p", "G", "a"]], [1, 0, 1], 2)
        assert grid.shape.as_list() == [2, 3] and grid.op.type == "UnsortedSegmentJoin"
        assert run(grid).tolist() == [[b"Y", b"6", b"6"], [b"Yp", b"qG", b"ca"]]
        # 2-D ids: the items join in row-major order.
        assert run(J([["Y", "q"], ["Y", "6"]], [[1, 0], [0, 0]], 2, separator="|")).tolist() \
            == [b"q|Y|6", b"Y"]
        assert run(J(obj([b"a", b"b"]), [0, 0], 2, separator="")).tolist() == [b"ab", b""]
        empty = J(fg.zeros([0], fg.string), fg.zeros([0], fg.int32), 2)
        assert run(empty).tolist() == [b"", b""]
        ph = J(fg.placeholder(fg.string, [None, 3]), fg.placeholder(fg.int32, [None]),
               fg.placeholder(fg.int32, []))
        assert ph.shape.as_list() == [None, 3]


def test_unsorted_segment_join_errors():
    with fg.Graph().as_default():
        for ids, num in (([-1, 0], 2), ([2, 0], 2), ([0, 1], 0)):
            with pytest.raises(errors.InvalidArgumentError, match="segment_ids are not allowed"):
                run(J(["a", "b"], ids, num))
        with pytest.raises(errors.InvalidArgumentError, match="rank 0"):
            run(J("a", 0, 2))
        with pytest.raises(ValueError, match="prefix"):
            J(["a", "b"], [0], 2)
        with pytest.raises(ValueError, match="non-negative"):
            J(["a", "b"], [0, 0], -1)


def test_bytes_split_of_a_scalar():
    with fg.Graph().as_default():
        out = fg.strings.bytes_split("abc")
        assert out.shape.ndims == 1 and out.dtype == fg.string
        assert run(out).tolist() == [b"a", b"b", b"c"]
        assert run(fg.strings.bytes_split("é")).tolist() == [b"\xc3", b"\xa9"]
        ph = fg.placeholder(fg.string, [])
        assert run(fg.strings.bytes_split(ph), {ph: b""}).tolist() == []
        with pytest.raises(ValueError, match="RaggedTensor"):
            fg.strings.bytes_split(["ab", "c"])
