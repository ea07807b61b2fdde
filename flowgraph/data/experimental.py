"""`fg.data.experimental`: TF1's `tf.data.experimental` (CSV datasets, transformations for
`Dataset.apply`, AUTOTUNE) plus `NpyDataset`, flowgraph's reader of `.npy` files.

`NpyDataset(path)` yields the rows of the array stored in a `.npy` file (``array[i]`` for
each i), reading them lazily: the file is memory-mapped a window (16 MB) of rows at a
time, each window closed once its rows are copied out, so arrays far larger than memory
stream through with bounded memory. `.batch(n)` right after it maps each batch's rows
directly. Only C-ordered arrays of numbers or bools are read (object arrays would be
pickles, which flowgraph never loads).
"""

from __future__ import annotations

import collections
import csv
import glob
import gzip
import os
import typing
from typing import Any, Callable, Sequence

import numpy as np

from flowgraph import dtypes
from flowgraph.data.dataset import Dataset
from flowgraph.data.describe import Arg, Node
from flowgraph.data.readers import DEFAULT_BUFFER_BYTES, compression_arg
from flowgraph.data.sources import bool_arg, int_arg, string_arg
from flowgraph.data.structure import ElementSpec, Spec, to_leaf
from flowgraph.graph import Tensor
from flowgraph.ops.decode_csv import CSV_DTYPES

__all__ = ["AUTOTUNE", "CsvDataset", "NpyDataset", "make_csv_dataset", "unbatch",
           "enumerate_dataset", "shuffle_and_repeat", "map_and_batch", "ignore_errors"]

AUTOTUNE = -1


# --------------------------------------------------------------------------- CSV
def _default_arg(value: Any, index: int) -> Arg:
    if isinstance(value, dtypes.DType) or value in (float, int, str, bytes):
        from flowgraph.ops.decode_csv import default_tensor
        tensor = default_tensor(value, index)
        from flowgraph.ops.registry import constant_value
        return Arg(to_leaf(constant_value(tensor), tensor.dtype))
    if isinstance(value, Tensor):
        if value.dtype not in CSV_DTYPES:
            raise TypeError(f"record_defaults[{index}] has dtype {value.dtype.name}")
        return Arg(value)
    leaf = to_leaf(value)
    if dtypes.dtype_of_value(leaf) not in CSV_DTYPES or np.size(leaf) > 1:
        raise TypeError(f"record_defaults[{index}] must be a CSV dtype or a scalar (or "
                        f"1-element) default of float32, float64, int32, int64 or string; "
                        f"got {value!r:.60}")
    return Arg(leaf)


def _arg_dtype(arg: Arg) -> dtypes.DType:
    return arg.tensor.dtype if arg.tensor is not None else dtypes.dtype_of_value(arg.value)


class CsvDataset(Dataset):
    """The records of CSV files as tuples of scalars, one per (selected) column.

    `record_defaults` has one entry per column: a CSV dtype (float32, float64, int32,
    int64, string) for a required column, or a default value (whose dtype is the column's).
    Quoted fields may span lines. Errors name the problem as TF1 does ("Expect 3 fields but
    have 2 in record", "Field 1 is required but missing in record!").
    """

    def __init__(self, filenames: Any, record_defaults: Sequence[Any],
                 compression_type: Any = None, buffer_size: Any = None, header: Any = False,
                 field_delim: Any = ",", use_quote_delim: Any = True, na_value: Any = "",
                 select_cols: typing.Optional[Sequence[int]] = None) -> None:
        defaults = [_default_arg(v, i) for i, v in enumerate(record_defaults)]
        select = tuple(int(c) for c in (select_cols or ()))
        if select:
            if any(a >= b for a, b in zip(select, select[1:])) or select[0] < 0:
                raise ValueError("select_cols must be non-negative and strictly increasing")
            if len(select) != len(defaults):
                raise ValueError("If specified, record_defaults and select_cols must have "
                                 "same length.")
        types = tuple(_arg_dtype(a) for a in defaults)
        node = Node("Csv", {
            "filenames": string_arg(filenames, "filenames", vector=True),
            "record_defaults": tuple(defaults), "dtypes": types, "select_cols": select,
            "compression_type": compression_arg(compression_type),
            "buffer_size": int_arg(DEFAULT_BUFFER_BYTES if buffer_size is None else
                                   buffer_size, "buffer_size"),
            "header": bool_arg(header, "header"),
            "field_delim": string_arg(field_delim, "field_delim"),
            "use_quote_delim": bool_arg(use_quote_delim, "use_quote_delim"),
            "na_value": string_arg(na_value, "na_value")})
        super().__init__(node, ElementSpec(tuple(Spec(t, []) for t in types)))


