"""`decode_raw`: the bytes of each string read as a vector of numbers (TF1's
``tf.io.decode_raw`` / ``tf.decode_raw``), e.g. raw image pixels stored in a tf.Example."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from flowgraph import dtypes, errors
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.registry import Op, apply_op, graph_of, register
from flowgraph.shapes import TensorShape

__all__ = ["decode_raw"]

RAW_DTYPES = (dtypes.float16, dtypes.float32, dtypes.float64, dtypes.int32, dtypes.uint16,
              dtypes.uint8, dtypes.int16, dtypes.int8, dtypes.int64, dtypes.bool_)


@register
class DecodeRaw(Op):
    """Input: strings of any shape, all of one length. Output: ``input.shape + [length /
    itemsize]`` values of `out_type`, read little- or big-endian."""

    out_type: dtypes.DType = dtypes.uint8
    little_endian: bool = True

    differentiable = False

    def check(self) -> None:
        if self.out_type not in RAW_DTYPES:
            raise TypeError(f"Value passed to parameter 'out_type' has DataType "
                            f"{self.out_type.name} not in list of allowed values: "
                            + ", ".join(d.name for d in RAW_DTYPES))

    def infer(self, op):
        (tensor,) = op.inputs
        if not tensor.dtype.is_string:
            raise TypeError(f"decode_raw reads the bytes of strings; got {tensor.dtype.name} "
                            "(use fg.bitcast to reinterpret numbers)")
        if tensor.shape.ndims is None:
            return [(self.out_type, TensorShape(None))]
        return [(self.out_type, TensorShape(tensor.shape.as_list() + [None]))]

    def kernel(self, values):
        values = np.asarray(values, dtype=object)
        flat = [v.encode("utf-8") if isinstance(v, str) else bytes(v)
                for v in values.reshape(-1)]
        itemsize = self.out_type.np.itemsize
        length = len(flat[0]) if flat else 0
        for i, item in enumerate(flat):
            if len(item) != length:
                raise errors.InvalidArgumentError(
                    None, None, "DecodeRaw requires input strings to all be the same size, but "
                    f"element {i} has size {len(item)} != {length}")
        if length % itemsize:
            raise errors.InvalidArgumentError(
                None, None, f"Input to DecodeRaw has length {length} that is not a multiple "
                f"of {itemsize}, the size of {self.out_type.name}")
        order = "<" if self.little_endian else ">"
        if self.out_type == dtypes.bool_:
            raw = np.frombuffer(b"".join(flat), dtype=np.uint8) != 0
        else:
            raw = np.frombuffer(b"".join(flat), dtype=self.out_type.np.newbyteorder(order))
            raw = raw.astype(self.out_type.np)
        return raw.reshape(values.shape + (length // itemsize,))


def decode_raw(input_bytes: Any = None, out_type: Any = None, little_endian: bool = True,
               name: Optional[str] = None, bytes: Any = None) -> Any:  # noqa: A002 - TF1's
    """Reads the bytes of each string as numbers of `out_type` (TF1's ``tf.io.decode_raw``).

    Parameters
    ----------
    input_bytes : string Tensor, any shape
        Strings of equal length (a multiple of `out_type`'s size).
    out_type : DType
        float16/32/64, int8/16/32/64, uint8/16 or bool.
    little_endian : bool
        The byte order of the stored numbers.
    bytes : deprecated alias of `input_bytes` (TF1).

    Returns
    -------
    Tensor of shape ``input_bytes.shape + [length // itemsize]``.

    >>> fg.io.decode_raw([b"\\x01\\x00\\x02\\x00"], fg.int16)   # [[1, 2]]
    """
    if bytes is not None:
        if input_bytes is not None:
            raise ValueError("Cannot specify both 'input_bytes' and 'bytes'")
        input_bytes = bytes
    if input_bytes is None or out_type is None:
        raise TypeError("decode_raw needs input_bytes and out_type")
    graph = graph_of(input_bytes)
    with graph.as_default():
        tensor = convert_to_tensor(input_bytes, dtype=dtypes.string, name="input_bytes")
        return apply_op(DecodeRaw(out_type=out_type, little_endian=little_endian), [tensor],
                        name=name or "DecodeRaw")
