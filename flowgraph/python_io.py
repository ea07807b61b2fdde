"""`fg.python_io`: TFRecord files from Python, as TF1's ``tf.python_io``."""

from flowgraph.io.tf_record import (
    TFRecordCompressionType,
    TFRecordOptions,
    TFRecordWriter,
    tf_record_iterator,
)

__all__ = ["TFRecordWriter", "TFRecordOptions", "TFRecordCompressionType",
           "tf_record_iterator"]
