"""TF1's ``tf.serialize_sparse`` / ``tf.serialize_many_sparse`` /
``tf.deserialize_many_sparse``: a SparseTensor <-> 3 strings, the serialized TensorProtos of
its indices, values and dense shape. As TensorFlow's ``AsProtoTensorContent``, every
component (strings too) lives in ``tensor_content``; strings there are the varint lengths of
all elements followed by their bytes. The bytes equal TensorFlow's.

The protobuf classes come from the optional tensorboardX package, imported when a kernel
runs (``pip install 'flowgraph[tensorboard]'``)."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from flowgraph import dtypes, errors
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.registry import Op, apply_op, register
from flowgraph.ops.sparse_util import check_sparse_inputs, sparse_module
from flowgraph.shapes import TensorShape

__all__ = ["serialize_sparse", "serialize_many_sparse", "deserialize_many_sparse"]


# --------------------------------------------------------------------------- encoding
def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _read_varint(data: bytes, pos: int) -> tuple:
    result, shift = 0, 0
    while True:
        if pos >= len(data):
            raise ValueError("truncated varint in string tensor_content")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return result, pos


def _encode(array: np.ndarray) -> bytes:
    """The serialized TensorProto of `array`, every element in ``tensor_content``."""
    from flowgraph.ops.summary_encoding import datatype_enum, load_protos, shape_proto, to_bytes
    protos = load_protos()
    array = np.asarray(array)
    dtype = dtypes.string if array.dtype.kind in "OSU" else dtypes.as_dtype(array.dtype)
    proto = protos.tensor_pb2.TensorProto(dtype=datatype_enum(dtype),
                                          tensor_shape=shape_proto(protos, array.shape))
    if dtype.is_string:
        items = [to_bytes(v) for v in array.reshape(-1)]
        proto.tensor_content = b"".join(_varint(len(v)) for v in items) + b"".join(items)
    else:
        little = array.astype(np.dtype(dtype.np).newbyteorder("<"), copy=False)
        proto.tensor_content = np.ascontiguousarray(little).tobytes()
    return proto.SerializeToString()


def _decode(data: Any, what: str) -> np.ndarray:
    """The array in one serialized TensorProto (from `_encode`, TensorFlow or
    ``serialize_tensor``)."""
    from google.protobuf.message import DecodeError

    from flowgraph.ops.summary_encoding import load_protos, to_bytes
    from flowgraph.tensor_util import make_ndarray
    try:
        proto = load_protos().tensor_pb2.TensorProto.FromString(to_bytes(data))
        if proto.dtype == dtypes.string.as_datatype_enum and proto.tensor_content:
            shape = tuple(d.size for d in proto.tensor_shape.dim)
            count = int(np.prod(shape, dtype=np.int64))
            content, pos, lengths = proto.tensor_content, 0, []
            for _ in range(count):
                n, pos = _read_varint(content, pos)
                lengths.append(n)
            out = np.empty(count, dtype=object)
            for k, n in enumerate(lengths):
                out[k] = content[pos:pos + n]
                pos += n
            return out.reshape(shape)
        return make_ndarray(proto)
    except (DecodeError, TypeError, ValueError, KeyError) as exc:
        raise errors.InvalidArgumentError(
            None, None, f"Could not parse the serialized sparse {what} ({exc}); it should "
                        "come from fg.serialize_sparse or fg.serialize_many_sparse") from None


def _triple(indices: np.ndarray, values: np.ndarray, shape: np.ndarray) -> np.ndarray:
    out = np.empty(3, dtype=object)
    out[0], out[1], out[2] = _encode(indices), _encode(values), _encode(shape)
    return out


# --------------------------------------------------------------------------- ops
@register
class SerializeSparse(Op):
    """Inputs: a SparseTensor's indices, values, dense_shape. Output: string [3], their
    serialized TensorProtos."""

    differentiable = False

    def infer(self, op):
        check_sparse_inputs(op, *op.inputs)
        return [(dtypes.string, TensorShape([3]))]

    def kernel(self, indices, values, shape):
        return _triple(np.asarray(indices, np.int64), np.asarray(values),
                       np.asarray(shape, np.int64))


@register
class SerializeManySparse(Op):
    """Inputs: a SparseTensor of rank >= 1 (indices, values, dense_shape). Output: string
    [dense_shape[0], 3], row k the serialized minibatch entry k (first dimension dropped)."""

    differentiable = False

    def infer(self, op):
        check_sparse_inputs(op, *op.inputs)
        return [(dtypes.string, TensorShape([None, 3]))]

    def kernel(self, indices, values, shape):
        indices = np.asarray(indices, np.int64)
        shape = np.asarray(shape, np.int64)
        if shape.size < 1:
            raise errors.InvalidArgumentError(
                None, None, "SerializeManySparse: the SparseTensor must have rank >= 1 (its "
                            "first dimension is the minibatch); got a scalar dense_shape")
        rows = int(shape[0])
        if indices.size and (indices[:, 0].min() < 0 or indices[:, 0].max() >= rows):
            raise errors.InvalidArgumentError(
                None, None, f"SerializeManySparse: a first index is outside [0, {rows})")
        out = np.empty((rows, 3), dtype=object)
        for k in range(rows):
            keep = indices[:, 0] == k
            out[k] = _triple(indices[keep, 1:], np.asarray(values)[keep], shape[1:])
        return out


@register
class DeserializeManySparse(Op):
    """Input: string [N, 3] of serialized SparseTensors of one rank R and dtype `dtype`.
    Outputs: the indices, values and dense_shape of the rank R + 1 SparseTensor stacking
    them (each dimension the largest of the parts')."""

    dtype: dtypes.DType = dtypes.float32
    rank: Optional[int] = None

    differentiable = False

    def infer(self, op):
        (serialized,) = op.inputs
        if not serialized.dtype.is_string:
            raise TypeError(f"deserialize_many_sparse reads strings from serialize_many_sparse;"
                            f" got {serialized.dtype.name}")
        dims = serialized.shape.as_tuple()
        if dims is not None and (len(dims) != 2 or dims[-1] not in (None, 3)):
            raise ValueError(f"deserialize_many_sparse: serialized_sparse must have shape "
                             f"[N, 3], got {serialized.shape}")
        rank = None if self.rank is None else self.rank + 1
        return [(dtypes.int64, TensorShape([None, rank])), (self.dtype, TensorShape([None])),
                (dtypes.int64, TensorShape([rank]))]

    def kernel(self, serialized):
        rows = np.asarray(serialized, dtype=object)
        if rows.ndim != 2 or rows.shape[1] != 3:
            raise errors.InvalidArgumentError(
                None, None, f"Serialized sparse should be a matrix [N, 3], got shape "
                            f"{list(rows.shape)}")
        indices, values, shapes = [], [], []
        for k, (i, v, s) in enumerate(rows):
            ind, val, shp = _decode(i, "indices"), _decode(v, "values"), _decode(s, "shape")
            got = dtypes.string if val.dtype == object else dtypes.as_dtype(val.dtype)
            if got != self.dtype:
                raise errors.InvalidArgumentError(
                    None, None, f"Requested SparseTensor of type {self.dtype.name} but "
                                f"SparseTensor[{k}].values.dtype() == {got.name}")
            if shapes and shp.size != shapes[0].size:
                raise errors.InvalidArgumentError(
                    None, None, f"Inconsistent rank across SparseTensors: rank prior to "
                                f"SparseTensor[{k}] was: {shapes[0].size} but rank of "
                                f"SparseTensor[{k}] is: {shp.size}")
            ind = ind.reshape(-1, shp.size).astype(np.int64)
            indices.append(np.concatenate([np.full((len(ind), 1), k, np.int64), ind], 1))
            values.append(val.reshape(-1))
            shapes.append(shp.astype(np.int64))
        if self.rank is not None and shapes and shapes[0].size != self.rank:
            raise errors.InvalidArgumentError(
                None, None, f"deserialize_many_sparse: rank={self.rank} was given but the "
                            f"serialized SparseTensors have rank {shapes[0].size}")
        rank = shapes[0].size if shapes else (self.rank or 0)
        dense = np.concatenate([[len(rows)], np.max(shapes, 0) if shapes
                                else np.zeros(rank, np.int64)]).astype(np.int64)
        if not indices:
            return (np.zeros((0, rank + 1), np.int64),
                    np.zeros(0, object if self.dtype.is_string else self.dtype.np), dense)
        return np.concatenate(indices, 0), np.concatenate(values, 0), dense


# --------------------------------------------------------------------------- functions
def _check_out_type(out_type: Any, fn: str) -> None:
    if dtypes.as_dtype(out_type) != dtypes.string:
        raise TypeError(f"{fn}: only out_type=string is supported (flowgraph has no variant "
                        f"tensors); got {out_type!r}")


def serialize_sparse(sp_input: Any, name: Optional[str] = None,
                     out_type: Any = dtypes.string) -> Any:
    """The SparseTensor as string [3]: serialized TensorProtos of its indices, values and
    dense shape (node "SerializeSparse"). Also `fg.io.serialize_sparse`.

    Parameters
    ----------
    sp_input : SparseTensor or SparseTensorValue
    name : str, optional
    out_type : DType
        Must be string.

    Returns
    -------
    Tensor
        string [3], the same bytes as TensorFlow's.
    """
    _check_out_type(out_type, "serialize_sparse")
    sp = sparse_module().convert_to_sparse_tensor(sp_input)
    return apply_op(SerializeSparse(), [sp.indices, sp.values, sp.dense_shape], name=name)


def serialize_many_sparse(sp_input: Any, name: Optional[str] = None,
                          out_type: Any = dtypes.string) -> Any:
    """Each minibatch entry (first dimension) of a SparseTensor serialized as in
    `serialize_sparse`: string [N, 3] (node "SerializeManySparse").

    Parameters
    ----------
    sp_input : SparseTensor of rank >= 1
    name : str, optional
    out_type : DType
        Must be string.

    Returns
    -------
    Tensor
        string [N, 3], N = dense_shape[0].
    """
    _check_out_type(out_type, "serialize_many_sparse")
    sp = sparse_module().convert_to_sparse_tensor(sp_input)
    return apply_op(SerializeManySparse(), [sp.indices, sp.values, sp.dense_shape],
                    name=name)


def deserialize_many_sparse(serialized_sparse: Any, dtype: Any, rank: Optional[int] = None,
                            name: Optional[str] = None) -> Any:
    """The SparseTensor stacking N serialized SparseTensors (string [N, 3], e.g. from
    `serialize_many_sparse`) along a new first dimension (node "DeserializeManySparse").

    Parameters
    ----------
    serialized_sparse : string Tensor [N, 3]
    dtype : DType
        The values' dtype; a different one fails when run (InvalidArgumentError).
    rank : int, optional
        The parts' rank, to give the result a static rank of rank + 1.
    name : str, optional

    Returns
    -------
    SparseTensor
        Of rank R + 1; each dense dimension is the largest of the parts'.
    """
    op = DeserializeManySparse(dtype=dtypes.as_dtype(dtype),
                               rank=None if rank is None else int(rank))
    indices, values, shape = apply_op(
        op, [convert_to_tensor(serialized_sparse, dtype=dtypes.string)], name=name)
    return sparse_module().SparseTensor(indices, values, shape)
