"""TF1 fidelity of substr: unit='UTF8_CHAR', negative lengths and the pos/len shape rule
(expected values worked out by hand from the UTF-8 bytes)."""

import numpy as np
import pytest

import flowgraph as tf
from flowgraph import errors


def _run(fetch):
    with tf.Session() as sess:
        return sess.run(fetch)


def test_substr_utf8_char_counts_characters():
    with tf.Graph().as_default():
        words = tf.constant(["h\u00e9llo", "\u65e5\u672c\u8a9e"])
        out = _run(tf.strings.substr(words, 1, 2, unit="UTF8_CHAR"))
    # "é" is the 2 bytes c3 a9; "本語" are 3 bytes each.
    np.testing.assert_array_equal(out, np.array([b"\xc3\xa9l", "\u672c\u8a9e".encode()],
                                                dtype=object))


def test_substr_utf8_char_negative_pos_counts_from_the_end():
    with tf.Graph().as_default():
        words = tf.constant(["h\u00e9llo", "\u65e5\u672c\u8a9e"])
        out = _run(tf.strings.substr(words, -3, 2, unit="UTF8_CHAR"))
    np.testing.assert_array_equal(out, np.array([b"ll", "\u65e5\u672c".encode()],
                                                dtype=object))


def test_substr_utf8_char_pos_past_the_end_fails():
    with tf.Graph().as_default():
        cut = tf.strings.substr(tf.constant(["\u65e5\u672c\u8a9e"]), 4, 1, unit="UTF8_CHAR")
        with pytest.raises(errors.InvalidArgumentError):
            _run(cut)


def test_substr_invalid_utf8_bytes_count_as_one_character_each():
    with tf.Graph().as_default():
        out = _run(tf.strings.substr(tf.constant([b"a\xffb\xc3"]), 1, 2, unit="UTF8_CHAR"))
    assert out.tolist() == [b"\xffb"]


def test_substr_negative_len_bytes_to_end_chars_none():
    with tf.Graph().as_default():
        as_bytes = tf.strings.substr(tf.constant(["abc"]), 1, -1)
        as_chars = tf.strings.substr(tf.constant(["abc"]), 1, -1, unit="UTF8_CHAR")
        got_bytes, got_chars = _run([as_bytes, as_chars])
    assert got_bytes.tolist() == [b"bc"]
    assert got_chars.tolist() == [b""]


def test_substr_pos_and_len_must_match_in_shape():
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="same shape"):
            tf.strings.substr(tf.constant(["abc", "de"]), tf.constant([0, 1]),
                              tf.constant([1]))


def test_substr_rejects_unknown_unit():
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="UTF8_CHAR"):
            tf.strings.substr(tf.constant(["abc"]), 0, 1, unit="UTF16_CHAR")
