"""Linear regression by gradient descent recovers the slope and intercept of noisy data.

Run: python examples/linear_regression.py
"""

import numpy as np

import flowgraph as fg

TRUE_SLOPE, TRUE_INTERCEPT = 3.0, -2.0


def main() -> None:
    rng = np.random.default_rng(0)
    xs = rng.uniform(-1, 1, 200).astype(np.float32)
    ys = (TRUE_SLOPE * xs + TRUE_INTERCEPT + rng.normal(0, 0.1, 200)).astype(np.float32)

    x = fg.placeholder(fg.float32, [None], name="x")
    y = fg.placeholder(fg.float32, [None], name="y")
    slope = fg.Variable(0.0, name="slope")
    intercept = fg.Variable(0.0, name="intercept")
    prediction = slope * x + intercept
    loss = fg.reduce_mean(fg.square(prediction - y))
    train = fg.train.GradientDescentOptimizer(0.5).minimize(loss)
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        for step in range(1, 201):
            _, value = sess.run([train, loss], {x: xs, y: ys})
            if step % 50 == 0:
                print(f"step {step}: mean squared error {value:.5f}")
        fitted_slope, fitted_intercept = sess.run([slope, intercept])
    print(f"fitted y = {fitted_slope:.3f} x + {fitted_intercept:.3f} "
          f"(true: {TRUE_SLOPE} x + {TRUE_INTERCEPT})")
    if abs(fitted_slope - TRUE_SLOPE) > 0.05 or abs(fitted_intercept - TRUE_INTERCEPT) > 0.05:
        raise SystemExit("the fit is off")


if __name__ == "__main__":
    main()
