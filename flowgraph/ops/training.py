"""Optimizer update ops (TF1's training ops): ApplyGradientDescent, ApplyMomentum, ApplyAdam...

Each op takes the Variable it trains, and the Variables of its slots (accumulators, moments),
by reference, and updates their stored arrays in place (`NodeContext.variable_for_update`),
with numpy's ``out=`` forms so that a step allocates as few temporaries as possible. It
outputs the variable's new value. Hyper-parameters are scalar inputs of the variable's dtype;
the gradient has the variable's shape. The sparse forms (rows of an IndexedSlices gradient)
live in `training_sparse.py`. The update rules are TF1's (tensorflow/core/kernels/
training_ops.cc); they are written out in each op's docstring.
"""

from __future__ import annotations

import contextlib
import dataclasses
from typing import Any, ClassVar, Optional

import numpy as np

from flowgraph import errors
from flowgraph.graph import Operation
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.registry import Op, apply_op, register
from flowgraph.ops.state import _variable_tensor
from flowgraph.runtime import intra_op
from flowgraph.shapes import TensorShape

__all__: list = []  # TF1 exposes these ops only through optimizers (and tf.raw_ops)

_NO_LOCK = contextlib.nullcontext()


@dataclasses.dataclass(frozen=True, kw_only=True)
class ApplyOp(Op):
    """Base of the update ops. `signature` names each input and its role, in TF1's order:
    "ref" (a Variable, by reference), "scalar" (a hyper-parameter), "grad", "indices"."""

    use_locking: bool = False

    signature: ClassVar[tuple] = ()
    stateful = True
    needs_state = True
    differentiable = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.ref_inputs = tuple(i for i, (_, role) in enumerate(cls.signature) if role == "ref")

    @property
    def sparse(self) -> bool:
        return any(role == "indices" for _, role in self.signature)

    def infer(self, op):
        if len(op.inputs) != len(self.signature):
            raise ValueError(f"{op.type} takes {len(self.signature)} inputs "
                             f"({', '.join(n for n, _ in self.signature)}), got "
                             f"{len(op.inputs)}")
        var = op.inputs[0]
        if not var.dtype.is_floating:
            raise TypeError(f"{op.type} trains floating Variables, got {var.op.name} of dtype "
                            f"{var.dtype.name}")
        for t, (name, role) in zip(op.inputs, self.signature):
            if role == "indices":
                if t.dtype.name not in ("int32", "int64"):
                    raise TypeError(f"{op.type} indices must be int32 or int64, got "
                                    f"{t.dtype.name}")
                if t.shape.ndims not in (None, 1):
                    raise ValueError(f"{op.type} indices must be a vector, got shape {t.shape}")
                continue
            if t.dtype != var.dtype:
                raise TypeError(f"{op.type} input {name} has dtype {t.dtype.name}, expected "
                                f"the variable's dtype {var.dtype.name}; use fg.cast.")
            if role == "scalar" and t.shape.ndims not in (None, 0):
                raise ValueError(f"{op.type} input {name} must be a scalar, got shape "
                                 f"{t.shape}")
            if role == "ref" and not var.shape.is_compatible_with(t.shape):
                raise ValueError(f"{op.type}: var {var.op.name} {var.shape} and {name} "
                                 f"{t.op.name} {t.shape} must have the same shape")
            if role == "grad":
                expected = var.shape
                if self.sparse and var.shape.ndims is not None:
                    expected = TensorShape([None]).concatenate(var.shape[1:])
                if not t.shape.is_compatible_with(expected):
                    raise ValueError(f"{op.type}: the gradient's shape {t.shape} does not fit "
                                     f"var {var.op.name} of shape {var.shape} (expected "
                                     f"{expected})")
        return [(var.dtype, var.shape)]

    def lock(self, ctx: Any) -> Any:
        """The Session's state lock with use_locking=True, else a no-op context."""
        return ctx.state.lock if self.use_locking else _NO_LOCK


def same_shape(ctx: Any, var: np.ndarray, other: np.ndarray, name: str) -> None:
    """InvalidArgumentError (as TF1's kernels) unless `other` has var's shape."""
    if np.shape(other) != var.shape:
        raise errors.InvalidArgumentError(
            None, ctx.op, f"var and {name} do not have the same shape{list(var.shape)} "
            f"{list(np.shape(other))}")


