"""Small TF1 top-level names: the build constants (`VERSION`, `GRAPH_DEF_VERSION`, ...),
`OpError`, `get_logger`, the deprecated `op_scope` / `variable_op_scope` /
`initialize_variables`, `no_regularizer`, `dimension_at_index`,
`convert_to_tensor_or_sparse_tensor` and `is_symbolic_tensor`; plus the hook that gives
`fg.dtypes` TF1's `tf.dtypes` extras (`bool`, `cast`, `saturate_cast`, `as_string`)."""

from __future__ import annotations

import contextlib
import logging as _py_logging
import types
from typing import Any, Iterator, Optional, Sequence

from flowgraph.errors import OpError
from flowgraph.io.graph_def import (GRAPH_DEF_VERSION, GRAPH_DEF_VERSION_MIN_CONSUMER,
                                    GRAPH_DEF_VERSION_MIN_PRODUCER)
from flowgraph.tf1 import tf_logging
from flowgraph.tf1.alias import TF1_VERSION

__all__ = ["VERSION", "GIT_VERSION", "COMPILER_VERSION", "CXX11_ABI_FLAG", "MONOLITHIC_BUILD",
           "GRAPH_DEF_VERSION", "GRAPH_DEF_VERSION_MIN_CONSUMER",
           "GRAPH_DEF_VERSION_MIN_PRODUCER", "OpError", "get_logger", "op_scope",
           "variable_op_scope", "initialize_variables", "no_regularizer", "dimension_at_index",
           "convert_to_tensor_or_sparse_tensor", "is_symbolic_tensor"]

# The TensorFlow release whose tf.compat.v1 API flowgraph serves (the `tensorflow` alias
# reports the same), and what the build constants of a numpy implementation amount to:
# there is no C++ build, so no compiler, no C++11 ABI and no monolithic build.
VERSION = TF1_VERSION
GIT_VERSION = "flowgraph"
COMPILER_VERSION = "flowgraph"
CXX11_ABI_FLAG = 0
MONOLITHIC_BUILD = 0


def get_logger() -> _py_logging.Logger:
    """The `logging.Logger` named "tensorflow" that `tf.logging` writes to (TF1's
    `tf.get_logger()`); set its level or handlers to control TF1-style log output."""
    return tf_logging._logger()


def TaskLevelStatusMessage(msg: Any) -> None:  # noqa: N802 - TF1's name
    """Logs `msg` at ERROR level (TF1's `tf.logging.TaskLevelStatusMessage`)."""
    tf_logging.error(msg)


@contextlib.contextmanager
def op_scope(values: Optional[Sequence[Any]], name: Optional[str],
             default_name: Optional[str] = None) -> Iterator[str]:
    """DEPRECATED (TF1): `name_scope(name, default_name, values)` with the arguments in
    another order. Yields the scope's name ("foo/")."""
    from flowgraph.graph import name_scope
    tf_logging.warning("tf.op_scope(values, name, default_name) is deprecated, use "
                       "tf.name_scope(name, default_name, values)")
    if name is None and default_name is None:
        raise ValueError(f"At least one of name ({name}) and default_name ({default_name}) "
                         "must be provided.")
    with name_scope(name, default_name=default_name, values=values) as scope:
        yield scope


@contextlib.contextmanager
def variable_op_scope(values: Optional[Sequence[Any]], name_or_scope: Any,
                      default_name: Optional[str] = None, initializer: Any = None,
                      regularizer: Any = None, caching_device: Any = None,
                      partitioner: Any = None, custom_getter: Any = None, reuse: Any = None,
                      dtype: Any = None, use_resource: Any = None,
                      constraint: Any = None) -> Iterator[Any]:
    """DEPRECATED (TF1): `variable_scope(name_or_scope, default_name, values, ...)` with
    `values` first. Yields the VariableScope."""
    from flowgraph.variable_scope import variable_scope
    tf_logging.warning("tf.variable_op_scope(values, name, default_name) is deprecated, use "
                       "tf.variable_scope(name, default_name, values)")
    with variable_scope(name_or_scope, default_name=default_name, values=values,
                        initializer=initializer, regularizer=regularizer,
                        caching_device=caching_device, partitioner=partitioner,
                        custom_getter=custom_getter, reuse=reuse, dtype=dtype,
                        use_resource=use_resource, constraint=constraint) as scope:
        yield scope


