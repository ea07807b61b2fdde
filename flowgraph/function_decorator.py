"""`fg.function`: TF 1.15's ``tf.function`` in graph mode.

>>> @fg.function(input_signature=[fg.TensorSpec([None], fg.float32)])
... def double(x):
...     return x * 2.0
>>> y = double(fg.constant([1.0, 2.0]))       # adds the function's ops to the graph

The Python function is traced once per graph and call signature (the arguments' dtypes and
shapes, and the values of non-tensor arguments) into a `FuncGraph`; each call copies the
traced ops into the calling graph under a name scope named after the function, so values
and gradients are those of the Python function (TF builds a function-call op instead).
Variables created while tracing live in the outer graph and are created on the first trace
only: later calls reuse them, and a retrace that creates Variables is a ValueError, as TF's.
Stateful ops of the function (assigns, optimizer updates) run whenever any output is
fetched.
"""

from __future__ import annotations

import functools
import inspect
from typing import Any, Callable, Optional

from flowgraph.control_flow import nest
from flowgraph.control_flow.func_graph import FuncGraph
from flowgraph.graph import GraphKeys, Operation, Tensor, get_default_graph
from flowgraph.ops.constant import convert_to_tensor, identity
from flowgraph.ops.control import group
from flowgraph.type_spec import TensorSpec

__all__ = ["function", "Function"]


def _check_signature(input_signature: Any) -> Optional[tuple]:
    if input_signature is None:
        return None
    if not isinstance(input_signature, (tuple, list)):
        raise TypeError(f"input_signature must be either a tuple or a list, received "
                        f"{type(input_signature)}")
    flat = nest.flatten(list(input_signature))
    bad = [spec for spec in flat if not isinstance(spec, TensorSpec)]
    if bad:
        raise TypeError(f"Invalid input_signature {input_signature!r}; input_signature must "
                        "be a possibly nested sequence of TensorSpec objects.")
    return tuple(input_signature)


def _is_tensor(value: Any) -> bool:
    return isinstance(value, Tensor) or hasattr(value, "__fg_tensor__")


def _variables(graph: Any) -> set:
    return {id(v) for key in (GraphKeys.GLOBAL_VARIABLES, GraphKeys.LOCAL_VARIABLES)
            for v in graph.get_collection(key)}


def _flatten_up_to(shallow: Any, value: Any) -> Optional[list]:
    """`value` flattened down to the leaves of `shallow` (its TensorSpecs); None if the
    structures differ."""
    if isinstance(shallow, TensorSpec):
        return [value]
    if isinstance(shallow, dict):
        if not isinstance(value, dict) or set(value) != set(shallow):
            return None
        pairs = [(shallow[k], value[k]) for k in sorted(shallow)]
    elif isinstance(value, (list, tuple)) and len(value) == len(shallow):
        pairs = list(zip(shallow, value))
    else:
        return None
    flat: list = []
    for inner_shallow, inner_value in pairs:
        part = _flatten_up_to(inner_shallow, inner_value)
        if part is None:
            return None
        flat.extend(part)
    return flat


def _pack_up_to(shallow: Any, flat: list) -> Any:
    """Rebuilds `shallow`'s structure with the leaves `flat` (consumed from the front)."""
    if isinstance(shallow, TensorSpec):
        return flat.pop(0)
    if isinstance(shallow, dict):
        return {k: _pack_up_to(shallow[k], flat) for k in sorted(shallow)}
    return type(shallow)(_pack_up_to(item, flat) for item in shallow)


class _Trace:
    """One traced call: its FuncGraph, the placeholders of the tensor arguments (in flat
    argument order) and the flat outputs (Tensors, Operations or Python values)."""

    def __init__(self, graph: FuncGraph, inputs: list, structure: Any, outputs: list) -> None:
        self.graph = graph
        self.inputs = inputs
        self.structure = structure
        self.outputs = outputs


