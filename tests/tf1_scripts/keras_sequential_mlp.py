"""A tf.keras Sequential MLP: compile, fit with a validation split, evaluate, predict (the
TF 1.13-1.15 Keras tutorial style, graph mode)."""
import numpy as np
import tensorflow as tf
from tensorflow.examples.tutorials.mnist import input_data

tf.app.flags.DEFINE_string("data_dir", "/tmp/data/", "MNIST folder")
tf.app.flags.DEFINE_integer("epochs", 4, "training epochs")
FLAGS = tf.app.flags.FLAGS


def main(argv):
    mnist = input_data.read_data_sets(FLAGS.data_dir, one_hot=False, validation_size=0)
    x_train, y_train = mnist.train.images, mnist.train.labels
    x_test, y_test = mnist.test.images, mnist.test.labels
    tf.set_random_seed(1)
    model = tf.keras.models.Sequential([
        tf.keras.layers.Dense(128, activation=tf.nn.relu, input_shape=(784,)),
        tf.keras.layers.Dropout(0.2),
        tf.keras.layers.Dense(10, activation=tf.nn.softmax),
    ])
    model.compile(optimizer='adam', loss='sparse_categorical_crossentropy',
                  metrics=['accuracy'])
    model.summary()
    history = model.fit(x_train, y_train, epochs=FLAGS.epochs, batch_size=32,
                        validation_split=0.1, verbose=2)
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print("METRIC first_loss %f" % history.history['loss'][0])
    print("METRIC final_loss %f" % history.history['loss'][-1])
    print("METRIC has_val_loss %d" % ('val_loss' in history.history))
    print("METRIC accuracy %f" % accuracy)
    predictions = model.predict(x_test[:5])
    print("METRIC predict_rows %d" % predictions.shape[0])
    print("METRIC probabilities_sum %f" % np.mean(predictions.sum(axis=1)))
    names = sorted(v.name for v in model.trainable_weights)
    print("METRIC names_ok %d" % (names == ['dense/bias:0', 'dense/kernel:0',
                                           'dense_1/bias:0', 'dense_1/kernel:0']))


if __name__ == '__main__':
    tf.app.run()
