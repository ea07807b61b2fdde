"""`parse_sequence_example`: a batch of serialized ``tf.train.SequenceExample`` protos to
(context, feature_lists, lengths) dicts, as TF1's ``tf.io.parse_sequence_example``.

>>> context, sequence, lengths = fg.io.parse_sequence_example(
...     serialized,   # string [batch]
...     context_features={"label": fg.io.FixedLenFeature([], fg.int64)},
...     sequence_features={"tokens": fg.io.FixedLenSequenceFeature([], fg.int64)})
>>> sequence["tokens"]   # int64 [batch, longest], zero padded; lengths["tokens"]: [batch]
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from flowgraph import dtypes
from flowgraph.io.example_parsing import _default_tensor
from flowgraph.io.sequence_example_parsing import _feature_specs, _op_attributes, _unpack
from flowgraph.ops.constant import constant, convert_to_tensor
from flowgraph.ops.parse_sequence_example_batch import ParseSequenceExample
from flowgraph.ops.registry import apply_op, graph_of

__all__ = ["parse_sequence_example"]


def parse_sequence_example(serialized: Any, context_features: Optional[dict] = None,
                           sequence_features: Optional[dict] = None,
                           example_names: Any = None, name: Optional[str] = None) -> tuple:
    """Parses a batch of serialized SequenceExamples (TF1's ``tf.io.parse_sequence_example``,
    the batched `parse_single_sequence_example`).

    Parameters
    ----------
    serialized : string Tensor [batch]
        Serialized ``tf.train.SequenceExample`` protos.
    context_features : dict of str to FixedLenFeature or VarLenFeature, optional
    sequence_features : dict of str to FixedLenSequenceFeature or VarLenFeature, optional
    example_names : string vector [batch], optional
        Names shown in error messages.
    name : str, optional
        The name scope (default "ParseSequenceExample").

    Returns
    -------
    tuple of (dict, dict, dict)
        Context: FixedLenFeature -> ``[batch] + shape``; VarLenFeature -> a SparseTensor
        ``[batch, longest]``. Feature lists: FixedLenSequenceFeature -> ``[batch, longest
        sequence] + shape`` padded with zeros (b"" for strings); VarLenFeature -> a
        SparseTensor ``[batch, longest sequence, longest step]``. Lengths: each
        FixedLenSequenceFeature's number of steps per example (int64 [batch]).

    Raises
    ------
    ValueError
        When both feature dicts are empty, a spec is of a kind the part does not take, or
        `serialized` is not a vector.
    InvalidArgumentError (when run)
        For a missing required feature (list), wrong data type or value count.
    """
    specs = _feature_specs(context_features, sequence_features)
    graph = graph_of(serialized)
    with graph.as_default(), graph.name_scope(name or "ParseSequenceExample"):
        tensor = convert_to_tensor(serialized, dtype=dtypes.string, name="serialized")
        if tensor.shape.ndims not in (None, 1):
            raise ValueError(f"Input serialized must be a vector, got {tensor.name} of shape "
                             f"{tensor.shape}; use fg.io.parse_single_sequence_example for "
                             "one SequenceExample")
        if example_names is None:
            names = constant(np.empty(0, dtype=object), dtype=dtypes.string, name="names")
        else:
            names = convert_to_tensor(example_names, dtype=dtypes.string, name="names")
        defaults = [_default_tensor(key, spec, shape)
                    for key, spec, shape in specs.context_dense]
        op_def = ParseSequenceExample(**_op_attributes(*specs))
        outputs = apply_op(op_def, [tensor, names] + defaults, name="ParseSequenceExample")
    context, sequence, rest = _unpack(outputs, *specs)
    lengths = {key: rest[j] for j, (key, _) in enumerate(specs.list_dense)}
    return context, sequence, lengths
