"""Saving and loading: graph files, meta graphs, checkpoints (TF1's `tf.io` names too).

Everything is stored in flowgraph's container format (`flowgraph.io.container`): JSON plus
checksummed tensor bytes, never pickles, written atomically.

The names below are imported on first use, so that importing flowgraph stays fast.
"""

from __future__ import annotations

import importlib
from typing import Any

from flowgraph.tf1 import gfile_v2 as gfile  # noqa: F401 - tf.io.gfile (light: os and shutil)

_EXPORTS = {
    "GraphDef": "graph_def", "NodeDef": "graph_def", "VersionDef": "graph_def",
    "GraphDefError": "attrs", "import_graph_def": "importer",
    "MetaGraphDef": "meta_graph", "MetaInfoDef": "meta_graph", "SignatureDef": "meta_graph",
    "TensorInfo": "meta_graph", "export_meta_graph": "meta_graph",
    "import_meta_graph": "meta_graph", "read_meta_graph_file": "meta_graph",
    "write_graph": "graph_files", "load_graph_file": "graph_files",
    "read_graph_def": "graph_files", "decode_csv": "csv_records",
    # tf.Example parsing and TFRecord files.
    "FixedLenFeature": "example_spec", "VarLenFeature": "example_spec",
    "FixedLenSequenceFeature": "example_spec", "parse_example": "example_parsing",
    "parse_single_example": "example_parsing", "decode_raw": "example_parsing",
    "TFRecordWriter": "tf_record", "TFRecordOptions": "tf_record",
    "TFRecordCompressionType": "tf_record", "tf_record_iterator": "tf_record",
    # Tensors as TensorProto bytes (the ops live in flowgraph.ops.serialize_tensor).
    "serialize_tensor": "..ops.serialize_tensor", "parse_tensor": "..ops.serialize_tensor",
    # Whole files, base64 and SequenceExample parsing.
    "read_file": "..ops.file_io", "write_file": "..ops.file_io",
    "matching_files": "..ops.file_io", "encode_base64": "..ops.base64_ops",
    "decode_base64": "..ops.base64_ops",
    "parse_single_sequence_example": "sequence_example_parsing",
    "serialize_sparse": "..ops.sparse_serialize",
    "serialize_many_sparse": "..ops.sparse_serialize",
    "deserialize_many_sparse": "..ops.sparse_serialize",
    # TF1's tf.io aliases of the image codecs and the queues.
    **{name: "..image" for name in (
        "decode_png", "decode_jpeg", "decode_gif", "decode_bmp", "decode_image",
        "decode_and_crop_jpeg", "encode_png", "encode_jpeg", "extract_jpeg_shape", "is_jpeg")},
    **{name: "..input.queues" for name in (
        "PaddingFIFOQueue", "QueueBase", "RandomShuffleQueue")},
    "PriorityQueue": "..input.priority_queue",
    "decode_compressed": "..ops.decode_more", "decode_json_example": "..ops.decode_more",
    "match_filenames_once": "..input.filenames",
    "SparseFeature": "sparse_feature",
    "parse_sequence_example": "sequence_example_batch",
}

__all__ = sorted([*_EXPORTS, "gfile"])


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'flowgraph.io' has no attribute {name!r}")
    path = f"flowgraph.{module[2:]}" if module.startswith("..") else f"flowgraph.io.{module}"
    value = getattr(importlib.import_module(path), name)
    globals()[name] = value
    return value


def __dir__() -> list:
    return sorted(set(globals()) | set(_EXPORTS))
