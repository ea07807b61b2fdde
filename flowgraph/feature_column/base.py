"""The feature column base classes (TF1's v1 ``_FeatureColumn``, ``_DenseColumn``,
``_CategoricalColumn``) and the argument checks every column shares.

A feature column is an immutable namedtuple describing how to turn a raw feature (an entry
of the ``features`` dict) into model input. Columns are transformed by a `_LazyBuilder`
(see `builder.py`), which caches each transformation so a column used twice is computed
once.

- A *dense* column gives a float32 tensor ``[batch, *_variable_shape]``
  (``_get_dense_tensor``); `input_layer` concatenates them.
- A *categorical* column gives int64 ids as a SparseTensor ``[batch, k]`` in
  ``[0, _num_buckets)``, optionally with a SparseTensor of weights (``_get_sparse_tensors``
  -> ``IdWeightPair``); `linear_model` gives each bucket a weight; `embedding_column` and
  `indicator_column` turn them dense.
"""

from __future__ import annotations

import collections
from typing import Any

from flowgraph import dtypes


class _FeatureColumn:
    """Base of every feature column: a `name`, a transformation of the features, and the
    spec to parse them from tf.Example protos."""

    __slots__ = ()

    @property
    def name(self) -> str:
        """The column's name (unique among the columns of one model; sets variable names)."""
        raise NotImplementedError

    @property
    def _var_scope_name(self) -> str:
        """The variable scope that holds this column's variables (its name)."""
        return self.name

    def _transform_feature(self, inputs: Any) -> Any:
        """The intermediate tensor (or SparseTensor) of this column, built from `inputs`
        (a `_LazyBuilder`)."""
        raise NotImplementedError

    @property
    def _parse_example_spec(self) -> dict:
        """{feature key: FixedLenFeature / VarLenFeature} of the raw features it reads."""
        raise NotImplementedError

    @property
    def parse_example_spec(self) -> dict:
        """{feature key: FixedLenFeature / VarLenFeature} (TF 1.15's public name)."""
        return self._parse_example_spec

    def _reset_config(self) -> None:
        """Kept for TF1 compatibility (shared embeddings); nothing to reset."""


class _DenseColumn(_FeatureColumn):
    """A column that gives a dense float32 tensor [batch, *_variable_shape]."""

    __slots__ = ()

    @property
    def _variable_shape(self) -> Any:
        """The TensorShape of one example's output (without the batch dimension)."""
        raise NotImplementedError

    @property
    def variable_shape(self) -> Any:
        """The TensorShape of one example's output (TF 1.15's public name)."""
        return self._variable_shape

    def _get_dense_tensor(self, inputs: Any, weight_collections: Any = None,
                          trainable: Any = None) -> Any:
        raise NotImplementedError


class _CategoricalColumn(_FeatureColumn):
    """A column that gives int64 ids in [0, _num_buckets) as a [batch, k] SparseTensor."""

    __slots__ = ()

    IdWeightPair = collections.namedtuple("IdWeightPair", ["id_tensor", "weight_tensor"])

    @property
    def _num_buckets(self) -> int:
        raise NotImplementedError

    @property
    def num_buckets(self) -> int:
        """The number of ids: they are in [0, num_buckets)."""
        return self._num_buckets

    def _get_sparse_tensors(self, inputs: Any, weight_collections: Any = None,
                            trainable: Any = None) -> Any:
        raise NotImplementedError


IdWeightPair = _CategoricalColumn.IdWeightPair


# --------------------------------------------------------------------------- checks
def assert_key_is_string(key: Any) -> None:
    if not isinstance(key, str):
        raise ValueError(f"key must be a string. Got: type {type(key).__name__}. Given key: "
                         f"{key!r}")


def as_dtype_or_error(dtype: Any, what: str) -> dtypes.DType:
    try:
        return dtypes.as_dtype(dtype)
    except (TypeError, ValueError, KeyError):
        raise TypeError(f"{what}: {dtype!r} is not a dtype (use e.g. fg.string, fg.int64 or "
                        f"fg.float32)") from None


def assert_string_or_int(dtype: Any, prefix: str) -> None:
    dtype = dtypes.as_dtype(dtype)
    if dtype != dtypes.string and not dtype.is_integer:
        raise ValueError(f"{prefix} dtype must be string or integer. dtype: {dtype!r}.")


def describe(value: Any) -> str:
    """A short description of a feature value for error messages."""
    shape = getattr(value, "shape", None)
    dtype = getattr(value, "dtype", None)
    name = getattr(value, "name", None) if not isinstance(value, (list, tuple)) else None
    parts = [type(value).__name__]
    if name:
        parts.append(repr(name))
    if dtype is not None:
        parts.append(f"dtype={getattr(dtype, 'name', dtype)}")
    if shape is not None:
        parts.append(f"shape={shape}")
    return " ".join(parts)
