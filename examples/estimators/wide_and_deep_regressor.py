"""Wide and deep regression: y = 2 * x1 + sin(3 * x2), a linear part plus a curve. A
DNNLinearCombinedRegressor (x1 in the wide part, both in the deep part) fits it much better
than a LinearRegressor on the same columns.

Run: python examples/estimators/wide_and_deep_regressor.py [--steps 400]
"""

import argparse
import tempfile

import numpy as np

import flowgraph as fg


def curve(n: int, seed: int) -> tuple:
    rng = np.random.default_rng(seed)
    x1, x2 = (rng.uniform(-1, 1, n).astype(np.float32) for _ in range(2))
    return {"x1": x1, "x2": x2}, (2 * x1 + np.sin(3 * x2)).astype(np.float32)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=400)
    args = parser.parse_args()

    fc = fg.feature_column
    x1, x2 = fc.numeric_column("x1"), fc.numeric_column("x2")
    config = fg.estimator.RunConfig(tf_random_seed=0, log_step_count_steps=None)
    train, train_y = curve(2000, seed=0)
    test, test_y = curve(500, seed=1)
    numpy_input_fn = fg.estimator.inputs.numpy_input_fn

    models = {
        "linear": fg.estimator.LinearRegressor(
            [x1, x2], model_dir=tempfile.mkdtemp(prefix="linear_"), config=config,
            optimizer=fg.train.FtrlOptimizer(0.1)),
        "wide and deep": fg.estimator.DNNLinearCombinedRegressor(
            linear_feature_columns=[x1], dnn_feature_columns=[x1, x2],
            dnn_hidden_units=[32, 16], dnn_optimizer=fg.train.AdamOptimizer(0.01),
            model_dir=tempfile.mkdtemp(prefix="wide_and_deep_"), config=config),
    }
    for name, estimator in models.items():
        estimator.train(numpy_input_fn(train, train_y, batch_size=64, shuffle=True,
                                       num_epochs=None), steps=args.steps)
        metrics = estimator.evaluate(numpy_input_fn(test, test_y, batch_size=500,
                                                    shuffle=False))
        print(f"{name} mean squared error: {metrics['average_loss']:.4f}")
    predictions = models["wide and deep"].predict(numpy_input_fn(
        {"x1": np.array([0.5], np.float32), "x2": np.array([0.5], np.float32)},
        shuffle=False))
    value = float(next(iter(predictions))["predictions"][0])
    print(f"prediction at (0.5, 0.5): {value:.3f} (true {1 + np.sin(1.5):.3f})")


if __name__ == "__main__":
    main()
