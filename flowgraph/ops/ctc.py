"""TF1's CTC loss (`fg.nn.ctc_loss`): the CTCLoss op and its builder.

Connectionist Temporal Classification (Graves et al., 2006) scores a label sequence
against per-frame class logits by summing the probabilities of every frame alignment that
reduces to the labels. The kernel runs the forward-backward recursions in log space, batched
over the examples, and returns both the loss and its gradient for the logits (as TF1's op
does), so the gradient rule is one multiply. Class ``num_classes - 1`` is the blank.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from flowgraph import dtypes, errors
from flowgraph.graph import Tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.elementwise import check_dtype
from flowgraph.ops.registry import Op, apply_op, register

__all__: list = []

_NEG_INF = -np.inf


def invalid(message: str) -> errors.InvalidArgumentError:
    return errors.InvalidArgumentError(None, None, message)


def check_rank(op: Any, tensor: Tensor, rank: int, what: str) -> None:
    """A ValueError naming `what` when `tensor`'s known rank is not `rank`."""
    if tensor.shape.ndims is not None and tensor.shape.ndims != rank:
        raise ValueError(f"{op.type}: {what} must be rank {rank}, got shape {tensor.shape}")


def check_sequence_lengths(inputs: np.ndarray, sequence_length: np.ndarray,
                           error: type = errors.InvalidArgumentError) -> np.ndarray:
    """Run-time checks shared by the CTC ops: 3-D inputs, one length per example, each in
    [0, max_time]. Returns the lengths as int64."""
    if inputs.ndim != 3:
        raise invalid(f"inputs is not a 3-Tensor: got shape {list(inputs.shape)} (expected "
                      "[max_time, batch_size, num_classes])")
    if sequence_length.ndim != 1:
        raise invalid(f"sequence_length is not a vector: got shape "
                      f"{list(sequence_length.shape)}")
    max_time, batch = inputs.shape[:2]
    if sequence_length.shape[0] != batch:
        raise invalid(f"len(sequence_length) != batch_size.  len(sequence_length):  "
                      f"{sequence_length.shape[0]} batch_size: {batch}")
    lengths = sequence_length.astype(np.int64)
    bad = np.flatnonzero((lengths < 0) | (lengths > max_time))
    if bad.size:
        b = int(bad[0])
        raise error(None, None, f"sequence_length({b}) <= {max_time}: got {lengths[b]}; every "
                                f"sequence length must be in [0, max_time={max_time}]")
    return lengths


def log_softmax(x: np.ndarray) -> np.ndarray:
    shifted = x - np.max(x, axis=-1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))


def _logsumexp(*terms: np.ndarray) -> np.ndarray:
    stacked = np.stack(terms)
    top = np.max(stacked, axis=0)
    safe = np.where(np.isfinite(top), top, 0.0)
    with np.errstate(divide="ignore"):
        return safe + np.log(np.sum(np.exp(stacked - safe), axis=0))


def _label_lists(indices: np.ndarray, values: np.ndarray, batch: int) -> list:
    """The label sequence of each example from the SparseTensor components (indices must
    be in row-major order, as TF1's op requires)."""
    if indices.ndim != 2 or indices.shape[1] != 2:
        raise invalid(f"labels_indices must be a matrix [num_labels, 2], got shape "
                      f"{list(indices.shape)}")
    if values.ndim != 1 or values.shape[0] != indices.shape[0]:
        raise invalid(f"labels_indices and labels_values must contain the same number of "
                      f"rows, got {indices.shape[0]} and {list(values.shape)}")
    if indices.shape[0] > 1:
        row, col = indices[:, 0], indices[:, 1]
        ordered = (row[1:] > row[:-1]) | ((row[1:] == row[:-1]) & (col[1:] > col[:-1]))
        if not np.all(ordered):
            k = int(np.argmin(ordered)) + 1
            raise invalid(f"labels indices are out of order at entry {k} "
                          f"({indices[k].tolist()} after {indices[k - 1].tolist()}); sort "
                          "the SparseTensor with fg.sparse.reorder")
    rows = indices[:, 0] if indices.size else np.zeros(0, np.int64)
    if rows.size and (rows.min() < 0 or rows.max() >= batch):
        raise invalid(f"labels batch index must be between 0 and batch_size={batch}, got "
                      f"{int(rows.min() if rows.min() < 0 else rows.max())}")
    return [values[rows == b].astype(np.int64) for b in range(batch)]


