"""`fg.contrib.layers`: the functional layers of TF1's `tf.contrib.layers` that TF1 scripts
commonly use: fully_connected, conv2d, max_pool2d, avg_pool2d, flatten, batch_norm, the
regularizers and the initializers.

Variable names follow TF1: ``fully_connected/weights`` and ``fully_connected/biases``,
``Conv/weights``, ``BatchNorm/beta``, ``BatchNorm/moving_mean``, ... (each call without a
`scope` gets a fresh, uniquified default scope).
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Optional

from flowgraph import dtypes
from flowgraph.contrib import layers_extra as _extra
from flowgraph.contrib import layers_summaries as _summaries
from flowgraph.contrib.layers_extra import *  # noqa: F401,F403
from flowgraph.contrib.layers_extra import _collect, _variable
from flowgraph.contrib.layers_summaries import *  # noqa: F401,F403
from flowgraph.control_flow import cond
from flowgraph.graph import GraphKeys, add_to_collections, name_scope
from flowgraph.initializers import (
    ones_initializer,
    xavier_initializer,
    zeros_initializer,
)
from flowgraph.initializers import (
    variance_scaling_initializer as _core_variance_scaling,
)
from flowgraph.layers.regularizers import (
    apply_regularization,
    l1_l2_regularizer,
    l1_regularizer,
    l2_regularizer,
    sum_regularizer,
)
from flowgraph.nn.activations import relu
from flowgraph.ops.activations import relu6 as _relu6
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.control import identity
from flowgraph.ops.math import multiply
from flowgraph.ops.registry import constant_value
from flowgraph.variable_scope import variable_scope

__all__ = ["fully_connected", "conv2d", "max_pool2d", "avg_pool2d", "flatten", "batch_norm",
           "l1_regularizer", "l2_regularizer", "l1_l2_regularizer", "sum_regularizer",
           "apply_regularization", "xavier_initializer", "xavier_initializer_conv2d",
           "variance_scaling_initializer", "linear", "relu", "relu6"]
__all__ += _extra.__all__ + _summaries.__all__

xavier_initializer_conv2d = xavier_initializer


def variance_scaling_initializer(factor: float = 2.0, mode: str = "FAN_IN",
                                 uniform: bool = False, seed: Optional[int] = None,
                                 dtype: Any = dtypes.float32) -> Any:
    """TF1 contrib's He-style initializer: variance ``factor / n`` with n the fan-in, the
    fan-out or their average (`mode` FAN_IN, FAN_OUT, FAN_AVG); uniform, or a truncated
    normal (contrib's ``stddev = sqrt(1.3 * factor / n)``)."""
    modes = {"FAN_IN": "fan_in", "FAN_OUT": "fan_out", "FAN_AVG": "fan_avg"}
    if mode not in modes:
        raise TypeError(f"Unknown mode {mode!r} [FAN_IN, FAN_OUT, FAN_AVG]")
    # contrib divides fan_avg's variance by the mean fan; the core initializer does too.
    return _core_variance_scaling(factor, modes[mode], "uniform" if uniform else
                                  "truncated_normal", seed, dtype)




def fully_connected(inputs: Any, num_outputs: int, activation_fn: Optional[Callable] = relu,
                    normalizer_fn: Optional[Callable] = None,
                    normalizer_params: Optional[dict] = None,
                    weights_initializer: Any = None, weights_regularizer: Any = None,
                    biases_initializer: Any = zeros_initializer(),
                    biases_regularizer: Any = None, reuse: Any = None,
                    variables_collections: Any = None, outputs_collections: Any = None,
                    trainable: bool = True, scope: Any = None) -> Any:
    """A dense layer, as TF1's `tf.contrib.layers.fully_connected`: ``activation_fn(inputs
    @ weights + biases)`` over the last axis, with `normalizer_fn` (e.g. batch_norm) in place
    of the biases when given. Variables ``<scope>/weights`` [depth, num_outputs] (Xavier
    uniform by default) and ``<scope>/biases`` [num_outputs] (zeros)."""
    from flowgraph.ops.contraction import tensordot
    from flowgraph.ops.linalg import matmul
    from flowgraph.ops.nn_basic import bias_add
    inputs = convert_to_tensor(inputs)
    if not isinstance(num_outputs, int) or isinstance(num_outputs, bool):
        raise ValueError(f"num_outputs should be int or long, got {num_outputs!r}.")
    depth = inputs.shape.with_rank_at_least(2).as_list()[-1]
    if depth is None:
        raise ValueError(f"fully_connected: the last dimension of the inputs must be known, "
                         f"got shape {inputs.shape}")
    dtype = inputs.dtype.base_dtype
    with variable_scope(scope, "fully_connected", [inputs], reuse=reuse):
        weights = _variable("weights", [depth, num_outputs], dtype,
                            weights_initializer or xavier_initializer(dtype=dtype),
                            weights_regularizer, variables_collections, trainable)
        if inputs.shape.ndims == 2:
            outputs = matmul(inputs, weights)
        else:
            outputs = tensordot(inputs, weights, [[inputs.shape.ndims - 1], [0]])
        if normalizer_fn is not None:
            outputs = normalizer_fn(outputs, **(normalizer_params or {}))
        elif biases_initializer is not None:
            biases = _variable("biases", [num_outputs], dtype, biases_initializer,
                               biases_regularizer, variables_collections, trainable)
            outputs = bias_add(outputs, biases)
        if activation_fn is not None:
            outputs = activation_fn(outputs)
        return _collect(outputs, outputs_collections)


def _pair(value: Any, what: str) -> list:
    if isinstance(value, int):
        return [value, value]
    value = list(value)
    if len(value) != 2:
        raise ValueError(f"{what} must be an int or a pair of ints, got {value!r}")
    return [int(v) for v in value]


def conv2d(inputs: Any, num_outputs: int, kernel_size: Any, stride: Any = 1,
           padding: str = "SAME", data_format: Optional[str] = None, rate: Any = 1,
           activation_fn: Optional[Callable] = relu, normalizer_fn: Optional[Callable] = None,
           normalizer_params: Optional[dict] = None, weights_initializer: Any = None,
           weights_regularizer: Any = None, biases_initializer: Any = zeros_initializer(),
           biases_regularizer: Any = None, reuse: Any = None, variables_collections: Any = None,
           outputs_collections: Any = None, trainable: bool = True, scope: Any = None) -> Any:
    """A 2-D convolution layer (NHWC), as TF1's `tf.contrib.layers.conv2d`: variables
    ``Conv/weights`` [kh, kw, in, num_outputs] and ``Conv/biases``."""
    from flowgraph.ops.conv import conv2d as nn_conv2d
    from flowgraph.ops.nn_basic import bias_add
    if data_format not in (None, "NHWC"):
        raise ValueError(f"conv2d: data_format {data_format!r} is not supported; use NHWC")
    inputs = convert_to_tensor(inputs)
    kh, kw = _pair(kernel_size, "kernel_size")
    sh, sw = _pair(stride, "stride")
    rh, rw = _pair(rate, "rate")
    depth = inputs.shape.with_rank(4).as_list()[-1]
    if depth is None:
        raise ValueError(f"conv2d: the channel dimension of the inputs must be known, got "
                         f"shape {inputs.shape}")
    dtype = inputs.dtype.base_dtype
    with variable_scope(scope, "Conv", [inputs], reuse=reuse):
        weights = _variable("weights", [kh, kw, depth, num_outputs], dtype,
                            weights_initializer or xavier_initializer(dtype=dtype),
                            weights_regularizer, variables_collections, trainable)
        outputs = nn_conv2d(inputs, weights, [1, sh, sw, 1], padding.upper(),
                            dilations=[1, rh, rw, 1])
        if normalizer_fn is not None:
            outputs = normalizer_fn(outputs, **(normalizer_params or {}))
        elif biases_initializer is not None:
            biases = _variable("biases", [num_outputs], dtype, biases_initializer,
                               biases_regularizer, variables_collections, trainable)
            outputs = bias_add(outputs, biases)
        if activation_fn is not None:
            outputs = activation_fn(outputs)
        return _collect(outputs, outputs_collections)


def _pool(kind: str, inputs: Any, kernel_size: Any, stride: Any, padding: str,
          data_format: str, outputs_collections: Any, scope: Any) -> Any:
    from flowgraph.ops.pool import avg_pool, max_pool
    if data_format != "NHWC":
        raise ValueError(f"{kind}: data_format {data_format!r} is not supported; use NHWC")
    kh, kw = _pair(kernel_size, "kernel_size")
    sh, sw = _pair(stride, "stride")
    pool = max_pool if kind == "MaxPool2D" else avg_pool
    with name_scope(scope, kind, [inputs]):
        outputs = pool(inputs, [1, kh, kw, 1], [1, sh, sw, 1], padding.upper())
    return _collect(outputs, outputs_collections)


def max_pool2d(inputs: Any, kernel_size: Any, stride: Any = 2, padding: str = "VALID",
               data_format: str = "NHWC", outputs_collections: Any = None,
               scope: Any = None) -> Any:
    """2-D max pooling, as TF1's `tf.contrib.layers.max_pool2d` (stride 2, VALID)."""
    return _pool("MaxPool2D", inputs, kernel_size, stride, padding, data_format,
                 outputs_collections, scope)


def avg_pool2d(inputs: Any, kernel_size: Any, stride: Any = 2, padding: str = "VALID",
               data_format: str = "NHWC", outputs_collections: Any = None,
               scope: Any = None) -> Any:
    """2-D average pooling, as TF1's `tf.contrib.layers.avg_pool2d` (stride 2, VALID)."""
    return _pool("AvgPool2D", inputs, kernel_size, stride, padding, data_format,
                 outputs_collections, scope)


def flatten(inputs: Any, outputs_collections: Any = None, scope: Any = None) -> Any:
    """[batch, ...] -> [batch, k], as TF1's `tf.contrib.layers.flatten`."""
    from flowgraph.layers.core import flatten as layers_flatten
    with name_scope(scope, "Flatten", [inputs]):
        outputs = layers_flatten(inputs)
    return _collect(outputs, outputs_collections)


def _bessel_factor(inputs: Any, variance: Any) -> Any:
    """``n / (n - 1)`` with n the number of values per channel (1 when n is 1, as TF1)."""
    from flowgraph.ops.cast import cast
    from flowgraph.ops.math import maximum
    from flowgraph.ops.shape_ops import size
    n = cast(size(inputs), variance.dtype) / cast(size(variance), variance.dtype)
    return n / maximum(n - 1.0, 1.0)


def batch_norm(inputs: Any, decay: float = 0.999, center: bool = True, scale: bool = False,
               epsilon: float = 0.001, activation_fn: Optional[Callable] = None,
               param_initializers: Optional[dict] = None,
               param_regularizers: Optional[dict] = None,
               updates_collections: Any = GraphKeys.UPDATE_OPS, is_training: Any = True,
               reuse: Any = None, variables_collections: Any = None,
               outputs_collections: Any = None, trainable: bool = True,
               batch_weights: Any = None, fused: Any = None, data_format: str = "NHWC",
               zero_debias_moving_mean: bool = False, scope: Any = None) -> Any:
    """Batch normalization over all axes but the last, as TF1's
    `tf.contrib.layers.batch_norm`. Variables ``BatchNorm/beta`` (center), ``BatchNorm/gamma``
    (scale), ``BatchNorm/moving_mean`` and ``BatchNorm/moving_variance``. When training
    (`is_training` may be a bool tensor), the batch statistics normalize and the moving
    averages are updated by ops put in `updates_collections` (or, when it is None, run
    before the output). `batch_weights` is not supported (a ValueError says so)."""
    from flowgraph.nn.normalization import batch_normalization
    from flowgraph.nn.stats import moments
    from flowgraph.train.moving_averages import assign_moving_average
    if batch_weights is not None:
        raise ValueError("batch_norm: batch_weights is not supported by flowgraph; weight "
                         "the loss instead")
    if data_format != "NHWC":
        raise ValueError(f"batch_norm: data_format {data_format!r} is not supported; use "
                         "NHWC")
    inputs = convert_to_tensor(inputs)
    rank = inputs.shape.ndims
    if rank is None:
        raise ValueError(f"Inputs {inputs.name} has undefined rank.")
    depth = inputs.shape.as_list()[-1]
    if depth is None:
        raise ValueError(f"Inputs {inputs.name} has undefined last dimension "
                         f"{inputs.shape}.")
    dtype = inputs.dtype.base_dtype
    inits = param_initializers or {}
    regs = param_regularizers or {}
    collections = variables_collections or {}

    def param(name: str, default_init: Any, train: bool) -> Any:
        extra = collections.get(name) if isinstance(collections, dict) else collections
        return _variable(name, [depth], dtype, inits.get(name, default_init), regs.get(name),
                         extra, train)

    with variable_scope(scope, "BatchNorm", [inputs], reuse=reuse):
        beta = param("beta", zeros_initializer(), trainable) if center else None
        gamma = param("gamma", ones_initializer(), trainable) if scale else None
        moving_mean = param("moving_mean", zeros_initializer(), False)
        moving_variance = param("moving_variance", ones_initializer(), False)
        training = constant_value(convert_to_tensor(is_training)) \
            if not isinstance(is_training, bool) else is_training
        mean, variance = moments(inputs, list(range(rank - 1)))

        def normalize(m: Any, v: Any) -> Any:
            return batch_normalization(inputs, m, v, beta, gamma, epsilon)

        # TF1 takes the fused kernel for rank 2 and 4 unless fused=False; its batch variance
        # (what the moving average follows) carries Bessel's correction n / (n - 1).
        update_variance = variance
        if fused is not False and rank in (2, 4):
            update_variance = multiply(variance, _bessel_factor(inputs, variance))

        def updates() -> tuple:
            return (assign_moving_average(moving_mean, mean, decay,
                                          zero_debias=zero_debias_moving_mean),
                    assign_moving_average(moving_variance, update_variance, decay,
                                          zero_debias=False))

        if training is not None and not bool(training):
            outputs = normalize(moving_mean, moving_variance)
        else:
            if training is None:  # a bool tensor decides at run time, as TF1's smart_cond
                flag = convert_to_tensor(is_training)
                outputs = cond(flag, lambda: normalize(mean, variance),
                               lambda: normalize(moving_mean, moving_variance))
                update_ops = cond(flag, updates, lambda: (identity(moving_mean),
                                                          identity(moving_variance)))
            else:
                outputs = normalize(mean, variance)
                update_ops = updates()
            if updates_collections is None:
                from flowgraph.graph import get_default_graph
                with get_default_graph().control_dependencies(list(update_ops)):
                    outputs = identity(outputs)
            else:
                for op in update_ops:
                    add_to_collections(updates_collections, op)
        if activation_fn is not None:
            outputs = activation_fn(outputs)
        return _collect(outputs, outputs_collections)


# TF1's shorthands: fully_connected with a fixed activation (bound after the defaults above
# captured the relu activation function).
linear = functools.partial(fully_connected, activation_fn=None)
relu6 = functools.partial(fully_connected, activation_fn=_relu6)
relu = functools.partial(fully_connected, activation_fn=relu)

# separable_conv2d, group_norm, instance_norm, maxout, optimize_loss, ...
from flowgraph.contrib import layers_more as _more  # noqa: E402, I001
from flowgraph.contrib.layers_more import *  # noqa: E402, F401, F403

__all__ += _more.__all__
