"""SparseTensor and SparseTensorValue: a sparse tensor as three dense tensors, as TF1's.

A SparseTensor of rank R with N stored values is:
- ``indices``: int64 [N, R], the coordinates of the stored values,
- ``values``: [N], the stored values (any dtype),
- ``dense_shape``: int64 [R], the shape of the dense tensor it stands for.

Fetching a SparseTensor in `Session.run` gives a `SparseTensorValue`; a SparseTensor key
in a feed_dict takes a SparseTensorValue or an ``(indices, values, dense_shape)`` tuple.
"""

from __future__ import annotations

import collections
from typing import Any, Callable, Optional

from flowgraph import dtypes
from flowgraph.graph import Graph, Operation, Tensor, get_default_session
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.registry import constant_value, graph_of
from flowgraph.shapes import TensorShape, unknown_shape

__all__ = ["SparseTensor", "SparseTensorValue", "is_sparse", "convert_to_sparse_tensor"]

SparseTensorValue = collections.namedtuple("SparseTensorValue",
                                           ["indices", "values", "dense_shape"])
SparseTensorValue.__doc__ = """The value of a SparseTensor: numpy `indices` [N, rank] (int64),
`values` [N] and `dense_shape` [rank] (int64)."""


class SparseTensor:
    """A sparse tensor: `indices` (int64 [N, rank]), `values` ([N]) and `dense_shape`
    (int64 [rank]), each a Tensor.

    >>> sp = fg.SparseTensor(indices=[[0, 1], [2, 0]], values=[7, 9], dense_shape=[3, 4])
    >>> sp.shape.as_list()
    [3, 4]
    """

    __slots__ = ("_indices", "_values", "_dense_shape")

    @classmethod
    def from_value(cls, sparse_tensor_value: Any) -> "SparseTensor":
        """A SparseTensor of constants from a SparseTensorValue (a SparseTensor is returned
        as it is)."""
        if isinstance(sparse_tensor_value, SparseTensor):
            return sparse_tensor_value
        if not isinstance(sparse_tensor_value, SparseTensorValue):
            raise TypeError(f"Neither a SparseTensor nor SparseTensorValue: "
                            f"{sparse_tensor_value!r}.")
        return cls(indices=sparse_tensor_value.indices, values=sparse_tensor_value.values,
                   dense_shape=sparse_tensor_value.dense_shape)

    def __init__(self, indices: Any, values: Any, dense_shape: Any) -> None:
        graph = graph_of(indices, values, dense_shape)
        with graph.as_default(), graph.name_scope("SparseTensor"):
            indices = convert_to_tensor(indices, dtype=dtypes.int64, name="indices")
            values = convert_to_tensor(values, name="values")
            dense_shape = convert_to_tensor(dense_shape, dtype=dtypes.int64,
                                            name="dense_shape")
        self._indices = indices
        self._values = values
        self._dense_shape = dense_shape
        _check_components(indices, values, dense_shape)

    # -- components
    @property
    def indices(self) -> Tensor:
        """int64 [N, rank]: the coordinates of the stored values."""
        return self._indices

    @property
    def values(self) -> Tensor:
        """[N]: the stored values."""
        return self._values

    @property
    def dense_shape(self) -> Tensor:
        """int64 [rank]: the shape of the dense tensor this stands for."""
        return self._dense_shape

    @property
    def dtype(self) -> dtypes.DType:
        """The dtype of the values."""
        return self._values.dtype

    @property
    def op(self) -> Operation:
        """The Operation that produces the values."""
        return self._values.op

    @property
    def graph(self) -> Graph:
        return self._indices.graph

    @property
    def shape(self) -> TensorShape:
        """The static dense shape: known values of `dense_shape`, else only its rank."""
        return self.get_shape()

    def get_shape(self) -> TensorShape:
        value = constant_value(self._dense_shape)
        if value is not None:
            return TensorShape([None if d < 0 else int(d) for d in value.reshape(-1)])
        source = self._dense_shape.op
        if source.type == "Shape" and source.inputs[0].shape.ndims is not None:
            return source.inputs[0].shape  # the shape of a dense tensor, as TF1 reads it
        if source.type == "Pack" and all(t.shape.ndims == 0 for t in source.inputs):
            # as TF1's constant_value_as_shape: the known pieces of a stacked shape
            pieces = [constant_value(t) for t in source.inputs]
            return TensorShape([None if v is None or int(v) < 0 else int(v) for v in pieces])
        dims = self._dense_shape.shape.as_tuple()
        return unknown_shape(None if dims is None else dims[0])

    def consumers(self) -> list:
        """The Operations that read any of the three components."""
        found: list = []
        for t in (self._indices, self._values, self._dense_shape):
            for op in t.consumers():
                if op not in found:
                    found.append(op)
        return found

    # -- running
    def eval(self, feed_dict: Any = None, session: Any = None) -> SparseTensorValue:
        """Runs the three components in `session` (default: the default session)."""
        if session is None:
            session = get_default_session()
            if session is None:
                raise ValueError("Cannot evaluate a SparseTensor with eval(): no default "
                                 "session is registered. Use `with sess.as_default():` or "
                                 "pass session=sess.")
        return session.run(self, feed_dict)

    def __fg_fetch__(self) -> tuple:
        """Session.run hook: fetch the components, return a SparseTensorValue."""
        parts = [self._indices, self._values, self._dense_shape]
        combine: Callable[[list], SparseTensorValue] = lambda v: SparseTensorValue(*v)
        return parts, combine

    def __fg_feed__(self, value: Any) -> list:
        """Session.run hook: a feed of this SparseTensor is a feed of its components."""
        if isinstance(value, SparseTensor):
            raise TypeError("A SparseTensor cannot be fed as a value: feed a "
                            "fg.SparseTensorValue or an (indices, values, dense_shape) tuple "
                            "(e.g. the result of sess.run(sparse_tensor)).")
        if not isinstance(value, (tuple, list)) or len(value) != 3:
            raise TypeError(f"The value fed for a SparseTensor must be a fg.SparseTensorValue "
                            f"or an (indices, values, dense_shape) tuple, got "
                            f"{type(value).__name__}")
        indices, values, dense_shape = value
        return [(self._indices, indices), (self._values, values),
                (self._dense_shape, dense_shape)]

    def __repr__(self) -> str:
        return (f"SparseTensor(indices={self._indices}, values={self._values}, "
                f"dense_shape={self._dense_shape})")

    __str__ = __repr__


