"""The callables plan steps run: an op's kernel bound to its node (and Session state), and
the buffer-writing form of single ops the memory planner can give an output buffer."""

from __future__ import annotations

import functools
from typing import Any, Optional

from flowgraph.runtime import elementwise
from flowgraph.runtime.fused import FusedKernel, MatMulHead
from flowgraph.runtime.ir import Node
from flowgraph.runtime.scalar_kernels import scalar_kernel
from flowgraph.runtime.state import NodeContext, SessionState


def plain_kernel(node: Node) -> Any:
    """The node's kernel without Session state: its fast kernel if it has one."""
    op_def = node.op_def
    fast = getattr(op_def, "fast_kernel", None)
    return (fast(node.op) if fast is not None else None) or op_def.kernel


def bind_kernel(op: Any, state: SessionState, op_def: Any = None) -> Any:
    """The callable that runs `op`: its kernel, bound to its node context if it needs one."""
    op_def = op_def if op_def is not None else op.op_def
    fast = getattr(op_def, "fast_kernel", None)
    fn = (fast(op) if fast is not None else None) or op_def.kernel
    if op_def.needs_state:
        fn = functools.partial(fn, NodeContext(op, state))
    return fn


def node_kernel(node: Node, state: SessionState) -> Any:
    """What a plan step runs for `node` (a fused kernel, or the op's bound kernel)."""
    if node.kernel is not None:
        return node.kernel
    fn = bind_kernel(node.op, state, node.op_def)
    return scalar_kernel(node, fn) or fn


def single_out_kernel(node: Node) -> Optional[FusedKernel]:
    """`node` alone as a FusedKernel (so that it can write into a given buffer), for
    elementwise ops with a form and float matmuls; None for anything else."""
    if node.kernel is not None:
        return node.kernel if isinstance(node.kernel, FusedKernel) else None
    if node.op_def is None or len(node.outputs) != 1:
        return None
    out = node.outputs[0]
    fn = plain_kernel(node)
    if node.op_def.type_name == "MatMul":
        if out.dtype.np.kind != "f" or any(v.dtype != out.dtype for v in node.inputs):
            return None
        head = MatMulHead(node.op_def.transpose_a, node.op_def.transpose_b)
        kernel = FusedKernel(head, -1, (), (), out.dtype.np, fn, None, (node.name,))
        kernel.donatable = False
        return kernel
    for main in range(len(node.inputs)):
        form = elementwise.form_of(node, main)
        if form is None:
            continue
        sides = tuple(i for i in form.sides)
        kernel = FusedKernel(None, main, (form.build(sides),), tuple(sorted(set(sides))),
                             out.dtype.np, fn, None, (node.name,))
        kernel.main_is_side = main in sides
        kernel.donatable = not kernel.main_is_side
        kernel.mixing = (True,) if form.mixes_rows else ()
        return kernel
    return None
