"""TF1's ``tf.strings.format``: a scalar string from a template whose placeholders are
replaced by tensors printed as TF prints them (numpy-like nesting, ``...`` beyond
`summarize` entries at each end of a dimension, strings quoted and C-escaped, floats in
their shortest round-trip form)."""

from __future__ import annotations

from typing import Any, Optional, Tuple

import numpy as np

from flowgraph import dtypes
from flowgraph.graph import Tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.registry import Op, apply_op, graph_of, register
from flowgraph.shapes import TensorShape

__all__: list = []

_ESCAPES = {ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t", ord('"'): '\\"',
            ord("'"): "\\'", ord("\\"): "\\\\"}


def _c_escape(data: bytes) -> str:
    out = []
    for byte in data:
        if byte in _ESCAPES:
            out.append(_ESCAPES[byte])
        elif 32 <= byte < 127:
            out.append(chr(byte))
        else:
            out.append(f"\\{byte:03o}")
    return "".join(out)


def _float_text(value: Any, digits: Tuple[int, int]) -> str:
    """TF's FloatToBuffer / DoubleToBuffer: %.6g (%.15g) when it round-trips, else %.9g
    (%.17g)."""
    kind = type(value)
    short = f"{value:.{digits[0]}g}"
    if np.isnan(value) or np.isinf(value) or kind(float(short)) == value:
        return short
    return f"{value:.{digits[1]}g}"


def _item_text(value: Any) -> str:
    if isinstance(value, (bytes, str)):
        data = value.encode("utf-8") if isinstance(value, str) else value
        return '"' + _c_escape(data) + '"'
    if isinstance(value, (np.bool_, bool)):
        return "1" if value else "0"
    if isinstance(value, np.float64):
        return _float_text(value, (15, 17))
    if isinstance(value, (np.floating,)):
        return _float_text(np.float32(value), (6, 9))
    if isinstance(value, np.complexfloating):
        return f"({_item_text(value.real)},{_item_text(value.imag)})"
    return str(value)


def format_tensor(array: np.ndarray, summarize: int) -> str:
    """How TF's print_v2 summary shows `array` (as inside ``tf.strings.format``)."""
    if array.ndim == 0:
        return _item_text(array[()])
    return _nested(array, 0, summarize)


def _nested(array: np.ndarray, depth: int, summarize: int) -> str:
    size = array.shape[0]
    if 0 <= summarize and size > 2 * summarize:
        shown = list(range(summarize)) + [None] + list(range(size - summarize, size))
    else:
        shown = list(range(size))
    if array.ndim == 1:
        parts = ["..." if i is None else _item_text(array[i]) for i in shown]
        return "[" + " ".join(parts) + "]"
    parts = ["..." if i is None else _nested(array[i], depth + 1, summarize) for i in shown]
    separator = "\n" * (array.ndim - 1) + " " * (depth + 1)
    return "[" + separator.join(parts) + "]"


@register
class StringFormat(Op):
    """Inputs: any number of tensors. Output: a scalar string, `template` with its i-th
    `placeholder` replaced by input i as TF prints it (`summarize` entries at each end of
    every dimension; -1 for all)."""

    template: str = "%s"
    placeholder: str = "%s"
    summarize: int = 3

    differentiable = False

    def infer(self, op):
        return [(dtypes.string, TensorShape([]))]

    def kernel(self, *values):
        pieces = self.template.split(self.placeholder)
        out = [pieces[0]]
        for value, piece in zip(values, pieces[1:]):
            out.append(format_tensor(np.asarray(value), self.summarize))
            out.append(piece)
        result = np.empty((), dtype=object)
        result[()] = "".join(out).encode("utf-8")
        return result


def string_format(template: str, inputs: Any, placeholder: str = "{}", summarize: int = 3,
                  name: Optional[str] = None) -> Any:
    """Formats tensors into a template (TF1's ``tf.strings.format``; node "StringFormat").

    Parameters
    ----------
    template : str
        Text with one `placeholder` per input.
    inputs : Tensor or list of Tensors
        The values to print, in placeholder order.
    placeholder : str
        The marker replaced by each input (default ``"{}"``).
    summarize : int
        Entries shown at each end of every dimension (the rest as ``...``); -1 for all.
    name : str, optional
        Name of the op.

    Returns
    -------
    Tensor
        A scalar string.

    Raises
    ------
    ValueError
        When the template's placeholder count differs from the number of inputs.
    """
    if isinstance(inputs, Tensor) or not isinstance(inputs, (list, tuple)):
        inputs = [inputs]
    if not isinstance(template, str):
        raise TypeError(f"template must be a Python str, got {type(template).__name__}")
    if not placeholder:
        raise ValueError("placeholder must be a non-empty string (default '{}')")
    count = template.count(placeholder)
    if count != len(inputs):
        raise ValueError(f"The template expects {count} tensors, but the inputs only has "
                         f"{len(inputs)}. Please ensure the number of placeholders in "
                         "template matches inputs length.")
    graph = graph_of(*inputs)
    with graph.as_default():
        tensors = [convert_to_tensor(value) for value in inputs]
    return apply_op(StringFormat(template=template, placeholder=placeholder,
                                 summarize=int(summarize)), tensors, name=name, graph=graph)
