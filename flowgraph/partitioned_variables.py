"""Partitioned variables, as TF1's: `get_variable(..., partitioner=...)` (or a
`variable_scope` partitioner) splits one logical variable `name` into Variables
`name/part_0`, `name/part_1`, ... along one axis, and returns a `PartitionedVariable`.

The partitioners (`fixed_size_partitioner`, `variable_axis_size_partitioner`,
`min_max_variable_partitioner`) are functions of ``(shape, dtype)`` returning the number of
parts per dimension. Each part records a `SaveSliceInfo`, so a Saver stores the parts as
one checkpoint entry `name` holding the whole value (as TF1 does), and initializers that
depend on the whole shape (glorot, variance scaling) get it through `partition_info`.
"""

from __future__ import annotations

import math
from typing import Any, Optional

from flowgraph import dtypes
from flowgraph.shapes import TensorShape, as_shape

__all__ = ["PartitionedVariable", "fixed_size_partitioner", "variable_axis_size_partitioner",
           "min_max_variable_partitioner"]


# --------------------------------------------------------------------------- partitioners
def fixed_size_partitioner(num_shards: int, axis: int = 0) -> Any:
    """A partitioner making `num_shards` parts along `axis` (fewer if the axis is shorter).

    >>> with fg.variable_scope("emb", partitioner=fg.fixed_size_partitioner(2)):
    ...     table = fg.get_variable("table", [5, 3])   # parts of 3 and 2 rows
    """
    def _partitioner(shape: Any, dtype: Any = None) -> list:
        shape = as_shape(shape)
        if shape.ndims is None or not 0 <= axis < shape.ndims:
            raise ValueError(f"fixed_size_partitioner: axis {axis} is not a dimension of "
                             f"shape {shape}")
        partitions = [1] * shape.ndims
        partitions[axis] = min(num_shards, shape.dims[axis].value)
        return partitions
    return _partitioner


def _element_bytes(dtype: Any, bytes_per_string_element: int) -> int:
    dtype = dtypes.as_dtype(dtype)
    return bytes_per_string_element if dtype.is_string else dtype.size


def variable_axis_size_partitioner(max_shard_bytes: int, axis: int = 0,
                                   bytes_per_string_element: int = 16,
                                   max_shards: Optional[int] = None) -> Any:
    """A partitioner keeping each part under `max_shard_bytes` (whole slices along `axis`;
    at most `max_shards` parts), as TF1's."""
    if max_shard_bytes < 1 or bytes_per_string_element < 1:
        raise ValueError("Both max_shard_bytes and bytes_per_string_element must be positive.")
    if max_shards is not None and max_shards < 1:
        raise ValueError("max_shards must be positive.")

    def _partitioner(shape: Any, dtype: Any) -> list:
        shape = as_shape(shape)
        if not shape.is_fully_defined():
            raise ValueError(f"shape is not fully defined: {shape}")
        partitions = [1] * shape.ndims
        element_size = _element_bytes(dtype, bytes_per_string_element)
        bytes_per_slice = 1.0 * (shape.num_elements() / shape.dims[axis].value) * element_size
        slices_per_shard = max(1, math.floor(max_shard_bytes / bytes_per_slice))
        axis_shards = int(math.ceil(1.0 * shape.dims[axis].value / slices_per_shard))
        if max_shards:
            axis_shards = min(max_shards, axis_shards)
        partitions[axis] = axis_shards
        return partitions
    return _partitioner


def min_max_variable_partitioner(max_partitions: int = 1, axis: int = 0,
                                 min_slice_size: int = 256 << 10,
                                 bytes_per_string_element: int = 16) -> Any:
    """A partitioner making parts of at least `min_slice_size` bytes, at most
    `max_partitions` of them, along `axis`, as TF1's."""
    def _partitioner(shape: Any, dtype: Any) -> list:
        shape = as_shape(shape)
        if axis >= shape.ndims:
            raise ValueError(f"Can not partition variable along axis {axis} when shape is "
                             f"only {shape}")
        total_bytes = shape.num_elements() * _element_bytes(dtype, bytes_per_string_element)
        partitions = [1] * shape.ndims
        partitions[axis] = max(1, min(shape.dims[axis].value, max_partitions,
                                      int(math.ceil(total_bytes / min_slice_size))))
        return partitions
    return _partitioner


