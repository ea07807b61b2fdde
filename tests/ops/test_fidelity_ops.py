"""TF1 ops added or fixed by the fidelity pass, checked against values from a real TF1 run
(tf.compat.v1, graph mode) of the same snippets: linear-algebra gradients, special
functions, assertion helpers, array helpers, default names and shapes."""

import numpy as np
import pytest

import flowgraph as fg

SPD = [[4.0, 1.0, 0.5], [1.0, 3.0, 0.2], [0.5, 0.2, 2.0]]
W = [[1.0, 2.0, 3.0], [0.5, -1.0, 2.0], [1.5, 0.2, -0.3]]
M = [[2.0, -1.0], [0.5, 3.0], [1.0, 1.0]]
B = [[1.0, 0.5], [2.0, -1.0], [0.3, 0.7]]


def _run(fetches, feeds=None):
    with fg.Session() as sess:
        return sess.run(fetches, feeds)


def _grad(f, x):
    return fg.gradients(f, x)[0]


# ------------------------------------------------------------------------ linear algebra
def test_linalg_gradients_match_tf1():
    a = fg.constant(SPD, fg.float64)
    w = fg.constant(W, fg.float64)
    m = fg.constant(M, fg.float64)
    b = fg.constant(B, fg.float64)
    q, r = fg.qr(m)
    e, v = fg.self_adjoint_eig(a)
    got = _run({
        "inv": _grad(fg.reduce_sum(fg.matrix_inverse(a) * w), a),
        "det": _grad(fg.matrix_determinant(a), a),
        "chol": _grad(fg.reduce_sum(fg.cholesky(a) * w), a),
        "solve": _grad(fg.reduce_sum(fg.matrix_solve(a, b) * b), a),
        "tri": _grad(fg.reduce_sum(fg.matrix_triangular_solve(w, b, lower=False,
                                                              adjoint=True) * b), w),
        "qr": _grad(fg.reduce_sum(q * b) + fg.reduce_sum(
            r * fg.constant([[1.0, 2.0], [3.0, 4.0]], fg.float64)), m),
        "eig": _grad(fg.reduce_sum(e * fg.constant([1.0, 2.0, 3.0], fg.float64)) +
                     fg.reduce_sum(fg.square(v) * w), a),
        "slogdet": fg.linalg.slogdet(a)[1],
    })
    tf1 = {
        "inv": [[0.058106, -0.209447, -0.333413], [-0.040354, 0.211448, -0.243325],
                [-0.220684, 0.059634, 0.232392]],
        "det": [[5.96, -1.9, -1.3], [-1.9, 7.75, -0.3], [-1.3, -0.3, 11.0]],
        "chol": [[0.155191, 0.192904, 0.372667], [0.192904, -0.303236, 0.063243],
                 [0.372667, 0.063243, -0.10782]],
        "solve": [[-0.041684, 0.025283, -0.069843], [0.025283, -0.577827, 0.102754],
                  [-0.069843, 0.102754, -0.12351]],
        "tri": [[-19.416667, 5.833333, 2.166667], [0.0, 7.333333, 4.666667],
                [0.0, 0.0, 46.333333]],
        "qr": [[0.051346, -0.22409], [-2.99667, -3.905553], [-0.895645, -2.18162]],
        "eig": [[2.552477, 0.0, 0.0], [1.047973, 2.639544, 0.0],
                [-0.205121, 0.757868, 0.80798]],
        "slogdet": 3.058237,
    }
    for key, expected in tf1.items():
        np.testing.assert_allclose(got[key], expected, atol=2e-6, err_msg=key)


def test_linalg_errors_and_names():
    singular = fg.constant([[1.0, 2.0], [2.0, 4.0]])
    with pytest.raises(fg.errors.InvalidArgumentError):
        _run(fg.matrix_inverse(singular))
    with pytest.raises(fg.errors.InvalidArgumentError):
        _run(fg.cholesky(fg.constant([[1.0, 2.0], [2.0, 1.0]])))
    with pytest.raises(ValueError):
        fg.matrix_inverse(fg.ones([2, 3]))
    with fg.Graph().as_default():
        square = fg.ones([2, 2])
        assert fg.matrix_inverse(square).name == "MatrixInverse:0"
        assert fg.linalg.det(square).name == "MatrixDeterminant:0"
    s, u, v = fg.svd(fg.ones([3, 2]))
    assert (s.shape.as_list(), u.shape.as_list(), v.shape.as_list()) == ([2], [3, 2], [2, 2])
    assert fg.svd(fg.ones([4, 3]), compute_uv=False).shape.as_list() == [3]


