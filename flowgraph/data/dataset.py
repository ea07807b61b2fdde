"""`fg.data.Dataset`: TF1's `tf.compat.v1.data.Dataset`, a pipeline described as data.

Building a pipeline builds no graph nodes: a Dataset is a description (`describe.Node`) and
the structure of its elements. Iterators turn it into graph ops (`make_one_shot_iterator`,
`make_initializable_iterator`); their kernels run the pipeline in Python and numpy, with
map functions traced once into graphs of their own.

>>> ds = fg.data.Dataset.from_tensor_slices((x, y)).shuffle(1000).batch(32).repeat()
>>> features, labels = ds.make_one_shot_iterator().get_next()
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from flowgraph.data.describe import Arg, Node
from flowgraph.data.structure import ElementSpec


class Dataset:
    """A sequence of elements, each a nested structure (tuples, dicts) of tensors.

    Elements come from sources (`from_tensor_slices`, `range`, file readers ...) and pass
    through transformations (`map`, `batch`, `shuffle` ...), each returning a new Dataset.
    """

    def __init__(self, node: Node, spec: ElementSpec) -> None:
        self._node = node
        self._spec = spec

    # -- TF1's structure properties
    @property
    def output_types(self) -> Any:
        """The nested structure of the elements' DTypes."""
        return self._spec.types

    @property
    def output_shapes(self) -> Any:
        """The nested structure of the elements' static TensorShapes."""
        return self._spec.shapes

    @property
    def output_classes(self) -> Any:
        """The nested structure of the elements' classes (fg.Tensor, fg.SparseTensor)."""
        return self._spec.classes

    @property
    def element_spec(self) -> Any:
        """The nested structure of the elements' specs (TF2's spelling)."""
        return self._spec.structure

    def __repr__(self) -> str:
        return f"<Dataset shapes: {_show(self.output_shapes)}, types: " \
               f"{_show(self.output_types)}>"

    def __iter__(self) -> Any:
        raise RuntimeError("A Dataset is iterated in the graph: use "
                           "dataset.make_one_shot_iterator().get_next() (or an initializable "
                           "iterator) and run the result in a Session.")

    # -- iterators
    def make_one_shot_iterator(self) -> Any:
        """An iterator over this dataset, initialized on first use in each Session. The
        dataset must not capture run-time values (placeholders, Variables)."""
        from flowgraph.data.iterator import make_one_shot_iterator
        return make_one_shot_iterator(self)

    def make_initializable_iterator(self, shared_name: Optional[str] = None) -> Any:
        """An iterator whose `initializer` (re)starts it; feeds given to the initializer's
        run reach the tensors the dataset captures (e.g. placeholders)."""
        from flowgraph.data.iterator import make_initializable_iterator
        return make_initializable_iterator(self, shared_name)

    # -- sources
    @staticmethod
    def from_tensor_slices(tensors: Any) -> "Dataset":
        """The slices of `tensors` along their first dimension (a nested structure of
        arrays or Tensors of equal first dimension)."""
        from flowgraph.data.sources import from_tensor_slices
        return from_tensor_slices(tensors)

    @staticmethod
    def from_tensors(tensors: Any) -> "Dataset":
        """One element: `tensors`."""
        from flowgraph.data.sources import from_tensors
        return from_tensors(tensors)

    @staticmethod
    def from_sparse_tensor_slices(sparse_tensor: Any) -> "Dataset":
        """The rows of a SparseTensor (or SparseTensorValue), each a SparseTensor."""
        from flowgraph.data.sources import sparse_slices
        return sparse_slices(sparse_tensor)

    @staticmethod
    def from_generator(generator: Callable, output_types: Any, output_shapes: Any = None,
                       args: Any = None) -> "Dataset":
        """The elements yielded by `generator(*args)` (called anew for every pass), checked
        against `output_types` and `output_shapes`. Runs Python code: such datasets cannot
        be saved in graph files."""
        from flowgraph.data.sources import from_generator
        return from_generator(generator, output_types, output_shapes, args)

    @staticmethod
    def range(*args: Any, output_type: Any = None) -> "Dataset":
        """range(stop), range(start, stop[, step]) as int64 scalars (or `output_type`)."""
        from flowgraph import dtypes
        from flowgraph.data.sources import range_dataset
        return range_dataset(*args, output_type=output_type or dtypes.int64)

    @staticmethod
    def zip(datasets: Any) -> "Dataset":
        """Elements of a (nested) tuple or dict of datasets, taken together; ends with the
        shortest."""
        from flowgraph.data.sources import zip_datasets
        return zip_datasets(datasets)

    @staticmethod
    def list_files(file_pattern: Any, shuffle: Optional[bool] = None,
                   seed: Optional[int] = None) -> "Dataset":
        """The names of the files matching `file_pattern` (a glob, or a list of them),
        shuffled unless `shuffle=False` (then sorted)."""
        from flowgraph.data.sources import list_files
        return list_files(file_pattern, shuffle, seed)

    # -- transformations
    def concatenate(self, dataset: "Dataset") -> "Dataset":
        """This dataset's elements followed by those of `dataset`."""
        from flowgraph.data.sources import concatenate
        return concatenate(self, dataset)

    def map(self, map_func: Callable, num_parallel_calls: Optional[int] = None
            ) -> "Dataset":
        """`map_func(element)` for every element (a tuple element is passed as positional
        arguments). The function receives tensors and is traced once into a graph; with
        `num_parallel_calls` > 1 that many elements are processed at once in threads,
        the results keeping their order."""
        from flowgraph.data.transformations import map_dataset
        return map_dataset(self, map_func, num_parallel_calls)

    def filter(self, predicate: Callable) -> "Dataset":
        """The elements for which `predicate` (traced, returning a scalar bool) is true."""
        from flowgraph.data.transformations import filter_dataset
        return filter_dataset(self, predicate)

    def flat_map(self, map_func: Callable) -> "Dataset":
        """The elements of the datasets `map_func(element)`, one dataset after another."""
        from flowgraph.data.transformations import flat_map
        return flat_map(self, map_func)

    def interleave(self, map_func: Callable, cycle_length: Any = -1, block_length: Any = 1,
                   num_parallel_calls: Optional[int] = None) -> "Dataset":
        """The elements of the datasets `map_func(element)`, `cycle_length` of them open at
        once, `block_length` elements from each in turn (TF1's deterministic order)."""
        from flowgraph.data.transformations import interleave
        return interleave(self, map_func, cycle_length, block_length, num_parallel_calls)

    def batch(self, batch_size: Any, drop_remainder: Any = False) -> "Dataset":
        """Consecutive elements stacked `batch_size` at a time (the last batch may be
        smaller unless `drop_remainder`)."""
        from flowgraph.data.transformations import batch
        return batch(self, batch_size, drop_remainder)

    def padded_batch(self, batch_size: Any, padded_shapes: Any, padding_values: Any = None,
                     drop_remainder: Any = False) -> "Dataset":
        """Batches of elements padded to `padded_shapes` (None / -1: the longest in the
        batch) with `padding_values` (default 0 or b'')."""
        from flowgraph.data.transformations import padded_batch
        return padded_batch(self, batch_size, padded_shapes, padding_values, drop_remainder)

    def unbatch(self) -> "Dataset":
        """Splits every element along its first dimension."""
        from flowgraph.data.transformations import unbatch
        return unbatch(self)

    def window(self, size: Any, shift: Any = None, stride: Any = 1,
               drop_remainder: Any = False) -> "Dataset":
        """Windows of `size` elements (starting every `shift`, taking every `stride`-th),
        each a structure of datasets: flatten them with flat_map (`w.batch(size)`)."""
        from flowgraph.data.transformations import window
        return window(self, size, shift, stride, drop_remainder)

    def shuffle(self, buffer_size: Any, seed: Optional[int] = None,
                reshuffle_each_iteration: Optional[bool] = None) -> "Dataset":
        """Elements in random order, drawn from a buffer of `buffer_size` elements. With a
        seed (or a graph seed) the orders repeat in every new Session; each pass draws a
        new order unless `reshuffle_each_iteration=False`."""
        from flowgraph.data.transformations import shuffle
        return shuffle(self, buffer_size, seed, reshuffle_each_iteration)

    def repeat(self, count: Any = None) -> "Dataset":
        """The elements `count` times over (forever when None or -1)."""
        from flowgraph.data.transformations import repeat
        return repeat(self, count)

    def take(self, count: Any) -> "Dataset":
        """The first `count` elements (all when -1)."""
        from flowgraph.data.transformations import take
        return take(self, count)

    def skip(self, count: Any) -> "Dataset":
        """All but the first `count` elements (none when -1)."""
        from flowgraph.data.transformations import skip
        return skip(self, count)

    def shard(self, num_shards: Any, index: Any) -> "Dataset":
        """Every `num_shards`-th element, starting at `index`."""
        from flowgraph.data.transformations import shard
        return shard(self, num_shards, index)

    def prefetch(self, buffer_size: Any) -> "Dataset":
        """Elements prepared ahead by a background thread, at most `buffer_size` of them
        waiting (AUTOTUNE: 2), so that input overlaps with the steps that consume it."""
        from flowgraph.data.transformations import prefetch
        return prefetch(self, buffer_size)

    def cache(self, filename: Any = "") -> "Dataset":
        """The elements of the first complete pass, replayed by later ones: kept in memory,
        or in files starting with `filename` (reused by later Sessions and processes)."""
        from flowgraph.data.transformations import cache
        return cache(self, filename)

    def apply(self, transformation_func: Callable[["Dataset"], "Dataset"]) -> "Dataset":
        """`transformation_func(self)`, e.g. `ds.apply(fg.data.experimental.unbatch())`."""
        from flowgraph.data.transformations import apply
        return apply(self, transformation_func)

    def reduce(self, initial_state: Any, reduce_func: Callable) -> Any:
        """Tensors of the final state of `reduce_func(state, element)` over all elements."""
        from flowgraph.data.transformations import reduce
        return reduce(self, initial_state, reduce_func)

    def with_options(self, options: Any) -> "Dataset":
        """This dataset carrying `options` (an `fg.data.Options`), merged with the options
        it has (a conflicting value is a ValueError, as TF1). Datasets made from it carry
        them too. They do not change how flowgraph runs the pipeline."""
        from flowgraph.data.options import Options, options_of
        if not isinstance(options, Options):
            raise TypeError(f"with_options() takes an fg.data.Options, got "
                            f"{type(options).__name__}")
        options_of(self._node).merge(options)  # raises on a conflict
        node = Node("Options", {"options": options.as_items()}, (self._node,))
        return Dataset(node, self._spec)

    def options(self) -> Any:
        """The `fg.data.Options` of this dataset: those given to `with_options` here or to
        the datasets it was made from, merged (default options otherwise)."""
        from flowgraph.data.options import options_of
        return options_of(self._node)

    def enumerate(self, start: Any = 0) -> "Dataset":
        """Elements become (index, element), the index an int64 counting from `start`."""
        return Dataset.zip((Dataset.range(start, 2**63 - 1), self))

    def map_with_legacy_function(self, map_func: Callable,
                                 num_parallel_calls: Optional[int] = None) -> "Dataset":
        """`map` (TF1's variant that traced `map_func` as a legacy Defun)."""
        return self.map(map_func, num_parallel_calls)

    def filter_with_legacy_function(self, predicate: Callable) -> "Dataset":
        """`filter` (TF1's variant that traced `predicate` as a legacy Defun)."""
        return self.filter(predicate)


DatasetV1 = Dataset


def window_argument(spec: ElementSpec, holder: Any) -> Dataset:
    """The dataset a flat_map function receives for one leaf of a window element."""
    return Dataset(Node("WindowArgument", {"window": Arg(holder)}), spec)


def _show(value: Any) -> str:
    if isinstance(value, tuple) and not hasattr(value, "_fields"):
        inner = ", ".join(_show(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {_show(v)}" for k, v in value.items()) + "}"
    name = getattr(value, "name", None)
    if isinstance(name, str) and hasattr(value, "as_numpy_dtype"):
        return f"fg.{name}"
    return str(value)
