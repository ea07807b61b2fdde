"""`parse_example` and `parse_single_example`: serialized `tf.train.Example` protos to a
dict of Tensors and SparseTensors, as TF1's ``tf.io.parse_example``.

>>> spec = {"x": fg.io.FixedLenFeature([2], fg.float32),
...         "label": fg.io.FixedLenFeature([], fg.int64, default_value=0),
...         "tags": fg.io.VarLenFeature(fg.string)}
>>> serialized = fg.placeholder(fg.string, [None])
>>> features = fg.io.parse_example(serialized, spec)   # {"x": [batch, 2] float32, ...}
"""

from __future__ import annotations

import re
from typing import Any, Optional

import numpy as np

from flowgraph import dtypes
from flowgraph.graph import Tensor
from flowgraph.io.example_spec import FixedLenFeature, FixedLenSequenceFeature, VarLenFeature
from flowgraph.ops.constant import constant, convert_to_tensor, to_numpy
from flowgraph.ops.decode_raw import decode_raw  # noqa: F401 - fg.io.decode_raw
from flowgraph.ops.parse_example import PARSE_DTYPES, ParseExample
from flowgraph.ops.registry import apply_op, graph_of
from flowgraph.shapes import TensorShape, as_shape
from flowgraph.sparse_tensor import SparseTensor

__all__ = ["parse_example", "parse_single_example"]


def parse_example(serialized: Any, features: dict, name: Optional[str] = None,
                  example_names: Any = None) -> dict:
    """Parses a batch of serialized Example protos (TF1's ``tf.io.parse_example``).

    Parameters
    ----------
    serialized : string Tensor of shape [batch]
        Serialized ``tf.train.Example`` protos (e.g. from a TFRecord file or a feed).
    features : dict of str to FixedLenFeature, VarLenFeature or FixedLenSequenceFeature
        What to parse (e.g. from ``fg.feature_column.make_parse_example_spec``).
    name : str, optional
        The name scope (default "ParseExample").
    example_names : string vector, optional
        One name per example, shown in error messages.

    Returns
    -------
    dict of str to Tensor or SparseTensor
        FixedLenFeature: [batch] + shape; FixedLenSequenceFeature: [batch, longest] + shape,
        padded; VarLenFeature: a SparseTensor of dense shape [batch, longest].

    Raises
    ------
    InvalidArgumentError (when run)
        For an example without a required feature, a feature of the wrong kind or with the
        wrong number of values, naming the feature key and the example.
    """
    return _parse(serialized, features, name or "ParseExample", example_names, single=False)


def parse_single_example(serialized: Any, features: dict, name: Optional[str] = None,
                         example_names: Any = None) -> dict:
    """Parses one serialized Example proto (a string scalar), as `parse_example` without the
    batch dimension: FixedLenFeature gives `shape`, VarLenFeature a 1-D SparseTensor (TF1's
    ``tf.io.parse_single_example``). Often used in ``Dataset.map`` over a TFRecordDataset."""
    graph = graph_of(serialized)
    with graph.as_default(), graph.name_scope(name or "ParseSingleExample"):
        tensor = convert_to_tensor(serialized, dtype=dtypes.string, name="serialized")
        if tensor.shape.ndims is not None and tensor.shape.ndims != 0:
            raise ValueError(f"Input serialized must be a scalar, got {tensor.name} of shape "
                             f"{tensor.shape}; use fg.io.parse_example for a batch")
        return _parse(tensor, features, "ParseExample", example_names, single=True)


def _parse(serialized: Any, features: dict, scope: str, example_names: Any,
           single: bool) -> dict:
    if not features:
        raise ValueError(f"Argument `features` cannot be None or falsy. Got {features!r}: "
                         "pass a dict of feature key to fg.io.FixedLenFeature / VarLenFeature")
    if not isinstance(features, dict):
        raise TypeError(f"features must be a dict of feature key to FixedLenFeature / "
                        f"VarLenFeature, got {type(features).__name__}")
    from flowgraph.io.sparse_feature import expand_sparse_features, merge_sparse_features
    requested, (features, composite) = features, expand_sparse_features(features)
    sparse, dense = _split(features)
    graph = graph_of(serialized)
    with graph.as_default(), graph.name_scope(scope):
        serialized = convert_to_tensor(serialized, dtype=dtypes.string, name="serialized")
        if example_names is None:
            names = constant(np.empty(0, dtype=object), dtype=dtypes.string, name="names")
        else:
            names = convert_to_tensor(example_names, dtype=dtypes.string, name="names")
        defaults = [_default_tensor(key, spec, shape) for key, spec, shape in dense]
        op_def = ParseExample(
            sparse_keys=tuple(k for k, _ in sparse),
            sparse_types=tuple(s.dtype for _, s in sparse),
            dense_keys=tuple(k for k, _, _ in dense),
            dense_types=tuple(s.dtype for _, s, _ in dense),
            dense_shapes=tuple(shape for _, _, shape in dense))
        outputs = apply_op(op_def, [serialized, names] + defaults, name="ParseExample")
    outputs = [outputs] if not isinstance(outputs, list) else outputs
    n = len(sparse)
    result = {}
    for i, (key, _) in enumerate(sparse):
        result[key] = SparseTensor(outputs[i], outputs[n + i], outputs[2 * n + i])
    for j, (key, _, _) in enumerate(dense):
        result[key] = outputs[3 * n + j]
    if composite:  # SparseFeatures: merge their index and value SparseTensors
        with graph.as_default():
            return merge_sparse_features(requested, result)
    return result