def test_orthogonal_initializer_gives_orthonormal_columns():
    w = fg.get_variable("w", [5, 3], initializer=fg.orthogonal_initializer(gain=2.0))
    u = fg.get_variable("u", [100, 30], initializer=fg.uniform_unit_scaling_initializer())
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        value, uniform = sess.run([w, u])
    np.testing.assert_allclose(value.T @ value, 4.0 * np.eye(3), atol=1e-5)
    assert np.abs(uniform).max() <= np.sqrt(3 / 100)  # factor * sqrt(3 / fan_in)


# --------------------------------------------------------------------- special functions
def test_special_functions_match_tf1():
    x = fg.constant([[1.5, -2.0, 3.0], [0.5, 4.0, -1.0]])
    y = fg.constant([[2.0, 3.0, -1.5], [1.0, -2.0, 2.5]])
    lg, dg, xl, xd, mn = _run([fg.lgamma(x), fg.digamma(x), fg.math.xlogy(x, y),
                               fg.math.xdivy(x, y), fg.math.multiply_no_nan(x, y)])
    np.testing.assert_allclose(lg, [[-0.120782, np.inf, 0.693147], [0.572365, 1.791759, np.inf]],
                               atol=1e-6)
    np.testing.assert_allclose(dg, [[0.03649, np.nan, 0.922784], [-1.96351, 1.256118, np.nan]],
                               atol=1e-5)
    np.testing.assert_allclose(xl, [[1.039721, -2.197225, np.nan], [0.0, np.nan, -0.916291]],
                               atol=1e-6)
    np.testing.assert_allclose(xd, [[0.75, -0.666667, -2.0], [0.5, -2.0, -0.4]], atol=1e-6)
    np.testing.assert_allclose(mn, [[3.0, -6.0, -4.5], [0.5, -8.0, -2.5]])
    with fg.Graph().as_default():
        x = fg.constant([1.0])
        assert fg.lgamma(x).name == "Lgamma:0"
        assert fg.math.xdivy(x, x).name == "xdivy/Xdivy:0"
        assert fg.math.multiply_no_nan(x, x).name == "multiply_no_nan:0"


def test_math_helpers_match_tf1():
    values = _run([
        fg.confusion_matrix([0, 1, 2, 1], [0, 2, 2, 1]),
        fg.math.confusion_matrix(labels=[0, 1], predictions=[1, 1], num_classes=3),
        fg.lbeta(fg.constant([[1.5, 2.0, 3.0], [0.5, 4.0, 0.25]])),
        fg.math.polyval([1.0, 2.0, 3.0], fg.constant([[1.5, -2.0]])),
        fg.math.zero_fraction(fg.nn.relu(fg.constant([[1.5, -2.0, 3.0], [0.5, 4.0, -1.0]]))),
        fg.is_non_decreasing([1, 2, 2]), fg.is_strictly_increasing([1, 2, 2]),
        fg.bincount(fg.constant([1, 1, 3])), fg.math.bincount(fg.constant([0, 2]), minlength=5),
        fg.math.reciprocal_no_nan(fg.constant([0.0, 2.0])),
        fg.rint(fg.constant([0.5, 1.5])),
    ])
    np.testing.assert_array_equal(values[0], [[1, 0, 0], [0, 1, 1], [0, 0, 1]])
    np.testing.assert_array_equal(values[1], [[0, 1, 0], [0, 1, 0], [0, 0, 0]])
    np.testing.assert_allclose(values[2], [-5.090197, 0.843575], rtol=1e-5)
    np.testing.assert_allclose(values[3], [[8.25, 3.0]])
    np.testing.assert_allclose(values[4], 1 / 3, rtol=1e-6)
    assert values[5] and not values[6]
    np.testing.assert_array_equal(values[7], [0, 2, 0, 1])
    np.testing.assert_array_equal(values[8], [1, 0, 1, 0, 0])
    np.testing.assert_allclose(values[9], [0.0, 0.5])
    np.testing.assert_allclose(values[10], [0.0, 2.0])


