"""`fg.contrib`: the parts of TF1's `tf.contrib` that TF1 scripts commonly use
(`fg.contrib.rnn`, `fg.contrib.layers`)."""

from flowgraph.contrib import layers, rnn  # noqa: F401

__all__ = ["layers", "rnn"]
