"""`import_graph_def`: adds the nodes of a GraphDef to the default graph, as TF1's.

Every node is rebuilt through its registered op class (so attributes are validated) and
`Graph.create_op` (so output dtypes and shapes are inferred again); control inputs, devices
and creation sites are kept. Nothing is added when names, inputs, op types or attributes
are wrong.
"""

from __future__ import annotations

from typing import Any, Optional, Sequence

from flowgraph.devices import parse_device
from flowgraph.graph import Operation, Tensor, _as_operation, get_default_graph
from flowgraph.io import graph_checks
from flowgraph.io.attrs import GraphDefError
from flowgraph.io.graph_checks import UNBOUND_PREFIX, parse_input
from flowgraph.ops.registry import describe_inputs

__all__ = ["import_graph_def"]

_WHERE = "import_graph_def"


def import_graph_def(graph_def: Any, input_map: Optional[dict] = None,
                     return_elements: Optional[Sequence[str]] = None,
                     name: Optional[str] = None, op_dict: Any = None,
                     producer_op_list: Any = None) -> Optional[list]:
    """Imports the nodes of `graph_def` into the default graph.

    Parameters
    ----------
    graph_def : GraphDef
        From `Graph.as_graph_def()`, `GraphDef.FromString` or `GraphDef.from_json`.
    input_map : dict of str to Tensor, optional
        Replaces the tensors named by the keys ("x:0", or "x" for "x:0"; "^x" replaces
        control dependencies on op x) by existing tensors of the default graph.
    return_elements : list of str, optional
        Names of imported tensors ("y:0") and ops ("train") to return.
    name : str, optional
        Prefix of the imported names (default "import", made unique as a name scope;
        "" keeps the names as they are).
    op_dict, producer_op_list
        Accepted for TF1 compatibility and ignored.

    Returns
    -------
    list or None
        The Tensors and Operations named in `return_elements`, in order.

    Raises
    ------
    TypeError
        If `graph_def` is not a GraphDef, or the arguments have the wrong types.
    ValueError
        If `input_map` or `return_elements` names something not in `graph_def`, or the
        graph is not well formed (a GraphDefError, also an InvalidArgumentError).
    NotFoundError
        If a node's op type is not registered (the message lists close names).
    """
    del op_dict, producer_op_list
    return import_with_names(graph_def, input_map, return_elements, name)[1]


def import_with_names(graph_def: Any, input_map: Optional[dict] = None,
                      return_elements: Optional[Sequence[str]] = None,
                      name: Optional[str] = None, graph: Any = None) -> tuple:
    """`import_graph_def`, returning ({name in graph_def: new Operation}, returned)."""
    from flowgraph.io.graph_def import GraphDef, check_versions
    if not isinstance(graph_def, GraphDef):
        raise TypeError("graph_def must be a GraphDef proto.")
    input_map = _check_input_map(input_map)
    return_elements = _check_return_elements(return_elements)
    graph = graph if graph is not None else get_default_graph()
    check_versions(graph_def.versions, _WHERE)
    order = graph_checks.validate(graph_def, _WHERE)
    nodes = graph_def.node
    known = {node.name for node in nodes}
    tensor_map, control_map = _parse_input_map(input_map, known | _unbound_sources(nodes))
    for element in return_elements or ():
        source = parse_input(element)[0] if ":" in element else element
        if source not in known:
            kind = "tensor" if ":" in element else "node"
            raise ValueError(f"Requested return {kind} {element!r} not found in graph_def.")
    op_defs = {}
    for i in order:
        _check_device(nodes[i])
        op_defs[i] = graph_checks.build_op_def(nodes[i], _WHERE)

    with graph.name_scope(name if name is not None else "import") as scope:
        prefix = scope[:-1] if scope else ""
        tensor_map = _convert_mapped_values(tensor_map, name, graph)
    created: dict = {}
    used: set = set()
    with graph.building_lock, graph.name_scope(None):
        for i in order:
            node = nodes[i]
            inputs, controls = _resolve_inputs(node, created, tensor_map, control_map, used)
            full_name = f"{prefix}/{node.name}" if prefix else node.name
            new_name = graph.unique_name(full_name)
            with graph.device(node.device) if node.device else _nothing():
                op = _create_op(graph, op_defs[i], node, inputs, new_name, controls)
            if node.creation_site is not None:
                op._site = node.creation_site
            _refine_shapes(op, node.output_shapes)
            created[node.name] = op
    _check_all_mapped(input_map, tensor_map, control_map, created, used)
    if return_elements is None:
        return created, None
    return created, [_return_element(element, created) for element in return_elements]


