"""A tied-weight autoencoder on MNIST: the decoder uses the encoder's transposed weights."""
import tensorflow as tf
from tensorflow.examples.tutorials.mnist import input_data

tf.app.flags.DEFINE_string("data_dir", "/tmp/data/", "MNIST folder")
FLAGS = tf.app.flags.FLAGS


def main(_):
    mnist = input_data.read_data_sets(FLAGS.data_dir, one_hot=False, validation_size=500)
    X = tf.placeholder("float", [None, 784])
    W = tf.Variable(tf.random_uniform([784, 64], -0.05, 0.05), name="W")
    b_enc = tf.Variable(tf.zeros([64]), name="b_enc")
    b_dec = tf.Variable(tf.zeros([784]), name="b_dec")
    encoded = tf.nn.sigmoid(tf.matmul(X, W) + b_enc)
    decoded = tf.nn.sigmoid(tf.matmul(encoded, tf.transpose(W)) + b_dec)
    loss = tf.reduce_mean(tf.pow(X - decoded, 2))
    optimizer = tf.train.RMSPropOptimizer(0.01).minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        first = sess.run(loss, {X: mnist.test.images})
        for i in range(200):
            batch_x, _ = mnist.train.next_batch(128)
            _, l = sess.run([optimizer, loss], feed_dict={X: batch_x})
            if i % 100 == 0:
                print('Step %i: Minibatch Loss: %f' % (i, l))
        print("METRIC first_loss %f" % first)
        print("METRIC final_loss %f" % sess.run(loss, {X: mnist.test.images}))
        print("METRIC variables %f" % len(tf.trainable_variables()))


if __name__ == '__main__':
    tf.app.run()
