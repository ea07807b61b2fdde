"""``tf.fingerprint``: the FarmHash Fingerprint64 of each row of a tensor, as 8 bytes.

TF1's ``Fingerprint`` kernel hashes each row's bytes (numbers in their little-endian memory
layout); a row of several strings is hashed as the concatenated 8-byte fingerprints of its
strings. The result is TF's exactly, so fingerprints agree across the two.
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from flowgraph import dtypes, errors
from flowgraph.graph import Tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.farmhash import fingerprint64
from flowgraph.ops.registry import Op, apply_op, register
from flowgraph.shapes import TensorShape

__all__ = ["fingerprint"]

_METHODS = ("farmhash64",)


def _to_bytes(fp: int) -> bytes:
    return fp.to_bytes(8, "little")


def _string_bytes(value: Any) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else bytes(value)


@register
class Fingerprint(Op):
    """uint8 [batch, 8]: the little-endian bytes of Fingerprint64 of each row of the input
    (rank >= 1; a row is everything under one index of the first axis)."""

    method: str = "farmhash64"

    differentiable = False

    def check(self) -> None:
        if self.method not in _METHODS:
            raise ValueError(f"fingerprint: unsupported method {self.method!r}; TF1 supports "
                             f"only {', '.join(map(repr, _METHODS))}.")

    def infer(self, op):
        shape = op.inputs[0].shape
        if shape.ndims == 0:
            raise ValueError(f"fingerprint of {op.name!r}: `data` should have at least one "
                             "dimension, got a scalar. Wrap it: fg.fingerprint([data]).")
        batch = shape[0] if shape.ndims is not None else None
        return [(dtypes.uint8, TensorShape([batch, 8]))]

    def kernel(self, data):
        data = np.asarray(data)
        if data.ndim == 0:
            raise errors.InvalidArgumentError(None, None, "fingerprint: `data` should have at "
                                              "least one dimension")
        rows = data.shape[0]
        if data.dtype == object or data.dtype.kind in "SU":
            flat = data.reshape(-1)
            if flat.size == rows:
                digests = [_to_bytes(fingerprint64(_string_bytes(s))) for s in flat]
            else:
                each = [_to_bytes(fingerprint64(_string_bytes(s))) for s in flat]
                width = flat.size // rows if rows else 0
                digests = [_to_bytes(fingerprint64(b"".join(each[r * width:(r + 1) * width])))
                           for r in range(rows)]
        else:
            raw = np.ascontiguousarray(data).astype(data.dtype.newbyteorder("<"), copy=False)
            raw = raw.reshape(rows, -1).view(np.uint8) if rows else raw.reshape(0, 0)
            digests = [_to_bytes(fingerprint64(row.tobytes())) for row in raw]
        out = np.frombuffer(b"".join(digests), dtype=np.uint8)
        return out.reshape(rows, 8)


def fingerprint(data: Any, method: str = "farmhash64", name: Optional[str] = None) -> Tensor:
    """A uint8 [batch, 8] fingerprint of each row of `data` (rank >= 1), as TF1's
    ``tf.fingerprint``: FarmHash Fingerprint64 of the row's bytes, little-endian. Equal to
    TensorFlow's bit for bit, so it can pick stable shards or splits of a data set.

    >>> fg.fingerprint(["hello world"])  # -> [[27, 176, 214, 139, 71, 183, 143, 88]]
    """
    data = convert_to_tensor(data, name="data")
    return apply_op(Fingerprint(method=method), [data], name=name)