# --------------------------------------------------------------------------- arguments
def _check_input_map(input_map: Any) -> dict:
    if input_map is None:
        return {}
    if not isinstance(input_map, dict) or not all(isinstance(k, str) for k in input_map):
        raise TypeError("input_map must be a dictionary mapping strings to Tensor objects.")
    return input_map


def _check_return_elements(return_elements: Any) -> Optional[tuple]:
    if return_elements is None:
        return None
    if isinstance(return_elements, str) or not all(
            isinstance(x, str) for x in return_elements):
        raise TypeError("return_elements must be a list of strings.")
    return tuple(return_elements)


def _parse_input_map(input_map: dict, known: set) -> tuple:
    tensor_map: dict = {}
    control_map: dict = {}
    missing = []
    for key, value in input_map.items():
        if key.startswith("^"):
            source = key[1:]
            control = getattr(value, "__fg_control__", None)
            control_map[_bound(source)] = _as_operation(control() if callable(control)
                                                        else value)
        else:
            source, index, _ = parse_input(key)
            source = _bound(source)
            tensor_map[(source, index)] = value
        if source not in known:
            missing.append(key)
    if missing:
        raise ValueError("Attempted to map inputs that were not found in graph_def: "
                         f"[{', '.join(missing)}]")
    return tensor_map, control_map


def _unbound_sources(nodes: list) -> set:
    """The names of the nodes outside a scoped export that `nodes` take inputs from."""
    sources = set()
    for node in nodes:
        for text in node.input:
            text = text.lstrip("^")
            if text.startswith(UNBOUND_PREFIX):
                sources.add(_bound(parse_input(text)[0]))
    return sources


def _bound(name: str) -> str:
    return name[len(UNBOUND_PREFIX):] if name.startswith(UNBOUND_PREFIX) else name


def _convert_mapped_values(tensor_map: dict, name: Optional[str], graph: Any) -> dict:
    if all(isinstance(v, Tensor) for v in tensor_map.values()):
        converted = tensor_map
    else:
        if name == "":
            raise ValueError(
                "fg.import_graph_def() requires a non-empty `name` if `input_map` contains "
                "non-Tensor values. Try calling fg.convert_to_tensor() on `input_map` "
                "values before calling fg.import_graph_def().")
        from flowgraph.ops.constant import convert_to_tensor
        with graph.as_default(), graph.name_scope("_inputs"):
            converted = {k: convert_to_tensor(v) for k, v in tensor_map.items()}
    for key, tensor in converted.items():
        if tensor.graph is not graph:
            raise ValueError(f"input_map value for {key[0]}:{key[1]} ({tensor.name}) is "
                             "not a tensor of the graph being imported into.")
    return converted


def _check_device(node: Any) -> None:
    if node.device:
        try:
            parse_device(node.device)
        except ValueError as exc:
            raise GraphDefError(f"{_WHERE}: node {node.name!r} has an invalid device "
                                f"{node.device!r:.100}: {exc}") from None


