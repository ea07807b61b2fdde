"""Export of matrix products: MatMul, BatchMatMulV2, Einsum, Tensordot, MatrixTranspose."""

from __future__ import annotations

import string

from flowgraph.onnx.export_ops.table import exporter
from flowgraph.onnx.unsupported import CannotConvertError


def _swap_last(ctx, tensor, name, hint):
    rank = ctx.rank(tensor)
    if rank < 2:
        raise CannotConvertError(f"{tensor.name} must have rank >= 2 to be transposed, got {rank}")
    perm = list(range(rank - 2)) + [rank - 1, rank - 2]
    return ctx.transpose(name, perm, hint)


@exporter("MatMul")
def _matmul(ctx, op):
    a_t, b_t = op.inputs
    a, b = ctx.name(a_t), ctx.name(b_t)
    if op.op_def.transpose_a:
        a = ctx.transpose(a, [1, 0], "a_t")
    if op.op_def.transpose_b:
        b = ctx.transpose(b, [1, 0], "b_t")
    return ctx.node("MatMul", [a, b])


@exporter("BatchMatMulV2")
def _batch_matmul(ctx, op):
    x_t, y_t = op.inputs
    x, y = ctx.name(x_t), ctx.name(y_t)
    if op.op_def.adj_x:  # real dtypes only: the adjoint is the transpose
        x = _swap_last(ctx, x_t, x, "x_t")
    if op.op_def.adj_y:
        y = _swap_last(ctx, y_t, y, "y_t")
    return ctx.node("MatMul", [x, y])


@exporter("MatrixTranspose")
def _matrix_transpose(ctx, op):
    x = op.inputs[0]
    return ctx.node("Identity", [_swap_last(ctx, x, ctx.name(x), "t")])


@exporter("Einsum")
def _einsum(ctx, op):
    return ctx.node("Einsum", [ctx.name(t) for t in op.inputs],
                    equation=op.op_def.equation.replace(" ", ""))


@exporter("Tensordot")
def _tensordot(ctx, op):
    a_t, b_t = op.inputs
    a_rank, b_rank = ctx.rank(a_t), ctx.rank(b_t)
    d = op.op_def
    if d.num_axes is None:
        a_axes = [x % a_rank for x in d.a_axes]
        b_axes = [x % b_rank for x in d.b_axes]
    else:  # the last num_axes of a with the first num_axes of b
        a_axes = list(range(a_rank - d.num_axes, a_rank))
        b_axes = list(range(d.num_axes))
    letters = iter(string.ascii_letters)
    a_sub = [next(letters) for _ in range(a_rank)]
    b_sub = [next(letters) for _ in range(b_rank)]
    for i, j in zip(a_axes, b_axes):
        b_sub[j] = a_sub[i]
    out = [a_sub[i] for i in range(a_rank) if i not in a_axes] + \
        [b_sub[j] for j in range(b_rank) if j not in b_axes]
    equation = f"{''.join(a_sub)},{''.join(b_sub)}->{''.join(out)}"
    return ctx.node("Einsum", [ctx.name(a_t), ctx.name(b_t)], equation=equation)
