"""`tf.keras.losses` as TF 1.15 had it: the loss functions (per-sample values, reduced over
the last axis) and the `Loss` classes (callables returning the reduced scalar).

The formulas follow TF 1.15's ``keras/losses.py`` and ``keras/backend.py``: probabilities are
clipped to ``[epsilon, 1 - epsilon]`` (``backend.epsilon() == 1e-7``), binary crossentropy
goes through the logits ``log(p / (1 - p))``, and a Softmax / Sigmoid output is replaced by
its logits. ``cosine_proximity`` is NEGATIVE cosine similarity, as in TF 1.15.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

import flowgraph as fg
from flowgraph.keras import backend
from flowgraph.keras.generic_utils import (
    deserialize_object,
    lookup_object,
    serialize_object_or_name,
)

__all__ = [
    "Loss", "LossFunctionWrapper", "Reduction", "MeanSquaredError", "MeanAbsoluteError",
    "MeanAbsolutePercentageError", "MeanSquaredLogarithmicError", "BinaryCrossentropy",
    "CategoricalCrossentropy", "SparseCategoricalCrossentropy", "Hinge", "SquaredHinge",
    "CategoricalHinge", "Poisson", "LogCosh", "KLDivergence", "Huber", "CosineSimilarity",
    "mean_squared_error", "mse", "MSE", "mean_absolute_error", "mae", "MAE",
    "mean_absolute_percentage_error", "mape", "MAPE", "mean_squared_logarithmic_error",
    "msle", "MSLE", "squared_hinge", "hinge", "categorical_hinge", "logcosh", "huber_loss",
    "categorical_crossentropy", "sparse_categorical_crossentropy", "binary_crossentropy",
    "kullback_leibler_divergence", "kld", "KLD", "poisson", "cosine_proximity", "cosine",
    "cosine_similarity", "get", "serialize", "deserialize",
]


class Reduction:
    """The reductions of the `Loss` classes (TF's ``losses_utils.ReductionV2``)."""

    AUTO = "auto"
    NONE = "none"
    SUM = "sum"
    SUM_OVER_BATCH_SIZE = "sum_over_batch_size"

    @classmethod
    def all(cls) -> tuple:
        return (cls.AUTO, cls.NONE, cls.SUM, cls.SUM_OVER_BATCH_SIZE)

    @classmethod
    def validate(cls, key: str) -> None:
        if key not in cls.all():
            raise ValueError(f"Invalid Reduction Key {key!r}: use one of {cls.all()}.")


# -- helpers
def _pair(y_true: Any, y_pred: Any) -> tuple:
    """`y_pred` as a tensor and `y_true` cast to its dtype (as every Keras loss starts)."""
    y_pred = fg.convert_to_tensor(y_pred)
    y_true = fg.cast(y_true, y_pred.dtype)
    return y_true, y_pred


def _match_weight_rank(weight: Any, values: Any) -> Any:
    """`weight` squeezed of a trailing 1 or given one, when its rank is one off `values`'
    (TF's ``squeeze_or_expand_dimensions`` for sample weights)."""
    w_rank, v_rank = weight.shape.ndims, values.shape.ndims
    if w_rank is not None and v_rank is not None:
        if w_rank - v_rank == 1 and weight.shape.as_list()[-1] == 1:
            return fg.squeeze(weight, [-1])
        if v_rank - w_rank == 1 and w_rank > 0:
            return fg.expand_dims(weight, -1)
    return weight


def _eps(dtype: Any) -> Any:
    return fg.constant(backend.epsilon(), dtype=dtype.base_dtype)


def _logits_of(output: Any, op_type: str) -> Any:
    """The input of `output`'s op when that op is `op_type` (Softmax / Sigmoid), else None."""
    op = getattr(output, "op", None)
    if op is None or isinstance(output, fg.Variable) or op.type != op_type:
        return None
    inputs = list(op.inputs)
    return inputs[0] if len(inputs) == 1 else None


def _maybe_convert_labels(y_true: Any) -> Any:
    """{0, 1} labels become {-1, 1}; other labels are left alone (TF 1.15's hinge losses)."""
    is_binary = fg.reduce_all(fg.logical_or(fg.equal(y_true, 0), fg.equal(y_true, 1)))
    flag = fg.cast(is_binary, y_true.dtype)
    return flag * (2.0 * y_true - 1.0) + (1.0 - flag) * y_true


# -- the backend crossentropies (TF 1.15's keras/backend.py)
def _categorical_crossentropy(target: Any, output: Any, from_logits: bool = False,
                              axis: int = -1) -> Any:
    if not from_logits:
        logits = _logits_of(output, "Softmax")
        if logits is None:
            output = output / fg.reduce_sum(output, axis, keepdims=True)
            eps = _eps(output.dtype)
            output = fg.clip_by_value(output, eps, 1.0 - eps)
            return -fg.reduce_sum(target * fg.log(output), axis)
        output = logits
    return fg.nn.softmax_cross_entropy_with_logits_v2(labels=target, logits=output)


def _sparse_categorical_crossentropy(target: Any, output: Any, from_logits: bool = False,
                                     axis: int = -1) -> Any:
    output = fg.convert_to_tensor(output)
    if not from_logits:
        logits = _logits_of(output, "Softmax")
        if logits is None:
            eps = _eps(output.dtype)
            output = fg.log(fg.clip_by_value(output, eps, 1.0 - eps))
        else:
            output = logits
    output_rank = output.shape.ndims
    if output_rank is not None:
        axis %= output_rank
        if axis != output_rank - 1:
            permutation = [i for i in range(output_rank) if i != axis] + [axis]
            output = fg.transpose(output, perm=permutation)
    target = fg.convert_to_tensor(target)
    if not target.dtype.is_integer:
        target = fg.cast(target, fg.int64)
    elif target.dtype != fg.int64:
        target = fg.cast(target, fg.int64)
    target_rank = target.shape.ndims
    flatten = (target_rank is not None and output_rank is not None
               and target_rank != output_rank - 1)
    if flatten:
        output_shape = fg.shape(output)
        target = fg.reshape(target, [-1])
        logits = fg.reshape(output, [-1, output_shape[-1]])
    else:
        logits = output
    result = fg.nn.sparse_softmax_cross_entropy_with_logits(labels=target, logits=logits)
    if flatten:
        return fg.reshape(result, output_shape[:-1])
    return result


def _binary_crossentropy(target: Any, output: Any, from_logits: bool = False) -> Any:
    if not from_logits:
        logits = _logits_of(output, "Sigmoid")
        if logits is None:
            eps = _eps(output.dtype)
            output = fg.clip_by_value(output, eps, 1.0 - eps)
            output = fg.log(output / (1.0 - output))
        else:
            output = logits
    return fg.nn.sigmoid_cross_entropy_with_logits(labels=target, logits=output)


# -- the loss functions
def mean_squared_error(y_true: Any, y_pred: Any) -> Any:
    """``mean((y_pred - y_true) ** 2, axis=-1)``."""
    y_true, y_pred = _pair(y_true, y_pred)
    return fg.reduce_mean(fg.squared_difference(y_pred, y_true), axis=-1)


def mean_absolute_error(y_true: Any, y_pred: Any) -> Any:
    """``mean(|y_pred - y_true|, axis=-1)``."""
    y_true, y_pred = _pair(y_true, y_pred)
    return fg.reduce_mean(fg.abs(y_pred - y_true), axis=-1)


def mean_absolute_percentage_error(y_true: Any, y_pred: Any) -> Any:
    """``100 * mean(|(y_true - y_pred) / max(|y_true|, epsilon)|, axis=-1)``."""
    y_true, y_pred = _pair(y_true, y_pred)
    diff = fg.abs((y_true - y_pred) / fg.maximum(fg.abs(y_true), _eps(y_true.dtype)))
    return 100.0 * fg.reduce_mean(diff, axis=-1)


def mean_squared_logarithmic_error(y_true: Any, y_pred: Any) -> Any:
    """``mean((log(max(y_pred, eps) + 1) - log(max(y_true, eps) + 1)) ** 2, axis=-1)``."""
    y_true, y_pred = _pair(y_true, y_pred)
    eps = _eps(y_pred.dtype)
    first_log = fg.log(fg.maximum(y_pred, eps) + 1.0)
    second_log = fg.log(fg.maximum(y_true, eps) + 1.0)
    return fg.reduce_mean(fg.squared_difference(first_log, second_log), axis=-1)


def squared_hinge(y_true: Any, y_pred: Any) -> Any:
    """``mean(max(1 - y_true * y_pred, 0) ** 2, axis=-1)``; {0, 1} labels become {-1, 1}."""
    y_true, y_pred = _pair(y_true, y_pred)
    y_true = _maybe_convert_labels(y_true)
    return fg.reduce_mean(fg.square(fg.maximum(1.0 - y_true * y_pred, 0.0)), axis=-1)


def hinge(y_true: Any, y_pred: Any) -> Any:
    """``mean(max(1 - y_true * y_pred, 0), axis=-1)``; {0, 1} labels become {-1, 1}."""
    y_true, y_pred = _pair(y_true, y_pred)
    y_true = _maybe_convert_labels(y_true)
    return fg.reduce_mean(fg.maximum(1.0 - y_true * y_pred, 0.0), axis=-1)


def categorical_hinge(y_true: Any, y_pred: Any) -> Any:
    """``max(0, max((1 - y_true) * y_pred) - sum(y_true * y_pred) + 1)`` over the last axis."""
    y_true, y_pred = _pair(y_true, y_pred)
    pos = fg.reduce_sum(y_true * y_pred, axis=-1)
    neg = fg.reduce_max((1.0 - y_true) * y_pred, axis=-1)
    return fg.maximum(0.0, neg - pos + 1.0)


def logcosh(y_true: Any, y_pred: Any) -> Any:
    """``mean(log(cosh(y_pred - y_true)), axis=-1)``, computed stably."""
    y_true, y_pred = _pair(y_true, y_pred)
    x = y_pred - y_true
    log2 = fg.constant(0.6931471805599453, dtype=x.dtype.base_dtype)
    return fg.reduce_mean(x + fg.nn.softplus(-2.0 * x) - log2, axis=-1)


def huber_loss(y_true: Any, y_pred: Any, delta: float = 1.0) -> Any:
    """Element-wise Huber loss ``0.5 * q ** 2 + delta * (|e| - q)``, ``q = min(|e|, delta)``
    (TF 1.15 does not average it over the last axis)."""
    y_pred = fg.cast(y_pred, backend.floatx())
    y_true = fg.cast(y_true, backend.floatx())
    abs_error = fg.abs(y_pred - y_true)
    quadratic = fg.minimum(abs_error, delta)
    linear = abs_error - quadratic
    return 0.5 * quadratic * quadratic + delta * linear


def categorical_crossentropy(y_true: Any, y_pred: Any, from_logits: bool = False,
                             label_smoothing: Any = 0) -> Any:
    """Crossentropy of one-hot (or soft) `y_true` and probabilities (or logits) `y_pred`."""
    y_true, y_pred = _pair(y_true, y_pred)
    if fg.is_tensor(label_smoothing) or label_smoothing:
        smoothing = fg.cast(label_smoothing, y_pred.dtype)
        num_classes = fg.cast(fg.shape(y_true)[-1], y_pred.dtype)
        y_true = y_true * (1.0 - smoothing) + smoothing / num_classes
    return _categorical_crossentropy(y_true, y_pred, from_logits=from_logits)


def sparse_categorical_crossentropy(y_true: Any, y_pred: Any, from_logits: bool = False,
                                    axis: int = -1) -> Any:
    """Crossentropy of integer labels (shape (batch,) or (batch, 1), int or float) and
    probabilities (or logits) `y_pred`."""
    return _sparse_categorical_crossentropy(y_true, y_pred, from_logits=from_logits, axis=axis)


def binary_crossentropy(y_true: Any, y_pred: Any, from_logits: bool = False,
                        label_smoothing: Any = 0) -> Any:
    """``mean(sigmoid_cross_entropy, axis=-1)`` of {0, 1} labels and probabilities/logits."""
    y_true, y_pred = _pair(y_true, y_pred)
    if fg.is_tensor(label_smoothing) or label_smoothing:
        smoothing = fg.cast(label_smoothing, y_pred.dtype)
        y_true = y_true * (1.0 - smoothing) + 0.5 * smoothing
    return fg.reduce_mean(_binary_crossentropy(y_true, y_pred, from_logits=from_logits),
                          axis=-1)


def kullback_leibler_divergence(y_true: Any, y_pred: Any) -> Any:
    """``sum(t * log(t / p), axis=-1)`` with both clipped to ``[epsilon, 1]``."""
    y_true, y_pred = _pair(y_true, y_pred)
    eps = _eps(y_pred.dtype)
    y_true = fg.clip_by_value(y_true, eps, 1.0)
    y_pred = fg.clip_by_value(y_pred, eps, 1.0)
    return fg.reduce_sum(y_true * fg.log(y_true / y_pred), axis=-1)


def poisson(y_true: Any, y_pred: Any) -> Any:
    """``mean(y_pred - y_true * log(y_pred + epsilon), axis=-1)``."""
    y_true, y_pred = _pair(y_true, y_pred)
    return fg.reduce_mean(y_pred - y_true * fg.log(y_pred + _eps(y_pred.dtype)), axis=-1)


def cosine_proximity(y_true: Any, y_pred: Any, axis: int = -1) -> Any:
    """MINUS the cosine similarity of `y_true` and `y_pred` along `axis` (TF 1.15's sign)."""
    y_true, y_pred = _pair(y_true, y_pred)
    y_true = fg.nn.l2_normalize(y_true, axis=axis)
    y_pred = fg.nn.l2_normalize(y_pred, axis=axis)
    return -fg.reduce_sum(y_true * y_pred, axis=axis)


mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence
cosine = cosine_similarity = cosine_proximity


# -- the Loss classes
def _squeeze_to_match(y_pred: Any, y_true: Any) -> tuple:
    """Drops a trailing size-1 axis from the one whose rank is larger by one (statically)."""
    pred_rank, true_rank = y_pred.shape.ndims, y_true.shape.ndims
    if pred_rank is None or true_rank is None:
        return y_pred, y_true
    if pred_rank - true_rank == 1 and y_pred.shape.as_list()[-1] == 1:
        y_pred = fg.squeeze(y_pred, [-1])
    elif true_rank - pred_rank == 1 and y_true.shape.as_list()[-1] == 1:
        y_true = fg.squeeze(y_true, [-1])
    return y_pred, y_true


def compute_weighted_loss(losses: Any, sample_weight: Any = None,
                          reduction: str = Reduction.SUM_OVER_BATCH_SIZE) -> Any:
    """Weights `losses` by `sample_weight` (broadcast; a trailing size-1 axis is matched) and
    reduces them: 'none' keeps them, 'sum' adds them, 'sum_over_batch_size' (and 'auto')
    divides that sum by the number of loss elements."""
    Reduction.validate(reduction)
    losses = fg.convert_to_tensor(losses)
    input_dtype = losses.dtype
    if not input_dtype.is_floating:
        losses = fg.cast(losses, fg.float32)
    if sample_weight is not None:
        losses = losses * _match_weight_rank(fg.cast(sample_weight, losses.dtype), losses)
    if reduction == Reduction.NONE:
        result = losses
    else:
        result = fg.reduce_sum(losses)
        if reduction in (Reduction.SUM_OVER_BATCH_SIZE, Reduction.AUTO):
            result = result / fg.cast(fg.size(losses), losses.dtype)
    return fg.cast(result, input_dtype) if result.dtype != input_dtype else result


class Loss:
    """Base of the loss classes: ``loss(y_true, y_pred, sample_weight=None)`` returns the
    per-sample `call` values weighted and reduced (default: summed over the batch and
    divided by its size)."""

    def __init__(self, reduction: str = Reduction.AUTO, name: Optional[str] = None) -> None:
        Reduction.validate(reduction)
        self.reduction = reduction
        self.name = name

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Any:
        scope = "lambda" if self.name == "<lambda>" else (self.name or type(self).__name__)
        with fg.name_scope(scope):
            losses = self.call(y_true, y_pred)
            return compute_weighted_loss(losses, sample_weight, reduction=self.reduction)

    def call(self, y_true: Any, y_pred: Any) -> Any:
        """The per-sample losses; subclasses define it."""
        raise NotImplementedError(f"{type(self).__name__} must define call(y_true, y_pred).")

    @property
    def fn(self) -> Callable:
        return self.call

    def get_config(self) -> dict:
        return {"reduction": self.reduction, "name": self.name}

    @classmethod
    def from_config(cls, config: dict) -> "Loss":
        return cls(**config)


class LossFunctionWrapper(Loss):
    """A `Loss` whose per-sample values come from the function `fn(y_true, y_pred, **kw)`."""

    def __init__(self, fn: Callable, reduction: str = Reduction.AUTO,
                 name: Optional[str] = None, **kwargs: Any) -> None:
        super().__init__(reduction=reduction, name=name)
        self._fn = fn
        self._fn_kwargs = kwargs

    @property
    def fn(self) -> Callable:
        return self._fn

    def call(self, y_true: Any, y_pred: Any) -> Any:
        if fg.is_tensor(y_pred) and fg.is_tensor(y_true):
            y_pred, y_true = _squeeze_to_match(y_pred, y_true)
        return self._fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self) -> dict:
        config = dict(self._fn_kwargs)
        config.update(super().get_config())
        return config