# --------------------------------------------------------------------------- slicing
class PartitionInfo:
    """Passed to initializers of a part: the whole variable's shape and the part's offset."""

    def __init__(self, full_shape: list, var_offset: list) -> None:
        self.full_shape = list(full_shape)
        self.var_offset = list(var_offset)

    def single_offset(self, shape: Any) -> int:
        dim = self.single_slice_dim(shape)
        return 0 if dim is None else self.var_offset[dim]

    def single_slice_dim(self, shape: Any) -> Optional[int]:
        for i, (full, part) in enumerate(zip(self.full_shape, list(shape))):
            if full != part:
                return i
        return None


class SaveSliceInfo:
    """Where a part lies in its partitioned variable: `full_name`, `full_shape`,
    `var_offset`, `var_shape` (TF1's Variable.SaveSliceInfo)."""

    def __init__(self, full_name: str, full_shape: list, var_offset: list,
                 var_shape: list) -> None:
        self.full_name = full_name
        self.full_shape = list(full_shape)
        self.var_offset = list(var_offset)
        self.var_shape = list(var_shape)

    def to_proto(self, export_scope: Optional[str] = None) -> dict:
        """TF1's SaveSliceInfoDef fields as a JSON-able dict (`full_name` relative to
        `export_scope`)."""
        full_name = self.full_name
        prefix = export_scope.rstrip("/") + "/" if export_scope else ""
        if prefix and full_name.startswith(prefix):
            full_name = full_name[len(prefix):]
        return {"full_name": full_name, "full_shape": list(self.full_shape),
                "var_offset": list(self.var_offset), "var_shape": list(self.var_shape)}

    @classmethod
    def from_proto(cls, save_slice_info_def: dict,
                   import_scope: Optional[str] = None) -> "SaveSliceInfo":
        full_name = str(save_slice_info_def["full_name"])
        if import_scope:
            full_name = f"{import_scope.rstrip('/')}/{full_name}"
        return cls(full_name, [int(d) for d in save_slice_info_def["full_shape"]],
                   [int(d) for d in save_slice_info_def["var_offset"]],
                   [int(d) for d in save_slice_info_def["var_shape"]])

    @property
    def spec(self) -> str:
        """TF1's slice spec string: "5 3 0,3:0,3" (full shape, then offset,length per dim)."""
        dims = " ".join(str(d) for d in self.full_shape)
        slices = ":".join(f"{o},{n}" for o, n in zip(self.var_offset, self.var_shape))
        return f"{dims} {slices}"


def slice_layout(full_shape: list, partitions: list) -> tuple:
    """(axis, [(offset, shape) per part]) as TF1's _iter_slices: the first
    `length % parts` parts get one more slice."""
    axes = [i for i, p in enumerate(partitions) if p > 1]
    if len(axes) > 1:
        raise ValueError(f"Can only slice a variable along one dimension: shape: "
                         f"{full_shape}, partitioning: {partitions}")
    axis = axes[0] if axes else 0
    count = partitions[axis] if partitions else 1
    length = full_shape[axis]
    layout = []
    offset = 0
    for i in range(count):
        size = length // count + (1 if i < length % count else 0)
        var_offset = [0] * len(full_shape)
        var_offset[axis] = offset
        var_shape = list(full_shape)
        var_shape[axis] = size
        layout.append((var_offset, var_shape))
        offset += size
    return axis, layout


