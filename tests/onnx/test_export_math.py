"""Export of element-wise math, activations, matrix products and reductions: ONNX Runtime
gives what flowgraph gives (to 1e-5)."""

import numpy as np
import pytest

pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")

import flowgraph as fg  # noqa: E402
from tests.onnx.helpers import export_and_compare  # noqa: E402

RNG = np.random.default_rng(0)
X = RNG.standard_normal((3, 4)).astype(np.float32)
POSITIVE = (RNG.random((3, 4)) + 0.5).astype(np.float32)
UNIT = (RNG.random((3, 4)) * 1.8 - 0.9).astype(np.float32)


def _float_input(value=X):
    return fg.placeholder(fg.float32, [None, value.shape[1]], name="x")


UNARY = {
    "abs": (fg.abs, X), "neg": (fg.negative, X), "exp": (fg.exp, X), "log": (fg.log, POSITIVE),
    "sqrt": (fg.sqrt, POSITIVE), "rsqrt": (fg.rsqrt, POSITIVE),
    "reciprocal": (fg.reciprocal, POSITIVE), "square": (fg.square, X), "sign": (fg.sign, X),
    "floor": (fg.floor, X * 3), "ceil": (fg.ceil, X * 3), "round": (fg.round, X * 3),
    "sin": (fg.sin, X), "cos": (fg.cos, X), "tan": (fg.tan, UNIT), "asin": (fg.asin, UNIT),
    "acos": (fg.acos, UNIT), "atan": (fg.atan, X), "sinh": (fg.sinh, X), "cosh": (fg.cosh, X),
    "tanh": (fg.tanh, X), "sigmoid": (fg.sigmoid, X), "erf": (fg.erf, X),
    "erfc": (fg.erfc, X), "log1p": (fg.log1p, POSITIVE), "expm1": (fg.expm1, X),
    "relu": (fg.nn.relu, X), "relu6": (fg.nn.relu6, X * 5), "elu": (fg.nn.elu, X),
    "selu": (fg.nn.selu, X), "softplus": (fg.nn.softplus, X), "softsign": (fg.nn.softsign, X),
    "leaky_relu": (lambda x: fg.nn.leaky_relu(x, alpha=0.3), X),
    "softmax": (fg.nn.softmax, X), "log_softmax": (fg.nn.log_softmax, X),
    "softmax_axis0": (lambda x: fg.nn.softmax(x, axis=0), X),
    "stop_gradient": (lambda x: fg.stop_gradient(x) * 2.0, X),
}


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary(tmp_path, name):
    fn, value = UNARY[name]
    x = _float_input(value)
    export_and_compare(tmp_path, {"x": (x, value)}, {"y": fn(x)})


def test_unary_matches_numpy_reference(tmp_path):
    x = _float_input()
    _, got = export_and_compare(tmp_path, {"x": (x, X)}, {
        "relu6": fg.nn.relu6(x * 5.0), "softmax": fg.nn.softmax(x), "rsqrt": fg.rsqrt(x * x)})
    np.testing.assert_allclose(got["relu6"], np.clip(X * 5, 0, 6), rtol=1e-6)
    e = np.exp(X - X.max(1, keepdims=True))
    np.testing.assert_allclose(got["softmax"], e / e.sum(1, keepdims=True), rtol=1e-5)
    np.testing.assert_allclose(got["rsqrt"], 1 / np.abs(X), rtol=1e-5)


def test_nan_inf_checks(tmp_path):
    value = np.array([[1.0, np.nan, np.inf, -np.inf]], np.float32)
    x = fg.placeholder(fg.float32, [None, 4])
    _, got = export_and_compare(tmp_path, {"x": (x, value)}, {
        "nan": fg.is_nan(x), "inf": fg.is_inf(x), "finite": fg.is_finite(x),
        "not": fg.logical_not(fg.is_finite(x))})
    np.testing.assert_array_equal(got["finite"], [[True, False, False, False]])


B = RNG.standard_normal((1, 4)).astype(np.float32)
BINARY = {
    "add": fg.add, "sub": fg.subtract, "mul": fg.multiply, "div": fg.realdiv,
    "maximum": fg.maximum, "minimum": fg.minimum, "squared_difference": fg.squared_difference,
    "floordiv": fg.floordiv, "floormod": fg.floormod, "div_no_nan": fg.div_no_nan,
    "equal": fg.equal, "not_equal": fg.not_equal, "less": fg.less, "less_equal": fg.less_equal,
    "greater": fg.greater, "greater_equal": fg.greater_equal,
    "add_n": lambda a, b: fg.add_n([a, a * b, a]),
    "clip": lambda a, b: fg.clip_by_value(a, -0.5, b),
}


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_with_broadcasting(tmp_path, name):
    x = _float_input()
    b = fg.placeholder(fg.float32, [1, 4], name="b")
    b_value = B.copy()
    if name == "div_no_nan":
        b_value[0, 1] = 0.0
    export_and_compare(tmp_path, {"x": (x, X), "b": (b, b_value)}, {"y": BINARY[name](x, b)})


def test_pow(tmp_path):
    x = _float_input(POSITIVE)
    export_and_compare(tmp_path, {"x": (x, POSITIVE)}, {"y": fg.pow(x, 1.7)})


INT_A = np.array([[7, -7, 7, -7, 0, 6]], np.int32)
INT_B = np.array([[2, 2, -2, -2, 3, 3]], np.int32)