CsvDatasetV1 = CsvDataset


def _file_names(file_pattern: Any) -> list:
    patterns = [file_pattern] if isinstance(file_pattern, (str, bytes, os.PathLike)) else \
        list(file_pattern)
    names: list = []
    for pattern in patterns:
        pattern = os.fsdecode(pattern)
        names.extend(sorted(glob.glob(os.path.expanduser(pattern))))
    if not names:
        raise ValueError(f"No files match `file_pattern` {file_pattern!r}.")
    return names


def _rows(names: list, delim: str, use_quote: bool, compressed: bool,
          header: bool = False) -> Any:
    """The rows of CSV files (without their header rows when `header`)."""
    quoting = csv.QUOTE_MINIMAL if use_quote else csv.QUOTE_NONE
    for name in names:
        opener = gzip.open if compressed else open
        with opener(name, "rt", newline="") as handle:
            rows = csv.reader(handle, delimiter=delim, quoting=quoting)
            if header:
                next(rows, None)
            yield from rows


def _infer_type(text: str, na_value: str, previous: typing.Optional[dtypes.DType]) -> Any:
    """TF1's inference: the least permissive of int32, int64, float32, float64, string that
    fits this value and the column's values so far."""
    if text in ("", na_value):
        return previous
    order = [dtypes.int32, dtypes.int64, dtypes.float32, dtypes.float64, dtypes.string]
    for i, dtype in enumerate(order):
        if (previous is None or previous in order[:i + 1]) and _fits(text, dtype):
            return dtype
    return dtypes.string


def _fits(text: str, dtype: dtypes.DType) -> bool:
    try:
        if dtype == dtypes.int32:
            return np.int32(int(text)) == int(text)
        if dtype == dtypes.int64:
            return -2**63 <= int(text) < 2**63
        if dtype.is_floating:
            with np.errstate(over="ignore"):
                return bool(dtype.np.type(text) < np.inf)
    except (ValueError, OverflowError):
        return False
    return True


