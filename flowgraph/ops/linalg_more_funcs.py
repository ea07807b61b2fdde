"""Composite linear-algebra functions, built from other ops as TF 1.15 builds them (so their
gradients come from the ops they use): expm (Pade approximation with scaling and
squaring), matrix_rank (from the singular values) and normalize."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from flowgraph import dtypes
from flowgraph.graph import Tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.elementwise import op_scope

__all__: list = []

# Pade coefficients b_0.. and the l1-norm bounds that select each degree (Higham 2005,
# "The scaling and squaring method for the matrix exponential revisited"; TF's values).
_PADE = {
    3: [120.0, 60.0, 12.0],
    5: [30240.0, 15120.0, 3360.0, 420.0, 30.0],
    7: [17297280.0, 8648640.0, 1995840.0, 277200.0, 25200.0, 1512.0, 56.0],
    9: [17643225600.0, 8821612800.0, 2075673600.0, 302702400.0, 30270240.0, 2162160.0,
        110880.0, 3960.0, 90.0],
    13: [64764752532480000.0, 32382376266240000.0, 7771770303897600.0,
         1187353796428800.0, 129060195264000.0, 10559470521600.0, 670442572800.0,
         33522128640.0, 1323241920.0, 40840800.0, 960960.0, 16380.0, 182.0],
}
_SINGLE = (3.925724783138660, (4.258730016922831e-001, 1.880152677804762e+000), (3, 5, 7))
_DOUBLE = (5.371920351148152, (1.495585217958292e-002, 2.539398330063230e-001,
                               9.504178996162932e-001, 2.097847961257068e+000),
           (3, 5, 7, 9, 13))


def _pade(matrix: Tensor, degree: int) -> tuple:
    """(U, V) of the degree-`degree` Pade approximant: exp(A) ~ (V - U)^-1 (V + U)."""
    from flowgraph.ops.linalg import eye, matmul
    from flowgraph.ops.math import add, multiply
    from flowgraph.ops.shape_ops import shape
    b = _PADE[degree]

    def add_n(terms: list) -> Tensor:
        # A chain of broadcasting adds: the batch of matrices meets one identity matrix.
        total = terms[0]
        for t in terms[1:]:
            total = add(total, t)
        return total

    ident = eye(shape(matrix)[-1], dtype=matrix.dtype)
    powers = {2: matmul(matrix, matrix)}

    def term(k: int, power: int) -> Tensor:
        return multiply(b[k], ident if power == 0 else powers[power])

    if degree == 13:
        powers[4] = matmul(powers[2], powers[2])
        powers[6] = matmul(powers[4], powers[2])
        tmp_u = add_n([matmul(powers[6], add_n([powers[6], term(11, 4), term(9, 2)])),
                       term(7, 6), term(5, 4), term(3, 2), term(1, 0)])
        tmp_v = add_n([term(12, 6), term(10, 4), term(8, 2)])
        v = add_n([matmul(powers[6], tmp_v), term(6, 6), term(4, 4), term(2, 2), term(0, 0)])
        return matmul(matrix, tmp_u), v
    for p in range(4, degree, 2):
        powers[p] = matmul(powers[p - 2], powers[2])
    top = degree - 1
    u_terms = [powers[top]] + [term(k, k - 1) for k in range(top - 1, 0, -2)]
    v_terms = [term(k, k) for k in range(top, -1, -2)]
    return matmul(matrix, add_n(u_terms)), add_n(v_terms)


def expm(input: Any, name: Optional[str] = None) -> Tensor:  # noqa: A002 - TF1's name
    """The matrix exponential of each innermost square matrix [..., M, M], by scaling and
    squaring with a Pade approximant (degree chosen from the l1 norm; TF's method). NaN
    for a matrix with an infinite or NaN entry. Equivalent to scipy.linalg.expm."""
    from flowgraph.control_flow import cond, while_loop
    from flowgraph.ops.array import concat
    from flowgraph.ops.compare import less
    from flowgraph.ops.division import truediv
    from flowgraph.ops.fill import fill
    from flowgraph.ops.gradient_ops import stop_gradient
    from flowgraph.ops.linalg import matmul
    from flowgraph.ops.linalg_solve import matrix_solve
    from flowgraph.ops.logic import logical_and, where_v2
    from flowgraph.ops.math import add, maximum, pow, subtract
    from flowgraph.ops.reduce import reduce_max, reduce_sum
    from flowgraph.ops.rounding import floor, is_finite
    from flowgraph.ops.shape_ops import reshape, shape
    from flowgraph.ops.unary import abs, log
    with op_scope(name, "matrix_exponential", [input]):
        matrix = convert_to_tensor(input)
        if matrix.dtype not in (dtypes.float16, dtypes.float32, dtypes.float64):
            raise ValueError(f"tf.linalg.expm does not support matrices of type "
                             f"{matrix.dtype.name}; use float16, float32 or float64")
        s = matrix.shape
        if s.ndims is not None and s.ndims < 2:
            raise ValueError(f"expm needs square matrices [..., M, M], got shape {s}")
        if s.ndims is not None and not s[-1].is_compatible_with(s[-2]):
            raise ValueError(f"expm needs square matrices [..., M, M], got shape {s}")
        if s.ndims is not None and s[-1].value == 0 and s[-2].value == 0:
            return matrix
        original_shape = shape(matrix)
        flat = reshape(matrix, concat([[-1], original_shape[-2:]], 0))
        l1_norm = reduce_max(reduce_sum(abs(flat), axis=[-2], keepdims=True), axis=[-1],
                             keepdims=True)
        maxnorm, bounds, degrees = _DOUBLE if matrix.dtype == dtypes.float64 else _SINGLE
        # Piecewise constant in the input: no gradient flows through it (as TF's Floor).
        squarings = stop_gradient(
            maximum(floor(truediv(log(truediv(l1_norm, maxnorm)), np.log(2.0))), 0.0))
        approximants = [_pade(flat, d) for d in degrees[:-1]]
        approximants.append(_pade(truediv(flat, pow(2.0, squarings)), degrees[-1]))

        def nest(index: int, part: int) -> Tensor:
            if index == len(bounds):
                return approximants[index][part]
            return where_v2(less(l1_norm, bounds[index]), approximants[index][part],
                            nest(index + 1, part))

        u, v = nest(0, 0), nest(0, 1)
        finite = is_finite(reduce_max(l1_norm))
        result = cond(finite, lambda: matrix_solve(subtract(v, u), add(u, v)),
                      lambda: fill(shape(flat), np.array(np.nan, matrix.dtype.np)))
        max_squarings = reduce_max(squarings)

        def keep_going(i: Tensor, _: Tensor) -> Tensor:
            return logical_and(finite, less(i, max_squarings))

        def square(i: Tensor, r: Tensor) -> tuple:
            return add(i, 1.0), where_v2(less(i, squarings), matmul(r, r), r)

        zero = convert_to_tensor(0.0, dtype=matrix.dtype)
        _, result = while_loop(keep_going, square, [zero, result])
        out = reshape(result, original_shape)
        out.set_shape(matrix.shape)
        return out


def matrix_rank(a: Any, tol: Any = None, validate_args: bool = False,
                name: Optional[str] = None) -> Tensor:
    """The rank (int32) of each innermost matrix: how many singular values exceed `tol`
    (default eps * max(M, N) * the largest singular value)."""
    from flowgraph.ops.cast import cast
    from flowgraph.ops.compare import greater
    from flowgraph.ops.linalg_decomp import svd
    from flowgraph.ops.math import multiply
    from flowgraph.ops.reduce import reduce_max, reduce_sum
    from flowgraph.ops.shape_ops import shape
    with op_scope(name, "matrix_rank", [a]):
        a = convert_to_tensor(a, dtype_hint=dtypes.float32)
        if not a.dtype.is_floating:
            raise TypeError(f"Input `a` must have `float`-like `dtype` (saw {a.dtype.name}).")
        if a.shape.ndims is not None and a.shape.ndims < 2:
            raise ValueError(f"Input `a` must have at least 2 dimensions (saw: "
                             f"{a.shape.ndims}).")
        s = svd(a, compute_uv=False)
        if tol is None:
            dims = a.shape[-2:] if a.shape.ndims is not None else None
            if dims is not None and dims.is_fully_defined():
                m = convert_to_tensor(float(max(dims.as_list())), dtype=a.dtype)
            else:
                m = cast(reduce_max(shape(a)[-2:]), a.dtype)
            eps = float(np.finfo(a.dtype.np).eps)
            tol = multiply(multiply(eps, m), reduce_max(s, axis=[-1], keepdims=True))
        tol = convert_to_tensor(tol, dtype=a.dtype)
        return reduce_sum(cast(greater(s, tol), dtypes.int32), axis=[-1])


def normalize(tensor: Any, ord: Any = "euclidean", axis: Any = None,  # noqa: A002
              name: Optional[str] = None) -> tuple:
    """(normalized, norm): `tensor` divided by its norm (tf.norm's `ord` and `axis`), and
    that norm with the reduced axes kept as size 1."""
    from flowgraph.ops.composites_tf1 import norm as _norm
    from flowgraph.ops.division import truediv
    with op_scope(name, "normalize", [tensor]):
        tensor = convert_to_tensor(tensor)
        size = _norm(tensor, ord=ord, axis=axis, keepdims=True, name="norm")
        return truediv(tensor, size), size
