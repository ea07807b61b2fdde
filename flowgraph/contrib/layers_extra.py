"""More of TF1's `tf.contrib.layers`: conv2d_transpose, layer_norm, dropout, bias_add,
embed_sequence, one_hot_encoding, unit_norm, softmax, repeat, stack and the
``linear``/``relu``/``relu6`` shorthands of fully_connected.

Scopes and variable names follow TF1 (``Conv2d_transpose/weights``, ``LayerNorm/beta``,
``EmbedSequence/embeddings``, ``Repeat/fully_connected_1/weights``).
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from flowgraph import dtypes
from flowgraph.graph import GraphKeys, add_to_collections, name_scope
from flowgraph.initializers import ones_initializer, xavier_initializer, zeros_initializer
from flowgraph.nn.activations import relu
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.variable_scope import get_variable, variable_scope

__all__ = ["conv2d_transpose", "layer_norm", "dropout", "bias_add", "embed_sequence",
           "one_hot_encoding", "unit_norm", "softmax", "repeat", "stack"]


def _collect(outputs: Any, collections: Any) -> Any:
    if collections:
        add_to_collections(collections, outputs)
    return outputs



def _variable(name: str, shape: list, dtype: Any, initializer: Any, regularizer: Any,
              collections: Any, trainable: bool) -> Any:
    extra = [collections] if isinstance(collections, str) else list(collections or [])
    return get_variable(name, shape=shape, dtype=dtype, initializer=initializer,
                        regularizer=regularizer, trainable=trainable,
                        collections=[GraphKeys.GLOBAL_VARIABLES, GraphKeys.MODEL_VARIABLES]
                        + extra)


def _pair(value: Any, what: str) -> list:
    if isinstance(value, int):
        return [value, value]
    value = list(value)
    if len(value) != 2:
        raise ValueError(f"{what} must be an int or a pair of ints, got {value!r}")
    return [int(v) for v in value]


def conv2d_transpose(inputs: Any, num_outputs: int, kernel_size: Any, stride: Any = 1,
                     padding: str = "SAME", data_format: str = "NHWC",
                     activation_fn: Optional[Callable] = relu,
                     normalizer_fn: Optional[Callable] = None,
                     normalizer_params: Optional[dict] = None,
                     weights_initializer: Any = None, weights_regularizer: Any = None,
                     biases_initializer: Any = zeros_initializer(),
                     biases_regularizer: Any = None, reuse: Any = None,
                     variables_collections: Any = None, outputs_collections: Any = None,
                     trainable: bool = True, scope: Any = None) -> Any:
    """A transposed 2-D convolution (NHWC), as TF1's `tf.contrib.layers.conv2d_transpose`:
    variables ``Conv2d_transpose/weights`` [kh, kw, num_outputs, in] and ``.../biases``.
    The output's spatial size is ``in * stride`` (SAME) or ``in * stride + max(k - stride,
    0)`` (VALID)."""
    from flowgraph.ops.array import stack as pack
    from flowgraph.ops.nn_basic import bias_add as nn_bias_add
    from flowgraph.ops.shape_ops import shape as dyn_shape
    if data_format != "NHWC":
        raise ValueError(f"conv2d_transpose: data_format {data_format!r} is not supported; "
                         "use NHWC")
    padding = padding.upper()
    if padding not in ("SAME", "VALID"):
        raise ValueError(f"padding must be 'SAME' or 'VALID', got {padding!r}")
    inputs = convert_to_tensor(inputs)
    kh, kw = _pair(kernel_size, "kernel_size")
    sh, sw = _pair(stride, "stride")
    dims = inputs.shape.with_rank(4).as_list()
    if dims[-1] is None:
        raise ValueError(f"conv2d_transpose: the channel dimension of the inputs must be "
                         f"known, got shape {inputs.shape}")
    dtype = inputs.dtype.base_dtype

    def out_len(n: Any, k: int, s: int) -> Any:
        return n * s if padding == "SAME" else n * s + max(k - s, 0)

    with variable_scope(scope, "Conv2d_transpose", [inputs], reuse=reuse):
        weights = _variable("weights", [kh, kw, num_outputs, dims[-1]], dtype,
                                  weights_initializer or xavier_initializer(dtype=dtype),
                                  weights_regularizer, variables_collections, trainable)
        dyn = dyn_shape(inputs)
        h = dims[1] if dims[1] is not None else dyn[1]
        w = dims[2] if dims[2] is not None else dyn[2]
        batch = dims[0] if dims[0] is not None else dyn[0]
        output_shape = pack([batch, out_len(h, kh, sh), out_len(w, kw, sw), num_outputs])
        from flowgraph.nn import conv2d_transpose as nn_conv2d_transpose
        outputs = nn_conv2d_transpose(inputs, weights, output_shape, [1, sh, sw, 1],
                                      padding=padding)
        static = [dims[0], None if dims[1] is None else out_len(dims[1], kh, sh),
                  None if dims[2] is None else out_len(dims[2], kw, sw), num_outputs]
        outputs.set_shape(static)
        if normalizer_fn is not None:
            outputs = normalizer_fn(outputs, **(normalizer_params or {}))
        elif biases_initializer is not None:
            biases = _variable("biases", [num_outputs], dtype, biases_initializer,
                                     biases_regularizer, variables_collections, trainable)
            outputs = nn_bias_add(outputs, biases)
        if activation_fn is not None:
            outputs = activation_fn(outputs)
        return _collect(outputs, outputs_collections)


def layer_norm(inputs: Any, center: bool = True, scale: bool = True,
               activation_fn: Optional[Callable] = None, reuse: Any = None,
               variables_collections: Any = None, outputs_collections: Any = None,
               trainable: bool = True, begin_norm_axis: int = 1, begin_params_axis: int = -1,
               scope: Any = None) -> Any:
    """Layer normalization, as TF1's `tf.contrib.layers.layer_norm`: moments over axes
    ``begin_norm_axis:`` (per example), then ``gamma * x_hat + beta`` with variables
    ``LayerNorm/beta`` and ``LayerNorm/gamma`` of shape ``inputs.shape[begin_params_axis:]``
    (variance epsilon 1e-12)."""
    from flowgraph.nn.normalization import batch_normalization
    from flowgraph.nn.stats import moments
    with variable_scope(scope, "LayerNorm", [inputs], reuse=reuse):
        inputs = convert_to_tensor(inputs)
        rank = inputs.shape.ndims
        if rank is None:
            raise ValueError(f"Inputs {inputs.name} has undefined rank.")
        if begin_norm_axis < 0:
            begin_norm_axis = rank + begin_norm_axis
        if begin_params_axis >= rank or begin_norm_axis >= rank:
            raise ValueError(f"begin_params_axis ({begin_params_axis}) and begin_norm_axis "
                             f"({begin_norm_axis}) must be < rank(inputs) ({rank})")
        params_shape = inputs.shape[begin_params_axis:]
        if not params_shape.is_fully_defined():
            raise ValueError(f"Inputs {inputs.name}: shape(inputs)[{begin_params_axis}:] is "
                             f"not fully defined: {params_shape}")
        dims = params_shape.as_list()
        dtype = inputs.dtype.base_dtype
        extra = variables_collections or {}

        def param(name: str, init: Any) -> Any:
            col = extra.get(name) if isinstance(extra, dict) else extra
            return _variable(name, dims, dtype, init, None, col, trainable)

        beta = param("beta", zeros_initializer()) if center else None
        gamma = param("gamma", ones_initializer()) if scale else None
        mean, variance = moments(inputs, list(range(begin_norm_axis, rank)), keep_dims=True)
        outputs = batch_normalization(inputs, mean, variance, offset=beta, scale=gamma,
                                      variance_epsilon=1e-12)
        outputs.set_shape(inputs.shape)
        if activation_fn is not None:
            outputs = activation_fn(outputs)
        return _collect(outputs, outputs_collections)


def dropout(inputs: Any, keep_prob: Any = 0.5, noise_shape: Any = None,
            is_training: Any = True, outputs_collections: Any = None, scope: Any = None,
            seed: Optional[int] = None) -> Any:
    """Dropout keeping each value with probability `keep_prob` (kept values scaled by
    ``1 / keep_prob``) when `is_training` (a bool or a bool tensor), the identity otherwise,
    as TF1's `tf.contrib.layers.dropout` (scope "Dropout")."""
    from flowgraph.layers.core import Dropout
    with variable_scope(scope, "Dropout", [inputs]) as sc:
        inputs = convert_to_tensor(inputs)
        layer = Dropout(rate=1 - keep_prob, noise_shape=noise_shape, seed=seed,
                        name=sc.name, _scope=sc)
        outputs = layer.apply(inputs, training=is_training)
        return _collect(outputs, outputs_collections)


