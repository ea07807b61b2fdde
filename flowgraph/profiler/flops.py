"""Float-operation counts per op, as TF1's registered ``"flops"`` statistics count them.

TF1 counts only op types with a registered statistic (``ops.RegisterStatistics(type,
"flops")`` in ``nn_ops.py`` and ``profiler/internal/flops_registry.py``); every other op
counts 0 flops. The same types and formulas are used here (shapes are the graph's static
shapes; an op whose shapes are not fully defined counts 0, as TF1 skips it):

- elementwise unary, 1 per input element: Neg, Square, Reciprocal, Log, AssignAdd,
  AssignSub; Rsqrt 2; Softmax 5; L2Loss ``3 * n - 1``;
- elementwise binary, 1 per output element: Add, AddV2, Sub, Mul, RealDiv, Maximum,
  Minimum, Pow, Less, LessEqual, Greater, GreaterEqual, Equal, NotEqual;
  SquaredDifference 2; RsqrtGrad 4;
- reductions ``in_elements - out_elements`` (Sum, ArgMax, ArgMin, BiasAddGrad), Mean
  ``in_elements``; AddN ``elements * (n_inputs - 1)``; BiasAdd ``in_elements``;
- MatMul / BatchMatMul(V2): ``2 * k * out_elements``; Conv2D
  ``2 * out_elements * kh * kw * in_channels``; DepthwiseConv2dNative and Dilation2D
  ``2 * out_elements * kh * kw``; Conv3D ``2 * out_elements * kt * kh * kw * in_c``;
  MaxPool / AvgPool ``out_elements * kernel area``; their gradients as TF1.
Convolutions and pools in NCHW count 0 (TF1 only counts NHWC).
"""

from __future__ import annotations

from typing import Any, Callable

__all__ = ["float_ops", "counted_op_types"]


class _UnknownShapeError(ValueError):
    """A shape needed for the count is not fully defined (the op counts 0)."""


def _elements(tensor: Any) -> int:
    shape = tensor.shape
    if not shape.is_fully_defined():
        raise _UnknownShapeError(tensor.name)
    return int(shape.num_elements())


def _dims(tensor: Any) -> list:
    shape = tensor.shape
    if not shape.is_fully_defined():
        raise _UnknownShapeError(tensor.name)
    return [int(d) for d in shape.as_list()]


def _product(values: Any) -> int:
    result = 1
    for value in values:
        result *= int(value)
    return result


def _nhwc(op: Any) -> None:
    fmt = getattr(op.op_def, "data_format", "NHWC")
    if fmt not in ("NHWC", "NDHWC", None):
        raise _UnknownShapeError(f"{op.name}: only NHWC is counted")


def _unary(per_element: int) -> Callable:
    return lambda op: _elements(op.inputs[0]) * per_element


def _binary(per_element: int) -> Callable:
    return lambda op: _elements(op.outputs[0]) * per_element


def _reduction(reduce_flops: int, finalize_flops: int) -> Callable:
    def count(op: Any) -> int:
        n_in, n_out = _elements(op.inputs[0]), _elements(op.outputs[0])
        return n_in * reduce_flops + n_out * (finalize_flops - reduce_flops)
    return count


def _matmul(op: Any) -> int:
    a = _dims(op.inputs[0])
    transposed = getattr(op.op_def, "transpose_a", False) or getattr(op.op_def, "adj_x", False)
    k = a[-2] if transposed else a[-1]
    return 2 * k * _elements(op.outputs[0])


def _conv2d(op: Any) -> int:
    _nhwc(op)
    kh, kw, in_c = _dims(op.inputs[1])[:3]
    return 2 * _elements(op.outputs[0]) * kh * kw * in_c


def _conv3d(op: Any) -> int:
    _nhwc(op)
    kt, kh, kw, in_c = _dims(op.inputs[1])[:4]
    return 2 * _elements(op.outputs[0]) * kt * kh * kw * in_c


def _depthwise(op: Any) -> int:
    _nhwc(op)
    kh, kw = _dims(op.inputs[1])[:2]
    return 2 * _elements(op.outputs[0]) * kh * kw


def _pool(op: Any) -> int:
    _nhwc(op)
    return _product(op.op_def.ksize) * _elements(op.outputs[0])


def _avg_pool_grad(op: Any) -> int:
    _nhwc(op)
    return _product(op.op_def.ksize) * _elements(op.inputs[1]) * 2


def _max_pool_grad(op: Any) -> int:
    _nhwc(op)
    n_out = _elements(op.inputs[1])
    return _product(op.op_def.ksize) * n_out + n_out


def _conv_backprop_input(op: Any) -> int:
    _nhwc(op)
    out = _dims(op.outputs[0])
    strides = op.op_def.strides
    return int(2 * _product(out) * _elements(op.inputs[1])
               / (out[-1] * strides[1] * strides[2]))


def _conv_backprop_filter(op: Any) -> int:
    _nhwc(op)
    image = _dims(op.inputs[0])
    strides = op.op_def.strides
    return int(2 * _product(image) * _elements(op.outputs[0])
               / (image[-1] * strides[1] * strides[2]))


def _add_n(op: Any) -> int:
    if not op.inputs:
        return 0
    return _elements(op.inputs[0]) * (len(op.inputs) - 1)


_COUNTS: dict = {
    "Reciprocal": _unary(1), "Square": _unary(1), "Rsqrt": _unary(2), "Log": _unary(1),
    "Neg": _unary(1), "AssignSub": _unary(1), "AssignAdd": _unary(1),
    "L2Loss": lambda op: _elements(op.inputs[0]) * 3 - 1, "Softmax": _unary(5),
    "RsqrtGrad": _binary(4), "SquaredDifference": _binary(2),
    "Mean": _reduction(1, 1), "Sum": _reduction(1, 0), "ArgMax": _reduction(1, 0),
    "ArgMin": _reduction(1, 0), "BiasAddGrad": _reduction(1, 0),
    "AvgPool": _pool, "MaxPool": _pool, "AvgPoolGrad": _avg_pool_grad,
    "MaxPoolGrad": _max_pool_grad, "Conv2DBackpropInput": _conv_backprop_input,
    "Conv2DBackpropFilter": _conv_backprop_filter, "AddN": _add_n,
    "MatMul": _matmul, "BatchMatMul": _matmul, "BatchMatMulV2": _matmul,
    "BatchMatMulV3": _matmul, "Conv2D": _conv2d, "Conv3D": _conv3d,
    "DepthwiseConv2dNative": _depthwise, "Dilation2D": _depthwise,
    "BiasAdd": lambda op: _elements(op.inputs[0]),
}
for _type in ("Add", "AddV2", "Sub", "Mul", "RealDiv", "Maximum", "Minimum", "Pow",
              "GreaterEqual", "Greater", "LessEqual", "Less", "Equal", "NotEqual"):
    _COUNTS[_type] = _binary(1)


def counted_op_types() -> frozenset:
    """The op types with a float-operation count (all others count 0, as in TF1)."""
    return frozenset(_COUNTS)


def float_ops(op: Any) -> int:
    """TF1's float-operation count of `op` (an Operation); 0 for op types TF1 does not
    count and for ops whose shapes are not fully defined."""
    count = _COUNTS.get(op.type)
    if count is None:
        return 0
    try:
        return int(count(op))
    except (_UnknownShapeError, IndexError, AttributeError, TypeError):
        return 0
