"""TF1's profiler protos as plain classes with TF's field names: `OpLogProto` (extra
information about ops, as `write_op_log` stores it) and `AdviceProto` (the advisor's
reports per checker)."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["OpLogEntry", "OpLogProto", "AdviceProto", "CodeDef", "CodeDefTrace"]


@dataclass
class CodeDefTrace:
    """One Python frame of an op's creation stack (TF1's ``CodeDef.Trace``)."""

    file: str = ""
    lineno: int = 0
    function: str = ""
    line: str = ""


@dataclass
class CodeDef:
    """The Python frames that created an op (TF1's ``CodeDef``)."""

    traces: list = field(default_factory=list)


@dataclass
class OpLogEntry:
    """Extra information about op `name`: `float_ops` (overrides the counted ones when
    positive), `types` (extra account types such as ``_trainable_variables``) and
    `code_def` (its creation site)."""

    name: str = ""
    float_ops: int = 0
    types: list = field(default_factory=list)
    code_def: CodeDef = field(default_factory=CodeDef)


@dataclass
class OpLogProto:
    """TF1's ``tfprof_log_pb2.OpLogProto``: `log_entries` (OpLogEntry) and
    `id_to_string` (unused by flowgraph, kept for TF's field set)."""

    log_entries: list = field(default_factory=list)
    id_to_string: dict = field(default_factory=dict)


@dataclass
class AdviceProto:
    """TF1's ``tfprof_output_pb2.AdviceProto``: `checkers` maps a checker's name to an
    ``AdviceProto.Checker`` whose `reports` are strings."""

    checkers: dict = field(default_factory=dict)

    @dataclass
    class Checker:
        """One checker's findings."""

        reports: list = field(default_factory=list)
