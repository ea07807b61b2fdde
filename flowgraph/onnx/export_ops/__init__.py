"""Export converters, one small module per family of flowgraph ops (see `table`)."""

from __future__ import annotations

from flowgraph.onnx.export_ops.table import EXPORTERS, Converter, exporter

__all__ = ["EXPORTERS", "Converter", "exporter", "get_exporters"]


def get_exporters() -> dict:
    """{flowgraph op type: Converter}, with every converter module loaded."""
    from flowgraph.onnx.export_ops import (  # noqa: F401  (they register themselves)
        activations,
        array,
        control_flow,
        elementwise,
        linalg,
        losses,
        nn,
        reduce,
        slicing,
        variables,
    )
    return EXPORTERS
