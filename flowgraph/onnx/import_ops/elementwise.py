"""Import of element-wise ONNX ops: arithmetic, math functions, comparisons, logic, casts."""

from __future__ import annotations

import functools

from flowgraph.onnx.import_ops.common import fg, scalar_like
from flowgraph.onnx.import_ops.table import importer
from flowgraph.onnx.types import fg_dtype
from flowgraph.onnx.unsupported import CannotConvertError


def _builders() -> dict:
    f = fg()
    return {
        "Abs": f.abs, "Neg": f.negative, "Exp": f.exp, "Log": f.log, "Sqrt": f.sqrt,
        "Reciprocal": f.reciprocal, "Floor": f.floor, "Ceil": f.ceil, "Round": f.round,
        "Sign": f.sign, "Sin": f.sin, "Cos": f.cos, "Tan": f.tan, "Asin": f.asin,
        "Acos": f.acos, "Atan": f.atan, "Sinh": f.sinh, "Cosh": f.cosh, "Tanh": f.tanh,
        "Sigmoid": f.sigmoid, "Erf": f.erf, "IsNaN": f.is_nan, "Not": f.logical_not,
        "Identity": f.identity,
        "Add": f.add, "Sub": f.subtract, "Mul": f.multiply, "Equal": f.equal,
        "Less": f.less, "LessOrEqual": f.less_equal, "Greater": f.greater,
        "GreaterOrEqual": f.greater_equal, "And": f.logical_and, "Or": f.logical_or,
        "Xor": f.logical_xor,
    }


UNARY = ("Abs", "Neg", "Exp", "Log", "Sqrt", "Reciprocal", "Floor", "Ceil", "Round", "Sign",
         "Sin", "Cos", "Tan", "Asin", "Acos", "Atan", "Sinh", "Cosh", "Tanh", "Sigmoid", "Erf",
         "IsNaN", "Not", "Identity")
BINARY = ("Add", "Sub", "Mul", "Equal", "Less", "LessOrEqual", "Greater", "GreaterOrEqual",
          "And", "Or", "Xor")


@importer(*UNARY)
def _unary(ctx, node, inputs, attrs):
    return _builders()[node.op_type](inputs[0])


@importer(*BINARY)
def _binary(ctx, node, inputs, attrs):
    return _builders()[node.op_type](inputs[0], inputs[1])


@importer("Div")
def _div(ctx, node, inputs, attrs):
    x, y = inputs
    # ONNX's integer division truncates, as TF's truncatediv.
    return fg().realdiv(x, y) if x.dtype.is_floating else fg().truncatediv(x, y)


@importer("Pow")
def _pow(ctx, node, inputs, attrs):
    x, y = inputs
    if y.dtype != x.dtype:  # ONNX allows an exponent of another type
        y = fg().cast(y, x.dtype)
    return fg().pow(x, y)


@importer("Mod")
def _mod(ctx, node, inputs, attrs):
    x, y = inputs
    if attrs.get("fmod", 0):
        return fg().truncatemod(x, y)  # C's fmod: the sign of x
    if x.dtype.is_floating:
        raise CannotConvertError("Mod with fmod=0 is not defined for floats")
    return fg().floormod(x, y)  # the sign of y, as Python and TF


def _variadic(fn, inputs):
    return functools.reduce(fn, inputs[1:], inputs[0])


@importer("Max", "Min", "Sum", "Mean")
def _variadic_op(ctx, node, inputs, attrs):
    f = fg()
    if node.op_type == "Max":
        return _variadic(f.maximum, inputs)
    if node.op_type == "Min":
        return _variadic(f.minimum, inputs)
    total = _variadic(f.add, inputs)
    if node.op_type == "Sum":
        return total
    return f.realdiv(total, scalar_like(len(inputs), total))


@importer("IsInf")
def _is_inf(ctx, node, inputs, attrs):
    f = fg()
    x = inputs[0]
    positive, negative = attrs.get("detect_positive", 1), attrs.get("detect_negative", 1)
    if positive and negative:
        return f.is_inf(x)
    infinite = f.is_inf(x)
    if positive:
        return f.logical_and(infinite, f.greater(x, scalar_like(0, x)))
    if negative:
        return f.logical_and(infinite, f.less(x, scalar_like(0, x)))
    return f.zeros_like(x, dtype=f.bool)


@importer("Where")
def _where(ctx, node, inputs, attrs):
    return fg().where_v2(*inputs)


@importer("Cast")
def _cast(ctx, node, inputs, attrs):
    return fg().cast(inputs[0], fg_dtype(attrs["to"], f"Cast {node.name!r}"))


@importer("CastLike")
def _cast_like(ctx, node, inputs, attrs):
    return fg().cast(inputs[0], inputs[1].dtype)


@importer("Clip")
def _clip(ctx, node, inputs, attrs):
    f = fg()
    x = inputs[0]
    low = inputs[1] if len(inputs) > 1 else None
    high = inputs[2] if len(inputs) > 2 else None
    if low is None and "min" in attrs:  # opsets before 11
        low = scalar_like(attrs["min"], x)
    if high is None and "max" in attrs:
        high = scalar_like(attrs["max"], x)
    if low is not None:
        x = f.maximum(x, low)
    if high is not None:
        x = f.minimum(x, high)
    return x
