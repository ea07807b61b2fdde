"""Embeddings of sparse id lists, as TF1's embedding_ops: `embedding_lookup_sparse`
(combining the embeddings of each row's ids by sum, mean or sqrtn, weighted or not) and
`safe_embedding_lookup_sparse` (which also drops invalid ids and gives empty rows zeros
or a default id's embedding)."""

from __future__ import annotations

from typing import Any, Optional

from flowgraph import dtypes
from flowgraph.graph import Tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.elementwise import op_scope

__all__ = ["embedding_lookup_sparse", "safe_embedding_lookup_sparse"]


def embedding_lookup_sparse(params: Any, sp_ids: Any, sp_weights: Any,
                            partition_strategy: str = "mod", name: Optional[str] = None,
                            combiner: Optional[str] = None, max_norm: Any = None) -> Tensor:
    """For each row of the SparseTensor `sp_ids`, its ids' embeddings combined ("sum",
    "mean" (default) or "sqrtn"), weighted by `sp_weights` (None: all 1): a [rows, dim]
    tensor, rows = the largest row index with ids + 1."""
    from flowgraph.nn.embedding import embedding_lookup
    from flowgraph.ops.cast import cast
    from flowgraph.ops.division import div_no_nan
    from flowgraph.ops.gather import gather
    from flowgraph.ops.math import multiply
    from flowgraph.ops.partition import unique
    from flowgraph.ops.segment_sorted import segment_sum
    from flowgraph.ops.shape_ops import expand_dims
    from flowgraph.ops.sparse_more import (
        _sp,
        sparse_segment_mean,
        sparse_segment_sqrt_n,
        sparse_segment_sum,
    )
    from flowgraph.ops.unary import sqrt, square
    combiner = "mean" if combiner is None else combiner
    if combiner not in ("mean", "sqrtn", "sum"):
        raise ValueError("combiner must be one of 'mean', 'sqrtn' or 'sum'")
    sp_ids = _sp(sp_ids)
    sp_weights = None if sp_weights is None else _sp(sp_weights)
    with op_scope(name, "embedding_lookup_sparse", [sp_ids.indices]) as scope:
        segment_ids = cast(sp_ids.indices[:, 0], dtypes.int32)
        ids, idx = unique(sp_ids.values)
        embeddings = embedding_lookup(params, ids, partition_strategy=partition_strategy,
                                      max_norm=max_norm)
        if sp_weights is None:
            reduce = {"sum": sparse_segment_sum, "mean": sparse_segment_mean,
                      "sqrtn": sparse_segment_sqrt_n}[combiner]
            return reduce(embeddings, idx, segment_ids, name=scope)
        weights = convert_to_tensor(sp_weights.values)
        if weights.dtype != embeddings.dtype:
            weights = cast(weights, embeddings.dtype)
        embeddings = multiply(gather(embeddings, idx), expand_dims(weights, -1))
        if combiner == "sum":
            return segment_sum(embeddings, segment_ids, name=scope)
        summed = segment_sum(embeddings, segment_ids)
        if combiner == "mean":
            total = segment_sum(weights, segment_ids)
        else:
            total = sqrt(segment_sum(square(weights), segment_ids))
        return div_no_nan(summed, expand_dims(total, -1), name=scope)


def safe_embedding_lookup_sparse(embedding_weights: Any, sparse_ids: Any,
                                 sparse_weights: Any = None, combiner: str = "mean",
                                 default_id: Any = None, name: Optional[str] = None,
                                 partition_strategy: str = "div",
                                 max_norm: Any = None) -> Tensor:
    """embedding_lookup_sparse made safe: negative ids (and, unless combining by sum,
    non-positive weights) are dropped, and a row left empty gets zeros (or default_id's
    embedding); the result has the ids' dense shape without its last dimension, plus the
    embedding dimensions."""
    from flowgraph.ops.array import concat
    from flowgraph.ops.cast import cast
    from flowgraph.ops.compare import greater, greater_equal
    from flowgraph.ops.fill import zeros_like
    from flowgraph.ops.logic import logical_and, where_v2
    from flowgraph.ops.reduce import reduce_prod
    from flowgraph.ops.shape_ops import expand_dims, reshape, shape
    from flowgraph.ops.sparse_more import _sp, sparse_fill_empty_rows, sparse_reshape, sparse_retain
    sparse_ids = _sp(sparse_ids)
    sparse_weights = None if sparse_weights is None else _sp(sparse_weights)
    with op_scope(name, "embedding_lookup", [sparse_ids.indices]):
        original_shape = sparse_ids.dense_shape
        rank = sparse_ids.indices.shape[1].value
        if rank is None:
            raise ValueError("safe_embedding_lookup_sparse needs sparse ids of known rank")
        if rank > 2:
            flat = [reduce_prod(original_shape[:-1]), original_shape[-1]]
            sparse_ids = sparse_reshape(sparse_ids, flat)
            if sparse_weights is not None:
                sparse_weights = sparse_reshape(sparse_weights, flat)
        keep = greater_equal(sparse_ids.values, convert_to_tensor(0, sparse_ids.dtype))
        if sparse_weights is not None and combiner != "sum":
            keep = logical_and(keep, greater(sparse_weights.values,
                                             convert_to_tensor(0, sparse_weights.dtype)))
        sparse_ids = sparse_retain(sparse_ids, keep)
        if sparse_weights is not None:
            sparse_weights = sparse_retain(sparse_weights, keep)
        sparse_ids, is_row_empty = sparse_fill_empty_rows(
            sparse_ids, default_id if default_id is not None else 0)
        if sparse_weights is not None:
            sparse_weights, _ = sparse_fill_empty_rows(sparse_weights, 1.0)
        result = embedding_lookup_sparse(embedding_weights, sparse_ids, sparse_weights,
                                         combiner=combiner,
                                         partition_strategy=partition_strategy,
                                         max_norm=max_norm)
        if default_id is None:
            result = where_v2(expand_dims(is_row_empty, -1), zeros_like(result), result)
        outer = cast(original_shape[:rank - 1], dtypes.int32)
        return reshape(result, concat([outer, shape(result)[1:]], 0))
