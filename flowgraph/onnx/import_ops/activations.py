"""Import of ONNX activations and softmax."""

from __future__ import annotations

from flowgraph.onnx.import_ops.common import fg, rank, scalar_like
from flowgraph.onnx.import_ops.table import importer
from flowgraph.onnx.unsupported import CannotConvertError
from flowgraph.ops.activations import SELU_ALPHA, SELU_SCALE


@importer("Relu", "Softplus", "Softsign")
def _simple(ctx, node, inputs, attrs):
    nn = fg().nn
    return {"Relu": nn.relu, "Softplus": nn.softplus, "Softsign": nn.softsign}[node.op_type](
        inputs[0])


@importer("LeakyRelu")
def _leaky_relu(ctx, node, inputs, attrs):
    return fg().nn.leaky_relu(inputs[0], alpha=attrs.get("alpha", 0.01))


def _elu_like(x, alpha: float, scale: float):
    f = fg()
    negative = f.multiply(scalar_like(alpha, x), f.subtract(f.exp(x), scalar_like(1, x)))
    out = f.where_v2(f.greater(x, scalar_like(0, x)), x, negative)
    return out if scale == 1 else f.multiply(out, scalar_like(scale, x))


@importer("Elu")
def _elu(ctx, node, inputs, attrs):
    alpha = attrs.get("alpha", 1.0)
    return fg().nn.elu(inputs[0]) if alpha == 1.0 else _elu_like(inputs[0], alpha, 1.0)


@importer("Selu")
def _selu(ctx, node, inputs, attrs):
    alpha = attrs.get("alpha", 1.67326319217681884765625)
    gamma = attrs.get("gamma", 1.05070102214813232421875)
    # ONNX stores the constants as float32: TF's are the same numbers to float32 precision.
    if abs(alpha - SELU_ALPHA) < 1e-6 and abs(gamma - SELU_SCALE) < 1e-6:
        return fg().nn.selu(inputs[0])
    return _elu_like(inputs[0], alpha, gamma)


@importer("HardSigmoid")
def _hard_sigmoid(ctx, node, inputs, attrs):
    f = fg()
    x = inputs[0]
    line = f.add(f.multiply(x, scalar_like(attrs.get("alpha", 0.2), x)),
                 scalar_like(attrs.get("beta", 0.5), x))
    return f.clip_by_value(line, scalar_like(0, x), scalar_like(1, x))


@importer("PRelu")
def _prelu(ctx, node, inputs, attrs):
    f = fg()
    x, slope = inputs
    return f.where_v2(f.less(x, scalar_like(0, x)), f.multiply(x, slope), x)


@importer("Softmax", "LogSoftmax")
def _softmax(ctx, node, inputs, attrs):
    x = inputs[0]
    nn = fg().nn
    fn = nn.softmax if node.op_type == "Softmax" else nn.log_softmax
    if ctx.opset >= 13:
        return fn(x, axis=attrs.get("axis", -1))
    # Before opset 13 the input is flattened to 2-D at `axis`: the same as a softmax along
    # the last axis only when `axis` is the last one.
    axis = attrs.get("axis", 1)
    ndims = rank(x)
    if axis % ndims != ndims - 1:
        raise CannotConvertError(f"opset {ctx.opset} {node.op_type} over axes {axis}.. of a rank "
                          f"{ndims} input (flattened); re-export with opset 13 or later")
    return fn(x, axis=-1)
