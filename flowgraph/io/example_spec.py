"""How to parse each feature of a `tf.Example` (TF1's ``tf.io.FixedLenFeature``,
``VarLenFeature``, ``FixedLenSequenceFeature``): the values of `fg.io.parse_example`'s
`features` dict, and what feature columns' ``_parse_example_spec`` return."""

from __future__ import annotations

import collections
from typing import Any

from flowgraph import dtypes

__all__ = ["FixedLenFeature", "VarLenFeature", "FixedLenSequenceFeature"]


class FixedLenFeature(collections.namedtuple("FixedLenFeature",
                                             ["shape", "dtype", "default_value"])):
    """A feature with a fixed shape per example, parsed as a dense Tensor of shape
    ``[batch] + shape`` (TF1's ``tf.io.FixedLenFeature``).

    Parameters
    ----------
    shape : list of int
        The shape of one example's value (``[]`` for a scalar).
    dtype : DType
        float32, int64 or string (the three kinds of `tf.train.Feature`).
    default_value : optional
        Used for examples without the feature (its size must match `shape`); None makes
        the feature required (InvalidArgumentError for an example without it).
    """

    def __new__(cls, shape: Any, dtype: Any, default_value: Any = None) -> "FixedLenFeature":
        return super().__new__(cls, shape, dtypes.as_dtype(dtype), default_value)


class VarLenFeature(collections.namedtuple("VarLenFeature", ["dtype"])):
    """A feature of any number of values per example, parsed as a SparseTensor of dense
    shape ``[batch, max count]`` (TF1's ``tf.io.VarLenFeature``)."""

    def __new__(cls, dtype: Any) -> "VarLenFeature":
        return super().__new__(cls, dtypes.as_dtype(dtype))


class FixedLenSequenceFeature(collections.namedtuple(
        "FixedLenSequenceFeature", ["shape", "dtype", "allow_missing", "default_value"])):
    """A feature holding any number of items of shape `shape` per example, parsed as a
    dense Tensor ``[batch, max items] + shape`` padded with `default_value` (0 or b"" when
    None). TF1's ``tf.io.FixedLenSequenceFeature``; `parse_example` needs
    ``allow_missing=True``."""

    def __new__(cls, shape: Any, dtype: Any, allow_missing: bool = False,
                default_value: Any = None) -> "FixedLenSequenceFeature":
        return super().__new__(cls, shape, dtypes.as_dtype(dtype), allow_missing,
                               default_value)
