"""Cases for DecodeCSV (flowgraph.ops.decode_csv); expected values are literals."""

import numpy as np

from flowgraph.ops.decode_csv import decode_csv
from tests.ops.harness import OpCase


def S(*items):  # noqa: N802 - object arrays of bytes
    return np.array([i.encode("utf-8") if isinstance(i, str) else i for i in items],
                    dtype=object)


CASES = [
    OpCase("DecodeCSV", lambda r, a, b, c: decode_csv(r, [a, b, c]),
           [S("1,2.5,x", "-3, 4e1 ,", ",,\"q,\"\"r\""), np.int32([0]), np.float32([-1]),
            S("none")],
           expected=[np.int32([1, -3, 0]), np.float32([2.5, 40.0, -1.0]),
                     S("x", "none", 'q,"r')]),
    OpCase("DecodeCSV", lambda r, a, b: decode_csv(r, [a, b], field_delim="|",
                                                   na_value="NA", select_cols=[0, 2]),
           [np.array([[b"7|a|1.5"], [b"8|b|NA"]], dtype=object), np.int64([0]),
            np.float64([9.0])],
           expected=[np.int64([[7], [8]]), np.float64([[1.5], [9.0]])], name="select_na"),
    OpCase("DecodeCSV", lambda r: decode_csv(r, [[0], [""]], field_delim=";"),
           [S("5;x")], expected=[np.int32([5]), S("x")], name="python_defaults"),
    OpCase("DecodeCSV", lambda r: decode_csv(r, [[0.0]]), [np.array(b"2.5", dtype=object)],
           expected=np.float32(2.5), name="scalar"),
]
