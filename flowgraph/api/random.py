"""`fg.random`: TF1's `tf.random` names."""

from flowgraph.graph import set_random_seed  # noqa: F401
from flowgraph.ops.random import get_seed, normal, truncated_normal, uniform  # noqa: F401
from flowgraph.ops.random_sampling import categorical, multinomial, shuffle  # noqa: F401