def initialize_variables(var_list: Sequence[Any], name: str = "init") -> Any:
    """DEPRECATED (TF1): `variables_initializer(var_list, name)`, an op that initializes
    the Variables of `var_list`."""
    from flowgraph.variables import variables_initializer
    tf_logging.warning("initialize_variables (from tensorflow.python.ops.variables) is "
                       "deprecated and will be removed after 2017-03-02.\nInstructions for "
                       "updating:\nUse `tf.variables_initializer` instead.")
    return variables_initializer(var_list, name=name)


def no_regularizer(_: Any) -> None:
    """A regularizer that adds nothing (returns None): `get_variable(...,
    regularizer=tf.no_regularizer)` turns off the scope's regularizer for one Variable."""
    return None


def dimension_at_index(shape: Any, index: int) -> Any:
    """The `Dimension` at `index` of TensorShape `shape` (an unknown Dimension when the
    rank of `shape` is unknown)."""
    from flowgraph.shapes import Dimension, TensorShape
    if not isinstance(shape, TensorShape):
        raise TypeError(f"dimension_at_index takes a TensorShape, got {type(shape).__name__} "
                        f"{shape!r}; wrap it as tf.TensorShape(...)")
    if shape.dims is None:
        return Dimension(None)
    return shape.dims[index]


def convert_to_tensor_or_sparse_tensor(value: Any, dtype: Any = None,
                                       name: Optional[str] = None) -> Any:
    """`value` as a SparseTensor (a SparseTensorValue is converted, a SparseTensor
    returned as is) or else as a Tensor (`convert_to_tensor`). A SparseTensor whose dtype
    is not `dtype` is a RuntimeError, as TF1."""
    from flowgraph.dtypes import as_dtype
    from flowgraph.ops.constant import convert_to_tensor
    from flowgraph.sparse_tensor import SparseTensor, SparseTensorValue
    if dtype is not None:
        dtype = as_dtype(dtype)
    if isinstance(value, SparseTensorValue):
        value = SparseTensor.from_value(value)
    if isinstance(value, SparseTensor):
        if dtype is not None and not dtype.is_compatible_with(value.dtype):
            raise RuntimeError(f"Sparse dtype mismatch. Requested: {dtype.name},  Actual: "
                               f"{value.dtype.name}")
        return value
    return convert_to_tensor(value, dtype=dtype, name=name)


def is_symbolic_tensor(tensor: Any) -> bool:
    """Whether `tensor` is a graph Tensor (as TF's: False for Variables, SparseTensors,
    numpy arrays and Python values)."""
    from flowgraph.graph import Tensor
    return isinstance(tensor, Tensor)


def add_dtypes_names(module: types.ModuleType) -> None:
    """Gives `module` (flowgraph.dtypes) TF1's `tf.dtypes` names that live elsewhere:
    ``bool`` (set as a global it would shadow the builtin inside that module, so it is
    served by a module `__getattr__`) and the ops `cast`, `saturate_cast`, `as_string`
    (imported on first use: flowgraph.dtypes is imported before the ops)."""
    extras = {"bool": ("flowgraph.dtypes", "bool_"), "cast": ("flowgraph.ops", "cast"),
              "saturate_cast": ("flowgraph.ops", "saturate_cast"),
              "as_string": ("flowgraph.ops", "as_string")}
    previous = module.__dict__.get("__getattr__")

    def __getattr__(name: str) -> Any:  # noqa: N807 - PEP 562 module hook
        if name in extras:
            import importlib
            source, attr = extras[name]
            return getattr(importlib.import_module(source), attr)
        if previous is not None:
            return previous(name)
        raise AttributeError(f"module {module.__name__!r} has no attribute {name!r}")

    def __dir__() -> list:  # noqa: N807 - PEP 562 module hook
        return sorted(set(module.__dict__) | set(extras))

    module.__getattr__ = __getattr__
    module.__dir__ = __dir__