def bias_add(inputs: Any, activation_fn: Optional[Callable] = None,
             initializer: Any = zeros_initializer(), regularizer: Any = None,
             reuse: Any = None, variables_collections: Any = None,
             outputs_collections: Any = None, trainable: bool = True,
             data_format: str = "NHWC", scope: Any = None) -> Any:
    """Adds a learned ``BiasAdd/biases`` vector over the last axis, as TF1's
    `tf.contrib.layers.bias_add`."""
    from flowgraph.ops.nn_basic import bias_add as nn_bias_add
    if data_format != "NHWC":
        raise ValueError(f"bias_add: data_format {data_format!r} is not supported; use NHWC")
    with variable_scope(scope, "BiasAdd", [inputs], reuse=reuse):
        inputs = convert_to_tensor(inputs)
        if inputs.shape.ndims is None or inputs.shape.ndims < 2:
            raise ValueError("Dims of shape must be known but is None" if
                             inputs.shape.ndims is None else
                             f"bias_add: inputs must have rank at least 2, got shape "
                             f"{inputs.shape}")
        depth = inputs.shape.as_list()[-1]
        if depth is None:
            raise ValueError(f"`C` dimension must be known but is None (shape "
                             f"{inputs.shape})")
        biases = _variable("biases", [depth], inputs.dtype.base_dtype, initializer,
                                 regularizer, variables_collections, trainable)
        outputs = nn_bias_add(inputs, biases)
        if activation_fn is not None:
            outputs = activation_fn(outputs)
        return _collect(outputs, outputs_collections)


