"""TensorBoard summaries with merge_all and a FileWriter that is never closed (TF1 style)."""
import numpy as np
import tensorflow as tf

tf.app.flags.DEFINE_string("log_dir", "/tmp/logs", "where the events go")
FLAGS = tf.app.flags.FLAGS


def main(_):
    with tf.name_scope("input"):
        x = tf.placeholder(tf.float32, [None, 4], name="x-input")
        y = tf.placeholder(tf.float32, [None, 1], name="y-input")
    with tf.name_scope("layer"):
        w = tf.Variable(tf.zeros([4, 1]), name="weights")
        tf.summary.histogram("weights", w)
        pred = tf.matmul(x, w)
    with tf.name_scope("loss"):
        loss = tf.reduce_mean(tf.square(pred - y))
    tf.summary.scalar("loss", loss)
    tf.summary.scalar("train:loss", loss)  # a ':' in the name is fine
    merged = tf.summary.merge_all()
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    rng = np.random.RandomState(0)
    data = rng.rand(64, 4)
    target = data.sum(axis=1, keepdims=True)
    with tf.Session() as sess:
        writer = tf.summary.FileWriter(FLAGS.log_dir, sess.graph)
        sess.run(tf.global_variables_initializer())
        for i in range(20):
            summary, _ = sess.run([merged, train], {x: data, y: target})
            writer.add_summary(summary, i)
        print("METRIC final_loss %f" % sess.run(loss, {x: data, y: target}))
    # no writer.close(): the events must still reach the disk at exit


if __name__ == "__main__":
    tf.app.run()
