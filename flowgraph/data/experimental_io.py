"""TF1's `tf.data.experimental.TFRecordWriter`: writes a dataset of strings to a TFRecord
file when its op runs."""

from __future__ import annotations

from typing import Any, Optional

from flowgraph import dtypes
from flowgraph.data.dataset import Dataset
from flowgraph.graph import Operation

__all__ = ["TFRecordWriter"]


class TFRecordWriter:
    """Writes the elements of a dataset of scalar strings to the TFRecord file `filename`
    (`compression_type` "", "ZLIB" or "GZIP")::

        writer = fg.data.experimental.TFRecordWriter("out.tfrecord")
        sess.run(writer.write(dataset.map(fg.io.serialize_tensor)))
    """

    def __init__(self, filename: Any, compression_type: Optional[str] = None) -> None:
        from flowgraph.ops.constant import convert_to_tensor
        self._filename = convert_to_tensor(filename, dtypes.string, name="filename")
        self._compression_type = convert_to_tensor(compression_type or "", dtypes.string,
                                                   name="compression_type")

    def write(self, dataset: Dataset) -> Operation:
        """The op that writes every element of `dataset` (run it to write the file)."""
        from flowgraph.data.describe import Capture, encode
        from flowgraph.ops.dataset_ops import DatasetToTFRecord
        from flowgraph.ops.registry import apply_op
        if not isinstance(dataset, Dataset):
            raise TypeError(f"`dataset` must be a Dataset, got {type(dataset).__name__}")
        flat = dataset._spec.flat
        if len(flat) != 1 or flat[0].dtype != dtypes.string or \
                not flat[0].shape.is_compatible_with([]):
            raise TypeError(f"`dataset` must produce scalar `DT_STRING` tensors whereas it "
                            f"produces shape {dataset.output_shapes} and types "
                            f"{dataset.output_types}")
        capture = Capture()
        description = encode(dataset._node, capture)
        op_def = DatasetToTFRecord(dataset=description, num_captured=len(capture.tensors))
        return apply_op(op_def, capture.tensors + [self._filename, self._compression_type],
                        name="DatasetToTFRecord")
