"""Padding: pad with a constant (Pad, PadV2) or by mirroring the edges (MirrorPad)."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from flowgraph import errors
from flowgraph.graph import Tensor
from flowgraph.ops.array import as_int_tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.registry import Op, apply_op, constant_value, register
from flowgraph.ops.shape_util import check_index_dtype
from flowgraph.shapes import TensorShape

__all__ = ["pad"]


def _invalid_argument(message: str) -> errors.InvalidArgumentError:
    return errors.InvalidArgumentError(None, None, message)


def _check_amounts(amounts: np.ndarray, dims: Any, mirror: Optional[str], error: Any) -> None:
    """Raises `error` for negative paddings, or mirror paddings too large for a dimension."""
    if (amounts < 0).any():
        raise error(f"Paddings must be non-negative, got {amounts.tolist()}")
    if mirror is None:
        return
    extra = 0 if mirror == "SYMMETRIC" else 1
    for i, (before, after) in enumerate(amounts.tolist()):
        dim = dims[i]
        if dim is None:
            continue
        if max(before, after) > dim - extra:
            relation = "less than or equal to" if extra == 0 else "less than"
            raise error(f"paddings must be {relation} the dimension size: {before}, {after} "
                        f"not {relation} {dim} (dimension {i}, mode {mirror})")


class _PadBase(Op):
    """Shared shape inference: output dim i is ``dim + paddings[i, 0] + paddings[i, 1]``."""

    def mirror(self) -> Optional[str]:
        return None

    def infer(self, op):
        x, paddings = op.inputs[0], op.inputs[1]
        check_index_dtype(op, paddings, "paddings")
        p_shape = paddings.shape
        if p_shape.ndims is not None and (p_shape.ndims != 2 or p_shape[1].value not in
                                          (None, 2)):
            raise ValueError(f"{op.type} paddings must be a matrix of shape [rank, 2], got "
                             f"shape {p_shape}")
        rank = x.shape.ndims
        rows = p_shape[0].value if p_shape.ndims == 2 else None
        if rank is not None and rows is not None and rows != rank:
            raise ValueError(f"The first dimension of paddings must be the rank of inputs: "
                             f"paddings shape {p_shape}, input shape {x.shape}")
        rank = rank if rank is not None else rows
        if rank is None:
            return [(x.dtype, TensorShape(None))]
        dims = x.shape.as_list() if x.shape.ndims is not None else [None] * rank
        amounts = constant_value(paddings)
        if amounts is None:
            return [(x.dtype, [None] * rank)]
        _check_amounts(amounts, dims, self.mirror(), ValueError)
        return [(x.dtype, [None if d is None else d + int(a) + int(b)
                           for d, (a, b) in zip(dims, amounts.tolist())])]

    def amounts(self, x: np.ndarray, paddings: np.ndarray) -> np.ndarray:
        if paddings.shape != (x.ndim, 2):
            raise _invalid_argument(f"The first dimension of paddings must be the rank of "
                                    f"inputs: paddings shape {list(paddings.shape)}, input "
                                    f"shape {list(x.shape)}")
        _check_amounts(paddings, x.shape, self.mirror(), _invalid_argument)
        return paddings.astype(np.int64, copy=False)


def _unpadded(op: Any, dy: Tensor) -> Tensor:
    """The gradient of a constant pad for its input: the input-shaped block of dy."""
    from flowgraph.ops.array_grad import shape_tensor
    from flowgraph.ops.shape_ops import reshape
    from flowgraph.ops.slicing import slice as slice_
    x, paddings = op.inputs[0], op.inputs[1]
    amounts = constant_value(paddings)
    if amounts is not None and x.shape.is_fully_defined():
        return slice_(dy, amounts[:, 0].tolist(), x.shape.as_list())
    begin = reshape(slice_(paddings, [0, 0], [-1, 1]), [-1])
    return slice_(dy, begin, shape_tensor(x, paddings.dtype))


def _constant_pad(x: np.ndarray, amounts: np.ndarray, value: Any) -> np.ndarray:
    if not amounts.any():
        return x
    return np.pad(x, amounts, mode="constant", constant_values=value)


@register
class Pad(_PadBase):
    """Pads with zeros (False for bool, b"" for strings): ``paddings[i] = [before, after]``
    elements around dimension i."""

    def kernel(self, x, paddings):
        zero = b"" if x.dtype == object else 0
        return _constant_pad(x, self.amounts(x, paddings), zero)

    def grad(self, op, dy):
        from flowgraph.ops.array_grad import dense
        return [_unpadded(op, dense(dy)), None]


@register
class PadV2(_PadBase):
    """Pads with the scalar `constant_values` input."""

    def infer(self, op):
        x, value = op.inputs[0], op.inputs[2]
        if value.dtype != x.dtype:
            raise TypeError(f"PadV2 constant_values must have the input's dtype {x.dtype.name},"
                            f" got {value.dtype.name}")
        if value.shape.ndims not in (None, 0):
            raise ValueError(f"PadV2 constant_values must be a scalar, got shape {value.shape}")
        return super().infer(op)

    def kernel(self, x, paddings, value):
        return _constant_pad(x, self.amounts(x, paddings), value[()])

    def grad(self, op, dy):
        """As Pad's for the input; the pad value gets the sum of dy over the margins (TF1
        gives it None, which silently drops a real dependence)."""
        from flowgraph.ops.array_grad import dense
        from flowgraph.ops.reduce import reduce_sum
        dy = dense(dy)
        x_grad = _unpadded(op, dy)
        if constant_value(op.inputs[2]) is not None:
            return [x_grad, None, None]
        return [x_grad, None, reduce_sum(dy) - reduce_sum(x_grad)]


@register
class MirrorPad(_PadBase):
    """Pads by mirroring the input at its edges: REFLECT leaves out the edge element
    ([1, 2, 3] padded by 2 is [3, 2, 1, 2, 3, 2, 1]), SYMMETRIC repeats it
    ([2, 1, 1, 2, 3, 3, 2])."""

    mode: str = "REFLECT"

    def check(self):
        if self.mode not in ("REFLECT", "SYMMETRIC"):
            raise ValueError(f"MirrorPad mode must be REFLECT or SYMMETRIC, got {self.mode!r}")

    def mirror(self) -> Optional[str]:
        return self.mode

    def kernel(self, x, paddings):
        amounts = self.amounts(x, paddings)
        if not amounts.any():
            return x
        return np.pad(x, amounts, mode=self.mode.lower())

    def grad(self, op, dy):
        from flowgraph.ops.array_grad import MirrorPadGrad, dense
        folded = apply_op(MirrorPadGrad(mode=self.mode), [dense(dy), op.inputs[1]],
                          name="MirrorPadGrad")
        return [folded, None]


def pad(tensor: Any, paddings: Any, mode: str = "CONSTANT", name: Optional[str] = None,
        constant_values: Any = 0) -> Tensor:
    """Pads `tensor`: ``paddings[i] = [before, after]`` elements around dimension i.

    `mode` (any case): "CONSTANT" (with `constant_values`), "REFLECT" (mirror without the
    edge) or "SYMMETRIC" (mirror with the edge).
    """
    tensor = convert_to_tensor(tensor)
    paddings_t = as_int_tensor(paddings, "paddings")
    mode = str(mode).upper()
    if mode == "CONSTANT":
        if not isinstance(constant_values, Tensor) and np.all(np.equal(constant_values, 0)) \
                and not isinstance(constant_values, (str, bytes)):
            return apply_op(Pad(), [tensor, paddings_t], name=name)
        value = convert_to_tensor(constant_values, dtype=None if isinstance(
            constant_values, Tensor) else tensor.dtype)
        return apply_op(PadV2(), [tensor, paddings_t, value], name=name)
    if mode in ("REFLECT", "SYMMETRIC"):
        return apply_op(MirrorPad(mode=mode), [tensor, paddings_t], name=name)
    raise ValueError(f"Unknown padding mode: {mode}")