# --------------------------------------------------------------------------- update rules
def _array(value: Any) -> np.ndarray:
    # numpy ufuncs return scalars for 0-d inputs; temporaries must be arrays for out=.
    return value if isinstance(value, np.ndarray) else np.array(value)


# Each rule updates `var` and its slot arrays in place (whole variables for the dense ops,
# gathered rows for the sparse ones).
# Elements per block of the blockwise rules: the block's temporary stays in the CPU cache, and
# no temporary as large as the variable is allocated (and page-faulted in) every step. 256 KB
# blocks fit the L2 cache; 64 KB ones cost more in Python calls (the MLP step of the
# benchmark 3.5% slower).
_BLOCK = 1 << 16


def gradient_descent_rule(var, alpha, grad) -> None:
    if var.size <= _BLOCK or not (var.flags.c_contiguous and grad.flags.c_contiguous):
        var -= np.multiply(grad, alpha)
        return
    v, g = var.reshape(-1), grad.reshape(-1)

    def update(first: int, end: int) -> None:  # blocks first..end-1, on one thread
        scratch = np.empty(_BLOCK, var.dtype)
        for start in range(first * _BLOCK, min(end * _BLOCK, v.size), _BLOCK):
            stop = min(start + _BLOCK, v.size)
            step = np.multiply(g[start:stop], alpha, out=scratch[:stop - start])
            np.subtract(v[start:stop], step, out=v[start:stop])

    intra_op.split(-(-v.size // _BLOCK), v.size, update)


def momentum_rule(var, accum, lr, grad, momentum, use_nesterov: bool) -> None:
    accum *= momentum
    accum += grad
    if use_nesterov:
        step = np.multiply(accum, momentum * lr)
        step += np.multiply(grad, lr)
    else:
        step = np.multiply(accum, lr)
    var -= step


def adagrad_rule(var, accum, lr, grad, update_slots: bool = True) -> None:
    if update_slots:
        accum += np.square(grad)
    step = _array(np.sqrt(accum))
    np.divide(grad, step, out=step)
    step *= lr
    var -= step


def rms_prop_rule(var, ms, mom, lr, rho, momentum, epsilon, grad) -> None:
    tmp = _array(np.square(grad))
    tmp -= ms
    tmp *= 1 - rho
    ms += tmp
    np.add(ms, epsilon, out=tmp)
    np.sqrt(tmp, out=tmp)
    np.divide(grad, tmp, out=tmp)
    tmp *= lr
    mom *= momentum
    mom += tmp
    var -= mom


def centered_rms_prop_rule(var, mg, ms, mom, lr, rho, momentum, epsilon, grad) -> None:
    one_minus_rho = 1 - rho
    tmp = _array(np.square(grad))
    tmp -= ms
    tmp *= one_minus_rho
    ms += tmp
    np.subtract(grad, mg, out=tmp)
    tmp *= one_minus_rho
    mg += tmp
    np.square(mg, out=tmp)
    np.subtract(ms, tmp, out=tmp)
    tmp += epsilon
    np.sqrt(tmp, out=tmp)
    np.divide(grad, tmp, out=tmp)
    tmp *= lr
    mom *= momentum
    mom += tmp
    var -= mom


def adam_moments_rule(m, v, beta1, beta2, grad) -> None:
    tmp = _array(np.subtract(grad, m))
    tmp *= 1 - beta1
    m += tmp
    np.square(grad, out=tmp)
    tmp -= v
    tmp *= 1 - beta2
    v += tmp


def adam_step_rule(var, m, v, alpha, beta1, epsilon, grad, use_nesterov: bool) -> None:
    denom = _array(np.sqrt(v))
    denom += epsilon
    if use_nesterov:
        step = _array(np.multiply(grad, 1 - beta1))
        step += np.multiply(m, beta1)
        step *= alpha
    else:
        step = _array(np.multiply(m, alpha))
    step /= denom
    var -= step


def adam_alpha(lr, beta1_power, beta2_power) -> Any:
    """Adam's step size at step t: lr * sqrt(1 - beta2^t) / (1 - beta1^t)."""
    return lr * np.sqrt(1 - beta2_power) / (1 - beta1_power)


def ftrl_rule(var, accum, linear, grad, lr, l1, l2, lr_power, l2_shrinkage=None) -> None:
    # TF1's ApplyFtrlV2 feeds the shrinkage-adjusted gradient to `linear` only; the
    # accumulator always grows by the raw grad^2.
    new_accum = accum + np.square(grad)
    if l2_shrinkage is not None:
        grad = grad + 2 * l2_shrinkage * var
    with np.errstate(divide="ignore", invalid="ignore"):
        if lr_power == -0.5:
            new_scale = np.sqrt(new_accum)
            scale_change = new_scale - np.sqrt(accum)
        else:
            new_scale = np.power(new_accum, -lr_power)
            scale_change = new_scale - np.power(accum, -lr_power)
        scale_change /= lr
        scale_change *= var
        linear += grad
        linear -= scale_change
        quadratic = new_scale
        quadratic /= lr
        quadratic += 2 * l2
        x = np.sign(linear)
        x *= l1
        x -= linear
        x /= quadratic
    np.copyto(var, np.where(np.abs(linear) > l1, x, 0))
    np.copyto(accum, new_accum)


# --------------------------------------------------------------------------- dense ops
@register
class ApplyGradientDescent(ApplyOp):
    """var -= alpha * delta."""

    signature = (("var", "ref"), ("alpha", "scalar"), ("delta", "grad"))

    def kernel(self, ctx, var, alpha, delta):
        with self.lock(ctx), ctx.variable_for_update(var.key) as v:
            same_shape(ctx, v, delta, "delta")
            gradient_descent_rule(v, alpha, delta)
        return v


@register
class ApplyMomentum(ApplyOp):
    """accum = accum * momentum + grad; var -= lr * accum (with use_nesterov:
    var -= lr * grad + lr * momentum * accum)."""

    use_nesterov: bool = False
    signature = (("var", "ref"), ("accum", "ref"), ("lr", "scalar"), ("grad", "grad"),
                 ("momentum", "scalar"))

    def kernel(self, ctx, var, accum, lr, grad, momentum):
        with self.lock(ctx), ctx.variable_for_update(var.key) as v, \
                ctx.variable_for_update(accum.key) as a:
            same_shape(ctx, v, a, "accum")
            same_shape(ctx, v, grad, "grad")
            momentum_rule(v, a, lr, grad, momentum, self.use_nesterov)
        return v


@register
class ApplyAdagrad(ApplyOp):
    """accum += grad * grad; var -= lr * grad / sqrt(accum)."""

    update_slots: bool = True
    signature = (("var", "ref"), ("accum", "ref"), ("lr", "scalar"), ("grad", "grad"))

    def kernel(self, ctx, var, accum, lr, grad):
        with self.lock(ctx), ctx.variable_for_update(var.key) as v, \
                ctx.variable_for_update(accum.key) as a:
            same_shape(ctx, v, a, "accum")
            same_shape(ctx, v, grad, "grad")
            adagrad_rule(v, a, lr, grad, self.update_slots)
        return v


@register
class ApplyRMSProp(ApplyOp):
    """ms += (grad^2 - ms) * (1 - rho); mom = momentum * mom + lr * grad / sqrt(ms + epsilon);
    var -= mom."""

    signature = (("var", "ref"), ("ms", "ref"), ("mom", "ref"), ("lr", "scalar"),
                 ("rho", "scalar"), ("momentum", "scalar"), ("epsilon", "scalar"),
                 ("grad", "grad"))

    def kernel(self, ctx, var, ms, mom, lr, rho, momentum, epsilon, grad):
        with self.lock(ctx), ctx.variable_for_update(var.key) as v, \
                ctx.variable_for_update(ms.key) as s, ctx.variable_for_update(mom.key) as m:
            for name, array in (("ms", s), ("mom", m), ("grad", grad)):
                same_shape(ctx, v, array, name)
            rms_prop_rule(v, s, m, lr, rho, momentum, epsilon, grad)
        return v


@register
class ApplyCenteredRMSProp(ApplyOp):
    """As ApplyRMSProp, normalizing by an estimate of the variance: mg += (grad - mg) *
    (1 - rho); mom = momentum * mom + lr * grad / sqrt(ms - mg^2 + epsilon)."""

    signature = (("var", "ref"), ("mg", "ref"), ("ms", "ref"), ("mom", "ref"),
                 ("lr", "scalar"), ("rho", "scalar"), ("momentum", "scalar"),
                 ("epsilon", "scalar"), ("grad", "grad"))

    def kernel(self, ctx, var, mg, ms, mom, lr, rho, momentum, epsilon, grad):
        with self.lock(ctx), ctx.variable_for_update(var.key) as v, \
                ctx.variable_for_update(mg.key) as g, ctx.variable_for_update(ms.key) as s, \
                ctx.variable_for_update(mom.key) as m:
            for name, array in (("mg", g), ("ms", s), ("mom", m), ("grad", grad)):
                same_shape(ctx, v, array, name)
            centered_rms_prop_rule(v, g, s, m, lr, rho, momentum, epsilon, grad)
        return v


@register
class ApplyAdam(ApplyOp):
    """lr_t = lr * sqrt(1 - beta2_power) / (1 - beta1_power); m += (grad - m) * (1 - beta1);
    v += (grad^2 - v) * (1 - beta2); var -= lr_t * m / (sqrt(v) + epsilon)."""

    use_nesterov: bool = False
    signature = (("var", "ref"), ("m", "ref"), ("v", "ref"), ("beta1_power", "scalar"),
                 ("beta2_power", "scalar"), ("lr", "scalar"), ("beta1", "scalar"),
                 ("beta2", "scalar"), ("epsilon", "scalar"), ("grad", "grad"))

    def kernel(self, ctx, var, m, v, beta1_power, beta2_power, lr, beta1, beta2, epsilon,
               grad):
        with self.lock(ctx), ctx.variable_for_update(var.key) as w, \
                ctx.variable_for_update(m.key) as m1, ctx.variable_for_update(v.key) as m2:
            for name, array in (("m", m1), ("v", m2), ("grad", grad)):
                same_shape(ctx, w, array, name)
            alpha = adam_alpha(lr, beta1_power, beta2_power)
            adam_moments_rule(m1, m2, beta1, beta2, grad)
            adam_step_rule(w, m1, m2, alpha, beta1, epsilon, grad, self.use_nesterov)
        return w


@register
class ApplyFtrl(ApplyOp):
    """FTRL-proximal: new_accum = accum + grad^2; linear += grad - (new_accum^-lr_power -
    accum^-lr_power) / lr * var; var = (sign(linear) * l1 - linear) / (new_accum^-lr_power /
    lr + 2 * l2) where |linear| > l1, else 0; accum = new_accum."""

    signature = (("var", "ref"), ("accum", "ref"), ("linear", "ref"), ("grad", "grad"),
                 ("lr", "scalar"), ("l1", "scalar"), ("l2", "scalar"), ("lr_power", "scalar"))

    def kernel(self, ctx, var, accum, linear, grad, lr, l1, l2, *rest):
        lr_power = rest[-1]
        shrinkage = rest[0] if len(rest) == 2 else None
        with self.lock(ctx), ctx.variable_for_update(var.key) as v, \
                ctx.variable_for_update(accum.key) as a, \
                ctx.variable_for_update(linear.key) as n:
            for name, array in (("accum", a), ("linear", n), ("grad", grad)):
                same_shape(ctx, v, array, name)
            ftrl_rule(v, a, n, grad, lr, l1, l2, lr_power, shrinkage)
        return v


@register
class ApplyFtrlV2(ApplyFtrl):
    """ApplyFtrl with shrinkage-type L2: the gradient used is grad + 2 * l2_shrinkage * var."""

    signature = (("var", "ref"), ("accum", "ref"), ("linear", "ref"), ("grad", "grad"),
                 ("lr", "scalar"), ("l1", "scalar"), ("l2", "scalar"),
                 ("l2_shrinkage", "scalar"), ("lr_power", "scalar"))


# --------------------------------------------------------------------------- builders
def apply_update(op_class: type, inputs: list, name: Optional[str] = None,
                 **attrs: Any) -> Operation:
    """Adds an update op: Variables (or their VariableV2 tensors) at the "ref" inputs, values
    (converted to the variable's dtype) elsewhere; returns the op's output (the new value)."""
    var = _variable_tensor(inputs[0])
    tensors = []
    for value, (_, role) in zip(inputs, op_class.signature):
        if role == "ref":
            tensors.append(_variable_tensor(value))
        elif role == "indices":
            tensors.append(convert_to_tensor(value))
        else:
            tensors.append(convert_to_tensor(value, dtype=var.dtype))
    return apply_op(op_class(**attrs), tensors, name=name)
