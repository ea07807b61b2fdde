"""Matmul stacking: a sum (``AddN``) of matmuls runs as one matmul of stacked operands.

``a_1 @ b_1 + ... + a_n @ b_n`` is ``[a_1 ... a_n] @ [b_1; ...; b_n]``: the left operands
side by side (along their columns), the right ones one above the other. The sum of the
per-step kernel gradients of an unrolled RNN (``x_t.T @ dz_t`` for every step t) has this
form: one large product replaces n small ones and the n-way sum, and BLAS runs a large
product several times faster per element than small ones (on several cores especially).

Rewritten: an AddN whose inputs are at least two matmuls (with the same transpose flags,
float, each read by the AddN alone, none fetched or another node's control input). When
only some inputs are such matmuls, those are stacked and the AddN adds the rest. The sum is
the same up to rounding (the terms are added in another order). At run time, products
thinner than `MIN_SIDE` rows or columns (memory-bound: the copies would cost more than
they save) or operands beyond `MAX_STACK_BYTES` are computed one by one instead. The
operands stay alive until the sum (the products no longer free them one by one).
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from flowgraph.runtime.ir import Guards, Node, PlanGraph, Value
from flowgraph.runtime.options import PlanOptions

_ndarray = np.ndarray
# Stacking copies the operands once: it pays off when every product is large in both
# dimensions (each copied element then takes part in many multiply-adds). Thinner
# products, or operands of more than MAX_STACK_BYTES in all (the copies would double
# them), are computed one by one and added, as the graph says.
MIN_SIDE = 32
MAX_STACK_BYTES = 1 << 26


class StackedMatMulSum:
    """``sum_k op(a_k) @ op(b_k)`` as one matmul: called with ``a_1..a_n, b_1..b_n``.

    Parameters
    ----------
    count : int
        n, the number of products.
    transpose_a, transpose_b : bool
        The products' transpose flags (``op``).
    dtype : numpy dtype
        The operands' and result's dtype.
    fallback : callable
        ``fallback(*ins)`` computes the products one by one and adds them (operands of
        other types or shapes than planned go there, and raise the original ops' errors).
    names : tuple of str
        The stacked matmuls' names (for ``repr``).
    """

    def __init__(self, count: int, transpose_a: bool, transpose_b: bool, dtype: Any,
                 fallback: Any, names: tuple = ()) -> None:
        self.count = count
        self.transpose_a = transpose_a
        self.transpose_b = transpose_b
        self.dtype = np.dtype(dtype)
        self.fallback = fallback
        self.names = names

    def __repr__(self) -> str:
        return f"StackedMatMulSum({len(self.names)} products: {', '.join(self.names[:3])}...)"

    def __call__(self, *ins: Any) -> Any:
        n = self.count
        a_list, b_list = ins[:n], ins[n:]
        shape = self._fits(a_list, b_list)
        if shape is None or min(shape) < MIN_SIDE or \
                sum(x.nbytes for x in ins) > MAX_STACK_BYTES:
            return self.fallback(*ins)
        ta, tb = self.transpose_a, self.transpose_b
        # op(a_k) side by side: the columns of op(a_k) are the rows of a_k when transposed.
        a = np.concatenate(a_list, axis=0 if ta else 1)
        b = np.concatenate(b_list, axis=1 if tb else 0)
        return np.matmul(a.T if ta else a, b.T if tb else b)

    def _fits(self, a_list: tuple, b_list: tuple) -> Optional[tuple]:
        """The products' shape when every pair multiplies and all have one shape."""
        dtype = self.dtype
        ta, tb = self.transpose_a, self.transpose_b
        shape = None
        for a, b in zip(a_list, b_list):
            if type(a) is not _ndarray or type(b) is not _ndarray or a.ndim != 2 or \
                    b.ndim != 2 or a.dtype != dtype or b.dtype != dtype:
                return None
            m, k = (a.shape[1], a.shape[0]) if ta else a.shape
            k2, n = (b.shape[1], b.shape[0]) if tb else b.shape
            if k != k2 or (shape is not None and shape != (m, n)):
                return None
            shape = (m, n)
        return shape


def run(graph: PlanGraph, options: PlanOptions) -> int:
    guards = graph.guards()
    rewrites = 0
    for node in list(graph.nodes):
        if node.op_def is None or node.op_def.type_name != "AddN" or \
                node.outputs[0].dtype.np.kind != "f":
            continue
        groups: dict = {}
        for v in node.inputs:
            mm = _stackable(v, node, guards)
            if mm is not None:
                flags = (mm.op_def.transpose_a, mm.op_def.transpose_b)
                groups.setdefault(flags, []).append(mm)
        if not groups:
            continue
        flags, matmuls = max(groups.items(), key=lambda item: len(item[1]))
        if len(matmuls) < 2:
            continue
        _rewrite(graph, node, matmuls, *flags)
        rewrites += 1
    return rewrites


def _stackable(v: Value, addn: Node, guards: Guards) -> Any:
    """The MatMul node producing `v` when it may be folded into a stacked product."""
    mm = v.producer
    if mm is None or mm.op_def is None or mm.op_def.type_name != "MatMul":
        return None
    if v in guards.fetched or mm in guards.pinned or mm.controls:
        return None
    if [user for user, _ in guards.uses.get(v, ())] != [addn]:
        return None  # read elsewhere too, or twice by the AddN
    if any(x.dtype != v.dtype for x in mm.inputs):
        return None
    if any(x.shape is not None and x.shape.ndims not in (None, 2) for x in mm.inputs):
        return None
    return mm


def _rewrite(graph: PlanGraph, addn: Node, matmuls: list, transpose_a: bool,
             transpose_b: bool) -> None:
    from flowgraph.runtime.kernels import plain_kernel
    runs = [plain_kernel(mm) for mm in matmuls]
    run_add = plain_kernel(addn)
    n = len(matmuls)

    def fallback(*ins: Any) -> Any:
        products = [run(a, b) for run, a, b in zip(runs, ins[:n], ins[n:])]
        return products[0] if n == 1 else run_add(*products)

    out = addn.outputs[0]
    kernel = StackedMatMulSum(n, transpose_a, transpose_b, out.dtype.np, fallback,
                              tuple(mm.name for mm in matmuls))
    inputs = [mm.inputs[0] for mm in matmuls] + [mm.inputs[1] for mm in matmuls]
    stacked_values = {mm.outputs[0] for mm in matmuls}
    rest = [v for v in addn.inputs if v not in stacked_values]
    drop = set(matmuls)
    if not rest:
        node = Node(addn.op, None, inputs, list(addn.controls))
        node.kernel = kernel
        node.members = tuple(mm.op for mm in matmuls) + (addn.op,)
        out.producer = node
        node.outputs = [out]
        graph.nodes = [node if x is addn else x for x in graph.nodes if x not in drop]
        return
    # Some terms are not stacked: the stacked product becomes one more term of the AddN.
    node = Node(matmuls[-1].op, None, inputs, [])
    node.kernel = kernel
    node.members = tuple(mm.op for mm in matmuls)
    total = Value(out.kind, out.dtype, out.shape, producer=node)
    node.outputs = [total]
    addn.inputs = [total] + rest
    position = graph.nodes.index(addn)
    graph.nodes = [x for x in graph.nodes[:position] if x not in drop] + [node] + \
        [x for x in graph.nodes[position:] if x not in drop]
