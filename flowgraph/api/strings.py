"""`fg.strings`: TF1's `tf.strings` names."""

from flowgraph.ops.strings import as_string, join, length, lower, to_number, upper  # noqa: F401
