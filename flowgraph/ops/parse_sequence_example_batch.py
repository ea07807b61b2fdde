"""ParseSequenceExample: a batch of serialized ``tf.train.SequenceExample`` protos to
context and per-step tensors (the op behind ``fg.io.parse_sequence_example``,
flowgraph.io.sequence_example_batch).

Inputs: ``serialized`` (string vector [batch]), ``names`` (string vector of example names for
error messages, or empty), then one default per context dense key (empty when required).
Outputs, in TF's order: context sparse indices (int64 [N, 2]) / values / dense shapes (int64
[2]), context dense values ([batch] + shape), feature-list sparse indices (int64 [N, 3]:
example, step, position) / values / dense shapes (int64 [3]), feature-list dense values
([batch, longest] + shape, zero padded), then each dense feature list's lengths (int64
[batch]). Each example is parsed by ParseSingleSequenceExample's kernel; this op only
batches the results.
"""

from __future__ import annotations

import numpy as np

from flowgraph import dtypes, errors
from flowgraph.ops.parse_sequence_example import ParseSingleSequenceExample, _SequenceExampleOp
from flowgraph.ops.registry import register
from flowgraph.shapes import TensorShape

__all__: list = []


@register
class ParseSequenceExample(_SequenceExampleOp):
    """Parses a batch of serialized SequenceExamples (see the module docstring for inputs and
    outputs); not differentiable. The attributes are those of ParseSingleSequenceExample."""

    def single(self) -> ParseSingleSequenceExample:
        """The one-example op with the same features."""
        return ParseSingleSequenceExample(**self.attributes())

    def infer(self, op):
        self._check_inputs(op, 1, "is a vector of examples; use "
                           "parse_single_sequence_example for one")
        serialized = op.inputs[0]
        batch = serialized.shape.as_list()[:1] if serialized.shape.ndims == 1 else [None]
        specs = self._output_specs(batch)
        specs += [(dtypes.int64, TensorShape(batch)) for _ in self.feature_list_dense_keys]
        return specs

    def kernel(self, serialized, names, *defaults):
        records = np.asarray(serialized, dtype=object)
        if records.ndim != 1:
            raise errors.InvalidArgumentError(None, None, "Expected serialized to be a vector, "
                                              f"got shape: {list(records.shape)}")
        names = np.asarray(names, dtype=object).reshape(-1)
        if names.size and names.shape != records.shape:
            raise errors.InvalidArgumentError(
                None, None, "Expected debug_name to be empty or have the shape of "
                f"serialized: debug_name.shape=[{names.size}], "
                f"serialized.shape=[{records.size}]")
        single = self.single()
        parsed = []
        for i, record in enumerate(records):
            label = np.empty((), dtype=object)
            label[()] = names[i] if names.size else b""
            one = np.empty((), dtype=object)
            one[()] = record
            out = single.kernel(one, label, *defaults)
            parsed.append(list(out) if isinstance(out, tuple) else [out])
        batch = len(records)
        n_cs, n_cd = len(self.context_sparse_keys), len(self.context_dense_keys)
        n_fs, n_fd = len(self.feature_list_sparse_keys), len(self.feature_list_dense_keys)
        column = [[p[j] for p in parsed] for j in range(3 * n_cs + n_cd + 3 * n_fs + n_fd)]
        outputs: list = []
        pos = 0
        for types, n, rank in ((self.context_sparse_types, n_cs, 1),
                               (None, n_cd, None),
                               (self.feature_list_sparse_types, n_fs, 2),
                               (self.feature_list_dense_types, n_fd, None)):
            if rank is None and types is None:  # context dense: stack
                for j in range(n):
                    outputs.append(_stack(column[pos + j], self.context_dense_types[j],
                                          self.context_dense_shapes[j].as_list(), batch))
                pos += n
            elif rank is None:  # feature-list dense: pad to the longest, then lengths
                dense = [_pad(column[pos + j], types[j],
                              self.feature_list_dense_shapes[j].as_list(), batch)
                         for j in range(n)]
                outputs += dense
                outputs += [np.array([len(v) for v in column[pos + j]], np.int64)
                            for j in range(n)]
                pos += n
            else:
                sparse = [_batch_sparse(column[pos + j], column[pos + n + j],
                                        column[pos + 2 * n + j], types[j], rank, batch)
                          for j in range(n)]
                outputs += [s[0] for s in sparse] + [s[1] for s in sparse]
                outputs += [s[2] for s in sparse]
                pos += 3 * n
        return outputs[0] if len(outputs) == 1 else tuple(outputs)


def _empty(dtype: dtypes.DType, shape: list) -> np.ndarray:
    return np.zeros(shape, dtype=object if dtype.is_string else dtype.np)


def _stack(values: list, dtype: dtypes.DType, dims: list, batch: int) -> np.ndarray:
    out = _empty(dtype, [batch] + dims)
    for i, v in enumerate(values):
        out[i] = v
    return out


def _pad(values: list, dtype: dtypes.DType, dims: list, batch: int) -> np.ndarray:
    longest = max((len(v) for v in values), default=0)
    out = _empty(dtype, [batch, longest] + dims)
    if dtype.is_string:
        out[...] = b""
    for i, v in enumerate(values):
        out[i, :len(v)] = v
    return out


def _batch_sparse(indices: list, values: list, shapes: list, dtype: dtypes.DType, rank: int,
                  batch: int) -> tuple:
    """One example's sparse parts, each with the example's row prepended to the indices."""
    rows = [np.concatenate([np.full((len(ind), 1), i, np.int64),
                            np.asarray(ind, np.int64).reshape(-1, rank)], axis=1)
            for i, ind in enumerate(indices)]
    all_indices = np.concatenate([np.zeros((0, rank + 1), np.int64)] + rows, axis=0)
    all_values = _empty(dtype, [sum(len(v) for v in values)])
    if all_values.size:
        all_values[:] = np.concatenate([np.asarray(v, dtype=all_values.dtype) for v in values])
    longest = np.zeros(rank, np.int64)
    for s in shapes:
        longest = np.maximum(longest, np.asarray(s, np.int64))
    return all_indices, all_values, np.concatenate([[batch], longest]).astype(np.int64)
