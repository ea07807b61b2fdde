"""ParseExample: serialized `tf.Example` protos to dense and sparse tensors (the op behind
`fg.io.parse_example` / `parse_single_example`, flowgraph.io.example_parsing).

Inputs: ``serialized`` (a string scalar or vector), ``names`` (a string vector of example
names for error messages, or empty), then one default per dense key (an empty tensor for a
required feature; a scalar padding value for a variable-length one).
Outputs, in TF's order: for each sparse key its ``indices`` (int64 [N, rank + 1]), then
each ``values`` ([N]), then each ``dense_shape`` (int64 [rank + 1]); then each dense value
(``serialized.shape + dense_shape``; a dense shape whose first dimension is None is a
FixedLenSequenceFeature: padded to the longest example).
"""

from __future__ import annotations

from typing import Optional, Tuple

import numpy as np

from flowgraph import dtypes, errors
from flowgraph.io.example_wire import DecodeError, decode_example_features
from flowgraph.ops.registry import Op, register
from flowgraph.shapes import TensorShape, as_shape

__all__: list = []

PARSE_DTYPES = (dtypes.float32, dtypes.int64, dtypes.string)
_KIND = {dtypes.float32: "float_list", dtypes.int64: "int64_list",
         dtypes.string: "bytes_list"}
_KIND_TYPE = {"float_list": "float", "int64_list": "int64", "bytes_list": "string"}


def type_name(dtype: dtypes.DType) -> str:
    """TF's name of a parse dtype in messages ("float", "int64", "string")."""
    return _KIND_TYPE[_KIND[dtype]]


def _shape_text(shape: TensorShape) -> str:
    return "[" + ",".join("?" if d is None else str(d) for d in shape.as_list()) + "]"


