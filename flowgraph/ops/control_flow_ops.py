"""Functional control-flow ops: `If` and `While`, whose branches and bodies are sub-graphs.

A branch or body is a Graph (a FuncGraph while it is built by `fg.cond` / `fg.while_loop`,
a plain Graph once read back from a file) held as a typed attribute, with the names of its
input placeholders and output tensors. The op's inputs are the values the sub-graphs read:
for `If`, the predicate then every captured tensor; for `While`, the loop variables then
every captured tensor. Variables the sub-graphs read or assign are captured by reference:
they come last among the inputs (`ref_inputs`, in the order of the sorted names of the
sub-graphs' Variable nodes), and the op points the sub-graphs' Variable nodes at them, so a
branch reads and writes the Session's own values (also after an import under a prefix).

Every control-flow op has one more output than its branches have: a `variant` recording
of values its gradient reads instead of recomputing them: for `While`, per iteration, the
body values the backward loop asks for (`requested_names`: the UnpackSaved nodes reading
the recording name them); for `If`, the values drawn by the taken branch's stateful ops
(random ones: so that recomputing the branch for the gradient sees the same dropout
masks). It is recorded only when something reads it, i.e. when a gradient was built.

The public builders are in `flowgraph.control_flow` (fg.cond, fg.while_loop, ...).
"""

from __future__ import annotations

from typing import Any, Optional, Tuple

import numpy as np

from flowgraph import errors
from flowgraph.dtypes import bool_, variant
from flowgraph.graph import Graph
from flowgraph.ops.registry import Op, register
from flowgraph.shapes import TensorShape

__all__: list = []  # builders: flowgraph.control_flow


def variable_names(*graphs: Graph) -> tuple:
    """The names of the Variables the sub-graphs use by reference, sorted: a control-flow
    op's last inputs are these Variables, in this order."""
    names = set()
    for graph in graphs:
        for op in graph.get_operations():
            if getattr(op.op_def, "is_variable", False):
                names.add(op.name)
    return tuple(sorted(names))


def _set_ref_inputs(op_def: Op, start: int, *graphs: Graph) -> None:
    for graph in graphs:
        graph._control_flow_body = True  # (see If.fast_kernel)
    names = variable_names(*graphs)
    object.__setattr__(op_def, "_variables", names)
    object.__setattr__(op_def, "_refs", tuple(range(start, start + len(names))))


def _variable_keys(names: tuple, refs: tuple) -> tuple:
    """((sub-graph Variable name, Session Variable key), ...) from the by-reference inputs'
    VariableRefs (the keys differ from the names in a graph imported under a prefix)."""
    return tuple(zip(names, (ref.key for ref in refs)))


def runs_for_effect(op: Any) -> bool:
    """Whether a sub-graph's op runs even when no output needs it: stateful ops (assigns,
    random draws, prints, control-flow ops), as TF2's functions run them."""
    op_def = op.op_def
    return bool(op_def.stateful) and not getattr(op_def, "requires_feed", False) and \
        not getattr(op_def, "is_variable", False)


def saved_tensors(graph: Graph, outputs: Tuple[str, ...]) -> tuple:
    """Names of the tensors a gradient of `graph` must not recompute: the outputs, read by
    other ops or returned, of its stateful ops (random draws, assigns). Nested control-flow
    ops are recomputed instead (their gradients need their own recordings)."""
    returned = set(outputs)
    names = []
    for op in graph.get_operations():
        if not runs_for_effect(op) or getattr(op.op_def, "is_control_flow", False):
            continue
        for t in op.outputs:
            if t._consumers or t.name in returned:
                names.append(t.name)
    return tuple(names)


def requested_names(recording: Any) -> set:
    """The names asked for by the UnpackSaved nodes that read `recording` (directly, or
    through the branches and bodies of control-flow ops it is passed to)."""
    from flowgraph.ops.control_flow_records import UnpackSaved
    names: set = set()
    for consumer in recording._consumers:
        op_def = consumer.op_def
        if isinstance(op_def, UnpackSaved):
            names.update(op_def.names)
        elif getattr(op_def, "is_control_flow", False):
            for position, t in enumerate(consumer.inputs):
                if t is recording:
                    for graph, name in op_def.sub_graph_inputs(position):
                        names |= requested_names(graph.get_tensor_by_name(name))
    return names


