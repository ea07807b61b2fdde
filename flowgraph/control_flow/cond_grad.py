"""The gradient of `If`: another If, on the same predicate, whose branches recompute the
forward branch (reading the values its stateful ops produced from the forward op's
recording) and differentiate it with fg.gradients. Being an If of ordinary sub-graphs,
it can be differentiated again."""

from __future__ import annotations

from typing import Any, Optional

from flowgraph.control_flow.func_graph import FuncGraph
from flowgraph.control_flow.grad_util import (
    dense,
    differentiable,
    is_recording,
    recompute,
    unpack_saved,
    variables_of,
)
from flowgraph.graph import Graph, Operation, Tensor
from flowgraph.ops.control_flow_ops import saved_tensors


def _grad_branch(op: Operation, branch: Graph, input_names: tuple, output_names: tuple,
                 dys: list, diff: list, prefix: str) -> tuple:
    """(FuncGraph, outputs): the gradients of `branch`'s outputs (weighted by `dys`) with
    respect to the op inputs at positions `diff`."""
    from flowgraph.gradients import gradients
    outer = op.graph
    n = len(input_names)
    fgraph = FuncGraph(outer.get_name_scope(), outer)
    with fgraph.as_default():
        mapping: dict = {}
        for k, name in enumerate(input_names):
            if name:
                mapping[branch.get_tensor_by_name(name)] = fgraph.capture(op.inputs[1 + k])
        saved_names = saved_tensors(branch, output_names)
        if saved_names:
            inner = [branch.get_tensor_by_name(name) for name in saved_names]
            reads = unpack_saved(op.outputs[-1], 0, [prefix + name for name in saved_names],
                                 [t.dtype for t in inner], [t.shape for t in inner])
            mapping.update(zip(inner, reads))
        recompute(branch, mapping, variables_of(op, 1 + n))
        ys, grad_ys = [], []
        for name, dy in zip(output_names, dys):
            y = mapping[branch.get_tensor_by_name(name)]
            if dy is not None and differentiable(y.dtype):
                ys.append(y)
                grad_ys.append(fgraph.capture(dy))
        xs = [fgraph.capture(op.inputs[i]) for i in diff]
        grads = gradients(ys, xs, grad_ys=grad_ys) if ys else [None] * len(xs)
        outputs = [dense(g, x) for g, x in zip(grads, xs)]
    return fgraph, outputs


def if_grad(op: Operation, dys: list, needed: Optional[list] = None) -> list:
    """Gradients of an If op's inputs given its outputs' gradients `dys` (`needed`: which
    inputs need one; the others' are not computed)."""
    from flowgraph.control_flow.cond import build_if
    fwd = op.op_def
    diff = [i for i in range(1, len(op.inputs)) if differentiable(op.inputs[i].dtype)
            and not is_recording(op.inputs[i]) and (needed is None or needed[i])]
    if not diff or all(dy is None for dy in dys):
        return [None] * len(op.inputs)
    dys = [_as_tensor(dy) for dy in dys]
    then_graph, then_out = _grad_branch(op, fwd.then_branch, fwd.then_inputs,
                                        fwd.then_outputs, dys, diff, "then:")
    else_graph, else_out = _grad_branch(op, fwd.else_branch, fwd.else_inputs,
                                        fwd.else_outputs, dys, diff, "else:")
    grad_op = build_if(op.inputs[0], then_graph, else_graph, then_out, else_out, None)
    result: list = [None] * len(op.inputs)
    for i, g in zip(diff, grad_op.outputs[:-1]):
        result[i] = g
    return result


def _as_tensor(dy: Any) -> Any:
    if dy is None or isinstance(dy, Tensor):
        return dy
    from flowgraph.ops.constant import convert_to_tensor
    return convert_to_tensor(dy)
