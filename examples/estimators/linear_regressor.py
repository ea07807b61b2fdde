"""A LinearRegressor recovers the weights of y = 3 x1 - 2 x2 + 1 from noisy samples.

Run: python examples/estimators/linear_regressor.py [--steps 300]
"""

import argparse
import tempfile

import numpy as np

import flowgraph as fg


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300)
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    x1, x2 = (rng.uniform(-1, 1, 500).astype(np.float32) for _ in range(2))
    y = (3 * x1 - 2 * x2 + 1 + rng.normal(0, 0.05, 500)).astype(np.float32)

    fc = fg.feature_column
    estimator = fg.estimator.LinearRegressor(
        feature_columns=[fc.numeric_column("x1"), fc.numeric_column("x2")],
        model_dir=tempfile.mkdtemp(prefix="linear_regressor_"),
        config=fg.estimator.RunConfig(tf_random_seed=0, log_step_count_steps=None))
    numpy_input_fn = fg.estimator.inputs.numpy_input_fn
    estimator.train(numpy_input_fn({"x1": x1, "x2": x2}, y, batch_size=50, shuffle=True,
                                   num_epochs=None), steps=args.steps)

    def weight(name: str) -> float:
        return float(estimator.get_variable_value(f"linear/linear_model/{name}").ravel()[0])

    print(f"fitted y = {weight('x1/weights'):.2f} x1 + {weight('x2/weights'):.2f} x2 "
          f"+ {weight('bias_weights'):.2f}")
    metrics = estimator.evaluate(numpy_input_fn({"x1": x1, "x2": x2}, y, batch_size=500,
                                                shuffle=False))
    print(f"average_loss: {metrics['average_loss']:.4f} (noise variance 0.0025)")


if __name__ == "__main__":
    main()
