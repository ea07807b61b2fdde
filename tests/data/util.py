"""Helpers of the fg.data tests: run a dataset to its end in a Session."""

import numpy as np

import flowgraph as fg


def drain(fetch, sess, feed_dict=None, limit=100000):
    """Runs `fetch` until OutOfRangeError; returns the list of values."""
    out = []
    for _ in range(limit):
        try:
            out.append(sess.run(fetch, feed_dict))
        except fg.errors.OutOfRangeError:
            return out
    raise AssertionError(f"no end of sequence after {limit} elements")


def elements(dataset, feed_dict=None):
    """All elements of `dataset` (an initializable iterator, run with `feed_dict`)."""
    it = dataset.make_initializable_iterator()
    nxt = it.get_next()
    with fg.Session() as sess:
        sess.run(it.initializer, feed_dict)
        return drain(nxt, sess)


def scalars(dataset):
    """The elements of a dataset of scalars as Python values."""
    return [np.asarray(v).item() for v in elements(dataset)]
