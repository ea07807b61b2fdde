"""Parsing specs of raw features (TF1's ``FixedLenFeature`` / ``VarLenFeature``), as
returned by feature columns' ``_parse_example_spec`` and `make_parse_example_spec`."""

from __future__ import annotations

import collections
from typing import Any

from flowgraph import dtypes


class FixedLenFeature(collections.namedtuple("FixedLenFeature",
                                             ["shape", "dtype", "default_value"])):
    """A feature of a fixed shape per example (TF1's ``tf.io.FixedLenFeature``)."""

    def __new__(cls, shape: Any, dtype: Any, default_value: Any = None) -> "FixedLenFeature":
        return super().__new__(cls, shape, dtypes.as_dtype(dtype), default_value)


class VarLenFeature(collections.namedtuple("VarLenFeature", ["dtype"])):
    """A feature of any number of values per example, parsed as a SparseTensor (TF1's
    ``tf.io.VarLenFeature``)."""

    def __new__(cls, dtype: Any) -> "VarLenFeature":
        return super().__new__(cls, dtypes.as_dtype(dtype))
