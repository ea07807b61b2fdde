"""SparseTensor functions and sparse embedding lookups added by the fidelity pass, checked
against values from a real TF1 run (tf.compat.v1) of the same inputs."""

import numpy as np

import flowgraph as fg


def _st():
    return fg.SparseTensor(indices=[[0, 0], [0, 2], [1, 1], [2, 3]],
                           values=[1.0, 2.0, 3.0, 4.0], dense_shape=[3, 4])


def _triple(sp):
    with fg.Session() as sess:
        i, v, s = sess.run([sp.indices, sp.values, sp.dense_shape])
    return i.ravel().tolist(), v.tolist(), s.tolist()


def _run(fetches):
    with fg.Session() as sess:
        return sess.run(fetches)


def test_sparse_reshaping_functions_match_tf1():
    st = _st()
    assert _triple(fg.sparse_retain(st, [True, False, True, True])) == (
        [0, 0, 1, 1, 2, 3], [1.0, 3.0, 4.0], [3, 4])
    assert _triple(fg.sparse_reshape(st, [2, -1])) == (
        [0, 0, 0, 2, 0, 5, 1, 5], [1.0, 2.0, 3.0, 4.0], [2, 6])
    assert _triple(fg.sparse.reshape(st, [4, 3])) == (
        [0, 0, 0, 2, 1, 2, 3, 2], [1.0, 2.0, 3.0, 4.0], [4, 3])
    assert _triple(fg.sparse_transpose(st)) == (
        [0, 0, 1, 1, 2, 0, 3, 2], [1.0, 3.0, 2.0, 4.0], [4, 3])


def test_sparse_concat_slice_split_match_tf1():
    st = _st()
    assert _triple(fg.sparse_concat(0, [st, st])) == (
        [0, 0, 0, 2, 1, 1, 2, 3, 3, 0, 3, 2, 4, 1, 5, 3], [1.0, 2.0, 3.0, 4.0] * 2, [6, 4])
    assert _triple(fg.sparse.concat(1, [st, st])) == (
        [0, 0, 0, 2, 0, 4, 0, 6, 1, 1, 1, 5, 2, 3, 2, 7],
        [1.0, 2.0, 1.0, 2.0, 3.0, 3.0, 4.0, 4.0], [3, 8])
    assert _triple(fg.sparse_slice(st, [0, 1], [2, 3])) == ([0, 1, 1, 0], [2.0, 3.0], [2, 3])
    assert _triple(fg.sparse_split(sp_input=st, num_split=2, axis=1)[1]) == (
        [0, 0, 2, 1], [2.0, 4.0], [3, 2])
    assert _triple(fg.sparse.split(sp_input=st, num_split=2, axis=0)[0]) == (
        [0, 0, 0, 2, 1, 1], [1.0, 2.0, 3.0], [2, 4])


def test_sparse_reductions_and_fill_match_tf1():
    st = _st()
    np.testing.assert_allclose(_triple(fg.sparse_softmax(st))[1],
                               [0.268941, 0.731059, 1.0, 1.0], rtol=1e-5)
    values = _run([fg.sparse_reduce_max(st), fg.sparse_reduce_max(st, 1),
                   fg.sparse.reduce_max(st, 0, keepdims=True)])
    assert values[0] == 4.0 and values[1].tolist() == [2.0, 3.0, 4.0]
    assert values[2].tolist() == [[1.0, 3.0, 2.0, 4.0]]
    filled, empty = fg.sparse_fill_empty_rows(
        fg.SparseTensor([[0, 0], [2, 3]], [1.0, 4.0], [4, 4]), -1.0)
    assert _triple(filled) == ([0, 0, 1, 0, 2, 3, 3, 0], [1.0, -1.0, 4.0, -1.0], [4, 4])
    assert _run(empty).tolist() == [False, True, False, True]
    ids = fg.SparseTensor([[0, 0], [0, 1], [1, 0]], fg.constant([0, 3, 2], fg.int64), [2, 2])
    assert _run(fg.sparse_to_indicator(ids, 4)).tolist() == [[True, False, False, True],
                                                              [False, False, True, False]]


