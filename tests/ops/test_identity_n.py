"""IdentityN with one and with several inputs, through the compiled executor."""

import numpy as np

import flowgraph as fg


def test_identity_n_of_one_tensor_passes_it_through():
    x = fg.placeholder(fg.float32, [3])
    (y,) = fg.identity_n([x])
    z = y * 2.0
    with fg.Session() as sess:
        got_y, got_z = sess.run([y, z], {x: [1.0, 2.0, 3.0]})
    np.testing.assert_array_equal(got_y, [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(got_z, [2.0, 4.0, 6.0])
    assert got_z.shape == (3,)


def test_identity_n_of_several_tensors_and_its_gradient():
    x = fg.placeholder(fg.float64, [2])
    w = fg.constant([3.0, 4.0], fg.float64)
    a, b = fg.identity_n([x, w])
    loss = fg.reduce_sum(a * b)
    (dx,) = fg.gradients(loss, [x])
    with fg.Session() as sess:
        got_a, got_b, got_dx = sess.run([a, b, dx], {x: [1.0, 2.0]})
    np.testing.assert_array_equal(got_a, [1.0, 2.0])
    np.testing.assert_array_equal(got_b, [3.0, 4.0])
    np.testing.assert_array_equal(got_dx, [3.0, 4.0])