def _split(features: dict) -> tuple:
    """([(key, VarLenFeature)], [(key, dense spec, op dense shape)]), by sorted key."""
    sparse, dense = [], []
    for key in sorted(features):
        spec = features[key]
        if not isinstance(key, str):
            raise TypeError(f"Feature keys must be strings, got {type(key).__name__} {key!r}")
        if isinstance(spec, VarLenFeature):
            _check_dtype(key, spec.dtype)
            sparse.append((key, spec))
        elif isinstance(spec, FixedLenFeature):
            _check_dtype(key, spec.dtype)
            shape = as_shape(spec.shape)
            if shape.ndims is None or any(d is None for d in shape.as_list()):
                if shape.ndims and shape.as_list()[0] is None:
                    raise ValueError(f"First dimension of shape for feature {key} unknown. "
                                     "Consider using FixedLenSequenceFeature. Received "
                                     f"feature={spec}.")
                raise ValueError(f"Missing shape for feature {key}: a FixedLenFeature needs "
                                 f"a fully defined shape, got {spec.shape}.")
            dense.append((key, spec, shape))
        elif isinstance(spec, FixedLenSequenceFeature):
            _check_dtype(key, spec.dtype)
            if not spec.allow_missing:
                raise ValueError("Unsupported: FixedLenSequenceFeature requires allow_missing "
                                 f"to be True (feature {key!r}).")
            shape = as_shape(spec.shape)
            if shape.ndims is None or not shape.is_fully_defined():
                raise ValueError(f"Feature {key!r}: a FixedLenSequenceFeature needs a fully "
                                 f"defined item shape, got {spec.shape}.")
            dense.append((key, spec, TensorShape([None] + shape.as_list())))
        else:
            raise ValueError(f"Unsupported {type(spec).__name__} {spec} for key '{key}': use "
                             "fg.io.FixedLenFeature, VarLenFeature or FixedLenSequenceFeature")
    return sparse, dense


def _check_dtype(key: str, dtype: Any) -> None:
    dtype = dtypes.as_dtype(dtype)
    if dtype not in PARSE_DTYPES:
        raise TypeError(f"Feature {key!r} has dtype {dtype.name}, not in the list of allowed "
                        "values: float32, int64, string (the kinds a tf.train.Feature holds); "
                        "parse as one of them and fg.cast the result")


def _default_tensor(key: str, spec: Any, shape: TensorShape) -> Any:
    """The op's default input for a dense feature: empty (required) or its value reshaped
    to the feature's shape (a scalar padding value for a sequence feature)."""
    dtype = dtypes.as_dtype(spec.dtype)
    if spec.default_value is None:
        empty = np.empty(0, dtype=object if dtype.is_string else dtype.np)
        return constant(empty, dtype=dtype, name="Const")
    if isinstance(spec.default_value, Tensor):
        raise TypeError(f"The default value of feature {key!r} must be a Python or numpy "
                        "value, not a Tensor")
    array = to_numpy(spec.default_value, dtype)
    if isinstance(spec, FixedLenSequenceFeature):
        if array.size != 1:
            raise ValueError(f"The default (padding) value of FixedLenSequenceFeature {key!r} "
                             f"must be a scalar, got shape {list(array.shape)}")
        return constant(array.reshape(()), dtype=dtype, name=_const_name(key))
    dims = shape.as_list()
    size = int(np.prod(dims, dtype=np.int64))
    if array.size != size:
        raise ValueError(f"Cannot reshape a tensor with {array.size} elements to shape {dims} "
                         f"({size} elements): the default value of feature {key!r} must have "
                         "the feature's shape")
    return constant(array.reshape(dims), dtype=dtype, name=_const_name(key))


def _const_name(key: str) -> str:
    return "key_" + re.sub(r"[^A-Za-z0-9_.\-]", "_", key)
