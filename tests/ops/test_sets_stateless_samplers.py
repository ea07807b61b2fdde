"""tf.sets, tf.edit_distance, stateless random ops, more candidate samplers and the CTC label
helpers. Expected values were produced with TF 2.21 (tf.compat.v1) and hard-coded here;
random ops are checked with numpy moments / frequencies for fixed seeds."""

import math

import numpy as np
import pytest

import flowgraph as fg

A = np.array([[[1, 2, 2], [3, 0, 4]], [[5, 5, 5], [6, 7, 1]]], np.int64)
B = np.array([[[2, 1, 9], [4, 4, 8]], [[5, 1, 0], [7, 8, 9]]], np.int64)


def _sa():
    return fg.SparseTensor([[0, 0, 0], [0, 0, 1], [0, 1, 0], [1, 0, 0], [1, 0, 2], [1, 1, 1]],
                           np.int64([3, 1, 3, 2, 9, 4]), [2, 2, 4])


def _sb():
    return fg.SparseTensor([[0, 0, 0], [0, 1, 0], [1, 1, 0], [1, 1, 3]], np.int64([1, 3, 4, 6]),
                           [2, 2, 5])


def _run(t, feed=None):
    with fg.Session() as sess:
        return sess.run(t, feed)


def _assert_sparse(value, indices, values, shape):
    np.testing.assert_array_equal(value.indices, np.array(indices, np.int64).reshape(-1,
                                                                                    len(shape)))
    assert value.values.tolist() == values
    assert value.dense_shape.tolist() == shape


# --------------------------------------------------------------------------- sets (TF values)
def test_dense_dense_set_ops_match_tf():
    _assert_sparse(_run(fg.sets.set_intersection(A, B)),
                   [[0, 0, 0], [0, 0, 1], [0, 1, 0], [1, 0, 0], [1, 1, 0]], [1, 2, 4, 5, 7],
                   [2, 2, 2])
    _assert_sparse(_run(fg.sets.set_difference(A, B)),
                   [[0, 1, 0], [0, 1, 1], [1, 1, 0], [1, 1, 1]], [0, 3, 1, 6], [2, 2, 2])
    _assert_sparse(_run(fg.sets.difference(A, B, aminusb=False)),
                   [[0, 0, 0], [0, 1, 0], [1, 0, 0], [1, 0, 1], [1, 1, 0], [1, 1, 1]],
                   [9, 8, 0, 1, 8, 9], [2, 2, 2])
    u = _run(fg.sets.union(A, B))
    assert u.values.tolist() == [1, 2, 9, 0, 3, 4, 8, 0, 1, 5, 1, 6, 7, 8, 9]
    assert u.dense_shape.tolist() == [2, 2, 5]


def test_sparse_inputs_match_tf():
    _assert_sparse(_run(fg.sets.union(_sa(), _sb())),
                   [[0, 0, 0], [0, 0, 1], [0, 1, 0], [1, 0, 0], [1, 0, 1], [1, 1, 0],
                    [1, 1, 1]], [1, 3, 3, 2, 9, 4, 6], [2, 2, 2])
    _assert_sparse(_run(fg.sets.intersection(A, _sb())), [[0, 0, 0], [0, 1, 0], [1, 1, 0]],
                   [1, 3, 6], [2, 2, 1])
    # sparse, dense is flipped to dense, sparse (and a-b to b-a), as TF
    _assert_sparse(_run(fg.sets.difference(_sa(), A)),
                   [[0, 0, 0], [1, 0, 0], [1, 0, 1], [1, 1, 0]], [3, 2, 9, 4], [2, 2, 2])
    np.testing.assert_array_equal(_run(fg.sets.set_size(_sa())), [[2, 1], [2, 1]])


