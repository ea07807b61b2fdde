"""`fg.data.Iterator`: TF1's iterators over datasets, as graph ops.

- `dataset.make_one_shot_iterator()`: starts on first use in each Session.
- `dataset.make_initializable_iterator()`: `sess.run(it.initializer, feed_dict=...)`
  (re)starts it; the feeds reach the tensors the dataset captures.
- `Iterator.from_structure(types, shapes)` + `make_initializer(dataset)`: one iterator,
  switched between datasets of the same structure (training / validation).
- `Iterator.from_string_handle(handle, types, shapes)`: the iterator named by a fed handle
  (`sess.run(it.string_handle())`).

`get_next()` returns the element's tensors in its nested structure; running them takes
the next element of the Session's own pass, or raises fg.errors.OutOfRangeError at the end.
"""

from __future__ import annotations

from typing import Any, Optional

from flowgraph.data import structure
from flowgraph.data.describe import Capture, bind_constants, encode
from flowgraph.data.structure import ElementSpec
from flowgraph.graph import Graph, Operation, Tensor, get_default_graph
from flowgraph.sparse_tensor import SparseTensor


def _ops() -> Any:
    from flowgraph.ops import iterator_ops
    return iterator_ops


def _apply(op_def: Any, inputs: list, name: Optional[str], graph: Graph) -> Any:
    from flowgraph.ops.registry import apply_op
    with graph.as_default():
        return apply_op(op_def, inputs, name=name, graph=graph)


class Iterator:
    """An iterator over datasets of one element structure (TF1's tf.data.Iterator)."""

    def __init__(self, iterator_resource: Tensor, initializer: Optional[Operation],
                 output_types: Any, output_shapes: Any, output_classes: Any) -> None:
        self._handle = iterator_resource
        self._initializer = initializer
        self._spec = structure.structure_of_types(output_types, output_shapes,
                                                  output_classes)

    @classmethod
    def _of_spec(cls, handle: Tensor, initializer: Optional[Operation],
                 spec: ElementSpec) -> "Iterator":
        it = cls.__new__(cls)
        it._handle = handle
        it._initializer = initializer
        it._spec = spec
        return it

    # -- making iterators
    @staticmethod
    def from_structure(output_types: Any, output_shapes: Any = None,
                       shared_name: Optional[str] = None, output_classes: Any = None
                       ) -> "Iterator":
        """An uninitialized iterator for elements of this structure; initialize it with
        `make_initializer(dataset)` (any dataset whose elements fit)."""
        spec = structure.structure_of_types(output_types, output_shapes, output_classes)
        handle = _handle_op(spec, shared_name, get_default_graph())
        return Iterator._of_spec(handle, None, spec)

    @staticmethod
    def from_string_handle(string_handle: Any, output_types: Any, output_shapes: Any = None,
                           output_classes: Any = None) -> "Iterator":
        """The iterator whose handle (`it.string_handle()`'s value) is fed to
        `string_handle` (a scalar string placeholder)."""
        from flowgraph import dtypes
        from flowgraph.ops.constant import convert_to_tensor
        handle = convert_to_tensor(string_handle, dtype=dtypes.string)
        spec = structure.structure_of_types(output_types, output_shapes, output_classes)
        return Iterator._of_spec(handle, None, spec)

    # -- TF1's methods
    @property
    def initializer(self) -> Operation:
        """The op that (re)starts this iterator on its dataset."""
        if self._initializer is None:
            raise ValueError("Iterator does not have an initializer.")
        return self._initializer

    def make_initializer(self, dataset: Any, name: Optional[str] = None) -> Operation:
        """An op that starts this iterator on `dataset` (same structure and types, shapes
        compatible)."""
        from flowgraph.data.dataset import Dataset
        if not isinstance(dataset, Dataset):
            raise TypeError(f"make_initializer takes a Dataset, got {type(dataset).__name__}")
        _check_fits(self._spec, dataset._spec)
        graph = self._handle.graph
        description, captured = _describe(dataset, graph)
        return _apply(_ops().MakeIterator(dataset=description), [self._handle] + captured,
                      name, graph)

    def get_next(self, name: Optional[str] = None) -> Any:
        """The next element's tensors, in the element's nested structure."""
        if self._spec.has_datasets():
            raise TypeError("The elements are datasets (from window()); use flat_map to turn "
                            "them into tensors before iterating.")
        components = self._spec.components()
        op_def = _ops().IteratorGetNext(output_types=tuple(c[0] for c in components),
                                        output_shapes=tuple(c[1] for c in components))
        outputs = _apply(op_def, [self._handle], name, self._handle.graph)
        if isinstance(outputs, Tensor):
            outputs = [outputs]
        elif isinstance(outputs, Operation):
            outputs = []
        leaves = []
        it = iter(outputs)
        for spec in self._spec.flat:
            if spec.cls is SparseTensor:
                leaves.append(SparseTensor(next(it), next(it), next(it)))
            else:
                leaves.append(next(it))
        return structure.pack_as(self._spec.structure, leaves)

    def string_handle(self, name: Optional[str] = None) -> Tensor:
        """A scalar string naming this iterator, for `Iterator.from_string_handle`."""
        from flowgraph.ops.constant import identity
        with self._handle.graph.as_default():
            return identity(self._handle, name=name or "IteratorToStringHandle")

    @property
    def output_types(self) -> Any:
        return self._spec.types

    @property
    def output_shapes(self) -> Any:
        return self._spec.shapes

    @property
    def output_classes(self) -> Any:
        return self._spec.classes

    @property
    def element_spec(self) -> Any:
        return self._spec.structure

    def __repr__(self) -> str:
        return f"<fg.data.Iterator over {self._spec!r}>"


