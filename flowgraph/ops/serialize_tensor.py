"""TF1's ``tf.io.serialize_tensor`` / ``tf.io.parse_tensor``: a tensor <-> the bytes of its
TensorProto (numbers as little-endian ``tensor_content``, strings in ``string_val``, the
same bytes TensorFlow writes), e.g. to store whole tensors in a tf.train.Example.

The protobuf classes come from the optional tensorboardX package, imported when a kernel
runs (``pip install 'flowgraph[tensorboard]'``)."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from flowgraph import dtypes, errors
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.registry import Op, apply_op, register
from flowgraph.shapes import TensorShape

__all__ = ["serialize_tensor", "parse_tensor"]


@register
class SerializeTensor(Op):
    """Input: a tensor of any dtype and shape. Output: a scalar string, its serialized
    TensorProto."""

    differentiable = False

    def infer(self, op):
        return [(dtypes.string, TensorShape([]))]

    def kernel(self, tensor):
        from flowgraph.ops.summary_encoding import load_protos, tensor_proto
        array = np.asarray(tensor)
        dtype = dtypes.string if array.dtype.kind in "OSU" else dtypes.as_dtype(array.dtype)
        out = np.empty((), dtype=object)
        out[()] = tensor_proto(load_protos(), array, dtype).SerializeToString()
        return out


@register
class ParseTensor(Op):
    """Input: a scalar string holding a serialized TensorProto. Output: its tensor, which
    must be of `out_type` (the shape is known only when run)."""

    out_type: dtypes.DType = dtypes.float32

    differentiable = False

    def infer(self, op):
        (serialized,) = op.inputs
        if not serialized.dtype.is_string:
            raise TypeError(f"parse_tensor reads a serialized TensorProto (string); got "
                            f"{serialized.dtype.name}")
        # As TF1, a non-scalar `serialized` fails only when run.
        return [(self.out_type, TensorShape(None))]

    def kernel(self, serialized):
        from google.protobuf.message import DecodeError

        from flowgraph.ops.summary_encoding import load_protos
        from flowgraph.tensor_util import make_ndarray
        value = np.asarray(serialized, dtype=object)
        if value.shape != ():
            raise errors.InvalidArgumentError(
                None, None, f"Expected `serialized` to be a scalar, got shape: "
                            f"{list(value.shape)}")
        data = value[()]
        data = data.encode("utf-8") if isinstance(data, str) else bytes(data)
        try:
            proto = load_protos().tensor_pb2.TensorProto.FromString(data)
            array = make_ndarray(proto)
        except (DecodeError, TypeError, ValueError, KeyError) as exc:
            raise errors.InvalidArgumentError(
                None, None, f"Could not parse `serialized` as TensorProto ({exc}); it should "
                            "come from fg.io.serialize_tensor") from None
        parsed = dtypes.as_dtype(array.dtype) if array.dtype != object else dtypes.string
        if parsed != self.out_type:
            raise errors.InvalidArgumentError(
                None, None, f"Type mismatch between parsed tensor ({parsed.name}) and dtype "
                            f"({self.out_type.name}); pass out_type={parsed.name}")
        return array


def serialize_tensor(tensor: Any, name: Optional[str] = None) -> Any:
    """The serialized TensorProto of `tensor`, as a scalar string (node "SerializeTensor").

    Parameters
    ----------
    tensor : Tensor or array-like
        Any dtype and shape.
    name : str, optional
        Name of the op.

    Returns
    -------
    Tensor
        A scalar string; ``parse_tensor(result, tensor.dtype)`` gives the tensor back.
    """
    return apply_op(SerializeTensor(), [convert_to_tensor(tensor)], name=name)


def parse_tensor(serialized: Any, out_type: Any, name: Optional[str] = None) -> Any:
    """The tensor held in a serialized TensorProto (node "ParseTensor").

    Parameters
    ----------
    serialized : scalar string Tensor
        Bytes from `serialize_tensor` (or TensorFlow's).
    out_type : DType
        The dtype of the serialized tensor; a different one fails when run.
    name : str, optional
        Name of the op.

    Returns
    -------
    Tensor
        Of `out_type` and unknown static shape.
    """
    return apply_op(ParseTensor(out_type=dtypes.as_dtype(out_type)),
                    [convert_to_tensor(serialized, dtype=dtypes.string)], name=name)
