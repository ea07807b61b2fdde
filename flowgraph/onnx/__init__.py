"""ONNX export and import: `fg.onnx.export` and `fg.onnx.import_model`.

>>> fg.onnx.export(sess, inputs={"images": x}, outputs={"logits": logits},
...                path="model.onnx")
>>> graph, inputs, outputs = fg.onnx.import_model("model.onnx")
>>> with fg.Session(graph=graph) as sess:
...     sess.run(outputs["logits"], {inputs["images"]: batch})

Needs the optional packages `onnx` (and `onnxruntime` to run exported models):
``pip install "flowgraph[onnx]"``. The conversions are tables of small converters, one
per op type or family: `flowgraph.onnx.export_ops` (flowgraph -> ONNX) and
`flowgraph.onnx.import_ops` (ONNX -> flowgraph).
"""

from __future__ import annotations

from flowgraph.onnx.exporter import export
from flowgraph.onnx.importer import import_model
from flowgraph.onnx.unsupported import UnsupportedOpError

__all__ = ["export", "import_model", "UnsupportedOpError", "exportable_op_types",
           "importable_op_types"]


def exportable_op_types() -> list:
    """The flowgraph op types `export` converts, sorted."""
    from flowgraph.onnx.export_ops import get_exporters
    return sorted(get_exporters())


def importable_op_types() -> list:
    """The ONNX op types (default domain) `import_model` converts, sorted."""
    from flowgraph.onnx.import_ops.table import get_importers
    return sorted(get_importers())
