"""TF1's ``tf.strings.ngrams`` for dense string tensors: the n-grams of each row (the last
axis), joined by `separator`, optionally padded at both ends (node "StringNGrams").
Ragged input is not supported (flowgraph has no RaggedTensor)."""

from __future__ import annotations

from typing import Any, Optional, Tuple

import numpy as np

from flowgraph import dtypes, errors
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.registry import Op, apply_op, register
from flowgraph.shapes import TensorShape

__all__: list = []


def _as_bytes(value: Any) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else bytes(value)


@register
class StringNGrams(Op):
    """Input: a string tensor of rank >= 1. Output: ``shape[:-1] + [k]``, each row's
    n-grams for every width in `ngram_widths` in turn (k is the same for every row).
    `pad_width` -1 pads each width n with n - 1 pad tokens a side; 0 does not pad."""

    separator: str = " "
    ngram_widths: Tuple[int, ...] = (1,)
    left_pad: str = ""
    right_pad: str = ""
    pad_width: int = 0
    preserve_short_sequences: bool = False

    differentiable = False

    def infer(self, op):
        (data,) = op.inputs
        if not data.dtype.is_string:
            raise TypeError(f"StringNGrams {op.name!r}: data must be a string tensor, got "
                            f"{data.dtype.name}")
        if data.shape.ndims is None:
            return [(dtypes.string, TensorShape(None))]
        return [(dtypes.string, TensorShape(data.shape.as_list()[:-1] + [None]))]

    def _row(self, tokens: list) -> list:
        sep = _as_bytes(self.separator)
        left, right = _as_bytes(self.left_pad), _as_bytes(self.right_pad)
        out = []
        for width in self.ngram_widths:
            pad = min(width - 1 if self.pad_width < 0 else self.pad_width, width - 1)
            padded = [left] * pad + tokens + [right] * pad
            out.extend(sep.join(padded[i:i + width]) for i in range(len(padded) - width + 1))
        if not out and self.preserve_short_sequences and tokens:
            pad = max(self.pad_width, 0)
            out.append(sep.join([left] * pad + tokens + [right] * pad))
        return out

    def kernel(self, data):
        array = np.asarray(data, dtype=object)
        if array.ndim == 0:
            raise errors.InvalidArgumentError(None, None, "StringNGrams: data must have "
                                              "rank > 0, got a scalar")
        rows = array.reshape(-1, array.shape[-1]) if array.size else \
            np.empty((int(np.prod(array.shape[:-1])), array.shape[-1]), dtype=object)
        grams = [self._row([_as_bytes(t) for t in row]) for row in rows]
        count = len(grams[0]) if grams else 0
        out = np.empty((len(grams), count), dtype=object)
        for i, row in enumerate(grams):
            out[i, :] = row
        return out.reshape(array.shape[:-1] + (count,))


def ngrams(data: Any, ngram_width: Any, separator: str = " ", pad_values: Any = None,
           padding_width: Optional[int] = None, preserve_short_sequences: bool = False,
           name: Optional[str] = None) -> Any:
    """The n-grams of each row of a string tensor (TF1's ``tf.strings.ngrams``).

    Parameters
    ----------
    data : string Tensor of rank >= 1
        Tokens along the last axis.
    ngram_width : int or list of int
        The n-gram sizes; with several, each row holds all of the first width's n-grams,
        then the next width's.
    separator : str
        Joins the tokens of an n-gram.
    pad_values : str or (str, str), optional
        Pad token(s) for the start and end; None means no padding.
    padding_width : int, optional
        Pad tokens a side (at most width - 1); default width - 1 when `pad_values` is set.
    preserve_short_sequences : bool
        Give a row too short for any n-gram one n-gram of all its (padded) tokens.
    name : str, optional
        Name of the op.

    Returns
    -------
    Tensor
        Strings of shape ``data.shape[:-1] + [number of n-grams]``.
    """
    if pad_values is None:
        left = right = ""
    elif isinstance(pad_values, (list, tuple)):
        if len(pad_values) != 2 or not all(isinstance(p, (str, bytes)) for p in pad_values):
            raise TypeError("pad_values must be a string, tuple of strings, or None.")
        left, right = pad_values
    elif isinstance(pad_values, (str, bytes)):
        left = right = pad_values
    else:
        raise TypeError("pad_values must be a string, tuple of strings, or None.")
    if padding_width is not None and padding_width < 1:
        raise ValueError("padding_width must be greater than 0.")
    if padding_width is not None and pad_values is None:
        raise ValueError("pad_values must be provided if padding_width is set.")
    widths = list(ngram_width) if isinstance(ngram_width, (list, tuple)) else [ngram_width]
    for width in widths:
        if int(width) < 1:
            raise ValueError(f"All ngram_widths must be greater than 0. Got {ngram_width}")
    tensor = convert_to_tensor(data, dtype=dtypes.string, name="data")
    if tensor.shape.ndims is None:
        raise ValueError("Rank of data must be known.")
    if tensor.shape.ndims == 0:
        raise ValueError("Data must have rank>0")
    pad_width = 0 if pad_values is None else (-1 if padding_width is None
                                              else int(padding_width))

    def text(value: Any) -> str:
        return value.decode("utf-8") if isinstance(value, bytes) else str(value)

    op_def = StringNGrams(separator=text(separator), ngram_widths=tuple(int(w) for w in widths),
                          left_pad=text(left), right_pad=text(right), pad_width=pad_width,
                          preserve_short_sequences=bool(preserve_short_sequences))
    return apply_op(op_def, [tensor], name=name or "StringNGrams")