def embed_sequence(ids: Any, vocab_size: Optional[int] = None,
                   embed_dim: Optional[int] = None, unique: bool = False,
                   initializer: Any = None, regularizer: Any = None, trainable: bool = True,
                   scope: Any = None, reuse: Any = None) -> Any:
    """Maps [batch, length] ids to [batch, length, embed_dim] through the variable
    ``EmbedSequence/embeddings`` [vocab_size, embed_dim], as TF1's
    `tf.contrib.layers.embed_sequence`."""
    from flowgraph.nn import embedding_lookup
    if not (reuse or (vocab_size and embed_dim)):
        raise ValueError("Must specify vocab size and embedding dimension when not "
                         f"reusing. Got vocab_size={vocab_size} and embed_dim={embed_dim}")
    with variable_scope(scope, "EmbedSequence", [ids], reuse=reuse):
        shape = [vocab_size, embed_dim] if vocab_size and embed_dim else None
        embeddings = _variable("embeddings", shape, dtypes.float32, initializer,
                                     regularizer, None, trainable)
        # `unique` only deduplicates the lookup in TF1; the values are the same.
        return embedding_lookup(embeddings, ids)


def one_hot_encoding(labels: Any, num_classes: int, on_value: float = 1.0,
                     off_value: float = 0.0, outputs_collections: Any = None,
                     scope: Any = None) -> Any:
    """float32 one-hot of integer `labels` (scope "OneHotEncoding"), as TF1's
    `tf.contrib.layers.one_hot_encoding`."""
    from flowgraph.ops.cast import cast
    from flowgraph.ops.masking import one_hot
    with name_scope(scope, "OneHotEncoding", [labels, num_classes]):
        labels = convert_to_tensor(labels)
        if labels.dtype == dtypes.int32:
            labels = cast(labels, dtypes.int64)
        outputs = one_hot(labels, num_classes, on_value=on_value, off_value=off_value)
        return _collect(outputs, outputs_collections)


