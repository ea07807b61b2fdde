"""Sampled losses for large output vocabularies, as TF1's nn_impl: `nce_loss` and
`sampled_softmax_loss`, both built on `_compute_sampled_logits` (the true classes' logits and
those of `num_sampled` sampled classes, corrected by the log of their expected counts)."""

from __future__ import annotations

from typing import Any, Optional

from flowgraph import dtypes
from flowgraph.graph import Tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.elementwise import op_scope

__all__ = ["nce_loss", "sampled_softmax_loss"]


def _compute_sampled_logits(weights: Any, biases: Any, labels: Any, inputs: Any,
                            num_sampled: int, num_classes: int, num_true: int = 1,
                            sampled_values: Any = None, subtract_log_q: bool = True,
                            remove_accidental_hits: bool = False,
                            partition_strategy: str = "mod", name: Optional[str] = None,
                            seed: Optional[int] = None) -> tuple:
    from flowgraph.nn.embedding import embedding_lookup
    from flowgraph.ops.array import concat
    from flowgraph.ops.candidate_sampling import (
        compute_accidental_hits,
        log_uniform_candidate_sampler,
    )
    from flowgraph.ops.cast import cast
    from flowgraph.ops.fill import ones_like, zeros_like
    from flowgraph.ops.gradient_ops import stop_gradient
    from flowgraph.ops.linalg import matmul
    from flowgraph.ops.math import add, multiply, subtract
    from flowgraph.ops.reduce import reduce_sum
    from flowgraph.ops.scatter import scatter_nd
    from flowgraph.ops.shape_ops import expand_dims, reshape, shape
    from flowgraph.ops.unary import log
    if not isinstance(weights, (list, tuple)):
        weights = [weights]
    with op_scope(name, "compute_sampled_logits", list(weights) + [biases, inputs, labels]):
        labels = convert_to_tensor(labels)
        if labels.dtype != dtypes.int64:
            labels = cast(labels, dtypes.int64)
        inputs = convert_to_tensor(inputs)
        labels_flat = reshape(labels, [-1])
        if sampled_values is None:
            sampled_values = log_uniform_candidate_sampler(
                true_classes=labels, num_true=num_true, num_sampled=num_sampled, unique=True,
                range_max=num_classes, seed=seed)
        sampled, true_expected_count, sampled_expected_count = (
            stop_gradient(convert_to_tensor(s)) for s in sampled_values)
        sampled = cast(sampled, dtypes.int64)
        shards = list(weights) if len(weights) > 1 else weights[0]
        true_w = embedding_lookup(shards, labels_flat, partition_strategy=partition_strategy)
        sampled_w = embedding_lookup(shards, sampled, partition_strategy=partition_strategy)
        if true_w.dtype != inputs.dtype:
            true_w, sampled_w = cast(true_w, inputs.dtype), cast(sampled_w, inputs.dtype)
        sampled_logits = matmul(inputs, sampled_w, transpose_b=True)
        true_b = embedding_lookup(biases, labels_flat, partition_strategy=partition_strategy)
        sampled_b = embedding_lookup(biases, sampled, partition_strategy=partition_strategy)
        if true_b.dtype != inputs.dtype:
            true_b, sampled_b = cast(true_b, inputs.dtype), cast(sampled_b, inputs.dtype)
        dim = shape(true_w)[1:2]
        rows = multiply(expand_dims(inputs, 1),
                        reshape(true_w, concat([[-1, num_true], dim], 0)))
        true_logits = reshape(reduce_sum(rows, axis=-1), [-1, num_true])
        true_logits = add(true_logits, reshape(true_b, [-1, num_true]))
        sampled_logits = add(sampled_logits, sampled_b)
        if remove_accidental_hits:
            acc_indices, acc_ids, acc_weights = compute_accidental_hits(labels, sampled,
                                                                        num_true=num_true)
            from flowgraph.ops.array import stack
            indices = stack([cast(acc_indices, dtypes.int64), acc_ids], axis=1)
            logits_shape = cast(shape(sampled_logits), dtypes.int64)
            sampled_logits = add(sampled_logits, scatter_nd(
                indices, cast(acc_weights, sampled_logits.dtype), logits_shape))
        if subtract_log_q:
            true_logits = subtract(true_logits, log(cast(true_expected_count,
                                                         true_logits.dtype)))
            sampled_logits = subtract(sampled_logits, log(cast(sampled_expected_count,
                                                               sampled_logits.dtype)))
        out_logits = concat([true_logits, sampled_logits], 1)
        out_labels = concat([ones_like(true_logits) / num_true, zeros_like(sampled_logits)], 1)
        return out_logits, out_labels


def nce_loss(weights: Any, biases: Any, labels: Any, inputs: Any, num_sampled: int,
             num_classes: int, num_true: int = 1, sampled_values: Any = None,
             remove_accidental_hits: bool = False, partition_strategy: str = "mod",
             name: str = "nce_loss") -> Tensor:
    """The noise-contrastive estimation loss of each example ([batch_size]): logistic
    losses of the true classes against `num_sampled` classes drawn (log-uniformly by
    default) from [0, num_classes), as TF1's `tf.nn.nce_loss`."""
    from flowgraph.ops.reduce import reduce_sum
    from flowgraph.ops.xent import sigmoid_cross_entropy_with_logits
    logits, labels = _compute_sampled_logits(
        weights, biases, labels, inputs, num_sampled, num_classes, num_true=num_true,
        sampled_values=sampled_values, subtract_log_q=True,
        remove_accidental_hits=remove_accidental_hits, partition_strategy=partition_strategy,
        name=name)
    losses = sigmoid_cross_entropy_with_logits(labels=labels, logits=logits,
                                               name="sampled_losses")
    return reduce_sum(losses, axis=1)


def sampled_softmax_loss(weights: Any, biases: Any, labels: Any, inputs: Any,
                         num_sampled: int, num_classes: int, num_true: int = 1,
                         sampled_values: Any = None, remove_accidental_hits: bool = True,
                         partition_strategy: str = "mod", name: str = "sampled_softmax_loss",
                         seed: Optional[int] = None) -> Tensor:
    """The softmax cross-entropy of each example over its true classes and `num_sampled`
    sampled ones ([batch_size]), as TF1's `tf.nn.sampled_softmax_loss`."""
    from flowgraph.ops.gradient_ops import stop_gradient
    from flowgraph.ops.xent import softmax_cross_entropy_with_logits_v2
    logits, labels = _compute_sampled_logits(
        weights, biases, labels, inputs, num_sampled, num_classes, num_true=num_true,
        sampled_values=sampled_values, subtract_log_q=True,
        remove_accidental_hits=remove_accidental_hits, partition_strategy=partition_strategy,
        name=name, seed=seed)
    labels = stop_gradient(labels, name="labels_stop_gradient")
    return softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits)
