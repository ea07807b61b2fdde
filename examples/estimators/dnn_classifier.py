"""A DNNClassifier on the embedded MNIST digits: two hidden layers, TF1's defaults
(Adagrad, learning rate 0.05), ~93% test accuracy after 800 steps of 64 images.

Run: python examples/estimators/dnn_classifier.py [--steps 800] [--model-dir DIR]
"""

import argparse
import tempfile

import numpy as np

import flowgraph as fg


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=800)
    parser.add_argument("--model-dir", default=None)
    args = parser.parse_args()

    (x_train, y_train), (x_test, y_test) = fg.datasets.mnist.load_embedded(flatten=True,
                                                                          normalize=True)
    estimator = fg.estimator.DNNClassifier(
        hidden_units=[64, 32],
        feature_columns=[fg.feature_column.numeric_column("pixels", shape=[784])],
        n_classes=10, model_dir=args.model_dir or tempfile.mkdtemp(prefix="dnn_mnist_"),
        config=fg.estimator.RunConfig(tf_random_seed=0, log_step_count_steps=200))
    numpy_input_fn = fg.estimator.inputs.numpy_input_fn
    estimator.train(numpy_input_fn({"pixels": x_train}, y_train.astype(np.int32),
                                   batch_size=64, shuffle=True, num_epochs=None),
                    steps=args.steps)
    metrics = estimator.evaluate(numpy_input_fn({"pixels": x_test}, y_test.astype(np.int32),
                                                batch_size=500, shuffle=False))
    print(f"test accuracy: {100 * metrics['accuracy']:.1f}% "
          f"(average loss {metrics['average_loss']:.3f}, step {metrics['global_step']})")
    predictions = estimator.predict(numpy_input_fn({"pixels": x_test[:8]}, shuffle=False))
    print("first test digits:", y_test[:8].tolist())
    print("predicted classes:", [p["classes"][0].decode() for p in predictions])


if __name__ == "__main__":
    main()
