"""TF1's remaining special functions (`tf.math.special.*`): Bessel J0, J1, Y0, Y1, K0, K0e,
K1, K1e, Dawson's integral, the exponential integral Ei, the Fresnel integrals and Spence's
function. Values come from scipy.special (the same Cephes algorithms TF uses), imported
lazily: scipy is an optional dependency of flowgraph.
"""

from __future__ import annotations

from typing import Any, ClassVar, Optional

import numpy as np

from flowgraph.graph import Tensor
from flowgraph.ops.elementwise import UnaryOp, op_scope, unary_op
from flowgraph.ops.registry import register

__all__: list = []


def _scipy_special():
    try:
        import scipy.special
    except ImportError as exc:  # pragma: no cover - scipy is installed in the test setup
        raise ImportError("tf.math.special functions such as bessel_j0 need scipy; install "
                          "it with `pip install scipy`.") from exc
    return scipy.special


def _fresnel_sin(v):
    return _scipy_special().fresnel(v)[0]


def _fresnel_cos(v):
    return _scipy_special().fresnel(v)[1]


class _SpecialUnary(UnaryOp):
    """A float-only elementwise special function, evaluated in float64 and cast back."""

    allowed = "f"
    scipy_name: ClassVar[str] = ""
    # TF's kernels return this (not scipy's NaN) for x < 0, where the function is undefined.
    negative_value: ClassVar[Optional[float]] = None

    def kernel(self, x):
        v = np.asarray(x, np.float64)
        with np.errstate(all="ignore"):
            if self.scipy_name == "fresnel_sin":
                out = _fresnel_sin(v)
            elif self.scipy_name == "fresnel_cos":
                out = _fresnel_cos(v)
            else:
                out = getattr(_scipy_special(), self.scipy_name)(v)
            if self.negative_value is not None:
                out = np.where(v < 0, self.negative_value, out)
        return np.asarray(out).astype(np.asarray(x).dtype, copy=False)


def _safe(x: Tensor, bad: Tensor, fill: float) -> Tensor:
    """x with the entries where `bad` holds replaced by `fill` (keeps gradients finite)."""
    from flowgraph.ops.fill import zeros_like
    from flowgraph.ops.logic import where
    from flowgraph.ops.math import add
    return where(bad, add(zeros_like(x), fill), x)


def _fresnel_grad(op: Any, dy: Tensor, trig: Any) -> list:
    """The gradient of a Fresnel integral: dy * trig(pi x^2 / 2), trig its integrand's cos
    or sin."""
    from flowgraph.ops.math import multiply
    x = op.inputs[0]
    return [multiply(dy, trig(multiply(np.pi / 2, multiply(x, x))))]


@register
class BesselJ0(_SpecialUnary):
    """The Bessel function of the first kind of order 0."""

    scipy_name = "j0"

    def grad(self, op, dy):
        from flowgraph.ops.math import multiply
        from flowgraph.ops.unary import negative
        return [multiply(dy, negative(bessel_j1(op.inputs[0])))]


@register
class BesselJ1(_SpecialUnary):
    """The Bessel function of the first kind of order 1."""

    scipy_name = "j1"

    def grad(self, op, dy):
        # As TF1: j0(x) - j1(x) / x, and 0.5 at x = 0.
        from flowgraph.ops.compare import equal
        from flowgraph.ops.division import divide
        from flowgraph.ops.logic import where
        from flowgraph.ops.math import multiply, subtract
        x, y = op.inputs[0], op.outputs[0]
        zero = equal(x, 0.0)
        dy_dx = subtract(bessel_j0(x), divide(y, _safe(x, zero, 1.0)))
        return [multiply(dy, where(zero, _safe(x, zero, 0.5), dy_dx))]


@register
class BesselY0(_SpecialUnary):
    """The Bessel function of the second kind of order 0."""

    scipy_name = "y0"
    negative_value = -np.inf

    def grad(self, op, dy):
        from flowgraph.ops.math import multiply
        from flowgraph.ops.unary import negative
        return [multiply(dy, negative(bessel_y1(op.inputs[0])))]


