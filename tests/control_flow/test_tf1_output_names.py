"""Results of tf.cond / tf.while_loop (and the functions built on them) carry the names TF
1.15's v1 control flow gives them: "<scope>/Merge:0", "<scope>/Merge_1:0", ... for a cond,
"<scope>/Exit:0", "<scope>/Exit_1:0", ... for a while loop. Expected names were produced
with TF (tf.compat.v1 after disable_v2_behavior) and are hard-coded here."""

import logging
import os
import tempfile

import numpy as np
import pytest

import flowgraph as tf


def _names(value):
    if isinstance(value, (list, tuple)):
        return [_names(v) for v in value]
    if isinstance(value, dict):
        return {k: _names(v) for k, v in value.items()}
    return value.name


def test_cond_and_while_names_match_tf1():
    with tf.Graph().as_default():
        p = tf.placeholder(tf.bool, [], name="p")
        x = tf.constant(1.0)
        i = tf.constant(0)
        got = [
            _names(tf.cond(p, lambda: x + 1, lambda: x - 1)),
            _names(tf.cond(p, lambda: x + 1, lambda: x - 1)),
            _names(tf.cond(p, lambda: x + 1, lambda: x - 1, name="c")),
            _names(tf.cond(p, lambda: (x + 1, x * 2), lambda: (x - 1, x))),
            _names(tf.cond(p, lambda: {"a": x + 1, "b": x}, lambda: {"a": x - 1, "b": x})),
            _names(tf.cond(p, lambda: x, lambda: x)),
            _names(tf.cond(p, lambda: [x + 1], lambda: [x], strict=True)),
        ]
        with tf.name_scope("outer"):
            got.append(_names(tf.cond(p, lambda: x + 1, lambda: x - 1)))
        got += [
            _names(tf.cond(p, lambda: tf.cond(p, lambda: x, lambda: x + 1), lambda: x - 1)),
            _names(tf.while_loop(lambda i: i < 10, lambda i: i + 1, [i])),
            _names(tf.while_loop(lambda i, y: i < 10, lambda i, y: (i + 1, y * 2), [i, x])),
            _names(tf.while_loop(lambda i: i < 10, lambda i: i + 1, [i], name="w")),
            _names(tf.while_loop(lambda i: i < 10, lambda i: i + 1, [i],
                                 maximum_iterations=5)),
            _names(tf.while_loop(lambda i, y: i < 10, lambda i, y: [i + 1, y * 2], [i, x],
                                 maximum_iterations=5)),
            _names(tf.while_loop(lambda i: i < 10, lambda i: i + 1, [i],
                                 return_same_structure=True)),
        ]
    assert got == [
        "cond/Merge:0", "cond_1/Merge:0", "c/Merge:0", ["cond_2/Merge:0", "cond_2/Merge_1:0"],
        {"a": "cond_3/Merge:0", "b": "cond_3/Merge_1:0"}, "cond_4/Merge:0",
        ["cond_5/Merge:0"], "outer/cond/Merge:0", "cond_6/Merge:0",
        "while/Exit:0", ["while_1/Exit:0", "while_1/Exit_1:0"], "w/Exit:0",
        "while_2/Exit_1:0", ["while_3/Exit_1:0", "while_3/Exit_2:0"], ["while_4/Exit:0"],
    ]


def test_case_fold_and_nesting_names_match_tf1():
    with tf.Graph().as_default():
        p = tf.placeholder(tf.bool, [], name="p")
        x = tf.constant(1.0)
        i = tf.constant(0)
        not_p = tf.logical_not(p)
        elems = tf.constant([1.0, 2.0, 3.0])
        got = [
            tf.case([(p, lambda: x + 1)], default=lambda: x - 1).name,
            tf.case([(p, lambda: x + 1), (not_p, lambda: x + 3)], default=lambda: x - 1).name,
            tf.case([(p, lambda: x + 1), (not_p, lambda: x + 3)], default=lambda: x - 1,
                    exclusive=True).name,
            tf.case([(p, lambda: x + 1), (not_p, lambda: x + 3)]).name,
            tf.map_fn(lambda e: e * 2, elems).name,
            tf.scan(lambda a, e: a + e, elems).name,
            tf.foldl(lambda a, e: a + e, elems).name,
            tf.foldr(lambda a, e: a + e, elems).name,
            tf.cond(p, lambda: tf.while_loop(lambda i: i < 10, lambda i: i + 1, [i]),
                    lambda: i).name,
            tf.while_loop(lambda i: i < 10,
                          lambda i: tf.cond(i > 3, lambda: i + 1, lambda: i + 2), [i]).name,
        ]
    assert got == [
        "case/cond/Merge:0", "case_1/cond/Merge:0", "case_2/cond/Merge:0",
        "case_3/cond/Merge:0", "map/TensorArrayStack/TensorArrayGatherV3:0",
        "scan/TensorArrayStack/TensorArrayGatherV3:0", "foldl/while/Exit_2:0",
        "foldr/while/Exit_2:0", "cond/Merge:0", "while/Exit:0",
    ]