# --------------------------------------------------------------------------- building
def _resolve_inputs(node: Any, created: dict, tensor_map: dict, control_map: dict,
                    used: set) -> tuple:
    inputs: list = []
    controls: list = []
    for text in node.input:
        unbound = text.lstrip("^").startswith(UNBOUND_PREFIX)
        if text.startswith("^"):
            source = _bound(text[1:])
            if source in control_map:
                used.add(("^", source))
                controls.append(control_map[source])
            elif source in created and not unbound:
                controls.append(created[source])
            else:
                raise _unbound(node, text)
            continue
        source, index, _ = parse_input(text)
        source = _bound(source)
        if (source, index) in tensor_map:
            used.add((source, index))
            tensor = tensor_map[(source, index)]
            if source in created and not unbound:
                _check_mapped_dtype(node, len(inputs), created[source], index, tensor)
        elif source in created and not unbound:
            outputs = created[source].outputs
            if index >= len(outputs):
                raise GraphDefError(f"{_WHERE}: node {node.name!r} has input {text!r}, but "
                                    f"node {source!r} has {len(outputs)} output(s)")
            tensor = outputs[index]
        else:
            raise _unbound(node, text)
        inputs.append(tensor)
    return inputs, controls


def _check_mapped_dtype(node: Any, position: int, source: Operation, index: int,
                        tensor: Tensor) -> None:
    if index < len(source.outputs) and source.outputs[index].dtype != tensor.dtype:
        raise ValueError(f"Input {position} of node {node.name} was passed "
                         f"{tensor.dtype.name} from {tensor.name} incompatible with expected "
                         f"{source.outputs[index].dtype.name}.")


def _unbound(node: Any, text: str) -> GraphDefError:
    return GraphDefError(f"{_WHERE}: node {node.name!r} has the unbound input {text!r} (it "
                         "was exported with export_scope and its source left outside); "
                         f"map {_bound(text.lstrip('^'))!r} to a tensor with input_map")


def _create_op(graph: Any, op_def: Any, node: Any, inputs: list, name: str,
               controls: list) -> Operation:
    """graph.create_op; GraphDefError (a ValueError, as TF1's import) when the node's
    inputs do not fit its op, whatever the op's inference raised for inputs a builder
    function would never pass (a wrong count makes some raise IndexError)."""
    try:
        return graph.create_op(op_def, inputs, name=name + "/", control_inputs=controls)
    except (ValueError, TypeError, LookupError, AttributeError, ArithmeticError) as exc:
        raise GraphDefError(f"{_WHERE}: node {node.name!r} (op {node.op}) cannot be built "
                            f"from its {len(inputs)} input(s) "
                            f"({describe_inputs(inputs)}): {exc}") from exc


def _refine_shapes(op: Operation, shapes: Optional[list]) -> None:
    for tensor, shape in zip(op.outputs, shapes or ()):
        if tensor.shape.is_compatible_with(shape):
            tensor.set_shape(shape)


def _check_all_mapped(input_map: dict, tensor_map: dict, control_map: dict, created: dict,
                      used: set) -> None:
    missing = []
    for key in input_map:
        if key.startswith("^"):
            source = _bound(key[1:])
            if source not in created and ("^", source) not in used:
                missing.append(key)
            continue
        source, index, _ = parse_input(key)
        source = _bound(source)
        op = created.get(source)
        if (source, index) not in used and (op is None or index >= len(op.outputs)):
            missing.append(key)
    if missing:
        raise ValueError("Attempted to map inputs that were not found in graph_def: "
                         f"[{', '.join(missing)}]")


def _return_element(element: str, created: dict) -> Any:
    if ":" in element:
        source, index, _ = parse_input(element)
        op = created.get(source)
        if op is None or index >= len(op.outputs):
            raise ValueError(f"Requested return tensor {element!r} not found in graph_def.")
        return op.outputs[index]
    op = created.get(element)
    if op is None:
        raise ValueError(f"Requested return node {element!r} not found in graph_def.")
    return op


class _nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: Any) -> None:
        return None