def most_specific_compatible_shape(a: TensorShape, b: TensorShape) -> TensorShape:
    """The shape that both `a` and `b` are instances of (unknown where they differ)."""
    da, db = a.as_tuple(), b.as_tuple()
    if da is None or db is None or len(da) != len(db):
        return TensorShape(None)
    return TensorShape([x if x == y else None for x, y in zip(da, db)])


def _tensors(graph: Graph, names: Tuple[str, ...], what: str) -> list:
    try:
        return [graph.get_tensor_by_name(name) for name in names]
    except (KeyError, ValueError) as exc:
        raise ValueError(f"{what} names a tensor it does not hold: {exc}") from None


def _check_inputs(op: Any, graph: Graph, names: Tuple[str, ...], offset: int,
                  what: str) -> None:
    """The op's inputs must fit the sub-graph's placeholders (as an imported file may not)."""
    for i, name in enumerate(names):
        if not name:
            continue
        (inner,) = _tensors(graph, (name,), what)
        given = op.inputs[offset + i]
        if inner.dtype != given.dtype:
            raise TypeError(f"{what} input {name} has dtype {inner.dtype.name}, but the op "
                            f"is given {given.name} of dtype {given.dtype.name}")
        if not inner.shape.is_compatible_with(given.shape):
            raise ValueError(f"{what} input {name} has shape {inner.shape}, but the op is "
                             f"given {given.name} of shape {given.shape}")


def graph_fingerprint(graph: Graph) -> str:
    """A digest of a sub-graph's content (its nodes, attributes and nested graphs, without
    creation sites): equal for a graph and its copy read back from a file."""
    cached = getattr(graph, "_content_digest", None)
    if cached is not None and cached[0] == graph.version:
        return cached[1]
    import hashlib

    from flowgraph.io.graph_def import graph_to_graph_def
    text = graph_to_graph_def(graph, strip_creation_sites=True).to_json()
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    graph._content_digest = (graph.version, digest)
    return digest


class _SubGraphOp(Op):
    """Equality and hashing by content: sub-graph attributes compare by `graph_fingerprint`
    (so an op read back from a file equals the original)."""

    def _key(self) -> tuple:
        return tuple(graph_fingerprint(v) if isinstance(v, Graph) else v
                     for v in self.attributes().values())

    def __eq__(self, other: Any) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self is other or self._key() == other._key()

    def __hash__(self) -> int:
        return hash((type(self).__name__, self._key()))


