"""Import of ONNX matrix products: MatMul, Gemm, Einsum."""

from __future__ import annotations

from flowgraph.onnx.import_ops.common import fg, rank, scalar_like
from flowgraph.onnx.import_ops.table import importer


@importer("MatMul")
def _matmul(ctx, node, inputs, attrs):
    f = fg()
    a, b = inputs
    a_rank, b_rank = rank(a), rank(b)
    # numpy semantics: a vector operand is a row (a) or column (b) dropped afterwards.
    if a_rank == 1:
        a = f.expand_dims(a, 0)
    if b_rank == 1:
        b = f.expand_dims(b, -1)
    out = f.matmul(a, b)
    if b_rank == 1:
        out = f.squeeze(out, [-1])
    if a_rank == 1:
        out = f.squeeze(out, [-2] if b_rank != 1 else [-1])
    return out


@importer("Gemm")
def _gemm(ctx, node, inputs, attrs):
    f = fg()
    a, b = inputs[:2]
    c = inputs[2] if len(inputs) > 2 else None
    out = f.matmul(a, b, transpose_a=bool(attrs.get("transA", 0)),
                   transpose_b=bool(attrs.get("transB", 0)))
    alpha, beta = attrs.get("alpha", 1.0), attrs.get("beta", 1.0)
    if alpha != 1.0:
        out = f.multiply(out, scalar_like(alpha, out))
    if c is not None and beta != 0.0:
        if beta != 1.0:
            c = f.multiply(c, scalar_like(beta, c))
        out = f.add(out, c)
    return out


@importer("Einsum")
def _einsum(ctx, node, inputs, attrs):
    return fg().einsum(attrs["equation"].replace(" ", ""), *inputs)
