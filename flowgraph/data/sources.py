"""Source datasets (TF1's `Dataset.from_tensor_slices`, `from_tensors`, `from_generator`,
`range`, `zip`, `concatenate`, `list_files`) and the helpers that turn arguments into
dataset attributes."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from flowgraph import dtypes
from flowgraph.data import structure
from flowgraph.data.dataset import Dataset
from flowgraph.data.describe import Arg, Node, PythonCode
from flowgraph.data.structure import ElementSpec, Spec
from flowgraph.graph import Tensor
from flowgraph.sparse_tensor import SparseTensor, SparseTensorValue


# --------------------------------------------------------------------------- arguments
def _tensor_like(value: Any) -> Optional[Tensor]:
    if isinstance(value, Tensor):
        return value
    to_tensor = getattr(value, "__fg_tensor__", None)
    return to_tensor() if to_tensor is not None else None


def int_arg(value: Any, what: str) -> Arg:
    """An integer scalar argument (a Python int or an integer scalar tensor)."""
    tensor = _tensor_like(value)
    if tensor is not None:
        if not tensor.dtype.is_integer:
            raise TypeError(f"{what} must be an integer tensor, got {tensor.name} of dtype "
                            f"{tensor.dtype.name}")
        if tensor.shape.ndims not in (None, 0):
            raise ValueError(f"{what} must be a scalar, got {tensor.name} of shape "
                             f"{tensor.shape}")
        return Arg(tensor)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) and \
            not (isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iu"):
        raise TypeError(f"{what} must be an integer, got {type(value).__name__} {value!r:.40}")
    return Arg(np.array(int(value), dtype=np.int64))


def bool_arg(value: Any, what: str) -> Arg:
    tensor = _tensor_like(value)
    if tensor is not None:
        if not tensor.dtype.is_bool:
            raise TypeError(f"{what} must be a bool tensor, got {tensor.dtype.name}")
        return Arg(tensor)
    return Arg(np.array(bool(value)))


def string_arg(value: Any, what: str, vector: bool = False) -> Arg:
    """A string (or, with `vector`, strings: a list or 1-D tensor) argument."""
    tensor = _tensor_like(value)
    if tensor is not None:
        if not tensor.dtype.is_string:
            raise TypeError(f"{what} must be a string tensor, got {tensor.dtype.name}")
        return Arg(tensor)
    if isinstance(value, np.ndarray) and value.dtype.kind in "OSU" or \
            isinstance(value, (str, bytes)) or (vector and isinstance(value, (list, tuple))):
        return Arg(structure.to_leaf(value, dtypes.string))
    raise TypeError(f"{what} must be a string{' or a list of strings' if vector else ''}, "
                    f"got {type(value).__name__} {value!r:.60}")


def static_value(arg: Arg) -> Any:
    """The value of an argument if known when building, else None."""
    if arg.tensor is None:
        return arg.value
    from flowgraph.ops.registry import constant_value
    return constant_value(arg.tensor)


# --------------------------------------------------------------------------- sources
def _leaves(tensors: Any, what: str) -> tuple:
    """(structure of leaves, flat leaves) of user-given element components."""
    if isinstance(tensors, Dataset):
        raise TypeError(f"{what} takes tensors, not a Dataset")
    if isinstance(tensors, list):
        tensors = structure.to_leaf(tensors)  # a list is one component, as in tf.data
    nested = structure.map_structure(structure.to_leaf, tensors)
    flat = structure.flatten(nested)
    if not flat:
        raise ValueError(f"{what} needs at least one component")
    return nested, flat


def from_tensor_slices(tensors: Any) -> Dataset:
    nested, flat = _leaves(tensors, "from_tensor_slices")
    specs, first = [], None
    for leaf in flat:
        spec = structure.spec_of(leaf)
        if spec.shape.ndims == 0:
            raise ValueError("Unbatching a tensor is only supported for rank >= 1: "
                             f"from_tensor_slices got a scalar component ({spec})")
        dims = spec.shape.as_tuple()
        if dims is not None:
            if first is not None and dims[0] is not None and dims[0] != first:
                raise ValueError(f"Dimensions {first} and {dims[0]} are not compatible: "
                                 "all components of from_tensor_slices must have the same "
                                 "size in dimension 0")
            first = dims[0] if dims[0] is not None else first
        specs.append(spec.with_shape(spec.shape[1:]))
    node = Node("TensorSlices", {"components": tuple(Arg(leaf) for leaf in flat)})
    return Dataset(node, ElementSpec.like(nested, specs))


def from_tensors(tensors: Any) -> Dataset:
    nested, flat = _leaves(tensors, "from_tensors")
    node = Node("Tensors", {"components": tuple(Arg(leaf) for leaf in flat)})
    return Dataset(node, ElementSpec.like(nested, [structure.spec_of(v) for v in flat]))


def from_generator(generator: Any, output_types: Any, output_shapes: Any = None,
                   args: Any = None) -> Dataset:
    if not callable(generator):
        raise TypeError("`generator` must be callable.")
    if isinstance(output_types, list):
        raise TypeError("output_types must be a DType or a (nested) tuple or dict of DTypes, "
                        "not a list")
    spec = structure.structure_of_types(output_types, output_shapes)
    arguments = tuple(Arg(structure.to_leaf(a)) for a in (args or ()))
    name = getattr(generator, "__name__", type(generator).__name__)
    node = Node("Generator", {
        "generator": PythonCode((generator, output_types),
                                f"the generator {name!r} of Dataset.from_generator"),
        "args": arguments,
        "dtypes": tuple(s.dtype for s in spec.flat),
        "shapes": tuple(s.shape for s in spec.flat)})
    return Dataset(node, spec)


def range_dataset(*args: Any, output_type: Any = dtypes.int64) -> Dataset:
    if not 1 <= len(args) <= 3:
        raise ValueError(f"Dataset.range takes 1 to 3 arguments (stop, or start, stop[, "
                         f"step]), got {len(args)}")
    start, stop, step = (0, args[0], 1) if len(args) == 1 else \
        (args[0], args[1], args[2] if len(args) == 3 else 1)
    output_type = dtypes.as_dtype(output_type)
    if not output_type.is_integer and not output_type.is_floating:
        raise TypeError(f"Dataset.range: output_type must be numeric, got {output_type.name}")
    node = Node("Range", {"start": int_arg(start, "start"), "stop": int_arg(stop, "stop"),
                          "step": int_arg(step, "step"), "dtype": output_type})
    return Dataset(node, ElementSpec(Spec(output_type, [])))


def zip_datasets(datasets: Any) -> Dataset:
    flat = structure.flatten(datasets)
    if not flat or not all(isinstance(d, Dataset) for d in flat):
        raise TypeError("The argument to `Dataset.zip()` must be a (nested) structure of "
                        "`Dataset` objects.")
    nested = structure.pack_as(datasets, [d._spec.structure for d in flat])
    specs = [s for d in flat for s in d._spec.flat]
    return Dataset(Node("Zip", {}, tuple(d._node for d in flat)),
                   ElementSpec.like(nested, specs))


def concatenate(first: Dataset, second: Dataset) -> Dataset:
    if not isinstance(second, Dataset):
        raise TypeError(f"concatenate takes a Dataset, got {type(second).__name__}")
    a, b = first._spec, second._spec
    if not structure.same_structure(a.structure, b.structure):
        raise TypeError(f"Two datasets to concatenate have different structures: "
                        f"{a.types!r} and {b.types!r}")
    if [s.dtype for s in a.flat] != [s.dtype for s in b.flat]:
        raise TypeError(f"Two datasets to concatenate have different types {a.types!r} and "
                        f"{b.types!r}")
    if [s.cls for s in a.flat] != [s.cls for s in b.flat]:
        raise TypeError(f"Two datasets to concatenate have different classes "
                        f"{a.classes!r} and {b.classes!r}")
    specs = [x.with_shape(structure.most_specific_compatible_shape(x.shape, y.shape))
             for x, y in zip(a.flat, b.flat)]
    return Dataset(Node("Concatenate", {}, (first._node, second._node)), a.with_flat(specs))


def list_files(file_pattern: Any, shuffle: Optional[bool] = None,
               seed: Optional[int] = None) -> Dataset:
    pattern = string_arg(file_pattern, "file_pattern", vector=True)
    dataset = Dataset(Node("ListFiles", {"pattern": pattern}),
                      ElementSpec(Spec(dtypes.string, [])))
    if shuffle is None or shuffle:
        # Every file name fits the buffer: a full shuffle of the (short) list of files.
        dataset = dataset.shuffle(2**31 - 1, seed=seed)
    return dataset


def sparse_slices(sparse_tensor: Any) -> Dataset:
    """`Dataset.from_sparse_tensor_slices`: the rows of a SparseTensor, each as TF1 gives
    it: a tuple ``(indices, values, dense_shape)`` of dense tensors (wrap them in a
    SparseTensor in a map if needed); `from_tensor_slices` gives SparseTensor rows."""
    if not isinstance(sparse_tensor, (SparseTensor, SparseTensorValue)):
        raise TypeError(f"from_sparse_tensor_slices takes a SparseTensor, got "
                        f"{type(sparse_tensor).__name__}")
    rows = from_tensor_slices(sparse_tensor)
    return rows.map(lambda row: (row.indices, row.values, row.dense_shape))
