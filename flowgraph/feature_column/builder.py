"""`_LazyBuilder`: reads raw features and caches column transformations (TF1's v1
``_LazyBuilder``), and the dense-to-sparse conversion categorical columns share."""

from __future__ import annotations

import contextlib
from typing import Any, Iterator, Mapping

from flowgraph import dtypes
from flowgraph.feature_column.base import _FeatureColumn, describe
from flowgraph.graph import Tensor
from flowgraph.sparse_tensor import SparseTensor, SparseTensorValue


class _LazyBuilder:
    """Builds each feature column's transformation once from a ``features`` dict.

    ``get("key")`` is the raw feature as a Tensor or SparseTensor (rank 1 becomes
    ``[batch, 1]``); ``get(column)`` is ``column._transform_feature(builder)``, cached.
    Errors say which feature column asked for the missing or malformed feature.
    """

    def __init__(self, features: Mapping) -> None:
        if not isinstance(features, Mapping):
            raise TypeError(f"features must be a dict of feature key to Tensor, SparseTensor "
                            f"or array, got {type(features).__name__}")
        self._features = dict(features)
        self._cache: dict = {}
        self._stack: list = []  # the columns being transformed, for error messages

    @property
    def features(self) -> dict:
        return self._features

    def current_column(self) -> Any:
        return self._stack[-1] if self._stack else None

    @contextlib.contextmanager
    def transforming(self, column: Any) -> Iterator[None]:
        self._stack.append(column)
        try:
            yield
        finally:
            self._stack.pop()

    def where(self) -> str:
        """' (feature column 'x')' naming the column being transformed, if any."""
        names: list = []
        for column in self._stack:
            if column.name not in names:
                names.append(column.name)
        if not names:
            return ""
        used_by = f", used by {names[0]!r}" if len(names) > 1 else ""
        return f" (feature column {names[-1]!r}{used_by})"

    def get(self, key: Any) -> Any:
        """The raw feature `key` (a string) or the transformed column `key`, cached."""
        if not isinstance(key, (str, _FeatureColumn)):
            raise TypeError(f'"key" must be either a "str" or "_FeatureColumn". Provided: {key}')
        cache_key = ("raw", key) if isinstance(key, str) else ("column", key)
        if cache_key in self._cache:
            return self._cache[cache_key]
        if isinstance(key, str):
            value = self._raw_feature(key)
        else:
            with self.transforming(key):
                value = key._transform_feature(self)
            if value is None:
                raise ValueError(f"Column {key.name} is not supported.")
        self._cache[cache_key] = value
        return value

    def _raw_feature(self, key: str) -> Any:
        if key not in self._features:
            known = sorted(str(k) for k in self._features)
            raise ValueError(f"Feature {key} is not in features dictionary{self.where()}. "
                             f"The features given are {known}; add {key!r} to the features "
                             f"(e.g. in the input_fn) or fix the column's key.")
        raw = self._features[key]
        tensor = self._as_tensor(key, raw)
        rank = tensor.shape.ndims
        if rank == 0:
            raise ValueError(f"Feature (key: {key}) cannot have rank 0{self.where()}. Given: "
                             f"{describe(raw)}; give one value per example (shape [batch] or "
                             f"[batch, n]).")
        if rank == 1:
            return _expand_dims(tensor)
        if rank is None and not isinstance(tensor, SparseTensor):
            # Unknown rank: [batch] and [batch, n] both become [batch, n] (TF1 expands rank 1
            # with a cond on the rank; a reshape does the same for ranks 1 and 2).
            from flowgraph.ops.array import stack
            from flowgraph.ops.shape_ops import reshape, shape
            return reshape(tensor, stack([shape(tensor)[0], -1]))
        return tensor

    def _as_tensor(self, key: str, raw: Any) -> Any:
        from flowgraph.ops.constant import convert_to_tensor
        if isinstance(raw, SparseTensorValue):
            return SparseTensor.from_value(raw)
        if isinstance(raw, SparseTensor):
            return raw
        try:
            return convert_to_tensor(raw)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"Feature (key: {key}){self.where()} could not be converted to a "
                             f"tensor: {exc}. Given: {describe(raw)}") from None


def _expand_dims(tensor: Any) -> Any:
    """[batch] -> [batch, 1] (dense or sparse)."""
    from flowgraph.ops.array import concat, stack
    from flowgraph.ops.fill import zeros_like
    from flowgraph.ops.shape_ops import expand_dims
    if not isinstance(tensor, SparseTensor):
        return expand_dims(tensor, -1)
    column = zeros_like(tensor.indices)
    indices = concat([tensor.indices, column], 1)
    shape = stack([tensor.dense_shape[0], tensor.dense_shape[0] * 0 + 1])
    return SparseTensor(indices, tensor.values, shape)


def to_sparse_input_and_drop_ignore_values(input_tensor: Any, ignore_value: Any = None) -> Any:
    """A SparseTensor of the dense tensor's entries that are not `ignore_value` (default:
    b"" for strings, -1 for integers, 0 for floats), as TF1; SparseTensors pass through."""
    from flowgraph.graph import name_scope
    from flowgraph.ops.cast import cast
    from flowgraph.ops.compare import not_equal
    from flowgraph.ops.constant import convert_to_tensor
    from flowgraph.ops.gather import gather_nd
    from flowgraph.ops.logic import where
    from flowgraph.ops.shape_ops import shape
    if isinstance(input_tensor, SparseTensorValue):
        return SparseTensor.from_value(input_tensor)
    if isinstance(input_tensor, SparseTensor):
        return input_tensor
    input_tensor = convert_to_tensor(input_tensor)
    with name_scope(None, "to_sparse_input", [input_tensor]):
        if ignore_value is None:
            if input_tensor.dtype == dtypes.string:
                ignore_value = b""
            elif input_tensor.dtype.is_integer:
                ignore_value = -1  # -1 means a missing feature, as TF1
            else:
                ignore_value = 0
        if input_tensor.dtype == dtypes.string:
            ignore = convert_to_tensor(ignore_value, dtype=dtypes.string, name="ignore_value")
        else:
            ignore = cast(convert_to_tensor(ignore_value), input_tensor.dtype,
                          name="ignore_value")
        indices = where(not_equal(input_tensor, ignore), name="indices")
        return SparseTensor(indices=indices,
                            values=gather_nd(input_tensor, indices, name="values"),
                            dense_shape=shape(input_tensor, out_type=dtypes.int64,
                                              name="dense_shape"))


def is_tensor_like(value: Any) -> bool:
    return isinstance(value, (Tensor, SparseTensor))
