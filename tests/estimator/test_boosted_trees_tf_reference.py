"""Boosted trees against numbers that TensorFlow 1.x's own boosted-trees tests assert
(tensorflow/python/estimator/canned/boosted_trees_test.py): five examples, three features
bucketized at [-2, 0.5, 12]. Matching them means the same splits, leaf values, tie-breaking
and stopping as TF1."""

import numpy as np
import pytest

import flowgraph as fg
from flowgraph.estimator import BoostedTreesClassifier, BoostedTreesRegressor

fc = fg.feature_column
BOUNDARIES = [-2., .5, 12.]
INPUT_FEATURES = np.array([[12.5, 1.0, -2.001, -2.0001, -1.999],
                           [2.0, -3.0, 0.5, 0.0, 0.4995],
                           [3.0, 20.0, 50.0, -100.0, 102.75]], dtype=np.float32)
CLASSIFICATION_LABELS = [[0.], [1.], [1.], [0.], [0.]]
REGRESSION_LABELS = [[1.5], [0.3], [0.2], [2.], [5.]]
FEATURES = {f"f_{i}": INPUT_FEATURES[i] for i in range(3)}
ONE_TREE_PREDICTIONS = [0.571619, 0.262821, 0.124549, 0.956801, 1.769801]


def _columns():
    return {fc.bucketized_column(fc.numeric_column(f"f_{i}", dtype=fg.float32), BOUNDARIES)
            for i in range(3)}


def _input_fn(classification, batch=None, repeat=None):
    labels = CLASSIFICATION_LABELS if classification else REGRESSION_LABELS

    def input_fn():
        if batch:
            dataset = fg.data.Dataset.zip((fg.data.Dataset.from_tensor_slices(FEATURES),
                                           fg.data.Dataset.from_tensor_slices(labels)))
            dataset = dataset.batch(batch)
        else:
            dataset = fg.data.Dataset.from_tensors((FEATURES, labels))
        return dataset.repeat(repeat)
    return input_fn


def _predict_input_fn():
    return fg.data.Dataset.from_tensor_slices(FEATURES).batch(1)


def _state(est):
    """(global step, finalized trees, attempted layers) of the latest checkpoint."""
    state = est.get_variable_value("boosted_trees/growing_state")
    return est.get_variable_value("global_step"), state[1], state[2]


@pytest.mark.parametrize("batch, n_batches, steps", [(None, 1, 5), (15, 1, 5), (1, 5, 25)])
def test_regressor_one_tree(tmp_path, batch, n_batches, steps):
    est = BoostedTreesRegressor(_columns(), n_batches_per_layer=n_batches,
                                model_dir=str(tmp_path), n_trees=1, max_depth=5)
    est.train(_input_fn(False, batch), steps=100)  # stops after the tree is complete
    assert _state(est) == (steps, 1, 5)
    loss = est.evaluate(_input_fn(False, batch), steps=n_batches)["average_loss"]
    assert loss == pytest.approx(2.478283, rel=1e-5)
    got = [p["predictions"][0] for p in est.predict(_predict_input_fn)]
    np.testing.assert_allclose(got, ONE_TREE_PREDICTIONS, rtol=1e-5)


def test_regressor_two_trees_and_input_that_ends_early(tmp_path):
    est = BoostedTreesRegressor(_columns(), n_batches_per_layer=1,
                                model_dir=str(tmp_path / "two"), n_trees=2, max_depth=5)
    est.train(_input_fn(False), steps=100)
    assert _state(est) == (10, 2, 10)
    loss = est.evaluate(_input_fn(False), steps=1)["average_loss"]
    assert loss == pytest.approx(1.008551, rel=1e-5)
    est = BoostedTreesRegressor(_columns(), n_batches_per_layer=1,
                                model_dir=str(tmp_path / "short"), n_trees=1, max_depth=5)
    est.train(_input_fn(False, repeat=3), steps=100)  # the input ends after 3 batches
    assert _state(est) == (3, 0, 3)
    loss = est.evaluate(_input_fn(False), steps=1)["average_loss"]
    assert loss == pytest.approx(3.777295, rel=1e-5)
    got = [p["predictions"][0] for p in est.predict(_predict_input_fn)]
    np.testing.assert_allclose(got, [0.353850, 0.254100, 0.106850, 0.712100, 1.012100],
                               rtol=1e-5)


