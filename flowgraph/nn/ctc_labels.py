"""Label helpers of TF1's CTC module: `collapse_repeated` and `ctc_unique_labels`,
composed from existing ops as TF1 builds them (no gradients needed: labels are integers)."""

from __future__ import annotations

from typing import Any, Optional

from flowgraph import dtypes
from flowgraph.graph import Tensor
from flowgraph.ops.array import concat, stack
from flowgraph.ops.cast import cast
from flowgraph.ops.compare import not_equal
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.elementwise import op_scope
from flowgraph.ops.fill import ones_like
from flowgraph.ops.fill import range as fg_range
from flowgraph.ops.logic import logical_and
from flowgraph.ops.masking import boolean_mask, sequence_mask
from flowgraph.ops.pad import pad
from flowgraph.ops.partition import unique
from flowgraph.ops.reduce import reduce_max, reduce_sum
from flowgraph.ops.scatter import scatter_nd
from flowgraph.ops.shape_ops import expand_dims, reshape, shape

__all__ = ["collapse_repeated", "ctc_unique_labels"]


def _dim(tensor: Tensor, i: int) -> Any:
    """Dimension i of `tensor`: the static size when known, else a scalar tensor."""
    dims = tensor.shape.as_tuple()
    known = None if dims is None or i >= len(dims) else dims[i]
    return known if known is not None else shape(tensor)[i]


def collapse_repeated(labels: Any, seq_length: Any, name: Optional[str] = None) -> tuple:
    """Merges repeated neighbouring labels into one, as TF1's `tf.nn.collapse_repeated`.

    Parameters
    ----------
    labels : [batch, max_seq_len] tensor
    seq_length : [batch] int tensor, the length of each row of labels

    Returns
    -------
    (collapsed_labels, new_seq_length): collapsed_labels [batch, new_max_len] with each row
    collapsed and zero-padded; new_seq_length [batch] of seq_length's dtype.

    >>> out, n = fg.nn.collapse_repeated([[1, 1, 2, 2, 3]], [4])
    >>> fg.Session().run([out, n])
    [array([[1, 2]], dtype=int32), array([2], dtype=int32)]
    """
    with op_scope(name, "collapse_repeated_labels", [labels, seq_length]):
        labels = convert_to_tensor(labels, name="labels")
        seq_length = convert_to_tensor(seq_length, name="seq_length")
        if labels.shape.ndims not in (None, 2):
            raise ValueError(f"collapse_repeated: labels must be [batch, max_seq_len], got "
                             f"shape {labels.shape}")
        # Keep a label where it differs from the previous one, within the sequence length.
        label_mask = concat([ones_like(labels[:, :1], dtype=dtypes.bool),
                             not_equal(labels[:, 1:], labels[:, :-1])], axis=1)
        seq_mask = sequence_mask(seq_length, maxlen=_dim(labels, 1))
        label_mask = logical_and(label_mask, seq_mask)
        new_seq_len = reduce_sum(cast(label_mask, dtypes.int32), axis=1)
        new_maxlen = reduce_max(new_seq_len)
        idx_mask = sequence_mask(new_seq_len, maxlen=new_maxlen)
        # Scatter the kept labels to the front of each row.
        flat_labels = reshape(labels, [-1])
        flat_label_mask = reshape(label_mask, [-1])
        flat_idx_mask = reshape(idx_mask, [-1])
        idx = fg_range(_dim(flat_idx_mask, 0))
        flat = scatter_nd(indices=expand_dims(boolean_mask(idx, flat_idx_mask), axis=1),
                          updates=boolean_mask(flat_labels, flat_label_mask),
                          shape=shape(flat_idx_mask))
        collapsed = reshape(flat, [_dim(labels, 0), new_maxlen])
        return collapsed, cast(new_seq_len, seq_length.dtype)


def ctc_unique_labels(labels: Any, name: Optional[str] = None) -> list:
    """The unique labels of each row and the index of each label among them, as TF1's
    `tf.nn.ctc_unique_labels`.

    Parameters
    ----------
    labels : [batch, max_label_length] tensor

    Returns
    -------
    [unique_y, unique_idx]: unique_y int64 [batch, max_label_length] (each row's unique
    labels in order of first appearance, zero-padded) and unique_idx int32 of labels'
    shape, with labels[i, j] == unique_y[i, unique_idx[i, j]].
    """
    from flowgraph.control_flow.functional import map_fn
    with op_scope(name, "ctc_unique_labels", [labels]):
        labels = convert_to_tensor(labels, name="labels")
        if labels.shape.ndims not in (None, 2):
            raise ValueError(f"ctc_unique_labels: labels must be [batch, max_label_length], "
                             f"got shape {labels.shape}")

        def _unique(x: Tensor) -> list:
            y, idx = unique(x)
            extra = shape(idx)[0] - shape(y)[0]
            y = pad(y, expand_dims(stack([extra * 0, extra]), 0))
            return [cast(y, dtypes.int64), idx]

        return map_fn(_unique, labels, dtype=[dtypes.int64, dtypes.int32])