def _wrapper_class(class_name: str, fn: Callable, default_name: str, doc: str,
                   **defaults: Any) -> type:
    """A LossFunctionWrapper subclass whose __init__ takes `defaults` as keyword arguments
    (in order) before `reduction` and `name`, as TF 1.15's classes."""
    keys = list(defaults)

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        names = keys + ["reduction", "name"]
        if len(args) > len(names):
            raise TypeError(f"{class_name}() takes at most {len(names)} positional "
                            f"arguments ({len(args)} given)")
        values = dict(defaults, reduction=Reduction.AUTO, name=default_name)
        for key, value in zip(names, args):
            values[key] = value
        unknown = set(kwargs) - set(names)
        if unknown:
            raise TypeError(f"{class_name}() got unexpected keyword arguments "
                            f"{sorted(unknown)}; it accepts {names}")
        values.update(kwargs)
        reduction, name = values.pop("reduction"), values.pop("name")
        LossFunctionWrapper.__init__(self, fn, reduction=reduction, name=name, **values)

    return type(class_name, (LossFunctionWrapper,), {"__init__": __init__, "__doc__": doc})


MeanSquaredError = _wrapper_class(
    "MeanSquaredError", mean_squared_error, "mean_squared_error",
    "Mean of squares of errors between labels and predictions.")
