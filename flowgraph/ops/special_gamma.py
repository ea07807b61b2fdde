"""TF1's incomplete gamma / beta functions and scaled Bessel functions: Igamma, Igammac,
IgammaGradA, Betainc, BesselI0e, BesselI1e (`tf.math.igamma`, `tf.igamma`, ...,
`tf.math.bessel_i0e`, `tf.math.bessel_i0`). Kernels: special_gamma_kernels.py.
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from flowgraph.graph import Tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.elementwise import BinaryOp, UnaryOp, binary_op, check_dtype, op_scope, unary_op
from flowgraph.ops.registry import Op, apply_op, register
from flowgraph.ops.special_gamma_kernels import bessel_ie_values, betainc_values, igamma_values

# bessel_* are TF1's tf.math.* only; igamma, igammac and betainc are also top level.
__all__ = ["igamma", "igammac", "betainc"]


def _igamma_partial_x(a: Tensor, x: Tensor) -> Tensor:
    """dP(a, x)/dx = exp(-x + (a - 1) log x - lgamma(a)), in log space as TF1."""
    from flowgraph.ops.math import add, multiply, subtract
    from flowgraph.ops.special_math import lgamma
    from flowgraph.ops.unary import exp, log, negative
    return exp(subtract(add(negative(x), multiply(subtract(a, 1), log(x))), lgamma(a)))


def _float32_or_64(op, tensor: Tensor, what: str) -> None:
    """TF1 defines the incomplete gamma / beta kernels for float32 and float64 only."""
    check_dtype(op, tensor, "f", what)
    if tensor.dtype.np not in (np.float32, np.float64):
        raise TypeError(f"{op.type} {what} {tensor.name} has dtype {tensor.dtype.name}; "
                        "expected float32 or float64 (cast it).")


class _GammaOp(BinaryOp):
    allowed = "f"

    def infer(self, op):
        _float32_or_64(op, op.inputs[0], "first input")
        return super().infer(op)


@register
class Igamma(_GammaOp):
    """The regularized lower incomplete gamma function P(a, x), elementwise."""

    allowed = "f"

    def kernel(self, a, x):
        return igamma_values(a, x)

    def grad(self, op, dz):
        from flowgraph.ops.math import multiply
        a, x = op.inputs
        return [multiply(dz, igamma_grad_a(a, x)), multiply(dz, _igamma_partial_x(a, x))]


@register
class Igammac(_GammaOp):
    """The regularized upper incomplete gamma function Q(a, x) = 1 - P(a, x), elementwise."""

    allowed = "f"

    def kernel(self, a, x):
        return igamma_values(a, x, upper=True)

    def grad(self, op, dz):
        # As TF1: the negated gradients of igamma.
        from flowgraph.ops.math import multiply
        from flowgraph.ops.unary import negative
        a, x = op.inputs
        return [negative(multiply(dz, igamma_grad_a(a, x))),
                negative(multiply(dz, _igamma_partial_x(a, x)))]


@register
class IgammaGradA(_GammaOp):
    """dP(a, x)/da, the gradient of igamma with respect to a (no gradient of its own)."""

    allowed = "f"
    differentiable = False

    def kernel(self, a, x):
        return igamma_values(a, x, grad_a=True)


@register
class Betainc(Op):
    """The regularized incomplete beta function I_x(a, b), elementwise; a, b and x of one
    float dtype and one shape, or scalars (TF1 does not broadcast otherwise)."""

    def infer(self, op):
        from flowgraph.shapes import TensorShape
        shape = TensorShape(None)
        for name, t in zip("abx", op.inputs):
            _float32_or_64(op, t, name)
            if t.dtype != op.inputs[0].dtype:
                raise TypeError(f"{op.type} '{op.name}': {name} is {t.dtype.name} but a is "
                                f"{op.inputs[0].dtype.name}; a, b and x need one float "
                                "dtype (cast one of them).")
            if t.shape.ndims != 0:
                if not shape.is_compatible_with(t.shape):
                    raise ValueError(f"{op.type} '{op.name}': shapes of a, b and x must be "
                                     f"equal or scalars; got {[str(i.shape) for i in op.inputs]}"
                                     ".")
                shape = shape.merge_with(t.shape)
        if all(t.shape.ndims == 0 for t in op.inputs):
            shape = TensorShape([])
        return [(op.inputs[0].dtype, shape)]

    def kernel(self, a, b, x):
        shapes = {np.shape(v) for v in (a, b, x) if np.ndim(v)}
        if len(shapes) > 1:
            from flowgraph.errors import InvalidArgumentError
            raise InvalidArgumentError(None, None, "Betainc: shapes of a, b and x must be "
                                       f"equal or scalars; got {sorted(shapes)}.")
        return betainc_values(a, b, x)

    def grad(self, op, dz):
        # As TF1: no gradient for a or b; dI/dx = x^(a-1) (1-x)^(b-1) / B(a, b).
        from flowgraph.ops.math import add, multiply, subtract
        from flowgraph.ops.special_math import lgamma, xlogy
        from flowgraph.ops.unary import exp, log1p, negative
        a, b, x = op.inputs
        log_beta = subtract(add(lgamma(a), lgamma(b)), lgamma(add(a, b)))
        log_density = subtract(add(multiply(subtract(b, 1), log1p(negative(x))),
                                   xlogy(subtract(a, 1), x)), log_beta)
        return [None, None, multiply(dz, exp(log_density))]


@register
class BesselI0e(UnaryOp):
    """exp(-|x|) * I0(x), the exponentially scaled modified Bessel function of order 0."""

    allowed = "f"

    def kernel(self, x):
        return bessel_ie_values(x, 0)

    def grad(self, op, dy):
        # As TF1: d/dx i0e(x) = i1e(x) - sign(x) * i0e(x).
        from flowgraph.ops.math import multiply, subtract
        from flowgraph.ops.unary import sign
        x = op.inputs[0]
        return [multiply(dy, subtract(bessel_i1e(x), multiply(sign(x), op.outputs[0])))]


@register
class BesselI1e(UnaryOp):
    """exp(-|x|) * I1(x), the exponentially scaled modified Bessel function of order 1."""

    allowed = "f"

    def kernel(self, x):
        return bessel_ie_values(x, 1)

    def grad(self, op, dy):
        # As TF1: i0e(x) - i1e(x) * (sign(x) + 1 / x), and 0.5 at (tiny) x = 0.
        from flowgraph.ops.compare import greater
        from flowgraph.ops.fill import zeros_like
        from flowgraph.ops.logic import where
        from flowgraph.ops.math import add, multiply, subtract
        from flowgraph.ops.unary import abs as abs_
        from flowgraph.ops.unary import reciprocal, sign
        x, y = op.inputs[0], op.outputs[0]
        tiny = float(np.finfo(x.dtype.np).tiny)
        not_tiny = greater(abs_(x), tiny)
        safe_x = where(not_tiny, x, add(zeros_like(x), tiny + 1.0))
        dy_dx = subtract(bessel_i0e(safe_x), multiply(y, add(sign(safe_x),
                                                              reciprocal(safe_x))))
        dy_dx = where(not_tiny, dy_dx, add(zeros_like(x), 0.5))
        return [multiply(dy, dy_dx)]


def igamma(a: Any, x: Any, name: Optional[str] = None) -> Tensor:
    """The regularized lower incomplete gamma function P(a, x) (node "Igamma"); NaN where
    a <= 0 or x < 0."""
    return binary_op(Igamma(), a, x, name=name)


def igammac(a: Any, x: Any, name: Optional[str] = None) -> Tensor:
    """The regularized upper incomplete gamma function Q(a, x) = 1 - P(a, x) (node
    "Igammac"); NaN where a <= 0 or x < 0."""
    return binary_op(Igammac(), a, x, name=name)


def igamma_grad_a(a: Any, x: Any, name: Optional[str] = None) -> Tensor:
    """dP(a, x)/da (node "IgammaGradA", TF1's raw op behind igamma's gradient)."""
    return binary_op(IgammaGradA(), a, x, name=name)


def betainc(a: Any, b: Any, x: Any, name: Optional[str] = None) -> Tensor:
    """The regularized incomplete beta function I_x(a, b) (node "Betainc"); a, b and x of
    one float dtype and equal shapes or scalars; NaN where a <= 0, b <= 0 or x not in
    [0, 1]."""
    a = convert_to_tensor(a)
    b = convert_to_tensor(b, dtype=a.dtype)
    x = convert_to_tensor(x, dtype=a.dtype)
    return apply_op(Betainc(), [a, b, x], name=name)


def bessel_i0e(x: Any, name: Optional[str] = None) -> Tensor:
    """exp(-|x|) * I0(x) elementwise (node "BesselI0e")."""
    return unary_op(BesselI0e(), x, name=name)


def bessel_i1e(x: Any, name: Optional[str] = None) -> Tensor:
    """exp(-|x|) * I1(x) elementwise (node "BesselI1e")."""
    return unary_op(BesselI1e(), x, name=name)


def bessel_i0(x: Any, name: Optional[str] = None) -> Tensor:
    """The modified Bessel function I0(x) = exp(|x|) * bessel_i0e(x), as TF1."""
    from flowgraph.ops.math import multiply
    from flowgraph.ops.unary import abs as abs_
    from flowgraph.ops.unary import exp
    with op_scope(name, "bessel_i0", [x]):
        x = convert_to_tensor(x)
        return multiply(exp(abs_(x)), bessel_i0e(x))


def bessel_i1(x: Any, name: Optional[str] = None) -> Tensor:
    """The modified Bessel function I1(x) = exp(|x|) * bessel_i1e(x), as TF1."""
    from flowgraph.ops.math import multiply
    from flowgraph.ops.unary import abs as abs_
    from flowgraph.ops.unary import exp
    with op_scope(name, "bessel_i1", [x]):
        x = convert_to_tensor(x)
        return multiply(exp(abs_(x)), bessel_i1e(x))
