"""Gradient of MatrixSquareRoot, as TF's _MatrixSquareRootGrad: with R = sqrtm(A),
dA = R dR + dR R, a Sylvester equation solved as (I (x) R^T + R (x) I) vec(dR) = vec(dA)."""

from __future__ import annotations

from typing import Any

from flowgraph.graph import Tensor


def matrix_square_root_grad(sqrtm: Tensor, grad: Any) -> Tensor:
    """The gradient of A for the output gradient `grad` of R = sqrtm(A)."""
    from flowgraph.ops.array import concat
    from flowgraph.ops.linalg import eye, matrix_transpose
    from flowgraph.ops.linalg_solve import matrix_solve
    from flowgraph.ops.math import add, multiply
    from flowgraph.ops.shape_ops import reshape, shape
    dims = shape(sqrtm)
    n = dims[-1]
    batch = dims[:-2]
    identity = eye(n, dtype=sqrtm.dtype)
    # Kronecker products as broadcast outer products: [.., n, 1, n, 1] * [.., 1, n, 1, n];
    # the identity has no batch dimensions and broadcasts against R's.
    eye_left = reshape(identity, concat([[n], [1], [n], [1]], 0))
    eye_right = reshape(identity, concat([[1], [n], [1], [n]], 0))
    r_left = reshape(sqrtm, concat([batch, [n], [1], [n], [1]], 0))
    rt_right = reshape(matrix_transpose(sqrtm), concat([batch, [1], [n], [1], [n]], 0))
    ksum = add(multiply(eye_left, rt_right), multiply(r_left, eye_right))
    ksum = reshape(ksum, concat([batch, [n * n], [n * n]], 0))
    vec_da = reshape(matrix_transpose(grad), concat([batch, [n * n], [1]], 0))
    vec_dr = matrix_solve(ksum, vec_da)
    return matrix_transpose(reshape(vec_dr, dims))
