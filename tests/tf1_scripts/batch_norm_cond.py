"""Batch normalization with tf.cond on an is_training placeholder (TF1 style)."""
import numpy as np
import tensorflow as tf
from tensorflow.examples.tutorials.mnist import input_data

tf.app.flags.DEFINE_string("data_dir", "/tmp/data/", "MNIST folder")
FLAGS = tf.app.flags.FLAGS


def main(_):
    mnist = input_data.read_data_sets(FLAGS.data_dir, one_hot=True, validation_size=500)
    x = tf.placeholder(tf.float32, [None, 784])
    y = tf.placeholder(tf.float32, [None, 10])
    is_training = tf.placeholder(tf.bool, name="is_training")
    tf.set_random_seed(0)
    h = tf.layers.dense(x, 64, use_bias=False)
    h = tf.layers.batch_normalization(h, training=is_training)
    h = tf.nn.relu(h)
    h2 = tf.contrib.layers.fully_connected(h, 32, activation_fn=None)
    h2 = tf.contrib.layers.batch_norm(h2, is_training=is_training, scale=True)
    h2 = tf.cond(is_training, lambda: tf.nn.dropout(tf.nn.relu(h2), 0.9),
                 lambda: tf.nn.relu(h2))
    logits = tf.layers.dense(h2, 10)
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=logits))
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    with tf.control_dependencies(update_ops):
        train = tf.train.AdamOptimizer(0.01).minimize(loss)
    accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), tf.argmax(y, 1)),
                                      tf.float32))
    moving_mean = [v for v in tf.global_variables() if "moving_mean" in v.name][0]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for i in range(300):
            bx, by = mnist.train.next_batch(64)
            sess.run(train, {x: bx, y: by, is_training: True})
        test = {x: mnist.test.images, y: mnist.test.labels, is_training: False}
        print("METRIC update_ops %f" % len(update_ops))
        print("METRIC moving_mean_moved %f" % float(np.abs(sess.run(moving_mean)).sum() > 0))
        print("METRIC accuracy %f" % sess.run(accuracy, test))


if __name__ == "__main__":
    tf.app.run()
