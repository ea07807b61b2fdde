"""`fg.print` (TF's ``tf.print``): formats tensors and Python values into one string
(a StringFormat node) and prints it when the PrintV2 node runs.

In graph mode `fg.print` returns the PrintV2 Operation (it has no output): run it, or make
it a control dependency of what should print.
"""

from __future__ import annotations

import pprint
import random
import sys
from typing import Any

import numpy as np

from flowgraph import dtypes, errors
from flowgraph.control_flow import nest
from flowgraph.graph import Operation, Tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.registry import Op, apply_op, graph_of, register
from flowgraph.ops.string_format import string_format
from flowgraph.sparse_tensor import SparseTensor

__all__: list = []  # exported as fg.print (flowgraph/__init__.py)

_STREAMS = ("stdout", "stderr")


@register
class PrintV2(Op):
    """Prints its scalar string input followed by `end` to `output_stream`: "stdout",
    "stderr" or "file://<path>" (appended to). No outputs; stateful (never folded or
    merged)."""

    output_stream: str = "stderr"
    end: str = "\n"
    stateful = True
    differentiable = False

    def check(self):
        if self.output_stream not in _STREAMS and not self.output_stream.startswith("file://"):
            raise ValueError(f"PrintV2 output_stream must be 'stdout', 'stderr' or "
                             f"'file://<path>', got {self.output_stream!r}")

    def infer(self, op):
        text = op.inputs[0]
        if text.dtype != dtypes.string:
            raise TypeError(f"PrintV2 prints a string scalar, got dtype {text.dtype.name}; "
                            "format tensors with fg.strings.format (fg.print does that)")
        if text.shape.ndims not in (None, 0):
            raise ValueError(f"PrintV2 prints a string scalar, got shape {text.shape}")
        return []

    def kernel(self, text):
        if np.ndim(text) != 0:
            raise errors.InvalidArgumentError(
                None, None, f"PrintV2 input must be a scalar string, got shape "
                f"{list(np.shape(text))}")
        value = np.asarray(text)[()]
        if isinstance(value, bytes):
            value = value.decode("utf-8", errors="replace")
        message = f"{value}{self.end}"
        if self.output_stream.startswith("file://"):
            path = self.output_stream[len("file://"):]
            try:
                with open(path, "a", encoding="utf-8") as handle:
                    handle.write(message)
            except OSError as exc:
                raise errors.InvalidArgumentError(
                    None, None, f"PrintV2 could not append to {path!r}: {exc}") from exc
            return ()
        stream = sys.stdout if self.output_stream == "stdout" else sys.stderr
        stream.write(message)
        stream.flush()
        return ()


def _placeholder_string(text: str) -> str:
    """TF's placeholder for tensors in the template: "{}" plus digits until it does not
    occur in the text of the non-tensor inputs."""
    placeholder = "{}"
    rng = random.Random(5)
    while placeholder in text:
        placeholder += str(rng.randint(0, 9))
    return placeholder


def _is_tensor(value: Any) -> bool:
    return isinstance(value, (Tensor, SparseTensor)) or hasattr(value, "__fg_tensor__")


def _stream_name(output_stream: Any) -> str:
    if output_stream is sys.stdout:
        return "stdout"
    if output_stream is sys.stderr:
        return "stderr"
    if isinstance(output_stream, str) and output_stream.startswith("file://"):
        return output_stream
    raise ValueError(f"Unsupported output stream {output_stream!r}. Expected one of "
                     "sys.stdout, sys.stderr, or a string prefixed with 'file://'.")


def print_v2(*inputs: Any, **kwargs: Any) -> Operation:
    """Prints `inputs` (tensors, Python values, and nested lists / tuples / dicts of them)
    as TF's ``tf.print``: tensors numpy-like (``[1 2 3]``, at most `summarize` entries at
    each end of every dimension, the rest as ``...``), other values with ``pprint``.

    Keyword arguments (as TF): ``output_stream=sys.stderr`` (or ``sys.stdout``, or
    ``"file://path"`` to append to a file), ``summarize=3`` (-1: everything), ``sep=" "``,
    ``end="\\n"``, ``name=None``.

    Returns
    -------
    Operation
        The PrintV2 node: printing happens each time it runs.

    >>> p = fg.print("x:", x, output_stream=sys.stdout)
    >>> sess.run(p)            # prints e.g.  x: [1 2 3]
    """
    output_stream = kwargs.pop("output_stream", sys.stderr)
    name = kwargs.pop("name", None)
    summarize = kwargs.pop("summarize", 3)
    sep = kwargs.pop("sep", " ")
    end = kwargs.pop("end", "\n")
    if kwargs:
        raise ValueError(f"Unrecognized keyword arguments for tf.print: {kwargs}")
    stream = _stream_name(output_stream)
    format_name = f"{name}_format" if name else None
    graph = graph_of(*inputs)
    with graph.as_default():
        if (len(inputs) == 1 and isinstance(inputs[0], Tensor)
                and inputs[0].shape.ndims == 0 and inputs[0].dtype == dtypes.string):
            formatted = inputs[0]
        else:
            formatted = _format(inputs, sep, summarize, format_name)
        return apply_op(PrintV2(output_stream=stream, end=str(end)), [formatted], name=name,
                        graph=graph)


def _format(inputs: tuple, sep: str, summarize: int, name: Any) -> Tensor:
    """The StringFormat node of TF's print_v2: one template for all inputs."""
    free = nest.map_structure(lambda v: "" if _is_tensor(v) else v, list(inputs))
    placeholder = _placeholder_string(" ".join(pprint.pformat(v) for v in free))
    templates = []
    tensors = []
    for value in inputs:
        parts = []
        for leaf in nest.flatten(value):
            if isinstance(leaf, SparseTensor):
                tensors.extend([leaf.indices, leaf.values, leaf.dense_shape])
                parts.append(f"SparseTensor(indices={placeholder}, values={placeholder}, "
                             f"shape={placeholder})")
            elif _is_tensor(leaf):
                tensors.append(convert_to_tensor(leaf))
                parts.append(placeholder)
            else:
                parts.append(leaf)
        if isinstance(value, str):
            templates.append(value)
        else:
            templates.append(pprint.pformat(nest.pack_sequence_as(value, parts)))
    template = sep.join(templates).replace(f"'{placeholder}'", placeholder)
    return string_format(template, tensors, placeholder=placeholder, summarize=summarize,
                         name=name)