class Function:
    """A Python function whose calls add its (traced) ops to the calling graph."""

    def __init__(self, python_function: Callable, name: str,
                 input_signature: Optional[tuple] = None) -> None:
        self._python_function = python_function
        self._name = name
        self._input_signature = input_signature
        self._signature = inspect.signature(python_function)
        self._traces: dict = {}
        self._traced_graphs: set = set()
        functools.update_wrapper(self, python_function)

    python_function = property(lambda self: self._python_function,
                               doc="The wrapped Python function.")
    input_signature = property(lambda self: self._input_signature,
                               doc="The input signature (a tuple of TensorSpecs) or None.")

    def __get__(self, instance: Any, owner: Any = None) -> Any:
        if instance is None:
            return self
        # A method: one Function per instance, so traces do not mix instances.
        bound = instance.__dict__.get(f"_fg_function_{id(self)}")
        if bound is None:
            bound = Function(self._python_function.__get__(instance, owner), self._name,
                             self._input_signature)
            instance.__dict__[f"_fg_function_{id(self)}"] = bound
        return bound

    # -- arguments
    def _bind(self, args: tuple, kwargs: dict) -> tuple:
        """(args, kwargs) after checking and converting them against input_signature."""
        if self._input_signature is None:
            return args, kwargs
        signature = self._input_signature
        params = [p for p in self._signature.parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        args = list(args)
        if len(args) > len(signature):
            raise TypeError(f"When input_signature is provided, only pass arguments covered "
                            f"by it. Received {len(args)} argument(s).")
        for param in params[len(args):len(signature)]:
            if param.name not in kwargs:
                raise TypeError(f"{self._name}({', '.join(p.name for p in params)}) missing "
                                f"required arguments: {param.name}")
            args.append(kwargs.pop(param.name))
        if kwargs:
            raise TypeError(f"{self._name}() got unexpected keyword arguments: "
                            f"{', '.join(sorted(kwargs))} (with an input_signature, pass "
                            "only the arguments it covers)")
        if len(args) < len(signature):
            raise TypeError(f"{self._name}() missing required arguments: expected "
                            f"{len(signature)} covered by input_signature, got {len(args)}")
        flat_specs = nest.flatten(list(signature))
        flat_args = _flatten_up_to(list(signature), args)
        if flat_args is None:
            raise ValueError(self._incompatible(args))
        converted = []
        for value, spec in zip(flat_args, flat_specs):
            if not _is_tensor(value):
                try:
                    value = convert_to_tensor(value, dtype=spec.dtype)
                except (TypeError, ValueError):
                    raise ValueError(
                        "When input_signature is provided, all inputs to the Python "
                        "function must be convertible to tensors:\n" + self._lists(args)
                    ) from None
            if not spec.is_compatible_with(value):
                raise ValueError(self._incompatible(args))
            converted.append(value)
        return tuple(_pack_up_to(list(signature), converted)), {}

    def _lists(self, args: list) -> str:
        inputs = ",\n    ".join(str(a) for a in args)
        specs = ",\n    ".join(str(s) for s in self._input_signature)
        return f"  inputs: (\n    {inputs})\n  input_signature: (\n    {specs})"

    def _incompatible(self, args: list) -> str:
        return "Python inputs incompatible with input_signature:\n" + self._lists(args)

    # -- tracing and calling
    def _key(self, flat: list, structure: Any, graph: Any) -> tuple:
        parts = []
        for value in flat:
            if _is_tensor(value):
                shape = value.shape
                dims = None if shape.ndims is None else tuple(shape.as_list())
                parts.append(("tensor", value.dtype, dims))
            else:
                try:
                    hash(value)
                    parts.append(("value", type(value), value))
                except TypeError:
                    parts.append(("id", id(value)))
        return (id(graph), repr(nest.pack_sequence_as(structure, list(range(len(flat))))),
                tuple(parts))

    def _trace(self, outer: Any, structure: Any, flat: list) -> _Trace:
        first = outer not in self._traced_graphs
        before = _variables(outer)
        graph = FuncGraph("", outer)
        inputs = []
        with graph.as_default():
            flat_inner = []
            for index, value in enumerate(flat):
                if _is_tensor(value):
                    spec_shape = value.shape
                    placeholder = graph.add_input(value.dtype, spec_shape, name=f"arg{index}")
                    inputs.append(placeholder)
                    flat_inner.append(placeholder)
                else:
                    flat_inner.append(value)
            args, kwargs = nest.pack_sequence_as(structure, flat_inner)
            result = self._python_function(*args, **kwargs)
        if not first and _variables(outer) - before:
            raise ValueError("tf.function-decorated function tried to create variables on "
                             "non-first call. Create Variables only on the first call (e.g. "
                             "`if self.v is None: self.v = fg.Variable(...)`) or outside the "
                             "function.")
        self._traced_graphs.add(outer)
        return _Trace(graph, inputs, result, nest.flatten(result))

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        args, kwargs = self._bind(args, kwargs)
        structure = (list(args), dict(kwargs))
        flat = nest.flatten(structure)
        outer = get_default_graph()
        key = self._key(flat, structure, outer)
        trace = self._traces.get(key)
        if trace is None:
            trace = self._trace(outer, structure, flat)
            self._traces[key] = trace
        tensors = [convert_to_tensor(v) for v in flat if _is_tensor(v)]
        with outer.name_scope(self._name):
            outputs = _inline(trace, tensors)
        return nest.pack_sequence_as(trace.structure, outputs)

    def __repr__(self) -> str:
        return f"<fg.function {self._name}>"


def _inline(trace: _Trace, arguments: list) -> list:
    """Copies the ops of `trace` into the default graph; returns its flat outputs."""
    target = get_default_graph()
    mapping: dict = dict(zip(trace.inputs, arguments))
    for outer, inner in trace.graph.captures:
        mapping[inner] = outer
    copied: dict = {}
    stateful = []
    placeholders = {t.op for t in trace.inputs} | {inner.op for _, inner in
                                                  trace.graph.captures}
    for op in trace.graph.get_operations():
        if op in placeholders:
            continue
        inputs = [mapping[t] for t in op.inputs]
        controls = [copied[c] for c in op.control_inputs if c in copied]
        new = target.create_op(op.op_def, inputs, name=op.name.rsplit("/", 1)[-1],
                               control_inputs=controls)
        copied[op] = new
        for old, fresh in zip(op.outputs, new.outputs):
            if fresh.shape != old.shape and fresh.shape.is_compatible_with(old.shape):
                fresh.set_shape(old.shape)
            mapping[old] = fresh
        if getattr(op.op_def, "stateful", False) and not getattr(op.op_def, "is_variable",
                                                                   False):
            stateful.append(new)
    outputs = []
    for value in trace.outputs:
        if isinstance(value, Tensor) and value.graph is trace.graph:
            value = mapping[value]
            others = [op for op in stateful if op is not value.op]
            if others:
                with target.control_dependencies(others):
                    value = identity(value)
        elif isinstance(value, Operation) and value.graph is trace.graph:
            value = copied[value]
            if stateful:
                value = group(value, *stateful)
        outputs.append(value)
    return outputs


def function(func: Optional[Callable] = None, input_signature: Any = None,
             autograph: bool = True, experimental_autograph_options: Any = None,
             experimental_relax_shapes: bool = False,
             experimental_compile: Any = None) -> Any:
    """Makes `func` a `Function` (usable as ``@fg.function`` or
    ``@fg.function(input_signature=[...])``).

    `input_signature`: a list or tuple of TensorSpecs; calls are then checked against it
    (TypeError for a wrong number of arguments, ValueError for a wrong dtype or shape).
    `autograph`, `experimental_autograph_options`, `experimental_relax_shapes` and
    `experimental_compile` are accepted for TF compatibility: Python control flow runs as
    Python while tracing.
    """
    signature = _check_signature(input_signature)

    def decorated(python_function: Callable) -> Function:
        if not callable(python_function):
            raise TypeError(f"fg.function expects a callable, got {python_function!r:.80}")
        # The name scope the inlined ops go in (a scope cannot start with "_").
        name = str(getattr(python_function, "__name__", "")).strip("_")
        if not name.isidentifier():
            name = "function"
        return Function(python_function, name, signature)

    return decorated if func is None else decorated(func)
