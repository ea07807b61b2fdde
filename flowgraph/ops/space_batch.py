"""Space-to-batch and batch-to-space (TF1's SpaceToBatchND and BatchToSpaceND, each the
other's gradient) and the builders space_to_batch_nd, batch_to_space_nd, space_to_batch,
batch_to_space and required_space_to_batch_paddings.

SpaceToBatchND pads the M spatial dimensions after the batch, splits each into
(size / block, block), moves the M block offsets in front of the batch and merges them
into it: output batch ``(o_1 * block_2 + o_2) * ... * batch + b`` holds the input cells
``padded[b, i_1 * block_1 + o_1, ...]``. BatchToSpaceND undoes it and crops.
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from flowgraph import dtypes, errors
from flowgraph.graph import Tensor
from flowgraph.ops.array import as_int_tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.elementwise import op_scope
from flowgraph.ops.registry import Op, apply_op, constant_value, register
from flowgraph.ops.shape_util import check_index_dtype

__all__ = ["space_to_batch_nd", "batch_to_space_nd", "space_to_batch", "batch_to_space",
           "required_space_to_batch_paddings"]


def _invalid(message: str) -> errors.InvalidArgumentError:
    return errors.InvalidArgumentError(None, None, message)


def _check_block_inputs(op: Any, what: str) -> Optional[int]:
    """Checks block_shape ([M]) and paddings / crops ([M, 2]); returns M when known."""
    x, block, amounts = op.inputs
    check_index_dtype(op, block, "block_shape")
    check_index_dtype(op, amounts, what)
    if block.shape.ndims not in (None, 1):
        raise ValueError(f"{op.type}: block_shape must be a vector [M], got shape "
                         f"{block.shape}")
    m = block.shape[0].value if block.shape.ndims == 1 else None
    a_shape = amounts.shape
    if a_shape.ndims is not None:
        if a_shape.ndims != 2 or a_shape[1].value not in (None, 2):
            raise ValueError(f"{op.type}: {what} must be a matrix of shape [M, 2], got shape "
                             f"{a_shape}")
        rows = a_shape[0].value
        if m is not None and rows is not None and rows != m:
            raise ValueError(f"{op.type}: {what} of shape {a_shape} needs one row per "
                             f"block_shape element ({m})")
        m = rows if m is None else m
    if m is not None and x.shape.ndims is not None and x.shape.ndims < m + 1:
        raise ValueError(f"{op.type}: the input of shape {x.shape} needs rank >= {m + 1} "
                         f"(batch + {m} block dimensions)")
    return m


def _static_values(op: Any) -> tuple:
    block = constant_value(op.inputs[1])
    amounts = constant_value(op.inputs[2])
    if block is None or amounts is None:
        return None, None
    return [int(b) for b in np.reshape(block, [-1])], np.reshape(amounts, [-1, 2]).astype(int)


def _check_values(kind: str, x_shape: tuple, block: np.ndarray, amounts: np.ndarray,
                  what: str, error: Any) -> tuple:
    block = np.asarray(block).astype(np.int64)
    amounts = np.asarray(amounts).astype(np.int64)
    if block.ndim != 1:
        raise error(f"{kind}: block_shape must be a vector, got shape {list(block.shape)}")
    m = block.shape[0]
    if amounts.shape != (m, 2):
        raise error(f"{kind}: {what} must have shape [{m}, 2] (one row per block dimension), "
                    f"got {list(amounts.shape)}")
    if len(x_shape) < m + 1:
        raise error(f"{kind}: input rank should be >= {m + 1} (batch + {m} block "
                    f"dimensions), got shape {list(x_shape)}")
    if (block < 1).any():
        raise error(f"{kind}: all values in block_shape must be positive, got "
                    f"{block.tolist()}")
    if (amounts < 0).any():
        raise error(f"{kind}: {what} must be non-negative, got {amounts.tolist()}")
    return block.tolist(), amounts.tolist()


def space_to_batch_array(x: np.ndarray, block: list, paddings: list, error: Any) -> np.ndarray:
    """The numpy SpaceToBatchND (checked values)."""
    m = len(block)
    padded = np.pad(x, [(0, 0)] + [tuple(p) for p in paddings] + [(0, 0)] * (x.ndim - 1 - m))
    split = [x.shape[0]]
    for i, b in enumerate(block):
        size = padded.shape[1 + i]
        if size % b:
            raise error(f"SpaceToBatchND: padded_shape[{i}]={size} is not divisible by "
                        f"block_shape[{i}]={b}: choose paddings that make each padded "
                        f"dimension a multiple of its block size")
        split += [size // b, b]
    rest = list(padded.shape[1 + m:])
    blocks = padded.reshape(split + rest)
    perm = ([2 + 2 * i for i in range(m)] + [0] + [1 + 2 * i for i in range(m)]
            + list(range(1 + 2 * m, 1 + 2 * m + len(rest))))
    out_batch = x.shape[0] * int(np.prod(block, dtype=np.int64))
    return blocks.transpose(perm).reshape([out_batch] + split[1::2] + rest)


def batch_to_space_array(x: np.ndarray, block: list, crops: list, error: Any) -> np.ndarray:
    """The numpy BatchToSpaceND (checked values)."""
    m = len(block)
    prod = int(np.prod(block, dtype=np.int64))
    if x.shape[0] % prod:
        raise error(f"BatchToSpaceND: input batch dimension ({x.shape[0]}) is not divisible "
                    f"by the product of the block sizes ({prod}), block_shape {block}")
    batch = x.shape[0] // prod
    spatial = list(x.shape[1:1 + m])
    rest = list(x.shape[1 + m:])
    blocks = x.reshape(list(block) + [batch] + spatial + rest)
    perm = [m]
    for i in range(m):
        perm += [m + 1 + i, i]
    perm += list(range(2 * m + 1, 2 * m + 1 + len(rest)))
    full = blocks.transpose(perm).reshape([batch] + [s * b for s, b in zip(spatial, block)]
                                          + rest)
    index = [slice(None)]
    for i, (start, end) in enumerate(crops):
        size = full.shape[1 + i]
        if start + end > size:
            raise error(f"BatchToSpaceND: cropped_shape[{i}]={size - start - end} must be "
                        f"non-negative: crops {crops[i]} exceed the uncropped size {size}")
        index.append(slice(start, size - end))
    return full[tuple(index)]


@register
class SpaceToBatchND(Op):
    """Zero-pads the M dimensions after the batch by `paddings` ([M, 2]) and moves
    `block_shape` ([M]) blocks of them into the batch dimension."""

    def infer(self, op):
        x = op.inputs[0]
        _check_block_inputs(op, "paddings")
        if x.shape.ndims is None:
            return [(x.dtype, None)]
        block, paddings = _static_values(op)
        if block is None:
            return [(x.dtype, [None] * x.shape.ndims)]
        dims = x.shape.as_list()
        block, paddings = _check_values(op.type, tuple(dims), np.array(block), paddings,
                                        "paddings", ValueError)
        out = [None if dims[0] is None else dims[0] * int(np.prod(block))]
        for i, b in enumerate(block):
            d = dims[1 + i]
            if d is None:
                out.append(None)
                continue
            size = d + paddings[i][0] + paddings[i][1]
            if size % b:
                raise ValueError(f"{op.type}: padded_shape[{i}]={size} is not divisible by "
                                 f"block_shape[{i}]={b}")
            out.append(size // b)
        return [(x.dtype, out + dims[1 + len(block):])]

    def kernel(self, x, block_shape, paddings):
        block, amounts = _check_values("SpaceToBatchND", x.shape, block_shape, paddings,
                                       "paddings", _invalid)
        return space_to_batch_array(x, block, amounts, _invalid)

    def grad(self, op, dy):
        from flowgraph.ops.array_grad import dense
        _, block, paddings = op.inputs
        return [apply_op(BatchToSpaceND(), [dense(dy), block, paddings]), None, None]


@register
class BatchToSpaceND(Op):
    """Moves `block_shape` ([M]) blocks of the batch dimension back into the M dimensions
    after it, then crops them by `crops` ([M, 2]): the inverse of SpaceToBatchND."""

    def infer(self, op):
        x = op.inputs[0]
        _check_block_inputs(op, "crops")
        if x.shape.ndims is None:
            return [(x.dtype, None)]
        block, crops = _static_values(op)
        if block is None:
            return [(x.dtype, [None] * x.shape.ndims)]
        dims = x.shape.as_list()
        block, crops = _check_values(op.type, tuple(dims), np.array(block), crops, "crops",
                                     ValueError)
        prod = int(np.prod(block))
        if dims[0] is not None and dims[0] % prod:
            raise ValueError(f"{op.type}: input batch dimension ({dims[0]}) is not divisible "
                             f"by the product of the block sizes ({prod})")
        out = [None if dims[0] is None else dims[0] // prod]
        for i, b in enumerate(block):
            d = dims[1 + i]
            if d is None:
                out.append(None)
                continue
            size = d * b - crops[i][0] - crops[i][1]
            if size < 0:
                raise ValueError(f"{op.type}: cropped_shape[{i}]={size} must be non-negative "
                                 f"(crops {crops[i]}, uncropped size {d * b})")
            out.append(size)
        return [(x.dtype, out + dims[1 + len(block):])]

    def kernel(self, x, block_shape, crops):
        block, amounts = _check_values("BatchToSpaceND", x.shape, block_shape, crops, "crops",
                                       _invalid)
        return batch_to_space_array(x, block, amounts, _invalid)

    def grad(self, op, dy):
        from flowgraph.ops.array_grad import dense
        _, block, crops = op.inputs
        return [apply_op(SpaceToBatchND(), [dense(dy), block, crops]), None, None]


# --------------------------------------------------------------------------- builders
def space_to_batch_nd(input: Any, block_shape: Any, paddings: Any,  # noqa: A002
                      name: Optional[str] = None) -> Tensor:
    """Moves blocks of the spatial dimensions into the batch, as TF1's
    `tf.space_to_batch_nd` (node "SpaceToBatchND").

    Parameters
    ----------
    input : Tensor
        [batch] + spatial_shape (M dims) + remaining_shape.
    block_shape : Tensor or list
        int32/int64 [M], every value >= 1.
    paddings : Tensor or list
        int32/int64 [M, 2] zero padding per spatial dimension; each padded size must be a
        multiple of its block size.

    Returns
    -------
    Tensor
        [batch * prod(block_shape)] + [padded_i / block_shape[i]] + remaining_shape.

    Example: a [1, 2, 2, 1] input with block_shape [2, 2] and no padding gives [4, 1, 1, 1].
    """
    input = convert_to_tensor(input)
    return apply_op(SpaceToBatchND(), [input, as_int_tensor(block_shape, "block_shape"),
                                       as_int_tensor(paddings, "paddings")], name=name)


def batch_to_space_nd(input: Any, block_shape: Any, crops: Any,  # noqa: A002
                      name: Optional[str] = None) -> Tensor:
    """Moves blocks of the batch back into the spatial dimensions and crops them, as TF1's
    `tf.batch_to_space_nd` (node "BatchToSpaceND"): the inverse of `space_to_batch_nd`.

    `input` is [batch * prod(block_shape)] + spatial_shape (M dims) + remaining_shape;
    `crops` (int [M, 2]) is removed from the start and end of each enlarged spatial
    dimension. The result is [batch] + [spatial_i * block_shape[i] - crops] + remaining.
    """
    input = convert_to_tensor(input)
    return apply_op(BatchToSpaceND(), [input, as_int_tensor(block_shape, "block_shape"),
                                       as_int_tensor(crops, "crops")], name=name)


def _block_size(block_size: Any, block_shape: Any, fn: str) -> int:
    if block_size is not None and block_shape is not None:
        raise ValueError(f"{fn}: cannot specify both 'block_shape' and 'block_size'")
    size = block_shape if block_size is None else block_size
    if size is None:
        raise ValueError(f"{fn} needs a block_size (an int > 1)")
    if isinstance(size, bool) or int(size) != size:
        raise TypeError(f"{fn}: block_size must be an int, got {size!r}")
    return int(size)


def _with_rank4(result: Tensor, fn: str) -> Tensor:
    if result.shape.ndims not in (None, 4):
        raise ValueError(f"{fn} needs a 4-D input [batch, height, width, depth], got shape "
                         f"{result.shape}")
    result.set_shape([None] * 4)
    return result


def space_to_batch(input: Any, paddings: Any, block_size: Any = None,  # noqa: A002
                   name: Optional[str] = None, block_shape: Any = None) -> Tensor:
    """The 4-D `space_to_batch_nd` with a square block, as TF1's `tf.space_to_batch` /
    `tf.nn.space_to_batch` (node "SpaceToBatchND"): input [batch, height, width, depth],
    paddings [[top, bottom], [left, right]]; output [batch * block_size**2,
    (height + top + bottom) / block_size, (width + left + right) / block_size, depth].
    `block_shape` is the newer spelling of `block_size`."""
    size = _block_size(block_size, block_shape, "space_to_batch")
    result = space_to_batch_nd(input, block_shape=np.array([size, size], np.int64),
                               paddings=paddings, name=name)
    return _with_rank4(result, "space_to_batch")


def batch_to_space(input: Any, crops: Any, block_size: Any,  # noqa: A002
                   name: Optional[str] = None, block_shape: Any = None) -> Tensor:
    """The 4-D `batch_to_space_nd` with a square block, as TF1's `tf.batch_to_space` (node
    "BatchToSpaceND"): the inverse of `space_to_batch`."""
    size = _block_size(block_size, block_shape, "batch_to_space")
    result = batch_to_space_nd(input, block_shape=np.array([size, size], np.int64),
                               crops=crops, name=name)
    return _with_rank4(result, "batch_to_space")


def required_space_to_batch_paddings(input_shape: Any, block_shape: Any,
                                     base_paddings: Any = None,
                                     name: Optional[str] = None) -> tuple:
    """(paddings, crops), both int32 [M, 2], for `space_to_batch_nd` / `batch_to_space_nd`,
    as TF1's `tf.required_space_to_batch_paddings`.

    `paddings` extends `base_paddings` (default zeros) at the end just enough that every
    padded size ``input_shape + base_paddings[:, 0] + paddings[:, 1]`` is a multiple of
    `block_shape`; `crops` is ``[[0, extra_end], ...]``, which undoes that extra padding.
    Known values give constant results.
    """
    from flowgraph.ops.array import stack
    from flowgraph.ops.fill import zeros
    with op_scope(name, "required_space_to_batch_paddings", [input_shape, block_shape]):
        input_shape = convert_to_tensor(input_shape, dtype=dtypes.int32, name="input_shape")
        block_shape = convert_to_tensor(block_shape, dtype=dtypes.int32, name="block_shape")
        if block_shape.shape.ndims != 1 or not block_shape.shape.is_fully_defined():
            raise ValueError(f"required_space_to_batch_paddings: block_shape must be a vector "
                             f"of known length, got shape {block_shape.shape}")
        m = block_shape.shape[0].value
        if m == 0:
            return zeros([0, 2], dtypes.int32), zeros([0, 2], dtypes.int32)
        if not input_shape.shape.is_compatible_with([m]):
            raise ValueError(f"required_space_to_batch_paddings: input_shape of shape "
                             f"{input_shape.shape} must be a vector of {m} elements (one per "
                             f"block dimension)")
        if base_paddings is not None:
            base_paddings = convert_to_tensor(base_paddings, dtype=dtypes.int32,
                                              name="base_paddings")
            if not base_paddings.shape.is_compatible_with([m, 2]):
                raise ValueError(f"required_space_to_batch_paddings: base_paddings must have "
                                 f"shape [{m}, 2], got {base_paddings.shape}")
        else:
            base_paddings = zeros([m, 2], dtypes.int32)
        values = [constant_value(t) for t in (block_shape, input_shape, base_paddings)]
        if all(v is not None for v in values):
            block, shape, base = (np.asarray(v, np.int32) for v in values)
            pad_start, orig_end = base[:, 0], base[:, 1]
            full = shape + pad_start + orig_end
            extra = (block - full % block) % block
            pad_end = orig_end + extra
            return (stack([[pad_start[i], pad_end[i]] for i in range(m)], name="paddings"),
                    stack([[0, extra[i]] for i in range(m)], name="crops"))
        pad_start = base_paddings[:, 0]
        orig_end = base_paddings[:, 1]
        full = input_shape + pad_start + orig_end
        extra = (block_shape - full % block_shape) % block_shape
        pad_end = orig_end + extra
        paddings = stack([[pad_start[i], pad_end[i]] for i in range(m)], name="paddings")
        crops = stack([[0, extra[i]] for i in range(m)], name="crops")
        return paddings, crops