# -------------------------------------------------------------------------- assertions
def test_assertions_fail_at_build_time_when_values_are_known():
    with pytest.raises(fg.errors.InvalidArgumentError, match="did not hold"):
        fg.assert_equal(fg.constant([1, 2]), fg.constant([1, 3]))
    with pytest.raises(ValueError, match="must have rank 2"):
        fg.assert_rank(fg.constant([1.0, 2.0]), 2)
    with pytest.raises(TypeError):
        fg.assert_type(fg.constant([1.0]), fg.int32)
    with pytest.raises(TypeError):
        fg.assert_integer(fg.constant([1.0]))
    with pytest.raises(ValueError):
        fg.assert_scalar(fg.constant([1.0]))


def test_assertions_fail_at_run_time_with_invalid_argument():
    p = fg.placeholder(fg.int32, [2])
    q = fg.placeholder(fg.float32)
    checks = [fg.assert_equal(p, [1, 3]), fg.assert_positive(p), fg.assert_less(p, 2),
              fg.assert_rank(q, 2), fg.debugging.assert_near(q, 1.0)]
    feeds = {p: [1, 3], q: [[1.0]]}
    _run(checks[0], feeds)
    _run(checks[1], feeds)
    _run(checks[3], feeds)
    _run(checks[4], feeds)
    with pytest.raises(fg.errors.InvalidArgumentError):
        _run(checks[2], feeds)
    with pytest.raises(fg.errors.InvalidArgumentError):
        _run(checks[3], {q: [1.0]})
    with pytest.raises(fg.errors.InvalidArgumentError):
        _run(checks[0], {p: [1, 2]})


def test_passing_assertions_under_control_dependencies():
    x = fg.constant([1.0, 2.0])
    ops = [fg.assert_equal(x, x), fg.assert_positive(x), fg.assert_non_negative(x),
           fg.assert_less(x, x + 1), fg.assert_less_equal(x, x), fg.assert_greater(x + 1, x),
           fg.assert_greater_equal(x, x), fg.assert_rank(x, 1), fg.assert_type(x, fg.float32),
           fg.assert_none_equal(x, x + 1), fg.assert_near(x, x), fg.assert_rank_at_least(x, 1),
           fg.assert_rank_in(x, [1, 2])]
    with fg.control_dependencies(ops):
        y = fg.identity(x)
    np.testing.assert_array_equal(_run(y), [1.0, 2.0])


def test_check_numerics_and_verify_finite():
    bad = fg.constant([1.0, np.inf])
    with pytest.raises(fg.errors.InvalidArgumentError, match="bad : Tensor had Inf values"):
        _run(fg.check_numerics(bad, "bad"))
    checked = fg.verify_tensor_all_finite(fg.constant([1.0, np.nan]), "oops")
    assert checked.name == "VerifyFinite/control_dependency:0"
    with pytest.raises(fg.errors.InvalidArgumentError, match="NaN"):
        _run(checked)


# ---------------------------------------------------------------------- array helpers
def test_array_helpers_match_tf1():
    image = fg.reshape(fg.range(16.0), [1, 4, 4, 1])
    y, idx, count = fg.unique_with_counts([1, 1, 2])
    out, out_idx = fg.setdiff1d([1, 2, 3, 4], [2, 4])
    values = _run([y, idx, count, out, out_idx,
                   fg.broadcast_dynamic_shape([2, 1], [1, 3]),
                   fg.space_to_depth(image, 2), fg.unravel_index([5], [2, 3]),
                   fg.repeat([1, 2], 2)])
    assert [v.tolist() for v in values[:5]] == [[1, 2], [0, 0, 1], [2, 1], [1, 3], [0, 2]]
    assert values[5].tolist() == [2, 3]
    assert values[6].ravel().tolist() == [0, 1, 4, 5, 2, 3, 6, 7, 8, 9, 12, 13, 10, 11, 14, 15]
    assert values[7].tolist() == [[1], [2]]
    assert values[8].tolist() == [1, 1, 2, 2]
    assert fg.broadcast_static_shape(fg.TensorShape([2, 1]),
                                     fg.TensorShape([1, 3])).as_list() == [2, 3]
    with pytest.raises(ValueError):
        fg.broadcast_static_shape(fg.TensorShape([2]), fg.TensorShape([3]))


def test_ensure_shape_checks_at_run_time():
    p = fg.placeholder(fg.float32, [None])
    e = fg.ensure_shape(p, [3])
    assert e.shape.as_list() == [3]
    assert _run(e, {p: np.ones(3)}).tolist() == [1.0, 1.0, 1.0]
    with pytest.raises(fg.errors.InvalidArgumentError):
        _run(e, {p: np.ones(2)})