def ctc_forward_backward(logits: np.ndarray, labels: list, lengths: np.ndarray,
                         merge_repeated: bool, ignore_longer: bool,
                         collapse: bool = False) -> tuple:
    """The CTC loss [batch] and its gradient for `logits` [max_time, batch, classes].

    An impossible labelling (probability 0) has loss inf and gradient softmax(logits), as
    in TF1."""
    max_time, batch, classes = logits.shape
    blank = classes - 1
    loss = np.zeros(batch, np.float64)
    grad = np.zeros(logits.shape, np.float64)
    keep = []
    for b, seq in enumerate(labels):
        if seq.size == 0:
            raise invalid(f"Labels length is zero in batch {b}")
        if seq.min() < 0:
            raise invalid(f"All labels must be nonnegative integers, batch: {b} labels: "
                          f"{','.join(str(v) for v in seq)}")
        if seq.max() >= blank:
            raise invalid(f"label {int(seq.max())} in batch {b} is out of range [0, "
                          f"{blank}): class num_classes - 1 = {blank} is the blank, which "
                          "no label may use; make the logits' last dimension one larger "
                          "than the number of label classes")
        if seq.size > lengths[b]:
            if not ignore_longer:
                raise invalid(f"Not enough time for target transition sequence (required: "
                              f"{seq.size}, available: {lengths[b]}) in batch {b}. You can "
                              "turn this error into a warning by using the flag "
                              "ignore_longer_outputs_than_inputs")
            continue  # TF1: loss 0 and gradient 0 for this example
        if collapse:  # after the length check, as TF1 (it checks the given labels)
            labels[b] = seq[np.r_[True, seq[1:] != seq[:-1]]]
        keep.append(b)
    if not keep or max_time == 0:
        return loss, grad
    keep = np.array(keep)
    lens = lengths[keep]
    seqs = [labels[b] for b in keep]
    n = len(keep)
    states = 2 * max(s.size for s in seqs) + 1
    # l': blank, l1, blank, l2, ..., blank, padded with blanks past each example's end.
    lprime = np.full((n, states), blank, np.int64)
    ends = np.array([2 * s.size + 1 for s in seqs])
    for i, s in enumerate(seqs):
        lprime[i, 1:2 * s.size:2] = s
    valid = np.arange(states)[None, :] < ends[:, None]
    log_y = log_softmax(logits[:, keep].astype(np.float64))          # [T, n, C]
    lp = np.take_along_axis(log_y, np.broadcast_to(lprime, (max_time, n, states)), axis=2)
    lp = np.where(valid[None], lp, _NEG_INF)                          # [T, n, S]
    # Transitions into state s: stay (blanks always; labels only when repeats merge),
    # from s-1, and skip a blank from s-2 (labels only; not between equal labels when
    # repeats merge, since the blank is what separates them).
    is_label = lprime != blank
    stay = ~is_label | merge_repeated
    skip = np.zeros_like(is_label)
    skip[:, 2:] = is_label[:, 2:] & (~merge_repeated | (lprime[:, 2:] != lprime[:, :-2]))
    none = np.full((n, 1), _NEG_INF)

    alpha = np.full((max_time, n, states), _NEG_INF)
    alpha[0, :, :2] = lp[0, :, :2]
    for t in range(1, max_time):
        prev = alpha[t - 1]
        from_s = np.where(stay, prev, _NEG_INF)
        from_s1 = np.concatenate([none, prev[:, :-1]], axis=1)
        from_s2 = np.where(skip, np.concatenate([none, none, prev[:, :-2]], axis=1), _NEG_INF)
        step = _logsumexp(from_s, from_s1, from_s2) + lp[t]
        alpha[t] = np.where((t < lens)[:, None], step, _NEG_INF)

    rows = np.arange(n)
    last = alpha[lens - 1, rows]                                      # [n, S]
    log_p = _logsumexp(last[rows, ends - 1], last[rows, ends - 2])

    beta = np.full((max_time, n, states), _NEG_INF)
    finals = np.full((n, states), _NEG_INF)
    finals[rows, ends - 1] = 0.0
    finals[rows, ends - 2] = 0.0
    for t in range(max_time - 1, -1, -1):
        if t + 1 < max_time:
            nxt = beta[t + 1] + lp[t + 1]
            to_s = np.where(stay, nxt, _NEG_INF)
            to_s1 = np.concatenate([nxt[:, 1:], none], axis=1)
            skip_next = np.concatenate([skip[:, 2:], np.zeros((n, 2), bool)], axis=1)
            to_s2 = np.where(skip_next, np.concatenate([nxt[:, 2:], none, none], axis=1),
                             _NEG_INF)
            inner = _logsumexp(to_s, to_s1, to_s2)
        else:
            inner = np.full((n, states), _NEG_INF)
        beta[t] = np.where((t == lens - 1)[:, None], finals,
                           np.where((t < lens - 1)[:, None], inner, _NEG_INF))

    with np.errstate(invalid="ignore"):
        occupancy = np.exp(alpha + beta - log_p[None, :, None])       # [T, n, S]
    occupancy[:, ~np.isfinite(log_p)] = 0.0  # an impossible labelling has no posterior
    onehot = lprime[:, :, None] == np.arange(classes)[None, None, :]  # [n, S, C]
    posterior = np.einsum("tns,nsc->tnc", occupancy, onehot.astype(np.float64))
    active = (np.arange(max_time)[:, None] < lens[None, :])[:, :, None]
    grad[:, keep] = np.where(active, np.exp(log_y) - posterior, 0.0)
    loss[keep] = -log_p
    return loss, grad


