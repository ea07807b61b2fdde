"""TF1's ``tf.nn.ctc_loss_v2`` and ``tf.nn.ctc_beam_search_decoder_v2`` (TF2's CTC API under
its TF1 names), composed from the CTCLoss and CTCBeamSearchDecoder ops.

`ctc_loss_v2` takes dense labels ``[batch, max_label_length]`` with `label_length`, or a
SparseTensor; its blank class is `blank_index` (0 by default for dense labels). As TF does,
the logits' blank column is moved last and the labels above it shifted down, so that the
CTCLoss op (whose blank is the last class) computes the loss; gradients come from it.
"""

from __future__ import annotations

from typing import Any, Optional

from flowgraph import dtypes
from flowgraph.graph import Tensor
from flowgraph.ops.array import concat
from flowgraph.ops.cast import cast
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.ctc import ctc_loss
from flowgraph.ops.ctc_decoders import ctc_beam_search_decoder
from flowgraph.ops.elementwise import op_scope
from flowgraph.ops.gather import gather_nd
from flowgraph.ops.logic import where
from flowgraph.ops.masking import sequence_mask
from flowgraph.ops.shape_ops import shape
from flowgraph.sparse_tensor import SparseTensor

__all__ = ["ctc_loss_v2", "ctc_beam_search_decoder_v2"]


def _num_classes(logits: Tensor) -> int:
    dims = logits.shape.as_tuple()
    if dims is None or len(dims) != 3 or dims[2] is None:
        raise ValueError(f"ctc_loss_v2 needs logits of rank 3 with a known number of classes "
                         f"(last dimension), got shape {logits.shape}")
    return int(dims[2])


def ctc_loss_v2(labels: Any, logits: Any, label_length: Any, logit_length: Any,
                logits_time_major: bool = True, unique: Any = None,
                blank_index: Optional[int] = None, name: Optional[str] = None) -> Tensor:
    """The CTC loss of each example (TF1's ``tf.nn.ctc_loss_v2``).

    Parameters
    ----------
    labels : int Tensor [batch, max_label_length] or SparseTensor
        The label sequences (dense ones padded past `label_length`).
    logits : float Tensor [max_time, batch, num_classes]
        Unnormalized scores (``[batch, max_time, num_classes]`` when not time major).
    label_length : int Tensor [batch] or None
        Each dense label sequence's length (None with SparseTensor labels).
    logit_length : int Tensor [batch]
        Each example's number of frames.
    logits_time_major : bool
        Whether logits are time major.
    unique : optional
        ``ctc_unique_labels(labels)``, a speed-up in TF; the loss does not depend on it.
    blank_index : int, optional
        The blank class; negative counts from num_classes (-1 is the last class, as
        `ctc_loss`). None means 0 for dense labels; SparseTensor labels must give it.
    name : str, optional
        The name scope.

    Returns
    -------
    Tensor
        The loss [batch] (the negative log probability of each label sequence).
    """
    del unique  # only an optimization in TF: the loss is the same without it
    sparse = isinstance(labels, SparseTensor)
    if sparse and blank_index is None:
        raise ValueError("blank_index must be given when using SparseTensor labels.")
    with op_scope(name, "ctc_loss_dense" if not sparse else "ctc_loss", []):
        logits = convert_to_tensor(logits, name="logits")
        if not logits_time_major:
            from flowgraph.ops.reorder import transpose
            logits = transpose(logits, [1, 0, 2])
        num_classes = _num_classes(logits)
        blank = 0 if blank_index is None else int(blank_index)
        if blank < 0:
            blank += num_classes
        if not 0 <= blank < num_classes:
            raise ValueError(f"blank_index {blank_index} is out of range for {num_classes} "
                             "classes: use a class in [-num_classes, num_classes)")
        if not sparse:
            if label_length is None:
                raise ValueError("label_length must be given with dense labels: the length of "
                                 "each row of labels (the rest is padding)")
            labels = _dense_to_sparse(labels, label_length)
        values = cast(labels.values, dtypes.int32)
        if blank != num_classes - 1:
            logits = concat([logits[:, :, :blank], logits[:, :, blank + 1:],
                             logits[:, :, blank:blank + 1]], axis=2)
            values = where(values < blank, values, values - 1)
        labels = SparseTensor(labels.indices, values, labels.dense_shape)
        return ctc_loss(labels, logits, cast(logit_length, dtypes.int32))


def _dense_to_sparse(labels: Any, label_length: Any) -> SparseTensor:
    """The first label_length[b] labels of each row b, as a SparseTensor."""
    labels = convert_to_tensor(labels, name="labels")
    if not labels.dtype.is_integer:
        raise TypeError(f"labels must be int32 or int64 class ids, got {labels.dtype.name}")
    lengths = cast(convert_to_tensor(label_length, name="label_length"), dtypes.int32)
    mask = sequence_mask(lengths, maxlen=shape(labels, out_type=dtypes.int32)[1])
    indices = cast(where(mask), dtypes.int64)
    return SparseTensor(indices, gather_nd(labels, indices),
                        cast(shape(labels), dtypes.int64))


def ctc_beam_search_decoder_v2(inputs: Any, sequence_length: Any, beam_width: int = 100,
                               top_paths: int = 1) -> tuple:
    """CTC beam search decoding without merging repeated labels (TF1's
    ``tf.nn.ctc_beam_search_decoder_v2``: ``ctc_beam_search_decoder`` with
    ``merge_repeated=False``; the blank is the last class).

    Returns
    -------
    tuple
        ``(decoded, log_probabilities)``: `top_paths` int64 SparseTensors and float
        ``[batch_size, top_paths]``.
    """
    return ctc_beam_search_decoder(inputs, sequence_length, beam_width=beam_width,
                                   top_paths=top_paths, merge_repeated=False)