def test_sets_strings_empty_and_dtypes():
    u = _run(fg.sets.union(np.array([[b"a", b"c", b"b"], [b"x", b"x", b"y"]]),
                           np.array([[b"b", b"d", b"a"], [b"z", b"y", b"y"]])))
    assert u.values.tolist() == [b"a", b"b", b"c", b"d", b"x", b"y", b"z"]
    assert u.dense_shape.tolist() == [2, 4]
    empty = _run(fg.sets.intersection(np.int32([[1, 2], [3, 4]]), np.int32([[5, 6], [7, 8]])))
    assert empty.indices.shape == (0, 2) and empty.dense_shape.tolist() == [2, 0]
    assert empty.values.dtype == np.int32
    names = sorted(n for n in vars(fg.sets) if not n.startswith("_") and callable(
        getattr(fg.sets, n)) and getattr(fg.sets, n).__module__ == "flowgraph.api.sets")
    assert names == ["difference", "intersection", "set_difference", "set_intersection",
                     "set_size", "set_union", "size", "union"]


def test_sets_errors():
    with pytest.raises(TypeError, match="Expected `SparseTensor`"):
        fg.sets.set_size(A)
    with pytest.raises(TypeError, match="invalid dtype"):
        fg.sets.union(np.float32([[1.0]]), np.float32([[2.0]]))
    with pytest.raises(TypeError, match="Types don't match"):
        fg.sets.union(np.int32([[1]]), np.int64([[2]]))
    with pytest.raises(ValueError, match="rank >= 2"):
        fg.sets.union(np.int32([3, 1]), np.int32([2]))
    bad = fg.sets.union(_sa(), fg.SparseTensor([[0, 0, 0]], np.int64([1]), [3, 2, 5]))
    with pytest.raises(fg.errors.InvalidArgumentError, match=r"Mismatched shapes \[2,2\]"):
        _run(bad)
    unsorted = fg.SparseTensor([[0, 1], [0, 0]], np.int64([1, 3]), [1, 5])
    with pytest.raises(fg.errors.InvalidArgumentError, match="out of order"):
        _run(fg.sets.set_size(unsorted))
    assert _run(fg.sets.set_size(unsorted, validate_indices=False)).tolist() == [2]


# --------------------------------------------------------------------------- edit distance
def test_edit_distance_matches_tf():
    h = fg.SparseTensor([[0, 0, 0], [1, 0, 0], [1, 0, 1], [1, 1, 0]], ["a", "b", "c", "a"],
                        [2, 2, 2])
    t = fg.SparseTensor([[0, 1, 0], [1, 0, 0], [1, 0, 1], [1, 0, 2], [1, 1, 0]],
                        ["a", "b", "c", "d", "a"], [2, 2, 3])
    d = fg.edit_distance(h, t)
    assert d.op.type == "EditDistance" and d.op.name == "edit_distance"
    np.testing.assert_allclose(_run(d), [[np.inf, 1.0], [1 / 3, 0.0]], rtol=1e-6)
    np.testing.assert_allclose(_run(fg.edit_distance(h, t, normalize=False)),
                               [[1.0, 1.0], [1.0, 0.0]])
    kitten = fg.edit_distance(
        fg.SparseTensor([[0, i] for i in range(7)], list("sitting"), [1, 7]),
        fg.SparseTensor([[0, i] for i in range(6)], list("kitten"), [1, 6]), normalize=False)
    assert _run(kitten).tolist() == [3.0]  # the textbook Levenshtein example


def test_edit_distance_errors():
    t = fg.SparseTensor([[0, 0]], np.int64([1]), [1, 1])
    with pytest.raises(TypeError, match="Hypothesis must be a SparseTensor"):
        fg.edit_distance(fg.constant([[1]]), t)
    with pytest.raises(TypeError, match="does not match"):
        fg.edit_distance(fg.SparseTensor([[0, 0]], np.int32([1]), [1, 1]), t)


