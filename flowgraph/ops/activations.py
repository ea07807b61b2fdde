"""Activation functions of `fg.nn`: relu, relu6, leaky_relu, elu, selu, softplus, softsign,
and flowgraph's step.

Each activation's gradient is a dedicated ``...Grad`` op, as in TF1 (ReluGrad, EluGrad, ...):
one fused numpy pass that reads the activation's output (or input) instead of recomputing
it. The ``...Grad`` ops are differentiable too, so second derivatives work.

The builders are public as ``fg.nn.*`` (TF1 has no top-level ``tf.relu``), so this module's
``__all__`` is empty.
"""

from __future__ import annotations

from typing import Any, ClassVar, Optional

import numpy as np

from flowgraph.graph import Tensor
from flowgraph.ops import relu_kernel
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.elementwise import UnaryOp, check_dtype, op_scope, unary_op
from flowgraph.ops.registry import Op, apply_op, register

__all__: list = []

# SELU's constants (Klambauer et al., 2017), as in TF1's kernel.
SELU_SCALE = 1.0507009873554804934193349852946
SELU_ALPHA = 1.6732632423543772848170429916717


def _quiet_expm1(x: np.ndarray) -> np.ndarray:
    """expm1 of the negative part of x only (so large positive x cannot overflow)."""
    return np.expm1(np.minimum(x, 0))


def _stable_sigmoid(x: np.ndarray) -> np.ndarray:
    e = np.exp(-np.absolute(x))
    return np.where(x >= 0, 1, e) / (1 + e)


# --------------------------------------------------------------------------- forward ops
class _Activation(UnaryOp):
    """A floating-point activation; its gradient rule adds one ``...Grad`` node."""

    allowed = "f"


class _ActivationGrad(Op):
    """The backprop of an activation from the incoming gradient and one saved tensor (the
    activation's output or its features, by op type); both of one dtype and shape."""

    saved_name: ClassVar[str] = "outputs"

    def infer(self, op):
        dy, saved = op.inputs
        check_dtype(op, dy, "f", "gradients")
        if saved.dtype != dy.dtype:
            raise TypeError(f"{op.type} needs gradients and {self.saved_name} of one dtype, "
                            f"got {dy.dtype.name} and {saved.dtype.name}")
        if not dy.shape.is_compatible_with(saved.shape):
            raise ValueError(f"{op.type} needs gradients and {self.saved_name} of one shape, "
                             f"got {dy.shape} and {saved.shape}")
        return [(dy.dtype, dy.shape.merge_with(saved.shape))]

    def kernel(self, dy, saved):
        if dy.shape != saved.shape:
            raise ValueError(f"gradients of shape {list(dy.shape)} and {self.saved_name} of "
                             f"shape {list(saved.shape)} must have one shape")
        return self.backprop(dy, saved)

    def backprop(self, dy: np.ndarray, saved: np.ndarray) -> np.ndarray:
        raise NotImplementedError


@register
class Relu(_Activation):
    """max(features, 0) elementwise."""

    allowed = "fiu"

    def kernel(self, x):
        return relu_kernel.relu(x)

    def grad(self, op, dy):
        return [apply_op(ReluGrad(), [dy, op.outputs[0]])]


@register
class ReluGrad(_ActivationGrad):
    """Relu's backprop ``gradients * (outputs > 0)`` (TF1 passes the Relu's output)."""

    saved_name = "features"

    def backprop(self, dy, y):
        # A multiply by the mask, as TF1's kernel (np.where is ~20x slower on random masks).
        return np.multiply(dy, y > 0, dtype=dy.dtype)

    def grad(self, op, ddx):
        # Linear in the gradients; the mask is piecewise constant (no gradient).
        return [apply_op(ReluGrad(), [ddx, op.inputs[1]]), None]


@register
class Relu6(_Activation):
    """min(max(features, 0), 6) elementwise."""

    allowed = "fiu"

    def kernel(self, x):
        return np.minimum(relu_kernel.relu(x), 6)

    def grad(self, op, dy):
        return [apply_op(Relu6Grad(), [dy, op.outputs[0]])]


@register
class Relu6Grad(_ActivationGrad):
    """Relu6's backprop: gradients where 0 < features < 6, else 0 (TF1 passes the output,
    which is in (0, 6) exactly where the features are)."""

    saved_name = "features"

    def backprop(self, dy, y):
        return np.multiply(dy, (y > 0) & (y < 6), dtype=dy.dtype)

    def grad(self, op, ddx):
        return [apply_op(Relu6Grad(), [ddx, op.inputs[1]]), None]


