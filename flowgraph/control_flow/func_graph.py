"""FuncGraph: the graph of a cond branch or a loop body, built by calling a Python function.

While a FuncGraph is the default graph, every op the function builds goes into it, and a
tensor of an enclosing graph used there is *captured*: the FuncGraph gets a placeholder
standing for it, and the control-flow op built from the FuncGraph takes the outer tensor as
an input (`Graph.create_op` calls `_capture`; `flowgraph.graph.building_graph` sends ops on
outer tensors here). A Variable used by reference (assigned, or read through its Variable
node) is captured as a Variable node of the same name, so the branch reads and writes the
Session's own value; Variables *created* while the function runs go into the outermost
graph (`flowgraph.graph.init_scope`). Variable scopes, layer names and collections are
shared with the enclosing graph.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from flowgraph.graph import Graph, Operation, Tensor
from flowgraph.ops.constant import Placeholder
from flowgraph.shapes import TensorShape, as_shape

__all__ = ["FuncGraph", "copy_ops"]


def _is_variable(op: Operation) -> bool:
    return bool(getattr(op.op_def, "is_variable", False))


def _is_variable_read(t: Tensor) -> bool:
    op = t.op
    return op.type == "Identity" and not op.control_inputs and _is_variable(op.inputs[0].op)


def _is_small_int_constant(op: Operation) -> bool:
    if op.type != "Const" or op.control_inputs:
        return False
    out = op.outputs[0]
    return (out.dtype.is_integer or out.dtype.is_bool) and \
        (out.shape.num_elements() or 0) <= 64


class FuncGraph(Graph):
    """A graph built inside `outer_graph`, whose tensors it captures.

    Parameters
    ----------
    name : str
        The name scope its nodes are built in (e.g. ``"while"``, ``"rnn/while"``).
    outer_graph : Graph
        The graph the control-flow op using this FuncGraph is added to.
    """

    def __init__(self, name: str, outer_graph: Graph) -> None:
        super().__init__()
        self.name = name
        self.outer_graph = outer_graph
        self.outer_graphs = (outer_graph,) + tuple(outer_graph.outer_graphs)
        # Shared with the enclosing graph, as TF2's cond and while graphs share them.
        self._collections = outer_graph._collections
        self.seed = outer_graph.seed
        self.inputs: list = []
        # (outer tensor, inner tensor) in capture order; by-reference Variables included.
        self.captures: list = []
        self._captured: dict = {}
        self._name_stack = name

    def get_state(self, key: str, factory: Callable[[], Any]) -> Any:
        """Variable scopes and layer names are those of the enclosing graph."""
        return self.outer_graph.get_state(key, factory)

    def _capture(self, tensor: Tensor, consumer: str) -> Tensor:
        if tensor.graph not in self.outer_graphs:
            return super()._capture(tensor, consumer)
        return self.capture(tensor)

    def capture(self, tensor: Tensor) -> Tensor:
        """The tensor of this graph standing for `tensor` of an enclosing graph (made on
        first use: a placeholder, or a Variable node of the same name for a Variable)."""
        found = self._captured.get(tensor)
        if found is not None:
            return found
        if tensor.graph is self:
            return tensor
        if tensor.graph not in self.outer_graphs:
            return super()._capture(tensor, "a cond branch or loop body")
        source = tensor
        if tensor.graph is not self.outer_graph:
            # A tensor of a graph further out: the graphs in between capture it too.
            source = self.outer_graph.capture(tensor)
            found = self._captured.get(source)
            if found is not None:
                self._captured[tensor] = found
                return found
        with self.control_dependencies(None), \
                self.name_scope(f"{self.name}/" if self.name else None):
            if _is_variable(source.op):
                inner = self._variable_node(source.op)
                self.captures.append((source, inner))
            elif _is_variable_read(source):
                # A Variable's value (`v`, `v.value()`) is read when the branch runs, so
                # that it sees assigns made before it in the same loop or run.
                variable = self.capture(source.op.inputs[0])
                inner = self.create_op(source.op.op_def, [variable], name="read").outputs[0]
            elif _is_small_int_constant(source.op):
                # Copied, so that static shapes and values stay known inside.
                inner = self.create_op(source.op.op_def, [], name="Const").outputs[0]
            else:
                op = self.create_op(Placeholder(dtype=source.dtype, shape=source.shape),
                                    [], name="capture")
                inner = op.outputs[0]
                self.captures.append((source, inner))
        self._captured[source] = inner
        self._captured[tensor] = inner
        return inner

    def _variable_node(self, variable_op: Operation) -> Tensor:
        # The same name as the Variable it stands for, where free: the control-flow op
        # maps it to the Variable (its by-reference input) in any case.
        name = variable_op.name
        if name in self._ops_by_name:
            with self.name_scope(None):
                name = self.unique_name(name, mark_as_used=False)
        op = self.create_op(variable_op.op_def, [], name=f"{name}/")
        self._names_in_use.setdefault(name.lower(), 1)
        op._site = variable_op.creation_site
        return op.outputs[0]

    def add_input(self, dtype: Any, shape: Any, name: str = "arg") -> Tensor:
        """A new placeholder for an explicit argument (a loop variable)."""
        with self.control_dependencies(None):
            op = self.create_op(Placeholder(dtype=dtype, shape=as_shape(shape)), [], name=name)
        self.inputs.append(op.outputs[0])
        return op.outputs[0]

    def captured(self, outer: Tensor) -> Optional[Tensor]:
        """The inner tensor standing for `outer`, or None if it was not captured."""
        return self._captured.get(outer)

    def __repr__(self) -> str:
        return f"<FuncGraph {self.name!r} with {len(self._ops)} ops>"


def copy_ops(source: Graph, mapping: dict,
             replace: Optional[Callable[[Operation], Optional[list]]] = None) -> dict:
    """Copies the ops of `source` into the default graph, in creation order.

    `mapping` ({source tensor: new tensor}) gives the tensors already provided (e.g. the
    source's placeholders); `replace(op)` may return the new outputs for an op instead of
    copying it (or None to copy it). Returns `mapping`, completed for every copied op.
    Static shapes refined with `set_shape` are kept.
    """
    from flowgraph.graph import get_default_graph
    target = get_default_graph()
    copied_ops: dict = {}
    for op in source.get_operations():
        if op.outputs and all(t in mapping for t in op.outputs):
            continue
        outputs = replace(op) if replace is not None else None
        if outputs is None:
            inputs = [mapping[t] for t in op.inputs]
            controls = [copied_ops[c] for c in op.control_inputs if c in copied_ops]
            new = target.create_op(op.op_def, inputs, name=op.name.rsplit("/", 1)[-1],
                                   control_inputs=controls)
            copied_ops[op] = new
            outputs = new.outputs
            for old, fresh in zip(op.outputs, outputs):
                if fresh.shape != old.shape and fresh.shape.is_compatible_with(old.shape):
                    fresh.set_shape(old.shape)
        for old, fresh in zip(op.outputs, outputs):
            mapping[old] = fresh
    return mapping


def placeholder_shape(shape: Any) -> TensorShape:
    return as_shape(shape) if shape is not None else TensorShape(None)