@register
class CTCLoss(Op):
    """Inputs: logits [max_time, batch, num_classes] (float), labels_indices int64 [N, 2],
    labels_values int32 [N], sequence_length int32 [batch]. Outputs: the negative log
    likelihood [batch] and its gradient for the logits [max_time, batch, num_classes] (zero
    past each sequence's end)."""

    preprocess_collapse_repeated: bool = False
    ctc_merge_repeated: bool = True
    ignore_longer_outputs_than_inputs: bool = False

    def infer(self, op):
        inputs, indices, values, lengths = op.inputs
        check_dtype(op, inputs, "f", "inputs")
        for t, dtype, what in ((indices, dtypes.int64, "labels_indices"),
                               (values, dtypes.int32, "labels_values"),
                               (lengths, dtypes.int32, "sequence_length")):
            if t.dtype != dtype:
                raise TypeError(f"{op.type}: {what} must be {dtype.name}, got {t.dtype.name}")
        for t, rank, what in ((inputs, 3, "inputs"), (indices, 2, "labels_indices"),
                              (values, 1, "labels_values"), (lengths, 1, "sequence_length")):
            check_rank(op, t, rank, what)
        shape = inputs.shape
        if shape.ndims is None:
            return [(inputs.dtype, lengths.shape), (inputs.dtype, [None, None, None])]
        batch = shape[1:2].merge_with(lengths.shape)
        full = shape[:1].concatenate(batch).concatenate(shape[2:])
        return [(inputs.dtype, batch), (inputs.dtype, full)]

    def kernel(self, inputs, indices, values, sequence_length):
        lengths = check_sequence_lengths(inputs, sequence_length)
        labels = _label_lists(indices, values, inputs.shape[1])
        loss, grad = ctc_forward_backward(inputs, labels, lengths, self.ctc_merge_repeated,
                                          self.ignore_longer_outputs_than_inputs,
                                          self.preprocess_collapse_repeated)
        return loss.astype(inputs.dtype), grad.astype(inputs.dtype)

    def grad(self, op, dloss, _dgrad):
        # TF1: the loss gradient output is not differentiated again (prevent_gradient).
        from flowgraph.ops.math import multiply
        from flowgraph.ops.shape_ops import expand_dims
        return [multiply(expand_dims(dloss, -1), op.outputs[1]), None, None, None]


def ctc_loss(labels: Any, inputs: Any = None, sequence_length: Any = None,
             preprocess_collapse_repeated: bool = False, ctc_merge_repeated: bool = True,
             ignore_longer_outputs_than_inputs: bool = False, time_major: bool = True,
             logits: Any = None) -> Tensor:
    """The CTC (Connectionist Temporal Classification) loss of each example: the negative
    log probability of `labels` given the per-frame logits `inputs`.

    Parameters
    ----------
    labels : SparseTensor
        int32 labels; ``labels.indices[i] = [b, position]``, ``labels.values[i]`` in
        [0, num_classes - 1) (class ``num_classes - 1`` is the blank).
    inputs : Tensor
        float logits [max_time, batch, num_classes] (``[batch, max_time, num_classes]``
        when `time_major` is False); the op applies the softmax itself.
    sequence_length : Tensor
        int32 [batch], each at most max_time.
    preprocess_collapse_repeated, ctc_merge_repeated, ignore_longer_outputs_than_inputs :
        TF1's flags (collapse repeated labels first; merge repeated frame predictions;
        give loss 0 instead of an error for labels longer than their sequence).
    logits : Tensor, optional
        Deprecated alias of `inputs`.

    Returns
    -------
    Tensor
        The loss [batch], differentiable for `inputs`.
    """
    from flowgraph.sparse_tensor import SparseTensor
    if not isinstance(labels, SparseTensor):
        raise TypeError(f"Expected labels (first argument) to be a SparseTensor, got "
                        f"{type(labels).__name__}; build one with fg.SparseTensor(indices, values, "
                        "dense_shape)")
    if inputs is not None and logits is not None:
        raise ValueError("Cannot specify both 'inputs' and 'logits' (logits is its "
                         "deprecated name)")
    inputs = convert_to_tensor(logits if inputs is None else inputs, name="inputs")
    if not time_major:
        from flowgraph.ops.reorder import transpose
        inputs = transpose(inputs, [1, 0, 2])
    sequence_length = convert_to_tensor(sequence_length, dtype=dtypes.int32,
                                        name="sequence_length")
    op_def = CTCLoss(preprocess_collapse_repeated=preprocess_collapse_repeated,
                     ctc_merge_repeated=ctc_merge_repeated,
                     ignore_longer_outputs_than_inputs=ignore_longer_outputs_than_inputs)
    outputs = apply_op(op_def, [inputs, labels.indices, labels.values, sequence_length])
    return outputs[0]
