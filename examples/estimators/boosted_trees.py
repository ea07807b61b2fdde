"""Gradient boosted trees with fg.estimator: a classifier on a pattern no linear model can
learn, then a regressor on a step function.

The classifier's label is "x and y have the same sign", except that customers of the
'gold' plan are always positive; a third feature is pure noise. The trees find the
quadrants and the plan, and their feature importances put the noise last.

Run: python examples/estimators/boosted_trees.py [--model-dir DIR]
"""

import argparse
import tempfile

import numpy as np

import flowgraph as fg

fc = fg.feature_column
BOUNDARIES = [float(b) for b in np.linspace(-1.0, 1.0, 21)[1:-1]]  # 20 buckets


def make_data(n: int, seed: int) -> tuple:
    rng = np.random.default_rng(seed)
    x, y, noise = rng.uniform(-1, 1, (3, n)).astype(np.float32)
    plan = rng.choice(np.array([b"basic", b"plus", b"gold"]), n)
    label = ((x > 0) == (y > 0)) | (plan == b"gold")
    return {"x": x, "y": y, "noise": noise, "plan": plan}, label.astype(np.int64)


def input_fn(features: dict, labels: np.ndarray, batch_size: int, repeat: bool):
    def fn():
        dataset = fg.data.Dataset.from_tensor_slices((features, labels)).batch(batch_size)
        return dataset.repeat() if repeat else dataset
    return fn


def classify(model_dir: str) -> None:
    columns = [fc.bucketized_column(fc.numeric_column(key), BOUNDARIES)
               for key in ("x", "y", "noise")]
    columns.append(fc.indicator_column(fc.categorical_column_with_vocabulary_list(
        "plan", ["basic", "plus", "gold"])))
    train_x, train_y = make_data(2000, seed=0)
    test_x, test_y = make_data(1000, seed=1)
    # 4 batches of 500 make one pass over the data: each layer sees every example once.
    classifier = fg.estimator.BoostedTreesClassifier(
        columns, n_batches_per_layer=4, model_dir=model_dir, n_trees=10, max_depth=4,
        learning_rate=0.3, center_bias=True)
    classifier.train(input_fn(train_x, train_y, 500, repeat=True), max_steps=1000)
    steps = classifier.get_variable_value("global_step")
    print(f"trained 10 trees of depth 4 in {steps} steps")
    metrics = classifier.evaluate(input_fn(test_x, test_y, 1000, repeat=False))
    print(f"test accuracy: {metrics['accuracy']:.3f}")
    names, importances = classifier.experimental_feature_importances(normalize=True)
    print("feature importances:")
    for name, importance in zip(names, importances):
        print(f"  {name:18s} {importance:.3f}")
    if metrics["accuracy"] < 0.95 or names[-1] != "noise_bucketized":
        raise SystemExit("the trees should learn the quadrants and ignore the noise")


def regress(model_dir: str) -> None:
    rng = np.random.default_rng(2)
    x = rng.uniform(-1, 1, 500).astype(np.float32)
    target = np.where(x < -0.3, 0.0, np.where(x < 0.5, 2.0, 5.0)).astype(np.float32)
    column = fc.bucketized_column(fc.numeric_column("x"), BOUNDARIES)
    regressor = fg.estimator.BoostedTreesRegressor(
        [column], n_batches_per_layer=1, model_dir=model_dir, n_trees=20, max_depth=2,
        learning_rate=0.5)
    regressor.train(input_fn({"x": x}, target[:, None], 500, repeat=True), max_steps=1000)
    grid = np.float32([-0.8, -0.2, 0.3, 0.8])
    predictions = regressor.predict(lambda: fg.data.Dataset.from_tensors({"x": grid}))
    values = [float(p["predictions"][0]) for p in predictions]
    print("the regressor's step function:")
    for where, value in zip(grid, values):
        print(f"  f({where:+.1f}) = {value:.3f}")
    if not np.allclose(values, [0.0, 2.0, 2.0, 5.0], atol=0.01):
        raise SystemExit("the regressor should fit the steps")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-dir", default=None, help="where checkpoints go")
    args = parser.parse_args()
    base = args.model_dir or tempfile.mkdtemp(prefix="boosted_trees_")
    classify(f"{base}/classifier")
    regress(f"{base}/regressor")
    print("boosted trees learned both tasks")


if __name__ == "__main__":
    main()