def test_tuple_and_with_dependencies_names_as_tf1():
    a = fg.constant(1.0)
    t = fg.tuple([a, a + 1])
    assert [x.name for x in t] == ["tuple/control_dependency:0",
                                   "tuple/control_dependency_1:0"]


def test_py_func_exceptions_map_to_tf1_error_classes():
    x = fg.constant([1.0])

    def stop(a):
        raise StopIteration

    def not_implemented(a):
        raise NotImplementedError("later")

    cases = [(lambda a: 1 / 0, fg.errors.UnknownError),
             (lambda a: int("x"), fg.errors.InvalidArgumentError),
             (stop, fg.errors.OutOfRangeError),
             (not_implemented, fg.errors.UnimplementedError)]
    for func, error in cases:
        with pytest.raises(error):
            _run(fg.py_func(func, [x], fg.float32))


def test_full_reduction_of_unknown_rank_is_a_scalar():
    x = fg.placeholder(fg.float32)
    assert fg.reduce_sum(x).shape.as_list() == []  # TF1 sets the shape ()
    assert fg.reduce_mean(x, keepdims=True).shape.ndims is None
    assert fg.reduce_max(x, 1).shape.ndims is None


def test_get_attr_accepts_tf1_attribute_spellings():
    a = fg.constant([1.0, 2.0])
    s = fg.reduce_sum(a, keepdims=True)
    assert s.op.get_attr("keep_dims") is True
    assert (a * a).op.get_attr("T") == fg.float32


def test_lists_holding_tensors_are_packed_as_tf1():
    a = fg.constant(1.0)
    b = fg.constant(2.0)
    packed = fg.convert_to_tensor([a, b])
    nested = fg.convert_to_tensor([[a, 3.0], [b, a]])
    assert (packed.name, packed.op.type) == ("packed:0", "Pack")
    assert nested.name == "packed_1:0" and nested.shape.as_list() == [2, 2]
    np.testing.assert_array_equal(_run(nested), [[1.0, 3.0], [2.0, 1.0]])
    assert _run(fg.reduce_sum([a, b, 1.0])) == 4.0
    with pytest.raises(TypeError):
        fg.convert_to_tensor([a], dtype=fg.int32)


def test_segment_reductions_and_gradients_match_tf1():
    data = fg.constant([[1., 2.], [3., 0.], [3., 4.], [0., 0.], [5., -1.]])
    ids = fg.constant([0, 1, 0, 1, -1])
    weights = fg.constant([[1., 2.], [3., 4.], [5., 6.]])
    fetch = {}
    for name in ["unsorted_segment_max", "unsorted_segment_min", "unsorted_segment_prod",
                 "unsorted_segment_mean", "unsorted_segment_sqrt_n"]:
        result = getattr(fg.math, name)(data, ids, 3)
        fetch[name] = fg.gradients(fg.reduce_sum(fg.maximum(result, -100.0) * weights),
                                   data)[0]
    got = _run(fetch)
    r2 = np.sqrt(2.0)
    tf1 = {"unsorted_segment_max": [[0, 0], [3, 2], [1, 2], [0, 2], [0, 0]],  # ties split
           "unsorted_segment_min": [[1, 2], [0, 2], [0, 0], [3, 2], [0, 0]],
           "unsorted_segment_prod": [[3, 8], [0, 0], [1, 4], [9, 0], [0, 0]],
           "unsorted_segment_mean": [[0.5, 1], [1.5, 2], [0.5, 1], [1.5, 2], [0, 0]],
           "unsorted_segment_sqrt_n": [[1 / r2, r2], [3 / r2, 2 * r2], [1 / r2, r2],
                                       [3 / r2, 2 * r2], [0, 0]]}
    for key, expected in tf1.items():
        np.testing.assert_allclose(got[key], expected, rtol=1e-6, err_msg=key)


def test_batch_gather_as_tf1():
    f = fg.reshape(fg.range(12.0), [3, 4])
    a, b = _run([fg.batch_gather(f, [[0], [1], [2]]), fg.batch_gather(f, [[0, 3], [1, 1], [2, 0]])])
    assert a.ravel().tolist() == [0.0, 5.0, 10.0]
    assert b.tolist() == [[0.0, 3.0], [5.0, 5.0], [10.0, 8.0]]
