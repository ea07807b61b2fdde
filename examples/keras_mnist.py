"""A tf.keras model on the embedded MNIST digits: a functional CNN with dropout, compiled with
Adam, fit with a validation split and early stopping, evaluated, saved and loaded back.

Run: python examples/keras_mnist.py [epochs]
"""

import sys
import tempfile
from pathlib import Path

import numpy as np

import flowgraph as fg
from flowgraph.datasets import mnist

keras = fg.keras


def build_model() -> keras.Model:
    inputs = keras.Input(shape=(28, 28, 1), name="digits")
    x = keras.layers.Conv2D(16, 5, padding="same", activation="relu")(inputs)
    x = keras.layers.MaxPooling2D()(x)
    x = keras.layers.Conv2D(32, 3, activation="relu")(x)
    x = keras.layers.MaxPooling2D()(x)
    x = keras.layers.Flatten()(x)
    x = keras.layers.Dropout(0.25)(x)
    outputs = keras.layers.Dense(10, activation="softmax", name="probabilities")(x)
    model = keras.Model(inputs, outputs, name="mnist_cnn")
    model.compile(optimizer=keras.optimizers.Adam(lr=0.002),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def main() -> None:
    epochs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    (x_train, y_train), (x_test, y_test) = mnist.load_embedded()
    x_train = (x_train[..., None] / 255.0).astype(np.float32)
    x_test = (x_test[..., None] / 255.0).astype(np.float32)
    fg.set_random_seed(0)
    model = build_model()
    model.summary()
    stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=2)
    model.fit(x_train, y_train, batch_size=64, epochs=epochs, validation_split=0.1,
              callbacks=[stop], verbose=2)
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"test accuracy: {accuracy:.1%} (loss {loss:.3f})")
    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "mnist_cnn.fgk")
        model.save(path)
        expected = model.predict(x_test[:8])
        keras.backend.clear_session()
        restored = keras.models.load_model(path)
        same = np.allclose(restored.predict(x_test[:8]), expected, atol=1e-6)
    print(f"saved and loaded back: predictions {'equal' if same else 'DIFFER'}")
    if accuracy < 0.9 or not same:
        raise SystemExit("expected at least 90% test accuracy and equal predictions")


if __name__ == "__main__":
    main()
