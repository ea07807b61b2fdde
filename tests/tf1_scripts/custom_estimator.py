"""A custom model_fn Estimator with tf.layers and tf.metrics (TF1 tutorial style)."""
import numpy as np
import tensorflow as tf
from tensorflow.examples.tutorials.mnist import input_data

tf.app.flags.DEFINE_string("data_dir", "/tmp/data/", "MNIST folder")
tf.app.flags.DEFINE_string("model_dir", None, "where the model goes")
FLAGS = tf.app.flags.FLAGS


def model_fn(features, labels, mode, params):
    net = tf.layers.dense(features["x"], params["hidden"], activation=tf.nn.relu)
    logits = tf.layers.dense(net, 10)
    predicted_classes = tf.argmax(logits, 1)
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={
            "class_ids": predicted_classes[:, tf.newaxis],
            "probabilities": tf.nn.softmax(logits)})
    loss = tf.losses.sparse_softmax_cross_entropy(labels=labels, logits=logits)
    accuracy = tf.metrics.accuracy(labels=labels, predictions=predicted_classes,
                                   name="acc_op")
    tf.summary.scalar("accuracy", accuracy[1])
    if mode == tf.estimator.ModeKeys.EVAL:
        return tf.estimator.EstimatorSpec(mode, loss=loss,
                                          eval_metric_ops={"accuracy": accuracy})
    optimizer = tf.train.AdagradOptimizer(learning_rate=0.1)
    train_op = optimizer.minimize(loss, global_step=tf.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)


def main(_):
    mnist = input_data.read_data_sets(FLAGS.data_dir, validation_size=500)

    def train_input_fn():
        dataset = tf.data.Dataset.from_tensor_slices(
            ({"x": mnist.train.images}, mnist.train.labels.astype(np.int64)))
        return dataset.shuffle(1000).repeat().batch(64)

    def eval_input_fn():
        dataset = tf.data.Dataset.from_tensor_slices(
            ({"x": mnist.test.images}, mnist.test.labels.astype(np.int64)))
        return dataset.batch(250)

    classifier = tf.estimator.Estimator(model_fn=model_fn, model_dir=FLAGS.model_dir,
                                        params={"hidden": 64})
    classifier.train(input_fn=train_input_fn, steps=300)
    first = classifier.evaluate(input_fn=eval_input_fn)
    classifier.train(input_fn=train_input_fn, steps=100)
    second = classifier.evaluate(input_fn=eval_input_fn)
    print("METRIC accuracy %f" % second["accuracy"])
    print("METRIC first_step %f" % first["global_step"])
    print("METRIC second_step %f" % second["global_step"])


if __name__ == "__main__":
    tf.app.run()
