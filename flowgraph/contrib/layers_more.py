"""Still more of TF1's `tf.contrib.layers`: separable_conv2d (alias separable_convolution2d),
group_norm, instance_norm and maxout, plus optimize_loss (from layers_optimizers).

Scopes, variable names and collections follow TF 1.15: ``SeparableConv2d/depthwise_weights``,
``SeparableConv2d/pointwise_weights``, ``SeparableConv2d/biases``, ``GroupNorm/beta``,
``GroupNorm/gamma``, ``InstanceNorm/beta``, ``InstanceNorm/gamma`` (all model variables);
`variables_collections` may be a list of collection names or a dict keyed by the variable's
short name ("weights", "biases", "beta", "gamma").
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from flowgraph.contrib.layers_extra import _collect, _variable
from flowgraph.contrib.layers_optimizers import (  # noqa: F401 - re-exported
    OPTIMIZER_CLS_NAMES,
    OPTIMIZER_SUMMARIES,
    adaptive_clipping_fn,
    optimize_loss,
)
from flowgraph.initializers import ones_initializer, xavier_initializer, zeros_initializer
from flowgraph.nn.activations import relu
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.variable_scope import variable_scope

__all__ = ["separable_conv2d", "separable_convolution2d", "group_norm", "instance_norm",
           "maxout", "optimize_loss", "adaptive_clipping_fn", "OPTIMIZER_CLS_NAMES",
           "OPTIMIZER_SUMMARIES"]

DATA_FORMAT_NHWC = "NHWC"
DATA_FORMAT_NCHW = "NCHW"


def _collections_for(variables_collections: Any, name: str) -> Any:
    """TF1's utils.get_variable_collections: a dict is looked up by the short name."""
    if isinstance(variables_collections, dict):
        return variables_collections.get(name)
    return variables_collections


def _two(value: Any, what: str) -> tuple:
    """TF1's utils.two_element_tuple: an int, or a list/tuple of two ints."""
    if isinstance(value, (list, tuple)):
        if len(value) != 2:
            raise ValueError(f"{what} must be an int or a list/tuple of length 2, got "
                             f"{value!r}")
        return int(value[0]), int(value[1])
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} must be an int or a list/tuple of two ints, got "
                        f"{value!r}")
    return value, value


def _check_data_format(data_format: Any) -> None:
    if data_format not in (DATA_FORMAT_NCHW, DATA_FORMAT_NHWC):
        raise ValueError(f"data_format has to be either NCHW or NHWC, got {data_format!r}.")


