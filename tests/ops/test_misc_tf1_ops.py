"""Tests of tf.print, py_function, searchsorted, switch_case, parallel_stack,
guarantee_const, grad_pass_through, recompute_grad, tensor_scatter_nd_max / min, timestamp,
add_check_numerics_ops, sparse_matmul, tf.math inverse functions, tf.bitwise, bitcast.

Expected values are hard-coded from TensorFlow 2.21 (tf.compat.v1, graph mode), computed
by hand, or from scipy / numpy written here.
"""

import sys
import time

import numpy as np
import pytest
import scipy.special as sp

import flowgraph as fg


def _run(fetches, feed=None):
    with fg.Session() as sess:
        return sess.run(fetches, feed)


# --------------------------------------------------------------------------- tf.print
# TF's output for the same calls (written to a file:// stream).
TF_PRINTED = ('hello [1 2 3]\n[0 1 ... 8 9]\n[[[0 1 2 3]\n  [4 5 6 7]\n  [8 9 10 11]]\n\n'
              ' [[12 13 14 15]\n  [16 17 18 19]\n  [20 21 22 23]]]\n'
              "{'a': 'str', 'b': [1.5 2], 'c': [1, 3]}\na--b!!\nonly string scalar\n"
              '["s1" "s2"] [1, 2.5, None]\n0.33333333333333331 0.333333343\n{} [1 2 3]\n'
              "(1, 2) [1 2 3] quote's\n")


def test_print_formats_as_tf(tmp_path):
    path = tmp_path / "out.txt"
    stream = f"file://{path}"
    with fg.Graph().as_default():
        x = fg.constant([1, 2, 3])
        ops = [
            fg.print("hello", x, output_stream=stream),
            fg.print(fg.constant(np.arange(10)), summarize=2, output_stream=stream),
            fg.print(fg.constant(np.arange(24).reshape(2, 3, 4).astype(np.float32)),
                     summarize=2, output_stream=stream),
            fg.print({"b": fg.constant([1.5, 2.0]), "a": "str", "c": [1, fg.constant(3)]},
                     output_stream=stream),
            fg.print("a", "b", sep="--", end="!!\n", output_stream=stream),
            fg.print(fg.constant("only string scalar"), output_stream=stream),
            fg.print(fg.constant(["s1", "s2"]), [fg.constant(True), 2.5, None],
                     output_stream=stream),
            fg.print(fg.constant(np.float64(1) / 3), fg.constant(np.float32(1) / 3),
                     output_stream=stream),
            fg.print("{}", x, output_stream=stream),
            fg.print((1, 2), x, "quote's", output_stream=stream),
        ]
        assert all(isinstance(op, fg.Operation) and op.type == "PrintV2" for op in ops)
        assert ops[0].inputs[0].op.type == "StringFormat"
        assert ops[5].inputs[0].op.type == "Const"  # a lone string scalar is not formatted
        with fg.Session() as sess:
            for op in ops:
                sess.run(op)
    assert path.read_text() == TF_PRINTED


def test_print_streams_names_and_errors(capsys):
    with fg.Graph().as_default():
        x = fg.constant([[1, 2], [3, 4]])
        out = fg.print("x:", x, output_stream=sys.stdout, name="myprint")
        err = fg.print(x)
        assert out.name == "myprint" and out.inputs[0].op.name == "myprint_format"
        assert out.outputs == [] or len(out.outputs) == 0
        with fg.Session() as sess:
            sess.run(out)
            sess.run(err)
            sess.run(err)
        captured = capsys.readouterr()
        assert captured.out == "x: [[1 2]\n [3 4]]\n"
        assert captured.err == "[[1 2]\n [3 4]]\n" * 2
        with pytest.raises(ValueError, match="Unsupported output stream"):
            fg.print(x, output_stream="stdout")
        with pytest.raises(ValueError, match="Unrecognized keyword"):
            fg.print(x, colour="red")


