"""`fg.linalg`: TF1's `tf.linalg` names."""

from flowgraph.nn.normalization import l2_normalize  # noqa: F401
from flowgraph.ops.band_part import matrix_band_part as band_part  # noqa: F401
from flowgraph.ops.clip import global_norm  # noqa: F401
from flowgraph.ops.composites_tf1 import norm  # noqa: F401
from flowgraph.ops.contraction import einsum, tensordot  # noqa: F401
from flowgraph.ops.linalg import eye, matmul, matrix_transpose, trace  # noqa: F401

transpose = matrix_transpose

# --- added by the TF1 fidelity pass: decompositions, solves and diagonals
from flowgraph.ops.diag import diag as tensor_diag  # noqa: F401,E402
from flowgraph.ops.diag import diag_part as tensor_diag_part  # noqa: F401,E402
from flowgraph.ops.diag import matrix_diag as diag  # noqa: F401,E402
from flowgraph.ops.diag import matrix_diag_part as diag_part  # noqa: F401,E402
from flowgraph.ops.diag import matrix_set_diag as set_diag  # noqa: F401,E402
from flowgraph.ops.linalg_decomp import qr, svd  # noqa: F401,E402
from flowgraph.ops.linalg_decomp import self_adjoint_eig as eigh  # noqa: F401,E402
from flowgraph.ops.linalg_decomp import self_adjoint_eigvals as eigvalsh  # noqa: F401,E402
from flowgraph.ops.linalg_extra import (  # noqa: F401,E402
    adjoint,
    cholesky_solve,
    cross,
    logdet,
    lstsq,
    matvec,
    pinv,
)
from flowgraph.ops.linalg_solve import cholesky  # noqa: F401,E402
from flowgraph.ops.linalg_solve import log_matrix_determinant as slogdet  # noqa: F401,E402
from flowgraph.ops.linalg_solve import matrix_determinant as det  # noqa: F401,E402
from flowgraph.ops.linalg_solve import matrix_inverse as inv  # noqa: F401,E402
from flowgraph.ops.linalg_solve import matrix_solve as solve  # noqa: F401,E402
from flowgraph.ops.linalg_solve import matrix_triangular_solve as triangular_solve  # noqa: F401,E402

# LU, expm, sqrtm, matrix_rank, normalize, tridiagonal systems.
from flowgraph.ops.linalg_more import (  # noqa: F401,E402
    lu,
    lu_matrix_inverse,
    lu_reconstruct,
    lu_solve,
    sqrtm,
)
from flowgraph.ops.linalg_more_funcs import expm, matrix_rank, normalize  # noqa: F401,E402
from flowgraph.ops.linalg_more_tridiag import (  # noqa: F401,E402
    tridiagonal_matmul,
    tridiagonal_solve,
)

from flowgraph.ops.linalg_eig_more import eigh_tridiagonal, logm  # noqa: F401,E402

# tf.linalg.LinearOperator family (flowgraph/linalg_operators).
from flowgraph.linalg_operators import (  # noqa: F401,E402
    LinearOperator,
    LinearOperatorAdjoint,
    LinearOperatorComposition,
    LinearOperatorDiag,
    LinearOperatorFullMatrix,
    LinearOperatorIdentity,
    LinearOperatorInversion,
    LinearOperatorLowerTriangular,
    LinearOperatorScaledIdentity,
)

from flowgraph.linalg_operators import (  # noqa: F401,E402 - more tf.linalg.LinearOperator*
    LinearOperatorBlockDiag,
    LinearOperatorCirculant,
    LinearOperatorCirculant2D,
    LinearOperatorCirculant3D,
    LinearOperatorHouseholder,
    LinearOperatorKronecker,
    LinearOperatorLowRankUpdate,
    LinearOperatorToeplitz,
    LinearOperatorZeros,
)