# --------------------------------------------------------------------------- If
@register
class If(_SubGraphOp):
    """Runs `then_branch` if the scalar bool input is true, else `else_branch`; only the
    chosen branch runs. Outputs the branch's outputs, then the recording for the gradient.

    Inputs: pred, then the values both branches read (``then_inputs[i]`` names the
    placeholder of `then_branch` that input ``1 + i`` feeds, "" if that branch does not
    read it), then the Variables they use by reference.
    """

    then_branch: Graph
    else_branch: Graph
    then_inputs: Tuple[str, ...] = ()
    else_inputs: Tuple[str, ...] = ()
    then_outputs: Tuple[str, ...] = ()
    else_outputs: Tuple[str, ...] = ()

    stateful = True  # its branches may assign, draw random numbers, ...
    needs_state = True
    is_control_flow = True
    __eq__ = _SubGraphOp.__eq__  # (in the class body, so the dataclass keeps them)
    __hash__ = _SubGraphOp.__hash__

    def check(self) -> None:
        if not isinstance(self.then_branch, Graph) or not isinstance(self.else_branch, Graph):
            raise ValueError("If needs Graphs as then_branch and else_branch")
        if len(self.then_inputs) != len(self.else_inputs):
            raise ValueError(f"If has {len(self.then_inputs)} then_inputs but "
                             f"{len(self.else_inputs)} else_inputs")
        if len(self.then_outputs) != len(self.else_outputs):
            raise ValueError(f"If branches must have as many outputs: then_branch has "
                             f"{len(self.then_outputs)}, else_branch "
                             f"{len(self.else_outputs)}")
        _set_ref_inputs(self, 1 + len(self.then_inputs), self.then_branch, self.else_branch)

    @property
    def ref_inputs(self) -> tuple:
        return self._refs

    def infer(self, op):
        pred = op.inputs[0]
        if pred.dtype != bool_:
            raise TypeError(f"The predicate of a cond must be a bool tensor, got "
                            f"{pred.dtype.name} ({pred.name}); compare it with a value, e.g. "
                            "fg.greater(x, 0).")
        if not pred.shape.is_compatible_with([]):
            raise ValueError(f"The predicate of a cond must be a scalar, got shape "
                             f"{pred.shape} ({pred.name}); reduce it, e.g. fg.reduce_all.")
        expected = 1 + len(self.then_inputs) + len(self._refs)
        if len(op.inputs) != expected:
            raise ValueError(f"If takes {expected} inputs (pred, {len(self.then_inputs)} "
                             f"values, {len(self._refs)} Variables), got {len(op.inputs)}")
        _check_inputs(op, self.then_branch, self.then_inputs, 1, "then_branch")
        _check_inputs(op, self.else_branch, self.else_inputs, 1, "else_branch")
        then_out = _tensors(self.then_branch, self.then_outputs, "then_branch")
        else_out = _tensors(self.else_branch, self.else_outputs, "else_branch")
        specs = []
        for i, (t, e) in enumerate(zip(then_out, else_out)):
            if t.dtype != e.dtype:
                raise TypeError(f"Outputs of true_fn and false_fn must have the same type: "
                                f"output {i} is {t.dtype.name} ({t.name}) in true_fn but "
                                f"{e.dtype.name} ({e.name}) in false_fn")
            specs.append((t.dtype, most_specific_compatible_shape(t.shape, e.shape)))
        return specs + [(variant, TensorShape([]))]

    def sub_graph_inputs(self, position: int) -> list:
        """[(branch, placeholder name)] that op input `position` feeds."""
        if position < 1 or position > len(self.then_inputs):
            return []
        return [(g, names[position - 1]) for g, names in (
            (self.then_branch, self.then_inputs), (self.else_branch, self.else_inputs))
            if names[position - 1]]

    def fast_kernel(self, op):
        recording = op._outputs[-1]
        requested = requested_names(recording) if recording._consumers else set()
        # Inside a loop body or branch, the stateful ops' values are always recorded: the
        # enclosing op's gradient reads this recording from its own (it cannot ask here).
        nested = getattr(op.graph, "_control_flow_body", False)
        if nested:
            requested |= {prefix + name for prefix, graph, outputs in (
                ("then:", self.then_branch, self.then_outputs),
                ("else:", self.else_branch, self.else_outputs))
                for name in saved_tensors(graph, outputs)}
        record = bool(recording._consumers) or nested
        n_out = len(self.then_outputs)
        branches = []
        for prefix, graph, inputs, outputs in (
                ("else:", self.else_branch, self.else_inputs, self.else_outputs),
                ("then:", self.then_branch, self.then_inputs, self.then_outputs)):
            names = tuple(sorted(n for n in requested if n.startswith(prefix)))
            branches.append(((graph, inputs, outputs, tuple(n[5:] for n in names)), names))
        n_values = len(self.then_inputs)
        compiled: dict = {}

        def run(ctx: Any, pred: Any, *values: Any) -> Any:
            taken = 1 if pred else 0
            refs = values[n_values:]
            fn = compiled.get((taken, refs))
            spec, names = branches[taken]
            if fn is None:
                keys = _variable_keys(self._variables, refs)
                fn = compiled[(taken, refs)] = ctx.function(*spec, keys)
            results = fn(values)
            saved = [dict(zip(names, results[n_out:]))] if record else None
            if not n_out:
                return saved
            return (*results[:n_out], saved)

        return run

    def kernel(self, ctx, pred, *values):  # the reference path (fast_kernel is used)
        return self.fast_kernel(ctx.op)(ctx, pred, *values)

    grad_takes_needed = True

    def grad(self, op, *grads, needed=None):
        from flowgraph.control_flow.cond_grad import if_grad
        return if_grad(op, list(grads[:-1]), needed)