def test_print_as_control_dependency_runs_each_time(capsys):
    with fg.Graph().as_default():
        x = fg.placeholder(fg.float32, [2])
        with fg.control_dependencies([fg.print("got", x, output_stream=sys.stdout)]):
            y = x * 2
        with fg.Session() as sess:
            np.testing.assert_array_equal(sess.run(y, {x: [1, 2]}), [2, 4])
            sess.run(y, {x: [3, 0.5]})
    assert capsys.readouterr().out == "got [1 2]\ngot [3 0.5]\n"


# --------------------------------------------------------------------------- py_function
def test_py_function_single_and_list_outputs():
    with fg.Graph().as_default():
        a = fg.constant([1.0, 2.0])
        single = fg.py_function(lambda v: v.numpy() * 2, [a], fg.float32)
        listed = fg.py_function(lambda v, w: [v * 3, np.int32(w.size)], [a, a],
                                [fg.float32, fg.int32])
        assert isinstance(single, fg.Tensor) and single.dtype == fg.float32
        assert isinstance(listed, list) and [t.dtype for t in listed] == [fg.float32, fg.int32]
        one = fg.py_function(lambda v: [v], [a], [fg.float32])
        assert isinstance(one, list) and len(one) == 1
        with pytest.raises(LookupError, match="PyFunc"):  # as fg.py_func: no gradient
            fg.gradients(single, a)
        got = _run([single, listed[0], listed[1], one[0]])
    np.testing.assert_array_equal(got[0], [2.0, 4.0])
    np.testing.assert_array_equal(got[1], [3.0, 6.0])
    assert got[2] == 2
    assert type(got[3]) is np.ndarray
    with pytest.raises(TypeError, match="callable"):
        fg.py_function(3, [], fg.float32)


# --------------------------------------------------------------------------- searchsorted
def test_searchsorted_batched_against_numpy():
    rng = np.random.default_rng(1)
    seq = np.sort(rng.integers(0, 20, (2, 3, 7)), axis=-1).astype(np.float64)
    vals = rng.integers(-2, 22, (2, 3, 5)).astype(np.float64)
    with fg.Graph().as_default():
        left = fg.searchsorted(seq, vals)
        right = fg.searchsorted(seq, vals, side="right", out_type=fg.int64)
        assert left.shape.as_list() == [2, 3, 5] and left.dtype == fg.int32
        assert right.dtype == fg.int64
        got_left, got_right = _run([left, right])
    for idx in np.ndindex(2, 3):
        np.testing.assert_array_equal(got_left[idx], np.searchsorted(seq[idx], vals[idx]))
        np.testing.assert_array_equal(got_right[idx],
                                      np.searchsorted(seq[idx], vals[idx], side="right"))
    with fg.Graph().as_default(), pytest.raises(ValueError, match="side must be"):
        fg.searchsorted([[1.0]], [[1.0]], side="middle")


# --------------------------------------------------------------------------- switch_case
def test_switch_case_index_default_and_out_of_range():
    with fg.Graph().as_default():
        idx = fg.placeholder(fg.int32, [])
        res = fg.switch_case(idx, [lambda: fg.constant(10), lambda: fg.constant(20),
                                   lambda: fg.constant(30)])
        res2 = fg.switch_case(idx, {1: lambda: fg.constant(21), 0: lambda: fg.constant(11)},
                              default=lambda: fg.constant(-1))
        res3 = fg.switch_case(idx, [(1, lambda: fg.constant(5)), (0, lambda: fg.constant(4))])
        with fg.Session() as sess:
            got = [sess.run([res, res2, res3], {idx: i}) for i in [-1, 0, 1, 2, 5]]
    # TF: [[30, -1], [10, 11], [20, 21], [30, -1], [30, -1]]
    assert [g[:2] for g in got] == [[30, -1], [10, 11], [20, 21], [30, -1], [30, -1]]
    assert [g[2] for g in got] == [5, 4, 5, 5, 5]


