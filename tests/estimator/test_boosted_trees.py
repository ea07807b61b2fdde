"""BoostedTreesClassifier / BoostedTreesRegressor trained end to end: what they learn, their
predictions, feature importances, checkpoints and argument checks. References (a logistic
regression, label priors, the step function) are computed here with numpy."""

import numpy as np
import pytest

import flowgraph as fg
from flowgraph.estimator import BoostedTreesClassifier, BoostedTreesRegressor

fc = fg.feature_column
BOUNDS = [float(b) for b in np.linspace(-1, 1, 9)[1:-1]]  # 8 buckets, one edge at 0


def _bucketized(key):
    return fc.bucketized_column(fc.numeric_column(key), BOUNDS)


def _input_fn(features, labels=None, repeat=True):
    """The whole data set as one batch: every step, or once (repeat=False)."""
    def input_fn():
        data = features if labels is None else (features, labels)
        dataset = fg.data.Dataset.from_tensors(data)
        return dataset.repeat() if repeat else dataset
    return input_fn


def _quadrants(n=400, seed=0):
    rng = np.random.default_rng(seed)
    xy = rng.uniform(-1, 1, (n, 2)).astype(np.float32)
    labels = ((xy[:, 0] > 0) ^ (xy[:, 1] > 0)).astype(np.int64)
    return {"x": xy[:, 0], "y": xy[:, 1]}, labels


def _one_hot_buckets(features):
    cols = [np.eye(len(BOUNDS) + 1)[np.searchsorted(BOUNDS, features[k], side="right")]
            for k in ("x", "y")]
    return np.concatenate(cols + [np.ones((len(features["x"]), 1))], axis=1)


def _numpy_logistic_regression_accuracy(features, labels, steps=2000, lr=0.5):
    """A linear model on the same bucketized inputs, fitted by gradient descent."""
    a = _one_hot_buckets(features)
    w = np.zeros(a.shape[1])
    for _ in range(steps):
        p = 1 / (1 + np.exp(-a @ w))
        w -= lr * a.T @ (p - labels) / len(labels)
    return np.mean(((a @ w) > 0) == labels)


def _predictions(est, features):
    return list(est.predict(_input_fn(features, repeat=False)))


def test_trees_learn_xor_quadrants_that_a_linear_model_cannot(tmp_path):
    features, labels = _quadrants()
    est = BoostedTreesClassifier([_bucketized("x"), _bucketized("y")], n_batches_per_layer=1,
                                 model_dir=str(tmp_path), n_trees=5, max_depth=3,
                                 learning_rate=0.5)
    est.train(_input_fn(features, labels), max_steps=100)
    # 5 trees of 3 layers: the stop hook ends training after 15 steps.
    assert est.get_variable_value("global_step") == 15
    test_features, test_labels = _quadrants(seed=1)
    metrics = est.evaluate(_input_fn(test_features, test_labels, repeat=False))
    assert metrics["accuracy"] >= 0.95
    preds = _predictions(est, test_features)
    class_ids = np.array([p["class_ids"][0] for p in preds])
    assert np.mean(class_ids == test_labels) >= 0.95
    probabilities = np.array([p["probabilities"] for p in preds])
    logits = np.array([p["logits"] for p in preds])
    np.testing.assert_allclose(probabilities[:, 1], 1 / (1 + np.exp(-logits[:, 0])), rtol=1e-5)
    assert preds[0]["classes"][0] == str(class_ids[0]).encode()
    assert _numpy_logistic_regression_accuracy(test_features, test_labels) < 0.65