def _handle_op(spec: ElementSpec, shared_name: Optional[str], graph: Graph) -> Tensor:
    components = spec.components() if not spec.has_datasets() else []
    op_def = _ops().IteratorV2(shared_name=shared_name or "",
                               output_types=tuple(c[0] for c in components),
                               output_shapes=tuple(c[1] for c in components))
    return _apply(op_def, [], None, graph)


def _describe(dataset: Any, graph: Optional[Graph]) -> tuple:
    """(description, captured tensors) of a dataset, checking the tensors' graph."""
    capture = Capture()
    description = encode(dataset._node, capture)
    for t in capture.tensors:
        if graph is not None and t.graph is not graph:
            raise ValueError(f"The dataset uses the tensor {t.name} of another graph than the "
                             "iterator's; build both in the same graph.")
    return description, list(capture.tensors)


def _graph_of(captured: list) -> Graph:
    return captured[0].graph if captured else get_default_graph()


def _check_fits(expected: ElementSpec, got: ElementSpec) -> None:
    # TF1's nest: ValueError for a different nesting, TypeError for a dict against a tuple
    mismatch = structure.structure_mismatch(expected.structure, got.structure)
    if mismatch is not None:
        raise mismatch(f"The two structures don't have the same nested structure: expected "
                       f"{expected.types!r}, got a dataset of {got.types!r}")
    if [s.dtype for s in expected.flat] != [s.dtype for s in got.flat]:
        raise TypeError(f"Expected output types {expected.types!r} but got dataset with "
                        f"output types {got.types!r}.")
    if not all(e.shape.is_compatible_with(g.shape) for e, g in zip(expected.flat, got.flat)):
        raise TypeError(f"Expected output shapes compatible with {expected.shapes!r} but got "
                        f"dataset with output shapes {got.shapes!r}.")
    if [s.cls for s in expected.flat] != [s.cls for s in got.flat]:
        raise TypeError(f"Expected output classes {expected.classes!r} but got dataset with "
                        f"output classes {got.classes!r}.")


# --------------------------------------------------------------------------- functions
def make_one_shot_iterator(dataset: Any) -> Iterator:
    """An iterator over `dataset`, started on first use in each Session (TF1's
    `tf.compat.v1.data.make_one_shot_iterator`)."""
    from flowgraph.ops.registry import constant_value
    _check_dataset(dataset)
    description, captured = _describe(dataset, None)
    values, dynamic = [], []
    for t in captured:
        value = constant_value(t)
        values.append(value)
        if value is None:
            dynamic.append(t.name)
    if dynamic:
        raise ValueError(f"make_one_shot_iterator() does not support datasets that capture "
                         f"tensors whose values are only known when the graph runs "
                         f"({', '.join(dynamic)}); use make_initializable_iterator() and run "
                         "its initializer (feeding those placeholders).")
    graph = _graph_of(captured)
    spec = dataset._spec
    components = spec.components()
    op_def = _ops().OneShotIterator(dataset=bind_constants(description, values),
                                    output_types=tuple(c[0] for c in components),
                                    output_shapes=tuple(c[1] for c in components))
    handle = _apply(op_def, [], None, graph)
    return Iterator._of_spec(handle, None, spec)


def make_initializable_iterator(dataset: Any, shared_name: Optional[str] = None) -> Iterator:
    """An iterator over `dataset` whose `initializer` (re)starts it (TF1's
    `tf.compat.v1.data.make_initializable_iterator`)."""
    _check_dataset(dataset)
    description, captured = _describe(dataset, None)
    graph = _graph_of(captured)
    handle = _handle_op(dataset._spec, shared_name, graph)
    initializer = _apply(_ops().MakeIterator(dataset=description), [handle] + captured, None,
                         graph)
    return Iterator._of_spec(handle, initializer, dataset._spec)


def _check_dataset(dataset: Any) -> None:
    from flowgraph.data.dataset import Dataset
    if not isinstance(dataset, Dataset):
        raise TypeError(f"Expected a fg.data.Dataset, got {type(dataset).__name__}")
    if dataset._spec.has_datasets():
        raise TypeError("The elements are datasets (from window()); use flat_map to turn them "
                        "into tensors before iterating.")


def get_output_types(dataset_or_iterator: Any) -> Any:
    return dataset_or_iterator.output_types


def get_output_shapes(dataset_or_iterator: Any) -> Any:
    return dataset_or_iterator.output_shapes


def get_output_classes(dataset_or_iterator: Any) -> Any:
    return dataset_or_iterator.output_classes