def make_csv_dataset(file_pattern: Any, batch_size: int, column_names: Any = None,
                     column_defaults: Any = None, label_name: typing.Optional[str] = None,
                     select_columns: Any = None, field_delim: str = ",",
                     use_quote_delim: bool = True, na_value: str = "", header: bool = True,
                     num_epochs: typing.Optional[int] = None, shuffle: bool = True,
                     shuffle_buffer_size: int = 10000, shuffle_seed: typing.Optional[int] = None,
                     prefetch_buffer_size: typing.Optional[int] = None,
                     num_parallel_reads: typing.Optional[int] = None, sloppy: bool = False,
                     num_rows_for_inference: typing.Optional[int] = 100,
                     compression_type: typing.Optional[str] = None,
                     ignore_errors: bool = False) -> Dataset:
    """Batches of CSV rows as (features dict, label) -- or features alone without
    `label_name` -- as TF1's `tf.data.experimental.make_csv_dataset`: column names from
    the header, types inferred from the first `num_rows_for_inference` rows unless
    `column_defaults` is given, shuffled and repeated (`num_epochs=None`: forever, with
    full batches only)."""
    names = _file_names(file_pattern)
    compressed = compression_type == "GZIP"
    if compression_type not in (None, "", "GZIP"):
        raise ValueError(f"compression_type ({compression_type}) is not supported for "
                         "probing columns")
    dataset = Dataset.from_tensor_slices(names)
    if shuffle:
        dataset = dataset.shuffle(len(names), shuffle_seed)
    if column_names is None:
        if not header:
            raise ValueError("Cannot infer column names without a header line.")
        first = next(_rows(names[:1], field_delim, use_quote_delim, compressed), None)
        if first is None:
            raise ValueError(f"Received StopIteration when reading the header line of "
                             f"{names[0]}.  Empty file?")
        column_names = first
    column_names = list(column_names)
    if len(column_names) != len(set(column_names)):
        raise ValueError("Cannot have duplicate column names.")
    selected = None
    if select_columns is not None:
        index = {n: i for i, n in enumerate(column_names)}
        selected = sorted({c if isinstance(c, int) else index.get(c, -1)
                           for c in select_columns})
        if len(selected) != len(select_columns) or selected[0] < 0 or \
                selected[-1] >= len(column_names):
            raise ValueError(f"select_columns {list(select_columns)!r} must name distinct "
                             "valid columns (indices or names)")
    if column_defaults is None:
        cols = selected if selected is not None else list(range(len(column_names)))
        inferred: list = [None] * len(cols)
        rows = _rows(names, field_delim, use_quote_delim, compressed, header)
        for r, fields in enumerate(rows):
            if num_rows_for_inference is not None and r >= num_rows_for_inference:
                break
            if len(fields) != len(column_names):
                raise ValueError("Problem inferring types: CSV row has different number of "
                                 "fields than expected.")
            inferred = [_infer_type(fields[c], na_value, t) for c, t in zip(cols, inferred)]
        column_defaults = [np.array([""], dtype=object) if (t or dtypes.string).is_string
                           else np.zeros([1], (t or dtypes.string).np) for t in inferred]
    if selected is not None:
        if len(column_defaults) != len(selected):
            raise ValueError("If specified, column_defaults and select_columns must have "
                             "same length.")
        column_names = [column_names[i] for i in selected]
    if label_name is not None and label_name not in column_names:
        raise ValueError("`label_name` provided must be one of the columns.")

    def file_dataset(filename: Any) -> Dataset:
        data = CsvDataset(filename, column_defaults, compression_type, None, header,
                          field_delim, use_quote_delim, na_value, selected)
        return _skipping_errors(data) if ignore_errors else data

    def to_features(*columns: Any) -> Any:
        features = collections.OrderedDict(zip(column_names, columns))
        if label_name is not None:
            label = features.pop(label_name)
            return features, label
        return features

    dataset = dataset.interleave(file_dataset, cycle_length=num_parallel_reads or 1)
    if shuffle:
        dataset = dataset.shuffle(shuffle_buffer_size, shuffle_seed)
    if num_epochs != 1:
        dataset = dataset.repeat(num_epochs)
    dataset = dataset.batch(batch_size, drop_remainder=num_epochs is None).map(to_features)
    if prefetch_buffer_size == 0:
        return dataset
    return dataset.prefetch(AUTOTUNE if prefetch_buffer_size is None else
                            prefetch_buffer_size)


# --------------------------------------------------------------------------- .npy
class NpyDataset(Dataset):
    """The rows of the array in a `.npy` file, read lazily through windowed memory maps
    (see the module docstring). Elements have the array's dtype and shape[1:]."""

    def __init__(self, path: Any) -> None:
        from flowgraph.data.engine_readers import read_npy_header
        path = os.fspath(path)
        _, row_shape, np_dtype, _ = read_npy_header(path)
        dtype = dtypes.as_dtype(np_dtype.newbyteorder("="))
        node = Node("Npy", {"path": string_arg(path, "path"), "dtype": dtype,
                            "row_shape": tuple(int(d) for d in row_shape)})
        super().__init__(node, ElementSpec(Spec(dtype, list(row_shape))))


# --------------------------------------------------------------------------- for apply()
def unbatch() -> Callable[[Dataset], Dataset]:
    """`ds.apply(unbatch())` is `ds.unbatch()`."""
    return lambda dataset: dataset.unbatch()


def enumerate_dataset(start: int = 0) -> Callable[[Dataset], Dataset]:
    """Elements become (index, element), the index an int64 counting from `start`."""
    return lambda dataset: Dataset.zip((Dataset.range(start, 2**63 - 1), dataset))


def shuffle_and_repeat(buffer_size: Any, count: Any = None,
                       seed: typing.Optional[int] = None) -> Callable[[Dataset], Dataset]:
    return lambda dataset: dataset.shuffle(buffer_size, seed).repeat(count)


