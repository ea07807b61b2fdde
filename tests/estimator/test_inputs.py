"""numpy_input_fn and pandas_input_fn: batches, epochs, shuffling, shapes and errors."""

import numpy as np
import pytest

import flowgraph as tf
import flowgraph.estimator  # noqa: F401


def _drain(tensors):
    """Every batch the tensors yield in a monitored session (until the end of data)."""
    batches = []
    with tf.train.MonitoredSession() as sess:
        while not sess.should_stop():
            batches.append(sess.run(tensors))
    return batches


def test_numpy_input_fn_batches_features_and_labels_in_order():
    x = {"b": np.arange(10.0).reshape(5, 2), "a": np.arange(5, dtype=np.int64)}
    y = np.arange(5, dtype=np.float32) * 10
    features, labels = tf.estimator.inputs.numpy_input_fn(x, y, batch_size=2, shuffle=False,
                                                          num_epochs=1)()
    assert set(features) == {"a", "b"}
    assert features["b"].dtype == tf.float64 and features["a"].dtype == tf.int64
    assert features["b"].get_shape().as_list() == [None, 2]
    batches = _drain((features, labels))
    assert [len(b[1]) for b in batches] == [2, 2, 1]
    np.testing.assert_array_equal(np.concatenate([b[0]["a"] for b in batches]), x["a"])
    np.testing.assert_array_equal(np.concatenate([b[0]["b"] for b in batches]), x["b"])
    np.testing.assert_array_equal(np.concatenate([b[1] for b in batches]), y)


def test_numpy_input_fn_epochs_and_endless_mode():
    x = {"a": np.arange(5)}
    features = tf.estimator.inputs.numpy_input_fn(x, batch_size=3, num_epochs=2,
                                                  shuffle=False)()
    batches = _drain(features["a"])
    np.testing.assert_array_equal(np.concatenate(batches), np.tile(np.arange(5), 2))
    # num_epochs=None repeats forever with full batches (a static batch size).
    with tf.Graph().as_default():
        endless = tf.estimator.inputs.numpy_input_fn(x, batch_size=3, num_epochs=None,
                                                     shuffle=False)()
        assert endless["a"].get_shape().as_list() == [3]
        with tf.train.MonitoredSession() as sess:
            got = np.concatenate([sess.run(endless["a"]) for _ in range(4)])
    np.testing.assert_array_equal(got, np.tile(np.arange(5), 3)[:12])


def test_numpy_input_fn_shuffle_keeps_rows_together():
    x = {"a": np.arange(50), "b": np.arange(50) * 2}
    features, labels = tf.estimator.inputs.numpy_input_fn(x, np.arange(50) * 3, batch_size=7,
                                                          shuffle=True, num_epochs=1)()
    batches = _drain((features, labels))
    a = np.concatenate([b[0]["a"] for b in batches])
    assert sorted(a) == list(range(50)) and list(a) != list(range(50))
    np.testing.assert_array_equal(np.concatenate([b[0]["b"] for b in batches]), a * 2)
    np.testing.assert_array_equal(np.concatenate([b[1] for b in batches]), a * 3)


def test_numpy_input_fn_array_x_and_dict_y():
    x = np.arange(6.0).reshape(3, 2)
    features, labels = tf.estimator.inputs.numpy_input_fn(
        x, {"t1": np.arange(3), "t2": np.arange(3) + 10}, batch_size=3, shuffle=False)()
    assert isinstance(features, tf.Tensor) and set(labels) == {"t1", "t2"}
    ((f, lab),) = _drain((features, labels))
    np.testing.assert_array_equal(f, x)
    np.testing.assert_array_equal(lab["t2"], [10, 11, 12])


def test_numpy_input_fn_strings():
    x = {"word": np.array(["a", "bb", "ccc"])}
    features = tf.estimator.inputs.numpy_input_fn(x, batch_size=2, shuffle=False)()
    assert features["word"].dtype == tf.string
    batches = _drain(features["word"])
    assert [w.decode() if isinstance(w, bytes) else w for w in np.concatenate(batches)] == \
        ["a", "bb", "ccc"]


