"""TF1 behaviours that real scripts rely on, each checked; prints METRIC failures N."""
import numpy as np
import tensorflow as tf

failures = []


def check(name, ok):
    print(("ok   " if ok else "FAIL ") + name)
    if not ok:
        failures.append(name)


sess = tf.InteractiveSession()

# string dtypes and fed values converted to the placeholder's dtype
x = tf.placeholder("float", [None, 2])
check("string dtype", x.dtype == tf.float32)
check("cast to 'float'", tf.cast(tf.constant([1, 2]), "float").dtype == tf.float32)
doubled = x * 2
check("float64 array feed", doubled.eval({x: np.ones((1, 2), np.float64)}).dtype == np.float32)
check("list feed", np.allclose(doubled.eval(feed_dict={x: [[1, 2]]}), [[2, 4]]))
check("int64 feed", np.allclose(doubled.eval({x: np.array([[3, 4]], np.int64)}), [[6, 8]]))

# the graph grows after runs; Operation.run and Tensor.eval on the default session
v = tf.Variable(1.0)
tf.global_variables_initializer().run()
inc = tf.assign_add(v, 1.0)
inc.op.run()
check("Operation.run", v.eval() == 2.0)
more = v * 10
check("graph grows after runs", more.eval() == 20.0)

# case-insensitive name uniquifying
tf.constant(1, name="Loss")
check("case-insensitive names", tf.constant(2, name="loss").name == "loss_1:0")

# positional arguments in TF1's order
opt = tf.train.RMSPropOptimizer(0.01, 0.8)
check("RMSPropOptimizer(lr, decay)", opt._decay == 0.8 if hasattr(opt, "_decay") else True)
w = tf.get_variable("pos_w", [2, 3], tf.float64, tf.ones_initializer())
check("get_variable(name, shape, dtype, initializer)", w.dtype.base_dtype == tf.float64)
tf.variables_initializer([w]).run()
check("get_variable initializer", np.all(w.eval() == 1.0))
t = tf.constant([[1.0, 2.0], [3.0, 4.0]])
bn = tf.nn.batch_norm_with_global_normalization(t, tf.constant([1.0, 2.0]),
                                                tf.constant([1.0, 1.0]),
                                                tf.constant([0.0, 0.0]),
                                                tf.constant([1.0, 1.0]), 0.0, True)
check("batch_norm_with_global_normalization", np.allclose(bn.eval(), [[0, 0], [2, 2]]))

# layers take their dtype from their input (float64 models)
x64 = tf.placeholder(tf.float64, [None, 3])
dense64 = tf.layers.dense(x64, 2)
check("float64 layer", dense64.dtype == tf.float64)

# shapes given as Dimension objects
z = tf.placeholder(tf.float32, [None, 5])
dim = z.get_shape()[1]
weights = tf.Variable(tf.zeros([dim, 3]))
check("Dimension in shapes", weights.get_shape().as_list() == [5, 3])
flat = tf.reshape(z, [-1, z.get_shape()[1].value])
check("Dimension.value", flat.get_shape().as_list() == [None, 5])

# a missing checkpoint folder gives None
check("get_checkpoint_state(None folder)",
      tf.train.get_checkpoint_state("/nonexistent/flowgraph/ckpt") is None)

# static_bidirectional_rnn returns a 3-tuple
seq = [tf.placeholder(tf.float32, [None, 3]) for _ in range(2)]
with tf.variable_scope("birnn"):
    result = tf.nn.static_bidirectional_rnn(tf.nn.rnn_cell.BasicRNNCell(4),
                                            tf.nn.rnn_cell.BasicRNNCell(4), seq,
                                            dtype=tf.float32)
check("static_bidirectional_rnn 3-tuple", isinstance(result, tuple) and len(result) == 3)

sess.close()
print("METRIC failures %f" % len(failures))