def map_and_batch(map_func: Callable, batch_size: Any, num_parallel_batches: Any = None,
                  drop_remainder: bool = False, num_parallel_calls: Any = None
                  ) -> Callable[[Dataset], Dataset]:
    calls = num_parallel_calls or (num_parallel_batches and num_parallel_batches * batch_size)
    return lambda dataset: dataset.map(map_func, calls).batch(batch_size, drop_remainder)


def ignore_errors() -> Callable[[Dataset], Dataset]:
    """Skips the elements whose computation fails: the records a CsvDataset cannot parse,
    the elements whose map function raises. Other datasets are not supported."""
    return _skipping_errors


def _skipping_errors(dataset: Dataset) -> Dataset:
    node = dataset._node
    if node.kind not in ("Csv", "Map"):
        raise NotImplementedError("ignore_errors() applies to CsvDataset and map() datasets "
                                  f"here, not to {node.kind}")
    return Dataset(Node(node.kind, {**node.attrs, "ignore_errors": True}, node.children),
                   dataset._spec)


# The rest of TF1's tf.data.experimental, defined in their own modules.
from flowgraph.data.experimental_ops import (  # noqa: E402
    INFINITE_CARDINALITY,
    UNKNOWN_CARDINALITY,
    Counter,
    RandomDataset,
    cardinality,
    choose_from_datasets,
    copy_to_device,
    filter_for_shard,
    get_single_element,
    parallel_interleave,
    prefetch_to_device,
    sample_from_datasets,
    scan,
    take_while,
    unique,
)
from flowgraph.data.grouping import (  # noqa: E402
    Reducer,
    bucket_by_sequence_length,
    group_by_reducer,
    group_by_window,
)
from flowgraph.data.options import (  # noqa: E402
    AutoShardPolicy,
    DistributeOptions,
    MapVectorizationOptions,
    OptimizationOptions,
    StatsOptions,
    ThreadingOptions,
)

__all__ += ["INFINITE_CARDINALITY", "UNKNOWN_CARDINALITY", "Counter", "RandomDataset",
            "cardinality", "choose_from_datasets", "copy_to_device", "filter_for_shard",
            "get_single_element", "parallel_interleave", "prefetch_to_device",
            "sample_from_datasets", "scan", "take_while", "unique", "Reducer",
            "bucket_by_sequence_length", "group_by_reducer", "group_by_window",
            "AutoShardPolicy", "DistributeOptions", "MapVectorizationOptions",
            "OptimizationOptions", "StatsOptions", "ThreadingOptions"]
from flowgraph.data.experimental_batching import (  # noqa: E402
    SqlDataset,
    dense_to_sparse_batch,
    make_batched_features_dataset,
    parse_example_dataset,
)
from flowgraph.data.experimental_io import TFRecordWriter  # noqa: E402
from flowgraph.data.optional import Optional, get_next_as_optional  # noqa: E402


def map_and_batch_with_legacy_function(map_func: Callable, batch_size: Any,
                                       num_parallel_batches: Any = None,
                                       drop_remainder: bool = False,
                                       num_parallel_calls: Any = None
                                       ) -> Callable[[Dataset], Dataset]:
    """`map_and_batch` (TF1's variant that traced `map_func` as a legacy Defun)."""
    return map_and_batch(map_func, batch_size, num_parallel_batches, drop_remainder,
                         num_parallel_calls)


__all__ += ["SqlDataset", "dense_to_sparse_batch", "make_batched_features_dataset",
            "parse_example_dataset", "TFRecordWriter", "Optional", "get_next_as_optional",
            "map_and_batch_with_legacy_function"]
from flowgraph.data.resampling import rejection_resample  # noqa: E402

__all__ += ["rejection_resample"]

from flowgraph.data.iterator_state import make_saveable_from_iterator  # noqa: E402

__all__ += ["make_saveable_from_iterator"]

from flowgraph.data.experimental_more import (  # noqa: E402
    DatasetInitializer,
    assert_cardinality,
    get_structure,
    index_table_from_dataset,
    pad_to_cardinality,
    table_from_dataset,
)

__all__ += ["DatasetInitializer", "assert_cardinality", "get_structure",
            "index_table_from_dataset", "pad_to_cardinality", "table_from_dataset"]

from flowgraph.data.snapshot import snapshot  # noqa: E402

__all__ += ["snapshot"]
