"""Hashing ops: strings into hash buckets, and hashed feature crosses (as TF1's).

`StringToHashBucketFast` is TF1's ``string_to_hash_bucket_fast``: FarmHash Fingerprint64 of
each string modulo `num_buckets`. `SparseCross` is TF1's ``sparse_cross`` /
``sparse_cross_hashed`` kernel: per batch row, the cartesian product of the features of
several sparse (and dense) inputs, each combination hashed with ``FingerprintCat64`` (or
joined as the string ``"a_X_b"``). Both give TF1's exact bucket ids for the same inputs.
"""

from __future__ import annotations

from typing import Any, Optional, Sequence

import numpy as np

from flowgraph import dtypes, errors
from flowgraph.graph import Tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.elementwise import check_dtype
from flowgraph.ops.farmhash import fingerprint64, fingerprint_cat64
from flowgraph.ops.registry import Op, apply_op, graph_of, register
from flowgraph.shapes import TensorShape

__all__ = ["string_to_hash_bucket_fast"]

DEFAULT_HASH_KEY = 0xDECAFCAFFE  # TF1's sparse_ops._DEFAULT_HASH_KEY
_INT64_MAX = (1 << 63) - 1


# --------------------------------------------------------------------------- hash buckets
@register
class StringToHashBucketFast(Op):
    """Fingerprint64(s) % num_buckets for each string s, as int64 (TF1's op of that name)."""

    num_buckets: int = 1

    differentiable = False

    def check(self) -> None:
        if self.num_buckets < 1:
            raise ValueError(f"StringToHashBucketFast: num_buckets must be >= 1, got "
                             f"{self.num_buckets}")

    def infer(self, op):
        check_dtype(op, op.inputs[0], "S", "input")
        return [(dtypes.int64, op.inputs[0].shape)]

    def kernel(self, strings):
        n = self.num_buckets
        flat = strings.reshape(-1)
        out = np.fromiter((fingerprint64(_as_bytes(s)) % n for s in flat), dtype=np.int64,
                          count=flat.size)
        return out.reshape(strings.shape)


def _as_bytes(value: Any) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else bytes(value)


def string_to_hash_bucket_fast(input: Any, num_buckets: int, name: Optional[str] = None
                               ) -> Tensor:
    """Hashes each string into one of `num_buckets` buckets (int64), as TF1: FarmHash
    Fingerprint64 of its bytes modulo `num_buckets`, so ids equal TensorFlow's.

    >>> fg.string_to_hash_bucket_fast(["Hello", "TensorFlow", "2.x"], 3)  # -> [0, 2, 2]
    """
    tensor = convert_to_tensor(input)
    return apply_op(StringToHashBucketFast(num_buckets=num_buckets), [tensor], name=name)


# --------------------------------------------------------------------------- sparse cross
@register
class SparseCross(Op):
    """The cross of `num_sparse` SparseTensors (inputs: all their indices, then all values,
    then all dense shapes) and dense [batch, n] tensors (the remaining inputs): outputs the
    indices, values and dense shape of a [batch, max crosses] SparseTensor.

    Row b holds every combination of one feature of row b from each input (the last input
    varies fastest). Hashed: ``FingerprintCat64`` folded over the features' hashes starting
    from `hash_key` (strings hash by Fingerprint64, integers are their own hash), modulo
    `num_buckets` (or 2**63 - 1 when it is 0); otherwise the strings joined with "_X_".
    """

    num_sparse: int = 0
    hashed_output: bool = True
    num_buckets: int = 0
    hash_key: int = DEFAULT_HASH_KEY

    differentiable = False

    def check(self) -> None:
        if self.num_sparse < 0 or self.num_buckets < 0:
            raise ValueError("SparseCross: num_sparse and num_buckets must be >= 0")
        if not 0 <= self.hash_key < (1 << 64):
            raise ValueError(f"SparseCross: hash_key must fit in 64 bits, got {self.hash_key}")

    def infer(self, op):
        n = self.num_sparse
        if len(op.inputs) < 3 * n or len(op.inputs) == 0:
            raise ValueError(f"SparseCross: expected 3 * {n} sparse inputs and dense inputs, "
                             f"got {len(op.inputs)} inputs")
        for t in op.inputs[n:2 * n] + op.inputs[3 * n:]:
            check_dtype(op, t, "iuS", "input values")
        for t in op.inputs[3 * n:]:
            if t.shape.ndims not in (None, 2):
                raise ValueError(f"SparseCross: dense inputs must be 2-D [batch, n], got "
                                 f"{t.name} of shape {t.shape}")
        out = dtypes.int64 if self.hashed_output else dtypes.string
        return [(dtypes.int64, TensorShape([None, 2])), (out, TensorShape([None])),
                (dtypes.int64, TensorShape([2]))]

    def kernel(self, *values):
        n = self.num_sparse
        columns, batch = [], None
        for i in range(n):
            indices, vals, shape = values[i], values[n + i], values[2 * n + i]
            if indices.shape[0] != vals.shape[0]:
                raise errors.InvalidArgumentError(
                    None, None, f"SparseCross: input {i} has {indices.shape[0]} indices but "
                    f"{vals.shape[0]} values")
            rows = int(shape[0]) if shape.size else 0
            columns.append(_rows_of_sparse(indices, vals, rows))
            batch = _same_batch(batch, rows, i)
        for j, dense in enumerate(values[3 * n:]):
            if dense.ndim != 2:
                raise errors.InvalidArgumentError(
                    None, None, f"SparseCross: dense input {j} must be 2-D, got shape "
                    f"{list(dense.shape)}")
            columns.append([list(row) for row in dense])
            batch = _same_batch(batch, dense.shape[0], n + j)
        batch = batch or 0
        feature = self._hashes if self.hashed_output else self._strings
        columns = [[feature(row) for row in col] for col in columns]
        out_indices, out_values, width = [], [], 0
        for b in range(batch):
            crosses = _product([col[b] for col in columns])
            for k, combo in enumerate(crosses):
                out_indices.append((b, k))
                out_values.append(self._combine(combo))
            width = max(width, len(crosses))
        indices = np.array(out_indices, dtype=np.int64).reshape(-1, 2)
        if self.hashed_output:
            out = np.array(out_values, dtype=np.uint64).astype(np.int64).reshape(-1)
        else:
            out = np.empty(len(out_values), dtype=object)
            out[:] = out_values
        return indices, out, np.array([batch, width], dtype=np.int64)

    @staticmethod
    def _hashes(row: list) -> list:
        return [fingerprint64(_as_bytes(v)) if isinstance(v, (bytes, str))
                else int(v) & ((1 << 64) - 1) for v in row]

    @staticmethod
    def _strings(row: list) -> list:
        return [_as_bytes(v) if isinstance(v, (bytes, str)) else str(int(v)).encode("ascii")
                for v in row]

    def _combine(self, combo: tuple) -> Any:
        if not self.hashed_output:
            return b"_X_".join(combo)
        h = self.hash_key
        for fp in combo:
            h = fingerprint_cat64(h, fp)
        return h % (self.num_buckets if self.num_buckets > 0 else _INT64_MAX)


