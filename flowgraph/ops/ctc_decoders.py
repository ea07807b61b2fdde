"""TF1's CTC decoders (`fg.nn.ctc_greedy_decoder`, `fg.nn.ctc_beam_search_decoder`).

Both read logits [max_time, batch, num_classes] (class ``num_classes - 1`` is the blank) and
return the decoded label sequences as SparseTensors (int64 indices [N, 2], int64 values [N],
dense_shape [batch, longest]) plus a score per example and path. The beam search is TF1's
prefix beam search with its default (neutral) scorer.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from flowgraph import dtypes, errors
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.ctc import check_rank, check_sequence_lengths, invalid, log_softmax
from flowgraph.ops.elementwise import check_dtype
from flowgraph.ops.registry import Op, apply_op, register

__all__: list = []


def _check_inputs(op: Any) -> tuple:
    inputs, lengths = op.inputs
    check_dtype(op, inputs, "f", "inputs")
    if lengths.dtype != dtypes.int32:
        raise TypeError(f"{op.type}: sequence_length must be int32, got {lengths.dtype.name}")
    check_rank(op, inputs, 3, "inputs")
    check_rank(op, lengths, 1, "sequence_length")
    batch = inputs.shape[1:2] if inputs.shape.ndims is not None else lengths.shape
    return inputs.dtype, batch.merge_with(lengths.shape)[0]


def _sparse_outputs(paths: list) -> tuple:
    """(indices int64 [N, 2], values int64 [N], dense_shape int64 [2]) of one label
    sequence per example."""
    indices = [[b, i] for b, seq in enumerate(paths) for i in range(len(seq))]
    values = [v for seq in paths for v in seq]
    longest = max((len(seq) for seq in paths), default=0)
    return (np.array(indices, np.int64).reshape(-1, 2), np.array(values, np.int64),
            np.array([len(paths), longest], np.int64))


@register
class CTCGreedyDecoder(Op):
    """Inputs: logits [max_time, batch, num_classes], sequence_length int32 [batch].
    Outputs: decoded_indices, decoded_values, decoded_shape (the best class of each frame,
    blanks removed, repeats merged when `merge_repeated`) and log_probability [batch, 1]:
    minus the sum over frames of the largest logit."""

    merge_repeated: bool = True
    differentiable = False

    def infer(self, op):
        dtype, batch = _check_inputs(op)
        i64 = dtypes.int64
        return [(i64, [None, 2]), (i64, [None]), (i64, [2]), (dtype, [batch, 1])]

    def kernel(self, inputs, sequence_length):
        lengths = check_sequence_lengths(inputs, sequence_length,
                                         errors.FailedPreconditionError)
        blank = inputs.shape[2] - 1
        best = np.argmax(inputs, axis=2) if inputs.shape[2] else None
        log_prob = np.zeros((inputs.shape[1], 1), inputs.dtype)
        paths = []
        for b, length in enumerate(lengths):
            seq, prev = [], -1
            for t in range(length):
                label = int(best[t, b])
                log_prob[b, 0] -= inputs[t, b, label]
                if label != blank and not (self.merge_repeated and label == prev):
                    seq.append(label)
                prev = label
            paths.append(seq)
        return (*_sparse_outputs(paths), log_prob)


class _Beam:
    """One prefix of the search trie, with its log probabilities of ending in a blank,
    ending in its last label, and in total, before (old) and after (new) the frame."""

    __slots__ = ("parent", "label", "children", "old", "new")

    def __init__(self, parent: Any, label: int) -> None:
        self.parent = parent
        self.label = label
        self.children: Any = None
        self.old = (-np.inf, -np.inf, -np.inf)   # (blank, label, total)
        self.new = (-np.inf, -np.inf, -np.inf)

    def labels(self, merge_repeated: bool) -> list:
        out, node = [], self
        while node.parent is not None:
            if not (merge_repeated and out and out[-1] == node.label):
                out.append(node.label)
            node = node.parent
        return out[::-1]


def _lse(a: float, b: float) -> float:
    return float(np.logaddexp(a, b))


_RESET = (-np.inf, -np.inf, -np.inf)


def _is_candidate(total: float, heap: list, beam_width: int) -> bool:
    """TF1's test for entering the beam: a nonzero probability above the beam's lowest
    when the beam is full."""
    return total > -np.inf and (len(heap) < beam_width or total > heap[0][0])


def beam_search(log_y: np.ndarray, beam_width: int) -> list:
    """TF1's CTC prefix beam search over frames `log_y` [time, classes] (log softmax): the
    final beam, best first.

    This follows TF1's CTCBeamSearchDecoder step by step, quirks included, so that the
    results match it: a prefix evicted from the beam while it is being refilled loses its
    probabilities, and one rejected as an extension loses its previous-frame ones too (so
    it is not extended any more in that frame).
    """
    import heapq
    classes = log_y.shape[1]
    blank = classes - 1
    root = _Beam(None, -1)
    root.new = (0.0, -np.inf, 0.0)
    branches = [root]
    for frame in log_y:
        for beam in branches:
            beam.old = beam.new
        heap: list = []   # the new beam: (total, insertion order, prefix); min at heap[0]
        order = 0
        for beam in branches:  # the prefixes already in the beam
            label_p = beam.old[1]
            if beam.parent is not None:
                parent = beam.parent
                if parent.new[2] != -np.inf:  # the parent is still in the beam
                    prev = parent.old[0] if beam.label == parent.label else parent.old[2]
                    label_p = _lse(label_p, prev)
                label_p += frame[beam.label]
            blank_p = beam.old[2] + frame[blank]
            beam.new = (blank_p, label_p, _lse(blank_p, label_p))
            heapq.heappush(heap, (beam.new[2], order, beam))
            order += 1

        for beam in branches:  # grow one-label extensions of each, best prefix first
            if not _is_candidate(beam.old[2], heap, beam_width):
                continue
            if beam.children is None:
                beam.children = [_Beam(beam, c) for c in range(classes - 1)]
            for child in beam.children:
                if child.new[2] != -np.inf:  # already in the beam
                    continue
                prev = beam.old[0] if child.label == beam.label else beam.old[2]
                label_p = frame[child.label] + prev
                child.new = (-np.inf, label_p, label_p)
                if _is_candidate(label_p, heap, beam_width):
                    if len(heap) == beam_width:
                        heapq.heappop(heap)[2].new = _RESET
                    heapq.heappush(heap, (label_p, order, child))
                    order += 1
                else:
                    child.old = child.new = _RESET
        # Best first; among equal scores the earlier-inserted first.
        branches = [entry[2] for entry in sorted(heap, key=lambda e: (-e[0], e[1]))]
    return branches


@register
class CTCBeamSearchDecoder(Op):
    """Inputs: logits [max_time, batch, num_classes], sequence_length int32 [batch].
    Outputs: `top_paths` decoded_indices, then `top_paths` decoded_values, then `top_paths`
    decoded_shape, then log_probability [batch, top_paths] (each path's log probability,
    summed over its alignments within the beam)."""

    beam_width: int = 100
    top_paths: int = 1
    merge_repeated: bool = True
    differentiable = False

    def check(self) -> None:
        if self.beam_width < 1:
            raise ValueError(f"CTCBeamSearchDecoder: beam_width must be >= 1, got "
                             f"{self.beam_width}")
        if self.top_paths < 1:
            raise ValueError(f"CTCBeamSearchDecoder: top_paths must be >= 1, got "
                             f"{self.top_paths}")

    def infer(self, op):
        dtype, batch = _check_inputs(op)
        i64 = dtypes.int64
        n = self.top_paths
        return ([(i64, [None, 2])] * n + [(i64, [None])] * n + [(i64, [2])] * n
                + [(dtype, [batch, n])])

    def kernel(self, inputs, sequence_length):
        lengths = check_sequence_lengths(inputs, sequence_length,
                                         errors.FailedPreconditionError)
        if self.top_paths > self.beam_width:
            raise invalid(f"requested more paths than the beam width: top_paths="
                          f"{self.top_paths} > beam_width={self.beam_width}")
        batch = inputs.shape[1]
        log_prob = np.zeros((batch, self.top_paths), inputs.dtype)
        paths = [[] for _ in range(self.top_paths)]
        log_y = log_softmax(inputs.astype(np.float64))
        for b, length in enumerate(lengths):
            leaves = beam_search(log_y[:length, b], self.beam_width)
            if len(leaves) < self.top_paths:
                raise invalid(f"Less leaves in the beam search than requested: batch {b} "
                              f"has {len(leaves)} prefixes in its beam, top_paths="
                              f"{self.top_paths}")
            for p in range(self.top_paths):
                paths[p].append(leaves[p].labels(self.merge_repeated))
                log_prob[b, p] = leaves[p].new[2]
        parts = [_sparse_outputs(path) for path in paths]
        return (*[p[0] for p in parts], *[p[1] for p in parts], *[p[2] for p in parts],
                log_prob)


def _decoded(outputs: list, top_paths: int) -> list:
    from flowgraph.sparse_tensor import SparseTensor
    n = top_paths
    return [SparseTensor(outputs[i], outputs[n + i], outputs[2 * n + i]) for i in range(n)]


def ctc_greedy_decoder(inputs: Any, sequence_length: Any, merge_repeated: bool = True) -> tuple:
    """Greedy (best path) CTC decoding: the most likely class of each frame, with blanks
    (class ``num_classes - 1``) removed and, when `merge_repeated`, runs of one class
    merged.

    Parameters
    ----------
    inputs : Tensor
        float logits [max_time, batch_size, num_classes].
    sequence_length : Tensor
        int32 [batch_size], each at most max_time.
    merge_repeated : bool
        Merge repeated classes in the output.

    Returns
    -------
    tuple
        ``([SparseTensor], neg_sum_logits)``: the decoded int64 labels (dense shape
        [batch_size, longest]) and [batch_size, 1], minus the sum of each frame's largest
        logit.
    """
    inputs = convert_to_tensor(inputs, name="inputs")
    sequence_length = convert_to_tensor(sequence_length, dtype=dtypes.int32,
                                        name="sequence_length")
    outputs = apply_op(CTCGreedyDecoder(merge_repeated=merge_repeated),
                       [inputs, sequence_length])
    return _decoded(outputs, 1), outputs[3]


def ctc_beam_search_decoder(inputs: Any, sequence_length: Any, beam_width: int = 100,
                            top_paths: int = 1, merge_repeated: bool = True) -> tuple:
    """CTC beam search decoding (TF1's prefix beam search).

    Parameters
    ----------
    inputs : Tensor
        float logits [max_time, batch_size, num_classes] (class num_classes - 1 is blank).
    sequence_length : Tensor
        int32 [batch_size], each at most max_time.
    beam_width : int
        Prefixes kept per frame.
    top_paths : int
        Number of decodings returned (at most beam_width).
    merge_repeated : bool
        Merge repeated classes in the output (TF1's default True also merges repeats
        that the search kept apart with a blank).

    Returns
    -------
    tuple
        ``(decoded, log_probabilities)``: a list of `top_paths` SparseTensors (int64, the
        j-th holding each example's j-th best path) and float [batch_size, top_paths].
    """
    inputs = convert_to_tensor(inputs, name="inputs")
    sequence_length = convert_to_tensor(sequence_length, dtype=dtypes.int32,
                                        name="sequence_length")
    op_def = CTCBeamSearchDecoder(beam_width=beam_width, top_paths=top_paths,
                                  merge_repeated=merge_repeated)
    outputs = apply_op(op_def, [inputs, sequence_length])
    return _decoded(outputs, top_paths), outputs[-1]
