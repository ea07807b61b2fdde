"""Cases for the iterator ops (flowgraph.ops.iterator_ops); expected values are literals.

Each graph runs its initializer and its first get_next in one run (the get_next has a
control dependency on the initializer), so the harness's single run sees the first element.
"""

import numpy as np

import flowgraph as fg
from flowgraph.data import Dataset, Iterator
from tests.ops.harness import OpCase


def _first(dataset):
    """The first element of an initializable iterator, initialized in the same run."""
    it = dataset.make_initializable_iterator()
    with fg.control_dependencies([it.initializer]):
        return it.get_next()


def _switched(dataset):
    it = Iterator.from_structure(dataset.output_types, dataset.output_shapes)
    with fg.control_dependencies([it.make_initializer(dataset)]):
        return it.get_next()


X = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], dtype=np.float32)
LABELS = np.array([7, 8, 9], dtype=np.int64)
WORDS = np.array([b"a", b"bc", b"def"], dtype=object)

CASES = [
    OpCase("IteratorGetNext", lambda x: _first(Dataset.from_tensor_slices(x)), [X],
           expected=np.float32([1, 2])),
    OpCase("IteratorGetNext",
           lambda x, y: list(_first(Dataset.from_tensor_slices({"x": x, "y": y}).batch(2))
                             .values()),
           [X, LABELS], expected=[np.float32([[1, 2], [3, 4]]), np.int64([7, 8])],
           name="dict_batch"),
    OpCase("IteratorGetNext", lambda w: _first(Dataset.from_tensor_slices(w).skip(1)),
           [WORDS], expected=b"bc", name="strings"),
    OpCase("MakeIterator",
           lambda x: _first(Dataset.from_tensor_slices(x).map(lambda v: v * 2.0 + 1.0)),
           [X], expected=np.float32([3, 5])),
    OpCase("MakeIterator",
           lambda x: _first(Dataset.from_tensor_slices(x).repeat(2).batch(2, True).skip(1)),
           [LABELS], expected=np.int64([9, 7]), name="repeat_batch"),
    OpCase("IteratorV2", lambda x: _switched(Dataset.from_tensor_slices(x).take(1)), [X],
           expected=np.float32([1, 2])),
    OpCase("OneShotIterator",
           lambda: Dataset.range(5).map(lambda v: v * 3).batch(2)
           .make_one_shot_iterator().get_next(), expected=np.int64([0, 3])),
    OpCase("OneShotIterator",
           lambda: Dataset.range(6).filter(lambda v: fg.equal(v % 2, 1)).skip(1)
           .make_one_shot_iterator().get_next(), expected=np.int64(3), name="filter"),
    OpCase("ReduceDataset",
           lambda x: Dataset.from_tensor_slices(x).reduce(np.float32([0, 0]),
                                                          lambda s, v: s + v),
           [X], expected=np.float32([9, 12])),
    OpCase("ReduceDataset",
           lambda: Dataset.range(4).reduce((np.int64(0), np.int64(1)),
                                           lambda s, v: (s[0] + v, s[1] * (v + 1))),
           expected=[np.int64(6), np.int64(24)], name="tuple_state"),
]


def _optional_pair(dataset):
    it = dataset.make_initializable_iterator()
    with fg.control_dependencies([it.initializer]):
        optional = fg.data.experimental.get_next_as_optional(it)
        return [optional.has_value(), optional.get_value()]


CASES += [
    OpCase("DatasetToSingleElement",
           lambda x: fg.data.experimental.get_single_element(
               Dataset.from_tensor_slices(x).batch(3)), [X], expected=X),
    OpCase("IteratorGetNextAsOptional",
           lambda x: _optional_pair(Dataset.from_tensor_slices(x).skip(1)), [X],
           expected=[np.bool_(True), np.float32([3, 4])]),
    OpCase("IteratorGetNextAsOptional",
           lambda x: _optional_pair(Dataset.from_tensor_slices(x).skip(5))[0], [X],
           expected=np.bool_(False), name="ended"),
]
