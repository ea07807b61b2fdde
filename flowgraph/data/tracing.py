"""Tracing user functions (map, filter, flat_map, reduce ...) once into private graphs.

A function receives graph tensors, as in TF1: placeholders for the element's leaves, built
into a private `fg.Graph`, nested like the element (a tuple element is passed as positional
arguments). What it returns is flattened into the graph's output tensors; the runtime then
compiles one Plan for the graph and runs it for every element (`engine.FunctionRunner`).
A function may also return a Dataset (flat_map, interleave): the tensors that dataset needs
become the outputs, and the dataset is rebuilt from their values for every element.

A function defined inside another one (the map of a dataset that a flat_map function
returns) is traced into the enclosing function's graph, so it may use the enclosing
function's tensors: those are its `captured` tensors, fed with their values at run time.
As in TF1, a function may also use tensors of the graph it is traced from (placeholders,
Variables, constants): they are captured too, their values taken when the iterator is
initialized (constants are copied, keeping their values known when building).
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from flowgraph import dtypes
from flowgraph.data import describe, structure
from flowgraph.data.structure import ElementSpec, Spec
from flowgraph.graph import Graph, get_default_graph
from flowgraph.shapes import TensorShape
from flowgraph.sparse_tensor import SparseTensor


class FunctionGraph(Graph):
    """The private graph of a traced dataset function.

    As TF1's dataset functions, it captures tensors of the graph it is traced from (a
    placeholder, a Variable's value, a constant): each becomes a placeholder here, fed with
    the outer tensor's value as the iterator is initialized.
    """

    def __init__(self, outer: Graph) -> None:
        super().__init__()
        self.outer = outer
        # ops on outer tensors built while this graph is the default one come here (see
        # graph.building_graph), as in the cond branches and loop bodies of control_flow
        self.outer_graphs = (outer,) + tuple(outer.outer_graphs)
        self.outer_captures: dict = {}  # outer tensor -> its placeholder in this graph
        self._copies: dict = {}         # outer constant -> its copy in this graph

    def _capture(self, tensor: Any, consumer: str) -> Any:
        if tensor.graph not in self.outer_graphs:
            return super()._capture(tensor, consumer)
        return self.capture(tensor)

    def capture(self, tensor: Any) -> Any:
        """The tensor of this graph standing for `tensor` of an enclosing graph."""
        if tensor.graph is self:
            return tensor
        found = self.outer_captures.get(tensor, self._copies.get(tensor))
        if found is not None:
            return found
        with self.as_default(), self.control_dependencies(None):
            if tensor.op.type == "Const":
                # copied, so that its value stays known when building (static shapes)
                found = self.create_op(tensor.op.op_def, [], name="Const").outputs[0]
                self._copies[tensor] = found
            else:
                from flowgraph.ops.constant import placeholder
                found = placeholder(tensor.dtype, tensor.shape, name="captured_input")
                self.outer_captures[tensor] = found
        return found


class Function:
    """A traced function: its private graph, input placeholders, captured tensors (of an
    enclosing function) and outputs."""

    def __init__(self, graph: Graph, inputs: list, input_kinds: tuple, name: str) -> None:
        self.graph = graph
        self.inputs = inputs
        self.input_kinds = input_kinds
        self.name = name
        self.captured: list = []       # tensors outside the function it uses ...
        self.capture_feeds: list = []  # ... and the tensors of its graph fed with them
        self.outputs: list = []
        self.output_kinds: tuple = ()
        self.output_spec: Optional[ElementSpec] = None
        self.dataset: Any = None
        self._encoded: Optional[tuple] = None

    def encode_function(self) -> tuple:
        """("function", graph, input names, output names, input kinds, output kinds, inner)."""
        if self._encoded is None:
            inner = None
            outputs, kinds = self.outputs, self.output_kinds
            if self.dataset is not None:
                capture = describe.Capture()
                inner = describe.encode(self.dataset._node, capture)
                for t in capture.tensors:
                    if t.graph is not self.graph:
                        raise ValueError(
                            f"The dataset returned by {self.name} uses the tensor {t.name} "
                            "from outside the function; a function may only use its "
                            "arguments and the values it creates.")
                outputs, kinds = capture.tensors, ("dense",) * len(capture.tensors)
            feeds = list(self.inputs) + list(self.capture_feeds)
            self._encoded = ("function", self.graph, tuple(t.name for t in feeds),
                             tuple(t.name for t in outputs),
                             self.input_kinds + ("dense",) * len(self.captured), kinds, inner)
        return self._encoded


def trace(fn: Callable[..., Any], element: ElementSpec, name: str,
          extra: Optional[ElementSpec] = None, allow_dataset: bool = False) -> Function:
    """Calls `fn` once on placeholders standing for an element of spec `element` (after the
    leaves of `extra`, a reduce state, given as the first argument) in a private graph."""
    if not callable(fn):
        raise TypeError(f"{name} must be callable, got {type(fn).__name__} {fn!r:.60}")
    outer = get_default_graph()
    if isinstance(outer, FunctionGraph):
        graph = outer  # nested in another function: it may use that function's tensors
    else:
        graph = FunctionGraph(outer)
        graph.seed = outer.seed
    start = len(graph)
    inputs: list = []
    kinds: list = []
    with graph.as_default():
        if extra is not None:  # reduce: fn(state, element)
            state = _arguments(extra, inputs, kinds)
            args = _arguments(element, inputs, kinds, offset=len(extra.flat))
            call_args = (state, args)
        else:
            args = _arguments(element, inputs, kinds)
            call_args = args if type(args) is tuple else (args,)
        try:
            result = fn(*call_args)
        except ValueError as exc:
            if "from the same graph" in str(exc):
                raise ValueError(f"{exc}\n{name} uses a tensor from outside the function. A "
                                 "dataset function may use its arguments, values it creates "
                                 "and tensors of the graph the dataset is built in, not those "
                                 "of another graph.") from None
            raise
        function = Function(graph, inputs, tuple(kinds), name)
        from flowgraph.data.dataset import Dataset
        if isinstance(result, Dataset):
            if not allow_dataset:
                raise TypeError(f"{name} returned a Dataset; only flat_map and interleave "
                                "functions may return datasets.")
            function.dataset = result
        elif allow_dataset:
            raise TypeError(f"{name} must return a Dataset, got {type(result).__name__}")
        else:
            _set_outputs(function, result, name)
    if graph is outer:
        function.captured = _captured(graph, start, inputs, function.outputs)
        function.capture_feeds = list(function.captured)
    else:
        function.captured = list(graph.outer_captures)
        function.capture_feeds = list(graph.outer_captures.values())
    return function


def _captured(graph: Graph, start: int, inputs: list, outputs: list) -> list:
    """The tensors of the enclosing function that a nested function's ops (created from op
    number `start` on) read, or that it returns (with the placeholders of outer tensors
    the nested function made the enclosing one capture)."""
    own = set(inputs)
    outer = set(getattr(graph, "outer_captures", {}).values())
    found: list = []
    seen: set = set()
    used = [t for op in graph.get_operations()[start:] for t in op.inputs] + list(outputs)
    for t in used:
        if (t.op._id < start or t in outer) and t not in own and t not in seen:
            seen.add(t)
            found.append(t)
    return found


def _arguments(element: ElementSpec, inputs: list, kinds: list, offset: int = 0) -> Any:
    from flowgraph.ops.constant import placeholder
    leaves = []
    for i, spec in enumerate(element.flat):
        name = f"args_{offset + i}"
        if spec.is_dataset:
            holder = placeholder(dtypes.string, [], name=name)
            inputs.append(holder)
            kinds.append("dataset")
            from flowgraph.data.dataset import window_argument
            leaves.append(window_argument(spec.element, holder))
        elif spec.cls is SparseTensor:
            rank = spec.shape.ndims
            parts = [placeholder(dtypes.int64, [None, rank], name=f"{name}_indices"),
                     placeholder(spec.dtype, [None], name=f"{name}_values"),
                     placeholder(dtypes.int64, [rank], name=f"{name}_dense_shape")]
            inputs.extend(parts)
            kinds.append("sparse")
            leaves.append(SparseTensor(parts[0], parts[1], _known_dense_shape(parts[2], spec)))
        else:
            holder = placeholder(spec.dtype, spec.shape, name=name)
            inputs.append(holder)
            kinds.append("dense")
            leaves.append(holder)
    return structure.pack_as(element.structure, leaves)


def _known_dense_shape(fed: Any, spec: Spec) -> Any:
    """The dense shape of a SparseTensor argument, with the dimensions its spec knows as
    constants (as TF1's SparseTensorSpec restores them) so that static shapes follow."""
    dims = spec.shape.as_tuple()
    if dims is None or all(d is None for d in dims):
        return fed
    from flowgraph.ops.array import stack
    from flowgraph.ops.constant import constant
    if all(d is not None for d in dims):
        return constant(list(dims), dtypes.int64, name="shape")
    return stack([fed[i] if d is None else constant(d, dtypes.int64)
                  for i, d in enumerate(dims)])


def _set_outputs(function: Function, result: Any, name: str) -> None:
    from flowgraph.ops.constant import convert_to_tensor
    if result is None:
        raise ValueError(f"{name} returned None; it must return tensors (or values "
                         "convertible to tensors).")
    if isinstance(result, list):
        result = tuple(result)  # as TF1: a returned list is a tuple of components
    outputs, kinds, specs = [], [], []
    for leaf in structure.flatten(result):
        if isinstance(leaf, SparseTensor):
            parts = [leaf.indices, leaf.values, leaf.dense_shape]
            kinds.append("sparse")
            specs.append(Spec(leaf.dtype, leaf.shape, SparseTensor))
        else:
            if hasattr(leaf, "_node") and hasattr(leaf, "_spec"):
                raise TypeError(f"{name} returned a Dataset inside its result; use flat_map "
                                "or interleave for functions that return datasets.")
            try:
                tensor = convert_to_tensor(leaf)
            except (TypeError, ValueError) as exc:
                raise TypeError(f"{name} returned {type(leaf).__name__} {leaf!r:.60}, which "
                                f"is not convertible to a tensor: {exc}") from None
            parts = [tensor]
            kinds.append("dense")
            specs.append(Spec(tensor.dtype, tensor.shape))
        graph = function.graph
        if isinstance(graph, FunctionGraph):  # a returned outer tensor is captured too
            parts = [graph.capture(t) if t.graph in graph.outer_graphs else t for t in parts]
        for t in parts:
            if t.graph is not function.graph:
                raise ValueError(f"{name} returned the tensor {t.name} from outside the "
                                 "function; a function may only return values computed from "
                                 "its arguments (or constants it creates).")
        outputs.extend(parts)
    function.outputs = outputs
    function.output_kinds = tuple(kinds)
    function.output_spec = ElementSpec.like(result, specs)


def relaxed(spec: ElementSpec) -> ElementSpec:
    """The spec with every dimension unknown (ranks kept), for re-tracing a reduce."""
    return spec.with_flat([s.with_shape(TensorShape(None) if s.shape.ndims is None else
                                        TensorShape([None] * s.shape.ndims))
                           for s in spec.flat])