# --------------------------------------------------------------------------- stateless random
def test_stateless_same_seed_same_values_across_sessions():
    seed = fg.placeholder(fg.int64, [2])
    u = fg.random.stateless_uniform([1000], seed=seed, minval=2.0, maxval=5.0)
    n = fg.random.stateless_normal([1000], seed=seed, mean=3.0, stddev=2.0)
    first = _run([u, n], {seed: [1, 2]})
    again = _run([u, n], {seed: [1, 2]})
    other = _run([u, n], {seed: [1, 3]})
    for a, b, c in zip(first, again, other):
        np.testing.assert_array_equal(a, b)
        assert not np.allclose(a, c)
    assert 2.0 <= first[0].min() and first[0].max() < 5.0


def test_stateless_distributions():
    n = _run(fg.random.stateless_normal([20000], seed=[7, 8], mean=3.0, stddev=2.0))
    assert abs(n.mean() - 3.0) < 0.05 and abs(n.std() - 2.0) < 0.05
    t = _run(fg.random.stateless_truncated_normal([20000], seed=[7, 8]))
    assert np.abs(t).max() <= 2.0
    # std of N(0, 1) truncated to [-2, 2]
    phi = math.exp(-2.0) / math.sqrt(2 * math.pi)
    mass = math.erf(2 / math.sqrt(2))
    assert abs(t.std() - math.sqrt(1 - 4 * phi / mass)) < 0.02
    u = _run(fg.random.stateless_uniform([20000], seed=[5, 6]))
    assert abs(u.mean() - 0.5) < 0.01 and abs(u.var() - 1 / 12) < 0.005
    i = _run(fg.random.stateless_uniform([20000], seed=[5, 6], minval=3, maxval=9,
                                         dtype=fg.int64))
    np.testing.assert_allclose(np.bincount(i, minlength=9)[3:] / 20000, 1 / 6, atol=0.015)
    logits = np.log(np.array([[0.2, 0.3, 0.5]]))
    c = _run(fg.random.stateless_categorical(logits, 20000, seed=[4, 5]))
    np.testing.assert_allclose(np.bincount(c[0]) / 20000, [0.2, 0.3, 0.5], atol=0.015)
    m = fg.random.stateless_multinomial(logits, 4, seed=[4, 5], output_dtype=fg.int32)
    assert m.dtype == fg.int32 and m.shape.as_list() == [1, 4]


def test_stateless_errors():
    with pytest.raises(ValueError, match="maxval"):
        fg.random.stateless_uniform([2], seed=[1, 2], dtype=fg.int32)
    with pytest.raises(ValueError, match=r"shape \[2\]"):
        fg.random.stateless_normal([2], seed=[1, 2, 3])
    with pytest.raises(TypeError, match="int32 or int64"):
        fg.random.stateless_uniform([2], seed=[1.0, 2.0])
    seed = fg.placeholder(fg.int32, [None])
    with pytest.raises(fg.errors.InvalidArgumentError, match=r"shape \[2\]"):
        _run(fg.random.stateless_uniform([2], seed=seed), {seed: [1, 2, 3]})


# --------------------------------------------------------------------------- candidate samplers
TRUE = np.array([[1, 2], [3, 3]], np.int64)


def test_fixed_unigram_expected_counts_match_tf():
    _, true_count, sampled_count = _run(fg.nn.fixed_unigram_candidate_sampler(
        TRUE, 2, 4, False, 6, unigrams=[1.0, 2.0, 3.0, 4.0, 5.0], distortion=0.5,
        num_reserved_ids=1, seed=1))
    np.testing.assert_allclose(true_count, [[0.4771941, 0.6748544], [0.8265245, 0.8265245]],
                               rtol=1e-5)  # TF 2.21
    assert sampled_count.shape == (4,)


