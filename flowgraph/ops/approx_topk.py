"""TF1's `tf.math.approx_max_k` / `approx_min_k` (also in `tf.nn`). On CPU TF computes them
exactly, so they are composed here from TopKV2 along `reduction_dimension`."""

from __future__ import annotations

from typing import Any, Optional

from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.elementwise import op_scope

__all__: list = []


def _approx_top_k(operand: Any, k: Any, reduction_dimension: int, recall_target: float,
                  reduction_input_size_override: int, aggregate_to_topk: bool,
                  name: Optional[str], is_max_k: bool) -> tuple:
    from flowgraph.ops.reorder import transpose
    from flowgraph.ops.sort import top_k
    from flowgraph.ops.unary import negative
    what = "approx_max_k" if is_max_k else "approx_min_k"
    if isinstance(k, bool) or not isinstance(k, int) or k < 0:
        raise TypeError(f"{what} needs k as a Python int >= 0 (an op attribute in TF1), "
                        f"got {k!r}.")
    if isinstance(reduction_dimension, bool) or not isinstance(reduction_dimension, int):
        raise TypeError(f"{what} needs reduction_dimension as a Python int, got "
                        f"{reduction_dimension!r}.")
    if not 0.0 < float(recall_target) <= 1.0:
        raise ValueError(f"{what} needs recall_target in (0, 1], got {recall_target!r}.")
    if not isinstance(reduction_input_size_override, int):
        raise TypeError(f"{what} needs reduction_input_size_override as a Python int, got "
                        f"{reduction_input_size_override!r}.")
    with op_scope(name, "ApproxTopK", [operand]):
        x = convert_to_tensor(operand)
        if x.dtype.is_unsigned and not is_max_k:
            raise TypeError(f"{what} does not support the unsigned dtype {x.dtype.name} of "
                            f"{x.name}; cast it to a signed or float dtype first.")
        rank = x.shape.ndims
        if rank is None:
            if reduction_dimension != -1:
                raise ValueError(f"{what} needs an operand of known rank when "
                                 f"reduction_dimension ({reduction_dimension}) is not -1; "
                                 f"{x.name} has unknown shape (use set_shape).")
            axis = None
        else:
            if rank == 0:
                raise ValueError(f"{what} needs an operand of rank >= 1, got the scalar "
                                 f"{x.name}.")
            if not -rank <= reduction_dimension < rank:
                raise ValueError(f"{what}: reduction_dimension {reduction_dimension} is out "
                                 f"of range for {x.name} of rank {rank}.")
            axis = reduction_dimension % rank
            size = x.shape.dims[axis]
            if size is not None and k > size:
                raise ValueError(f"{what}: k = {k} exceeds the size {size} of dimension "
                                 f"{axis} of {x.name} (shape {x.shape}).")
        perm = None
        if axis is not None and axis != rank - 1:
            perm = list(range(rank))
            perm[axis], perm[-1] = perm[-1], perm[axis]
            x = transpose(x, perm)
        values, indices = top_k(x if is_max_k else negative(x), k)
        if not is_max_k:
            values = negative(values)
        if perm is not None:
            values, indices = transpose(values, perm), transpose(indices, perm)
        return values, indices


def approx_max_k(operand: Any, k: int, reduction_dimension: int = -1,
                 recall_target: float = 0.95, reduction_input_size_override: int = -1,
                 aggregate_to_topk: bool = True, name: Optional[str] = None) -> tuple:
    """The `k` largest entries of `operand` along `reduction_dimension` and their int32
    indices, largest first, as TF1's `tf.math.approx_max_k` on CPU (which is exact; the
    recall arguments only tune TPU kernels). Both outputs have `operand`'s shape with
    `k` at `reduction_dimension`."""
    return _approx_top_k(operand, k, reduction_dimension, recall_target,
                         reduction_input_size_override, aggregate_to_topk, name, True)


def approx_min_k(operand: Any, k: int, reduction_dimension: int = -1,
                 recall_target: float = 0.95, reduction_input_size_override: int = -1,
                 aggregate_to_topk: bool = True, name: Optional[str] = None) -> tuple:
    """The `k` smallest entries of `operand` along `reduction_dimension` and their int32
    indices, smallest first, as TF1's `tf.math.approx_min_k` (computed exactly)."""
    return _approx_top_k(operand, k, reduction_dimension, recall_target,
                         reduction_input_size_override, aggregate_to_topk, name, False)