@register
class ParseExample(Op):
    """Parses serialized tf.Example protos (see the module docstring for its inputs and
    outputs); not differentiable."""

    sparse_keys: Tuple[str, ...] = ()
    sparse_types: Tuple[dtypes.DType, ...] = ()
    dense_keys: Tuple[str, ...] = ()
    dense_types: Tuple[dtypes.DType, ...] = ()
    dense_shapes: Tuple[TensorShape, ...] = ()

    differentiable = False

    def check(self) -> None:
        object.__setattr__(self, "sparse_types",
                           tuple(dtypes.as_dtype(t) for t in self.sparse_types))
        object.__setattr__(self, "dense_types",
                           tuple(dtypes.as_dtype(t) for t in self.dense_types))
        object.__setattr__(self, "dense_shapes",
                           tuple(as_shape(s) for s in self.dense_shapes))
        if len(self.sparse_types) != len(self.sparse_keys):
            raise ValueError(f"ParseExample has {len(self.sparse_keys)} sparse keys but "
                             f"{len(self.sparse_types)} sparse types")
        if not len(self.dense_keys) == len(self.dense_types) == len(self.dense_shapes):
            raise ValueError(f"ParseExample has {len(self.dense_keys)} dense keys, "
                             f"{len(self.dense_types)} dense types and "
                             f"{len(self.dense_shapes)} dense shapes; they must match")
        for key, dtype in zip(self.sparse_keys + self.dense_keys,
                              self.sparse_types + self.dense_types):
            if dtype not in PARSE_DTYPES:
                raise TypeError(f"Feature {key!r} has dtype {dtype.name}; a tf.Example holds "
                                "only float32, int64 and string values (cast after parsing)")
        for key, shape in zip(self.dense_keys, self.dense_shapes):
            dims = shape.as_list() if shape.ndims is not None else None
            if dims is None or any(d is None for d in dims[1:]):
                raise ValueError(f"Dense feature {key!r} has shape {shape}: only its first "
                                 "dimension may be unknown (a FixedLenSequenceFeature)")

    def infer(self, op):
        serialized, names = op.inputs[0], op.inputs[1]
        defaults = op.inputs[2:]
        if not serialized.dtype.is_string or not names.dtype.is_string:
            raise TypeError(f"ParseExample parses strings; serialized is "
                            f"{serialized.dtype.name} and names {names.dtype.name}")
        if len(defaults) != len(self.dense_keys):
            raise ValueError(f"ParseExample needs one default per dense key "
                             f"({len(self.dense_keys)}), got {len(defaults)}")
        for key, dtype, default in zip(self.dense_keys, self.dense_types, defaults):
            if default.dtype != dtype:
                raise TypeError(f"The default of feature {key!r} is {default.dtype.name}, "
                                f"but the feature is {dtype.name}")
        rank = serialized.shape.ndims
        if rank is not None and rank > 1:
            raise ValueError(f"Shape must be at most rank 1 but is rank {rank}: serialized "
                             "is one example (a scalar) or a batch (a vector); reshape it "
                             "to a vector first")
        batch = serialized.shape.as_list() if rank is not None else None
        out_rank = None if rank is None else rank + 1
        specs = [(dtypes.int64, TensorShape([None, out_rank])) for _ in self.sparse_keys]
        specs += [(t, TensorShape([None])) for t in self.sparse_types]
        specs += [(dtypes.int64, TensorShape([out_rank])) for _ in self.sparse_keys]
        for dtype, shape in zip(self.dense_types, self.dense_shapes):
            specs.append((dtype, TensorShape(None) if batch is None else
                          TensorShape(batch + shape.as_list())))
        return specs

    def kernel(self, serialized, names, *defaults):
        serialized = np.asarray(serialized, dtype=object)
        if serialized.ndim > 1:
            raise errors.InvalidArgumentError(None, None, "Expected serialized to be a scalar "
                                              f"or vector, got shape {serialized.shape}")
        flat = serialized.reshape(-1)
        names = np.asarray(names, dtype=object).reshape(-1)
        if names.size and names.shape != flat.shape:
            raise errors.InvalidArgumentError(
                None, None, "Expected names have the same shape as serialized: "
                f"name.shape=[{names.size}], serialized.shape=[{flat.size}]")
        examples = [_decode(record) for record in flat]
        labels = [_label(names[i]) if names.size else "<unknown>" for i in range(len(flat))]
        batch = None if serialized.ndim == 0 else len(flat)
        sparse = [self._sparse(examples, labels, key, dtype, batch)
                  for key, dtype in zip(self.sparse_keys, self.sparse_types)]
        dense = [self._dense(examples, labels, key, dtype, shape, np.asarray(default), batch)
                 for key, dtype, shape, default in zip(self.dense_keys, self.dense_types,
                                                       self.dense_shapes, defaults)]
        outputs = ([s[0] for s in sparse] + [s[1] for s in sparse] + [s[2] for s in sparse]
                   + dense)
        return outputs[0] if len(outputs) == 1 else tuple(outputs)

    def _values(self, example: dict, label: str, index: int, key: str,
                dtype: dtypes.DType, sparse: bool) -> Optional[list]:
        """The feature's values in one example (None when absent or of no kind)."""
        kind, values = example.get(key, (None, None))
        if kind is None:
            return None
        if kind != _KIND[dtype]:
            if sparse:
                detail = (f"Expected type: {type_name(dtype)}, Actual type: "
                          f"{_KIND_TYPE[kind]}")
            else:
                detail = f"Data type: {_KIND_TYPE[kind]} but expected type: {type_name(dtype)}"
            raise errors.InvalidArgumentError(None, None, f"Name: {label}, Key: {key}, Index: "
                                              f"{index}.  Data types don't match. {detail}")
        return values

    def _sparse(self, examples: list, labels: list, key: str, dtype: dtypes.DType,
                batch: Optional[int]) -> tuple:
        per_example = [_or_empty(self._values(ex, labels[i], i, key, dtype, True))
                       for i, ex in enumerate(examples)]
        counts = [len(v) for v in per_example]
        total = sum(counts)
        if dtype == dtypes.float32:  # float values arrive as numpy arrays
            values = np.concatenate([np.zeros(0, np.float32)] +
                                    [np.asarray(v, np.float32) for v in per_example])
        else:
            values = _array([v for vals in per_example for v in vals], dtype, total)
        positions = np.concatenate([np.arange(c, dtype=np.int64) for c in counts]) \
            if counts else np.zeros(0, np.int64)
        longest = max(counts, default=0)
        if batch is None:
            return positions.reshape(-1, 1), values, np.array([longest], np.int64)
        rows = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
        indices = np.stack([rows, positions], axis=1).astype(np.int64).reshape(-1, 2)
        return indices, values, np.array([batch, longest], np.int64)

    def _dense(self, examples: list, labels: list, key: str, dtype: dtypes.DType,
               shape: TensorShape, default: np.ndarray, batch: Optional[int]) -> np.ndarray:
        dims = shape.as_list()
        if dims and dims[0] is None:
            return self._sequence(examples, labels, key, dtype, dims, default, batch)
        size = int(np.prod(dims, dtype=np.int64))
        out = np.empty((len(examples), size), dtype=object if dtype.is_string else dtype.np)
        for i, example in enumerate(examples):
            values = self._values(example, labels[i], i, key, dtype, False)
            if values is None:
                if default.size == 0 and size != 0:
                    raise errors.InvalidArgumentError(
                        None, None, f"Name: {labels[i]}, Feature: {key} (data type: "
                        f"{type_name(dtype)}) is required but could not be found.")
                if default.size != size:
                    raise errors.InvalidArgumentError(
                        None, None, f"Feature {key}: the default value has {default.size} "
                        f"elements but the feature's shape {_shape_text(shape)} needs {size}")
                out[i] = default.reshape(-1)
                continue
            if len(values) != size:
                raise errors.InvalidArgumentError(
                    None, None, f"Name: {labels[i]}, Key: {key}, Index: {i}.  Number of "
                    f"{type_name(dtype)} values != expected.  Values size: {len(values)} but "
                    f"output shape: {_shape_text(shape)}")
            out[i] = _array(values, dtype, size)
        out = out.reshape([len(examples)] + dims)
        return out if batch is not None else out[0]

    def _sequence(self, examples: list, labels: list, key: str, dtype: dtypes.DType,
                  dims: list, default: np.ndarray, batch: Optional[int]) -> np.ndarray:
        stride = int(np.prod(dims[1:], dtype=np.int64))
        rows = []
        for i, example in enumerate(examples):
            values = _or_empty(self._values(example, labels[i], i, key, dtype, False))
            if (stride == 0 and len(values)) or (stride and len(values) % stride):
                raise errors.InvalidArgumentError(
                    None, None, f"Name: {labels[i]}, Key: {key}, Index: {i}.  Number of "
                    f"{type_name(dtype)} values is not a multiple of stride length. Saw "
                    f"{len(values)} values but output shape is: {_shape_text(TensorShape(dims))}")
            rows.append(_array(values, dtype, len(values)).reshape([-1] + dims[1:]))
        longest = max((len(r) for r in rows), default=0)
        pad = _padding(default, dtype)
        out = np.empty([len(rows), longest] + dims[1:],
                       dtype=object if dtype.is_string else dtype.np)
        out[...] = pad
        for i, r in enumerate(rows):
            out[i, :len(r)] = r
        return out if batch is not None else out[0]


def _decode(record: object) -> dict:
    data = record.encode("utf-8") if isinstance(record, str) else bytes(record)
    try:
        return decode_example_features(data)
    except DecodeError:
        shown = data[:64].decode("latin-1").encode("unicode_escape").decode("ascii")
        raise errors.InvalidArgumentError(
            None, None, f"Could not parse example input, value: '{shown}'"
            + ("..." if len(data) > 64 else "") + " (not a serialized tf.Example)") from None


def _or_empty(values: Optional[list]) -> list:
    return [] if values is None else values


def _label(name: object) -> str:
    return name.decode("utf-8", "replace") if isinstance(name, bytes) else str(name)


def _array(values: object, dtype: dtypes.DType, count: int) -> np.ndarray:
    if dtype.is_string:
        out = np.empty(count, dtype=object)
        out[:] = values if count else []
        return out
    return np.asarray(values, dtype=dtype.np).reshape(count)


def _padding(default: np.ndarray, dtype: dtypes.DType) -> object:
    if default.size:
        return default.reshape(-1)[0]
    return b"" if dtype.is_string else dtype.np.type(0)
