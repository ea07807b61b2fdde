"""A premade Estimator (DNNClassifier) with feature columns on MNIST (TF1 tutorial style)."""
import numpy as np
import tensorflow as tf
from tensorflow.examples.tutorials.mnist import input_data

tf.app.flags.DEFINE_string("data_dir", "/tmp/data/", "MNIST folder")
tf.app.flags.DEFINE_string("model_dir", None, "where the model goes")
FLAGS = tf.app.flags.FLAGS


def main(_):
    tf.logging.set_verbosity(tf.logging.INFO)
    mnist = input_data.read_data_sets(FLAGS.data_dir, validation_size=500)
    feature_columns = [tf.feature_column.numeric_column("x", shape=[28 * 28])]
    classifier = tf.estimator.DNNClassifier(
        feature_columns=feature_columns, hidden_units=[128, 64], n_classes=10,
        optimizer=tf.train.AdamOptimizer(1e-3), model_dir=FLAGS.model_dir)
    train_input_fn = tf.estimator.inputs.numpy_input_fn(
        x={"x": mnist.train.images}, y=mnist.train.labels.astype(np.int32),
        batch_size=64, num_epochs=None, shuffle=True)
    classifier.train(input_fn=train_input_fn, steps=400)
    test_input_fn = tf.estimator.inputs.numpy_input_fn(
        x={"x": mnist.test.images}, y=mnist.test.labels.astype(np.int32), num_epochs=1,
        shuffle=False)
    metrics = classifier.evaluate(input_fn=test_input_fn)
    print("\nTest Accuracy: {0:f}\n".format(metrics["accuracy"]))
    predict_input_fn = tf.estimator.inputs.numpy_input_fn(
        x={"x": mnist.test.images[:5]}, num_epochs=1, shuffle=False)
    predictions = list(classifier.predict(input_fn=predict_input_fn))
    classes_are_bytes = all(isinstance(p["classes"][0], bytes) for p in predictions)
    print("METRIC accuracy %f" % metrics["accuracy"])
    print("METRIC global_step %f" % metrics["global_step"])
    print("METRIC classes_are_bytes %f" % float(classes_are_bytes))
    print("METRIC predictions %f" % len(predictions))


if __name__ == "__main__":
    tf.app.run()