def test_switch_case_runs_only_the_chosen_branch():
    with fg.Graph().as_default():
        idx = fg.placeholder(fg.int32, [])
        bad = fg.constant([1.0, np.nan])
        res = fg.switch_case(idx, [lambda: fg.constant(1.0),
                                   lambda: fg.reduce_sum(fg.check_numerics(bad, "boom"))])
        with fg.Session() as sess:
            assert sess.run(res, {idx: 0}) == 1.0
            with pytest.raises(fg.errors.InvalidArgumentError, match="boom"):
                sess.run(res, {idx: 1})


def test_switch_case_errors_as_tf():
    with fg.Graph().as_default():
        idx = fg.constant(1)
        with pytest.raises(ValueError, match=r"contiguous range of \[0 to 2\) but found "
                                             r"\{1,2\}"):
            fg.switch_case(idx, {1: lambda: fg.constant(1), 2: lambda: fg.constant(2)})
        with pytest.raises(TypeError, match="integer Tensor"):
            fg.switch_case(fg.constant(1.0), [lambda: fg.constant(1)])
        with pytest.raises(ValueError, match="at least one"):
            fg.switch_case(idx, [])
        with pytest.raises(TypeError, match="must be callable"):
            fg.switch_case(idx, [(0, 3)])


# --------------------------------------------------------------------------- small helpers
def test_parallel_stack_guarantee_const_sparse_matmul():
    with fg.Graph().as_default():
        ps = fg.parallel_stack([fg.constant([1, 2]), fg.constant([3, 4])])
        assert ps.name == "parallel_stack/ParallelConcat:0"
        with pytest.raises(ValueError, match="fully defined"):
            fg.parallel_stack([fg.placeholder(fg.float32, [None]), fg.constant([1.0])])
        gc = fg.guarantee_const(fg.constant(1.5))
        assert gc.name == "GuaranteeConst:0"
        a = fg.constant([[1.0, 2.0]])
        b = fg.constant([[3.0], [4.0]])
        sm = fg.sparse_matmul(a, b)
        smt = fg.sparse_matmul(b, a, transpose_a=True, transpose_b=True, a_is_sparse=True)
        assert sm.dtype == fg.float32 and sm.name == "SparseMatMul:0"
        with pytest.raises(TypeError, match="float32, bfloat16"):
            fg.sparse_matmul(fg.constant([[1.0]], fg.float64), fg.constant([[1.0]], fg.float64))
        got = _run([ps, gc, sm, smt])
    np.testing.assert_array_equal(got[0], [[1, 2], [3, 4]])
    assert got[1] == 1.5
    np.testing.assert_array_equal(got[2], [[11.0]])
    np.testing.assert_array_equal(got[3], [[11.0]])


def test_grad_pass_through_and_recompute_grad():
    with fg.Graph().as_default():
        x = fg.constant([1.2, 2.7])
        y = fg.grad_pass_through(lambda v: fg.round(v) * 3.0)(x)
        w = fg.Variable([0.5, -1.0], name="w")

        def block(v):
            return fg.reduce_sum(fg.sin(v) * w)

        z = fg.recompute_grad(block)(x)
        z_ref = block(x)
        grads = fg.gradients(y, x) + fg.gradients(z, [x, w]) + fg.gradients(z_ref, [x, w])
        with fg.Session() as sess:
            sess.run(fg.global_variables_initializer())
            got_y, gy, gzx, gzw, grx, grw = sess.run([y] + grads)
    np.testing.assert_allclose(got_y, [3.0, 9.0])
    np.testing.assert_allclose(gy, [1.0, 1.0])  # TF: identity gradient
    np.testing.assert_allclose(gzx, np.cos([1.2, 2.7]) * [0.5, -1.0], rtol=1e-6)
    np.testing.assert_allclose(gzw, np.sin([1.2, 2.7]), rtol=1e-6)
    np.testing.assert_allclose(gzx, grx)
    np.testing.assert_allclose(gzw, grw)


