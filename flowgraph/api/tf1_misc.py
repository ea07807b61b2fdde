"""Small TF1 top-level helpers: the v1/v2 behaviour switches (graph mode is the only mode
here, so they are no-ops, and turning eager execution on is an error), `is_tensor`,
`get_static_value` and `convert_to_tensor_or_indexed_slices`."""

from __future__ import annotations

from typing import Any, Optional

__all__ = ["disable_v2_behavior", "enable_v2_behavior", "disable_eager_execution",
           "enable_eager_execution", "executing_eagerly", "disable_resource_variables",
           "enable_resource_variables", "resource_variables_enabled",
           "disable_tensor_equality", "enable_tensor_equality", "disable_v2_tensorshape",
           "enable_v2_tensorshape", "disable_control_flow_v2", "enable_control_flow_v2",
           "control_flow_v2_enabled", "executing_eagerly_outside_functions", "is_tensor",
           "get_static_value", "convert_to_tensor_or_indexed_slices"]


def disable_v2_behavior() -> None:
    """No-op: flowgraph always behaves as TF1 (graph mode, v1 names)."""


def disable_eager_execution() -> None:
    """No-op: flowgraph only runs graphs."""


def disable_resource_variables() -> None:
    """No-op: flowgraph's Variables are TF1's (ref) Variables."""


def disable_tensor_equality() -> None:
    """No-op: Tensors compare by identity, as TF1's."""


def disable_v2_tensorshape() -> None:
    """No-op: TensorShapes index to Dimensions, as TF1's."""


def disable_control_flow_v2() -> None:
    """No-op (flowgraph has one control-flow implementation)."""


def enable_control_flow_v2() -> None:
    """No-op (flowgraph has one control-flow implementation)."""


def _no_v2(*args: Any, **kwargs: Any) -> None:
    raise RuntimeError("TF2 behaviour (eager execution, resource variables, v2 tensor "
                       "shapes and equality) is not available in flowgraph, which runs TF1 "
                       "graph mode; remove the call.")


enable_v2_behavior = _no_v2
enable_eager_execution = _no_v2
enable_resource_variables = _no_v2
enable_tensor_equality = _no_v2
enable_v2_tensorshape = _no_v2


def executing_eagerly() -> bool:
    """False: flowgraph builds graphs."""
    return False


def executing_eagerly_outside_functions() -> bool:
    """False: flowgraph builds graphs."""
    return False


def resource_variables_enabled() -> bool:
    """False: flowgraph's Variables are TF1's ref Variables."""
    return False


def control_flow_v2_enabled() -> bool:
    """False, as TF1 (flowgraph's functional cond/while are an implementation detail)."""
    return False


def is_tensor(x: Any) -> bool:
    """Whether x is a Tensor-like graph value (Tensor, SparseTensor, IndexedSlices or
    Variable), as TF1's `tf.is_tensor`."""
    from flowgraph.graph import Tensor
    from flowgraph.indexed_slices import IndexedSlices
    from flowgraph.sparse_tensor import SparseTensor
    return isinstance(x, (Tensor, SparseTensor, IndexedSlices)) or hasattr(x, "__fg_tensor__")


def get_static_value(tensor: Any, partial: bool = False) -> Optional[Any]:
    """The value of `tensor` as a numpy array if it is known when the graph is built, else
    None (numpy values and Python numbers are returned as arrays)."""
    import numpy as np

    from flowgraph.graph import Tensor
    from flowgraph.ops.registry import constant_value
    if isinstance(tensor, Tensor) or hasattr(tensor, "__fg_tensor__"):
        if hasattr(tensor, "_variable"):
            return None  # a Variable's value is only known in a Session
        return constant_value(tensor)
    return np.asarray(tensor)


def convert_to_tensor_or_indexed_slices(value: Any, dtype: Any = None,
                                        name: Optional[str] = None) -> Any:
    """IndexedSlices (and SparseTensors) as they are; anything else as a Tensor."""
    from flowgraph.indexed_slices import IndexedSlices
    from flowgraph.ops.constant import convert_to_tensor
    from flowgraph.sparse_tensor import SparseTensor
    if isinstance(value, (IndexedSlices, SparseTensor)):
        return value
    return convert_to_tensor(value, dtype=dtype, name=name)