def test_classifier_accuracy_and_feature_importances(tmp_path):
    est = BoostedTreesClassifier(_columns(), n_batches_per_layer=1, model_dir=str(tmp_path),
                                 n_trees=2, max_depth=5)
    est.train(_input_fn(True), steps=100)
    assert _state(est) == (10, 2, 10)
    assert est.evaluate(_input_fn(True), steps=1)["accuracy"] == 1.0
    names, importances = est.experimental_feature_importances(normalize=False)
    assert list(names) == ["f_0_bucketized", "f_2_bucketized", "f_1_bucketized"]
    np.testing.assert_allclose(importances, [0.833933, 0.606342, 0.0], atol=1e-6)
    names, importances = est.experimental_feature_importances(normalize=True)
    assert list(names) == ["f_0_bucketized", "f_2_bucketized", "f_1_bucketized"]
    np.testing.assert_allclose(importances, [0.579010, 0.420990, 0.0], atol=1e-6)
    # TF1 r1.14+ reads the same result as an OrderedDict.
    importances = est.experimental_feature_importances(normalize=False)
    assert list(importances.keys()) == ["f_0_bucketized", "f_2_bucketized", "f_1_bucketized"]
    np.testing.assert_allclose(list(importances.values()), [0.833933, 0.606342, 0.0],
                               atol=1e-6)
    assert importances["f_2_bucketized"] == pytest.approx(0.606342, abs=1e-6)


@pytest.mark.parametrize("with_bucketized, feature_id", [(True, 2), (False, 1)])
def test_indicator_column_split(tmp_path, with_bucketized, feature_id):
    categorical = fc.categorical_column_with_vocabulary_list(
        key="categorical", vocabulary_list=("bad", "good", "ok"))
    columns = [fc.indicator_column(categorical)]
    features = {"categorical": np.array([b"bad", b"good", b"good", b"ok", b"bad"])}
    if with_bucketized:  # sorted first by name: feature id 0, the categories 1, 2, 3
        columns.append(fc.bucketized_column(
            fc.numeric_column("an_uninformative_feature", dtype=fg.float32), BOUNDARIES))
        features["an_uninformative_feature"] = np.ones(5, np.float32)
    labels = np.array([[0.], [5.7], [5.7], [0.], [0.]], dtype=np.float32)

    def input_fn():
        return fg.data.Dataset.from_tensors((features, labels)).repeat()

    est = BoostedTreesRegressor(columns, n_batches_per_layer=1, model_dir=str(tmp_path),
                                n_trees=1, learning_rate=1.0, max_depth=1)
    est.train(input_fn, steps=1)
    assert _state(est) == (1, 1, 1)
    assert est.evaluate(input_fn, steps=1)["loss"] == pytest.approx(0, abs=1e-6)
    got = [p["predictions"][0] for p in est.predict(
        lambda: fg.data.Dataset.from_tensors(features))]
    np.testing.assert_allclose(got, labels[:, 0], rtol=1e-6)
    # One split, on 'good', at threshold 0: three nodes.
    np.testing.assert_array_equal(est.get_variable_value("boosted_trees/tree_nodes")[0, 0],
                                  [feature_id, 0, 1, 2])
    assert est.get_variable_value("boosted_trees/tree_meta")[0, 0] == 3


def test_importances_before_any_split(tmp_path):
    est = BoostedTreesClassifier(_columns(), n_batches_per_layer=1, model_dir=str(tmp_path),
                                 n_trees=1, max_depth=5)

    class BailOutWithoutTraining(fg.estimator.SessionRunHook):
        def before_run(self, run_context):
            raise StopIteration("to bail out.")

    est.train(_input_fn(True), steps=100, hooks=[BailOutWithoutTraining()])
    assert _state(est) == (0, 0, 0)
    for normalize in (False, True):
        with pytest.raises(ValueError, match="empty serialized string"):
            est.experimental_feature_importances(normalize=normalize)
    # The empty ensemble predicts logits 0: class 0 everywhere, accuracy 3/5.
    assert est.evaluate(_input_fn(True), steps=1)["accuracy"] == pytest.approx(0.6)


def test_importance_order_and_normalization_errors():
    from flowgraph.estimator.canned import boosted_trees_explain as bt
    names = ["f_0_bucketized", "f_1_bucketized", "f_2_bucketized"]
    # TF1 sorts with np.argsort(importances)[::-1]: equal values in reverse order.
    got_names, got = bt._sum_by_feature_col_name_and_sort(names, np.array([0.0, -5.0, 0.0]))
    assert list(got_names) == ["f_2_bucketized", "f_0_bucketized", "f_1_bucketized"]
    np.testing.assert_array_equal(got, [0.0, 0.0, -5.0])
    got_names, _ = bt._sum_by_feature_col_name_and_sort(names, np.zeros(3))
    assert list(got_names) == ["f_2_bucketized", "f_1_bucketized", "f_0_bucketized"]
    # An indicator column's features add up under the categorical column's name.
    got_names, got = bt._sum_by_feature_col_name_and_sort(
        ["colour", "colour", "colour", "x_bucketized"], np.array([1.0, 0.5, 2.0, 3.0]))
    assert list(got_names) == ["colour", "x_bucketized"]
    np.testing.assert_array_equal(got, [3.5, 3.0])
    # TF1 documents ValueError and raises AssertionError: either catches the error.
    assert issubclass(bt._NormalizationError, ValueError)
    assert issubclass(bt._NormalizationError, AssertionError)


