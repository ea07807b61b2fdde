"""`fg.contrib.feature_column`: TF1's ``tf.contrib.feature_column`` (sequence input)."""

from flowgraph.feature_column.sequence import sequence_input_layer

__all__ = ["sequence_input_layer"]
