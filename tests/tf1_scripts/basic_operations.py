"""Basic operations: constants, placeholders, matrix products (TF1 tutorial style)."""
import tensorflow as tf

a = tf.constant(2)
b = tf.constant(3)
with tf.Session() as sess:
    print("a=2, b=3")
    print("Addition with constants: %i" % sess.run(a + b))
    print("Multiplication with constants: %i" % sess.run(a * b))
    print("METRIC const_sum %f" % sess.run(a + b))

a = tf.placeholder(tf.int16)
b = tf.placeholder(tf.int16)
add = tf.add(a, b)
mul = tf.multiply(a, b)
with tf.Session() as sess:
    print("METRIC placeholder_sum %f" % sess.run(add, feed_dict={a: 2, b: 3}))
    print("METRIC placeholder_product %f" % sess.run(mul, feed_dict={a: 2, b: 3}))

matrix1 = tf.constant([[3., 3.]])
matrix2 = tf.constant([[2.], [2.]])
product = tf.matmul(matrix1, matrix2)
with tf.Session() as sess:
    result = sess.run(product)
    print("METRIC matmul %f" % result[0][0])
