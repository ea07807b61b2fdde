"""Errors for ops that have no conversion, collected and reported all at once."""

from __future__ import annotations

from typing import Sequence

from flowgraph import errors


class UnsupportedOpError(errors.UnimplementedError):
    """Raised by `fg.onnx.export` / `fg.onnx.import_model` when some ops have no conversion.

    ``problems`` holds ``(op type, node, reason)`` for every node that could not be
    converted (the node as "'name' (file:line)" when its creation site is known); the
    message lists them grouped by op type.
    """

    def __init__(self, node_def: object, op: object, message: str,
                 problems: Sequence[tuple] = ()) -> None:
        super().__init__(node_def, op, message)
        self.problems = list(problems)

    def __reduce__(self):
        return (type(self), (self._node_def, None, self._message, self.problems))


class CannotConvertError(Exception):
    """Raised inside a converter when this particular node cannot be converted (e.g. a
    transpose whose permutation is only known when the graph runs)."""


def unsupported_error(problems: Sequence[tuple], direction: str,
                      supported: Sequence[str]) -> UnsupportedOpError:
    """One error listing every problem ``(op type, node label, reason)``, by op type.

    `direction` is "export" (flowgraph -> ONNX) or "import" (ONNX -> flowgraph).
    """
    by_type: dict = {}
    for op_type, node, reason in problems:
        by_type.setdefault(op_type, []).append((node, reason))
    lines = []
    for op_type in sorted(by_type):
        nodes = by_type[op_type]
        reasons = sorted({reason for _, reason in nodes})
        names = ", ".join(node for node, _ in nodes[:8])
        more = f" and {len(nodes) - 8} more" if len(nodes) > 8 else ""
        lines.append(f"  {op_type} ({len(nodes)} node{'s' if len(nodes) != 1 else ''}: "
                     f"{names}{more}): {'; '.join(reasons)}")
    if direction == "export":
        head = (f"Cannot export to ONNX: {len(by_type)} op type(s) in the graph between the "
                "inputs and outputs have no ONNX conversion:")
        fix = ("Export only the inference part of the model (e.g. the logits, not the loss "
               "or the train op), pass tensors that feed these ops as inputs, or build the "
               "model from supported ops.")
        listing = "fg.onnx.exportable_op_types()"
    else:
        head = (f"Cannot import the ONNX model: {len(by_type)} op type(s) have no flowgraph "
                "conversion:")
        fix = "Re-export the model with these ops decomposed into supported ones."
        listing = "fg.onnx.importable_op_types()"
    message = "\n".join([head, *lines, fix,
                         f"Supported op types ({len(supported)}): see {listing}."])
    return UnsupportedOpError(None, None, message, problems)