def _check_components(indices: Tensor, values: Tensor, dense_shape: Tensor) -> None:
    """TF1's static checks: ranks 2, 1, 1; N and rank agreeing between components."""
    for what, t, rank in (("indices", indices, 2), ("values", values, 1),
                          ("dense_shape", dense_shape, 1)):
        if t.shape.ndims is not None and t.shape.ndims != rank:
            raise ValueError(f"SparseTensor {what} must have rank {rank}, got {t.name} of "
                             f"shape {t.shape}")
    ind = indices.shape.as_tuple() or (None, None)
    val = values.shape.as_tuple() or (None,)
    shp = dense_shape.shape.as_tuple() or (None,)
    if None not in (ind[0], val[0]) and ind[0] != val[0]:
        raise ValueError(f"SparseTensor indices has {ind[0]} rows but values has {val[0]} "
                         "elements: they must be equal (one index per value)")
    if None not in (ind[1], shp[0]) and ind[1] != shp[0]:
        raise ValueError(f"SparseTensor indices has {ind[1]} columns but dense_shape has "
                         f"{shp[0]} elements: both are the rank and must be equal")


def is_sparse(x: Any) -> bool:
    """Whether `x` is a SparseTensor or a SparseTensorValue."""
    return isinstance(x, (SparseTensor, SparseTensorValue))


def convert_to_sparse_tensor(sp_input: Any, what: str = "Input") -> SparseTensor:
    """A SparseTensor from a SparseTensor or SparseTensorValue; TypeError for anything
    else."""
    if isinstance(sp_input, SparseTensorValue):
        return SparseTensor.from_value(sp_input)
    if not isinstance(sp_input, SparseTensor):
        raise TypeError(f"{what} must be a SparseTensor, got {type(sp_input).__name__}"
                        + (f" {sp_input.name}; use fg.sparse.from_dense for a dense tensor"
                           if isinstance(sp_input, Tensor) else ""))
    return sp_input


def sparse_graph(*values: Any) -> Optional[Graph]:
    """The graph of the first SparseTensor or Tensor among `values`."""
    for v in values:
        if isinstance(v, SparseTensor):
            return v.graph
    return graph_of(*values)
