"""TF1's `tf.linalg.LinearOperator` family, composed from existing flowgraph ops."""

from flowgraph.linalg_operators.base import LinearOperator
from flowgraph.linalg_operators.composition import LinearOperatorComposition
from flowgraph.linalg_operators.diag import LinearOperatorDiag
from flowgraph.linalg_operators.full_matrix import LinearOperatorFullMatrix
from flowgraph.linalg_operators.identity import (
    LinearOperatorIdentity,
    LinearOperatorScaledIdentity,
)
from flowgraph.linalg_operators.lower_triangular import LinearOperatorLowerTriangular
from flowgraph.linalg_operators.wrappers import LinearOperatorAdjoint, LinearOperatorInversion

__all__ = [
    "LinearOperator",
    "LinearOperatorAdjoint",
    "LinearOperatorComposition",
    "LinearOperatorDiag",
    "LinearOperatorFullMatrix",
    "LinearOperatorIdentity",
    "LinearOperatorInversion",
    "LinearOperatorLowerTriangular",
    "LinearOperatorScaledIdentity",
]
