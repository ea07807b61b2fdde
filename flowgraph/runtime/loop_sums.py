"""Sums of matmuls over a while loop's iterations, run as stacked matmuls after the loop.

A loop variable updated as ``total = total + a @ b`` and read by nothing else (the backward
loop of an RNN adds each iteration's kernel gradient ``x_t.T @ dz_t`` this way) is a sum of
matmuls: the loop may hand out ``a`` and ``b`` instead, and the sum is made as
``[a_1 ... a_n] @ [b_1; ...; b_n]`` (flowgraph.runtime.passes.matmul_stacking) once the
operands of many iterations are collected: one large product instead of one small product
and one pass over ``total`` per iteration. The operands are flushed into the total whenever
they hold more than `FLUSH_BYTES`, so memory stays bounded however long the loop runs.

`While` uses this when the Session's `matmul_stacking` option is on (the default) and the
loop does not record its values for a gradient of its own. The result is the same sum, up
to rounding (the terms are added in another order).
"""

from __future__ import annotations

from typing import Any, Optional

from flowgraph.graph import Graph, Operation
from flowgraph.runtime.passes.matmul_stacking import StackedMatMulSum

# Collected operands beyond this many bytes are multiplied out and added to the total.
FLUSH_BYTES = 1 << 25
_ADDS = ("Add", "AddV2")


class LoopSum:
    """Loop variable `index` as a stacked sum: the body returns ``a`` at the variable's
    place and ``b`` (named `b_name`) after the loop variables."""

    __slots__ = ("index", "a_name", "b_name", "matmul", "add", "kernel", "run_add")

    def __init__(self, index: int, a_name: str, b_name: str, matmul: Operation,
                 add: Operation) -> None:
        self.index = index
        self.a_name = a_name
        self.b_name = b_name
        self.matmul = matmul
        self.add = add
        op_def = matmul.op_def
        run_matmul = _kernel(matmul)
        run_add = _kernel(add)

        def one_by_one(*ins: Any) -> Any:
            half = len(ins) // 2
            total = None
            for a, b in zip(ins[:half], ins[half:]):
                product = run_matmul(a, b)
                total = product if total is None else run_add(total, product)
            return total

        self.kernel = (op_def.transpose_a, op_def.transpose_b,
                       matmul.outputs[0].dtype.np, one_by_one)
        self.run_add = run_add

    def collector(self, initial: Any) -> "_Collector":
        return _Collector(self, initial)


class _Collector:
    """The operands of one run of the loop, and the total so far."""

    __slots__ = ("loop_sum", "total", "a", "b", "bytes")

    def __init__(self, loop_sum: LoopSum, initial: Any) -> None:
        self.loop_sum = loop_sum
        self.total = initial
        self.a: list = []
        self.b: list = []
        self.bytes = 0

    def push(self, a: Any, b: Any) -> None:
        self.a.append(a)
        self.b.append(b)
        self.bytes += getattr(a, "nbytes", 0) + getattr(b, "nbytes", 0)
        if self.bytes > FLUSH_BYTES:
            self.flush()

    def flush(self) -> None:
        if not self.a:
            return
        ta, tb, dtype, one_by_one = self.loop_sum.kernel
        if len(self.a) == 1:
            product = one_by_one(self.a[0], self.b[0])
        else:
            product = StackedMatMulSum(len(self.a), ta, tb, dtype, one_by_one)(
                *self.a, *self.b)
        # As the loop: total + product, through the Add op's own kernel (same broadcasting
        # and dtype rules).
        self.total = self.loop_sum.run_add(self.total, product)
        self.a, self.b, self.bytes = [], [], 0

    def result(self) -> Any:
        self.flush()
        return self.total


def _kernel(op: Operation) -> Any:
    op_def = op.op_def
    fast = getattr(op_def, "fast_kernel", None)
    return (fast(op) if fast is not None else None) or op_def.kernel


def find_loop_sums(body: Graph, cond: Graph, body_inputs: tuple, body_outputs: tuple,
                   cond_inputs: tuple, skip: set) -> list:
    """The loop variables of a While (body `body`, condition `cond`) that are sums of
    matmuls, as LoopSums; loop variables in `skip` are left alone."""
    found = []
    outputs = set(body_outputs)
    for index, (holder_name, out_name) in enumerate(zip(body_inputs, body_outputs)):
        if index in skip or not holder_name:
            continue
        if cond_inputs[index] and cond.get_tensor_by_name(cond_inputs[index])._consumers:
            continue  # the condition reads the total
        loop_sum = _match(body, index, holder_name, out_name, outputs)
        if loop_sum is not None:
            found.append(loop_sum)
    return found


def _match(body: Graph, index: int, holder_name: str, out_name: str,
           outputs: set) -> Optional[LoopSum]:
    holder = body.get_tensor_by_name(holder_name)
    out = body.get_tensor_by_name(out_name)
    add = out.op
    if add.type not in _ADDS or out._consumers or out.value_index != 0:
        return None
    if holder_name in outputs or [c for c in holder._consumers] != [add]:
        return None  # the body reads the total elsewhere (or returns it as another)
    others = [t for t in add.inputs if t is not holder]
    if len(others) != 1 or len(add.inputs) != 2 or add.control_inputs:
        return None
    product = others[0]
    matmul = product.op
    if matmul.type != "MatMul" or list(product._consumers) != [add] or \
            product.name in outputs or matmul.control_inputs:
        return None
    dtype = product.dtype
    if not dtype.is_floating or any(t.dtype != dtype for t in matmul.inputs) or \
            holder.dtype != dtype:
        return None
    a, b = matmul.inputs
    return LoopSum(index, a.name, b.name, matmul, add)