# --------------------------------------------------------------------------- the variable
class PartitionedVariable:
    """One logical variable stored as several Variables (its parts) along one axis.

    Iterating gives the parts; `as_tensor()` (also what ops converting it read) concatenates
    them; `fg.nn.embedding_lookup` looks ids up in the parts directly.
    """

    def __init__(self, name: str, shape: Any, dtype: Any, variable_list: list,
                 partitions: list) -> None:
        if not variable_list:
            raise ValueError("variable_list must be a non-empty list of Variables")
        self._name = name
        self._shape = as_shape(shape)
        self._dtype = dtypes.as_dtype(dtype)
        self._variable_list = list(variable_list)
        self._partitions = list(partitions)
        self._as_tensor: Any = None

    def __iter__(self):
        return iter(self._variable_list)

    def __len__(self) -> int:
        return len(self._variable_list)

    def _get_variable_list(self) -> list:
        return list(self._variable_list)

    def _get_partitions(self) -> list:
        return list(self._partitions)

    def _partition_axes(self) -> list:
        return [i for i, p in enumerate(self._partitions) if p > 1] or [0]

    @property
    def name(self) -> str:
        return self._name

    @property
    def dtype(self) -> dtypes.DType:
        return self._dtype

    @property
    def shape(self) -> TensorShape:
        return self._shape

    def get_shape(self) -> TensorShape:
        return self._shape

    @property
    def graph(self) -> Any:
        return self._variable_list[0].graph

    def _concat(self) -> Any:
        """The parts concatenated (`name/ConcatPartitions/concat`), read as `name`."""
        from flowgraph.graph import get_default_graph
        from flowgraph.ops.array import concat
        from flowgraph.ops.constant import identity
        graph = get_default_graph()
        if len(self._variable_list) == 1:
            with graph.name_scope(None):
                return identity(self._variable_list[0], name=self._name)
        with graph.name_scope(f"{self._name}/ConcatPartitions/"):
            joined = concat(self._variable_list, self._partition_axes()[0])
        with graph.name_scope(None):
            return identity(joined, name=self._name)

    def as_tensor(self) -> Any:
        """The whole value as one Tensor (outside any control dependencies)."""
        from flowgraph.graph import get_default_graph
        with get_default_graph().control_dependencies(None):
            return self._concat()

    def __fg_tensor__(self) -> Any:
        return self.as_tensor()

    def value(self) -> Any:
        """The whole value (as `as_tensor`), for code written for a Variable."""
        return self.as_tensor()

    def read_value(self) -> Any:
        return self.as_tensor()

    @property
    def initializer(self) -> Any:
        """One op running the parts' initializers."""
        from flowgraph.ops.control import group
        return group(*[v.initializer for v in self._variable_list],
                     name=f"{self._name.split('/')[-1]}_initializer")

    def assign(self, value: Any, use_locking: bool = False, name: Optional[str] = None,
               read_value: bool = True) -> list:
        """Assigns the slices of `value` to the parts; returns the parts' assign results."""
        from flowgraph.ops.array import split
        from flowgraph.ops.constant import convert_to_tensor
        value = convert_to_tensor(value, dtype=self._dtype)
        axis = self._partition_axes()[0]
        sizes = [v.shape[axis].value for v in self._variable_list]
        pieces = split(value, sizes, axis=axis) if len(sizes) > 1 else [value]
        return [v.assign(piece, use_locking=use_locking, name=name, read_value=read_value)
                for v, piece in zip(self._variable_list, pieces)]

    def __repr__(self) -> str:
        return (f"<fg.PartitionedVariable '{self._name}' shape={self._shape} "
                f"dtype={self._dtype.name} parts={len(self._variable_list)}>")



