"""Wide and deep: on a rule no linear model can express (label 1 where x1 and x2 share a
sign), a DNNLinearCombinedClassifier beats the LinearClassifier on the same columns.

Run: python examples/estimators/wide_and_deep.py [--steps 300]
"""

import argparse
import tempfile

import numpy as np

import flowgraph as fg


def quadrants(n: int, seed: int) -> tuple:
    rng = np.random.default_rng(seed)
    x1, x2 = (rng.uniform(-1, 1, n).astype(np.float32) for _ in range(2))
    return {"x1": x1, "x2": x2}, (x1 * x2 > 0).astype(np.int64)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300)
    args = parser.parse_args()

    fc = fg.feature_column
    columns = [fc.numeric_column("x1"), fc.numeric_column("x2")]
    config = fg.estimator.RunConfig(tf_random_seed=0, log_step_count_steps=None)
    train, train_labels = quadrants(1000, seed=0)
    test, test_labels = quadrants(500, seed=1)
    numpy_input_fn = fg.estimator.inputs.numpy_input_fn

    models = {
        "linear": fg.estimator.LinearClassifier(
            columns, model_dir=tempfile.mkdtemp(prefix="wide_"), config=config),
        "wide and deep": fg.estimator.DNNLinearCombinedClassifier(
            linear_feature_columns=columns, dnn_feature_columns=columns,
            dnn_hidden_units=[16, 8], dnn_optimizer=fg.train.AdamOptimizer(0.02),
            model_dir=tempfile.mkdtemp(prefix="wide_and_deep_"), config=config),
    }
    for name, estimator in models.items():
        estimator.train(numpy_input_fn(train, train_labels, batch_size=64, shuffle=True,
                                       num_epochs=None), steps=args.steps)
        metrics = estimator.evaluate(numpy_input_fn(test, test_labels, batch_size=500,
                                                    shuffle=False))
        print(f"{name} accuracy: {metrics['accuracy']:.3f} (auc {metrics['auc']:.3f})")


if __name__ == "__main__":
    main()
