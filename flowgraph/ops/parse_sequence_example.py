"""ParseSingleSequenceExample: one serialized ``tf.train.SequenceExample`` to context and
per-step tensors (the op behind ``fg.io.parse_single_sequence_example``,
flowgraph.io.sequence_example_parsing).

Inputs: ``serialized`` (string scalar), ``debug_name`` (string scalar, "" for none), then
one default per context dense key (empty for a required feature).
Outputs, in TF's order: context sparse indices (int64 [N, 1]) / values / dense shapes
(int64 [1]), context dense values (their shapes), then feature-list sparse indices (int64
[N, 2]: step, position) / values / dense shapes (int64 [2]: steps, longest step), then
feature-list dense values ([steps] + shape).
The context part is read exactly as a single tf.Example (SequenceExample's field 1 is an
Example's Features), so it shares ParseExample's kernel and messages.
"""

from __future__ import annotations

import dataclasses
from typing import Tuple

import numpy as np

from flowgraph import dtypes, errors
from flowgraph.io.example_wire import LENGTH, DecodeError, decode_feature, decode_utf8, iter_fields
from flowgraph.ops.parse_example import _KIND, PARSE_DTYPES, ParseExample, type_name
from flowgraph.ops.registry import Op, register
from flowgraph.shapes import TensorShape, as_shape

__all__: list = []


def decode_feature_lists(data: bytes) -> dict:
    """{key: [(kind, values) per step]} of a serialized SequenceExample's feature_lists."""
    out: dict = {}
    for number, wire_type, lists, _, _ in iter_fields(data):
        if number != 2 or wire_type != LENGTH:
            continue
        for entry_number, entry_type, entry, _, _ in iter_fields(lists):
            if entry_number != 1 or entry_type != LENGTH:
                continue
            key, payload = "", b""
            for field_number, field_type, value, _, _ in iter_fields(entry):
                if field_type != LENGTH:
                    continue
                if field_number == 1:
                    key = decode_utf8(value, "tensorflow.FeatureLists.feature_list key")
                elif field_number == 2:
                    payload += value  # repeated occurrences of a message field merge
            out[key] = [decode_feature(feature)
                        for n, t, feature, _, _ in iter_fields(payload) if n == 1 and t == LENGTH]
    return out


def _empty(dtype: dtypes.DType, shape: list) -> np.ndarray:
    return np.empty(shape, dtype=object if dtype.is_string else dtype.np)


