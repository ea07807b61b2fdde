"""Matmul into a gradient-descent update (part of matmul slicing): ``ApplyGradientDescent(
var, alpha, matmul(a, b))`` computes the product a slice of rows at a time and subtracts
each slice from the variable while it is in cache.

A dense layer's weight gradient ``x^T @ dy`` is as large as the weights, and the update
reads it back right after: for a 3136 x 1024 layer, 12.8 MB written and read again, plus
the weights read and written, every step. By slices of rows (a few hundred KB each) only
the weights go through memory. Each slice holds the same dot products as the full
product's rows, so results are unchanged up to BLAS's choice of kernel for the shorter
shape; the slices are split over the cores (one BLAS thread each).

Rewritten only when the product is read by the update alone (not fetched, not waited
for), with float operands of the variable's dtype.
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar, Optional

import numpy as np

from flowgraph.ops.training import ApplyGradientDescent, gradient_descent_rule, same_shape
from flowgraph.runtime import intra_op
from flowgraph.runtime.ir import Guards, Node, PlanGraph
from flowgraph.runtime.options import PlanOptions
from flowgraph.runtime.passes.matching import rewrite_each

# Bytes of product rows computed and applied at a time (they stay in the core's cache).
SLICE_BYTES = 512 << 10
# Smaller variables are updated from the whole product, as without the rewrite: their
# gradient stays in cache anyway (an LSTM's 156 x 512 kernel was 1% slower by slices).
MIN_ELEMENTS = 1 << 20


@dataclasses.dataclass(frozen=True, kw_only=True)
class MatMulApplyGradientDescent(ApplyGradientDescent):
    """var -= alpha * (a @ b), with the matmul's transpose flags (a plan-only op)."""

    type_name: ClassVar[str] = "MatMulApplyGradientDescent"
    signature = (("var", "ref"), ("alpha", "scalar"), ("a", "grad"), ("b", "grad"))
    transpose_a: bool = False
    transpose_b: bool = False
    matmul: Any = None  # the original MatMul's kernel, for shapes and types not planned

    def kernel(self, ctx, var, alpha, a, b):
        left = a.T if self.transpose_a and isinstance(a, np.ndarray) else a
        right = b.T if self.transpose_b and isinstance(b, np.ndarray) else b
        with self.lock(ctx), ctx.variable_for_update(var.key) as v:
            if not _sliceable(v, left, right):
                delta = self.matmul(a, b)
                same_shape(ctx, v, delta, "delta")
                gradient_descent_rule(v, alpha, delta)
                return v
            rows = max(1, SLICE_BYTES // (v.shape[1] * v.itemsize))
            count = -(-v.shape[0] // rows)

            def update(first: int, end: int) -> None:  # slices first..end-1
                scratch = np.empty((rows, v.shape[1]), v.dtype)
                for start in range(first * rows, min(end * rows, v.shape[0]), rows):
                    stop = min(start + rows, v.shape[0])
                    step = scratch[:stop - start]
                    np.matmul(left[start:stop], right, out=step)
                    np.multiply(step, alpha, out=step)
                    np.subtract(v[start:stop], step, out=v[start:stop])

            intra_op.split(count, v.size, update, blas=True)
        return v


def _sliceable(v: Any, left: Any, right: Any) -> bool:
    return (type(left) is np.ndarray and type(right) is np.ndarray and left.ndim == 2 and
            right.ndim == 2 and v.ndim == 2 and v.flags.c_contiguous and
            v.size > MIN_ELEMENTS and left.dtype == v.dtype and right.dtype == v.dtype and
            left.shape[1] == right.shape[0] and v.shape == (left.shape[0], right.shape[1]))


def run(graph: PlanGraph, options: PlanOptions) -> int:
    return rewrite_each(graph, _match, _rewrite)


def _match(update: Node, guards: Guards) -> Optional[Node]:
    """The MatMul node whose product `update` can take in slices, or None."""
    if update.op_def is None or update.kernel is not None or \
            type(update.op_def) is not ApplyGradientDescent or len(update.inputs) != 3:
        return None
    delta = update.inputs[2]
    matmul = delta.producer
    if matmul is None or matmul.op_def is None or matmul.kernel is not None or \
            matmul.op_def.type_name != "MatMul" or len(matmul.inputs) != 2:
        return None
    if not guards.private(delta) or matmul in guards.pinned:
        return None
    dtype = update.inputs[0].dtype
    if dtype.np.kind != "f" or delta.dtype != dtype or \
            any(v.dtype != dtype for v in matmul.inputs):
        return None
    return matmul


def _rewrite(graph: PlanGraph, update: Node, matmul: Node) -> None:
    from flowgraph.runtime.kernels import plain_kernel
    op_def = MatMulApplyGradientDescent(use_locking=update.op_def.use_locking,
                                        transpose_a=matmul.op_def.transpose_a,
                                        transpose_b=matmul.op_def.transpose_b,
                                        matmul=plain_kernel(matmul))
    node = Node(update.op, op_def, update.inputs[:2] + list(matmul.inputs),
                list(matmul.controls) + [c for c in update.controls
                                         if c not in matmul.controls])
    node.members = (matmul.op, update.op)
    node.outputs = list(update.outputs)
    for v in node.outputs:
        v.producer = node
    graph.nodes = [node if n is update else n for n in graph.nodes if n is not matmul]
