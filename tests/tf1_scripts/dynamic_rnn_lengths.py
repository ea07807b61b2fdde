"""A dynamic_rnn over variable-length sequences with sequence_length (TF1 tutorial style).

Task: each sequence holds 0/1 values followed by padding; the label is whether the count of
ones in the valid part is odd... kept easy: whether the valid part's mean is above 0.5.
"""
import numpy as np
import tensorflow as tf

max_len, batch, hidden = 12, 64, 32
rng = np.random.RandomState(0)


def make_batch():
    lengths = rng.randint(3, max_len + 1, size=batch)
    x = np.zeros((batch, max_len, 1), np.float32)
    y = np.zeros((batch,), np.int64)
    for i, n in enumerate(lengths):
        values = rng.rand(n)
        x[i, :n, 0] = values
        x[i, n:, 0] = 5.0   # padding that would change the answer if it leaked in
        y[i] = int(values.mean() > 0.5)
    return x, y, lengths


data = tf.placeholder(tf.float32, [None, max_len, 1])
target = tf.placeholder(tf.int64, [None])
seqlen = tf.placeholder(tf.int32, [None])
cell = tf.nn.rnn_cell.LSTMCell(hidden)
outputs, state = tf.nn.dynamic_rnn(cell, data, dtype=tf.float32, sequence_length=seqlen)
logits = tf.layers.dense(state.h, 2)
loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=target,
                                                                     logits=logits))
train = tf.train.AdamOptimizer(0.01).minimize(loss)
accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), target), tf.float32))

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    x, y, n = make_batch()
    first = sess.run(loss, {data: x, target: y, seqlen: n})
    for step in range(150):
        x, y, n = make_batch()
        sess.run(train, {data: x, target: y, seqlen: n})
    x, y, n = make_batch()
    out = sess.run(outputs, {data: x, target: y, seqlen: n})
    padded_zero = all(np.all(out[i, n[i]:] == 0) for i in range(batch))
    print("METRIC first_loss %f" % first)
    print("METRIC final_loss %f" % sess.run(loss, {data: x, target: y, seqlen: n}))
    print("METRIC accuracy %f" % sess.run(accuracy, {data: x, target: y, seqlen: n}))
    print("METRIC padding_outputs_zero %f" % float(padded_zero))
