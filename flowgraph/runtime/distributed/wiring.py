"""Pass 2 of a Program: where each input of each node comes from, and what each unit exports.

Sources of a group's node inputs are those of `remote.Member`; task arguments are
("feed", i), ("var", key) (the Variable's value before the run), ("const", op) (a large
constant, sent once per plan) and ("unit", u) (the results of unit u). A client unit's
inputs are resolved on the client from the same kinds of sources.
"""

from __future__ import annotations

from typing import Any, Optional

from flowgraph.runtime.distributed.nodes import (
    INLINE_BYTES,
    is_constant,
    is_variable,
    shippable_kernel,
)
from flowgraph.runtime.distributed.remote import (
    GraphInfo,
    GroupSpec,
    Member,
    NodeInfo,
    RemoteRef,
)


def wire(program: Any, plan: Any) -> None:
    """Pass 2 of `Program`: the sources of every node's inputs, the exports of every unit,
    and what the client gathers (fetches, final Variable versions)."""
    for unit in program.units:
        if unit.remote:
            _wire_group(program, unit, plan.state)
        else:
            _wire_client(program, unit)
    program.fetches = []  # (fetch position, unit index, export index)
    program.alias_fetches = []  # (fetch position, Variable key): its value before the run
    for i, t in enumerate(plan.fetches):
        if t in program.aliases and t not in program.feeds:
            program.alias_fetches.append((i, program.aliases[t]))
            continue
        if t in program.feeds or t not in program._producer:
            continue  # fed, constant or Variable: the Session reads those itself
        u = program._producer[t][0]
        program.fetches.append((i, u, program.units[u].export(("t", t))))
    program.final = []  # (variable key, unit index, export index)
    for key, (u, position) in program._versions.items():
        program.final.append((key, u, program.units[u].export(("v", key, position))))


def _version_source(program: Any, key: str, version: Optional[tuple]) -> tuple:
    """The source of Variable `key` at `version`: its value before the run, or a unit's
    export of it."""
    if version is None:
        return ("var", key)
    producer = program.units[version[0]]
    return ("unit", version[0], producer.export(("v", key, version[1])))


def _wire_group(program: Any, unit: Any, state: Any) -> None:
    spec = unit.spec = GroupSpec(f"{unit.name}")
    graph = GraphInfo({})
    first: dict = {}
    for op in unit.ops:
        refs = op.op_def.ref_inputs
        inputs = []
        for i, t in enumerate(op.inputs):
            if t in program.feeds:
                inputs.append(("a", unit.arg(("feed", program.feeds[t]))))
            elif t in program.aliases:
                key = program.aliases[t]
                _reference(spec, graph, program._variable_ops[key])
                inputs.append(("i", unit.arg(("var", key)), key))
            elif is_constant(t.op):
                value = t.op.op_def.value
                if getattr(value, "nbytes", 0) <= INLINE_BYTES:
                    inputs.append(("c", value))
                else:
                    inputs.append(("a", unit.arg(("const", t.op))))
            elif is_variable(t.op):
                key = t.op.name
                if key not in first:
                    version = _version_source(program, key, program._seen[op][key])
                    first[key] = _argument(unit, version)
                _reference(spec, graph, t.op)
                inputs.append(("r" if i in refs else "x", key))
            else:
                u, _ = program._producer[t]
                if u == unit.index:
                    inputs.append(("v", t))
                else:
                    inputs.append(_argument(unit, ("unit", u,
                                                        program.units[u].export(("t", t)))))
        spec.members.append(Member(NodeInfo(op, graph), shippable_kernel(op), tuple(inputs)))
    spec.variables = tuple(first.items())
    spec.stateful = bool(first) or any(op.op_def.needs_state for op in unit.ops)
    spec.entropy = getattr(state, "_entropy", None)


def _reference(spec: GroupSpec, graph: GraphInfo, variable: Any) -> None:
    """Gives the group a RemoteRef of `variable` (for by-reference inputs and errors)."""
    key = variable.name
    if key not in spec.refs:
        graph._ops_by_name[key] = info = NodeInfo(variable, graph, tensors=False)
        spec.refs[key] = RemoteRef(key, info)


def _argument(unit: Any, source: tuple) -> tuple:
    if source[0] == "unit":
        return ("p", unit.arg(("unit", source[1])), source[2])
    return ("a", unit.arg(source))


def _wire_client(program: Any, unit: Any) -> None:
    op = unit.ops[0]
    refs = op.op_def.ref_inputs
    for i, t in enumerate(op.inputs):
        if t in program.feeds:
            unit.sources.append(("feed", program.feeds[t]))
        elif t in program.aliases:
            unit.sources.append(("alias", program.aliases[t]))
        elif is_constant(t.op):
            unit.sources.append(("c", t.op.op_def.value))
        elif is_variable(t.op):
            unit.sources.append(("r" if i in refs else "x", t.op))
        else:
            u, _ = program._producer[t]
            unit.sources.append(("unit", u, program.units[u].export(("t", t))))
    for key, version in program._seen[op].items():
        unit.versions.append((key, _version_source(program, key, version)))


def finish_spec(unit: Any) -> None:
    """Numbers the values a group keeps, and says when each can be dropped."""
    spec = unit.spec
    exported = {desc[1]: index for desc, index in unit.exports.items() if desc[0] == "t"}
    last_use: dict = {}
    for position, member in enumerate(spec.members):
        for source in member.inputs:
            if source[0] == "v":
                last_use[source[1]] = position
    frees_at: dict = {}
    for t, last in last_use.items():
        if t not in exported:
            frees_at.setdefault(last, []).append(t)
    ids: dict = {}
    for position, (op, member) in enumerate(zip(unit.ops, spec.members)):
        member.inputs = tuple(("v", ids[s[1]]) if s[0] == "v" else s for s in member.inputs)
        outputs = []
        for t in op.outputs:
            if t in last_use or t in exported:
                ids[t] = len(ids)
                outputs.append(ids[t])
            else:
                outputs.append(None)
        member.outputs = tuple(outputs)
        member.frees = tuple(ids[t] for t in frees_at.get(position, ()))
        member.snapshots = tuple((index, desc[1]) for desc, index in unit.exports.items()
                                 if desc[0] == "v" and desc[2] == position)
    spec.n_values = len(ids)
    spec.n_exports = len(unit.exports)
    spec.tensor_exports = tuple((index, ids[t]) for t, index in exported.items())
