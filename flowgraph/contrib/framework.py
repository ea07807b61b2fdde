"""`fg.contrib.framework`: TF1's `tf.contrib.framework`: `arg_scope` / `add_arg_scope`, the
variable helpers (`get_variables_to_restore`, `model_variable`, `assign_from_checkpoint_fn`,
...), the global-step functions and `nest`."""

from flowgraph.contrib.framework_arg_scope import (
    add_arg_scope,
    arg_scope,
    arg_scope_func_key,
    arg_scoped_arguments,
    current_arg_scope,
    has_arg_scope,
)
from flowgraph.contrib.framework_variables import (
    assign_from_checkpoint,
    assign_from_checkpoint_fn,
    assign_from_values,
    assign_from_values_fn,
    filter_variables,
    get_local_variables,
    get_model_variables,
    get_trainable_variables,
    get_unique_variable,
    get_variable_full_name,
    get_variables,
    get_variables_by_name,
    get_variables_by_suffix,
    get_variables_to_restore,
    global_variable,
    local_variable,
    model_variable,
    variable,
)
from flowgraph.control_flow import nest
from flowgraph.train.training_util import (
    assert_global_step,
    create_global_step,
    get_global_step,
    get_or_create_global_step,
)

__all__ = ["add_arg_scope", "arg_scope", "arg_scope_func_key", "arg_scoped_arguments",
           "current_arg_scope", "has_arg_scope", "assign_from_checkpoint",
           "assign_from_checkpoint_fn", "assign_from_values", "assign_from_values_fn",
           "filter_variables", "get_local_variables", "get_model_variables",
           "get_trainable_variables", "get_unique_variable", "get_variable_full_name",
           "get_variables", "get_variables_by_name", "get_variables_by_suffix",
           "get_variables_to_restore", "global_variable", "local_variable", "model_variable",
           "variable", "nest", "assert_global_step", "create_global_step", "get_global_step",
           "get_or_create_global_step"]