def test_regressor_fits_a_step_function(tmp_path):
    rng = np.random.default_rng(2)
    x = rng.uniform(-1, 1, 300).astype(np.float32)
    target = np.where(x > 0.25, 3.0, -1.0).astype(np.float32)
    est = BoostedTreesRegressor([_bucketized("x")], n_batches_per_layer=1,
                                model_dir=str(tmp_path), n_trees=20, max_depth=2,
                                learning_rate=0.5)
    est.train(_input_fn({"x": x}, target[:, None]), max_steps=200)
    grid = np.float32([-0.9, -0.3, 0.0, 0.24, 0.26, 0.6, 0.95])
    got = np.array([p["predictions"][0] for p in _predictions(est, {"x": grid})])
    # The split falls on the bucket edge 0.25: 20 trees of shrinkage 0.5 leave 2^-20.
    np.testing.assert_allclose(got, np.where(grid > 0.25, 3.0, -1.0), atol=1e-3)
    metrics = est.evaluate(_input_fn({"x": x}, target[:, None], repeat=False))
    assert metrics["average_loss"] < 1e-5


def test_feature_importances_rank_the_informative_feature_first(tmp_path):
    rng = np.random.default_rng(3)
    x, noise = rng.uniform(-1, 1, (2, 400)).astype(np.float32)
    labels = (x > 0.1).astype(np.int64)
    colour = np.where(noise > 0, b"red", b"blue")
    columns = [_bucketized("x"), _bucketized("noise"), fc.indicator_column(
        fc.categorical_column_with_vocabulary_list("colour", ["red", "blue", "green"]))]
    est = BoostedTreesClassifier(columns, n_batches_per_layer=1, model_dir=str(tmp_path),
                                 n_trees=3, max_depth=2)
    est.train(_input_fn({"x": x, "noise": noise, "colour": colour}, labels), max_steps=6)
    names, values = est.experimental_feature_importances()
    # One entry per column (indicator features add up under the categorical column's name).
    assert sorted(names) == ["colour", "noise_bucketized", "x_bucketized"]
    assert names[0] == "x_bucketized"
    assert values[0] > 10 * max(values[1:].max(), 1e-12)
    assert np.all(np.diff(values) <= 0)
    names_n, values_n = est.experimental_feature_importances(normalize=True)
    np.testing.assert_array_equal(names_n, names)
    np.testing.assert_allclose(values_n, values / values.sum())
    # The importance of x is the sum of the gains of the splits on it, read back here.
    nodes = est.get_variable_value("boosted_trees/tree_nodes")
    gains = est.get_variable_value("boosted_trees/node_gains")
    x_id = 4  # features sorted by column name: colour (ids 0-2), noise (3), x (4)
    on_x = (nodes[..., 2] >= 0) & (nodes[..., 0] == x_id)
    assert values[0] == pytest.approx(gains[on_x].sum(), rel=1e-5)


def test_training_resumes_in_a_new_estimator(tmp_path):
    features, labels = _quadrants(n=200)
    columns = [_bucketized("x"), _bucketized("y")]

    def make(model_dir):
        return BoostedTreesClassifier(columns, n_batches_per_layer=1, model_dir=model_dir,
                                      n_trees=3, max_depth=2, learning_rate=0.3)

    first = make(str(tmp_path / "split"))
    first.train(_input_fn(features, labels), steps=3)
    assert first.get_variable_value("global_step") == 3
    second = make(str(tmp_path / "split"))
    second.train(_input_fn(features, labels), steps=2)
    assert second.get_variable_value("global_step") == 5
    whole = make(str(tmp_path / "whole"))
    whole.train(_input_fn(features, labels), steps=5)
    # The same full-batch steps in one run or two: the same trees.
    for name in ("tree_nodes", "node_values", "growing_state"):
        np.testing.assert_array_equal(second.get_variable_value(f"boosted_trees/{name}"),
                                      whole.get_variable_value(f"boosted_trees/{name}"))
    state = second.get_variable_value("boosted_trees/growing_state")
    assert state[1] == 2  # two finalized trees after five layers of depth-2 trees