def test_sparse_segment_reductions_match_tf1():
    d = fg.constant([[1., 2.], [3., 4.], [5., 6.]])
    values = _run([fg.sparse_segment_sum(d, [0, 1, 2, 0], [0, 0, 1, 1]),
                   fg.sparse_segment_mean(d, [2, 1], [0, 0]),
                   fg.sparse_segment_sqrt_n(d, [0, 1, 2], [0, 1, 1]),
                   fg.sparse.segment_sum(d, [0, 2], [0, 2], num_segments=4)])
    assert values[0].tolist() == [[4.0, 6.0], [6.0, 8.0]]
    assert values[1].tolist() == [[4.0, 5.0]]
    np.testing.assert_allclose(values[2], [[1.0, 2.0], [5.656854, 7.071068]], rtol=1e-6)
    assert values[3].tolist() == [[1.0, 2.0], [0.0, 0.0], [5.0, 6.0], [0.0, 0.0]]


def test_embedding_lookup_sparse_matches_tf1():
    params = fg.constant(np.arange(10, dtype=np.float32).reshape(5, 2))
    rows = [[0, 0], [0, 1], [1, 0], [2, 0]]
    ids = fg.SparseTensor(rows, fg.constant([1, 3, 0, 4], fg.int64), [3, 2])
    weights = fg.SparseTensor(rows, [1.0, 2.0, 0.5, 3.0], [3, 2])
    values = _run([fg.nn.embedding_lookup_sparse(params, ids, None),
                   fg.nn.embedding_lookup_sparse(params, ids, weights, combiner="sum"),
                   fg.nn.embedding_lookup_sparse(params, ids, weights),
                   fg.nn.embedding_lookup_sparse(params, ids, weights, combiner="sqrtn")])
    np.testing.assert_allclose(values[0].ravel(), [4, 5, 0, 1, 8, 9])
    np.testing.assert_allclose(values[1].ravel(), [14, 17, 0, 0.5, 24, 27])
    np.testing.assert_allclose(values[2].ravel(), [4.666667, 5.666667, 0, 1, 8, 9], rtol=1e-6)
    np.testing.assert_allclose(values[3].ravel(), [6.26099, 7.602631, 0, 1, 8, 9], rtol=1e-6)


def test_safe_embedding_lookup_sparse_matches_tf1():
    params = fg.constant(np.arange(10, dtype=np.float32).reshape(5, 2))
    rows = [[0, 0], [0, 1], [2, 0], [3, 0]]
    ids = fg.SparseTensor(rows, fg.constant([1, -1, 0, 4], fg.int64), [4, 2])
    weights = fg.SparseTensor(rows, [1.0, 2.0, 0.5, -3.0], [4, 2])
    values = _run([fg.nn.safe_embedding_lookup_sparse(params, ids, weights),
                   fg.nn.safe_embedding_lookup_sparse(params, ids, None, combiner="sum"),
                   fg.nn.safe_embedding_lookup_sparse(params, ids, weights, default_id=2),
                   fg.nn.safe_embedding_lookup_sparse(params, ids, weights, combiner="sum")])
    np.testing.assert_allclose(values[0].ravel(), [2, 3, 0, 0, 0, 1, 0, 0])
    np.testing.assert_allclose(values[1].ravel(), [2, 3, 0, 0, 0, 1, 8, 9])
    np.testing.assert_allclose(values[2].ravel(), [2, 3, 4, 5, 0, 1, 4, 5])
    np.testing.assert_allclose(values[3].ravel(), [2, 3, 0, 0, 0, 0.5, -24, -27])
    ids3 = fg.SparseTensor([[0, 0, 0], [0, 1, 1], [1, 0, 0]], fg.constant([1, 3, 2], fg.int64),
                           [2, 2, 2])
    out = fg.nn.safe_embedding_lookup_sparse(params, ids3)
    np.testing.assert_allclose(_run(out), [[[2, 3], [6, 7]], [[4, 5], [0, 0]]])
