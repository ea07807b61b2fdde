"""A convolution with its bias and ReLU as one node (part of remapping, as TF1's
_FusedConv2D): ``Relu(BiasAdd(Conv2D(x, w), b))`` (or without the Relu, or with an ``Add``
of a 1-D bias) adds the bias and applies the ReLU to each block of output rows right after
the convolution computes it, while it is in cache, instead of in two more passes over the
whole output. Same values: the same operations on each element, in the same order.

Rewritten for NHWC float32 / float64 convolutions whose result is read by the bias add
alone (and the bias add's by the ReLU alone, when fused), none fetched or pinned. Other
shapes or types met at run time run the three ops' own kernels.
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from flowgraph.ops import relu_kernel
from flowgraph.runtime.ir import Guards, Node, PlanGraph
from flowgraph.runtime.options import PlanOptions
from flowgraph.runtime.passes.matching import rewrite_each

_ndarray = np.ndarray
_BIAS_ADDS = ("BiasAdd", "Add", "AddV2")


class ConvBiasActivation:
    """``conv(x, w) + bias``, then ReLU if `relu`: the convolution's kernel with an
    epilogue; `fallback(x, w, bias)` runs the original ops."""

    def __init__(self, conv_def: Any, relu: bool, fallback: Any, names: tuple) -> None:
        self.conv_def = conv_def
        self.relu = relu
        self.fallback = fallback
        self.names = names

    def __repr__(self) -> str:
        return f"ConvBiasActivation({' -> '.join(self.names)})"

    def __call__(self, x: Any, w: Any, bias: Any) -> Any:
        if type(x) is not _ndarray or type(w) is not _ndarray or type(bias) is not _ndarray \
                or x.dtype not in (np.float32, np.float64) or w.dtype != x.dtype or \
                bias.dtype != x.dtype or w.ndim != 4 or bias.shape != (w.shape[3],):
            return self.fallback(x, w, bias)
        relu = self.relu

        def epilogue(rows: np.ndarray) -> None:
            np.add(rows, bias, out=rows)
            if relu:
                relu_kernel.relu(rows, out=rows)

        return self.conv_def.kernel(x, w, epilogue)


def run(graph: PlanGraph, options: PlanOptions) -> int:
    if not options.remapping:
        return 0
    return rewrite_each(graph, _match, _rewrite)


def _match(add: Node, guards: Guards) -> Optional[tuple]:
    """(conv node, position of the bias among `add`'s inputs, Relu node or None)."""
    if add.op_def is None or add.kernel is not None or len(add.inputs) != 2 or \
            add.op_def.type_name not in _BIAS_ADDS or add in guards.pinned:
        return None
    if add.op_def.type_name == "BiasAdd" and add.op_def.data_format != "NHWC":
        return None
    for position in (1, 0):
        conv = add.inputs[1 - position].producer
        if conv is not None and conv.op_def is not None and conv.kernel is None and \
                conv.op_def.type_name == "Conv2D":
            break
    else:
        return None
    bias, value = add.inputs[position], conv.outputs[0]
    if add.op_def.type_name == "BiasAdd" and position != 1:
        return None
    if conv.op_def.data_format != "NHWC" or conv in guards.pinned or \
            not guards.private(value) or value.dtype.np not in (np.float32, np.float64) or \
            bias.dtype != value.dtype or bias.shape is None or bias.shape.ndims != 1:
        return None
    relu = _relu_after(add, guards)
    return conv, position, relu


def _relu_after(add: Node, guards: Guards) -> Optional[Node]:
    out = add.outputs[0]
    if not guards.private(out):
        return None
    (user, _), = guards.uses[out]
    if user.op_def is None or user.kernel is not None or user.op_def.type_name != "Relu" or \
            user in guards.pinned or user.controls:
        return None
    return user


def _rewrite(graph: PlanGraph, add: Node, conv: Node, position: int,
             relu: Optional[Node]) -> None:
    from flowgraph.runtime.kernels import plain_kernel
    run_conv, run_add = plain_kernel(conv), plain_kernel(add)
    run_relu = plain_kernel(relu) if relu is not None else None

    def fallback(x: Any, w: Any, bias: Any) -> Any:
        value = run_conv(x, w)
        total = run_add(value, bias) if position == 1 else run_add(bias, value)
        return run_relu(total) if run_relu is not None else total

    last = relu if relu is not None else add
    names = tuple(n.name for n in (conv, add, relu) if n is not None)
    node = Node(last.op, None, list(conv.inputs) + [add.inputs[position]],
                list(conv.controls) + [c for c in add.controls if c not in conv.controls])
    node.kernel = ConvBiasActivation(conv.op_def, relu is not None, fallback, names)
    node.members = tuple(n.op for n in (conv, add, relu) if n is not None)
    node.outputs = list(last.outputs)
    for v in node.outputs:
        v.producer = node
    dropped = {conv, add, relu}
    graph.nodes = [node if n is last else n for n in graph.nodes
                   if n is last or n not in dropped]
