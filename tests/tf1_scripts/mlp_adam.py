"""A multilayer perceptron from dicts of Variables, trained with Adam (TF1 tutorial style)."""
import tensorflow as tf
from tensorflow.examples.tutorials.mnist import input_data

tf.app.flags.DEFINE_string("data_dir", "/tmp/data/", "MNIST folder")
tf.app.flags.DEFINE_integer("epochs", 5, "training epochs")
FLAGS = tf.app.flags.FLAGS

n_hidden_1, n_hidden_2, n_input, n_classes = 128, 64, 784, 10


def multilayer_perceptron(x, weights, biases):
    layer_1 = tf.nn.relu(tf.add(tf.matmul(x, weights['h1']), biases['b1']))
    layer_2 = tf.nn.relu(tf.add(tf.matmul(layer_1, weights['h2']), biases['b2']))
    return tf.matmul(layer_2, weights['out']) + biases['out']


def main(argv):
    mnist = input_data.read_data_sets(FLAGS.data_dir, one_hot=True, validation_size=500)
    x = tf.placeholder("float", [None, n_input])
    y = tf.placeholder("float", [None, n_classes])
    tf.set_random_seed(1)
    weights = {
        'h1': tf.Variable(tf.random_normal([n_input, n_hidden_1], stddev=0.1)),
        'h2': tf.Variable(tf.random_normal([n_hidden_1, n_hidden_2], stddev=0.1)),
        'out': tf.Variable(tf.random_normal([n_hidden_2, n_classes], stddev=0.1)),
    }
    biases = {
        'b1': tf.Variable(tf.random_normal([n_hidden_1])),
        'b2': tf.Variable(tf.random_normal([n_hidden_2])),
        'out': tf.Variable(tf.random_normal([n_classes])),
    }
    pred = multilayer_perceptron(x, weights, biases)
    cost = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(logits=pred, labels=y))
    optimizer = tf.train.AdamOptimizer(learning_rate=0.001).minimize(cost)
    init = tf.global_variables_initializer()
    with tf.Session() as sess:
        sess.run(init)
        for epoch in range(FLAGS.epochs):
            total_batch = int(mnist.train.num_examples / 100)
            for i in range(total_batch):
                batch_x, batch_y = mnist.train.next_batch(100)
                _, c = sess.run([optimizer, cost], feed_dict={x: batch_x, y: batch_y})
            print("Epoch:", '%04d' % (epoch + 1), "cost=", "{:.9f}".format(c))
        correct = tf.equal(tf.argmax(pred, 1), tf.argmax(y, 1))
        accuracy = tf.reduce_mean(tf.cast(correct, "float"))
        print("METRIC accuracy %f" % accuracy.eval({x: mnist.test.images,
                                                     y: mnist.test.labels}))


if __name__ == '__main__':
    tf.app.run()
