"""Export of element-wise math: unary and binary ops, comparisons, logic, select, cast."""

from __future__ import annotations

import numpy as np

from flowgraph.onnx.export_ops.dropout import dropout_source
from flowgraph.onnx.export_ops.table import exporter
from flowgraph.onnx.types import onnx_type

# flowgraph op type -> the ONNX op computing it on the same inputs.
UNARY = {
    "Abs": "Abs", "Neg": "Neg", "Exp": "Exp", "Log": "Log", "Sqrt": "Sqrt",
    "Reciprocal": "Reciprocal", "Sign": "Sign", "Floor": "Floor", "Ceil": "Ceil",
    "Round": "Round",  # both round half to even
    "Sin": "Sin", "Cos": "Cos", "Tan": "Tan", "Asin": "Asin", "Acos": "Acos", "Atan": "Atan",
    "Sinh": "Sinh", "Cosh": "Cosh", "Tanh": "Tanh", "Sigmoid": "Sigmoid", "Erf": "Erf",
    "IsNan": "IsNaN", "IsInf": "IsInf", "LogicalNot": "Not",
}
BINARY = {
    "Add": "Add", "Sub": "Sub", "RealDiv": "Div", "TruncateDiv": "Div", "Maximum": "Max",
    "Minimum": "Min", "Pow": "Pow", "Equal": "Equal", "Less": "Less",
    "LessEqual": "LessOrEqual", "Greater": "Greater", "GreaterEqual": "GreaterOrEqual",
    "LogicalAnd": "And", "LogicalOr": "Or",
}


def _unary(ctx, op):
    return ctx.node(UNARY[op.type], [ctx.name(op.inputs[0])])


def _binary(ctx, op):
    return ctx.node(BINARY[op.type], [ctx.name(t) for t in op.inputs])


exporter(*UNARY)(_unary)
exporter(*BINARY)(_binary)


@exporter("Identity", "StopGradient")
def _identity(ctx, op):
    return ctx.name(op.inputs[0])  # the same ONNX value: no node needed


def _one(ctx, tensor, value=1, hint="one"):
    return ctx.scalar(value, tensor.dtype.np, hint)


def _mul_needs(ctx, op):
    source = dropout_source(op)
    return [source] if source is not None else list(op.inputs)


@exporter("Mul", needs=_mul_needs)
def _mul(ctx, op):
    source = dropout_source(op)
    if source is not None:
        # nn.dropout's mask: inference runs without it (ONNX Dropout is the identity there).
        return ctx.node("Dropout", [ctx.name(source)], hint="dropout")
    return ctx.node("Mul", [ctx.name(t) for t in op.inputs])


@exporter("NotEqual")
def _not_equal(ctx, op):
    equal = ctx.node("Equal", [ctx.name(t) for t in op.inputs], hint="equal")
    return ctx.node("Not", [equal])


@exporter("Square")
def _square(ctx, op):
    x = ctx.name(op.inputs[0])
    return ctx.node("Mul", [x, x])


@exporter("SquaredDifference")
def _squared_difference(ctx, op):
    diff = ctx.node("Sub", [ctx.name(t) for t in op.inputs], hint="diff")
    return ctx.node("Mul", [diff, diff])


@exporter("Rsqrt")
def _rsqrt(ctx, op):
    return ctx.node("Reciprocal", [ctx.node("Sqrt", [ctx.name(op.inputs[0])], hint="sqrt")])


@exporter("Expm1")
def _expm1(ctx, op):
    x = op.inputs[0]
    return ctx.node("Sub", [ctx.node("Exp", [ctx.name(x)], hint="exp"), _one(ctx, x)])


@exporter("Log1p")
def _log1p(ctx, op):
    x = op.inputs[0]
    return ctx.node("Log", [ctx.node("Add", [ctx.name(x), _one(ctx, x)], hint="plus_one")])


@exporter("Erfc")
def _erfc(ctx, op):
    x = op.inputs[0]
    return ctx.node("Sub", [_one(ctx, x), ctx.node("Erf", [ctx.name(x)], hint="erf")])


