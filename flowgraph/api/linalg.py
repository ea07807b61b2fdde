"""`fg.linalg`: TF1's `tf.linalg` names."""

from flowgraph.nn.normalization import l2_normalize  # noqa: F401
from flowgraph.ops.band_part import matrix_band_part as band_part  # noqa: F401
from flowgraph.ops.composites_tf1 import norm  # noqa: F401
from flowgraph.ops.contraction import einsum, tensordot  # noqa: F401
from flowgraph.ops.linalg import eye, matmul, matrix_transpose, trace  # noqa: F401

transpose = matrix_transpose
