"""TF1's `tf.data.experimental` batching and reading helpers: dense_to_sparse_batch,
parse_example_dataset, make_batched_features_dataset and SqlDataset (SQLite)."""

from __future__ import annotations

from typing import Any, Callable, Optional

import numpy as np

from flowgraph import dtypes
from flowgraph.data.dataset import Dataset
from flowgraph.data.describe import Node
from flowgraph.data.sources import int_arg, string_arg
from flowgraph.data.structure import ElementSpec, Spec
from flowgraph.data.transformations import AUTOTUNE, _no_windows, _unary
from flowgraph.shapes import TensorShape
from flowgraph.sparse_tensor import SparseTensor

__all__ = ["SqlDataset", "dense_to_sparse_batch", "make_batched_features_dataset",
           "parse_example_dataset"]


def dense_to_sparse_batch(batch_size: Any, row_shape: Any) -> Callable[[Dataset], Dataset]:
    """Batches elements of varying shape into SparseTensors of dense shape
    ``[batch, *row_shape]`` (a -1 / None dimension: the batch's largest); every value of
    every element becomes an entry. An element larger than `row_shape` is an error."""
    def apply(dataset: Dataset) -> Dataset:
        _no_windows(dataset, "dense_to_sparse_batch")
        flat = dataset._spec.flat
        if len(flat) != 1 or flat[0].cls is SparseTensor:
            raise TypeError("dense_to_sparse_batch needs elements of one dense component, "
                            f"got {dataset._spec!r}")
        shape = TensorShape(row_shape)
        if shape.ndims is None:
            raise ValueError("row_shape must have a known rank")
        if flat[0].shape.ndims is not None and flat[0].shape.ndims != shape.ndims:
            raise ValueError(f"The rank of the elements ({flat[0].shape.ndims}) must equal "
                             f"the length of row_shape ({shape.ndims})")
        dims = np.array([-1 if d is None else d for d in shape.as_tuple()], np.int64)
        spec = ElementSpec(Spec(flat[0].dtype, TensorShape([None]).concatenate(shape),
                                SparseTensor))
        return _unary("DenseToSparseBatch", dataset, spec,
                      batch_size=int_arg(batch_size, "batch_size"), row_shape=dims)
    return apply


def parse_example_dataset(features: dict, num_parallel_calls: int = 1
                          ) -> Callable[[Dataset], Dataset]:
    """Parses a dataset of batches (string vectors) of serialized Example protos into
    dicts of features, as `fg.io.parse_example`."""
    from flowgraph.io.example_parsing import parse_example
    if features is None:
        raise ValueError("Missing: features was None.")
    return lambda dataset: dataset.map(lambda serialized: parse_example(serialized, features),
                                       num_parallel_calls=num_parallel_calls)


def make_batched_features_dataset(file_pattern: Any, batch_size: int, features: dict,
                                  reader: Any = None, label_key: Optional[str] = None,
                                  reader_args: Optional[list] = None, num_epochs: Any = None,
                                  shuffle: bool = True, shuffle_buffer_size: int = 10000,
                                  shuffle_seed: Optional[int] = None,
                                  prefetch_buffer_size: Any = None,
                                  reader_num_threads: int = 1, parser_num_threads: int = 2,
                                  sloppy_ordering: bool = False,
                                  drop_final_batch: bool = False) -> Dataset:
    """Batches of parsed Example features from the files matching `file_pattern` (TFRecord
    files unless `reader`), as TF1's: files (shuffled with `shuffle`), records interleaved,
    shuffled, repeated `num_epochs` times (None: forever), batched, parsed; with
    `label_key` the elements are ``(features, label)``."""
    from flowgraph.data.readers import TFRecordDataset
    reader = reader or TFRecordDataset
    args = list(reader_args or [])
    files = Dataset.list_files(file_pattern, shuffle=shuffle, seed=shuffle_seed)
    dataset = files.interleave(lambda name: reader(name, *args),
                               cycle_length=reader_num_threads)
    if shuffle:
        dataset = dataset.shuffle(shuffle_buffer_size, shuffle_seed)
    if num_epochs != 1:
        dataset = dataset.repeat(num_epochs)
    dataset = dataset.batch(batch_size, drop_remainder=drop_final_batch)
    dataset = dataset.apply(parse_example_dataset(features, parser_num_threads))
    if label_key:
        if label_key not in features:
            raise ValueError(f"The `label_key` provided ({label_key}) must be one of the "
                             f"`features` keys: {sorted(features)}.")
        dataset = dataset.map(lambda parsed: (parsed, parsed.pop(label_key)))
    return dataset.prefetch(AUTOTUNE if prefetch_buffer_size is None else
                            prefetch_buffer_size)


class SqlDataset(Dataset):
    """The rows of an SQL query as tuples of `output_types` scalars, as TF1's (only the
    "sqlite" driver, through Python's sqlite3)."""

    def __init__(self, driver_name: Any, data_source_name: Any, query: Any,
                 output_types: Any) -> None:
        if isinstance(driver_name, str) and driver_name != "sqlite":
            raise ValueError(f"The database type, {driver_name}, is not supported: "
                             "only 'sqlite' is.")
        types = output_types if isinstance(output_types, tuple) else (output_types,)
        types = tuple(dtypes.as_dtype(t) for t in types)
        node = Node("Sql", {"driver": string_arg(driver_name, "driver_name"),
                            "source": string_arg(data_source_name, "data_source_name"),
                            "query": string_arg(query, "query"),
                            "types": tuple(t.name for t in types)})
        specs = [Spec(t, TensorShape([])) for t in types]
        structure = tuple(specs) if isinstance(output_types, tuple) else specs[0]
        super().__init__(node, ElementSpec(structure))
