"""A single perceptron learns AND and OR, but cannot learn XOR (not linearly separable).

Run: python examples/perceptron_logic.py
"""

import numpy as np

import flowgraph as fg

INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
TARGETS = {
    "AND": np.array([0, 0, 0, 1], dtype=np.float32),
    "OR": np.array([0, 1, 1, 1], dtype=np.float32),
    "XOR": np.array([0, 1, 1, 0], dtype=np.float32),
}


def train_perceptron(targets: np.ndarray, steps: int = 2000) -> float:
    """Trains sigmoid(x @ w + b) by gradient descent; returns the accuracy of its 0/1 output."""
    graph = fg.Graph()
    with graph.as_default():
        x = fg.placeholder(fg.float32, [None, 2])
        y = fg.placeholder(fg.float32, [None])
        w = fg.Variable(fg.zeros([2, 1]), name="w")
        b = fg.Variable(0.0, name="b")
        logits = fg.reshape(fg.matmul(x, w) + b, [-1])
        loss = fg.reduce_mean(fg.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=logits))
        train = fg.train.GradientDescentOptimizer(1.0).minimize(loss)
        predicted = fg.cast(logits > 0.0, fg.float32)
        accuracy = fg.reduce_mean(fg.cast(fg.equal(predicted, y), fg.float32))
        with fg.Session() as sess:
            sess.run(fg.global_variables_initializer())
            for _ in range(steps):
                sess.run(train, {x: INPUTS, y: targets})
            return float(sess.run(accuracy, {x: INPUTS, y: targets}))


def main() -> None:
    results = {name: train_perceptron(targets) for name, targets in TARGETS.items()}
    for name, accuracy in results.items():
        print(f"perceptron on {name}: accuracy {accuracy:.2f}")
    if results["AND"] != 1.0 or results["OR"] != 1.0:
        raise SystemExit("the perceptron should learn AND and OR exactly")
    if results["XOR"] > 0.75:
        raise SystemExit("a single perceptron cannot separate XOR")
    print("AND and OR learned; XOR is not linearly separable, as expected")


if __name__ == "__main__":
    main()