@register
class LeakyRelu(_Activation):
    """features where features > 0, else alpha * features."""

    alpha: float = 0.2

    def kernel(self, x):
        # x > 0 ? x : alpha * x, as max (alpha <= 1) or min (alpha > 1) of x and alpha * x.
        scaled = np.multiply(x, self.alpha, dtype=x.dtype)
        pick = np.maximum if self.alpha <= 1 else np.minimum
        return pick(x, scaled, out=scaled) if isinstance(scaled, np.ndarray) else \
            pick(x, scaled)

    def grad(self, op, dy):
        return [apply_op(LeakyReluGrad(alpha=self.alpha), [dy, op.inputs[0]])]


@register
class LeakyReluGrad(_ActivationGrad):
    """LeakyRelu's backprop from its features: gradients where features > 0, else
    alpha * gradients."""

    alpha: float = 0.2
    saved_name = "features"

    def backprop(self, dy, x):
        factor = np.multiply(x > 0, 1 - self.alpha, dtype=dy.dtype)
        factor += dy.dtype.type(self.alpha)
        factor *= dy
        return factor

    def grad(self, op, ddx):
        return [apply_op(LeakyReluGrad(alpha=self.alpha), [ddx, op.inputs[1]]), None]


@register
class Elu(_Activation):
    """exp(features) - 1 where features < 0, else features."""

    def kernel(self, x):
        return _quiet_expm1(x) + np.maximum(x, 0)

    def grad(self, op, dy):
        return [apply_op(EluGrad(), [dy, op.outputs[0]])]


@register
class EluGrad(_ActivationGrad):
    """Elu's backprop from its output y: gradients * (y + 1) where y < 0, else gradients."""

    def backprop(self, dy, y):
        factor = np.minimum(y, 0)  # y + 1 where y < 0, else 1
        factor += 1
        factor *= dy
        return factor

    def grad(self, op, ddx):
        dy, y = op.inputs
        return [apply_op(EluGrad(), [ddx, y]), _where_negative(y, ddx, dy)]


@register
class Selu(_Activation):
    """scale * (alpha * (exp(features) - 1) where features < 0, else features), with TF1's
    constants scale = 1.0507... and alpha = 1.6732..."""

    def kernel(self, x):
        dtype = x.dtype.type
        out = _quiet_expm1(x)
        out *= dtype(SELU_SCALE * SELU_ALPHA)
        out += np.maximum(x, 0) * dtype(SELU_SCALE)
        return out

    def grad(self, op, dy):
        return [apply_op(SeluGrad(), [dy, op.outputs[0]])]


@register
class SeluGrad(_ActivationGrad):
    """Selu's backprop from its output y: gradients * (y + scale * alpha) where y < 0, else
    gradients * scale."""

    def backprop(self, dy, y):
        dtype = dy.dtype.type
        return np.where(y < 0, dy * (y + dtype(SELU_SCALE * SELU_ALPHA)),
                        dy * dtype(SELU_SCALE))

    def grad(self, op, ddx):
        dy, y = op.inputs
        return [apply_op(SeluGrad(), [ddx, y]), _where_negative(y, ddx, dy)]


@register
class Softplus(_Activation):
    """log(exp(features) + 1) elementwise, without overflow for large features."""

    def kernel(self, x):
        return np.logaddexp(x, 0)

    def grad(self, op, dy):
        return [apply_op(SoftplusGrad(), [dy, op.inputs[0]])]


@register
class SoftplusGrad(_ActivationGrad):
    """Softplus's backprop from its features: gradients * sigmoid(features)."""

    saved_name = "features"

    def backprop(self, dy, x):
        return dy * _stable_sigmoid(x)

    def grad(self, op, ddx):
        from flowgraph.ops.math import multiply, subtract
        from flowgraph.ops.trig import sigmoid
        dy, x = op.inputs
        s = sigmoid(x)
        # d/dx [dy * sigmoid(x)] = dy * s * (1 - s)
        d_x = multiply(multiply(ddx, dy), multiply(s, subtract(1.0, s)))
        return [apply_op(SoftplusGrad(), [ddx, x]), d_x]


@register
class Softsign(_Activation):
    """features / (abs(features) + 1) elementwise."""

    def kernel(self, x):
        return x / (np.absolute(x) + 1)

    def grad(self, op, dy):
        return [apply_op(SoftsignGrad(), [dy, op.inputs[0]])]


