"""`fg.contrib`: the parts of TF1's `tf.contrib` that TF1 scripts commonly use
(`fg.contrib.rnn`)."""

from flowgraph.contrib import rnn  # noqa: F401

__all__ = ["rnn"]