def unit_norm(inputs: Any, dim: int, epsilon: float = 1e-7, scope: Any = None) -> Any:
    """``inputs / sqrt(epsilon + sum(inputs ** 2, dim))``, as TF1's
    `tf.contrib.layers.unit_norm` (scope "UnitNorm")."""
    from flowgraph.ops.math import add
    from flowgraph.ops.reduce import reduce_sum
    from flowgraph.ops.unary import sqrt, square
    with variable_scope(scope, "UnitNorm", [inputs]):
        inputs = convert_to_tensor(inputs)
        rank = inputs.shape.ndims
        if rank is None:
            raise ValueError("The input rank must be known.")
        if dim < 0 or dim >= rank:
            raise ValueError(f"dim must be positive but smaller than the input rank "
                             f"({rank}), got {dim}")
        lengths = sqrt(add(epsilon, reduce_sum(square(inputs), dim, keepdims=True)))
        return inputs / lengths


def softmax(logits: Any, scope: Any = None) -> Any:
    """Softmax over the last axis of an N-D tensor (scope "softmax"), as TF1's
    `tf.contrib.layers.softmax`."""
    from flowgraph.ops.softmax import softmax as nn_softmax
    with variable_scope(scope, "softmax", [logits]):
        logits = convert_to_tensor(logits)
        if logits.shape.ndims is None or logits.shape.ndims < 2:
            raise ValueError(f"softmax: logits must have rank at least 2, got shape "
                             f"{logits.shape}")
        outputs = nn_softmax(logits)
        outputs.set_shape(logits.shape)
        return outputs


def _layer_name(layer: Any, default: str) -> str:
    if hasattr(layer, "__name__"):
        return layer.__name__
    if hasattr(layer, "func") and hasattr(layer.func, "__name__"):
        return layer.func.__name__  # a functools.partial
    return default


def repeat(inputs: Any, repetitions: int, layer: Callable, *args: Any, **kwargs: Any) -> Any:
    """Applies `layer` `repetitions` times, the i-th in scope ``<name>_<i>`` inside
    "Repeat" (``Repeat/conv2d_1/weights``...), as TF1's `tf.contrib.layers.repeat`."""
    scope = kwargs.pop("scope", None)
    with variable_scope(scope, "Repeat", [inputs]):
        outputs = convert_to_tensor(inputs)
        base = scope if scope is not None else _layer_name(layer, "repeat")
        for i in range(repetitions):
            kwargs["scope"] = f"{base}_{i + 1}"
            outputs = layer(outputs, *args, **kwargs)
        return outputs


def stack(inputs: Any, layer: Callable, stack_args: Any, **kwargs: Any) -> Any:
    """Applies `layer` once per entry of `stack_args` (a tuple entry is unpacked as
    positional arguments), the i-th in scope ``<name>_<i>`` inside "Stack", as TF1's
    `tf.contrib.layers.stack`."""
    scope = kwargs.pop("scope", None)
    if not isinstance(stack_args, (list, tuple)):
        raise ValueError("stack_args need to be a list or tuple")
    with variable_scope(scope, "Stack", [inputs]):
        outputs = convert_to_tensor(inputs)
        base = scope if scope is not None else _layer_name(layer, "stack")
        for i, args in enumerate(stack_args):
            kwargs["scope"] = f"{base}_{i + 1}"
            if not isinstance(args, (list, tuple)):
                args = [args]
            outputs = layer(outputs, *args, **kwargs)
        return outputs
