"""More of TF1's `tf.data.experimental` (as in TF 2.x's tf.compat.v1): assert_cardinality,
get_structure, pad_to_cardinality, DatasetInitializer, table_from_dataset and
index_table_from_dataset."""

from __future__ import annotations

from typing import Any, Callable, Optional

from flowgraph import dtypes
from flowgraph.data.dataset import Dataset
from flowgraph.data.describe import Node
from flowgraph.data.sources import int_arg
from flowgraph.data.structure import ElementSpec
from flowgraph.graph import GraphKeys, Operation, get_default_graph, name_scope
from flowgraph.lookup.initializers import TableInitializerBase, check_table_dtypes
from flowgraph.lookup.tables import FastHashSpec
from flowgraph.sparse_tensor import SparseTensor

__all__ = ["assert_cardinality", "get_structure", "pad_to_cardinality", "DatasetInitializer",
           "table_from_dataset", "index_table_from_dataset"]

INFINITE_CARDINALITY = -1


def assert_cardinality(expected_cardinality: Any) -> Callable[[Dataset], Dataset]:
    """A transformation asserting that the dataset has `expected_cardinality` elements
    (an int or int64 scalar tensor; INFINITE_CARDINALITY for an endless one).
    `cardinality()` of the result is `expected_cardinality`; iterating raises
    FailedPreconditionError ("Input dataset was expected to contain N elements but contained
    only M elements.") when the count differs."""
    arg = int_arg(expected_cardinality, "expected_cardinality")

    def apply(dataset: Dataset) -> Dataset:
        if not isinstance(dataset, Dataset):
            raise TypeError(f"assert_cardinality applies to a fg.data.Dataset, got "
                            f"{type(dataset).__name__}")
        return Dataset(Node("AssertCardinality", {"expected_cardinality": arg},
                            (dataset._node,)), dataset._spec)
    return apply


def get_structure(dataset_or_iterator: Any) -> Any:
    """The element specs (nested as the elements) of a Dataset or Iterator."""
    from flowgraph.data.iterator import Iterator
    if isinstance(dataset_or_iterator, (Dataset, Iterator)):
        return dataset_or_iterator.element_spec
    raise TypeError(f"Invalid `dataset_or_iterator`. `dataset_or_iterator` must be a "
                    f"`tf.data.Dataset` or tf.data.Iterator object, but got "
                    f"{type(dataset_or_iterator)}.")


def pad_to_cardinality(cardinality: int, mask_key: str = "valid"
                       ) -> Callable[[Dataset], Dataset]:
    """A transformation padding a dataset of dict elements with filler elements (zeros) up
    to `cardinality` elements; each element gets a boolean `mask_key` entry: True for the
    real ones, False for the filler."""
    from flowgraph.data.experimental_ops import _count

    def apply(dataset: Dataset) -> Dataset:
        from flowgraph.ops.constant import constant
        from flowgraph.ops.fill import zeros
        spec = dataset.element_spec
        if not isinstance(spec, dict):
            raise TypeError(f"pad_to_cardinality needs a dataset of dict elements (it adds "
                            f"the {mask_key!r} entry), got elements of {spec!r}")
        if mask_key in spec:
            raise ValueError(f"The elements already have a {mask_key!r} entry: choose "
                             "another mask_key")
        if any(isinstance(s, dict) or dataset._spec.has_datasets() for s in spec.values()):
            raise TypeError("pad_to_cardinality needs a flat dict of tensors")
        n = _count(dataset._node)
        if n < 0:
            raise ValueError(f"The dataset passed into `pad_to_cardinality` must have a "
                             f"known cardinalty, but has cardinality {n}")
        if n > cardinality:
            raise ValueError(f"The dataset has {n} elements, more than the cardinality "
                             f"{cardinality} to pad it to")
        for key, leaf in spec.items():
            if not leaf.shape.is_fully_defined():
                raise ValueError(f"pad_to_cardinality needs fully defined shapes to make "
                                 f"filler elements; {key!r} has shape {leaf.shape}")

        def mask(element: dict) -> dict:
            out = dict(element)
            out[mask_key] = constant(True)
            return out

        filler = {key: zeros(leaf.shape, leaf.dtype) for key, leaf in spec.items()}
        filler[mask_key] = constant(False)
        padded = Dataset.from_tensors(filler).repeat(cardinality - n)
        return dataset.map(mask).concatenate(padded)
    return apply


# --------------------------------------------------------------------------- lookup tables
def _check_element_spec(spec: ElementSpec) -> None:
    base = ("Datasets used to initialize lookup tables must produce elements in the form "
            "(key, value), where the keys and values are scalar tensors. ")
    structure = spec.structure
    if not isinstance(structure, tuple) or len(structure) != 2:
        count = len(structure) if isinstance(structure, (tuple, list, dict)) else 1
        raise ValueError(base + f"However, the given dataset produces {count} components "
                         f"instead of two (key, value) components. Full dataset element "
                         f"spec: {structure}.")
    for what, leaf in zip(("key", "value"), spec.flat):
        if leaf.cls is SparseTensor or isinstance(leaf, ElementSpec):
            raise ValueError(base + f"However, the given dataset produces non-Tensor "
                             f"{what}s of type {leaf.cls.__name__}.")
        if leaf.shape.ndims not in (None, 0):
            raise ValueError(base + f"However, the given dataset produces non-scalar {what} "
                             f"Tensors of rank {leaf.shape.ndims}.")