@dataclasses.dataclass(frozen=True, kw_only=True)
class _SequenceExampleOp(Op):
    """The attributes and input checks of ParseSingleSequenceExample and its batched
    ParseSequenceExample. ``feature_list_dense_missing_assumed_empty``: dense feature lists
    that may be absent (FixedLenSequenceFeature with allow_missing=True)."""

    context_sparse_keys: Tuple[str, ...] = ()
    context_sparse_types: Tuple[dtypes.DType, ...] = ()
    context_dense_keys: Tuple[str, ...] = ()
    context_dense_types: Tuple[dtypes.DType, ...] = ()
    context_dense_shapes: Tuple[TensorShape, ...] = ()
    feature_list_sparse_keys: Tuple[str, ...] = ()
    feature_list_sparse_types: Tuple[dtypes.DType, ...] = ()
    feature_list_dense_keys: Tuple[str, ...] = ()
    feature_list_dense_types: Tuple[dtypes.DType, ...] = ()
    feature_list_dense_shapes: Tuple[TensorShape, ...] = ()
    feature_list_dense_missing_assumed_empty: Tuple[str, ...] = ()

    differentiable = False

    def check(self) -> None:
        for attr in ("context_sparse_types", "context_dense_types",
                     "feature_list_sparse_types", "feature_list_dense_types"):
            object.__setattr__(self, attr, tuple(dtypes.as_dtype(t) for t in getattr(self, attr)))
        for attr in ("context_dense_shapes", "feature_list_dense_shapes"):
            object.__setattr__(self, attr, tuple(as_shape(s) for s in getattr(self, attr)))
        pairs = ((self.context_sparse_keys, self.context_sparse_types),
                 (self.context_dense_keys, self.context_dense_types),
                 (self.feature_list_sparse_keys, self.feature_list_sparse_types),
                 (self.feature_list_dense_keys, self.feature_list_dense_types))
        for keys, types in pairs:
            if len(keys) != len(types):
                raise ValueError(f"ParseSingleSequenceExample: {len(keys)} keys but "
                                 f"{len(types)} types ({keys})")
            for key, dtype in zip(keys, types):
                if dtype not in PARSE_DTYPES:
                    raise TypeError(f"Feature {key!r} has dtype {dtype.name}; a tf.train."
                                    "Feature holds only float32, int64 and string values")
        for keys, shapes in ((self.context_dense_keys, self.context_dense_shapes),
                             (self.feature_list_dense_keys, self.feature_list_dense_shapes)):
            if len(keys) != len(shapes) or any(not s.is_fully_defined() for s in shapes):
                raise ValueError(f"ParseSingleSequenceExample: dense keys {keys} need one "
                                 f"fully defined shape each, got {shapes}")

    def _check_inputs(self, op, rank: int, hint: str) -> None:
        """Checks the serialized and name inputs (strings of this `rank`; `hint` ends the
        message for another rank) and the context defaults (one per dense key, its dtype)."""
        serialized, debug_name = op.inputs[0], op.inputs[1]
        defaults = op.inputs[2:]
        if not serialized.dtype.is_string or not debug_name.dtype.is_string:
            raise TypeError(f"{self.type_name} {op.name!r} parses strings; got "
                            f"{serialized.dtype.name} and {debug_name.dtype.name}")
        for tensor, what in ((serialized, "serialized"), (debug_name, "debug_name")):
            if tensor.shape.ndims not in (None, rank):
                raise ValueError(f"Shape must be rank {rank} but is rank {tensor.shape.ndims} "
                                 f"for '{op.name}' ({self.type_name}): {what} {hint}")
        if len(defaults) != len(self.context_dense_keys):
            raise ValueError(f"{self.type_name} needs one default per context dense key "
                             f"({len(self.context_dense_keys)}), got {len(defaults)}")
        for key, dtype, default in zip(self.context_dense_keys, self.context_dense_types,
                                       defaults):
            if default.dtype != dtype:
                raise TypeError(f"The default of context feature {key!r} is "
                                f"{default.dtype.name}, but the feature is {dtype.name}")

    def _output_specs(self, batch: list) -> list:
        """The outputs' (dtype, shape) but the batched op's lengths; `batch` is [] for one
        example, else [batch size or None] (sparse indices then have a leading column)."""
        rank = len(batch)
        specs = [(dtypes.int64, TensorShape([None, 1 + rank])) for _ in self.context_sparse_keys]
        specs += [(t, TensorShape([None])) for t in self.context_sparse_types]
        specs += [(dtypes.int64, TensorShape([1 + rank])) for _ in self.context_sparse_keys]
        specs += [(t, TensorShape(batch + s.as_list()))
                  for t, s in zip(self.context_dense_types, self.context_dense_shapes)]
        specs += [(dtypes.int64, TensorShape([None, 2 + rank]))
                  for _ in self.feature_list_sparse_keys]
        specs += [(t, TensorShape([None])) for t in self.feature_list_sparse_types]
        specs += [(dtypes.int64, TensorShape([2 + rank])) for _ in self.feature_list_sparse_keys]
        specs += [(t, TensorShape(batch + [None] + s.as_list()))
                  for t, s in zip(self.feature_list_dense_types, self.feature_list_dense_shapes)]
        return specs


