"""Helpers shared by the fg.distributions tests."""

import numpy as np

import flowgraph as fg


def f64(v):
    """`v` as a float64 constant."""
    return fg.constant(np.asarray(v, np.float64))


def run(*tensors):
    """The values of `tensors`, from one run of a new Session."""
    with fg.Session() as sess:
        return sess.run(list(tensors))
