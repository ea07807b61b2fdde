"""tf.linalg: lu and its solvers, expm, sqrtm, matrix_rank, normalize and
tridiagonal solves/products. References: scipy.linalg and numpy written here, TF 2.21
outputs hard-coded, and finite differences for gradients."""

import numpy as np
import pytest
import scipy.linalg as sl

import flowgraph as fg
from tests.ops.cases.linalg_more import dense

RNG = np.random.default_rng(11)
MATS = RNG.standard_normal((2, 3, 4, 4))


def run(fetches, feeds=None):
    with fg.Session() as sess:
        return sess.run(fetches, feeds)


def scipy_perm(a):
    """The permutation p with a[p] = L @ U, from LAPACK's row interchanges."""
    _, piv = sl.lu_factor(a)
    perm = np.arange(a.shape[0])
    for i, j in enumerate(piv):
        perm[[i, j]] = perm[[j, i]]
    return perm


def test_lu_matches_scipy_batched():
    with fg.Graph().as_default():
        lu, p = fg.linalg.lu(MATS)
        assert lu.shape.as_list() == [2, 3, 4, 4] and p.shape.as_list() == [2, 3, 4]
        assert p.dtype == fg.int32
        got_lu, got_p = run([lu, p])
    for idx in np.ndindex(2, 3):
        want_lu, _ = sl.lu_factor(MATS[idx])
        np.testing.assert_allclose(got_lu[idx], want_lu, rtol=1e-10, atol=1e-12)
        np.testing.assert_array_equal(got_p[idx], scipy_perm(MATS[idx]))


def test_lu_singular_and_bad_inputs():
    with fg.Graph().as_default():
        with pytest.raises(fg.errors.InvalidArgumentError, match="not invertible"):
            run(fg.linalg.lu(np.array([[1.0, 2.0], [2.0, 4.0]])))
        with pytest.raises(ValueError, match="square"):
            fg.linalg.lu(np.ones((2, 3)))
        with pytest.raises(TypeError, match="floating"):
            fg.linalg.lu(np.ones((2, 2), np.int32))
        with pytest.raises(TypeError, match="output_idx_type"):
            fg.linalg.lu(np.ones((2, 2)), output_idx_type=fg.float32)