# --------------------------------------------------------------------------- get_variable
def get_partitioned_variable(true_getter: Any, store: Any, name: str, shape: Any, dtype: Any,
                             initializer: Any, partitioner: Any, **kwargs: Any) -> Any:
    """`get_variable` with a partitioner, as TF1's _get_partitioned_variable: reuse rules,
    the parts `name/part_i` (each made by `true_getter`, so each is also a plain
    get_variable Variable) and the PartitionedVariable kept in `store`."""
    from flowgraph.graph import get_default_graph
    from flowgraph.ops.constant import convert_to_tensor
    from flowgraph.ops.slicing import slice as slice_op
    partitioned = store.__dict__.setdefault("partitioned", {})
    reuse = store.current.reuse
    is_value = initializer is not None and (hasattr(initializer, "__fg_tensor__")
                                            or not callable(initializer))
    if is_value and not isinstance(initializer, type):
        initializer = convert_to_tensor(initializer, dtype=dtype)
        if shape is None:
            shape = initializer.shape
        dtype = initializer.dtype if dtype is None else dtype
    dtype = dtypes.as_dtype(dtype) if dtype is not None else store.current.dtype
    if shape is None and partitioned.get(name) is not None and reuse is not False:
        shape = partitioned[name].get_shape()  # reuse without restating the shape
    if shape is None:
        raise ValueError(f"Partitioned variable {name}: the shape must be given (or come from "
                         "a Tensor initializer).")
    shape = as_shape(shape)
    if not shape.is_fully_defined():
        raise ValueError(f"Shape of a new partitioned variable ({name}) must be fully defined, "
                         f"but instead was {shape}.")
    if shape.ndims < 1:
        raise ValueError(f"A partitioned Variable must have rank at least 1, shape: {shape}")
    existing = partitioned.get(name)
    if partitioner is None:  # reuse=True without the partitioner (TF1 allows it)
        partitions = existing._get_partitions()
    else:
        partitions = [int(p) for p in partitioner(shape=shape, dtype=dtype)]
    if len(partitions) != shape.ndims or any(p < 1 for p in partitions):
        raise ValueError(f"Partitioner returned a partition list {partitions} that does not "
                         f"match the Variable's rank: {shape}")
    if existing is not None:
        if reuse is False:
            raise ValueError(f"Partitioned variable with name {name} already exists. Did you "
                             "mean to set reuse=True or reuse=fg.AUTO_REUSE in VarScope?")
        if not shape.is_compatible_with(existing.get_shape()):
            raise ValueError(f"Trying to reuse partitioned variable {name}, but specified "
                             f"shape {shape} and found shape {existing.get_shape()}.")
        if dtype != existing.dtype:
            raise ValueError(f"Trying to reuse partitioned variable {name}, but specified "
                             f"dtype {dtype.name} and found dtype {existing.dtype.name}.")
        if partitions != existing._get_partitions():
            raise ValueError(f"Trying to reuse partitioned variable {name}, but specified "
                             f"partitions {partitions} and found partitions "
                             f"{existing._get_partitions()}.")
        return existing
    if name in store.variables:
        raise ValueError(f"A partitioner was provided, but an unpartitioned version of the "
                         f"variable was found: {name}. Perhaps a variable of the same name "
                         "was already created without partitioning?")
    if reuse is True:
        raise ValueError(f"PartitionedVariable {name} does not exist, or was not created with "
                         "fg.get_variable(). Did you mean to set reuse=False or "
                         "reuse=fg.AUTO_REUSE in VarScope?")
    _, layout = slice_layout(shape.as_list(), partitions)
    parts = []
    for i, (offset, part_shape) in enumerate(layout):
        part_name = f"{name}/part_{i}"
        info = PartitionInfo(shape.as_list(), offset)
        part_init, init_shape = initializer, part_shape
        if is_value:
            with get_default_graph().name_scope(f"{part_name}/PartitionedInitializer"):
                part_init = slice_op(initializer, offset, part_shape)
            init_shape = None
        part = true_getter(part_name, shape=init_shape, dtype=dtype, initializer=part_init,
                           partition_info=info, **kwargs)
        part._save_slice_info = SaveSliceInfo(name, shape.as_list(), offset, part_shape)
        parts.append(part)
    result = PartitionedVariable(name, shape, dtype, parts, partitions)
    partitioned[name] = result
    return result
