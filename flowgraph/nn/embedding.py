"""`fg.nn.embedding_lookup`: rows of an embedding table (possibly sharded) by id."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from flowgraph.graph import Tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.elementwise import op_scope

__all__ = ["embedding_lookup"]


def embedding_lookup(params: Any, ids: Any, partition_strategy: str = "mod",
                     name: Optional[str] = None, validate_indices: bool = True,
                     max_norm: Any = None) -> Tensor:
    """The rows of `params` at `ids` (a gather along axis 0), as TF1's
    `tf.nn.embedding_lookup`; its gradient for params is an IndexedSlices.

    Parameters
    ----------
    params : Tensor, Variable, or list of them
        The embedding table ``[vocabulary, dims...]``, or its shards along axis 0. With
        several shards, id ``i`` lives in shard ``i % n`` at row ``i // n`` ("mod"), or the
        shards are consecutive ranges of ids ("div").
    ids : int32 or int64 Tensor
        Any shape; the result has shape ``ids.shape + params.shape[1:]``.
    max_norm : float, optional
        Rows whose L2 norm exceeds it are scaled down to it.
    validate_indices : bool
        Deprecated in TF1 and ignored: ids are always checked (out of range ids raise
        InvalidArgumentError when run).
    """
    del validate_indices
    # A list of shards, or a PartitionedVariable (its parts), as TF1.
    shards = list(params) if isinstance(params, (list, tuple)) or \
        hasattr(params, "_get_variable_list") else [params]
    if not shards:
        raise ValueError("Need at least one param")
    if partition_strategy not in ("mod", "div"):
        raise ValueError(f"Unrecognized partition strategy: {partition_strategy}; expected "
                         "'mod' or 'div'")
    from flowgraph.ops.gather import gather
    with op_scope(name, "embedding_lookup", shards + [ids]) as scope:
        tensors = [convert_to_tensor(p) for p in shards]
        ids_t = convert_to_tensor(ids)
        gather_name = scope if max_norm is None else None
        if len(tensors) == 1:
            result = gather(tensors[0], ids_t, name=gather_name)
        else:
            result = _sharded_lookup(tensors, ids_t, partition_strategy, gather_name)
        if max_norm is not None:
            result = _clip_rows(result, ids_t, max_norm, scope)
        return result


def _sharded_lookup(shards: list, ids: Tensor, strategy: str, name: Optional[str]) -> Tensor:
    """A lookup in shards concatenated along axis 0: "div" shards are consecutive ranges, so
    ids index the concatenation directly; "mod" ids are mapped to their shard's rows."""
    from flowgraph.ops.array import concat
    from flowgraph.ops.gather import gather
    table = concat(shards, 0)
    if strategy == "div":
        return gather(table, ids, name=name)
    from flowgraph.ops.division import floordiv, floormod
    from flowgraph.ops.math import add
    sizes = [s.shape[0].value if s.shape.ndims else None for s in shards]
    if any(v is None for v in sizes):
        raise ValueError("embedding_lookup with partition_strategy='mod' needs the number of "
                         f"rows of every shard known when the graph is built, got {sizes}")
    count = len(shards)
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(ids.dtype.np)
    shard = floormod(ids, count)
    rows = add(gather(convert_to_tensor(offsets), shard), floordiv(ids, count))
    return gather(table, rows, name=name)


def _clip_rows(rows: Tensor, ids: Tensor, max_norm: Any, scope: str) -> Tensor:
    """Each embedding (the dimensions after ids' own) scaled to an L2 norm <= max_norm, as
    TF1's clip_by_norm: ``t * max_norm / maximum(norm, max_norm)``."""
    from flowgraph.ops.compare import greater
    from flowgraph.ops.division import truediv
    from flowgraph.ops.fill import ones_like
    from flowgraph.ops.logic import where_v2
    from flowgraph.ops.math import maximum, multiply
    from flowgraph.ops.reduce import reduce_sum
    from flowgraph.ops.unary import sqrt
    if ids.shape.ndims is None or rows.shape.ndims is None:
        raise ValueError("embedding_lookup with max_norm needs ids and params of known rank")
    axes = list(range(ids.shape.ndims, rows.shape.ndims))
    norm_max = convert_to_tensor(max_norm, dtype=rows.dtype)
    squares = reduce_sum(multiply(rows, rows), axes, keepdims=True)
    positive = greater(squares, 0.0)
    # sqrt only of positive sums, so the gradient at an all-zero row is 0, not nan.
    norms = where_v2(positive, sqrt(where_v2(positive, squares, ones_like(squares))), squares)
    return truediv(multiply(rows, norm_max), maximum(norms, norm_max), name=scope)
