"""A DNNRegressor fits y = sin(3 x) on [-1, 1]: a curve no linear model can follow.

Run: python examples/estimators/dnn_regressor.py [--steps 500]
"""

import argparse
import tempfile

import numpy as np

import flowgraph as fg


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=500)
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (512, 1)).astype(np.float32)
    y = np.sin(3 * x).astype(np.float32)
    estimator = fg.estimator.DNNRegressor(
        hidden_units=[32, 16], feature_columns=[fg.feature_column.numeric_column("x")],
        optimizer="Adam", model_dir=tempfile.mkdtemp(prefix="dnn_regressor_"),
        config=fg.estimator.RunConfig(tf_random_seed=0, log_step_count_steps=None))
    numpy_input_fn = fg.estimator.inputs.numpy_input_fn
    estimator.train(numpy_input_fn({"x": x}, y, batch_size=64, shuffle=True,
                                   num_epochs=None), steps=args.steps)
    metrics = estimator.evaluate(numpy_input_fn({"x": x}, y, batch_size=512, shuffle=False))
    print(f"average_loss: {metrics['average_loss']:.4f} (variance of y: {y.var():.4f})")
    grid = np.float32([[-0.9], [-0.5], [0.0], [0.5], [0.9]])
    for point, prediction in zip(grid[:, 0], estimator.predict(
            numpy_input_fn({"x": grid}, shuffle=False))):
        print(f"x = {point:+.1f}: predicted {prediction['predictions'][0]:+.3f}, "
              f"sin(3x) = {np.sin(3 * point):+.3f}")


if __name__ == "__main__":
    main()