def separable_conv2d(inputs: Any, num_outputs: Optional[int], kernel_size: Any,
                     depth_multiplier: int = 1, stride: Any = 1, padding: str = "SAME",
                     data_format: str = DATA_FORMAT_NHWC, rate: Any = 1,
                     activation_fn: Optional[Callable] = relu,
                     normalizer_fn: Optional[Callable] = None,
                     normalizer_params: Optional[dict] = None,
                     weights_initializer: Any = xavier_initializer(),
                     pointwise_initializer: Any = None, weights_regularizer: Any = None,
                     biases_initializer: Any = zeros_initializer(),
                     biases_regularizer: Any = None, reuse: Any = None,
                     variables_collections: Any = None, outputs_collections: Any = None,
                     trainable: bool = True, scope: Any = None) -> Any:
    """A depthwise-separable 2-D convolution layer, as TF1's
    `tf.contrib.layers.separable_conv2d`.

    A depthwise convolution (variable ``SeparableConv2d/depthwise_weights``
    [kh, kw, in_channels, depth_multiplier]) acts on each channel separately; when
    `num_outputs` is not None a 1x1 pointwise convolution (``.../pointwise_weights``
    [1, 1, in_channels * depth_multiplier, num_outputs]) mixes the channels. Then
    `normalizer_fn` or the biases (``.../biases``), then `activation_fn`.

    Parameters
    ----------
    inputs : Tensor
        [batch, height, width, channels] (NHWC) or [batch, channels, height, width] (NCHW).
    num_outputs : int or None
        Output channels of the pointwise stage; None skips it (the output then has
        ``in_channels * depth_multiplier`` channels).
    kernel_size, stride, rate : int or pair of ints
        The depthwise window, its stride and dilation rate (stride must be 1 if rate > 1).
    pointwise_initializer : initializer
        Defaults to `weights_initializer`; `weights_regularizer` applies to both kernels.

    Returns
    -------
    Tensor
        The layer's output, e.g. [batch, h', w', num_outputs] for NHWC.
    """
    from flowgraph.ops.conv_depthwise import depthwise_conv2d
    from flowgraph.ops.conv_depthwise import separable_conv2d as nn_separable_conv2d
    from flowgraph.ops.nn_basic import bias_add
    _check_data_format(data_format)
    if num_outputs is not None and (isinstance(num_outputs, bool)
                                    or not isinstance(num_outputs, int) or num_outputs < 1):
        raise ValueError(f"num_outputs must be a positive int or None, got {num_outputs!r}")
    if isinstance(depth_multiplier, bool) or not isinstance(depth_multiplier, int) \
            or depth_multiplier < 1:
        raise ValueError(f"depth_multiplier must be a positive int, got {depth_multiplier!r}")
    if not isinstance(padding, str) or padding.upper() not in ("SAME", "VALID"):
        raise ValueError(f"padding must be 'SAME' or 'VALID', got {padding!r}")
    padding = padding.upper()
    kh, kw = _two(kernel_size, "kernel_size")
    sh, sw = _two(stride, "stride")
    rh, rw = _two(rate, "rate")
    nchw = data_format == DATA_FORMAT_NCHW
    with variable_scope(scope, "SeparableConv2d", [inputs], reuse=reuse):
        inputs = convert_to_tensor(inputs)
        if inputs.shape.ndims is not None and inputs.shape.ndims != 4:
            raise ValueError(f"separable_conv2d needs 4-D inputs ({data_format}), got shape "
                             f"{inputs.shape}")
        dims = inputs.shape.with_rank(4).as_list()
        channels = dims[1] if nchw else dims[3]
        if channels is None:
            raise ValueError(f"Inputs {inputs.name} has undefined channel dimension: "
                             f"{inputs.shape}.")
        dtype = inputs.dtype.base_dtype
        weights_collections = _collections_for(variables_collections, "weights")
        depthwise = _variable("depthwise_weights", [kh, kw, channels, depth_multiplier],
                              dtype, weights_initializer, weights_regularizer,
                              weights_collections, trainable)
        strides = [1, 1, sh, sw] if nchw else [1, sh, sw, 1]
        if num_outputs is not None:
            pointwise = _variable("pointwise_weights",
                                  [1, 1, channels * depth_multiplier, num_outputs], dtype,
                                  pointwise_initializer or weights_initializer,
                                  weights_regularizer, weights_collections, trainable)
            outputs = nn_separable_conv2d(inputs, depthwise, pointwise, strides, padding,
                                          rate=[rh, rw], data_format=data_format)
        else:
            outputs = depthwise_conv2d(inputs, depthwise, strides, padding, rate=[rh, rw],
                                       data_format=data_format)
            num_outputs = channels * depth_multiplier
        if normalizer_fn is not None:
            outputs = normalizer_fn(outputs, **(normalizer_params or {}))
        elif biases_initializer is not None:
            biases = _variable("biases", [num_outputs], dtype, biases_initializer,
                               biases_regularizer,
                               _collections_for(variables_collections, "biases"), trainable)
            outputs = bias_add(outputs, biases, data_format=data_format)
        if activation_fn is not None:
            outputs = activation_fn(outputs)
        return _collect(outputs, outputs_collections)


separable_convolution2d = separable_conv2d


def _norm_params(channels: int, dtype: Any, center: bool, scale: bool,
                 param_initializers: Optional[dict], variables_collections: Any,
                 trainable: bool) -> tuple:
    """The beta and gamma model variables [channels] of instance_norm / group_norm."""
    inits = param_initializers or {}
    beta = gamma = None
    if center:
        beta = _variable("beta", [channels], dtype, inits.get("beta", zeros_initializer()),
                         None, _collections_for(variables_collections, "beta"), trainable)
    if scale:
        gamma = _variable("gamma", [channels], dtype, inits.get("gamma", ones_initializer()),
                          None, _collections_for(variables_collections, "gamma"), trainable)
    return beta, gamma