@register
class ParseSingleSequenceExample(_SequenceExampleOp):
    """Parses one serialized SequenceExample (see the module docstring for inputs and
    outputs)."""

    def _context(self) -> ParseExample:
        return ParseExample(sparse_keys=self.context_sparse_keys,
                            sparse_types=self.context_sparse_types,
                            dense_keys=self.context_dense_keys,
                            dense_types=self.context_dense_types,
                            dense_shapes=self.context_dense_shapes)

    def infer(self, op):
        self._check_inputs(op, 0, "is one SequenceExample; use a Dataset.map to parse many")
        return self._output_specs([])

    def kernel(self, serialized, debug_name, *defaults):
        record = np.asarray(serialized, dtype=object)
        if record.shape != ():
            raise errors.InvalidArgumentError(None, None, "Expected serialized to be a scalar, "
                                              f"got shape: {list(record.shape)}")
        name = np.asarray(debug_name, dtype=object).reshape(-1)
        label = name[0] if name.size else b""
        label = label.decode("utf-8", "replace") if isinstance(label, bytes) else str(label)
        label = label or "<unknown>"
        context: list = []
        if self.context_sparse_keys or self.context_dense_keys:
            out = self._context().kernel(record, np.array([label], dtype=object), *defaults)
            context = list(out) if isinstance(out, tuple) else [out]
        data = record[()]
        data = data.encode("utf-8") if isinstance(data, str) else bytes(data)
        try:
            lists = decode_feature_lists(data)
        except DecodeError:
            raise errors.InvalidArgumentError(
                None, None, f"Could not parse example input, value: {data[:64]!r} (not a "
                "serialized tf.train.SequenceExample)") from None
        sparse = [self._sparse(lists, label, key, dtype)
                  for key, dtype in zip(self.feature_list_sparse_keys,
                                        self.feature_list_sparse_types)]
        dense = [self._dense(lists, label, key, dtype, shape.as_list())
                 for key, dtype, shape in zip(self.feature_list_dense_keys,
                                              self.feature_list_dense_types,
                                              self.feature_list_dense_shapes)]
        outputs = (context + [s[0] for s in sparse] + [s[1] for s in sparse]
                   + [s[2] for s in sparse] + dense)
        return outputs[0] if len(outputs) == 1 else tuple(outputs)

    def _steps(self, lists: dict, label: str, key: str, dtype: dtypes.DType) -> list:
        """Each step's values (a list), checking the steps' kind."""
        steps = []
        for index, (kind, values) in enumerate(lists.get(key, [])):
            if kind is not None and kind != _KIND[dtype]:
                raise errors.InvalidArgumentError(
                    None, None, f"Name: {label}, Feature list: {key}, Index: {index}.  Data "
                    f"types don't match. Expected type: {type_name(dtype)}")
            steps.append([] if kind is None else list(values))
        return steps

    def _sparse(self, lists: dict, label: str, key: str, dtype: dtypes.DType) -> tuple:
        steps = self._steps(lists, label, key, dtype)
        counts = [len(s) for s in steps]
        rows = np.repeat(np.arange(len(steps), dtype=np.int64), counts)
        cols = np.concatenate([np.zeros(0, np.int64)] +
                              [np.arange(c, dtype=np.int64) for c in counts])
        values = _empty(dtype, [sum(counts)])
        values[:] = [v for s in steps for v in s]
        shape = np.array([len(steps), max(counts, default=0)], np.int64)
        return np.stack([rows, cols], axis=1).reshape(-1, 2), values, shape

    def _dense(self, lists: dict, label: str, key: str, dtype: dtypes.DType,
               dims: list) -> np.ndarray:
        if key not in lists and key not in self.feature_list_dense_missing_assumed_empty:
            raise errors.InvalidArgumentError(
                None, None, f"Name: {label}, Feature list '{key}' is required but could not "
                "be found.  Did you mean to include it in "
                "feature_list_dense_missing_assumed_empty or feature_list_dense_defaults? "
                "(or pass FixedLenSequenceFeature(..., allow_missing=True))")
        size = int(np.prod(dims, dtype=np.int64))
        steps = self._steps(lists, label, key, dtype)
        out = _empty(dtype, [len(steps), size])
        for index, values in enumerate(steps):
            if len(values) != size:
                raise errors.InvalidArgumentError(
                    None, None, f"Name: {label}, Key: {key}, Index: {index}.  Number of "
                    f"{type_name(dtype)} values != expected.  values size: {len(values)} but "
                    f"output shape: [{','.join(str(d) for d in dims)}]")
            out[index] = values
        return out.reshape([len(steps)] + dims)