# --------------------------------------------------------------------------- While
@register
class While(_SubGraphOp):
    """Repeats `body` on the loop variables while `cond` is true; outputs their final
    values, then the recording for the gradient.

    Inputs: the loop variables, then the values `cond` and `body` capture (``body_inputs``
    names the placeholder of `body` each of these inputs feeds, "" if it does not read
    it; ``cond_inputs`` the same for `cond`), then the Variables they use by reference.
    ``body_outputs`` names the body's new value of each loop variable, ``cond_output`` the
    condition's scalar bool.
    """

    cond: Graph
    body: Graph
    cond_inputs: Tuple[str, ...] = ()
    cond_output: str = ""
    body_inputs: Tuple[str, ...] = ()
    body_outputs: Tuple[str, ...] = ()
    parallel_iterations: int = 10
    back_prop: bool = True

    stateful = True
    needs_state = True
    is_control_flow = True
    __eq__ = _SubGraphOp.__eq__
    __hash__ = _SubGraphOp.__hash__

    def check(self) -> None:
        if not isinstance(self.cond, Graph) or not isinstance(self.body, Graph):
            raise ValueError("While needs Graphs as cond and body")
        if len(self.cond_inputs) != len(self.body_inputs):
            raise ValueError(f"While has {len(self.cond_inputs)} cond_inputs but "
                             f"{len(self.body_inputs)} body_inputs")
        if len(self.body_outputs) > len(self.body_inputs):
            raise ValueError(f"While has {len(self.body_outputs)} loop variables but only "
                             f"{len(self.body_inputs)} inputs")
        if self.parallel_iterations < 1:
            raise ValueError(f"parallel_iterations must be a positive integer, got "
                             f"{self.parallel_iterations}")
        _set_ref_inputs(self, len(self.body_inputs), self.cond, self.body)

    @property
    def ref_inputs(self) -> tuple:
        return self._refs

    def infer(self, op):
        n = len(self.body_outputs)
        expected = len(self.body_inputs) + len(self._refs)
        if len(op.inputs) != expected:
            raise ValueError(f"While takes {expected} inputs ({len(self.body_inputs)} values, "
                             f"{len(self._refs)} Variables), got {len(op.inputs)}")
        _check_inputs(op, self.cond, self.cond_inputs, 0, "While cond")
        _check_inputs(op, self.body, self.body_inputs, 0, "While body")
        (pred,) = _tensors(self.cond, (self.cond_output,), "While cond")
        if pred.dtype != bool_ or not pred.shape.is_compatible_with([]):
            raise TypeError(f"The cond of a while_loop must return a scalar bool tensor, got "
                            f"{pred.dtype.name} of shape {pred.shape} ({pred.name})")
        outputs = _tensors(self.body, self.body_outputs, "While body")
        specs = []
        for i, (given, out) in enumerate(zip(op.inputs[:n], outputs)):
            name = self.body_inputs[i]
            invariant = self.body.get_tensor_by_name(name).shape if name else given.shape
            if out.dtype != given.dtype:
                raise TypeError(f"Loop variable {i} enters the loop as {given.dtype.name} "
                                f"({given.name}) but the body returns {out.dtype.name} "
                                f"({out.name}); cast it in the body.")
            specs.append((given.dtype, invariant))
        return specs + [(variant, TensorShape([]))]

    def _shape_checks(self) -> list:
        """[(loop variable index, invariant dims)] for the outputs whose static shape does
        not already prove that they keep the invariant."""
        checks = []
        for i, (name, out_name) in enumerate(zip(self.body_inputs, self.body_outputs)):
            if not name:
                continue
            want = self.body.get_tensor_by_name(name).shape.as_tuple()
            got = self.body.get_tensor_by_name(out_name).shape.as_tuple()
            if want is None:
                continue
            if got is None or any(w is not None and g is None for w, g in zip(want, got)):
                checks.append((i, want))
        return checks

    def sub_graph_inputs(self, position: int) -> list:
        """[(cond or body, placeholder name)] that op input `position` feeds."""
        if position >= len(self.body_inputs):
            return []
        return [(g, names[position]) for g, names in (
            (self.cond, self.cond_inputs), (self.body, self.body_inputs)) if names[position]]

    def fast_kernel(self, op):
        recording = op._outputs[-1]
        record = bool(recording._consumers)
        saved = tuple(sorted(requested_names(recording))) if record else ()
        n = len(self.body_outputs)
        checks = self._shape_checks()
        specs = ((self.cond, self.cond_inputs, (self.cond_output,)),
                 (self.body, self.body_inputs, self.body_outputs, saved))
        n_values = len(self.body_inputs)
        # ((recording input, counter loop variable), ...): entries this loop alone reads,
        # each for the last time at the iteration whose counter is its index
        # (flowgraph.runtime.passes.consumed_recordings): dropped once read.
        consumed = getattr(self, "_consumed", ())
        compiled: dict = {}

        def run(ctx: Any, *values: Any) -> Any:
            refs = values[n_values:]
            fns = compiled.get(refs)
            if fns is None:
                keys = _variable_keys(self._variables, refs)
                sums = self._loop_sums(ctx, record, checks)
                body_spec = specs[1]
                if sums:  # the body hands out the operands of each sum's matmul instead
                    outputs = list(self.body_outputs)
                    for s in sums:
                        outputs[s.index] = s.a_name
                    body_spec = (self.body, self.body_inputs,
                                 tuple(outputs) + tuple(s.b_name for s in sums), saved)
                fns = compiled[refs] = (ctx.function(*specs[0], (), keys).call,
                                        ctx.function(*body_spec, keys).call, sums)
            cond_fn, body_fn, sums = fns
            if sums:
                return _run_with_sums(ctx.op, cond_fn, body_fn, sums, checks, values, n,
                                      consumed)
            args = _loop_values(values)
            history: Optional[list] = [] if record else None
            iteration = 0
            while cond_fn(args)[0]:
                results = body_fn(args)
                if record:
                    history.append(dict(zip(saved, results[n:])))
                for i, dims in checks:
                    _check_invariant(ctx.op, i, dims, results[i], iteration)
                for j, k in consumed:
                    args[j][int(args[k])] = None
                args[:n] = results[:n]
                iteration += 1
            return (*args[:n], history)

        return run

    def _loop_sums(self, ctx: Any, record: bool, checks: list) -> list:
        """The loop variables run as stacked sums of matmuls (flowgraph.runtime.loop_sums):
        none when the loop records values for its gradient or the Session's
        matmul_stacking option is off."""
        options = ctx.state.plan_options
        if record or (options is not None and not options.matmul_stacking):
            return []
        from flowgraph.runtime.loop_sums import find_loop_sums
        return find_loop_sums(self.body, self.cond, self.body_inputs, self.body_outputs,
                              self.cond_inputs, {i for i, _ in checks})

    def kernel(self, ctx, *values):  # the reference path (fast_kernel is used)
        return self.fast_kernel(ctx.op)(ctx, *values)

    grad_takes_needed = True

    def grad(self, op, *grads, needed=None):
        if not self.back_prop:
            return [None] * len(op.inputs)
        from flowgraph.control_flow.while_grad import while_grad
        return while_grad(op, list(grads[:-1]), needed)


