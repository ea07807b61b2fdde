"""Combining the embeddings of several ids per example: TF1's
``safe_embedding_lookup_sparse``, as feature columns use it."""

from __future__ import annotations

from typing import Any, Optional

from flowgraph import dtypes
from flowgraph.sparse_tensor import SparseTensor

COMBINERS = ("mean", "sqrtn", "sum")


def safe_embedding_lookup_sparse(embedding_weights: Any, sparse_ids: SparseTensor,
                                 sparse_weights: Optional[SparseTensor] = None,
                                 combiner: str = "mean", name: Optional[str] = None,
                                 max_norm: Any = None) -> Any:
    """The combined embedding of each row of `sparse_ids` ([batch, k] int64 ids):
    [batch, dimension]. Ids of higher-rank SparseTensors ([batch, ...]) are combined per
    example, as TF1's linear_model reshapes them to [batch, -1].

    Ids < 0 are ignored; with `combiner` "mean" or "sqrtn", so are ids whose weight is
    <= 0. Rows with no id left give zeros. Combiners: "sum" = sum of w_i * e_i, "mean" =
    that / sum of w_i, "sqrtn" = that / sqrt(sum of w_i ** 2) (w_i = 1 without weights).
    Gradients reach `embedding_weights` as IndexedSlices (only the looked-up rows).
    """
    from flowgraph.graph import name_scope
    from flowgraph.nn.embedding import _clip_rows
    from flowgraph.ops.cast import cast
    from flowgraph.ops.compare import greater, greater_equal
    from flowgraph.ops.constant import convert_to_tensor
    from flowgraph.ops.division import div_no_nan
    from flowgraph.ops.fill import ones_like
    from flowgraph.ops.gather import gather
    from flowgraph.ops.logic import logical_and, where_v2
    from flowgraph.ops.math import multiply
    from flowgraph.ops.segment import unsorted_segment_sum
    from flowgraph.ops.shape_ops import expand_dims
    from flowgraph.ops.unary import sqrt
    if combiner not in COMBINERS:
        raise ValueError(f'combiner must be one of "mean", "sqrtn" or "sum", got {combiner!r}')
    with name_scope(name, "embedding_lookup"):
        ids = sparse_ids.values
        if ids.dtype != dtypes.int64:
            ids = cast(ids, dtypes.int64)
        rows = sparse_ids.indices[:, 0]
        batch = sparse_ids.dense_shape[0]
        zero = convert_to_tensor(0, dtype=dtypes.int64)
        valid = greater_equal(ids, zero)
        if sparse_weights is not None:
            weights = sparse_weights.values
            if weights.dtype != embedding_weights.dtype:
                weights = cast(weights, embedding_weights.dtype)
            if combiner != "sum":
                valid = logical_and(valid, greater(weights, 0.0))
        else:
            weights = None
        # Invalid entries look up row 0 and go to segment -1, which the sum drops.
        safe_ids = where_v2(valid, ids, zero)
        segments = where_v2(valid, rows, convert_to_tensor(-1, dtype=dtypes.int64))
        embeddings = gather(embedding_weights, safe_ids)
        if max_norm is not None:
            embeddings = _clip_rows(embeddings, safe_ids, max_norm, "clip")
        if weights is None:
            weights = ones_like(ids, dtype=embedding_weights.dtype)
        weighted = multiply(embeddings, expand_dims(weights, -1))
        summed = unsorted_segment_sum(weighted, segments, batch)
        if combiner == "sum":
            return summed
        if combiner == "mean":
            total = unsorted_segment_sum(weights, segments, batch)
        else:
            total = sqrt(unsorted_segment_sum(multiply(weights, weights), segments, batch))
        return div_no_nan(summed, expand_dims(total, -1))
