"""Constants, placeholders, identity, and converting Python values to tensors."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from flowgraph import dtypes, errors
from flowgraph.dtypes import DType
from flowgraph.graph import Tensor, get_default_graph
from flowgraph.ops.registry import Op, apply_op, register
from flowgraph.shapes import TensorShape, as_shape
from flowgraph.tensor_conversion import registry

__all__ = ["constant", "convert_to_tensor", "placeholder", "placeholder_with_default",
           "identity", "no_op"]


def to_numpy(value: Any, dtype: Optional[DType] = None) -> np.ndarray:
    """Converts a Python or numpy value to an array of `dtype` (TF1's inferred dtype if None).

    Raises TypeError when the conversion would change values (1.5 to an int, "a" to a float).
    """
    target = dtypes.dtype_of_value(value) if dtype is None else dtypes.as_dtype(dtype)
    if target.is_string:
        return _to_bytes_array(value)
    if isinstance(value, np.ndarray) and value.dtype.kind in "SUO" or isinstance(value,
                                                                                (str, bytes)):
        raise TypeError(f"Expected {target.name}, got a string value {_short(value)}")
    array = np.asarray(value)
    if array.dtype.kind == "O":
        raise TypeError(f"Expected {target.name}, got {_short(value)} which cannot be made into "
                        "a numeric array (ragged nesting or unsupported objects?)")
    if array.dtype == target.np:
        return array
    if target.is_integer or target.is_bool:
        if array.dtype.kind == "f" and not np.all(np.equal(np.mod(array, 1), 0)):
            raise TypeError(f"Expected {target.name}, got {_short(value)} of type "
                            f"{array.dtype.name} that has fractional values")
        if target.is_integer and array.size and array.dtype.kind in "iuf":
            info = np.iinfo(target.np)
            if array.min() < info.min or array.max() > info.max:
                raise TypeError(f"Value {_short(value)} is out of range for {target.name}")
    return array.astype(target.np)


def _to_bytes_array(value: Any) -> np.ndarray:
    array = np.asarray(value, dtype=object)
    flat = array.reshape(-1)
    for i, item in enumerate(flat):
        if isinstance(item, str):
            flat[i] = item.encode("utf-8")
        elif isinstance(item, (bytes, np.bytes_)):
            flat[i] = bytes(item)
        else:
            raise TypeError(f"Expected string values (str or bytes), got {type(item).__name__} "
                            f"{item!r}")
    return flat.reshape(array.shape)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) < 60 else text[:57] + "..."


@register
class Const(Op):
    """A constant tensor holding `value`."""

    value: np.ndarray
    dtype: DType

    differentiable = False  # no inputs to differentiate

    def check(self) -> None:
        if not isinstance(self.value, np.ndarray):
            object.__setattr__(self, "value", to_numpy(self.value, self.dtype))
        if self.value.dtype != self.dtype.np:
            raise TypeError(f"Const value has numpy dtype {self.value.dtype}, expected "
                            f"{self.dtype.np}")
        self.value.flags.writeable = False

    def infer(self, op):
        return [(self.dtype, TensorShape(self.value.shape))]

    def kernel(self):
        return self.value

    def static_value(self, op):
        return (self.value,)

    def __eq__(self, other: Any) -> bool:
        return (isinstance(other, Const) and other.dtype == self.dtype
                and other.value.shape == self.value.shape
                and np.array_equal(other.value, self.value))

    def __hash__(self) -> int:
        return hash((self.dtype, self.value.shape, self.value.tobytes()[:64]))

    def __repr__(self) -> str:
        return f"Const(dtype={self.dtype.name}, shape={self.value.shape})"


def constant(value: Any, dtype: Any = None, shape: Any = None, name: str = "Const",
             verify_shape: bool = False) -> Tensor:
    """A constant tensor, as TF1's `tf.constant`.

    A scalar `value` with a `shape` fills that shape; a value with as many elements as
    `shape` is reshaped to it; a shorter one is padded with its last element (as TF1).

    >>> fg.constant([[1.0, 2.0]]).shape.as_list()
    [1, 2]
    """
    dtype = None if dtype is None else dtypes.as_dtype(dtype)
    array = to_numpy(value, dtype)
    if shape is not None:
        shape = as_shape(shape)
        if not shape.is_fully_defined():
            raise ValueError(f"constant() needs a fully defined shape, got {shape}")
        dims = tuple(shape.as_list())
        if verify_shape and array.shape != dims:
            raise TypeError(f"Expected Tensor's shape: {dims}, got {array.shape}.")
        count = int(np.prod(dims))
        if array.size == 1:
            array = np.full(dims, array.reshape(()), dtype=array.dtype)
        elif array.size == count:
            array = array.reshape(dims)
        elif array.size > count:
            raise ValueError(f"Too many elements provided. Takes at most {count}, but got "
                             f"{array.size}: constant() of shape {list(dims)} from a value of "
                             f"shape {array.shape}.")
        elif array.size == 0:
            raise ValueError(f"constant(): an empty value cannot fill shape {list(dims)}")
        else:
            # As TF1: a shorter value is padded with its last element.
            flat = array.reshape(-1)
            array = np.concatenate([flat, np.repeat(flat[-1:], count - flat.size)])
            array = array.reshape(dims)
    return apply_op(Const(value=array, dtype=dtypes.as_dtype(array.dtype) if dtype is None
                          else dtype), [], name=name, graph=get_default_graph())


def convert_to_tensor(value: Any, dtype: Any = None, name: Optional[str] = None,
                      preferred_dtype: Any = None, dtype_hint: Any = None) -> Tensor:
    """Returns `value` as a Tensor: Tensors as they are, Variables as their value, other
    values as constants of `dtype` (or `preferred_dtype` when the value converts to it)."""
    if isinstance(value, Tensor):
        if dtype is not None and value.dtype != dtypes.as_dtype(dtype):
            raise ValueError(f"Tensor conversion requested dtype {dtypes.as_dtype(dtype).name} "
                             f"for Tensor {value.name} with dtype {value.dtype.name}")
        return value
    to_tensor = getattr(value, "__fg_tensor__", None)
    if to_tensor is not None:
        return convert_to_tensor(to_tensor(), dtype=dtype, name=name)
    hint = preferred_dtype if preferred_dtype is not None else dtype_hint
    if registry.get(type(value)):  # user types: fg.register_tensor_conversion_function
        return registry.convert(value, dtype, name, hint,
                                lambda: _convert_builtin(value, dtype, name, hint),
                                registry.builtin_priority(value, _holds_tensor))
    return _convert_builtin(value, dtype, name, hint)


def _convert_builtin(value: Any, dtype: Any, name: Optional[str], hint: Any) -> Tensor:
    if isinstance(value, (list, tuple)) and _holds_tensor(value):
        return _autopack(value, dtype, name or "packed")
    if dtype is None and hint is not None:
        try:
            return constant(value, dtype=hint, name=name or "Const")
        except (TypeError, ValueError):
            pass
    try:
        return constant(value, dtype=dtype, name=name or "Const")
    except TypeError as exc:
        raise TypeError(f"Failed to convert {_short(value)} to a Tensor: {exc}") from None


def _is_tensor_like(value: Any) -> bool:
    return isinstance(value, Tensor) or hasattr(value, "__fg_tensor__")


def _holds_tensor(value: Any) -> bool:
    if _is_tensor_like(value):
        return True
    return isinstance(value, (list, tuple)) and any(_holds_tensor(v) for v in value)


def _first_tensor_dtype(value: Any) -> Any:
    if _is_tensor_like(value):
        return convert_to_tensor(value).dtype
    for item in value if isinstance(value, (list, tuple)) else ():
        found = _first_tensor_dtype(item)
        if found is not None:
            return found
    return None


def _autopack(value: Any, dtype: Any, name: str) -> Tensor:
    """TF1's auto-packing: a (nested) list holding Tensors becomes their `stack` (node
    "packed"), Python numbers in it constants of the Tensors' dtype."""
    from flowgraph.ops.array import stack
    inferred = _first_tensor_dtype(value)
    if dtype is not None and inferred is not None and dtypes.as_dtype(dtype) != inferred:
        raise TypeError(f"Cannot convert a list containing a tensor of dtype {inferred.name} "
                        f"to {dtypes.as_dtype(dtype).name}")
    dtype = dtypes.as_dtype(dtype) if dtype is not None else inferred
    graph = get_default_graph()
    with graph.name_scope(name) as scope:
        elements = []
        for i, item in enumerate(value):
            if isinstance(item, (list, tuple)) and _holds_tensor(item):
                elements.append(_autopack(item, dtype, str(i)))
            else:
                elements.append(convert_to_tensor(item, dtype=dtype, name=str(i)))
        return stack(elements, name=scope)


