"""tf.while_loop: a Newton iteration for square roots, its gradient, and a loop with a
TensorArray (TF1 style)."""
import tensorflow as tf

a = tf.placeholder(tf.float32, shape=[])
i0 = tf.constant(0)
x0 = tf.constant(1.0)


def cond(i, x):
    return tf.less(i, 20)


def body(i, x):
    return tf.add(i, 1), 0.5 * (x + a / x)


_, root = tf.while_loop(cond, body, [i0, x0])
grad = tf.gradients(root, a)[0]

n = tf.placeholder(tf.int32, [])
ta = tf.TensorArray(tf.float32, size=n)


def fill(i, ta):
    return i + 1, ta.write(i, tf.cast(i * i, tf.float32))


_, ta = tf.while_loop(lambda i, ta: i < n, fill, [0, ta])
squares_sum = tf.reduce_sum(ta.stack())

with tf.Session() as sess:
    r, g = sess.run([root, grad], {a: 2.0})
    print("METRIC sqrt2 %f" % r)
    print("METRIC dsqrt %f" % g)
    print("METRIC squares_sum %f" % sess.run(squares_sum, {n: 5}))
