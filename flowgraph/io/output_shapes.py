"""TF1's ``_output_shapes`` NodeDef attribute (``graph.as_graph_def(add_shapes=True)``).

It reads as TF1's AttrValue: ``node.attr["_output_shapes"].list.shape[i]`` is output i's
shape, with ``dim[j].size`` (-1 for an unknown size) and ``unknown_rank``. Files store it as
a list of shapes; importing ignores it, as TF1 (shapes are inferred again).
"""

from __future__ import annotations

import typing
from typing import Any

from flowgraph.shapes import TensorShape

__all__ = ["OUTPUT_SHAPES", "OutputShapesAttr", "output_shapes_of"]

OUTPUT_SHAPES = "_output_shapes"
# How the attribute is encoded in files: as an attribute of kind tuple of shapes.
ENCODED_KIND = typing.Tuple[TensorShape, ...]


class _ShapeList:
    """The `list` field of the AttrValue: `shape`, one TensorShapeProto-like per output."""

    def __init__(self, shapes: list) -> None:
        self.shape = shapes


class OutputShapesAttr:
    """The ``_output_shapes`` attribute value: `list.shape` (TensorShapeProto-like shapes,
    also TensorShapes) and `shapes` (a tuple of TensorShape)."""

    def __init__(self, shapes: Any) -> None:
        from flowgraph.io.meta_graph import TensorShapeView  # (meta_graph imports graph_def)
        self.list = _ShapeList([TensorShapeView(TensorShape(s)) for s in shapes])

    @property
    def shapes(self) -> tuple:
        return tuple(TensorShape(s) for s in self.list.shape)

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, OutputShapesAttr) and self.shapes == other.shapes

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"OutputShapesAttr({[str(s) for s in self.list.shape]})"


def output_shapes_of(value: Any) -> tuple:
    """The shapes of an ``_output_shapes`` value: an OutputShapesAttr, an AttrValue-like
    object with ``list.shape`` or a sequence of shapes."""
    if isinstance(value, OutputShapesAttr):
        return value.shapes
    listed = getattr(value, "list", None)
    if listed is not None and hasattr(listed, "shape"):
        return tuple(_shape_of_proto(s) for s in listed.shape)
    return tuple(TensorShape(s) for s in value)


def _shape_of_proto(shape: Any) -> TensorShape:
    if isinstance(shape, TensorShape):
        return shape
    if getattr(shape, "unknown_rank", False):
        return TensorShape(None)
    dims = getattr(shape, "dim", None)
    if dims is None:
        return TensorShape(shape)
    return TensorShape([None if d.size < 0 else int(d.size) for d in dims])