def test_numeric_columns_are_bucketized_by_quantiles_of_the_first_batches(tmp_path):
    features, labels = _quadrants(n=400)
    columns = [fc.numeric_column("x"), fc.numeric_column("y")]
    est = BoostedTreesClassifier(columns, n_batches_per_layer=2, model_dir=str(tmp_path),
                                 n_trees=4, max_depth=3, learning_rate=0.5,
                                 quantile_sketch_epsilon=0.05)
    est.train(_input_fn(features, labels), max_steps=100)
    # Two batches find the boundaries (not counted as steps, as TF1), then 4 trees of 3
    # layers take 2 batches per layer.
    assert est.get_variable_value("global_step") == 4 * 3 * 2
    boundaries = est.get_variable_value("boosted_trees/quantile_boundaries")
    assert boundaries.shape == (2, 20)  # 1 / 0.05 = 20 boundaries (and buckets)
    for j, key in enumerate(("x", "y")):
        np.testing.assert_allclose(boundaries[j], np.quantile(features[key], np.arange(20)
                                                              / 19), atol=0.02)
    # The quadrant edges fall between two of those boundaries (not on them): a few percent
    # of the examples near an edge land on the wrong side.
    test_features, test_labels = _quadrants(seed=1)
    preds = _predictions(est, test_features)
    assert np.mean([p["class_ids"][0] for p in preds] == test_labels) >= 0.9


def test_center_bias_starts_from_the_label_prior(tmp_path):
    rng = np.random.default_rng(4)
    x = rng.uniform(-1, 1, 400).astype(np.float32)
    labels = (rng.uniform(size=400) < 0.8).astype(np.int64)
    est = BoostedTreesClassifier([_bucketized("x")], n_batches_per_layer=1,
                                 model_dir=str(tmp_path), n_trees=1, max_depth=1,
                                 center_bias=True)
    est.train(_input_fn({"x": x}, labels), steps=6)
    state = est.get_variable_value("boosted_trees/growing_state")
    assert state[6] == 0  # centering is over
    prior = labels.mean()
    bias = est.get_variable_value("boosted_trees/node_values")[0, 0, 0]
    assert bias == pytest.approx(np.log(prior / (1 - prior)), abs=0.01)


def test_multi_class_leaves_hold_one_value_per_class(tmp_path):
    rng = np.random.default_rng(5)
    xy = rng.uniform(-1, 1, (300, 2)).astype(np.float32)
    labels = np.where(xy[:, 0] > 0.25, 2, np.where(xy[:, 1] > 0, 1, 0)).astype(np.int64)
    est = BoostedTreesClassifier([_bucketized("x"), _bucketized("y")], n_batches_per_layer=1,
                                 model_dir=str(tmp_path), n_classes=3, n_trees=4,
                                 max_depth=2, learning_rate=0.5, center_bias=True)
    est.train(_input_fn({"x": xy[:, 0], "y": xy[:, 1]}, labels), max_steps=40)
    assert est.get_variable_value("boosted_trees/node_values").shape[-1] == 3
    preds = _predictions(est, {"x": xy[:, 0], "y": xy[:, 1]})
    assert np.mean([p["class_ids"][0] for p in preds] == labels) >= 0.95
    assert preds[0]["probabilities"].shape == (3,)


def test_pruning_removes_splits_that_do_not_pay_their_complexity(tmp_path):
    features, labels = _quadrants(n=200)
    columns = [_bucketized("x"), _bucketized("y")]
    for mode in ("pre", "post"):
        est = BoostedTreesClassifier(columns, n_batches_per_layer=1,
                                     model_dir=str(tmp_path / mode), n_trees=1, max_depth=2,
                                     tree_complexity=100.0, pruning_mode=mode)
        est.train(_input_fn(features, labels), max_steps=4)
        nodes = est.get_variable_value("boosted_trees/tree_nodes")
        assert np.all(nodes[..., 2] == -1), mode  # every tree is a lone leaf
        _, values = est.experimental_feature_importances()
        np.testing.assert_array_equal(values, [0.0, 0.0])
        with pytest.raises(ValueError, match="all empty or contain only a root node"):
            est.experimental_feature_importances(normalize=True)


