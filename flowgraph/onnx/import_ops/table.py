"""The table of import converters: ONNX op type -> function building flowgraph ops.

A converter is ``convert(ctx, node, inputs, attrs)``: `inputs` are the flowgraph tensors
of the node's inputs (None for an omitted optional input), `attrs` the node's attributes
as Python values (tensors as numpy arrays, sub-graphs as GraphProtos). It builds ops in the
default graph (inside a name scope named after the node) and returns one tensor per node
output (a tensor, or a list). It raises `CannotConvertError` when this node cannot be converted.
``ctx.static(tensor)`` is a tensor's value when it is known at import time (initializers
and what follows from them), e.g. for shapes and axes.
"""

from __future__ import annotations

from typing import Callable

IMPORTERS: dict = {}


def importer(*op_types: str) -> Callable:
    """Registers the decorated function as the converter of the ONNX `op_types`."""

    def register(fn: Callable) -> Callable:
        for op_type in op_types:
            if op_type in IMPORTERS:
                raise ValueError(f"An ONNX importer for {op_type} is already registered")
            IMPORTERS[op_type] = fn
        return fn

    return register


def get_importers() -> dict:
    """{ONNX op type: converter}, with every converter module loaded."""
    import flowgraph.onnx.import_ops  # noqa: F401  (registers the converters)
    return IMPORTERS