def _run_with_sums(op: Any, cond_fn: Any, body_fn: Any, sums: list, checks: list,
                   values: tuple, n: int, consumed: tuple = ()) -> tuple:
    """A While's loop (not recording) where the loop variables of `sums` are collected
    matmul operands, multiplied out in stacks at the end (`checks` does not hold them;
    `consumed` as in `While.fast_kernel`)."""
    args = _loop_values(values)
    collectors = [s.collector(values[s.index]) for s in sums]
    iteration = 0
    while cond_fn(args)[0]:
        results = body_fn(args)
        for k, (s, collector) in enumerate(zip(sums, collectors)):
            collector.push(results[s.index], results[n + k])
            results[s.index] = args[s.index]  # (the body does not read it)
        for i, dims in checks:
            _check_invariant(op, i, dims, results[i], iteration)
        for j, k in consumed:
            args[j][int(args[k])] = None
        args[:n] = results[:n]
        iteration += 1
    for s, collector in zip(sums, collectors):
        args[s.index] = collector.result()
    return (*args[:n], None)


def _loop_values(values: tuple) -> list:
    """The loop's starting values, single numbers as numpy scalars: the condition and the
    counters then run numpy's scalar math (flowgraph.runtime.scalar_kernels) from the first
    iteration on, not the ufuncs a 0-d array falls back to."""
    ndarray = np.ndarray
    return [v[()] if type(v) is ndarray and v.ndim == 0 else v for v in values]


def _check_invariant(op: Any, index: int, dims: tuple, value: Any, iteration: int) -> None:
    shape = np.shape(value)
    if len(shape) != len(dims) or any(d is not None and d != s for d, s in zip(dims, shape)):
        name = op.inputs[index].name
        raise errors.InvalidArgumentError(
            None, op, f"Loop variable {index} ({name}) of the while_loop has shape "
            f"{list(shape)} after iteration {iteration}, which does not fit its shape "
            f"invariant {list(dims)}. Pass a less specific shape in shape_invariants (e.g. "
            "None for a dimension that changes).")
