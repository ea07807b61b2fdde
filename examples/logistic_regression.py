"""Logistic regression separates two Gaussian clouds.

Run: python examples/logistic_regression.py
"""

import numpy as np

import flowgraph as fg


def main() -> None:
    rng = np.random.default_rng(0)
    points = np.concatenate([rng.normal(-1.5, 1.0, (200, 2)), rng.normal(1.5, 1.0, (200, 2))])
    labels = np.concatenate([np.zeros(200), np.ones(200)])
    points, labels = points.astype(np.float32), labels.astype(np.float32)

    x = fg.placeholder(fg.float32, [None, 2], name="x")
    y = fg.placeholder(fg.float32, [None], name="y")
    w = fg.get_variable("w", [2, 1], initializer=fg.zeros_initializer())
    b = fg.get_variable("b", [1], initializer=fg.zeros_initializer())
    logits = fg.reshape(fg.matmul(x, w) + b, [-1])
    loss = fg.reduce_mean(fg.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=logits))
    train = fg.train.GradientDescentOptimizer(0.5).minimize(loss)
    correct = fg.equal(fg.cast(logits > 0, fg.float32), y)
    accuracy = fg.reduce_mean(fg.cast(correct, fg.float32))
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        for step in range(1, 301):
            _, value = sess.run([train, loss], {x: points, y: labels})
            if step % 100 == 0:
                print(f"step {step}: loss {value:.4f}")
        result = sess.run(accuracy, {x: points, y: labels})
    print(f"training accuracy: {result:.3f}")
    if result < 0.9:
        raise SystemExit("logistic regression should separate the clouds")


if __name__ == "__main__":
    main()
