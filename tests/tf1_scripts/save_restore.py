"""Save and restore with a global step across two runs of this script (TF1 style).

The first run (no checkpoint yet) trains 30 steps and saves; a second run finds the
checkpoint, restores, checks the weights, and trains on from the saved global step.
"""
import os

import numpy as np
import tensorflow as tf

tf.app.flags.DEFINE_string("model_dir", "/tmp/model", "where checkpoints go")
FLAGS = tf.app.flags.FLAGS


def main(_):
    x = tf.placeholder(tf.float32, [None, 3])
    y = tf.placeholder(tf.float32, [None, 1])
    w = tf.get_variable("w", [3, 1], tf.float32, tf.zeros_initializer())
    global_step = tf.train.get_or_create_global_step()
    loss = tf.reduce_mean(tf.square(tf.matmul(x, w) - y))
    train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss, global_step=global_step)
    saver = tf.train.Saver(max_to_keep=3)
    data_x = np.random.RandomState(0).rand(32, 3)
    data_y = data_x @ np.array([[1.0], [-2.0], [0.5]])
    ckpt_dir = os.path.join(FLAGS.model_dir, "nested", "checkpoints")
    with tf.Session() as sess:
        ckpt = tf.train.get_checkpoint_state(ckpt_dir)
        if ckpt and ckpt.model_checkpoint_path:
            saver.restore(sess, ckpt.model_checkpoint_path)
            print("restored", ckpt.model_checkpoint_path)
            print("METRIC restored_step %f" % sess.run(global_step))
            print("METRIC restored_loss %f" % sess.run(loss, {x: data_x, y: data_y}))
        else:
            sess.run(tf.global_variables_initializer())
            print("METRIC restored_step %f" % -1)
        for _ in range(30):
            sess.run(train_op, {x: data_x, y: data_y})
        path = saver.save(sess, os.path.join(ckpt_dir, "model.ckpt"), global_step=global_step)
        print("saved", path)
        print("METRIC step %f" % sess.run(global_step))
        print("METRIC loss %f" % sess.run(loss, {x: data_x, y: data_y}))


if __name__ == "__main__":
    tf.app.run()