def instance_norm(inputs: Any, center: bool = True, scale: bool = True,
                  epsilon: float = 1e-6, activation_fn: Optional[Callable] = None,
                  param_initializers: Optional[dict] = None, reuse: Any = None,
                  variables_collections: Any = None, outputs_collections: Any = None,
                  trainable: bool = True, data_format: str = DATA_FORMAT_NHWC,
                  scope: Any = None) -> Any:
    """Instance normalization, as TF1's `tf.contrib.layers.instance_norm`: each example and
    channel is normalized by its own mean and variance over the remaining (spatial) axes,
    then scaled by ``InstanceNorm/gamma`` and shifted by ``InstanceNorm/beta`` (one per
    channel).

    Parameters
    ----------
    inputs : Tensor
        Rank >= 2 with the batch first; channels last (NHWC) or second (NCHW).
    epsilon : float
        Added to the variance before the square root.

    Returns
    -------
    Tensor
        ``(x - mean) / sqrt(variance + epsilon) * gamma + beta``, of the shape of `inputs`.
    """
    from flowgraph.nn.normalization import batch_normalization
    from flowgraph.nn.stats import moments
    from flowgraph.ops.shape_ops import reshape
    inputs = convert_to_tensor(inputs)
    rank = inputs.shape.ndims
    if rank is None:
        raise ValueError(f"Inputs {inputs.name} has undefined rank.")
    _check_data_format(data_format)
    if rank < 2:
        raise ValueError(f"instance_norm needs inputs of rank >= 2 (batch first), got shape "
                         f"{inputs.shape}")
    with variable_scope(scope, "InstanceNorm", [inputs], reuse=reuse):
        axis = 1 if data_format == DATA_FORMAT_NCHW else rank - 1
        channels = inputs.shape.as_list()[axis]
        if channels is None:
            raise ValueError(f"Inputs {inputs.name} has undefined channels dimension "
                             f"{inputs.shape}.")
        beta, gamma = _norm_params(channels, inputs.dtype.base_dtype, center, scale,
                                   param_initializers, variables_collections, trainable)
        if data_format == DATA_FORMAT_NCHW:
            broadcast = [1, channels] + [1] * (rank - 2)
            beta = None if beta is None else reshape(beta, broadcast)
            gamma = None if gamma is None else reshape(gamma, broadcast)
        moments_axes = [a for a in range(1, rank) if a != axis]
        mean, variance = moments(inputs, moments_axes, keep_dims=True)
        outputs = batch_normalization(inputs, mean, variance, beta, gamma, epsilon,
                                      name="instancenorm")
        if activation_fn is not None:
            outputs = activation_fn(outputs)
        return _collect(outputs, outputs_collections)


def _shape_list(inputs: Any) -> list:
    """The static dims of `inputs`, with a dynamic scalar where a dim is unknown."""
    from flowgraph.ops.shape_ops import shape
    dims = inputs.shape.as_list()
    dynamic = shape(inputs) if None in dims else None
    return [d if d is not None else dynamic[i] for i, d in enumerate(dims)]


def _as_shape(dims: list) -> Any:
    if any(not isinstance(d, int) for d in dims):
        from flowgraph.ops.array import stack
        return stack(dims)
    return dims