@register
class SoftsignGrad(_ActivationGrad):
    """Softsign's backprop from its features: gradients / (1 + abs(features))**2."""

    saved_name = "features"

    def backprop(self, dy, x):
        denominator = np.absolute(x) + 1
        denominator *= denominator
        return dy / denominator

    def grad(self, op, ddx):
        from flowgraph.ops.division import truediv
        from flowgraph.ops.math import add, multiply
        from flowgraph.ops.unary import abs, sign
        dy, x = op.inputs
        one_plus = add(abs(x), 1.0)
        # d/dx [dy / (1 + |x|)^2] = -2 dy sign(x) / (1 + |x|)^3
        cube = multiply(multiply(one_plus, one_plus), one_plus)
        d_x = truediv(multiply(multiply(ddx, dy), multiply(sign(x), -2.0)), cube)
        return [apply_op(SoftsignGrad(), [ddx, x]), d_x]


@register
class Step(_Activation):
    """flowgraph's Heaviside step: 1 where features > threshold, else 0, in the features'
    dtype. Its gradient is defined and zero everywhere (not an error)."""

    allowed = "fiu"
    threshold: float = 0.0

    def kernel(self, x):
        return np.greater(x, self.threshold).astype(x.dtype)

    def grad(self, op, dy):
        from flowgraph.ops.fill import zeros_like
        return [zeros_like(dy)]


def _where_negative(y: Tensor, a: Tensor, b: Tensor) -> Tensor:
    """a * b where y < 0, else 0 (the gradient of Elu/SeluGrad with respect to y)."""
    from flowgraph.ops.cast import cast
    from flowgraph.ops.compare import less
    from flowgraph.ops.math import multiply
    mask = cast(less(y, 0.0), y.dtype)
    return multiply(multiply(a, b), mask)


# --------------------------------------------------------------------------- builders
def relu(features: Any, name: Optional[str] = None) -> Tensor:
    """max(features, 0) elementwise (node "Relu"); gradient 0 at 0, as TF1."""
    return unary_op(Relu(), features, name)


def relu6(features: Any, name: Optional[str] = None) -> Tensor:
    """min(max(features, 0), 6) elementwise (node "Relu6")."""
    with op_scope(name, "Relu6", [features]) as scope:
        return unary_op(Relu6(), features, scope)


def leaky_relu(features: Any, alpha: Any = 0.2, name: Optional[str] = None) -> Tensor:
    """features where positive, else alpha * features (node "LeakyRelu").

    Integer features are cast to float32 first, as TF1 does. A Tensor `alpha` gives the
    composite ``maximum(alpha * features, features)``.
    """
    with op_scope(name, "LeakyRelu", [features, alpha]) as scope:
        features = convert_to_tensor(features)
        if features.dtype.is_integer:
            from flowgraph import dtypes
            from flowgraph.ops.cast import cast
            features = cast(features, dtypes.float32)
        if isinstance(alpha, Tensor) or hasattr(alpha, "__fg_tensor__"):
            from flowgraph.ops.math import maximum, multiply
            return maximum(multiply(alpha, features), features, name=scope)
        if isinstance(alpha, np.ndarray):
            alpha = alpha.item()
        return apply_op(LeakyRelu(alpha=float(alpha)), [features], name=scope)


def elu(features: Any, name: Optional[str] = None) -> Tensor:
    """exp(features) - 1 where features < 0, else features (node "Elu")."""
    return unary_op(Elu(), features, name)


def selu(features: Any, name: Optional[str] = None) -> Tensor:
    """The scaled exponential linear unit (node "Selu"):
    ``scale * (alpha * (exp(x) - 1) if x < 0 else x)`` with scale = 1.0507009873554805 and
    alpha = 1.6732632423543772."""
    return unary_op(Selu(), features, name)


def softplus(features: Any, name: Optional[str] = None) -> Tensor:
    """log(exp(features) + 1) elementwise (node "Softplus"); softplus(1000) is 1000."""
    return unary_op(Softplus(), features, name)


def softsign(features: Any, name: Optional[str] = None) -> Tensor:
    """features / (abs(features) + 1) elementwise (node "Softsign")."""
    return unary_op(Softsign(), features, name)


def step(x: Any, threshold: float = 0.0, name: Optional[str] = None) -> Tensor:
    """flowgraph's step function (TF1 has none): 1 where x > threshold, else 0, of x's
    dtype (node "Step"). Its gradient is zero (a defined gradient, so it can sit inside a
    differentiated graph, e.g. as a hard gate)."""
    return unary_op(Step(threshold=float(threshold)), x, name)
