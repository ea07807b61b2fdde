"""Levenshtein (edit) distance between the sequences of two SparseTensors (TF1's
`tf.edit_distance`, op EditDistance).

Each position of the leading dimensions holds a sequence: the stored values along the last
dimension, in index order. The result has the dense shape (the larger of the two inputs'
per dimension) without its last dimension. With `normalize`, the distance is divided by the
truth's length, as TF1: a sequence compared with an empty truth gives inf (0 / 0 is not
produced: where both are absent the distance is 0).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from flowgraph import dtypes, errors
from flowgraph.graph import Tensor
from flowgraph.ops.registry import Op, apply_op, register
from flowgraph.ops.sparse_util import check_sparse_inputs, dense_dims, shape_value, sort_order
from flowgraph.shapes import TensorShape

__all__ = ["edit_distance"]


def levenshtein(a: list, b: list) -> int:
    """The minimum number of insertions, deletions and substitutions turning a into b."""
    if not a:
        return len(b)
    if not b:
        return len(a)
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, y in enumerate(b, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y))
        previous = current
    return previous[-1]


def _sequences(indices: np.ndarray, values: np.ndarray, dims: tuple, what: str) -> dict:
    """{leading index: [values in index order]} of one SparseTensor."""
    if indices.ndim != 2 or indices.shape[1] != len(dims) or len(values) != len(indices):
        raise errors.InvalidArgumentError(
            None, None, f"{what}: indices of shape {list(indices.shape)} and values of shape "
            f"{list(values.shape)} do not fit the dense shape {list(dims)}")
    if indices.size and ((indices < 0) | (indices >= np.asarray(dims))).any():
        raise errors.InvalidArgumentError(None, None, f"{what}: an index is outside the dense "
                                          f"shape {list(dims)}")
    order = sort_order(indices)
    groups: dict = {}
    for key, value in zip(map(tuple, indices[order, :-1].tolist()), values[order].tolist()):
        groups.setdefault(key, []).append(value)
    return groups


@register
class EditDistance(Op):
    """Levenshtein distances between the sequences of the hypothesis SparseTensor (inputs
    0-2: indices, values, dense_shape) and the truth SparseTensor (inputs 3-5): float32 of
    the dense shape without its last dimension; divided by the truth length if
    `normalize`."""

    normalize: bool = True
    differentiable = False

    @classmethod
    def default_name(cls) -> str:
        return "edit_distance"

    def infer(self, op):
        hyp, truth = op.inputs[:3], op.inputs[3:]
        check_sparse_inputs(op, *hyp)
        check_sparse_inputs(op, *truth)
        if hyp[1].dtype != truth[1].dtype:
            raise TypeError(f"{op.type}: truth_values has dtype {truth[1].dtype.name} that "
                            f"does not match hypothesis_values' {hyp[1].dtype.name}")
        shapes = [shape_value(op, hyp[2], "hypothesis_shape"),
                  shape_value(op, truth[2], "truth_shape")]
        for what, shape in zip(("Hypothesis", "Truth"), shapes):
            if shape.ndims is not None and shape.ndims < 2:
                raise ValueError(f"{op.type}: input {what} SparseTensors must have rank at "
                                 f"least 2, but its dense shape has rank {shape.ndims}")
        h, t = shapes
        if h.ndims is None or t.ndims is None:
            known = h if h.ndims is not None else t
            rank = None if known.ndims is None else known.ndims - 1
            return [(dtypes.float32, TensorShape(None if rank is None else [None] * rank))]
        if h.ndims != t.ndims:
            raise ValueError(f"{op.type}: hypothesis and truth must have the same rank, got "
                             f"dense shapes {h} and {t}")
        dims = [None if None in (a, b) else max(a, b)
                for a, b in zip(h.as_list()[:-1], t.as_list()[:-1])]
        return [(dtypes.float32, TensorShape(dims))]

    def kernel(self, h_indices, h_values, h_shape, t_indices, t_values, t_shape):
        h_dims, t_dims = dense_dims(h_shape), dense_dims(t_shape)
        if len(h_dims) != len(t_dims) or len(h_dims) < 2:
            raise errors.InvalidArgumentError(
                None, None, f"hypothesis and truth must have the same rank >= 2, got dense "
                f"shapes {list(h_dims)} and {list(t_dims)}")
        out_shape = tuple(max(a, b) for a, b in zip(h_dims[:-1], t_dims[:-1]))
        hyp = _sequences(h_indices, h_values, h_dims, "hypothesis")
        truth = _sequences(t_indices, t_values, t_dims, "truth")
        out = np.zeros(out_shape, dtype=np.float32)
        for key in set(hyp) | set(truth):
            target = truth.get(key, [])
            distance = float(levenshtein(hyp.get(key, []), target))
            if self.normalize:
                distance = distance / len(target) if target else np.inf
            out[key] = distance
        return out


def edit_distance(hypothesis: Any, truth: Any, normalize: bool = True,
                  name: str = "edit_distance") -> Tensor:
    """The Levenshtein distance between the sequences (last dimension) of two
    SparseTensors of the same dtype and rank R >= 2, as a float32 tensor of rank R - 1.

    With `normalize`, divided by the length of the truth sequence (inf for an empty truth).

    >>> h = fg.SparseTensor([[0, 0], [0, 1]], [1, 2], [1, 2])
    >>> t = fg.SparseTensor([[0, 0]], [1], [1, 1])
    >>> fg.Session().run(fg.edit_distance(h, t)).tolist()
    [1.0]
    """
    from flowgraph.sparse_tensor import SparseTensor, SparseTensorValue
    if not isinstance(hypothesis, (SparseTensor, SparseTensorValue)):
        raise TypeError("Hypothesis must be a SparseTensor.")
    if not isinstance(truth, (SparseTensor, SparseTensorValue)):
        raise TypeError("Truth must be a SparseTensor.")
    hypothesis = SparseTensor.from_value(hypothesis)
    truth = SparseTensor.from_value(truth)
    return apply_op(EditDistance(normalize=bool(normalize)),
                    [hypothesis.indices, hypothesis.values, hypothesis.dense_shape,
                     truth.indices, truth.values, truth.dense_shape], name=name)