def test_tensor_scatter_nd_max_min_values_and_tf_gradients():
    with fg.Graph().as_default():
        t = fg.constant([1.0, 5.0, 3.0, 2.0])
        m = fg.tensor_scatter_nd_max(t, [[0], [2], [0]], [4.0, 1.0, 6.0])
        n = fg.tensor_scatter_nd_min(t, [[0], [2]], [4.0, 1.0])
        u = fg.constant([1.0, 7.0, 3.0])
        tie = fg.tensor_scatter_nd_max(t, [[0], [1], [2]], u)
        weights = fg.constant([1.0, 2.0, 3.0, 4.0])
        g1 = fg.gradients(fg.reduce_sum(m * weights), [t])
        g2 = fg.gradients(fg.reduce_sum(tie * weights), [t, u])
        assert m.op.type == "TensorScatterMax" and n.op.type == "TensorScatterMin"
        got = _run([m, n] + g1 + g2)
    np.testing.assert_array_equal(got[0], [6.0, 5.0, 3.0, 2.0])  # TF's values
    np.testing.assert_array_equal(got[1], [1.0, 5.0, 1.0, 2.0])
    np.testing.assert_array_equal(got[2], [0.0, 2.0, 3.0, 4.0])
    np.testing.assert_array_equal(got[3], [0.5, 0.0, 1.5, 4.0])  # ties split, as TF
    np.testing.assert_array_equal(got[4], [0.5, 2.0, 1.5])


def test_timestamp_is_stateful_and_current():
    with fg.Graph().as_default():
        first = fg.timestamp()
        with fg.control_dependencies([first]):
            second = fg.timestamp()
        assert first.dtype == fg.float64 and first.shape.as_list() == []
        assert first.op.type == "Timestamp" and first.name == "Timestamp:0"
        assert fg.constant_value(first) is None
        before = time.time()
        with fg.Session() as sess:
            a, b = sess.run([first, second])
            c = sess.run(first)
        after = time.time()
    assert before <= a <= b <= after + 1e-3
    assert c >= a


def test_add_check_numerics_ops():
    with fg.Graph().as_default():
        x = fg.placeholder(fg.float32, [2], name="x")
        y = fg.log(x)
        fg.constant([1, 2])  # int outputs are not checked
        check = fg.add_check_numerics_ops()
        assert check.type == "NoOp" and check.name == "group_deps"
        checks = [op for op in fg.get_default_graph().get_operations()
                  if op.type == "CheckNumerics"]
        assert [op.op_def.message for op in checks] == ["x:0", "Log:0"]
        assert checks[1].control_inputs == [checks[0]]
        with fg.Session() as sess:
            sess.run([y, check], {x: [1.0, 2.0]})
            with pytest.raises(fg.errors.InvalidArgumentError, match="Log:0"):
                sess.run([y, check], {x: [1.0, 0.0]})


# --------------------------------------------------------------------------- tf.math
def test_erfinv_ndtri_erfcinv_against_scipy():
    p = np.concatenate([np.logspace(-280, -1, 400), np.linspace(0.01, 0.99, 301),
                        1 - np.logspace(-15, -1, 100), [0.5 - 2.0 ** -40]])
    y = np.concatenate([np.linspace(-0.999999, 0.999999, 801), np.logspace(-300, -1, 200),
                        -np.logspace(-300, -1, 50), 1 - np.logspace(-15, -1, 100)])
    z = np.concatenate([np.logspace(-280, 0, 300), 2 - np.logspace(-15, -1, 50)])
    with fg.Graph().as_default():
        got = _run([fg.math.ndtri(p), fg.math.erfinv(y), fg.math.erfcinv(z),
                    fg.math.erfinv(np.float32([0.5, -1, 1, 2])),
                    fg.math.ndtri(np.float32([0.5, 0, 1, 0.975]))])
    np.testing.assert_allclose(got[0], sp.ndtri(p), rtol=2e-14)
    np.testing.assert_allclose(got[1], sp.erfinv(y), rtol=2e-14)
    np.testing.assert_allclose(got[2], sp.erfcinv(z), rtol=2e-14, atol=1e-300)
    # TF's float32 results
    np.testing.assert_allclose(got[3], np.float32([0.4769363, -np.inf, np.inf, np.nan]),
                               rtol=1e-6)
    np.testing.assert_allclose(got[4], np.float32([0.0, -np.inf, np.inf, 1.9599644]),
                               rtol=1e-6)
    assert got[3].dtype == np.float32