def test_argument_checks(tmp_path):
    columns = [_bucketized("x")]
    colour = fc.categorical_column_with_vocabulary_list("colour", ["red", "blue"])
    with pytest.raises(ValueError, match="only bucketized_column, indicator_column, numeric"):
        BoostedTreesClassifier([colour], n_batches_per_layer=1)
    features, labels = {"x": np.float32([0.5, -0.5])}, np.int64([1, 0])
    est = BoostedTreesClassifier(columns, n_batches_per_layer=1, model_dir=str(tmp_path),
                                 tree_complexity=0.5)
    with pytest.raises(ValueError, match="no effect unless pruning mode"):
        est.train(_input_fn(features, labels), steps=1)
    est = BoostedTreesClassifier(columns, n_batches_per_layer=1, model_dir=str(tmp_path),
                                 pruning_mode="post")
    with pytest.raises(ValueError, match="tree_complexity must be positive"):
        est.train(_input_fn(features, labels), steps=1)
    with pytest.raises(ValueError, match="n_trees must be an integer > 0"):
        BoostedTreesRegressor(columns, n_batches_per_layer=1, n_trees=0)


def test_feature_contributions_add_up_to_each_prediction(tmp_path):
    rng = np.random.default_rng(7)
    x, noise = rng.uniform(-1, 1, (2, 300)).astype(np.float32)
    labels = ((x > 0.2) | (rng.uniform(size=300) < 0.1)).astype(np.int64)
    columns = [_bucketized("x"), _bucketized("noise")]
    est = BoostedTreesClassifier(columns, n_batches_per_layer=1, model_dir=str(tmp_path),
                                 n_trees=3, max_depth=2, center_bias=True)
    est.train(_input_fn({"x": x, "noise": noise}, labels), max_steps=30)
    some = {"x": x[:20], "noise": noise[:20]}
    explained = list(est.experimental_predict_with_explanations(_input_fn(some, repeat=False)))
    plain = _predictions(est, some)
    prior = labels.mean()
    for pred, reference in zip(explained, plain):
        np.testing.assert_allclose(pred["probabilities"], reference["probabilities"])
        assert pred["bias"] == pytest.approx(prior, abs=0.01)  # the centered bias
        assert list(pred["dfc"]) in (["x_bucketized", "noise_bucketized"],
                                     ["noise_bucketized", "x_bucketized"])
        magnitudes = [abs(v) for v in pred["dfc"].values()]
        assert magnitudes == sorted(magnitudes, reverse=True)
        total = pred["bias"] + sum(pred["dfc"].values())
        assert total == pytest.approx(pred["probabilities"][1], abs=1e-5)
    # x decides the label, so it moves the probabilities most.
    mean_abs = {k: np.mean([abs(p["dfc"][k]) for p in explained]) for k in explained[0]["dfc"]}
    assert mean_abs["x_bucketized"] > mean_abs["noise_bucketized"]
    plain_est = BoostedTreesClassifier(columns, n_batches_per_layer=1)
    with pytest.raises(ValueError, match="center_bias must be enabled"):
        next(plain_est.experimental_predict_with_explanations(_input_fn(some, repeat=False)))


def test_zero_weight_examples_do_not_shape_the_trees(tmp_path):
    rng = np.random.default_rng(8)
    x = rng.uniform(-1, 1, 400).astype(np.float32)
    # Above 0.5 the labels say "no", but those examples weigh nothing.
    labels = np.where((x > 0) & (x <= 0.5), b"yes", b"no")
    weights = np.where(x > 0.5, 0.0, 1.0).astype(np.float32)
    probe = {"x": np.float32([-0.6, 0.3, 0.8]), "w": np.ones(3, np.float32)}
    got = {}
    for use_weights in (True, False):
        est = BoostedTreesClassifier(
            [_bucketized("x")], n_batches_per_layer=1, model_dir=str(tmp_path / str(use_weights)),
            weight_column="w" if use_weights else None, label_vocabulary=["no", "yes"],
            n_trees=3, max_depth=2, learning_rate=0.5)
        est.train(_input_fn({"x": x, "w": weights}, labels), max_steps=20)
        got[use_weights] = [p["classes"][0] for p in _predictions(est, probe)]
    # x = 0.8 shares a bucket ([0.75, 1)) only with zero-weight examples: weighted, the
    # trees put it with its "yes" neighbours; unweighted, the "no" labels there win.
    assert got[True] == [b"no", b"yes", b"yes"]
    assert got[False] == [b"no", b"yes", b"no"]
