"""Export of fg.cond and fg.while_loop as ONNX If and Loop."""

import numpy as np
import pytest

pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")

import flowgraph as fg  # noqa: E402
from tests.onnx.helpers import export_and_compare, op_types, run_onnx  # noqa: E402

V = np.arange(6, dtype=np.float32).reshape(2, 3) - 2.5


def _x():
    return fg.placeholder(fg.float32, [None, 3], name="x")


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_cond_becomes_if_and_takes_the_right_branch(tmp_path, sign):
    x = _x()
    w = fg.Variable(np.full((3,), 2.0, np.float32), name="w")
    y = fg.cond(fg.reduce_sum(x) > 0, lambda: x * w, lambda: (x - 1.0, x)[0])
    model, got = export_and_compare(tmp_path, {"x": (x, V * sign)}, {"y": y})
    assert "If" in op_types(model)
    expected = V * sign * 2.0 if (V * sign).sum() > 0 else V * sign - 1.0
    np.testing.assert_allclose(got["y"], expected)


def test_cond_with_several_outputs_and_outer_values(tmp_path):
    x = _x()
    offset = fg.reduce_mean(x)
    a, b = fg.cond(fg.shape(x)[0] > 1, lambda: (x + offset, fg.reduce_max(x)),
                   lambda: (x, fg.reduce_min(x)))
    export_and_compare(tmp_path, {"x": (x, V)}, {"a": a, "b": b})
    export_and_compare(tmp_path, {"x": (x, V[:1])}, {"a": a, "b": b}, name="one_row.onnx")


def test_cond_on_a_known_predicate_is_inlined(tmp_path):
    x = _x()
    training = fg.placeholder_with_default(False, [], name="training")
    y = fg.cond(training, lambda: fg.nn.dropout(x, rate=0.5), lambda: x * 3.0)
    model, got = export_and_compare(tmp_path, {"x": (x, V)}, {"y": y})
    assert "If" not in op_types(model)
    np.testing.assert_allclose(got["y"], V * 3)


def test_while_loop_becomes_loop(tmp_path):
    x = _x()
    n = fg.placeholder(fg.int32, [], name="n")
    scale = fg.reduce_max(x)  # captured from outside the loop
    i, acc = fg.while_loop(lambda i, a: i < n, lambda i, a: (i + 1, a * 0.5 + scale),
                           [fg.constant(0), x])
    model, got = export_and_compare(tmp_path, {"x": (x, V), "n": (n, np.int32(4))},
                                    {"i": i, "acc": acc})
    assert "Loop" in op_types(model)
    expected = V.copy()
    for _ in range(4):
        expected = expected * 0.5 + V.max()
    np.testing.assert_allclose(got["acc"], expected, rtol=1e-6)
    assert got["i"] == 4


def test_while_loop_growing_a_tensor(tmp_path):
    x = _x()
    _, rows = fg.while_loop(lambda i, r: i < 3, lambda i, r: (i + 1, fg.concat([r, r], 0)),
                            [fg.constant(0), x],
                            shape_invariants=[fg.TensorShape([]), fg.TensorShape([None, 3])])
    _, got = export_and_compare(tmp_path, {"x": (x, V)}, {"rows": rows})
    assert got["rows"].shape == (16, 3)


def test_cond_nested_in_a_while_loop_reading_a_variable(tmp_path):
    x = _x()
    w = fg.Variable(np.float32(1.5), name="w")

    def body(i, a):
        a = fg.cond(fg.equal(i % 2, 0), lambda: a * w, lambda: a + w)
        return i + 1, a

    _, acc = fg.while_loop(lambda i, a: i < 5, body, [fg.constant(0), x])
    _, got = export_and_compare(tmp_path, {"x": (x, V)}, {"acc": acc})
    expected = V.copy()
    for k in range(5):
        expected = expected * 1.5 if k % 2 == 0 else expected + 1.5
    np.testing.assert_allclose(got["acc"], expected, rtol=1e-6)


def test_loop_that_never_runs(tmp_path):
    x = _x()
    _, acc = fg.while_loop(lambda i, a: i < 0, lambda i, a: (i + 1, a * 2.0),
                           [fg.constant(0), x])
    path = tmp_path / "never.onnx"
    with fg.Session() as sess:
        fg.onnx.export(sess, {"x": x}, {"acc": acc}, path)
    np.testing.assert_array_equal(run_onnx(path, {"x": V})["acc"], V)


def test_values_of_unknown_rank_through_cond_and_while(tmp_path):
    x = _x()
    shape = fg.placeholder(fg.int32, [None], name="shape")
    y = fg.cond(fg.reduce_sum(x) > 0, lambda: fg.reshape(x, shape),
                lambda: fg.reshape(x * 2.0, shape))
    _, r = fg.while_loop(lambda i, r: i < 2, lambda i, r: (i + 1, fg.expand_dims(r, 0)[0] * 2.0),
                         [fg.constant(0), fg.reshape(x, shape)],
                         shape_invariants=[fg.TensorShape([]), fg.TensorShape(None)])
    assert y.shape.ndims is None and r.shape.ndims is None
    y.set_shape([None, None])  # ONNX outputs need a rank
    r.set_shape([None, None])
    counts = fg.add_n([fg.shape(x), fg.shape(x), fg.shape(x)])  # ints: no ONNX Sum
    _, got = export_and_compare(tmp_path, {"x": (x, V), "shape": (shape, np.array([3, 2],
                                                                                np.int32))},
                                {"y": y, "r": r, "counts": counts})
    np.testing.assert_allclose(got["r"], V.reshape(3, 2) * 4)
    np.testing.assert_array_equal(got["counts"], [6, 9])