@register
class BesselY1(_SpecialUnary):
    """The Bessel function of the second kind of order 1."""

    scipy_name = "y1"
    negative_value = -np.inf

    def grad(self, op, dy):
        # As TF1: y0(x) - y1(x) / x.
        from flowgraph.ops.division import divide
        from flowgraph.ops.math import multiply, subtract
        x, y = op.inputs[0], op.outputs[0]
        return [multiply(dy, subtract(bessel_y0(x), divide(y, x)))]


@register
class BesselK0(_SpecialUnary):
    """The modified Bessel function of the second kind of order 0."""

    scipy_name = "k0"
    negative_value = np.inf

    def grad(self, op, dy):
        from flowgraph.ops.math import multiply
        from flowgraph.ops.unary import negative
        return [multiply(dy, negative(bessel_k1(op.inputs[0])))]


@register
class BesselK0e(_SpecialUnary):
    """exp(x) * K0(x), the exponentially scaled modified Bessel function K0."""

    scipy_name = "k0e"
    negative_value = np.inf

    def grad(self, op, dy):
        # As TF1: k0e(x) - k1e(x).
        from flowgraph.ops.math import multiply, subtract
        return [multiply(dy, subtract(op.outputs[0], bessel_k1e(op.inputs[0])))]


@register
class BesselK1(_SpecialUnary):
    """The modified Bessel function of the second kind of order 1."""

    scipy_name = "k1"
    negative_value = np.inf

    def grad(self, op, dy):
        # As TF1: -k0(x) - k1(x) / x.
        from flowgraph.ops.division import divide
        from flowgraph.ops.math import add, multiply
        from flowgraph.ops.unary import negative
        x, y = op.inputs[0], op.outputs[0]
        return [multiply(dy, negative(add(bessel_k0(x), divide(y, x))))]


@register
class BesselK1e(_SpecialUnary):
    """exp(x) * K1(x), the exponentially scaled modified Bessel function K1."""

    scipy_name = "k1e"
    negative_value = np.inf

    def grad(self, op, dy):
        # As TF1: k1e(x) (1 - 1 / x) - k0e(x).
        from flowgraph.ops.math import multiply, subtract
        from flowgraph.ops.unary import reciprocal
        x, y = op.inputs[0], op.outputs[0]
        return [multiply(dy, subtract(multiply(y, subtract(1.0, reciprocal(x))),
                                      bessel_k0e(x)))]


@register
class Dawsn(_SpecialUnary):
    """Dawson's integral exp(-x^2) * integral_0^x exp(t^2) dt."""

    scipy_name = "dawsn"

    def grad(self, op, dy):
        # 1 - 2 x dawsn(x).
        from flowgraph.ops.math import multiply, subtract
        x, y = op.inputs[0], op.outputs[0]
        return [multiply(dy, subtract(1.0, multiply(multiply(2.0, x), y)))]


@register
class Expint(_SpecialUnary):
    """The exponential integral Ei(x) = -PV integral_{-x}^inf exp(-t) / t dt."""

    scipy_name = "expi"
    negative_value = np.nan

    def grad(self, op, dy):
        # exp(x) / x.
        from flowgraph.ops.division import divide
        from flowgraph.ops.math import multiply
        from flowgraph.ops.unary import exp
        x = op.inputs[0]
        return [multiply(dy, divide(exp(x), x))]


@register
class FresnelCos(_SpecialUnary):
    """The Fresnel cosine integral C(x) = integral_0^x cos(pi t^2 / 2) dt."""

    scipy_name = "fresnel_cos"

    def grad(self, op, dy):
        from flowgraph.ops.trig import cos
        return _fresnel_grad(op, dy, cos)


@register
class FresnelSin(_SpecialUnary):
    """The Fresnel sine integral S(x) = integral_0^x sin(pi t^2 / 2) dt."""

    scipy_name = "fresnel_sin"

    def grad(self, op, dy):
        from flowgraph.ops.trig import sin
        return _fresnel_grad(op, dy, sin)