@pytest.mark.parametrize("multi_dim", [False, True])
def test_numeric_columns_get_tf1_quantile_boundaries(tmp_path, multi_dim):
    # (tensorflow_estimator's test of a classifier with only float columns.)
    if multi_dim:  # one column of shape (3,): the same three features
        columns = [fc.numeric_column("f", shape=(3,), dtype=fg.float32)]
        features = {"f": INPUT_FEATURES.T.copy()}
    else:
        columns = {fc.numeric_column(f"f_{i}", dtype=fg.float32) for i in range(3)}
        features = FEATURES

    def input_fn():
        return fg.data.Dataset.from_tensors((features, CLASSIFICATION_LABELS)).repeat()

    def predict_input_fn():
        return fg.data.Dataset.from_tensor_slices(features).batch(1)

    est = BoostedTreesClassifier(columns, n_batches_per_layer=1, model_dir=str(tmp_path),
                                 n_trees=1, max_depth=5, quantile_sketch_epsilon=0.33)
    # Before training there are no boundaries yet: every prediction is class 0.
    assert [p["class_ids"][0] for p in est.predict(predict_input_fn)] == [0] * 5
    est.train(input_fn, steps=100)
    # The step that gathers quantiles is not counted: 5 steps, one per layer.
    assert _state(est) == (5, 1, 5)
    np.testing.assert_allclose(est.get_variable_value("boosted_trees/quantile_boundaries"),
                               [[-2.001, -1.999, 12.5], [-3., 0.4995, 2.],
                                [-100., 20., 102.75]], rtol=1e-6)
    assert est.evaluate(input_fn, steps=1)["accuracy"] == 1.0
    assert [p["class_ids"][0] for p in est.predict(predict_input_fn)] == [0, 1, 1, 0, 0]


def test_weight_column_changes_the_model(tmp_path):
    results = []
    for i, weights in enumerate(([1., 10., 1., 1., 1.], [10., 1., 2., 1., 1.])):
        features = dict(FEATURES, weight=np.array(weights, np.float32))

        def input_fn(features=features):
            return fg.data.Dataset.from_tensors((features, CLASSIFICATION_LABELS)).repeat()

        est = BoostedTreesClassifier(
            {fc.numeric_column(f"f_{j}", dtype=fg.float32) for j in range(3)},
            n_batches_per_layer=1, model_dir=str(tmp_path / str(i)),
            weight_column=fc.numeric_column("weight", dtype=fg.float32), n_trees=1,
            max_depth=5)
        est.train(input_fn, steps=100)
        assert _state(est) == (5, 1, 5)
        results.append(est.evaluate(input_fn, steps=1))
        assert results[-1]["accuracy"] == 1.0
    assert results[0]["loss"] != results[1]["loss"]


def test_multi_class_classifier(tmp_path):
    # (tensorflow_estimator's multi-class test: two more examples of a third class.)
    features = {key: np.concatenate([value, extra]).astype(np.float32) for (key, value), extra
                in zip(sorted(FEATURES.items()), ([1., 5.0], [0.6, 11.1], [11.99, 0.6]))}
    labels = [[0], [1], [1], [0], [0], [2], [2]]

    def input_fn():
        return fg.data.Dataset.from_tensors((features, labels)).repeat()

    est = BoostedTreesClassifier(_columns(), n_classes=3, n_batches_per_layer=1,
                                 model_dir=str(tmp_path), n_trees=1, max_depth=5)
    est.train(input_fn, steps=100)
    assert _state(est) == (5, 1, 5)
    assert est.evaluate(input_fn, steps=1)["accuracy"] == 1.0


