"""Data sets shipped with flowgraph (`fg.datasets.mnist.load_embedded()`)."""

from flowgraph.datasets import mnist  # noqa: F401
