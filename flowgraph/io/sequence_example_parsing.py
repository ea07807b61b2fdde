"""`parse_single_sequence_example`: one serialized ``tf.train.SequenceExample`` to a pair
of dicts (context, sequence), as TF1's ``tf.io.parse_single_sequence_example``.

>>> context, sequence = fg.io.parse_single_sequence_example(
...     serialized,
...     context_features={"length": fg.io.FixedLenFeature([], fg.int64)},
...     sequence_features={"tokens": fg.io.FixedLenSequenceFeature([], fg.int64),
...                        "tags": fg.io.VarLenFeature(fg.string)})
>>> sequence["tokens"]   # int64 [steps]; sequence["tags"] a SparseTensor [steps, longest]
"""

from __future__ import annotations

from typing import Any, NamedTuple, Optional

from flowgraph import dtypes
from flowgraph.io.example_parsing import _check_dtype, _default_tensor, _split
from flowgraph.io.example_spec import FixedLenFeature, FixedLenSequenceFeature, VarLenFeature
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.parse_sequence_example import ParseSingleSequenceExample
from flowgraph.ops.registry import apply_op, graph_of
from flowgraph.shapes import as_shape
from flowgraph.sparse_tensor import SparseTensor

__all__ = ["parse_single_sequence_example"]


def parse_single_sequence_example(serialized: Any, context_features: Optional[dict] = None,
                                  sequence_features: Optional[dict] = None,
                                  example_name: Any = None,
                                  name: Optional[str] = None) -> tuple:
    """Parses one serialized SequenceExample (TF1's ``tf.io.parse_single_sequence_example``).

    Parameters
    ----------
    serialized : string scalar Tensor
        A serialized ``tf.train.SequenceExample``.
    context_features : dict of str to FixedLenFeature or VarLenFeature, optional
        Features of the whole sequence (its ``context``).
    sequence_features : dict of str to FixedLenSequenceFeature or VarLenFeature, optional
        Per-step features (its ``feature_lists``).
    example_name : string scalar, optional
        A name for the example, shown in error messages.
    name : str, optional
        The name scope (default "ParseSingleSequenceExample").

    Returns
    -------
    tuple of (dict, dict)
        Context: FixedLenFeature -> its shape, VarLenFeature -> a 1-D SparseTensor.
        Sequence: FixedLenSequenceFeature -> ``[steps] + shape``; VarLenFeature -> a
        SparseTensor of dense shape ``[steps, longest step]``.

    Raises
    ------
    ValueError
        When both feature dicts are empty or a spec is of a kind the part does not take.
    InvalidArgumentError (when run)
        For a missing required feature (list), wrong data type or value count.
    """
    specs = _feature_specs(context_features, sequence_features)
    graph = graph_of(serialized)
    with graph.as_default(), graph.name_scope(name or "ParseSingleSequenceExample"):
        tensor = convert_to_tensor(serialized, dtype=dtypes.string, name="serialized")
        if tensor.shape.ndims not in (None, 0):
            raise ValueError(f"Input serialized must be a scalar, got {tensor.name} of shape "
                             f"{tensor.shape}: parse one SequenceExample at a time")
        debug = "" if example_name is None else example_name
        debug_name = convert_to_tensor(debug, dtype=dtypes.string, name="debug_name")
        defaults = [_default_tensor(key, spec, shape) for key, spec, shape in specs.context_dense]
        op_def = ParseSingleSequenceExample(**_op_attributes(*specs))
        outputs = apply_op(op_def, [tensor, debug_name] + defaults,
                           name="ParseSingleSequenceExample")
    context, sequence, _ = _unpack(outputs, *specs)
    return context, sequence


class _Specs(NamedTuple):
    """The feature specs by part, as `_split` and `_sequence_specs` give them."""

    context_sparse: list
    context_dense: list
    list_sparse: list
    list_dense: list