@register
class Spence(_SpecialUnary):
    """Spence's function (dilogarithm) integral_1^x log(t) / (1 - t) dt, NaN for x < 0."""

    scipy_name = "spence"

    def grad(self, op, dy):
        # As TF1: log(x) / (1 - x), and -1 at x = 1.
        from flowgraph.ops.compare import equal
        from flowgraph.ops.division import divide
        from flowgraph.ops.logic import where
        from flowgraph.ops.math import multiply, subtract
        from flowgraph.ops.unary import log
        x = op.inputs[0]
        one = equal(x, 1.0)
        safe_x = _safe(x, one, 2.0)
        dy_dx = divide(log(safe_x), subtract(1.0, safe_x))
        return [multiply(dy, where(one, _safe(x, one, -1.0), dy_dx))]


def bessel_j0(x: Any, name: Optional[str] = None) -> Tensor:
    """The Bessel function J0(x) elementwise (node "BesselJ0"); float dtypes."""
    with op_scope(name, "bessel_j0", [x]):
        return unary_op(BesselJ0(), x)


def bessel_j1(x: Any, name: Optional[str] = None) -> Tensor:
    """The Bessel function J1(x) elementwise (node "BesselJ1"); float dtypes."""
    with op_scope(name, "bessel_j1", [x]):
        return unary_op(BesselJ1(), x)


def bessel_y0(x: Any, name: Optional[str] = None) -> Tensor:
    """The Bessel function Y0(x) elementwise (node "BesselY0"); -inf for x <= 0."""
    with op_scope(name, "bessel_y0", [x]):
        return unary_op(BesselY0(), x)


def bessel_y1(x: Any, name: Optional[str] = None) -> Tensor:
    """The Bessel function Y1(x) elementwise (node "BesselY1"); -inf for x <= 0."""
    with op_scope(name, "bessel_y1", [x]):
        return unary_op(BesselY1(), x)


def bessel_k0(x: Any, name: Optional[str] = None) -> Tensor:
    """The modified Bessel function K0(x) elementwise (node "BesselK0"); inf for x <= 0."""
    with op_scope(name, "bessel_k0", [x]):
        return unary_op(BesselK0(), x)


def bessel_k0e(x: Any, name: Optional[str] = None) -> Tensor:
    """exp(x) * K0(x) elementwise (node "BesselK0e"); inf for x <= 0."""
    with op_scope(name, "bessel_k0e", [x]):
        return unary_op(BesselK0e(), x)


def bessel_k1(x: Any, name: Optional[str] = None) -> Tensor:
    """The modified Bessel function K1(x) elementwise (node "BesselK1"); inf for x <= 0."""
    with op_scope(name, "bessel_k1", [x]):
        return unary_op(BesselK1(), x)


def bessel_k1e(x: Any, name: Optional[str] = None) -> Tensor:
    """exp(x) * K1(x) elementwise (node "BesselK1e"); inf for x <= 0."""
    with op_scope(name, "bessel_k1e", [x]):
        return unary_op(BesselK1e(), x)


def dawsn(x: Any, name: Optional[str] = None) -> Tensor:
    """Dawson's integral elementwise (node "Dawsn")."""
    with op_scope(name, "dawsn", [x]):
        return unary_op(Dawsn(), x)


def expint(x: Any, name: Optional[str] = None) -> Tensor:
    """The exponential integral Ei(x) elementwise (node "Expint"); NaN for x < 0, as TF."""
    with op_scope(name, "expint", [x]):
        return unary_op(Expint(), x)


def fresnel_cos(x: Any, name: Optional[str] = None) -> Tensor:
    """The Fresnel cosine integral C(x) elementwise (node "FresnelCos")."""
    with op_scope(name, "fresnel_cos", [x]):
        return unary_op(FresnelCos(), x)


def fresnel_sin(x: Any, name: Optional[str] = None) -> Tensor:
    """The Fresnel sine integral S(x) elementwise (node "FresnelSin")."""
    with op_scope(name, "fresnel_sin", [x]):
        return unary_op(FresnelSin(), x)


def spence(x: Any, name: Optional[str] = None) -> Tensor:
    """Spence's function elementwise (node "Spence"); NaN for x < 0."""
    with op_scope(name, "spence", [x]):
        return unary_op(Spence(), x)