class DatasetInitializer(TableInitializerBase):
    """A table initializer from a dataset of (key, value) scalar pairs (TF's
    `tf.data.experimental.DatasetInitializer`): the table holds every pair of the dataset,
    read when the initializer runs.

    >>> init = fg.data.experimental.DatasetInitializer(fg.data.Dataset.zip((keys, values)))
    >>> table = fg.lookup.StaticHashTable(init, default_value="")
    """

    def __init__(self, dataset: Dataset) -> None:
        if not isinstance(dataset, Dataset):
            raise TypeError(f"DatasetInitializer takes a fg.data.Dataset, got "
                            f"{type(dataset).__name__}")
        _check_element_spec(dataset._spec)
        self.dataset = dataset
        key, value = dataset._spec.flat
        super().__init__(key.dtype, value.dtype)

    def initialize(self, table: Any) -> Operation:
        """The op filling `table` with the dataset's pairs (added to TABLE_INITIALIZERS)."""
        from flowgraph.data.experimental_ops import get_single_element
        from flowgraph.ops.fill import zeros
        from flowgraph.ops.lookup_ops import InitializeTable
        from flowgraph.ops.registry import apply_op
        check_table_dtypes(table, self.key_dtype, self.value_dtype)
        # All pairs as one batch; an empty dataset gives the empty batch after it.
        empty = Dataset.from_tensors((zeros([0], self.key_dtype),
                                      zeros([0], self.value_dtype)))
        everything = self.dataset.batch(1 << 62).concatenate(empty).take(1)
        keys, values = get_single_element(everything)
        init_op = apply_op(InitializeTable(), [table.resource_handle, keys, values],
                           name="InitializeTableFromDataset")
        get_default_graph().add_to_collection(GraphKeys.TABLE_INITIALIZERS, init_op)
        return init_op


def table_from_dataset(dataset: Optional[Dataset] = None, num_oov_buckets: int = 0,
                       vocab_size: Any = None, default_value: Any = None,
                       hasher_spec: Any = FastHashSpec, key_dtype: Any = dtypes.string,
                       name: Optional[str] = None) -> Any:
    """A lookup table from a dataset of (key, value) pairs; keys not in it map to
    `default_value` (default -1, for integer or float values), or with `num_oov_buckets`
    to a hash bucket id in [vocabulary size, vocabulary size + num_oov_buckets). With
    `vocab_size`, only the first `vocab_size` pairs are used (and the dataset must have at
    least that many). Run `fg.tables_initializer()` before looking up."""
    from flowgraph.lookup.tables import IdTableWithHashBuckets, StaticHashTable
    if not isinstance(dataset, Dataset):
        raise TypeError(f"table_from_dataset takes a fg.data.Dataset, got "
                        f"{type(dataset).__name__}")
    _check_element_spec(dataset._spec)
    value_dtype = dataset._spec.flat[1].dtype
    if default_value is None:
        default_value = -1
        if not (value_dtype.is_integer or value_dtype.is_floating):
            raise ValueError(f"`default_value` must be specified when creating a table from "
                             f"a dataset that produces values of type {value_dtype}.")
    if num_oov_buckets < 0:
        raise ValueError(f"`num_oov_buckets` must be greater than or equal to 0, got "
                         f"{num_oov_buckets}.")
    if vocab_size is not None and not hasattr(vocab_size, "graph") and vocab_size < 1:
        raise ValueError(f"`vocab_size` must be greater than 0, got {vocab_size}.")
    key_dtype = dtypes.as_dtype(key_dtype)
    if not key_dtype.is_integer and key_dtype.base_dtype != dtypes.string:
        raise TypeError(f"`key_dtype` must be either an integer or string type, but got "
                        f"{key_dtype}")
    if vocab_size is not None:
        if hasattr(vocab_size, "graph"):
            from flowgraph.ops.cast import cast
            vocab_size = cast(vocab_size, dtypes.int64)
        dataset = dataset.take(vocab_size).apply(assert_cardinality(vocab_size))
    with name_scope(name, "string_to_index"):
        initializer = DatasetInitializer(dataset)
        with name_scope(None, "hash_table"):
            table = StaticHashTable(initializer, default_value)
            if num_oov_buckets:
                table = IdTableWithHashBuckets(table, num_oov_buckets=num_oov_buckets,
                                               hasher_spec=hasher_spec, key_dtype=key_dtype)
            return table


def index_table_from_dataset(dataset: Optional[Dataset] = None, num_oov_buckets: int = 0,
                             vocab_size: Any = None, default_value: Any = -1,
                             hasher_spec: Any = FastHashSpec, key_dtype: Any = dtypes.string,
                             name: Optional[str] = None) -> Any:
    """A lookup table from a dataset of keys to their positions (int64): the i-th key maps
    to i; other keys to `default_value` or, with `num_oov_buckets`, a hash bucket id."""
    if not isinstance(dataset, Dataset):
        raise TypeError(f"index_table_from_dataset takes a fg.data.Dataset, got "
                        f"{type(dataset).__name__}")
    return table_from_dataset(dataset.enumerate().map(lambda v, k: (k, v)), num_oov_buckets,
                              vocab_size, default_value, hasher_spec, key_dtype, name)
