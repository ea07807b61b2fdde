"""TF1's tf.nn composites added for fidelity: nce_loss, sampled_softmax_loss (with given
sampled values, so the results are deterministic), the candidate samplers, xw_plus_b,
relu_layer and the moment helpers. Expected values come from a real TF1 run
(tf.compat.v1) of the same graphs."""

import numpy as np

import flowgraph as fg


def _model():
    w = fg.constant(np.arange(40, dtype=np.float32).reshape(10, 4) / 40.0)
    b = fg.constant(np.arange(10, dtype=np.float32) / 10.0)
    x = fg.constant(np.arange(12, dtype=np.float32).reshape(3, 4) / 12.0)
    y = fg.constant([[1], [2], [3]], fg.int64)
    sampled = (fg.constant([0, 2, 5, 7, 9], fg.int64), fg.constant([[0.5], [0.4], [0.3]]),
               fg.constant([0.9, 0.4, 0.2, 0.15, 0.1]))
    return w, b, x, y, sampled


def _run(fetches):
    with fg.Session() as sess:
        return sess.run(fetches)


def test_nce_loss_and_its_gradient():
    w, b, x, y, sampled = _model()
    loss = fg.nn.nce_loss(w, b, y, x, 5, 10, sampled_values=sampled)
    grad = fg.gradients(fg.reduce_sum(loss), [x])[0]
    value, g = _run([loss, grad])
    np.testing.assert_allclose(value, [11.81933, 14.799072, 17.888517], rtol=1e-5)
    np.testing.assert_allclose(g.ravel()[:4], [2.127742, 2.224197, 2.320652, 2.417107],
                               rtol=1e-5)
    assert loss.shape.as_list() == [3]


def test_nce_loss_removing_accidental_hits():
    w, b, x, y, sampled = _model()
    loss = fg.nn.nce_loss(w, b, y, x, 5, 10, sampled_values=sampled,
                          remove_accidental_hits=True)
    np.testing.assert_allclose(_run(loss), [11.81933, 13.046584, 17.888517], rtol=1e-5)


def test_sampled_softmax_loss_and_its_gradient():
    w, b, x, y, sampled = _model()
    loss = fg.nn.sampled_softmax_loss(w, b, y, x, 5, 10, sampled_values=sampled)
    grad = fg.gradients(fg.reduce_sum(loss), [x])[0]
    value, g = _run([loss, grad])
    np.testing.assert_allclose(value, [3.474603, 3.828528, 3.954658], rtol=1e-5)
    np.testing.assert_allclose(g[:, 0], [0.623175, 0.59134, 0.513173], rtol=1e-5)


def test_sampled_softmax_masks_accidental_hits_by_default():
    w, b, x, y, _ = _model()
    sampled = (fg.constant([1, 2, 5], fg.int64), fg.constant([[0.5], [0.4], [0.3]]),
               fg.constant([0.9, 0.4, 0.2]))
    loss = fg.nn.sampled_softmax_loss(w, b, y, x, 3, 10, sampled_values=sampled)
    np.testing.assert_allclose(_run(loss), [1.946994, 1.794104, 1.627427], rtol=1e-5)


def test_candidate_samplers_shapes_and_expected_counts():
    true = fg.constant([[1, 2], [3, 4]], fg.int64)
    log_uniform = fg.nn.log_uniform_candidate_sampler(true, 2, 5, False, 100)
    uniform = fg.random.uniform_candidate_sampler(true, 2, 5, False, 100)
    assert [t.shape.as_list() for t in log_uniform] == [[5], [2, 2], [5]]
    assert [t.dtype for t in uniform] == [fg.int64, fg.float32, fg.float32]
    candidates, true_count, _ = _run(list(log_uniform))
    np.testing.assert_allclose(true_count.ravel(),
                               [0.439279, 0.311673, 0.241753, 0.197526], rtol=1e-5)
    assert np.all((candidates >= 0) & (candidates < 100))
    u_candidates, u_true, u_sampled = _run(list(uniform))
    np.testing.assert_allclose(u_true, 0.05, rtol=1e-6)
    np.testing.assert_allclose(u_sampled, 0.05, rtol=1e-6)
    unique = fg.nn.uniform_candidate_sampler(true, 2, 10, True, 10)
    assert sorted(_run(unique[0]).tolist()) == list(range(10))


def test_compute_accidental_hits():
    indices, ids, weights = _run(list(fg.nn.compute_accidental_hits(
        fg.constant([[1, 2], [3, 4]], fg.int64), fg.constant([2, 3, 5, 1], fg.int64), 2)))
    assert indices.tolist() == [0, 0, 1]
    assert ids.tolist() == [3, 0, 1]
    np.testing.assert_array_equal(weights, [-np.finfo(np.float32).max] * 3)


def test_xw_plus_b_and_relu_layer():
    w, b, x, _, _ = _model()
    xw = fg.nn.xw_plus_b(x, fg.transpose(w), b)
    relu = fg.nn.relu_layer(x - 0.5, fg.transpose(w), b)
    assert xw.name == "xw_plus_b:0" and xw.op.type == "BiasAdd"
    assert relu.name == "relu_layer:0"
    a, r = _run([xw, relu])
    np.testing.assert_allclose(a[0, :3], [0.029167, 0.179167, 0.329167], rtol=1e-4)
    np.testing.assert_allclose(r[1, :3], [0.004167, 0.0875, 0.170833], rtol=1e-3)
    assert np.all(r[0] == 0.0)


def test_moment_helpers():
    x = fg.constant([[1.0, 2.0], [3.0, 5.0]])
    c, m, v, s = fg.nn.sufficient_statistics(x, [0])
    c2, m2, v2, s2 = fg.nn.sufficient_statistics(x, [0, 1], shift=1.0, keep_dims=True)
    assert s is None
    values = _run([c, m, v, c2, m2, v2, fg.nn.normalize_moments(c, m, v, None),
                   fg.nn.normalize_moments(c2, m2, v2, s2),
                   fg.nn.weighted_moments(x, [0], fg.constant([[1.0], [3.0]])),
                   fg.nn.weighted_moments(x, [1], fg.constant([[1.0, 2.0]]), keep_dims=True)])
    assert values[0] == 2.0
    np.testing.assert_allclose(values[1], [4.0, 7.0])
    np.testing.assert_allclose(values[2], [10.0, 29.0])
    np.testing.assert_allclose([values[3], values[4].item(), values[5].item()], [4, 7, 21])
    np.testing.assert_allclose(values[6], [[2.0, 3.5], [1.0, 2.25]])
    np.testing.assert_allclose(np.ravel(values[7]), [2.75, 2.1875])
    np.testing.assert_allclose(values[8], [[2.5, 4.25], [0.75, 1.6875]])
    np.testing.assert_allclose(np.squeeze(values[9]), [[1.666667, 4.333333],
                                                        [0.222222, 0.888889]], rtol=1e-5)
