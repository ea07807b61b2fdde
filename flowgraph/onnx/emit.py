"""The export context: flowgraph ops of one graph turned into the nodes of one ONNX graph.

A `Scope` converts the ops that some tensors need, in dependency order, calling the
converter of each op type (`export_ops`). Values known when exporting (constants, and what
follows from them, e.g. the shape of a fully known shape) are folded into ONNX constants
instead of being converted op by op; a `placeholder_with_default` that is not an export
input stands for its default. The branches of cond and the bodies of while loops become
child scopes (ONNX sub-graphs), which read the enclosing graph's values by name as ONNX
allows. Problems are collected in the shared `ModelState` and reported all at once.
"""

from __future__ import annotations

from typing import Any, Iterable, Optional, Sequence

import numpy as np

from flowgraph.graph import Operation, Tensor
from flowgraph.onnx.types import onnx_type
from flowgraph.onnx.unsupported import CannotConvertError

# Folded values larger than this stay ops (so that e.g. a tile of a constant is not
# written into the file a million times over).
MAX_FOLDED_ELEMENTS = 1 << 20


class ModelState:
    """What all graphs of one exported model share: names, initializers and problems."""

    def __init__(self, onnx: Any, opset: int, session: Any) -> None:
        self.onnx = onnx
        self.opset = opset
        self.session = session
        self.used_names: set = set()
        self.initializers: list = []
        self.problems: list = []  # (op type, node name, reason)

    def unique(self, base: str) -> str:
        """A model-wide unique ONNX name starting with `base` (ONNX names are global:
        a sub-graph may not reuse a name of the graph around it)."""
        base = base or "value"
        name, i = base, 1
        while name in self.used_names:
            name = f"{base}_{i}"
            i += 1
        self.used_names.add(name)
        return name