def test_lu_solve_inverse_reconstruct():
    rhs = RNG.standard_normal((3, 4, 2))       # batch [3] broadcasts against [2, 3]
    with fg.Graph().as_default():
        lu, p = fg.linalg.lu(MATS)
        x, inv, rec = run([fg.linalg.lu_solve(lu, p, rhs), fg.linalg.lu_matrix_inverse(lu, p),
                           fg.linalg.lu_reconstruct(lu, p)])
    np.testing.assert_allclose(x, np.linalg.solve(MATS, np.broadcast_to(rhs, (2, 3, 4, 2))),
                               rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(inv, np.linalg.inv(MATS), rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(rec, MATS, rtol=1e-12, atol=1e-12)


def test_lu_composites_reject_bad_shapes():
    with fg.Graph().as_default():
        lu, p = np.eye(3), np.int32([0, 1, 2])
        with pytest.raises(ValueError, match="rhs"):
            fg.linalg.lu_solve(lu, p, np.ones(3))
        with pytest.raises(ValueError, match="rank"):
            fg.linalg.lu_reconstruct(lu, np.zeros((3, 3), np.int32))
        with pytest.raises(ValueError, match="rhs.shape"):
            fg.linalg.lu_solve(lu, p, np.ones((4, 1)))


def test_lu_solve_gradients():
    a = MATS[0, 0]
    with fg.Graph().as_default(), fg.Session():
        lu, p = fg.linalg.lu(a)
        lu_value = run(lu)
        lu_in = fg.placeholder(fg.float64, [4, 4])
        b = fg.placeholder(fg.float64, [4, 2])
        x = fg.linalg.lu_solve(lu_in, p, b)
        err = fg.test.compute_gradient_error([lu_in, b], [[4, 4], [4, 2]], x, [4, 2],
                                             x_init_value=[lu_value, RNG.standard_normal((4, 2))],
                                             delta=1e-6)
        assert err < 1e-6
        rec = fg.linalg.lu_reconstruct(lu_in, p)
        assert fg.test.compute_gradient_error(lu_in, [4, 4], rec, [4, 4], lu_value,
                                              delta=1e-6) < 1e-6


@pytest.mark.parametrize("scale", [0.001, 0.1, 1.0, 4.0, 60.0])
def test_expm_matches_scipy(scale):
    a = MATS * scale
    with fg.Graph().as_default():
        x = fg.placeholder(fg.float64, [None, 3, 4, 4])
        e = fg.linalg.expm(x)
        assert e.shape.as_list() == [None, 3, 4, 4]
        got = run(e, {x: a})
    want = np.array([[sl.expm(m) for m in row] for row in a])
    np.testing.assert_allclose(got, want, rtol=1e-11 * max(1.0, scale), atol=1e-12)


def test_expm_float32_and_non_finite():
    a = MATS[0].astype(np.float32)
    with fg.Graph().as_default():
        got, bad = run([fg.linalg.expm(a), fg.linalg.expm(np.array([[np.inf, 1.0],
                                                                   [0.0, 1.0]]))])
    assert got.dtype == np.float32
    want = np.array([sl.expm(m.astype(np.float64)) for m in a])
    np.testing.assert_allclose(got, want, rtol=2e-5, atol=1e-5)
    assert np.all(np.isnan(bad))
    with fg.Graph().as_default():
        with pytest.raises(ValueError, match="square"):
            fg.linalg.expm(np.ones((2, 3)))
        with pytest.raises(ValueError, match="int32"):
            fg.linalg.expm(np.ones((2, 2), np.int32))


@pytest.mark.parametrize("scale", [0.05, 3.0])
def test_expm_gradient(scale):
    a = MATS[1, 2, :3, :3] * scale
    with fg.Graph().as_default(), fg.Session():
        x = fg.placeholder(fg.float64, [3, 3])
        err = fg.test.compute_gradient_error(x, [3, 3], fg.linalg.expm(x), [3, 3], a,
                                             delta=1e-6)
    assert err < 1e-5 * max(1.0, np.abs(sl.expm(a)).max())


def test_sqrtm_matches_scipy_and_nan_cases():
    spd = MATS[0] @ np.swapaxes(MATS[0], -1, -2) + np.eye(4)
    jordan = np.array([[1.0, 1.0], [0.0, 1.0]])
    rotation = np.array([[1.0, 2.0], [-2.0, 1.0]])
    negative = np.array([[-4.0, 1.0], [1.0, 3.0]])
    with fg.Graph().as_default():
        r, rj, rr, rn = run([fg.linalg.sqrtm(spd), fg.matrix_square_root(jordan),
                             fg.linalg.sqrtm(rotation), fg.linalg.sqrtm(negative)])
    np.testing.assert_allclose(r, np.array([sl.sqrtm(m).real for m in spd]), rtol=1e-9)
    np.testing.assert_allclose(rj, [[1.0, 0.5], [0.0, 1.0]], rtol=1e-10, atol=1e-12)
    # TF 2.21's tf.linalg.sqrtm of `rotation`.
    np.testing.assert_allclose(rr, [[1.27201965, 0.78615138], [-0.78615138, 1.27201965]],
                               rtol=1e-8)
    assert np.all(np.isnan(rn))


def test_sqrtm_gradient_batched():
    a = MATS[1, :, :3, :3] @ np.swapaxes(MATS[1, :, :3, :3], -1, -2) + 2 * np.eye(3)
    with fg.Graph().as_default(), fg.Session():
        x = fg.placeholder(fg.float64, [3, 3, 3])
        err = fg.test.compute_gradient_error(x, [3, 3, 3], fg.linalg.sqrtm(x), [3, 3, 3], a,
                                             delta=1e-6)
    assert err < 1e-6


def test_matrix_rank():
    low = RNG.standard_normal((2, 5, 2)) @ RNG.standard_normal((2, 2, 4))   # rank 2
    with fg.Graph().as_default():
        r = fg.linalg.matrix_rank(low)
        assert r.dtype == fg.int32 and r.shape.as_list() == [2]
        got = run([r, fg.linalg.matrix_rank(np.eye(3)),
                   fg.linalg.matrix_rank(np.diag([1.0, 0.3, 0.1]), tol=0.2)])
        with pytest.raises(ValueError, match="2 dimensions"):
            fg.linalg.matrix_rank(np.ones(3))
        with pytest.raises(TypeError, match="float"):
            fg.linalg.matrix_rank(fg.constant(np.ones((3, 3), np.int32)))
    np.testing.assert_array_equal(got[0], [2, 2])
    assert got[1] == 3 and got[2] == 2


def test_normalize():
    x = np.array([[3.0, 4.0], [1.0, 1.0]])
    with fg.Graph().as_default():
        (n1, s1), (n2, s2), (n3, s3) = run([fg.linalg.normalize(x[:1]),
                                            fg.linalg.normalize(x, ord=1, axis=0),
                                            fg.linalg.normalize(x, ord="fro", axis=[0, 1])])
    np.testing.assert_allclose(n1, [[0.6, 0.8]])
    np.testing.assert_allclose(s1, [[5.0]])
    np.testing.assert_allclose(n2, [[0.75, 0.8], [0.25, 0.2]])
    np.testing.assert_allclose(s2, [[4.0, 5.0]])
    np.testing.assert_allclose(s3, [[np.sqrt(27.0)]])
    np.testing.assert_allclose(n3, x / np.sqrt(27.0))


DIAGS = RNG.standard_normal((2, 3, 5))
RHS = RNG.standard_normal((2, 5, 3))


def test_tridiagonal_formats_agree_with_dense_solve():
    mat = dense(DIAGS)
    want = np.linalg.solve(mat, RHS)
    seq = [DIAGS[:, 0, :-1], DIAGS[:, 1], DIAGS[:, 2, 1:]]
    with fg.Graph().as_default():
        got = run([fg.linalg.tridiagonal_solve(DIAGS, RHS),
                   fg.linalg.tridiagonal_solve(seq, RHS, diagonals_format="sequence"),
                   fg.linalg.tridiagonal_solve(mat + np.triu(np.ones((5, 5)), 2), RHS,
                                               diagonals_format="matrix"),
                   fg.linalg.tridiagonal_solve(DIAGS, np.swapaxes(RHS, -1, -2),
                                               transpose_rhs=True),
                   fg.linalg.tridiagonal_solve(DIAGS, RHS[..., 0]),
                   fg.linalg.tridiagonal_matmul([DIAGS[:, 0], DIAGS[:, 1], DIAGS[:, 2]], RHS,
                                                diagonals_format="sequence")])
    for g in got[:4]:
        np.testing.assert_allclose(g, want, rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(got[4], want[..., 0], rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(got[5], mat @ RHS, rtol=1e-12)


def test_tridiagonal_pivoting_needed_and_singular():
    d = np.array([[1.0, 1.0, 0.0], [1.0, 1.0, 1.0], [0.0, 1.0, 1.0]])
    with fg.Graph().as_default():
        # TF 2.21: tf.linalg.tridiagonal_solve(d, [1, 2, 3]) = [-1, 2, 1].
        np.testing.assert_allclose(run(fg.linalg.tridiagonal_solve(d, [1.0, 2.0, 3.0])),
                                   [-1.0, 2.0, 1.0], rtol=1e-12)
        with pytest.raises(fg.errors.InvalidArgumentError, match="requires pivoting"):
            run(fg.linalg.tridiagonal_solve(d, [1.0, 2.0, 3.0], partial_pivoting=False))
        with pytest.raises(fg.errors.InvalidArgumentError, match="not invertible"):
            run(fg.linalg.tridiagonal_solve(np.zeros((3, 3)), [1.0, 2.0, 3.0]))
        with pytest.raises(fg.errors.InvalidArgumentError, match="scalar with value zero"):
            run(fg.linalg.tridiagonal_solve(np.zeros((3, 1)), [1.0]))


def test_tridiagonal_bad_inputs():
    with fg.Graph().as_default():
        with pytest.raises(ValueError, match="Expected 3 diagonals"):
            fg.linalg.tridiagonal_solve(np.zeros((4, 3)), np.zeros(3))
        with pytest.raises(ValueError, match="equal"):
            fg.linalg.tridiagonal_solve(np.zeros((3, 3)), np.zeros(4))
        with pytest.raises(ValueError, match="Unrecognized diagonals_format"):
            fg.linalg.tridiagonal_solve(np.zeros((3, 3)), np.zeros(3), diagonals_format="x")
        with pytest.raises(ValueError, match="length 3"):
            fg.linalg.tridiagonal_solve([np.zeros(3)], np.zeros(3), diagonals_format="sequence")
        with pytest.raises(ValueError, match="match"):
            fg.linalg.tridiagonal_matmul(np.zeros((3, 3)), np.zeros((4, 2)))


def test_tridiagonal_gradients_in_matrix_format():
    well = DIAGS[0].copy()
    well[1] += 4.0              # diagonally dominant: finite differences stay accurate
    mat = dense(well)
    with fg.Graph().as_default(), fg.Session():
        m = fg.placeholder(fg.float64, [5, 5])
        b = fg.placeholder(fg.float64, [5, 3])
        for y in (fg.linalg.tridiagonal_solve(m, b, diagonals_format="matrix"),
                  fg.linalg.tridiagonal_matmul(m, b, diagonals_format="matrix")):
            err = fg.test.compute_gradient_error([m, b], [[5, 5], [5, 3]], y, [5, 3],
                                                 x_init_value=[mat, RHS[0]], delta=1e-6)
            assert err < 1e-6
