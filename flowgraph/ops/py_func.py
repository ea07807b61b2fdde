"""`fg.py_func` / `fg.numpy_function`: a Python function run as an op (TF1's PyFunc and
PyFuncStateless).

The function receives numpy arrays and returns arrays (or one array); each result is
converted to its declared dtype when numpy can do so within the same kind, otherwise the
run fails naming the op. Graphs holding these ops cannot be saved to disk (a file never
names Python code) and the ops have no gradient, as in TF1.
"""

from __future__ import annotations

from typing import Any, Callable, Optional, Sequence

import numpy as np

from flowgraph import dtypes, errors
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.registry import Op, apply_op, register

__all__ = ["py_func", "numpy_function"]


class _PyFuncBase(Op):
    # Subclasses declare the attributes `func` (the callable) and `Tout` (dtype names).
    differentiable = False
    needs_state = True

    def check(self):
        if not callable(self.func):
            raise TypeError(f"py_func needs a callable, got {self.func!r}")

    def infer(self, op):
        return [(dtypes.as_dtype(t), None) for t in self.Tout]

    def kernel(self, ctx, *args):
        try:
            result = self.func(*args)
        except errors.OpError:
            raise
        except Exception as e:
            raise _error_class(e)(
                None, ctx.op, f"{type(e).__name__}: {e} (raised by the Python function "
                f"{getattr(self.func, '__name__', self.func)!r} of {ctx.op.type} op "
                f"{ctx.op.name!r})") from e
        results = list(result) if isinstance(result, (list, tuple)) else [result]
        if len(results) != len(self.Tout):
            raise errors.InvalidArgumentError(
                None, ctx.op, f"{ctx.op.name}: the Python function returned {len(results)} "
                f"values, Tout declares {len(self.Tout)}")
        values = tuple(_converted(v, dtypes.as_dtype(t), i, ctx.op)
                       for i, (v, t) in enumerate(zip(results, self.Tout)))
        return values[0] if len(values) == 1 else values


def _error_class(exc: Exception) -> type:
    """TF1's mapping of a Python exception raised in a py_func to an OpError class."""
    if isinstance(exc, (ValueError, TypeError)):
        return errors.InvalidArgumentError
    if isinstance(exc, StopIteration):
        return errors.OutOfRangeError
    if isinstance(exc, MemoryError):
        return errors.ResourceExhaustedError
    if isinstance(exc, NotImplementedError):
        return errors.UnimplementedError
    return errors.UnknownError


def _converted(value: Any, dtype: Any, index: int, op: Any) -> np.ndarray:
    want = np.dtype(object) if dtype == dtypes.string else np.dtype(dtype.as_numpy_dtype)
    array = np.asarray(value)
    if array.dtype == want:
        return array
    if dtype == dtypes.string and array.dtype.kind in "SU":
        return np.array([v.encode() if isinstance(v, str) else v for v in array.reshape(-1)],
                        object).reshape(array.shape)
    if isinstance(value, (int, float, bool)) or np.can_cast(array.dtype, want, "same_kind"):
        return array.astype(want)
    raise errors.InvalidArgumentError(
        None, op, f"{index}-th value returned by {op.name} is {array.dtype.name}, but "
        f"expects {dtype.name}")


@register
class PyFunc(_PyFuncBase):
    """Runs a Python function on its inputs' values (stateful: never folded or merged)."""

    func: Any = None
    Tout: tuple = ()  # noqa: N815 - TF1's attribute name
    stateful = True


@register
class PyFuncStateless(_PyFuncBase):
    """Runs a Python function declared free of side effects."""

    func: Any = None
    Tout: tuple = ()  # noqa: N815


def py_func(func: Callable[..., Any], inp: Sequence[Any], Tout: Any,  # noqa: N803
            stateful: bool = True, name: Optional[str] = None) -> Any:
    """TF1's `tf.py_func`: an op calling ``func(*values)`` on the values of `inp`. `Tout` is
    a dtype (one output, returned as a tensor) or a list of dtypes (a list of tensors).
    Output shapes are unknown (set them with `set_shape`)."""
    single = not isinstance(Tout, (list, tuple))
    touts = (Tout,) if single else tuple(Tout)
    op_class = PyFunc if stateful else PyFuncStateless
    op = op_class(func=func, Tout=tuple(dtypes.as_dtype(t).name for t in touts))
    outputs = apply_op(op, [convert_to_tensor(v) for v in inp], name=name)
    if not isinstance(outputs, (list, tuple)):
        outputs = [outputs]
    return outputs[0] if single else list(outputs)


def numpy_function(func: Callable[..., Any], inp: Sequence[Any], Tout: Any,  # noqa: N803
                   name: Optional[str] = None) -> Any:
    """`tf.numpy_function`: `py_func` declared stateful."""
    return py_func(func, inp, Tout, stateful=True, name=name)
