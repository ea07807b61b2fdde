"""A convolution's two gradients as one node (part of remapping): Conv2DBackpropInput and
Conv2DBackpropFilter of the same out_backprop and attributes run together, so that a
convolution taking the DFT path (flowgraph/ops/conv_fft.py) transforms out_backprop once
for both. Other convolutions run the two ops' own kernels in turn, as without the rewrite.

Rewritten only when neither node is fetched by name as a target or waited for.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from flowgraph.ops import conv_fft
from flowgraph.runtime.ir import Node, PlanGraph
from flowgraph.runtime.options import PlanOptions

_ndarray = np.ndarray


class ConvBackpropPair:
    """(input gradient, filter gradient) from (input_sizes, filter, out_backprop, input,
    filter_sizes)."""

    def __init__(self, input_def: Any, input_kernel: Any, filter_kernel: Any,
                 names: tuple) -> None:
        self.input_def = input_def
        self.input_kernel = input_kernel
        self.filter_kernel = filter_kernel
        self.names = names

    def __repr__(self) -> str:
        return f"ConvBackpropPair({', '.join(self.names)})"

    def __call__(self, sizes: Any, w: Any, dy: Any, x: Any, filter_sizes: Any) -> tuple:
        both = self._both(sizes, w, dy, x, filter_sizes)
        if both is not None:
            return both
        return self.input_kernel(sizes, w, dy), self.filter_kernel(x, filter_sizes, dy)

    def _both(self, sizes: Any, w: Any, dy: Any, x: Any, filter_sizes: Any) -> Any:
        """The two gradients by the DFT path, or None where the ops' own kernels should run
        (other data formats, shapes the ops would reject, convolutions im2col does better)."""
        op_def = self.input_def
        if op_def.data_format != "NHWC" or not all(type(a) is _ndarray for a in (w, dy, x)) or \
                x.ndim != 4 or w.ndim != 4 or dy.ndim != 4 or x.dtype != dy.dtype or \
                w.dtype != dy.dtype or dy.dtype not in (np.float32, np.float64):
            return None
        if tuple(np.asarray(sizes).reshape(-1).tolist()) != x.shape or \
                tuple(np.asarray(filter_sizes).reshape(-1).tolist()) != w.shape:
            return None
        strides, dilations, pads, out_hw = op_def.kernel_geometry(x.shape[1:3], w.shape[:2])
        if dy.shape != (x.shape[0],) + tuple(out_hw) + (w.shape[3],) or \
                x.shape[3] != w.shape[2]:
            return None
        if not conv_fft.usable(x.shape, w.shape[:2], w.shape[3], strides, dilations, pads,
                               out_hw, dy.dtype):
            return None
        return conv_fft.backprop_both(x, w, np.ascontiguousarray(dy), pads)


def run(graph: PlanGraph, options: PlanOptions) -> int:
    if not options.remapping:
        return 0
    pinned = graph.guards().pinned
    by_backprop: dict = {}
    for node in graph.nodes:
        if node.op_def is not None and node.kernel is None and \
                node.op_def.type_name == "Conv2DBackpropFilter" and len(node.inputs) == 3 and \
                node not in pinned:
            by_backprop.setdefault(node.inputs[2], []).append(node)
    rewrites = 0
    for node in list(graph.nodes):
        if node.op_def is None or node.kernel is not None or \
                node.op_def.type_name != "Conv2DBackpropInput" or len(node.inputs) != 3 or \
                node in pinned:
            continue
        partners = [f for f in by_backprop.get(node.inputs[2], ())
                    if f.op_def.attributes() == node.op_def.attributes() and
                    _adjacent(graph, node, f)]
        if partners:
            by_backprop[node.inputs[2]].remove(partners[0])
            _rewrite(graph, node, partners[0])
            rewrites += 1
    return rewrites


def _adjacent(graph: PlanGraph, a: Node, b: Node) -> bool:
    """Whether no node between `a` and `b` reads the earlier one's result (the pair can
    then run at the later one's place)."""
    i, j = graph.nodes.index(a), graph.nodes.index(b)
    first, last = (a, j) if i < j else (b, i)
    outs = set(first.outputs)
    start = min(i, j) + 1
    return not any(v in outs for n in graph.nodes[start:last] for v in n.inputs)


def _rewrite(graph: PlanGraph, backprop_input: Node, backprop_filter: Node) -> None:
    from flowgraph.runtime.kernels import plain_kernel
    sizes, w, dy = backprop_input.inputs
    x, filter_sizes, _ = backprop_filter.inputs
    controls = list(backprop_input.controls) + [c for c in backprop_filter.controls
                                                if c not in backprop_input.controls]
    node = Node(backprop_filter.op, None, [sizes, w, dy, x, filter_sizes], controls)
    node.kernel = ConvBackpropPair(backprop_input.op_def, plain_kernel(backprop_input),
                                   plain_kernel(backprop_filter),
                                   (backprop_input.name, backprop_filter.name))
    node.members = (backprop_input.op, backprop_filter.op)
    node.outputs = [backprop_input.outputs[0], backprop_filter.outputs[0]]
    for index, v in enumerate(node.outputs):
        v.producer = node
        v.index = index
    # At the later of the two positions: both nodes' inputs exist there.
    later = max(graph.nodes.index(backprop_input), graph.nodes.index(backprop_filter))
    keep = graph.nodes[later]
    graph.nodes = [node if n is keep else n for n in graph.nodes
                   if n is not backprop_input and n is not backprop_filter or n is keep]
