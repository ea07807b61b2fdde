"""Cases for EncodeBase64 / DecodeBase64 (flowgraph.ops.base64_ops); expected strings are
what TensorFlow 2.21 returned (web-safe alphabet: 0xfb 0xff encodes as "-_8")."""

import numpy as np

from flowgraph.ops.base64_ops import decode_base64, encode_base64
from tests.ops.harness import OpCase


def S(*items):  # noqa: N802 - string arrays of bytes
    out = np.empty(len(items), dtype=object)
    out[:] = list(items)
    return out


CASES = [
    OpCase("EncodeBase64", lambda x: encode_base64(x), [S(b"\xfb\xff", b"ab", b"")],
           expected=S(b"-_8", b"YWI", b""), grad=False),
    OpCase("EncodeBase64", lambda x: encode_base64(x, pad=True),
           [S(b"\xfb\xff", b"ab", b"abc").reshape(3, 1)],
           expected=S(b"-_8=", b"YWI=", b"YWJj").reshape(3, 1), grad=False, name="pad"),
    OpCase("DecodeBase64", lambda x: decode_base64(x), [S(b"YWI=", b"YWI", b"YW==", b"-_8")],
           expected=S(b"ab", b"ab", b"a", b"\xfb\xff"), grad=False),
]
