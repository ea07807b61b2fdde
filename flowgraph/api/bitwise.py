"""`fg.bitwise`: TF1's `tf.bitwise` names."""

from flowgraph.ops.bitwise import (  # noqa: F401
    bitwise_and,
    bitwise_or,
    bitwise_xor,
    invert,
    left_shift,
    right_shift,
)
