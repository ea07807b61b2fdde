"""A bidirectional LSTM over MNIST rows with static_bidirectional_rnn (TF1 tutorial style)."""
import tensorflow as tf
from tensorflow.contrib import rnn
from tensorflow.examples.tutorials.mnist import input_data

tf.app.flags.DEFINE_string("data_dir", "/tmp/data/", "MNIST folder")
FLAGS = tf.app.flags.FLAGS

timesteps, num_input, num_hidden, num_classes = 28, 28, 32, 10


def BiRNN(x, weights, biases):
    x = tf.unstack(x, timesteps, 1)
    lstm_fw_cell = rnn.BasicLSTMCell(num_hidden, forget_bias=1.0)
    lstm_bw_cell = rnn.BasicLSTMCell(num_hidden, forget_bias=1.0)
    outputs, _, _ = rnn.static_bidirectional_rnn(lstm_fw_cell, lstm_bw_cell, x,
                                                 dtype=tf.float32)
    return tf.matmul(outputs[-1], weights['out']) + biases['out']


def main(_):
    mnist = input_data.read_data_sets(FLAGS.data_dir, one_hot=True, validation_size=500)
    X = tf.placeholder("float", [None, timesteps, num_input])
    Y = tf.placeholder("float", [None, num_classes])
    weights = {'out': tf.Variable(tf.random_normal([2 * num_hidden, num_classes]))}
    biases = {'out': tf.Variable(tf.random_normal([num_classes]))}
    logits = BiRNN(X, weights, biases)
    loss_op = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(logits=logits, labels=Y))
    train_op = tf.train.AdamOptimizer(learning_rate=0.01).minimize(loss_op)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        batch_x, batch_y = mnist.train.next_batch(64)
        first = sess.run(loss_op, {X: batch_x.reshape((-1, timesteps, num_input)), Y: batch_y})
        for step in range(60):
            batch_x, batch_y = mnist.train.next_batch(64)
            batch_x = batch_x.reshape((-1, timesteps, num_input))
            sess.run(train_op, feed_dict={X: batch_x, Y: batch_y})
        test_x = mnist.test.images[:500].reshape((-1, timesteps, num_input))
        final = sess.run(loss_op, {X: test_x, Y: mnist.test.labels[:500]})
        print("METRIC first_loss %f" % first)
        print("METRIC final_loss %f" % final)


if __name__ == '__main__':
    tf.app.run()