MeanAbsoluteError = _wrapper_class(
    "MeanAbsoluteError", mean_absolute_error, "mean_absolute_error",
    "Mean of absolute errors between labels and predictions.")
MeanAbsolutePercentageError = _wrapper_class(
    "MeanAbsolutePercentageError", mean_absolute_percentage_error,
    "mean_absolute_percentage_error", "Mean absolute percentage error.")
MeanSquaredLogarithmicError = _wrapper_class(
    "MeanSquaredLogarithmicError", mean_squared_logarithmic_error,
    "mean_squared_logarithmic_error", "Mean squared logarithmic error.")
BinaryCrossentropy = _wrapper_class(
    "BinaryCrossentropy", binary_crossentropy, "binary_crossentropy",
    "Crossentropy of binary labels and predictions.", from_logits=False, label_smoothing=0)
CategoricalCrossentropy = _wrapper_class(
    "CategoricalCrossentropy", categorical_crossentropy, "categorical_crossentropy",
    "Crossentropy of one-hot labels and predictions.", from_logits=False, label_smoothing=0)
SparseCategoricalCrossentropy = _wrapper_class(
    "SparseCategoricalCrossentropy", sparse_categorical_crossentropy,
    "sparse_categorical_crossentropy", "Crossentropy of integer labels and predictions.",
    from_logits=False)
