"""Cases for StringNGrams (flowgraph.ops.string_ngrams); expected strings are what
TensorFlow 2.21's ``tf.strings.ngrams`` returned for the same values. As TF, ngrams needs
the rank of its data when built, so the unknown-shape pass is skipped."""

import numpy as np

from flowgraph.ops.string_ngrams import ngrams
from tests.ops.harness import OpCase


def S(*items):  # noqa: N802 - string arrays of bytes
    out = np.empty(len(items), dtype=object)
    out[:] = list(items)
    return out


ABCD = S(b"a", b"b", b"c", b"d")
NO_GRAD = {"grad": False, "partial_shapes": False}

CASES = [
    OpCase("StringNGrams", lambda d: ngrams(d, 2), [ABCD], expected=S(b"a b", b"b c", b"c d"),
           **NO_GRAD),
    OpCase("StringNGrams", lambda d: ngrams(d, [1, 3], separator="-"), [ABCD],
           expected=S(b"a", b"b", b"c", b"d", b"a-b-c", b"b-c-d"), **NO_GRAD, name="widths"),
    OpCase("StringNGrams", lambda d: ngrams(d, 3, pad_values="#"), [ABCD],
           expected=S(b"# # a", b"# a b", b"a b c", b"b c d", b"c d #", b"d # #"),
           **NO_GRAD, name="pad"),
    OpCase("StringNGrams", lambda d: ngrams(d, 3, pad_values=("L", "R"), padding_width=1),
           [ABCD], expected=S(b"L a b", b"a b c", b"b c d", b"c d R"), **NO_GRAD,
           name="pad_width"),
    OpCase("StringNGrams", lambda d: ngrams(d, 4, pad_values="#", padding_width=1,
                                            preserve_short_sequences=True),
           [S(b"a", b"b")], expected=S(b"# a b #"), **NO_GRAD, name="preserve_short"),
    OpCase("StringNGrams", lambda d: ngrams(d, 2),
           [S(b"a", b"b", b"c", b"d", b"e", b"f").reshape(2, 3)],
           expected=S(b"a b", b"b c", b"d e", b"e f").reshape(2, 2), **NO_GRAD, name="matrix"),
]
