"""`numeric_column` and `bucketized_column` (TF1 v1 ``NumericColumn``,
``BucketizedColumn``)."""

from __future__ import annotations

import collections
import math
from typing import Any, Callable, Optional, Sequence

from flowgraph import dtypes
from flowgraph.feature_column.base import (
    IdWeightPair,
    _CategoricalColumn,
    _DenseColumn,
    as_dtype_or_error,
    assert_key_is_string,
    describe,
)
from flowgraph.feature_column.parse_spec import FixedLenFeature
from flowgraph.shapes import TensorShape
from flowgraph.sparse_tensor import SparseTensor


# --------------------------------------------------------------------------- numeric
class NumericColumn(_DenseColumn, collections.namedtuple(
        "NumericColumn", ["key", "shape", "default_value", "dtype", "normalizer_fn"])):
    """A dense float32 feature of `shape` per example."""

    @property
    def name(self) -> str:
        return self.key

    @property
    def _parse_example_spec(self) -> dict:
        return {self.key: FixedLenFeature(self.shape, self.dtype, self.default_value)}

    @property
    def _variable_shape(self) -> TensorShape:
        return TensorShape(self.shape)

    def _transform_feature(self, inputs: Any) -> Any:
        from flowgraph.ops.cast import cast
        tensor = inputs.get(self.key)
        if isinstance(tensor, SparseTensor):
            raise ValueError(f"The corresponding Tensor of numerical column must be a Tensor. "
                             f"SparseTensor is not supported. key: {self.key}")
        if tensor.dtype.is_string or tensor.dtype == dtypes.bool_:
            raise ValueError(f"numeric_column {self.name!r} needs numbers, but feature "
                             f"{self.key!r} is {describe(tensor)}; parse strings with "
                             f"fg.string_to_number or use a categorical column.")
        if self.normalizer_fn is not None:
            tensor = self.normalizer_fn(tensor)
        return cast(tensor, dtypes.float32)

    def _get_dense_tensor(self, inputs: Any, weight_collections: Any = None,
                          trainable: Any = None) -> Any:
        tensor = inputs.get(self)
        check_elements(self, tensor, self.key)
        return tensor


def check_elements(column: Any, tensor: Any, key: str) -> None:
    """ValueError naming the column and key when a dense feature's static shape cannot hold
    the column's shape per example."""
    wanted = column._variable_shape.num_elements()
    dims = tensor.shape.as_tuple()
    if dims is None or any(d is None for d in dims[1:]):
        return
    have = math.prod(dims[1:])
    if have != wanted:
        raise ValueError(f"Feature column {column.name!r} expects {wanted} value(s) per example "
                         f"(shape {tuple(column._variable_shape.as_list())}), but feature "
                         f"{key!r} has shape {list(dims)}, i.e. {have} per example. Fix the "
                         f"column's shape or the feature's.")


def _check_shape(shape: Any, key: str) -> tuple:
    if shape is None:
        raise ValueError(f"shape must not be None. key: {key}")
    if isinstance(shape, int):
        shape = (shape,)
    try:
        shape = tuple(shape)
    except TypeError:
        raise ValueError(f"shape must be an int or a tuple of ints. shape: {shape}, key: "
                         f"{key}") from None
    for dim in shape:
        if isinstance(dim, bool) or not isinstance(dim, int):
            raise TypeError(f"shape dimensions must be integer. shape: {shape}, key: {key}")
        if dim < 1:
            raise ValueError(f"shape dimensions must be greater than 0. shape: {shape}, key: "
                             f"{key}")
    return shape


def _create_tuple(shape: tuple, value: Any) -> Any:
    if shape:
        return tuple(_create_tuple(shape[1:], value) for _ in range(shape[0]))
    return value


def _flatten(value: Any) -> list:
    if isinstance(value, (list, tuple)):
        return [x for item in value for x in _flatten(item)]
    return [value]


def _nested_shape(value: Any) -> tuple:
    if isinstance(value, (list, tuple)):
        inner = {_nested_shape(v) for v in value}
        if len(inner) != 1:
            return (len(value), None)
        return (len(value),) + inner.pop()
    return ()


def _as_tuple(value: Any) -> Any:
    return tuple(_as_tuple(v) for v in value) if isinstance(value, (list, tuple)) else value


def _check_default_value(shape: tuple, default_value: Any, dtype: dtypes.DType,
                         key: str) -> Any:
    """TF1's checks: a scalar fills the shape; a nested list must match it."""
    if default_value is None:
        return None
    if isinstance(default_value, int) and not isinstance(default_value, bool):
        return _create_tuple(shape, default_value)
    if isinstance(default_value, float) and dtype.is_floating:
        return _create_tuple(shape, default_value)
    if callable(getattr(default_value, "tolist", None)):  # numpy arrays
        default_value = default_value.tolist()
    if isinstance(default_value, (list, tuple)):
        if _nested_shape(default_value) != tuple(shape) and not (
                len(shape) == 1 and _nested_shape(default_value) == shape):
            raise ValueError(f"The shape of default_value must be equal to given shape. "
                             f"default_value: {default_value}, shape: {shape}, key: {key}")
        flat = _flatten(default_value)
        if all(isinstance(v, int) and not isinstance(v, bool) for v in flat):
            return _as_tuple(default_value)
        if any(isinstance(v, float) for v in flat) and dtype.is_floating:
            return _as_tuple(default_value)
    raise TypeError(f"default_value must be compatible with dtype. default_value: "
                    f"{default_value}, dtype: {dtype!r}, key: {key}")


