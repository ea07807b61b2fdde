"""Shared helpers of the feature column tests."""

import flowgraph as fg


def run(fetches, feed_dict=None):
    """Runs `fetches` in a fresh session of the default graph after initializing every
    variable."""
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        return sess.run(fetches, feed_dict)