@pytest.mark.parametrize("kwargs, error, message", [
    ({"x": {"a": np.arange(3)}}, ValueError, "shuffle must be provided and explicitly set"),
    ({"x": {"a": np.arange(3)}, "shuffle": 1}, ValueError, "shuffle must be provided"),
])
def test_numpy_input_fn_requires_explicit_shuffle(kwargs, error, message):
    with pytest.raises(error, match=message):
        tf.estimator.inputs.numpy_input_fn(**kwargs)


@pytest.mark.parametrize("x, y, message", [
    ({}, None, "x cannot be an empty dict"),
    (np.zeros((0, 2)), None, "x cannot be an empty array"),
    ([1, 2], None, "x must be a dict or array; got list"),
    ({"a": np.arange(3)}, {}, "y cannot be empty dict, use None instead."),
    ({"a": np.arange(3)}, {"a": np.arange(3)}, "1 duplicate keys are found in both x and y"),
    ({"a": np.arange(3)}, np.arange(4), "Length of tensors in x and y is mismatched."),
])
def test_numpy_input_fn_errors(x, y, message):
    fn = tf.estimator.inputs.numpy_input_fn(x, y, shuffle=False)
    with pytest.raises(ValueError, match=message):
        fn()


def test_numpy_input_fn_in_a_plain_session_with_start_queue_runners():
    features = tf.estimator.inputs.numpy_input_fn({"a": np.arange(4)}, batch_size=4,
                                                  shuffle=False)()
    with tf.Session() as sess:
        tf.train.start_queue_runners(sess)
        np.testing.assert_array_equal(sess.run(features["a"]), np.arange(4))
        with pytest.raises(tf.errors.OutOfRangeError):
            sess.run(features["a"])


def test_compat_v1_path():
    assert tf.compat.v1.estimator.inputs.numpy_input_fn is \
        tf.estimator.inputs.numpy_input_fn


def test_pandas_input_fn():
    pd = pytest.importorskip("pandas")
    x = pd.DataFrame({"a": np.arange(5.0), "b": np.arange(5) * 2}, index=np.arange(5) + 100)
    y = pd.Series(np.arange(5) * 3, index=x.index)
    features, labels = tf.estimator.inputs.pandas_input_fn(x, y, batch_size=2, shuffle=False)()
    assert set(features) == {"a", "b"}
    batches = _drain((features, labels))
    assert [len(b[1]) for b in batches] == [2, 2, 1]
    np.testing.assert_array_equal(np.concatenate([b[0]["b"] for b in batches]), x["b"].values)
    np.testing.assert_array_equal(np.concatenate([b[1] for b in batches]), y.values)
    # A DataFrame y gives a dict of labels.
    y2 = pd.DataFrame({"t": np.arange(5), "a": np.arange(5) + 1}, index=x.index)
    with tf.Graph().as_default():
        f2, l2 = tf.estimator.inputs.pandas_input_fn(x, y2, batch_size=5, shuffle=False)()
        assert set(f2) == {"a", "b"} and set(l2) == {"t", "a"}
        ((fv, lv),) = _drain((f2, l2))
    np.testing.assert_array_equal(lv["a"], np.arange(5) + 1)
    np.testing.assert_array_equal(fv["a"], np.arange(5.0))


def test_pandas_input_fn_errors():
    pd = pytest.importorskip("pandas")
    x = pd.DataFrame({"a": [1.0, 2.0], "target": [0, 1]})
    with pytest.raises(ValueError, match="shuffle must be provided"):
        tf.estimator.inputs.pandas_input_fn(x)
    with pytest.raises(ValueError, match="Cannot use name target for target column"):
        tf.estimator.inputs.pandas_input_fn(x, pd.Series([1, 2]), shuffle=False)
    with pytest.raises(ValueError, match="Index for x and y are mismatched."):
        tf.estimator.inputs.pandas_input_fn(x[["a"]], pd.Series([1, 2], index=[5, 6]),
                                            shuffle=False)
    with pytest.raises(TypeError, match="target_column must be a string type"):
        tf.estimator.inputs.pandas_input_fn(x, shuffle=False, target_column=1)