def test_exclusive_case_still_checks_at_run_time():
    with tf.Graph().as_default():
        a = tf.placeholder(tf.bool, [])
        b = tf.placeholder(tf.bool, [])
        r = tf.case([(a, lambda: tf.constant(1)), (b, lambda: tf.constant(2))],
                    default=lambda: tf.constant(3), exclusive=True)
        with tf.Session() as sess:
            assert sess.run(r, {a: False, b: True}) == 2
            assert sess.run(r, {a: False, b: False}) == 3
            with pytest.raises(tf.errors.InvalidArgumentError, match="exclusive"):
                sess.run(r, {a: True, b: True})


def _model():
    x = tf.placeholder(tf.float64, [], name="x")
    y = tf.cond(x > 0, lambda: x * x, lambda: -x)                      # cond/Merge:0
    _, z = tf.while_loop(lambda i, v: i < 3, lambda i, v: (i + 1, v * y), [0, x])
    return x, y, z                                                      # while/Exit_1:0


def test_tensors_found_by_tf1_name_run_and_differentiate():
    with tf.Graph().as_default() as graph:
        x, y, z = _model()
        assert graph.get_tensor_by_name("cond/Merge:0") is y
        assert graph.get_tensor_by_name("while/Exit_1:0") is z
        assert graph.get_operation_by_name("while/Exit").type == "Identity"
        gy, gz = tf.gradients([y, z], [x])[0], tf.gradients(z, [x])[0]
        with tf.Session() as sess:
            # x > 0: y = x^2, z = x * y^3 = x^7; x < 0: y = -x, z = x * (-x)^3 = -x^4
            got = sess.run([y, z, gy, gz], {x: 1.5})
            np.testing.assert_allclose(got, [1.5 ** 2, 1.5 ** 7, 2 * 1.5 + 7 * 1.5 ** 6,
                                             7 * 1.5 ** 6])
            got = sess.run([y, z, gz], {x: -2.0})
            np.testing.assert_allclose(got, [2.0, -16.0, -4 * (-2.0) ** 3])


def test_names_survive_a_meta_graph_round_trip():
    with tf.Graph().as_default():
        _model()
        path = os.path.join(tempfile.mkdtemp(), "model.meta")
        tf.train.export_meta_graph(path)
    with tf.Graph().as_default() as graph:
        tf.train.import_meta_graph(path)
        x = graph.get_tensor_by_name("x:0")
        z = graph.get_tensor_by_name("while/Exit_1:0")
        (gz,) = tf.gradients(z, [x])
        with tf.Session() as sess:
            got = sess.run(["cond/Merge:0", z, gz], {x: 1.5})
    np.testing.assert_allclose(got, [1.5 ** 2, 1.5 ** 7, 7 * 1.5 ** 6])


def test_names_work_on_a_dask_cluster():
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(n_workers=1, processes=False, threads_per_worker=1,
                                       dashboard_address=":0", silence_logs=logging.CRITICAL)
    client = distributed.Client(cluster, set_as_default=False)
    try:
        graph = tf.Graph()
        with graph.as_default():
            x, y, z = _model()
            (gz,) = tf.gradients(z, [x])
        with tf.Session(client, graph=graph) as sess:
            got = sess.run(["cond/Merge:0", "while/Exit_1:0", gz], {"x:0": 1.5})
    finally:
        client.close()
        cluster.close()
    np.testing.assert_allclose(got, [1.5 ** 2, 1.5 ** 7, 7 * 1.5 ** 6])
