"""`fg.strings`: TF1's `tf.strings` names."""

from flowgraph.ops.strings import as_string, join, length, lower, to_number, upper  # noqa: F401
from flowgraph.ops.hashing import string_to_hash_bucket_fast as to_hash_bucket_fast  # noqa: F401

# Added by the TF1 fidelity pass.
from flowgraph.ops.strings_extra import (  # noqa: E402,F401
    reduce_join,
    regex_full_match,
    regex_replace,
    substr,
)
from flowgraph.ops.strings_extra import string_strip as strip  # noqa: E402,F401
from flowgraph.ops.strings_extra import strings_split as split  # noqa: E402,F401

# Added with the tf.io / tf.strings gap pass.
from flowgraph.ops.string_format import string_format as format  # noqa: E402,F401,A001
from flowgraph.ops.string_ngrams import ngrams  # noqa: E402,F401

# String hashing, transcoding and segment joins.
from flowgraph.ops.strings_more import string_to_hash_bucket as to_hash_bucket  # noqa: E402,F401
from flowgraph.ops.strings_more import (  # noqa: E402,F401
    bytes_split,
    unicode_transcode,
    unsorted_segment_join,
)
from flowgraph.ops.strings_more import string_to_hash_bucket_strong as to_hash_bucket_strong  # noqa: E402,F401,E501
