"""`fg.test`: TF1's `tf.test` (implemented in flowgraph.testing)."""

from flowgraph.testing import *  # noqa: F401,F403
from flowgraph.testing import __all__  # noqa: F401
