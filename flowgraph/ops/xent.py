"""Cross-entropy losses of `fg.nn`: softmax (dense and sparse labels) and sigmoid.

The softmax losses are TF1's fused ops: one numpy pass computes both the loss and its
backprop (softmax - labels) from the shifted logits, so the training step's gradient is
one multiply. All of them are stable for logits of any magnitude (+-1000 included).

The builders are public as ``fg.nn.*``.
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from flowgraph import dtypes, errors
from flowgraph.graph import Tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.elementwise import check_dtype, op_scope
from flowgraph.ops.registry import Op, apply_op, constant_value, register
from flowgraph.ops.softmax import (
    LogSoftmax,
    Softmax,
    from_rows,
    precise,
    resolve_axis,
    row_sum,
    shifted_rows,
    to_rows,
)

__all__: list = []


def _invalid(message: str) -> errors.InvalidArgumentError:
    return errors.InvalidArgumentError(None, None, message)


def _is_zero(t: Optional[Tensor]) -> bool:
    """Whether `t` is known to be all zeros (the filler of an unused output's gradient: a
    ZerosLike, a constant, or a Fill of any size)."""
    if t is None or t.op.type == "ZerosLike":
        return True
    source = t.op.inputs[1] if t.op.type == "Fill" else t
    value = constant_value(source)
    return value is not None and not np.any(value)


def _stops_gradient(t: Tensor) -> bool:
    return bool(getattr(t.op.op_def, "stops_gradient", False))


def _check_float_pair(op: Any, logits: Tensor, labels: Tensor) -> None:
    check_dtype(op, logits, "f", "logits")
    if labels.dtype != logits.dtype:
        raise TypeError(f"{op.type} needs labels of the logits' dtype {logits.dtype.name}, "
                        f"got {labels.dtype.name}")
    if not logits.shape.is_compatible_with(labels.shape):
        raise ValueError(f"{op.type} needs logits and labels of one shape, got "
                         f"{logits.shape} and {labels.shape}")


def _through_backprop(logits: Tensor, dbackprop: Tensor, axis: int) -> tuple:
    """For the gradient reaching the backprop output ``softmax * sum(labels) - labels``:
    (the softmax Jacobian applied to `dbackprop`, ``dbackprop - sum(dbackprop * softmax)``)."""
    from flowgraph.ops.math import multiply, subtract
    from flowgraph.ops.reduce import reduce_sum
    p = apply_op(Softmax(axis=axis), [logits])
    inner = reduce_sum(multiply(dbackprop, p), axis=axis, keepdims=True)
    centered = subtract(dbackprop, inner)
    return multiply(centered, p), centered


# --------------------------------------------------------------------------- dense labels
def _dense_xent(x: np.ndarray, z: np.ndarray) -> tuple:
    """Loss and backprop of [rows, classes] logits x and labels z:
    ``-sum(z * log_softmax(x))`` and ``softmax(x) * sum(z) - z``, with one temporary."""
    if x.shape[1] == 0:
        return np.zeros(x.shape[0], x.dtype), np.empty_like(x)
    z = precise(z)
    shifted = shifted_rows(x)
    label_sums = row_sum(z)
    weighted = row_sum(z * shifted)
    e = np.exp(shifted, out=shifted)
    total = row_sum(e)
    # -sum(z * (shifted - log(total))), with no cancellation: shifted <= 0 <= log(total).
    loss = np.log(total) * label_sums - weighted
    e /= total
    # d loss / d x = softmax * sum(z) - z: TF1 drops the sum(z) factor (its gradient is
    # wrong for labels that do not sum to 1); one-hot or normalized labels skip the multiply.
    if not np.all(label_sums == 1):
        e *= label_sums
    e -= z
    return loss[:, 0], e


@register
class SoftmaxCrossEntropyWithLogits(Op):
    """Inputs: features (logits) and labels of one shape (rank >= 1). Outputs: the loss
    ``-sum(labels * log_softmax(features))`` along `axis` (the input's shape without it) and
    its gradient for the features, the backprop ``softmax(features) * sum(labels) - labels``
    (the input's shape; TF1's ``softmax - labels`` for labels that sum to 1)."""

    axis: int = -1

    def infer(self, op):
        logits, labels = op.inputs
        _check_float_pair(op, logits, labels)
        shape = logits.shape.merge_with(labels.shape)
        if shape.ndims is None:
            return [(logits.dtype, None), (logits.dtype, shape)]
        if shape.ndims < 1 or not -shape.ndims <= self.axis < shape.ndims:
            raise ValueError(f"{op.type}: axis {self.axis} does not fit logits of shape "
                             f"{shape} (rank >= 1 needed)")
        dims = shape.as_list()
        del dims[self.axis]
        return [(logits.dtype, dims), (logits.dtype, shape)]

    def kernel(self, logits, labels):
        if logits.shape != labels.shape:
            raise _invalid(f"logits and labels must be same size: logits_size="
                           f"{list(logits.shape)} labels_size={list(labels.shape)}")
        if logits.ndim == 0:
            raise _invalid("logits must have >= 1 dimension, got a scalar")
        x, moved_shape = to_rows(precise(logits), self.axis)
        z, _ = to_rows(labels, self.axis)
        loss, backprop = _dense_xent(x, z)
        return (loss.reshape(moved_shape[:-1]).astype(logits.dtype, copy=False),
                from_rows(backprop, moved_shape, self.axis).astype(logits.dtype, copy=False))

    def grad(self, op, dloss, dbackprop):
        from flowgraph.ops.math import multiply, subtract
        from flowgraph.ops.shape_ops import expand_dims
        from flowgraph.ops.unary import negative
        logits, labels = op.inputs
        dloss = expand_dims(dloss, self.axis)
        d_logits = multiply(dloss, op.outputs[1])
        second_order = not _is_zero(dbackprop)
        if second_order:  # only when differentiating the gradient itself
            from flowgraph.ops.math import add
            from flowgraph.ops.reduce import reduce_sum
            jacobian, centered = _through_backprop(logits, dbackprop, self.axis)
            label_sums = reduce_sum(labels, axis=self.axis, keepdims=True)
            d_logits = add(d_logits, multiply(jacobian, label_sums))
        if _stops_gradient(labels):  # v1: no gradient for the labels; build none
            return [d_logits, None]
        log_p = apply_op(LogSoftmax(axis=self.axis), [logits])
        d_labels = multiply(negative(dloss), log_p)
        if second_order:
            d_labels = subtract(d_labels, centered)
        return [d_logits, d_labels]


# --------------------------------------------------------------------------- sparse labels
def _check_labels(flat: np.ndarray, classes: int) -> None:
    # Viewed as unsigned, a negative label is huge: one max() checks both ends.
    if not flat.size or int(flat.view(flat.dtype.str.replace("i", "u")).max()) < classes:
        return
    bad = flat[np.argmax((flat < 0) | (flat >= classes))]
    shown = " ".join(str(v) for v in flat[:20]) + (" ..." if flat.size > 20 else "")
    raise _invalid(f"Received a label value of {bad} which is outside the valid range of "
                   f"[0, {classes}).  Label values: {shown}")


@register
class SparseSoftmaxCrossEntropyWithLogits(Op):
    """Inputs: features (logits) ``[..., classes]`` and int32/int64 labels ``[...]`` (class
    indices). Outputs: the loss ``-log_softmax(features)[label]`` ``[...]`` and the backprop
    ``softmax(features) - one_hot(labels)``. A label outside [0, classes) is an
    InvalidArgumentError naming it."""

    def infer(self, op):
        logits, labels = op.inputs
        check_dtype(op, logits, "f", "logits")
        if labels.dtype not in (dtypes.int32, dtypes.int64):
            raise TypeError(f"{op.type} needs int32 or int64 labels, got {labels.dtype.name}")
        _check_sparse_shapes(logits, labels)
        if logits.shape.ndims is None:
            return [(logits.dtype, labels.shape), (logits.dtype, logits.shape)]
        batch = logits.shape[:-1].merge_with(labels.shape)
        return [(logits.dtype, batch), (logits.dtype, batch.concatenate(logits.shape[-1:]))]

    def kernel(self, logits, labels):
        if logits.ndim == 0:
            raise _invalid("logits must have >= 1 dimension, got a scalar")
        if labels.shape != logits.shape[:-1]:
            raise _invalid(f"logits and labels must have the same first dimensions, got "
                           f"logits shape {list(logits.shape)} and labels shape "
                           f"{list(labels.shape)}")
        classes = logits.shape[-1]
        flat = labels.reshape(-1)
        _check_labels(flat, classes)
        if logits.size == 0:
            return (np.zeros(labels.shape, logits.dtype), np.empty_like(logits))
        e = shifted_rows(precise(logits).reshape(-1, classes))  # reused: exp, backprop
        rows = np.arange(flat.size)
        picked = e[rows, flat]
        np.exp(e, out=e)
        total = row_sum(e)
        loss = np.log(total[:, 0]) - picked
        e /= total
        e[rows, flat] -= 1
        return (loss.reshape(labels.shape).astype(logits.dtype, copy=False),
                e.reshape(logits.shape).astype(logits.dtype, copy=False))

    def grad(self, op, dloss, dbackprop):
        from flowgraph.ops.math import multiply
        from flowgraph.ops.shape_ops import expand_dims
        d_logits = multiply(expand_dims(dloss, -1), op.outputs[1])
        if not _is_zero(dbackprop):
            from flowgraph.ops.math import add
            d_logits = add(d_logits, _through_backprop(op.inputs[0], dbackprop, -1)[0])
        return [d_logits, None]


def _check_sparse_shapes(logits: Tensor, labels: Tensor) -> None:
    """TF1's static checks of sparse_softmax_cross_entropy_with_logits (ValueError)."""
    l_rank, x_rank = labels.shape.ndims, logits.shape.ndims
    if x_rank == 0:
        raise ValueError(f"Logits cannot be scalars - received shape {logits.shape}.")
    if l_rank is not None and x_rank is not None and l_rank != x_rank - 1:
        raise ValueError(f"Rank mismatch: Rank of labels (received {l_rank}) should equal "
                         f"rank of logits minus 1 (received {x_rank}).")
    if x_rank is not None and not logits.shape[:-1].is_compatible_with(labels.shape):
        raise ValueError(f"Shape mismatch: The shape of labels (received {labels.shape}) "
                         f"should equal the shape of logits except for the last dimension "
                         f"(received {logits.shape}).")


# --------------------------------------------------------------------------- sigmoid
@register
class SigmoidCrossEntropyWithLogits(Op):
    """``max(x, 0) - x * z + log(1 + exp(-abs(x)))`` elementwise for logits x and labels z
    of one shape: the logistic loss, finite for any finite x."""

    def infer(self, op):
        logits, labels = op.inputs
        _check_float_pair(op, logits, labels)
        return [(logits.dtype, logits.shape.merge_with(labels.shape))]

    def kernel(self, x, z):
        if x.shape != z.shape:
            raise _invalid(f"logits and labels must have the same shape, got "
                           f"{list(x.shape)} and {list(z.shape)}")
        out = np.log1p(np.exp(-np.absolute(x)))
        out += np.maximum(x, 0) - x * z
        return np.asarray(out, dtype=x.dtype)

    def grad(self, op, dy):
        # d/dx = sigmoid(x) - z, d/dz = -x.
        from flowgraph.ops.math import multiply, subtract
        from flowgraph.ops.trig import sigmoid
        from flowgraph.ops.unary import negative
        x, z = op.inputs
        d_x = multiply(dy, subtract(sigmoid(x), z))
        d_z = None if _stops_gradient(z) else multiply(dy, negative(x))
        return [d_x, d_z]


# --------------------------------------------------------------------------- builders
def _ensure_named(fn: str, sentinel: Any, labels: Any, logits: Any) -> None:
    if sentinel is not None:
        raise ValueError(f"Only call `{fn}` with named arguments (labels=..., logits=..., "
                         "...)")
    if labels is None or logits is None:
        raise ValueError(f"Both labels=... and logits=... must be provided to `{fn}`.")


def _float_labels(labels: Any, logits: Tensor, cast_tensors: bool) -> Tensor:
    """labels as a tensor of the logits' dtype (Python values adopt it; tensors are cast as
    TF1's softmax loss does, or must already have it)."""
    if not (isinstance(labels, Tensor) or hasattr(labels, "__fg_tensor__")):
        return convert_to_tensor(labels, dtype=logits.dtype)
    labels = convert_to_tensor(labels)
    if labels.dtype != logits.dtype:
        if not cast_tensors:
            raise TypeError(f"labels of dtype {labels.dtype.name} do not match logits of "
                            f"dtype {logits.dtype.name}; cast one of them with fg.cast")
        from flowgraph.ops.cast import cast
        labels = cast(labels, logits.dtype)
    return labels


def _softmax_xent(labels: Any, logits: Any, axis: Any, scope: str, stop: bool) -> Tensor:
    logits = convert_to_tensor(logits)
    labels = _float_labels(labels, logits, cast_tensors=True)
    if not labels.shape.is_compatible_with(logits.shape):
        raise ValueError(f"softmax_cross_entropy_with_logits needs labels and logits of the "
                         f"same shape, got labels {labels.shape} and logits {logits.shape}")
    if logits.shape.ndims == 0:
        raise ValueError(f"Logits cannot be scalars - received shape {logits.shape}.")
    axis = resolve_axis(logits, axis, None, "softmax_cross_entropy_with_logits")
    if stop:
        from flowgraph.ops.gradient_ops import stop_gradient
        labels = stop_gradient(labels, name="labels_stop_gradient")
    op_def = SoftmaxCrossEntropyWithLogits(axis=axis)
    return apply_op(op_def, [logits, labels], name=scope)[0]


def softmax_cross_entropy_with_logits_v2(labels: Any, logits: Any, axis: Any = None,
                                         name: Optional[str] = None,
                                         dim: Any = None) -> Tensor:
    """Softmax cross entropy between `logits` and the probability distributions `labels`
    along `axis` (default: the last): ``-sum(labels * log_softmax(logits), axis)``.

    Gradients flow to both logits and labels (wrap labels in `fg.stop_gradient` to stop
    them). Labels and logits must have the same shape; labels are cast to the logits'
    dtype. Returns the loss, shaped as logits without `axis`. Stable for any finite logits.
    """
    from flowgraph.ops.reduce_axes import lookup_pair
    axis = lookup_pair(axis, dim, "axis", "dim")
    with op_scope(name, "softmax_cross_entropy_with_logits", [logits, labels]) as scope:
        return _softmax_xent(labels, logits, axis, scope, stop=False)


def softmax_cross_entropy_with_logits(_sentinel: Any = None, labels: Any = None,
                                      logits: Any = None, dim: Any = -1,
                                      name: Optional[str] = None, axis: Any = None) -> Tensor:
    """TF1's original softmax cross entropy: as `softmax_cross_entropy_with_logits_v2`, but
    no gradient flows to `labels` (they pass through a stop_gradient). Call it with named
    arguments only."""
    _ensure_named("softmax_cross_entropy_with_logits", _sentinel, labels, logits)
    if axis is None:
        axis = dim
    elif dim not in (-1, None):
        raise ValueError("Cannot specify both 'axis' and 'dim'")
    with op_scope(name, "softmax_cross_entropy_with_logits_sg", [logits, labels]) as scope:
        return _softmax_xent(labels, logits, axis, scope, stop=True)


def sparse_softmax_cross_entropy_with_logits(_sentinel: Any = None, labels: Any = None,
                                             logits: Any = None,
                                             name: Optional[str] = None) -> Tensor:
    """Softmax cross entropy with int32 / int64 class indices as labels.

    `labels` has logits' shape without the last (class) axis; each label must be in
    [0, classes), else running the op raises InvalidArgumentError naming the bad label.
    Returns the loss, of labels' shape and logits' dtype. No gradient flows to labels.
    Call it with named arguments only.
    """
    _ensure_named("sparse_softmax_cross_entropy_with_logits", _sentinel, labels, logits)
    with op_scope(name, "SparseSoftmaxCrossEntropyWithLogits", [labels, logits]):
        labels = convert_to_tensor(labels)
        logits = convert_to_tensor(logits)
        if labels.dtype not in (dtypes.int32, dtypes.int64):
            raise TypeError(f"sparse_softmax_cross_entropy_with_logits needs int32 or int64 "
                            f"labels (class indices), got {labels.dtype.name}; for one-hot "
                            "or probability labels use softmax_cross_entropy_with_logits_v2")
        _check_sparse_shapes(logits, labels)
        return apply_op(SparseSoftmaxCrossEntropyWithLogits(), [logits, labels], name=name)[0]


def sigmoid_cross_entropy_with_logits(_sentinel: Any = None, labels: Any = None,
                                      logits: Any = None,
                                      name: Optional[str] = None) -> Tensor:
    """The elementwise logistic loss of `logits` for `labels` in [0, 1] (node
    "logistic_loss"): ``max(x, 0) - x * z + log(1 + exp(-abs(x)))``, finite for any finite
    logits. Gradients flow to both. Call it with named arguments only."""
    _ensure_named("sigmoid_cross_entropy_with_logits", _sentinel, labels, logits)
    with op_scope(name, "logistic_loss", [logits, labels]) as scope:
        logits = convert_to_tensor(logits)
        labels = _float_labels(labels, logits, cast_tensors=False)
        if not labels.shape.is_compatible_with(logits.shape):
            raise ValueError(f"logits and labels must have the same shape ({logits.shape} "
                             f"vs {labels.shape})")
        return apply_op(SigmoidCrossEntropyWithLogits(), [logits, labels], name=scope)