Hinge = _wrapper_class("Hinge", hinge, "hinge", "Hinge loss.")
SquaredHinge = _wrapper_class("SquaredHinge", squared_hinge, "squared_hinge",
                              "Squared hinge loss.")
CategoricalHinge = _wrapper_class("CategoricalHinge", categorical_hinge, "categorical_hinge",
                                  "Categorical hinge loss.")
Poisson = _wrapper_class("Poisson", poisson, "poisson", "Poisson loss.")
LogCosh = _wrapper_class("LogCosh", logcosh, "logcosh", "Logarithm of the hyperbolic cosine.")
KLDivergence = _wrapper_class("KLDivergence", kullback_leibler_divergence,
                              "kullback_leibler_divergence", "Kullback-Leibler divergence.")
Huber = _wrapper_class("Huber", huber_loss, "huber_loss", "Huber loss.", delta=1.0)
CosineSimilarity = _wrapper_class(
    "CosineSimilarity", cosine_similarity, "cosine_similarity",
    "Negative cosine similarity (TF 1.15's sign).", axis=-1)


# -- lookup
_CLASSES = {cls.__name__: cls for cls in (
    Loss, LossFunctionWrapper, MeanSquaredError, MeanAbsoluteError,
    MeanAbsolutePercentageError, MeanSquaredLogarithmicError, BinaryCrossentropy,
    CategoricalCrossentropy, SparseCategoricalCrossentropy, Hinge, SquaredHinge,
    CategoricalHinge, Poisson, LogCosh, KLDivergence, Huber, CosineSimilarity)}