def test_fixed_unigram_vocab_file_and_frequencies(tmp_path):
    vocab = tmp_path / "vocab.txt"
    vocab.write_text("a,1\nb,2\nc,3\nd,4\n")
    out = fg.nn.fixed_unigram_candidate_sampler(TRUE, 2, 2000, False, 4, vocab_file=str(vocab),
                                                seed=3)
    candidates, true_count, _ = _run(out)
    np.testing.assert_allclose(true_count, [[0.2 * 2000, 0.3 * 2000], [0.4 * 2000] * 2],
                               rtol=1e-5)
    np.testing.assert_allclose(np.bincount(candidates, minlength=4) / 2000,
                               [0.1, 0.2, 0.3, 0.4], atol=0.035)


def test_fixed_unigram_errors():
    with pytest.raises(fg.errors.InvalidArgumentError, match="range is 3 must be equal to "
                                                             "weights size 2"):
        _run(fg.nn.fixed_unigram_candidate_sampler(TRUE, 2, 3, False, 3,
                                                   unigrams=[1.0, 2.0, 3.0, 4.0, 5.0],
                                                   num_shards=2, shard=1, num_reserved_ids=1))
    with pytest.raises(fg.errors.InvalidArgumentError, match="vocab_file or unigrams"):
        _run(fg.nn.fixed_unigram_candidate_sampler(TRUE, 2, 3, True, 4))


def test_learned_unigram_learns_per_session_as_tf():
    out = fg.random.learned_unigram_candidate_sampler(TRUE, 2, 3, False, 5, seed=1)
    expected = [[[0.6, 0.6], [0.6, 0.6]], [[2 / 3, 2 / 3], [1.0, 1.0]],
                [[0.6923077, 0.6923077], [1.1538461, 1.1538461]]]  # TF 2.21
    with fg.Session() as sess:
        for want in expected:
            np.testing.assert_allclose(sess.run(out)[1], want, rtol=1e-5)
    with fg.Session() as sess:  # a new Session starts from uniform weights again
        np.testing.assert_allclose(sess.run(out)[1], expected[0], rtol=1e-5)


def test_all_candidate_sampler():
    candidates, true_count, sampled_count = _run(fg.nn.all_candidate_sampler(TRUE, 2, 5, True))
    assert candidates.tolist() == [0, 1, 2, 3, 4]
    assert true_count.tolist() == [[1.0, 1.0], [1.0, 1.0]] and sampled_count.tolist() == [1.0] * 5
    with pytest.raises(fg.errors.InvalidArgumentError, match="unique"):
        _run(fg.nn.all_candidate_sampler(TRUE, 2, 3, False))


# --------------------------------------------------------------------------- CTC label helpers
def test_collapse_repeated_and_ctc_unique_labels_match_tf():
    labels = np.array([[1, 1, 2, 2, 3, 0], [4, 4, 4, 5, 5, 6], [7, 7, 0, 0, 7, 7]], np.int32)
    collapsed, lengths = fg.nn.collapse_repeated(labels, np.int64([4, 6, 6]))
    y, idx = fg.nn.ctc_unique_labels(labels)
    got = _run([collapsed, lengths, y, idx])
    np.testing.assert_array_equal(got[0], [[1, 2, 0], [4, 5, 6], [7, 0, 7]])
    assert got[1].tolist() == [2, 3, 3] and got[1].dtype == np.int64
    np.testing.assert_array_equal(got[2], [[1, 2, 3, 0, 0, 0], [4, 5, 6, 0, 0, 0],
                                           [7, 0, 0, 0, 0, 0]])
    assert got[2].dtype == np.int64 and got[3].dtype == np.int32
    np.testing.assert_array_equal(got[3], [[0, 0, 1, 1, 2, 3], [0, 0, 0, 1, 1, 2],
                                           [0, 0, 1, 1, 0, 0]])
    ph = fg.placeholder(fg.int32, [None, None])
    c2, n2 = fg.nn.collapse_repeated(ph, [2, 1])
    out = _run([c2, n2], {ph: [[3, 3, 1], [2, 2, 2]]})
    assert out[0].tolist() == [[3], [2]] and out[1].tolist() == [1, 1]
