"""`fg.lookup.experimental`: TF1's experimental lookup tables."""

from flowgraph.lookup.tables import DenseHashTable  # noqa: F401

__all__ = ["DenseHashTable"]

from flowgraph.lookup.tables import MutableHashTable  # noqa: E402,F401

__all__ += ["MutableHashTable"]
