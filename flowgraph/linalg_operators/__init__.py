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

# Structured operators (block diag, circulant, Householder, Kronecker, low-rank, Toeplitz, zeros).
from flowgraph.linalg_operators.block_diag import LinearOperatorBlockDiag  # noqa: E402
from flowgraph.linalg_operators.circulant import (  # noqa: E402
    LinearOperatorCirculant,
    LinearOperatorCirculant2D,
    LinearOperatorCirculant3D,
)
from flowgraph.linalg_operators.householder import LinearOperatorHouseholder  # noqa: E402
from flowgraph.linalg_operators.kronecker import LinearOperatorKronecker  # noqa: E402
from flowgraph.linalg_operators.low_rank_update import LinearOperatorLowRankUpdate  # noqa: E402
from flowgraph.linalg_operators.toeplitz import LinearOperatorToeplitz  # noqa: E402
from flowgraph.linalg_operators.zeros import LinearOperatorZeros  # noqa: E402

__all__ += [
    "LinearOperatorBlockDiag",
    "LinearOperatorCirculant",
    "LinearOperatorCirculant2D",
    "LinearOperatorCirculant3D",
    "LinearOperatorHouseholder",
    "LinearOperatorKronecker",
    "LinearOperatorLowRankUpdate",
    "LinearOperatorToeplitz",
    "LinearOperatorZeros",
]