def test_multi_dimensional_regressor(tmp_path):
    features = {key: np.concatenate([value, extra]).astype(np.float32) for (key, value), extra
                in zip(sorted(FEATURES.items()), ([1., 5.0], [0.6, 11.1], [11.99, 0.6]))}
    labels = [[1.5, -2.5], [0.3, -1.3], [0.2, -1.2], [2., -3.0], [5., -6.0], [6.1, -7.10],
              [7.01, -8.01]]

    def input_fn():
        return fg.data.Dataset.from_tensors((features, labels)).repeat()

    est = BoostedTreesRegressor(_columns(), n_batches_per_layer=1, model_dir=str(tmp_path),
                                n_trees=2, max_depth=5, label_dimension=2)
    est.train(input_fn, steps=100)
    assert _state(est) == (10, 2, 10)
    loss = est.evaluate(input_fn, steps=1)["average_loss"]
    assert loss == pytest.approx(3.14401078224, rel=1e-5)


def _regression_head():
    from flowgraph.estimator.canned.head import _regression_head as make
    return make(label_dimension=1, loss_reduction=fg.losses.Reduction.SUM_OVER_BATCH_SIZE)


@pytest.mark.parametrize("kwargs, state, loss", [
    (dict(), (10, 2, 10), 1.008551),
    # 10 steps of growth and 2 of bias centering.
    (dict(center_bias=True), (12, 2, 10), 0.614642),
    # Pre-pruning cannot grow 2 trees of depth 5 here: the hook stops after
    # 2 * depth * trees attempts.
    (dict(tree_complexity=0.001, pruning_mode="pre"), (21, 0, 21), 3.83943),
    (dict(tree_complexity=0.001, pruning_mode="post"), (10, 2, 10), 2.37652),
])
def test_estimator_with_a_head_centering_and_pruning(tmp_path, kwargs, state, loss):
    est = fg.estimator.BoostedTreesEstimator(
        _columns(), n_batches_per_layer=1, head=_regression_head(), model_dir=str(tmp_path),
        n_trees=2, max_depth=5, **kwargs)
    est.train(_input_fn(False), steps=100)
    assert _state(est) == state
    assert est.evaluate(_input_fn(False), steps=1)["average_loss"] == pytest.approx(
        loss, rel=1e-5)


def test_center_bias_predictions_and_feature_contributions(tmp_path):
    est = BoostedTreesRegressor(_columns(), n_batches_per_layer=1,
                                model_dir=str(tmp_path / "regressor"), n_trees=1,
                                max_depth=5, center_bias=True)
    est.train(_input_fn(False), steps=100)
    assert _state(est) == (7, 1, 5)  # 5 layers and 2 bias-centering steps
    explained = list(est.experimental_predict_with_explanations(_predict_input_fn))
    predictions = [p["predictions"][0] for p in explained]
    np.testing.assert_allclose(predictions, [1.634501, 1.325703, 1.187431, 2.019683, 2.832683],
                               rtol=1e-5)
    np.testing.assert_allclose([p["bias"] for p in explained], [1.8] * 5, rtol=1e-6)
    expected = [(("f_1_bucketized", -0.09500002861022949), ("f_0_bucketized",
                                                             -0.07049942016601562)),
                (("f_0_bucketized", -0.5376303195953369), ("f_1_bucketized",
                                                            0.06333339214324951)),
                (("f_0_bucketized", -0.5175694227218628), ("f_1_bucketized",
                                                            -0.09500002861022949)),
                (("f_0_bucketized", 0.1563495397567749), ("f_1_bucketized",
                                                           0.06333339214324951)),
                (("f_0_bucketized", 0.96934974193573), ("f_1_bucketized",
                                                         0.06333339214324951))]
    for pred, want in zip(explained, expected):
        want = list(want) + [("f_2_bucketized", 0.0)]
        assert list(pred["dfc"]) == [name for name, _ in want]  # largest magnitude first
        np.testing.assert_allclose(list(pred["dfc"].values()), [v for _, v in want],
                                   atol=1e-6)

    est = BoostedTreesClassifier(_columns(), n_batches_per_layer=1,
                                 model_dir=str(tmp_path / "classifier"), n_trees=1,
                                 max_depth=5, center_bias=True)
    est.train(_input_fn(True), steps=100)
    explained = list(est.experimental_predict_with_explanations(
        _predict_input_fn, predict_keys=["probabilities"]))
    assert all(sorted(p) == ["bias", "dfc", "probabilities"] for p in explained)
    np.testing.assert_allclose([p["bias"] for p in explained], [0.4] * 5, rtol=1e-6)
    np.testing.assert_allclose([p["dfc"]["f_0_bucketized"] for p in explained],
                               [-0.1210861345357448, 0.19650601422250574, 0.16057487356133376,
                                -0.1210861345357448, -0.10832468554550384], atol=1e-6)
    totals = [p["bias"] + sum(p["dfc"].values()) for p in explained]
    np.testing.assert_allclose(totals, [0.23965894, 0.62344426, 0.58751315, 0.23965894,
                                        0.31861359], atol=1e-6)