def _feature_specs(context_features: Optional[dict], sequence_features: Optional[dict]) -> _Specs:
    """The validated specs of both feature dicts; ValueError when both are empty or a context
    spec is a FixedLenSequenceFeature."""
    if not context_features and not sequence_features:
        raise ValueError("Missing features: pass context_features and/or sequence_features "
                         "(dicts of feature key to fg.io.FixedLenFeature / VarLenFeature / "
                         "FixedLenSequenceFeature)")
    context_features = dict(context_features or {})
    sequence_features = dict(sequence_features or {})
    for key, spec in context_features.items():
        if isinstance(spec, FixedLenSequenceFeature):
            raise ValueError(f"Unsupported FixedLenSequenceFeature {spec} for context key "
                             f"'{key}': the context takes FixedLenFeature or VarLenFeature; "
                             "per-step features go in sequence_features")
    context_sparse, context_dense = _split(context_features) if context_features else ([], [])
    list_sparse, list_dense = _sequence_specs(sequence_features)
    return _Specs(context_sparse, context_dense, list_sparse, list_dense)


def _op_attributes(context_sparse: list, context_dense: list, list_sparse: list,
                   list_dense: list) -> dict:
    """The attributes of ParseSingleSequenceExample (and ParseSequenceExample) for the
    `_feature_specs`."""
    return dict(
        context_sparse_keys=tuple(k for k, _ in context_sparse),
        context_sparse_types=tuple(s.dtype for _, s in context_sparse),
        context_dense_keys=tuple(k for k, _, _ in context_dense),
        context_dense_types=tuple(s.dtype for _, s, _ in context_dense),
        context_dense_shapes=tuple(shape for _, _, shape in context_dense),
        feature_list_sparse_keys=tuple(k for k, _ in list_sparse),
        feature_list_sparse_types=tuple(s.dtype for _, s in list_sparse),
        feature_list_dense_keys=tuple(k for k, _ in list_dense),
        feature_list_dense_types=tuple(s.dtype for _, s in list_dense),
        feature_list_dense_shapes=tuple(as_shape(s.shape) for _, s in list_dense),
        feature_list_dense_missing_assumed_empty=tuple(
            k for k, s in list_dense if s.allow_missing))


def _unpack(outputs: Any, context_sparse: list, context_dense: list, list_sparse: list,
            list_dense: list) -> tuple:
    """(context dict, feature-list dict, the outputs after them) of the op's outputs."""
    outputs = list(outputs) if isinstance(outputs, list) else [outputs]
    context, pos = _collect(outputs, 0, context_sparse, [k for k, _, _ in context_dense])
    sequence, pos = _collect(outputs, pos, list_sparse, [k for k, _ in list_dense])
    return context, sequence, outputs[pos:]


def _sequence_specs(features: dict) -> tuple:
    """([(key, VarLenFeature)], [(key, FixedLenSequenceFeature)]), by sorted key."""
    sparse, dense = [], []
    for key in sorted(features):
        spec = features[key]
        if not isinstance(key, str):
            raise TypeError(f"Feature keys must be strings, got {type(key).__name__} {key!r}")
        if isinstance(spec, VarLenFeature):
            _check_dtype(key, spec.dtype)
            sparse.append((key, spec))
        elif isinstance(spec, FixedLenSequenceFeature):
            _check_dtype(key, spec.dtype)
            shape = as_shape(spec.shape)
            if shape.ndims is None or not shape.is_fully_defined():
                raise ValueError(f"Feature {key!r}: a FixedLenSequenceFeature needs a fully "
                                 f"defined item shape, got {spec.shape}.")
            if spec.default_value is not None:
                raise ValueError(f"Sequence feature {key!r}: a default_value is not supported "
                                 "in parse_single_sequence_example (a missing list is empty "
                                 "with allow_missing=True)")
            dense.append((key, spec))
        elif isinstance(spec, FixedLenFeature):
            raise ValueError(f"Unsupported FixedLenFeature {spec} for sequence key '{key}': "
                             "per-step features are FixedLenSequenceFeature or VarLenFeature")
        else:
            raise ValueError(f"Unsupported {type(spec).__name__} {spec} for key '{key}': use "
                             "fg.io.FixedLenSequenceFeature or VarLenFeature")
    return sparse, dense


def _collect(outputs: list, pos: int, sparse: list, dense_keys: list) -> tuple:
    n = len(sparse)
    result = {}
    for i, (key, _) in enumerate(sparse):
        result[key] = SparseTensor(outputs[pos + i], outputs[pos + n + i],
                                   outputs[pos + 2 * n + i])
    pos += 3 * n
    for key in dense_keys:
        result[key] = outputs[pos]
        pos += 1
    return result, pos