def group_norm(inputs: Any, groups: int = 32, channels_axis: int = -1,
               reduction_axes: Any = (-3, -2), center: bool = True, scale: bool = True,
               epsilon: float = 1e-6, activation_fn: Optional[Callable] = None,
               param_initializers: Optional[dict] = None, reuse: Any = None,
               variables_collections: Any = None, outputs_collections: Any = None,
               trainable: bool = True, scope: Any = None,
               mean_close_to_zero: bool = False) -> Any:
    """Group normalization, as TF1's `tf.contrib.layers.group_norm`: the channels of
    `channels_axis` are split into `groups` groups of consecutive channels, and each group
    is normalized by its mean and variance over its channels and `reduction_axes`
    (separately for every index of the other axes, e.g. each example); then per-channel
    ``GroupNorm/gamma`` and ``GroupNorm/beta``.

    Parameters
    ----------
    inputs : Tensor
        Rank >= 2; the channel and reduction dimensions must be known.
    groups : int
        Must divide the number of channels (and not exceed it).
    channels_axis, reduction_axes : int, sequence of ints
        NHWC: -1 and (-3, -2) (the defaults); NCHW: -3 and (-2, -1).
    mean_close_to_zero : bool
        Compute the variance from sums of squares (nn.sufficient_statistics) instead of
        nn.moments.

    Returns
    -------
    Tensor
        Of the shape of `inputs`.
    """
    from flowgraph.nn.nn_extra import normalize_moments, sufficient_statistics
    from flowgraph.nn.stats import moments
    from flowgraph.ops.shape_ops import reshape
    from flowgraph.ops.unary import rsqrt
    inputs = convert_to_tensor(inputs)
    rank = inputs.shape.ndims
    if rank is None:
        raise ValueError(f"Inputs {inputs.name} has undefined rank.")
    if isinstance(groups, bool) or not isinstance(groups, int) or groups < 1:
        raise ValueError(f"groups must be a positive int, got {groups!r}")
    if not -rank <= channels_axis < rank:
        raise ValueError(f"Axis is out of bounds: channels_axis {channels_axis} for inputs "
                         f"of rank {rank}.")
    channels_axis %= rank
    channels = inputs.shape.as_list()[channels_axis]
    if channels is None:
        raise ValueError(f"Inputs {inputs.name} has undefined channel dimension: "
                         f"{channels_axis}.")
    axes = []
    for a in reduction_axes:
        if not -rank <= a < rank:
            raise ValueError(f"Axis is out of bounds: reduction axis {a} for inputs of rank "
                             f"{rank}.")
        a %= rank
        if inputs.shape.as_list()[a] is None:
            raise ValueError(f"Inputs {inputs.name} has undefined dimensions {a}.")
        if a == channels_axis:
            raise ValueError("reduction_axis must be mutually exclusive with channels_axis")
        axes.append(a)
    if groups > channels:
        raise ValueError(f"Invalid groups {groups} for {channels} channels.")
    if channels % groups:
        raise ValueError(f"{channels} channels is not commensurate with {groups} groups.")

    dims = _shape_list(inputs)
    before, after = dims[:channels_axis], dims[channels_axis + 1:]
    broadcast = [1] * len(before) + [groups, channels // groups] + [1] * len(after)
    inputs = reshape(inputs, _as_shape(before + [groups, channels // groups] + after))
    moments_axes = [channels_axis + 1] + [a + 1 if a > channels_axis else a for a in axes]

    with variable_scope(scope, "GroupNorm", [inputs], reuse=reuse):
        beta, gamma = _norm_params(channels, inputs.dtype.base_dtype, center, scale,
                                   param_initializers, variables_collections, trainable)
        beta = None if beta is None else reshape(beta, broadcast)
        gamma = None if gamma is None else reshape(gamma, broadcast)
        if mean_close_to_zero:
            counts, mean_ss, variance_ss, _ = sufficient_statistics(inputs, moments_axes,
                                                                    keep_dims=True)
            mean, variance = normalize_moments(counts, mean_ss, variance_ss, shift=None)
        else:
            mean, variance = moments(inputs, moments_axes, keep_dims=True)
        gain = rsqrt(variance + epsilon)
        offset = -mean * gain
        if gamma is not None:
            gain = gain * gamma
            offset = offset * gamma
        if beta is not None:
            offset = offset + beta
        outputs = reshape(inputs * gain + offset, _as_shape(dims))
        if activation_fn is not None:
            outputs = activation_fn(outputs)
        return _collect(outputs, outputs_collections)


def maxout(inputs: Any, num_units: int, axis: int = -1, scope: Any = None) -> Any:
    """Maxout, as TF1's `tf.contrib.layers.maxout` (variable scope "MaxOut"): the size C of
    `axis` becomes `num_units`, and a new last axis of size C / num_units is reduced by max.

    For the last axis (the usual case) output channel i is the maximum of input channels
    ``i * k ... i * k + k - 1`` (k = C / num_units). For another axis this is TF1's plain
    reshape ``shape[axis] = num_units; shape += [k]``, which mixes in the following
    dimensions exactly as TF1 does.

    Raises ValueError when C is unknown or not a multiple of `num_units`.
    """
    from flowgraph.ops.reduce import reduce_max
    from flowgraph.ops.shape_ops import reshape
    with variable_scope(scope, "MaxOut", [inputs]):
        inputs = convert_to_tensor(inputs)
        if inputs.shape.ndims is None:
            raise ValueError(f"maxout needs inputs of known rank, got {inputs.name} of "
                             "unknown shape")
        rank = inputs.shape.ndims
        if not -rank <= axis < rank:
            raise ValueError(f"maxout axis {axis} is out of range for inputs of rank {rank}")
        if isinstance(num_units, bool) or not isinstance(num_units, int) or num_units < 1:
            raise ValueError(f"num_units must be a positive int, got {num_units!r}")
        num_channels = inputs.shape.as_list()[axis]
        if num_channels is None:
            raise ValueError(f"maxout needs the size of axis {axis} known, got shape "
                             f"{inputs.shape}")
        if num_channels % num_units:
            raise ValueError(f"number of features({num_channels}) is not a multiple of "
                             f"num_units({num_units})")
        dims = _shape_list(inputs)
        dims[axis] = num_units
        dims.append(num_channels // num_units)
        return reduce_max(reshape(inputs, _as_shape(dims)), -1, keepdims=False)

