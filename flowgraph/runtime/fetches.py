"""Fetch structures: flatten nested fetches to graph elements and rebuild the results."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from flowgraph import errors
from flowgraph.graph import Graph, Operation, Tensor


class FetchMapper:
    """Flattens `fetches` (a Tensor, Operation, name, or nested list/tuple/dict/namedtuple of
    them) into unique graph elements; `build(values)` returns results in the same structure.

    Objects with a ``__fg_fetch__()`` method (SparseTensor, Variable) return
    (list of elements, function from their values to the result).
    """

    def __init__(self, graph: Graph, fetches: Any) -> None:
        self.graph = graph
        self.elements: list = []
        self._index: dict = {}
        self.build_fn = self._map(fetches)

    def _element(self, element: Any) -> int:
        index = self._index.get(element)
        if index is None:
            index = self._index[element] = len(self.elements)
            self.elements.append(element)
        return index

    def _map(self, fetch: Any) -> Callable[[list], Any]:
        if isinstance(fetch, Tensor):
            _check_graph(self.graph, fetch)
            _check_fetchable(self.graph, fetch.op)
            i = self._element(fetch)
            return lambda values: values[i]
        if isinstance(fetch, Operation):
            _check_graph(self.graph, fetch)
            _check_fetchable(self.graph, fetch)
            self._element(fetch)
            return lambda values: None
        if isinstance(fetch, str):
            return self._map(_resolve_name(self.graph, fetch))
        custom = getattr(fetch, "__fg_fetch__", None)
        if custom is not None:
            parts, combine = custom()
            builders = [self._map(p) for p in parts]
            return lambda values: combine([b(values) for b in builders])
        to_tensor = getattr(fetch, "__fg_tensor__", None)
        if to_tensor is not None:
            return self._map(to_tensor())
        if isinstance(fetch, dict):
            keys = list(fetch)
            builders = [self._map(fetch[k]) for k in keys]
            kind = type(fetch)
            return lambda values: kind(zip(keys, (b(values) for b in builders)))
        if isinstance(fetch, tuple) and hasattr(fetch, "_fields"):
            builders = [self._map(f) for f in fetch]
            kind = type(fetch)
            return lambda values: kind(*(b(values) for b in builders))
        if isinstance(fetch, (list, tuple)):
            builders = [self._map(f) for f in fetch]
            kind = type(fetch)
            return lambda values: kind(b(values) for b in builders)
        if fetch is None:
            raise TypeError("Fetch argument None has invalid type <class 'NoneType'>: fetch "
                            "Tensors, Operations or their names.")
        raise TypeError(f"Fetch argument {fetch!r} has invalid type {type(fetch).__name__}; "
                        "must be a Tensor, Operation, tensor/op name, or a list, tuple, dict "
                        "or namedtuple of them.")

    def build(self, values: list) -> Any:
        return self.build_fn(values)


def _check_fetchable(graph: Graph, op: Operation) -> None:
    if graph._unfetchable_ops and not graph.is_fetchable(op):
        # TF's wording and class (a ValueError).
        raise errors.InaccessibleTensorError(
            f"Operation {op.name} has been marked as not fetchable. Typically this happens "
            "when it is defined in another function or code block. Use return values, "
            "explicit Python locals or TensorFlow collections to access it.")


def _check_graph(graph: Graph, element: Any) -> None:
    if element.graph is not graph:
        raise ValueError(f"Fetch argument {element.name!r} cannot be interpreted as a Tensor "
                         "or Operation of this Session's graph: it belongs to another Graph.")


def _resolve_name(graph: Graph, name: str) -> Any:
    try:
        return graph.as_graph_element(name)
    except (KeyError, ValueError) as exc:
        raise ValueError(f"Fetch argument {name!r} cannot be interpreted as a Tensor or "
                         f"Operation: {exc}") from None


def fetched(value: Any) -> Any:
    """What `run` returns for one value: 0-d results as numpy scalars (bytes for strings), as
    TF1; read-only arrays (Variable values, constants) copied, so no caller can change the
    Session's state through them."""
    if isinstance(value, np.ndarray):
        if value.ndim == 0:
            return value[()]
        if not value.flags.writeable:
            return value.copy()
    return value
