"""`fg.contrib.slim`: the namespace TF1 code imports as ``slim = tf.contrib.slim``.

The layers are `fg.contrib.layers`' functions made arg_scope-aware (each name here is an
`add_arg_scope` wrapper, so ``with slim.arg_scope([slim.conv2d], ...)`` sets their defaults),
plus `arg_scope` and the variable helpers of `fg.contrib.framework`, the initializers and the
regularizers. Variable names are TF1's: ``conv1/weights``, ``conv2/conv2_1/weights``, ...
"""

import functools

from flowgraph.contrib import layers as _layers
from flowgraph.contrib.framework import (  # noqa: F401 - slim re-exports them
    add_arg_scope,
    arg_scope,
    arg_scope_func_key,
    arg_scoped_arguments,
    assign_from_checkpoint,
    assign_from_checkpoint_fn,
    assign_from_values,
    assign_from_values_fn,
    current_arg_scope,
    filter_variables,
    get_local_variables,
    get_model_variables,
    get_or_create_global_step,
    get_trainable_variables,
    get_unique_variable,
    get_variable_full_name,
    get_variables,
    get_variables_by_name,
    get_variables_by_suffix,
    get_variables_to_restore,
    global_variable,
    has_arg_scope,
    local_variable,
    model_variable,
    variable,
)
from flowgraph.contrib.layers import (  # noqa: F401 - slim re-exports them
    apply_regularization,
    l1_l2_regularizer,
    l1_regularizer,
    l2_regularizer,
    repeat,
    stack,
    sum_regularizer,
    variance_scaling_initializer,
    xavier_initializer,
    xavier_initializer_conv2d,
)

avg_pool2d = add_arg_scope(_layers.avg_pool2d)
batch_norm = add_arg_scope(_layers.batch_norm)
bias_add = add_arg_scope(_layers.bias_add)
conv2d = add_arg_scope(_layers.conv2d)
conv2d_transpose = add_arg_scope(_layers.conv2d_transpose)
dropout = add_arg_scope(_layers.dropout)
flatten = add_arg_scope(_layers.flatten)
fully_connected = add_arg_scope(_layers.fully_connected)
group_norm = add_arg_scope(_layers.group_norm)
instance_norm = add_arg_scope(_layers.instance_norm)
layer_norm = add_arg_scope(_layers.layer_norm)
max_pool2d = add_arg_scope(_layers.max_pool2d)
maxout = add_arg_scope(_layers.maxout)
one_hot_encoding = add_arg_scope(_layers.one_hot_encoding)
separable_conv2d = add_arg_scope(_layers.separable_conv2d)
softmax = add_arg_scope(_layers.softmax)
unit_norm = add_arg_scope(_layers.unit_norm)

# TF1's aliases are the same (decorated) objects, so one arg_scope covers both names.
convolution2d = conv2d
convolution2d_transpose = conv2d_transpose
separable_convolution2d = separable_conv2d
linear = functools.partial(fully_connected, activation_fn=None)

__all__ = ["add_arg_scope", "arg_scope", "arg_scope_func_key", "arg_scoped_arguments",
           "current_arg_scope", "has_arg_scope", "assign_from_checkpoint",
           "assign_from_checkpoint_fn", "assign_from_values", "assign_from_values_fn",
           "filter_variables", "get_local_variables", "get_model_variables",
           "get_or_create_global_step", "get_trainable_variables", "get_unique_variable",
           "get_variable_full_name", "get_variables", "get_variables_by_name",
           "get_variables_by_suffix", "get_variables_to_restore", "global_variable",
           "local_variable", "model_variable", "variable", "apply_regularization",
           "l1_l2_regularizer", "l1_regularizer", "l2_regularizer", "sum_regularizer",
           "variance_scaling_initializer", "xavier_initializer", "xavier_initializer_conv2d",
           "repeat", "stack", "avg_pool2d", "batch_norm", "bias_add", "conv2d",
           "conv2d_transpose", "dropout", "flatten", "fully_connected", "group_norm",
           "instance_norm", "layer_norm", "max_pool2d", "maxout", "one_hot_encoding",
           "separable_conv2d", "softmax", "unit_norm", "convolution2d",
           "convolution2d_transpose", "separable_convolution2d", "linear", "losses", "metrics"]

from flowgraph.contrib import metrics  # noqa: E402,F401 - slim.metrics (tf.contrib.metrics)
from flowgraph.contrib import slim_losses as losses  # noqa: E402 - slim.losses (tf.contrib.losses)
