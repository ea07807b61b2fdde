"""An MLP on the embedded MNIST digits (the same model as `flowgraph demo`).

Run: python examples/mnist_mlp.py [epochs]
"""

import sys

from flowgraph.demo import train_mnist


def main() -> None:
    epochs = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    accuracy = train_mnist(epochs=epochs)
    print(f"test accuracy: {accuracy:.1%}")
    if accuracy < 0.92:
        raise SystemExit("expected at least 92% test accuracy")


if __name__ == "__main__":
    main()
