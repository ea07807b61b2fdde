"""The table of export converters: flowgraph op type -> function emitting ONNX nodes.

A converter is ``convert(ctx, op)``: it reads the ONNX names of the op's inputs with
``ctx.name(op.inputs[i])`` (or their values known when exporting with ``ctx.static``),
adds nodes with ``ctx.node(...)``, and returns the ONNX name of each output (one name, or
a list with None for outputs ONNX cannot compute). It raises `CannotConvertError` when this node
cannot be converted. An optional ``needs(ctx, op)`` says which inputs the conversion reads
(default: all of them), so that e.g. a select on a known condition skips the other side.
"""

from __future__ import annotations

from typing import Any, Callable, NamedTuple, Optional


class Converter(NamedTuple):
    convert: Callable[[Any, Any], Any]
    needs: Optional[Callable[[Any, Any], list]] = None


EXPORTERS: dict = {}


def exporter(*op_types: str, needs: Optional[Callable[[Any, Any], list]] = None) -> Callable:
    """Registers the decorated function as the converter of `op_types`."""

    def register(fn: Callable) -> Callable:
        for op_type in op_types:
            if op_type in EXPORTERS:
                raise ValueError(f"An ONNX exporter for {op_type} is already registered")
            EXPORTERS[op_type] = Converter(fn, needs)
        return fn

    return register