@exporter("IsFinite")
def _is_finite(ctx, op):
    x = ctx.name(op.inputs[0])
    bad = ctx.node("Or", [ctx.node("IsNaN", [x], hint="nan"), ctx.node("IsInf", [x], hint="inf")],
                   hint="bad")
    return ctx.node("Not", [bad])


@exporter("AddN")
def _add_n(ctx, op):
    names = [ctx.name(t) for t in op.inputs]
    if len(names) == 1:
        return names[0]
    if op.inputs[0].dtype.is_floating:
        return ctx.node("Sum", names)
    total = names[0]  # ONNX sums floats only
    for i, name in enumerate(names[1:]):
        total = ctx.node("Add", [total, name], hint=None if i == len(names) - 2 else "partial")
    return total


@exporter("ClipByValue")
def _clip(ctx, op):
    x, low, high = (ctx.name(t) for t in op.inputs)
    # TF's order: the minimum first, so `low` wins where low > high.
    return ctx.node("Max", [ctx.node("Min", [x, high], hint="min"), low])


@exporter("FloorDiv")
def _floor_div(ctx, op):
    x_t, y_t = op.inputs
    x, y = ctx.name(x_t), ctx.name(y_t)
    if x_t.dtype.is_floating:
        return ctx.node("Floor", [ctx.node("Div", [x, y], hint="div")])
    # ONNX's integer Div truncates; floor division is one less where the remainder is not
    # zero and the signs differ.
    quotient = ctx.node("Div", [x, y], hint="div")
    remainder = ctx.node("Mod", [x, y], hint="rem", fmod=1)
    zero = _one(ctx, x_t, 0, "zero")
    inexact = ctx.node("Not", [ctx.node("Equal", [remainder, zero], hint="exact")],
                       hint="inexact")
    signs = ctx.node("Xor", [ctx.node("Less", [x, zero], hint="x_neg"),
                             ctx.node("Less", [y, zero], hint="y_neg")], hint="signs")
    fix = ctx.cast(ctx.node("And", [inexact, signs], hint="fix"), x_t.dtype)
    return ctx.node("Sub", [quotient, fix])


@exporter("FloorMod")
def _floor_mod(ctx, op):
    x_t, y_t = op.inputs
    x, y = ctx.name(x_t), ctx.name(y_t)
    if not x_t.dtype.is_floating:
        return ctx.node("Mod", [x, y], fmod=0)  # the sign of the divisor, as TF
    floor = ctx.node("Floor", [ctx.node("Div", [x, y], hint="div")], hint="floor")
    return ctx.node("Sub", [x, ctx.node("Mul", [floor, y], hint="mul")])


@exporter("TruncateMod")
def _truncate_mod(ctx, op):
    return ctx.node("Mod", [ctx.name(t) for t in op.inputs], fmod=1)


@exporter("DivNoNan")
def _div_no_nan(ctx, op):
    x_t, y_t = op.inputs
    x, y = ctx.name(x_t), ctx.name(y_t)
    zero = _one(ctx, y_t, 0, "zero")
    is_zero = ctx.node("Equal", [y, zero], hint="is_zero")
    return ctx.node("Where", [is_zero, zero, ctx.node("Div", [x, y], hint="div")])


@exporter("Cast")
def _cast(ctx, op):
    return ctx.node("Cast", [ctx.name(op.inputs[0])], to=onnx_type(op.op_def.DstT))


def _select_needs(ctx, op):
    condition, x, y = op.inputs
    known = ctx.static(condition)
    if known is not None and np.ndim(known) == 0:
        return [x if known else y]
    return list(op.inputs)


@exporter("Select", "SelectV2", needs=_select_needs)
def _select(ctx, op):
    condition, x, y = op.inputs
    known = ctx.static(condition)
    if known is not None and np.ndim(known) == 0:  # e.g. a training flag left at default
        return ctx.name(x if known else y)
    cond = ctx.name(condition)
    if op.type == "Select" and condition.shape.ndims == 1:
        rank = ctx.rank(x)
        if rank > 1:  # TF1's where: a vector condition picks whole rows
            cond = ctx.node("Unsqueeze", [cond, ctx.int64s(range(1, rank), "axes")],
                            hint="rows")
    return ctx.node("Where", [cond, ctx.name(x), ctx.name(y)])