_FUNCTIONS = {
    "mean_squared_error": mean_squared_error, "mse": mse, "MSE": MSE,
    "mean_absolute_error": mean_absolute_error, "mae": mae, "MAE": MAE,
    "mean_absolute_percentage_error": mape, "mape": mape, "MAPE": MAPE,
    "mean_squared_logarithmic_error": msle, "msle": msle, "MSLE": MSLE,
    "squared_hinge": squared_hinge, "hinge": hinge, "categorical_hinge": categorical_hinge,
    "logcosh": logcosh, "huber_loss": huber_loss,
    "categorical_crossentropy": categorical_crossentropy,
    "sparse_categorical_crossentropy": sparse_categorical_crossentropy,
    "binary_crossentropy": binary_crossentropy,
    "kullback_leibler_divergence": kld, "kld": kld, "KLD": KLD, "poisson": poisson,
    "cosine_proximity": cosine_proximity, "cosine": cosine,
    "cosine_similarity": cosine_similarity,
}


def serialize(loss: Any) -> Any:
    """A loss function's name, or ``{'class_name': ..., 'config': ...}`` of a Loss object."""
    return serialize_object_or_name(loss, Loss, "loss")


def deserialize(name: Any, custom_objects: Optional[dict] = None) -> Any:
    """The loss function named `name` (or the Loss object a serialized dict describes; a
    Loss class name gives an instance with the default arguments)."""
    if isinstance(name, dict):
        return deserialize_object(name, _CLASSES, custom_objects, "loss class")
    if isinstance(name, str):
        try:
            return lookup_object(name, _FUNCTIONS, custom_objects, "loss function")
        except ValueError:
            if name in _CLASSES:
                return _CLASSES[name]()
            raise
    raise ValueError(f"Could not interpret loss function identifier: {name!r}")


def get(identifier: Any) -> Any:
    """None -> None; a name or serialized dict -> the loss; a callable -> itself."""
    if identifier is None:
        return None
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret loss function identifier: {identifier!r}")