def as_tensors(values: Any, dtype: Any = None) -> list:
    """convert_to_tensor over a sequence, all to one dtype (the first Tensor's, if any)."""
    if dtype is None:
        for v in values:
            if isinstance(v, Tensor) or hasattr(v, "__fg_tensor__"):
                dtype = convert_to_tensor(v).dtype
                break
    return [convert_to_tensor(v, dtype=dtype) for v in values]


@register
class Placeholder(Op):
    """A value that must be fed to `Session.run`."""

    dtype: DType
    shape: TensorShape = TensorShape(None)

    stateful = True  # never folded: its value comes from outside
    requires_feed = True  # a plan that needs it without a feed is an error

    def infer(self, op):
        return [(self.dtype, self.shape)]

    def kernel(self):
        raise errors.InvalidArgumentError(
            None, None, f"You must feed a value for placeholder tensor of dtype "
            f"{self.dtype.name} and shape {self.shape}")


def placeholder(dtype: Any, shape: Any = None, name: Optional[str] = None) -> Tensor:
    """A tensor whose value is fed at run time: ``sess.run(y, feed_dict={x: batch})``.

    `shape` may be partial (``[None, 784]``) or None for any shape.
    """
    return apply_op(Placeholder(dtype=dtypes.as_dtype(dtype), shape=as_shape(shape)), [],
                    name=name, graph=get_default_graph())


