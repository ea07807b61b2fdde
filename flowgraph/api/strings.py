"""`fg.strings`: TF1's `tf.strings` names."""

from flowgraph.ops.strings import as_string, join, length, lower, to_number, upper  # noqa: F401
from flowgraph.ops.hashing import string_to_hash_bucket_fast as to_hash_bucket_fast  # noqa: F401
