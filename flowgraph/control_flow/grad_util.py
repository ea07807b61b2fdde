"""Shared pieces of the cond and while_loop gradients: recomputing a branch or body inside a
gradient FuncGraph, reading recordings, and zero gradients."""

from __future__ import annotations

from typing import Any, Optional

from flowgraph import dtypes
from flowgraph.control_flow.func_graph import FuncGraph, copy_ops
from flowgraph.graph import Graph, Operation, Tensor
from flowgraph.indexed_slices import IndexedSlices
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.control_flow_records import UnpackSaved
from flowgraph.ops.registry import apply_op
from flowgraph.shapes import TensorShape


def differentiable(dtype: dtypes.DType) -> bool:
    """Whether gradients flow through values of `dtype` (floats; TensorArrays)."""
    return dtype.is_floating or dtype == dtypes.variant


def is_recording(t: Tensor) -> bool:
    """Whether `t` is a control-flow op's recording (its last, variant output): values that
    gradients treat as constants."""
    op = t.op
    return bool(getattr(op.op_def, "is_control_flow", False)) and \
        t.value_index == len(op.outputs) - 1


def unpack_saved(saved: Tensor, index: Any, names: list, kinds: list, shapes: list) -> list:
    """The tensors recorded as `names` in entry `index` of a control-flow op's recording."""
    if not names:
        return []
    op_def = UnpackSaved(names=tuple(names), dtypes=tuple(kinds),
                         shapes=tuple(TensorShape(s) for s in shapes))
    out = apply_op(op_def, [saved, convert_to_tensor(index, dtype=dtypes.int32)])
    return [out] if len(kinds) == 1 else list(out)


def zeros_for(x: Tensor) -> Tensor:
    """A zero gradient for `x` (an empty gradient TensorList for a TensorArray)."""
    if x.dtype == dtypes.variant:
        from flowgraph.ops.tensor_array_grad_ops import zero_tensor_list
        return zero_tensor_list()
    from flowgraph.ops.fill import zeros_like
    return zeros_like(x)


def dense(grad: Any, x: Tensor) -> Tensor:
    """`grad` as a Tensor (IndexedSlices densified), or zeros for None."""
    if grad is None:
        return zeros_for(x)
    if isinstance(grad, IndexedSlices):
        return convert_to_tensor(grad)
    return grad


def add_grads(total: Tensor, grad: Any) -> Tensor:
    if grad is None:
        return total
    grad = dense(grad, total)
    if total.dtype == dtypes.variant:
        from flowgraph.ops.tensor_array_grad_ops import add_tensor_lists
        return add_tensor_lists([total, grad])
    from flowgraph.ops.math import add
    return add(total, grad)


def recompute(source: Graph, mapping: dict, variables: dict) -> dict:
    """Copies `source` (a branch or body) into the default graph, a gradient FuncGraph:
    `mapping` provides its inputs and recorded values; its Variables are captured by
    reference from `variables` ({name: outer Variable tensor})."""
    fgraph = _current_func_graph()

    def replace(op: Operation) -> Optional[list]:
        if getattr(op.op_def, "is_variable", False):
            outer = variables.get(op.name)
            if outer is None:
                raise ValueError(f"The gradient of a control-flow op needs Variable "
                                 f"{op.name}, which the op does not take as an input.")
            return [fgraph.capture(outer)]
        if getattr(op.op_def, "requires_feed", False):
            raise ValueError(f"Cannot differentiate through {op.name}: a placeholder inside "
                             "a branch or loop body that is not one of its inputs.")
        return None

    return copy_ops(source, mapping, replace)


def _current_func_graph() -> FuncGraph:
    from flowgraph.graph import get_default_graph
    graph = get_default_graph()
    if not isinstance(graph, FuncGraph):
        raise RuntimeError("recompute() must run while a gradient FuncGraph is being built")
    return graph


def variables_of(op: Operation, start: int) -> dict:
    """{Variable node name in the op's sub-graphs: the op's input for it} of a control-flow
    op's by-reference inputs (they come in the order of the sorted names)."""
    return dict(zip(op.op_def._variables, op.inputs[start:]))
