"""The Dataset API with an initializable iterator fed through placeholders (TF1 style)."""
import numpy as np
import tensorflow as tf
from tensorflow.examples.tutorials.mnist import input_data

tf.app.flags.DEFINE_string("data_dir", "/tmp/data/", "MNIST folder")
FLAGS = tf.app.flags.FLAGS


def main(_):
    mnist = input_data.read_data_sets(FLAGS.data_dir, one_hot=False, validation_size=500)
    images_ph = tf.placeholder(tf.float32, [None, 784])
    labels_ph = tf.placeholder(tf.int64, [None])
    batch_ph = tf.placeholder(tf.int64, [])
    dataset = tf.data.Dataset.from_tensor_slices((images_ph, labels_ph))
    dataset = dataset.shuffle(1000, seed=1).batch(batch_ph)
    iterator = dataset.make_initializable_iterator()
    images, labels = iterator.get_next()
    logits = tf.layers.dense(images, 10)
    loss = tf.losses.sparse_softmax_cross_entropy(labels=labels, logits=logits)
    train = tf.train.GradientDescentOptimizer(0.5).minimize(loss)
    correct = tf.reduce_sum(tf.cast(tf.equal(tf.argmax(logits, 1), labels), tf.int32))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        batches = 0
        for epoch in range(2):
            sess.run(iterator.initializer, {images_ph: mnist.train.images,
                                            labels_ph: mnist.train.labels, batch_ph: 100})
            while True:
                try:
                    sess.run(train)
                    batches += 1
                except tf.errors.OutOfRangeError:
                    break
        sess.run(iterator.initializer, {images_ph: mnist.test.images,
                                        labels_ph: mnist.test.labels, batch_ph: 250})
        right = 0
        while True:
            try:
                right += sess.run(correct)
            except tf.errors.OutOfRangeError:
                break
        expected = 2 * int(np.ceil(mnist.train.num_examples / 100))
        print("METRIC batches_ok %f" % float(batches == expected))
        print("METRIC accuracy %f" % (right / mnist.test.num_examples))


if __name__ == "__main__":
    tf.app.run()