@pytest.mark.parametrize("fn, reference", [
    (fg.floordiv, INT_A // INT_B), (fg.floormod, INT_A % INT_B),
    (fg.truncatediv, np.array([[3, -3, -3, 3, 0, 2]])),
    (fg.truncatemod, np.array([[1, -1, 1, -1, 0, 0]]))])
def test_integer_division_rounds_like_tf(tmp_path, fn, reference):
    x = fg.placeholder(fg.int32, [None, 6], name="a")
    y = fg.placeholder(fg.int32, [None, 6], name="b")
    _, got = export_and_compare(tmp_path, {"a": (x, INT_A), "b": (y, INT_B)}, {"y": fn(x, y)})
    np.testing.assert_array_equal(got["y"], reference)


def test_logic_and_select(tmp_path):
    x = _float_input()
    positive, large = fg.greater(x, 0.0), fg.greater(fg.abs(x), 1.0)
    export_and_compare(tmp_path, {"x": (x, X)}, {
        "and": fg.logical_and(positive, large), "or": fg.logical_or(positive, large),
        "where_v2": fg.where_v2(positive, x, -x), "select": fg.where(positive, x, x * 2.0),
        "cast": fg.cast(positive, fg.float32), "to_int": fg.cast(x * 10.0, fg.int32)})


def test_tf1_select_with_vector_condition_picks_rows(tmp_path):
    x = _float_input()
    rows = fg.placeholder(fg.bool, [None], name="rows")
    picked = np.array([True, False, True])
    _, got = export_and_compare(tmp_path, {"x": (x, X), "rows": (rows, picked)},
                                {"y": fg.where(rows, x, -x)})
    np.testing.assert_allclose(got["y"], np.where(picked[:, None], X, -X))


# --------------------------------------------------------------------------- products
def test_matmul_variants(tmp_path):
    a = fg.placeholder(fg.float32, [None, 4], name="a")
    w = fg.constant(RNG.standard_normal((5, 4)).astype(np.float32))
    _, got = export_and_compare(tmp_path, {"a": (a, X)}, {
        "ab_t": fg.matmul(a, w, transpose_b=True),
        "at_a": fg.matmul(a, a, transpose_a=True),
        "einsum": fg.einsum("ij,kj->ik", a, w),
        "tensordot": fg.tensordot(a, w, [[1], [1]]),
        "outer": fg.tensordot(a, w, 0)})
    np.testing.assert_allclose(got["ab_t"], X @ fg.Session().run(w).T, rtol=1e-5, atol=1e-5)


def test_batch_matmul_adjoint_and_matrix_transpose(tmp_path):
    value = RNG.standard_normal((2, 3, 4)).astype(np.float32)
    x = fg.placeholder(fg.float32, [None, 3, 4], name="x")
    export_and_compare(tmp_path, {"x": (x, value)}, {
        "xxt": fg.matmul(x, x, adjoint_b=True), "xtx": fg.matmul(x, x, adjoint_a=True),
        "t": fg.linalg.matrix_transpose(x)})


# --------------------------------------------------------------------------- reductions
@pytest.mark.parametrize("opset", [17, 18])
def test_reductions(tmp_path, opset):
    value = RNG.standard_normal((2, 3, 4)).astype(np.float32)
    x = fg.placeholder(fg.float32, [None, 3, 4], name="x")
    positive = fg.greater(x, 0.0)
    export_and_compare(tmp_path, {"x": (x, value)}, {
        "sum_all": fg.reduce_sum(x), "mean_1": fg.reduce_mean(x, axis=1),
        "max_keep": fg.reduce_max(x, axis=[0, 2], keepdims=True),
        "min_neg": fg.reduce_min(x, axis=-1), "prod": fg.reduce_prod(x, axis=2),
        "lse": fg.reduce_logsumexp(x, axis=1), "all": fg.reduce_all(positive, axis=2),
        "any": fg.reduce_any(positive), "count": fg.count_nonzero(positive, axis=1),
        "argmax": fg.argmax(x, axis=1), "argmin32": fg.argmin(x, axis=2,
                                                              output_type=fg.int32),
        "empty_axes": fg.reduce_sum(x, axis=[])}, opset=opset)


def test_cumsum_and_top_k(tmp_path):
    value = RNG.permutation(24).reshape(2, 12).astype(np.float32)
    x = fg.placeholder(fg.float32, [None, 12], name="x")
    values, indices = fg.nn.top_k(x, 3)
    _, got = export_and_compare(tmp_path, {"x": (x, value)}, {
        "cumsum": fg.cumsum(x, axis=1), "exclusive": fg.cumsum(x, 1, exclusive=True),
        "reverse": fg.cumsum(x, 1, reverse=True), "top_values": values,
        "top_indices": indices})
    np.testing.assert_array_equal(got["top_indices"], np.argsort(-value, axis=1)[:, :3])


def test_losses(tmp_path):
    logits = _float_input()
    labels = fg.placeholder(fg.float32, [None, 4], name="labels")
    ids = fg.placeholder(fg.int32, [None], name="ids")
    probs = np.eye(4, dtype=np.float32)[[0, 3, 1]]
    ids_value = np.array([0, 3, 1], np.int32)
    _, got = export_and_compare(
        tmp_path, {"x": (logits, X), "labels": (labels, probs), "ids": (ids, ids_value)}, {
            "xent": fg.nn.softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits),
            "sparse": fg.nn.sparse_softmax_cross_entropy_with_logits(labels=ids,
                                                                      logits=logits),
            "sigmoid": fg.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits),
            "l2": fg.nn.l2_loss(logits),
            "mean_loss": fg.losses.sparse_softmax_cross_entropy(ids, logits)})
    log_p = X - np.log(np.exp(X).sum(1, keepdims=True))
    np.testing.assert_allclose(got["sparse"], -log_p[[0, 1, 2], [0, 3, 1]], rtol=1e-5)
    np.testing.assert_allclose(got["l2"], (X ** 2).sum() / 2, rtol=1e-5)