@register
class PlaceholderWithDefault(Op):
    """Passes its input through unless a value is fed for it."""

    shape: TensorShape = TensorShape(None)

    def infer(self, op):
        given = op.inputs[0].shape
        if not self.shape.is_compatible_with(given):
            raise ValueError(f"The default value of shape {given} does not fit the "
                             f"placeholder's shape {self.shape}")
        return [(op.inputs[0].dtype, self.shape)]

    def kernel(self, value):
        return value

    def static_value(self, op):
        return None  # may be fed, so its value is not known when building

    def grad(self, op, dy):
        return [dy]


def placeholder_with_default(input: Any, shape: Any, name: Optional[str] = None) -> Tensor:
    """A placeholder that yields `input` when it is not fed."""
    value = convert_to_tensor(input)
    return apply_op(PlaceholderWithDefault(shape=as_shape(shape)), [value], name=name)


@register
class Identity(Op):
    """Returns its input unchanged."""

    accepts_indexed_slices = True

    def infer(self, op):
        t = op.inputs[0]
        return [(t.dtype, t.shape)]

    def kernel(self, value):
        return value

    def grad(self, op, dy):
        return [dy]


def identity(input: Any, name: Optional[str] = None) -> Tensor:
    """Returns a tensor with the same value as `input` (a new node in the graph)."""
    return apply_op(Identity(), [convert_to_tensor(input)], name=name)


@register
class NoOp(Op):
    """Does nothing; useful as a target of control dependencies."""

    def infer(self, op):
        return []

    def kernel(self):
        return ()


def no_op(name: Optional[str] = None):
    """An operation that does nothing (its control inputs still run)."""
    return apply_op(NoOp(), [], name=name, graph=get_default_graph())