def _rows_of_sparse(indices: np.ndarray, values: np.ndarray, rows: int) -> list:
    """The values of each batch row of a SparseTensor, in the order they are stored."""
    out: list = [[] for _ in range(rows)]
    for index, value in zip(indices, values):
        row = int(index[0])
        if not 0 <= row < rows:
            raise errors.InvalidArgumentError(
                None, None, f"SparseCross: index {list(index)} is outside the dense shape's "
                f"{rows} rows")
        out[row].append(value)
    return out


def _same_batch(batch: Optional[int], rows: int, i: int) -> int:
    if batch is not None and batch != rows:
        raise errors.InvalidArgumentError(
            None, None, f"SparseCross: input {i} has a batch of {rows} rows, the inputs before "
            f"it {batch}; every input must have the same batch size")
    return rows


def _product(lists: list) -> list:
    """The cartesian product with the last list varying fastest (TF1's ProductIterator)."""
    result: list = [()]
    for items in lists:
        result = [prefix + (item,) for prefix in result for item in items]
    return result


def sparse_cross(inputs: Sequence[Any], hashed_output: bool = False, num_buckets: int = 0,
                 hash_key: Optional[int] = None, name: Optional[str] = None) -> Any:
    """`fg.sparse.cross` / `cross_hashed`: the cross of SparseTensors and dense [batch, n]
    tensors of int64 or string features, as a [batch, crosses] SparseTensor (strings
    "a_X_b", or int64 hashes into `num_buckets` when `hashed_output`)."""
    from flowgraph.ops.cast import cast
    from flowgraph.sparse_tensor import SparseTensor, SparseTensorValue
    if not isinstance(inputs, (list, tuple)):
        raise TypeError("Inputs must be a list")
    with graph_of(*[getattr(i, "values", i) for i in inputs]).as_default():
        sparse, dense = [], []
        for item in inputs:
            if isinstance(item, SparseTensorValue):
                item = SparseTensor.from_value(item)
            if isinstance(item, SparseTensor):
                sparse.append(item)
            else:
                dense.append(convert_to_tensor(item))
        if not sparse and not dense:
            raise ValueError("sparse_cross needs at least one input")

        def int64_or_string(t: Tensor) -> Tensor:
            if t.dtype.is_string or t.dtype == dtypes.int64:
                return t
            if not t.dtype.is_integer:
                raise TypeError(f"sparse_cross inputs must be int64 or string, got "
                                f"{t.dtype.name} ({t.name})")
            return cast(t, dtypes.int64)

        parts = ([s.indices for s in sparse] + [int64_or_string(s.values) for s in sparse]
                 + [s.dense_shape for s in sparse] + [int64_or_string(d) for d in dense])
        op_def = SparseCross(num_sparse=len(sparse), hashed_output=hashed_output,
                             num_buckets=num_buckets,
                             hash_key=DEFAULT_HASH_KEY if hash_key is None else hash_key)
        indices, values, shape = apply_op(op_def, parts, name=name)
        return SparseTensor(indices, values, shape)


def sparse_cross_hashed(inputs: Sequence[Any], num_buckets: int = 0,
                        hash_key: Optional[int] = None, name: Optional[str] = None) -> Any:
    """`fg.sparse.cross_hashed`: `sparse_cross` with int64 hashed output, as TF1."""
    return sparse_cross(inputs, hashed_output=True, num_buckets=num_buckets,
                        hash_key=hash_key, name=name)
