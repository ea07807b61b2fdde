"""A two-layer network learns XOR, which a single perceptron cannot.

Run: python examples/xor_mlp.py
"""

import numpy as np

import flowgraph as fg

INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
TARGETS = np.array([[0], [1], [1], [0]], dtype=np.float32)


def main() -> None:
    fg.set_random_seed(1)
    x = fg.placeholder(fg.float32, [None, 2], name="x")
    y = fg.placeholder(fg.float32, [None, 1], name="y")
    w1 = fg.Variable(fg.random_normal([2, 8], stddev=1.0, seed=1), name="w1")
    b1 = fg.Variable(fg.zeros([8]), name="b1")
    w2 = fg.Variable(fg.random_normal([8, 1], stddev=1.0, seed=2), name="w2")
    b2 = fg.Variable(fg.zeros([1]), name="b2")
    hidden = fg.tanh(fg.matmul(x, w1) + b1)
    logits = fg.matmul(hidden, w2) + b2
    loss = fg.reduce_mean(fg.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=logits))
    train = fg.train.AdamOptimizer(0.05).minimize(loss)
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        for step in range(1, 501):
            _, value = sess.run([train, loss], {x: INPUTS, y: TARGETS})
            if step % 100 == 0:
                print(f"step {step}: loss {value:.4f}")
        outputs = sess.run(fg.sigmoid(logits), {x: INPUTS})
    for inputs, out in zip(INPUTS, outputs):
        print(f"{inputs.astype(int).tolist()} -> {out[0]:.3f}")
    if not np.array_equal(outputs.reshape(-1) > 0.5, TARGETS.reshape(-1) > 0.5):
        raise SystemExit("the network did not learn XOR")
    print("XOR learned")


if __name__ == "__main__":
    main()