def numeric_column(key: str, shape: Any = (1,), default_value: Any = None,
                   dtype: Any = dtypes.float32,
                   normalizer_fn: Optional[Callable] = None) -> NumericColumn:
    """A column of real values: feature `key` as float32, `shape` values per example.

    Parameters
    ----------
    key : the feature's key in the features dict (also the column's name)
    shape : the shape of one example's value (an int or a tuple of ints)
    default_value : the value of a missing feature when parsing examples (scalar or nested
        list of `shape`)
    dtype : the feature's dtype (integer or floating; the column's output is float32)
    normalizer_fn : applied to the feature tensor before the cast, e.g. ``lambda x: x / 10``

    >>> price = fg.feature_column.numeric_column("price")
    >>> fg.feature_column.input_layer({"price": [[1.0], [5.0]]}, [price])  # [2, 1]
    """
    assert_key_is_string(key)
    shape = _check_shape(shape, key)
    dtype = as_dtype_or_error(dtype, f"numeric_column {key!r}")
    if not (dtype.is_integer or dtype.is_floating):
        raise ValueError(f"dtype must be convertible to float. dtype: {dtype!r}, key: {key}")
    default_value = _check_default_value(shape, default_value, dtype, key)
    if normalizer_fn is not None and not callable(normalizer_fn):
        raise TypeError(f"normalizer_fn must be a callable. Given: {normalizer_fn}")
    return NumericColumn(key, shape, default_value, dtype, normalizer_fn)


# --------------------------------------------------------------------------- bucketized
class BucketizedColumn(_DenseColumn, _CategoricalColumn, collections.namedtuple(
        "BucketizedColumn", ["source_column", "boundaries"])):
    """A numeric column cut into buckets by `boundaries`: one-hot when dense, ids when
    categorical (so it can be crossed, embedded or weighted by `linear_model`)."""

    @property
    def name(self) -> str:
        return f"{self.source_column.name}_bucketized"

    @property
    def _parse_example_spec(self) -> dict:
        return self.source_column._parse_example_spec

    @property
    def _bucket_count(self) -> int:
        """Buckets per source dimension: len(boundaries) + 1."""
        return len(self.boundaries) + 1

    def _transform_feature(self, inputs: Any) -> Any:
        """The int32 bucket ids [batch, *source shape]."""
        from flowgraph.ops.feature_lookup import bucketize
        source = inputs.get(self.source_column)
        check_elements(self.source_column, source, self.source_column.key)
        return bucketize(source, boundaries=self.boundaries)

    @property
    def _variable_shape(self) -> TensorShape:
        return TensorShape(tuple(self.source_column.shape) + (self._bucket_count,))

    def _get_dense_tensor(self, inputs: Any, weight_collections: Any = None,
                          trainable: Any = None) -> Any:
        from flowgraph.ops.masking import one_hot
        ids = inputs.get(self)
        return one_hot(ids, depth=self._bucket_count, on_value=1.0, off_value=0.0)

    @property
    def _num_buckets(self) -> int:
        return self._bucket_count * self.source_column.shape[0]

    def _get_sparse_tensors(self, inputs: Any, weight_collections: Any = None,
                            trainable: Any = None) -> Any:
        """Ids [batch, source dimension]: dimension d's bucket b is id d * buckets + b."""
        from flowgraph.ops.array import stack
        from flowgraph.ops.cast import cast
        from flowgraph.ops.fill import range as fg_range
        from flowgraph.ops.math import add, multiply
        from flowgraph.ops.reorder import tile, transpose
        from flowgraph.ops.shape_ops import expand_dims, reshape, shape
        ids = inputs.get(self)
        batch = shape(ids)[0]
        dims = self.source_column.shape[0]
        i1 = reshape(tile(expand_dims(fg_range(0, batch), 1), [1, dims]), (-1,))
        i2 = tile(fg_range(0, dims), stack([batch]))
        bucket_ids = add(reshape(ids, (-1,)), multiply(i2, self._bucket_count))
        indices = cast(transpose(stack([i1, i2])), dtypes.int64)
        dense_shape = cast(stack([batch, dims]), dtypes.int64)
        return IdWeightPair(SparseTensor(indices, cast(bucket_ids, dtypes.int64),
                                         dense_shape), None)


def bucketized_column(source_column: Any, boundaries: Sequence[float]) -> BucketizedColumn:
    """Buckets of a numeric column: bucket i holds values in [boundaries[i-1],
    boundaries[i]); values below boundaries[0] go to bucket 0, the rest to the last.

    The dense form (in `input_layer`) is one-hot ``[batch, shape..., len(boundaries) + 1]``;
    the name is ``"<source name>_bucketized"``.

    >>> age = fg.feature_column.numeric_column("age")
    >>> age_buckets = fg.feature_column.bucketized_column(age, [18, 25, 30])  # 4 buckets
    """
    if not isinstance(source_column, NumericColumn):
        raise ValueError(f"source_column must be a column generated with numeric_column(). "
                         f"Given: {source_column}")
    if len(source_column.shape) > 1:
        raise ValueError(f"source_column must be one-dimensional column. Given: "
                         f"{source_column}")
    if not boundaries or not isinstance(boundaries, (list, tuple)):
        raise ValueError("boundaries must be a sorted list.")
    for i in range(len(boundaries) - 1):
        if boundaries[i] >= boundaries[i + 1]:
            raise ValueError("boundaries must be a sorted list.")
    return BucketizedColumn(source_column, tuple(boundaries))


_NumericColumn = NumericColumn  # TF1's v1 class names
_BucketizedColumn = BucketizedColumn