def test_special_gradients_match_formulas():
    with fg.Graph().as_default():
        x = fg.constant([-0.7, 0.1, 0.9], fg.float64)
        p = fg.constant([0.01, 0.4, 0.8], fg.float64)
        a = fg.constant([0.0, 2.0], fg.float32)
        b = fg.constant([-1.0, 3.0], fg.float32)
        got = _run(fg.gradients(fg.math.erfinv(x), x) + fg.gradients(fg.math.ndtri(p), p)
                   + fg.gradients(fg.math.xlog1py(a, b), [a, b]))
    xv = np.array([-0.7, 0.1, 0.9])
    pv = np.array([0.01, 0.4, 0.8])
    np.testing.assert_allclose(got[0], np.sqrt(np.pi) / 2 * np.exp(sp.erfinv(xv) ** 2),
                               rtol=1e-13)
    np.testing.assert_allclose(got[1], np.sqrt(2 * np.pi) * np.exp(sp.ndtri(pv) ** 2 / 2),
                               rtol=1e-13)
    np.testing.assert_allclose(got[2], [0.0, 1.3862944], rtol=1e-6)  # TF's values
    np.testing.assert_allclose(got[3], [0.0, 0.5], rtol=1e-6)


def test_math_namespace_only():
    for name in ["erfinv", "erfcinv", "ndtri", "xlog1py", "nextafter"]:
        assert hasattr(fg.math, name)
        assert not hasattr(fg, name)  # as TF1: tf.math.* only


# --------------------------------------------------------------------------- bitwise
def test_bitwise_shift_semantics_and_dtypes():
    x = np.array([1, -8, 5, 127, -1], np.int32)
    y = np.array([-1, 3, 31, 40, 2], np.int32)
    with fg.Graph().as_default():
        got = _run([fg.bitwise.left_shift(x, y), fg.bitwise.right_shift(x, y)])
        with pytest.raises(TypeError, match="integer"):
            fg.bitwise.bitwise_and(fg.constant([1.0]), fg.constant([2.0]))
    clamped = np.clip(y, 0, 31)
    np.testing.assert_array_equal(got[0], np.left_shift(x.astype(np.int64), clamped)
                                  .astype(np.uint64).astype(np.uint32).view(np.int32))
    np.testing.assert_array_equal(got[1], x >> clamped)
    assert sorted(n for n in dir(fg.bitwise) if not n.startswith("_")) == [
        "bitwise_and", "bitwise_or", "bitwise_xor", "invert", "left_shift", "right_shift"]


def test_bitcast_shapes_and_errors():
    with fg.Graph().as_default():
        v = fg.bitcast(fg.constant([[1.0, -2.0]], fg.float64), fg.uint16)
        assert v.shape.as_list() == [1, 2, 4] and v.dtype == fg.uint16
        with pytest.raises(ValueError, match="last dimension"):
            fg.bitcast(fg.constant([1, 2, 3], fg.int32), fg.int64)
        with pytest.raises(TypeError):
            fg.bitcast(fg.constant([True]), fg.int8)
        got = _run(v)
    np.testing.assert_array_equal(got, np.array([[1.0, -2.0]]).view(np.uint16)
                                  .reshape(1, 2, 4))
