"""TF1's `tf.make_tensor_proto` and `tf.make_ndarray`: values <-> TensorProto messages.

flowgraph keeps tensor attributes (a Const's `value`) as numpy arrays, so
`make_ndarray(op.get_attr("value"))` is a copy of that array; TensorProtos (TensorBoard's
protobuf classes, from the optional tensorboardX package) are read and written for code
that exchanges them with TensorFlow tools.
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from flowgraph import dtypes
from flowgraph.ops.constant import to_numpy
from flowgraph.ops.summary_encoding import TF_DATATYPE, load_protos, tensor_proto

__all__ = ["make_tensor_proto", "make_ndarray"]

_DTYPE_OF_ENUM = {number: name for name, number in TF_DATATYPE.items()}
# The typed repeated field each DataType uses when a proto has no tensor_content.
_VAL_FIELD = {"float32": "float_val", "float64": "double_val", "int32": "int_val",
              "uint8": "int_val", "int16": "int_val", "int8": "int_val", "uint16": "int_val",
              "int64": "int64_val", "bool": "bool_val", "string": "string_val",
              "float16": "half_val"}


def make_tensor_proto(values: Any, dtype: Any = None, shape: Any = None,
                      verify_shape: bool = False, allow_broadcast: bool = False) -> Any:
    """A TensorProto holding `values` (converted to `dtype`; reshaped or filled to `shape`,
    as TF1's: a scalar fills any shape; other values must have `shape`'s element count, or
    exactly `shape` with verify_shape=True).

    Needs tensorboardX (``pip install 'flowgraph[tensorboard]'``) for the protobuf class.
    """
    dtype = dtypes.as_dtype(dtype) if dtype is not None else None
    array = np.asarray(to_numpy(values, dtype) if dtype is not None else to_numpy(values))
    if dtype is None:
        dtype = dtypes.as_dtype(array.dtype) if array.dtype.kind not in "OSU" \
            else dtypes.string
    if shape is not None:
        dims = [int(d) for d in shape]
        if verify_shape and list(array.shape) != dims:
            raise TypeError(f"Expected Tensor's shape: {tuple(dims)}, got {array.shape}.")
        if allow_broadcast or (array.size == 1 and int(np.prod(dims)) != 1):
            array = np.broadcast_to(array, dims)
        elif array.size != int(np.prod(dims)):
            raise ValueError(f"Too many elements provided. Takes at most {int(np.prod(dims))}, "
                             f"but got {array.size}." if array.size > np.prod(dims) else
                             f"Expected {int(np.prod(dims))} elements for shape {dims}, got "
                             f"{array.size}.")
        else:
            array = array.reshape(dims)
    return tensor_proto(load_protos(), array, dtype)


def make_ndarray(tensor: Any) -> np.ndarray:
    """The numpy array of a TensorProto (or a copy of an array, such as a flowgraph Const's
    `value` attribute); strings come back as an object array of bytes."""
    if isinstance(tensor, np.ndarray) or np.isscalar(tensor):
        return np.array(tensor, copy=True)
    name = _DTYPE_OF_ENUM.get(getattr(tensor, "dtype", None))
    if name is None:
        raise TypeError(f"make_ndarray needs a TensorProto or an array, got "
                        f"{type(tensor).__name__} (dtype enum "
                        f"{getattr(tensor, 'dtype', None)!r})")
    dtype = dtypes.as_dtype(name)
    dims = [d.size for d in tensor.tensor_shape.dim]
    count = int(np.prod(dims)) if dims else 1
    if tensor.tensor_content:
        flat = np.frombuffer(tensor.tensor_content,
                             dtype=np.dtype(dtype.np).newbyteorder("<")).astype(dtype.np)
        return flat.reshape(dims).copy()
    field = list(getattr(tensor, _VAL_FIELD[name]))
    if dtype.is_string:
        flat = np.empty(len(field), dtype=object)
        flat[:] = field
    elif name == "float16":
        flat = np.asarray(field, dtype=np.uint16).view(np.float16)
    else:
        flat = np.asarray(field, dtype=dtype.np)
    return _fill(flat, count, dims, dtype)


def _fill(flat: np.ndarray, count: int, dims: list, dtype: Optional[Any]) -> np.ndarray:
    # As TensorFlow: a shorter value list repeats its last element (an empty one gives zeros).
    if flat.size == count:
        return flat.reshape(dims)
    if flat.size == 0:
        return np.zeros(dims, dtype=object if dtype.is_string else dtype.np)
    padded = np.concatenate([flat, np.repeat(flat[-1:], count - flat.size)])
    return padded.reshape(dims)