class Scope:
    """One ONNX graph being built: the top-level graph, or a cond branch / loop body."""

    def __init__(self, model: ModelState, parent: Optional["Scope"] = None) -> None:
        self.model = model
        self.parent = parent
        self.nodes: list = []
        self.names: dict = {}        # flowgraph Tensor -> ONNX name
        self._fixed: set = set()     # tensors bound from outside (never folded)
        self._static: dict = {}      # Tensor -> known value or None
        self._analyzed: set = set()
        self._unavailable: dict = {}  # Tensor -> why it cannot be exported
        self._transposes: dict = {}  # ONNX name -> (source name, perm) of a Transpose
        self.op: Optional[Operation] = None  # the op being converted

    # ------------------------------------------------------------------ basics
    @property
    def opset(self) -> int:
        return self.model.opset

    @property
    def helper(self) -> Any:
        return self.model.onnx.helper

    @property
    def is_top(self) -> bool:
        return self.parent is None

    def child(self) -> "Scope":
        """A scope for a sub-graph (a cond branch or a loop body) of this one."""
        return Scope(self.model, parent=self)

    def bind(self, tensor: Tensor, name: str) -> None:
        """Makes `tensor` the ONNX value `name` (an input, or a value of an outer graph)."""
        self.names[tensor] = name
        self._fixed.add(tensor)

    def name(self, tensor: Tensor) -> str:
        """The ONNX name of a converted (or folded) tensor."""
        found = self.names.get(tensor)
        if found is not None:
            return found
        reason = self._unavailable.get(tensor)
        if reason is not None:
            raise CannotConvertError(reason)
        value = self.static(tensor)
        if value is None:
            raise CannotConvertError(f"its input {tensor.name} was not converted")
        hint = tensor.op.name if tensor.value_index == 0 else \
            f"{tensor.op.name}_{tensor.value_index}"
        name = self.names[tensor] = self.const(value, hint)
        return name

    # ------------------------------------------------------------------ emitting nodes
    def node(self, op_type: str, inputs: Sequence[str], outputs: int = 1,
             hint: Optional[str] = None, **attrs: Any) -> Any:
        """Adds an ONNX node; returns its output name (a list of names if `outputs` > 1).

        Output names start with the converted op's name (plus `/hint` if given); an
        input name "" omits an optional input; attributes set to None are left out.
        """
        base = self.op.name if self.op is not None else op_type
        if hint:
            base = f"{base}/{hint}"
        names = [self.model.unique(base) for _ in range(outputs)]
        attrs = {k: v for k, v in attrs.items() if v is not None}
        self.nodes.append(self.helper.make_node(op_type, list(inputs), names, name=names[0],
                                                **attrs))
        return names[0] if outputs == 1 else names

    def const(self, value: Any, hint: str = "const") -> str:
        """A constant: an initializer of the top-level graph, a Constant node in a
        sub-graph."""
        array = np.asarray(value)
        if array.dtype == object:
            array = np.array([v if isinstance(v, bytes) else str(v).encode("utf-8")
                              for v in array.ravel()], dtype=object).reshape(array.shape)
        onnx_type(array.dtype, f"constant {hint}")  # a clear error for an unknown dtype
        name = self.model.unique(hint)
        tensor = self.model.onnx.numpy_helper.from_array(array, name)
        if self.is_top:
            self.model.initializers.append(tensor)
        else:
            self.nodes.append(self.helper.make_node("Constant", [], [name], name=name,
                                                    value=tensor))
        return name

    def int64s(self, values: Iterable[int], hint: str = "ints") -> str:
        """A 1-D int64 constant (axes, shapes, pads given to ONNX as inputs)."""
        base = self.op.name if self.op is not None else "const"
        return self.const(np.asarray(list(values), dtype=np.int64).reshape(-1),
                          f"{base}/{hint}")

    def scalar(self, value: Any, dtype: Any, hint: str = "scalar") -> str:
        base = self.op.name if self.op is not None else "const"
        return self.const(np.asarray(value, dtype=dtype), f"{base}/{hint}")

    def transpose(self, name: str, perm: Sequence[int], hint: str = "transpose") -> str:
        """`name` transposed by `perm`; a transpose undoing the one that made `name`
        returns that one's input instead (NHWC -> NCHW -> NHWC between convolutions)."""
        perm = [int(p) for p in perm]
        if perm == sorted(perm):
            return name
        found = self._transposes.get(name)
        if found is not None:
            source, first = found
            combined = [first[p] for p in perm]
            if combined == sorted(combined):
                return source
        out = self.node("Transpose", [name], hint=hint, perm=perm)
        self._transposes[out] = (name, perm)
        return out

    def cast(self, name: str, dtype: Any, hint: str = "cast") -> str:
        return self.node("Cast", [name], hint=hint, to=onnx_type(dtype))

    def value_info(self, name: str, dtype: Any, shape: Any) -> Any:
        dims = shape.as_tuple() if shape is not None else None
        return self.helper.make_tensor_value_info(name, onnx_type(dtype, name),
                                                  None if dims is None else list(dims))

    # ------------------------------------------------------------------ known values
    def static(self, tensor: Tensor) -> Optional[np.ndarray]:
        """The value of `tensor` if it is known when exporting, else None."""
        if tensor in self._fixed:
            return None
        if tensor not in self._static:
            self._analyze([tensor])
        return self._static.get(tensor)

    def static_ints(self, tensor: Tensor, what: str) -> list:
        """A known integer vector (or scalar, as a list of one); CannotConvertError otherwise."""
        value = self.static(tensor)
        if value is None:
            raise CannotConvertError(f"its {what} ({tensor.name}) must be known when exporting, "
                              "but it is computed when the graph runs")
        return [int(v) for v in np.asarray(value).reshape(-1)]

    def rank(self, tensor: Tensor) -> int:
        ndims = tensor.shape.ndims
        if ndims is None:
            raise CannotConvertError(f"it needs the rank of {tensor.name}, which is unknown; "
                              "give the input a shape with a known number of dimensions")
        return ndims

    def _analyze(self, tensors: Sequence[Tensor]) -> None:
        stack = [t.op for t in tensors if t not in self._fixed]
        while stack:
            op = stack[-1]
            if op in self._analyzed:
                stack.pop()
                continue
            if _may_fold(op):
                missing = [t.op for t in op.inputs
                           if t not in self._fixed and t.op not in self._analyzed]
                if missing:
                    stack.extend(missing)
                    continue
            stack.pop()
            self._analyzed.add(op)
            for t, value in zip(op.outputs, self._fold(op)):
                if t not in self._fixed:
                    self._static[t] = value

    def _fold(self, op: Operation) -> list:
        n = len(op.outputs)
        unknown = [None] * n
        if op.type == "Const":
            return [op.op_def.value]
        if not _may_fold(op):
            return unknown
        inputs = [None if t in self._fixed else self._static.get(t) for t in op.inputs]
        if op.type == "PlaceholderWithDefault":  # not an input: it yields its default
            return inputs
        if all(v is not None for v in inputs):
            if any((t.shape.num_elements() or 0) > MAX_FOLDED_ELEMENTS for t in op.outputs):
                return unknown
            try:
                result = op.op_def.kernel(*inputs)
            except Exception:  # it fails again, with context, when it runs
                return unknown
            values = [np.asarray(v) for v in (result if n != 1 else (result,))]
            return [v if v.size <= MAX_FOLDED_ELEMENTS and v.dtype != object else None
                    for v in values]
        custom = getattr(op.op_def, "static_value", None)
        if custom is not None:
            try:
                values = custom(op)
            except Exception:
                return unknown
            if values is not None:
                return [None if v is None else np.asarray(v) for v in values]
        return unknown

    # ------------------------------------------------------------------ converting
    def convert(self, tensors: Sequence[Tensor]) -> list:
        """Converts what `tensors` need; returns their ONNX names."""
        from flowgraph.onnx.export_ops import get_exporters
        table = get_exporters()
        expanded: set = set()
        for target in tensors:
            stack = [target]
            while stack:
                t = stack[-1]
                if self._ready(t):
                    stack.pop()
                    continue
                op = t.op
                if op not in expanded:
                    expanded.add(op)
                    needed = [u for u in self._needs(table, op) if not self._ready(u)]
                    if needed:
                        stack.extend(reversed(needed))
                        continue
                stack.pop()
                self._convert(table, op)
        names = []
        for t in tensors:
            try:
                names.append(self.name(t))
            except CannotConvertError as exc:
                self.model.problems.append((t.op.type, node_label(t.op), str(exc)))
                names.append(f"<unavailable {t.name}>")
        return names

    def _ready(self, t: Tensor) -> bool:
        return t in self.names or t in self._unavailable or self.static(t) is not None

    def _needs(self, table: dict, op: Operation) -> list:
        entry = table.get(op.type)
        if entry is not None and entry.needs is not None:
            try:
                return list(entry.needs(self, op))
            except CannotConvertError:
                pass  # the conversion itself reports it
        return list(op.inputs)

    def _convert(self, table: dict, op: Operation) -> None:
        entry = table.get(op.type)
        if entry is None:
            self._fail(op, "flowgraph has no ONNX conversion for this op type")
            return
        previous, self.op = self.op, op  # (converters of cond / while_loop nest converts)
        try:
            result = entry.convert(self, op)
        except CannotConvertError as exc:
            self._fail(op, str(exc))
            return
        finally:
            self.op = previous
        names = [result] if isinstance(result, str) else list(result)
        names += [None] * (len(op.outputs) - len(names))
        for t, name in zip(op.outputs, names):
            if name is None:
                self._unavailable[t] = (f"it reads output {t.value_index} of {op.name} "
                                        f"({op.type}), which has no ONNX equivalent")
            else:
                self.names[t] = name

    def _fail(self, op: Operation, reason: str) -> None:
        self.model.problems.append((op.type, node_label(op), reason))
        for t in op.outputs:
            self.names[t] = f"<unsupported {t.name}>"

    def graph(self, name: str, inputs: Sequence[Any], outputs: Sequence[Any]) -> Any:
        """This scope's nodes as a GraphProto with the given input and output ValueInfos;
        nodes and initializers that no output needs are left out (e.g. a transpose back to
        channels-last that the next convolution cancelled)."""
        needed = {info.name for info in outputs}
        live = []
        for node in reversed(self.nodes):
            if any(out in needed for out in node.output):
                live.append(node)
                needed.update(node.input)
                needed.update(_outer_reads(node))
        initializers = [t for t in self.model.initializers if t.name in needed] \
            if self.is_top else []
        return self.helper.make_graph(live[::-1], name, list(inputs), list(outputs),
                                      initializer=initializers)


def _outer_reads(node: Any) -> set:
    """The names the sub-graphs of `node` (If branches, Loop bodies) read."""
    names: set = set()
    for attr in node.attribute:
        graphs = ([attr.g] if attr.HasField("g") else []) + list(attr.graphs)
        for graph in graphs:
            for inner in graph.node:
                names.update(inner.input)
                names.update(_outer_reads(inner))
    return names


def node_label(op: Operation) -> str:
    """How an error names a node: "'dense/MatMul' (model.py:12)"."""
    site = op.creation_site
    return f"'{op.name}'" + (f" ({site.short()})" if site is not None else "")


def _may_fold(op: Operation) -> bool:
    op_def = op.op_def
    return not (op_def.stateful or op_def.needs_state) and op.type != "Placeholder"
