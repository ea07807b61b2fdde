"""TF1's assertion helpers (`tf.assert_equal`, `tf.assert_rank`, ...) and `check_numerics`.

Each `assert_*` returns an op to put in `control_dependencies`. As TF1: when the values
(or ranks, dtypes) are known while the graph is built, a failing check raises at once
(InvalidArgumentError for values, ValueError for ranks, TypeError for dtypes); otherwise
the returned `Assert` op fails at run time with InvalidArgumentError.
"""

from __future__ import annotations

from typing import Any, Callable, Optional, Sequence

import numpy as np

from flowgraph import dtypes, errors
from flowgraph.graph import Operation, Tensor
from flowgraph.ops.assertions import Assert
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.elementwise import UnaryOp, op_scope
from flowgraph.ops.registry import apply_op, constant_value, register

__all__ = ["assert_equal", "assert_none_equal", "assert_less", "assert_less_equal",
           "assert_greater", "assert_greater_equal", "assert_positive", "assert_negative",
           "assert_non_negative", "assert_non_positive", "assert_near", "assert_rank",
           "assert_rank_at_least", "assert_rank_in", "assert_type", "assert_integer",
           "assert_scalar", "assert_same_float_dtype", "assert_proper_iterable",
           "is_numeric_tensor", "check_numerics", "verify_tensor_all_finite"]


def _no_op(name: str) -> Operation:
    from flowgraph.ops.constant import no_op
    return no_op(name=name)


def _binary_assert(opname: str, symbol: str, compare: Callable, np_compare: Callable,
                   x: Any, y: Any, data: Any, summarize: Any, message: Any,
                   name: Optional[str]) -> Operation:
    from flowgraph.ops.reduce import reduce_all
    with op_scope(name, opname, [x, y]):
        x = convert_to_tensor(x, name="x")
        y = convert_to_tensor(y, name="y", dtype=x.dtype)
        if data is None:
            data = [message] if message is not None else []
            data += [f"Condition x {symbol} y did not hold element-wise:",
                     f"x ({x.name}) = ", x, f"y ({y.name}) = ", y]
        elif message is not None:
            data = [message] + list(data)
        x_static, y_static = constant_value(x), constant_value(y)
        if x_static is not None and y_static is not None:
            if not np.all(np_compare(x_static, y_static)):
                shown = "\n".join(str(d) if not isinstance(d, Tensor) else
                                  str(x_static if d is x else y_static if d is y else d.name)
                                  for d in data)
                raise errors.InvalidArgumentError(None, None, shown)
        return Assert(reduce_all(compare(x, y)), data, summarize=summarize)


def assert_equal(x: Any, y: Any, data: Any = None, summarize: Any = None, message: Any = None,
                 name: Optional[str] = None) -> Operation:
    """An op that fails unless x == y elementwise (with broadcasting)."""
    from flowgraph.ops.compare import equal
    return _binary_assert("assert_equal", "==", equal, np.equal, x, y, data, summarize,
                          message, name)


def assert_none_equal(x: Any, y: Any, data: Any = None, summarize: Any = None,
                      message: Any = None, name: Optional[str] = None) -> Operation:
    """An op that fails unless x != y for every element."""
    from flowgraph.ops.compare import not_equal
    return _binary_assert("assert_none_equal", "!=", not_equal, np.not_equal, x, y, data,
                          summarize, message, name)


def assert_less(x: Any, y: Any, data: Any = None, summarize: Any = None, message: Any = None,
                name: Optional[str] = None) -> Operation:
    """An op that fails unless x < y elementwise."""
    from flowgraph.ops.compare import less
    return _binary_assert("assert_less", "<", less, np.less, x, y, data, summarize, message,
                          name)


def assert_less_equal(x: Any, y: Any, data: Any = None, summarize: Any = None,
                      message: Any = None, name: Optional[str] = None) -> Operation:
    """An op that fails unless x <= y elementwise."""
    from flowgraph.ops.compare import less_equal
    return _binary_assert("assert_less_equal", "<=", less_equal, np.less_equal, x, y, data,
                          summarize, message, name)


def assert_greater(x: Any, y: Any, data: Any = None, summarize: Any = None,
                   message: Any = None, name: Optional[str] = None) -> Operation:
    """An op that fails unless x > y elementwise."""
    from flowgraph.ops.compare import greater
    return _binary_assert("assert_greater", ">", greater, np.greater, x, y, data, summarize,
                          message, name)


def assert_greater_equal(x: Any, y: Any, data: Any = None, summarize: Any = None,
                         message: Any = None, name: Optional[str] = None) -> Operation:
    """An op that fails unless x >= y elementwise."""
    from flowgraph.ops.compare import greater_equal
    return _binary_assert("assert_greater_equal", ">=", greater_equal, np.greater_equal, x, y,
                          data, summarize, message, name)


def _sign_assert(opname: str, x: Any, zero_first: bool, strict: bool, data: Any,
                 summarize: Any, message: Any, name: Optional[str]) -> Operation:
    with op_scope(name, opname, [x]):
        x = convert_to_tensor(x, name="x")
        zero = convert_to_tensor(np.zeros((), x.dtype.np), name="zero")
        if data is None:
            data = [message] if message is not None else []
            data += [f"Condition x {'>' if zero_first else '<'}{'' if strict else '='} 0 did "
                     "not hold element-wise:", f"x ({x.name}) = ", x]
        check = assert_less if strict else assert_less_equal
        a, b = (zero, x) if zero_first else (x, zero)
        return check(a, b, data=data, summarize=summarize)


def assert_positive(x: Any, data: Any = None, summarize: Any = None, message: Any = None,
                    name: Optional[str] = None) -> Operation:
    """An op that fails unless every element of x is > 0."""
    return _sign_assert("assert_positive", x, True, True, data, summarize, message, name)


def assert_negative(x: Any, data: Any = None, summarize: Any = None, message: Any = None,
                    name: Optional[str] = None) -> Operation:
    """An op that fails unless every element of x is < 0."""
    return _sign_assert("assert_negative", x, False, True, data, summarize, message, name)


def assert_non_negative(x: Any, data: Any = None, summarize: Any = None, message: Any = None,
                        name: Optional[str] = None) -> Operation:
    """An op that fails unless every element of x is >= 0."""
    return _sign_assert("assert_non_negative", x, True, False, data, summarize, message, name)


def assert_non_positive(x: Any, data: Any = None, summarize: Any = None, message: Any = None,
                        name: Optional[str] = None) -> Operation:
    """An op that fails unless every element of x is <= 0."""
    return _sign_assert("assert_non_positive", x, False, False, data, summarize, message, name)


def assert_near(x: Any, y: Any, rtol: Any = None, atol: Any = None, data: Any = None,
                summarize: Any = None, message: Any = None,
                name: Optional[str] = None) -> Operation:
    """An op that fails unless |x - y| <= atol + rtol * |y| elementwise (default tolerances
    10 * eps of the dtype, as TF1)."""
    from flowgraph.ops.compare import less_equal
    from flowgraph.ops.math import add, multiply, subtract
    from flowgraph.ops.reduce import reduce_all
    from flowgraph.ops.unary import abs as abs_
    with op_scope(name, "assert_near", [x, y]):
        x = convert_to_tensor(x, name="x")
        y = convert_to_tensor(y, name="y", dtype=x.dtype)
        eps = float(np.finfo(x.dtype.np).eps)
        rtol = convert_to_tensor(10 * eps if rtol is None else rtol, name="rtol",
                                 dtype=x.dtype)
        atol = convert_to_tensor(10 * eps if atol is None else atol, name="atol",
                                 dtype=x.dtype)
        if data is None:
            data = [message] if message is not None else []
            data += ["x and y not equal to tolerance rtol = ", rtol, ", atol = ", atol,
                     f"x ({x.name}) = ", x, f"y ({y.name}) = ", y]
        tolerance = add(atol, multiply(rtol, abs_(y)))
        return Assert(reduce_all(less_equal(abs_(subtract(x, y)), tolerance)), data,
                      summarize=summarize)


def _rank_assert(opname: str, x: Any, ranks: Sequence[int], static_ok: Callable,
                 describe: str, data: Any, summarize: Any, message: Any,
                 name: Optional[str]) -> Operation:
    from flowgraph.ops.compare import equal, greater_equal
    from flowgraph.ops.reduce import reduce_any
    from flowgraph.ops.shape_ops import rank as rank_of
    with op_scope(name, opname, [x]):
        x = convert_to_tensor(x)
        if x.shape.ndims is not None:
            if not static_ok(x.shape.ndims):
                prefix = f"{message} " if message is not None else ""
                raise ValueError(f"{prefix}Tensor {x.name} must have rank {describe}.  "
                                 f"Received rank {x.shape.ndims}, shape {x.shape}")
            return _no_op("static_checks_determined_all_ok")
        if data is None:
            data = [message] if message is not None else []
            data += [f"Tensor {x.name} must have rank {describe}. Received shape: ",
                     _shape_tensor(x)]
        actual = rank_of(x)
        if opname == "assert_rank_at_least":
            condition = greater_equal(actual, ranks[0])
        else:
            condition = reduce_any(equal(actual, convert_to_tensor(list(ranks),
                                                                     dtype=dtypes.int32)))
        return Assert(condition, data, summarize=summarize)


def _shape_tensor(x: Tensor) -> Tensor:
    from flowgraph.ops.shape_ops import shape
    return shape(x)


def _static_rank(rank: Any) -> int:
    value = constant_value(convert_to_tensor(rank)) if not isinstance(rank, int) else rank
    if value is None:
        raise ValueError("assert_rank: the rank must be known when the graph is built")
    return int(value)


def assert_rank(x: Any, rank: Any, data: Any = None, summarize: Any = None,
                message: Any = None, name: Optional[str] = None) -> Operation:
    """Checks that x has rank `rank`: ValueError now when x's rank is known, else an op
    that fails at run time."""
    r = _static_rank(rank)
    return _rank_assert("assert_rank", x, [r], lambda n: n == r, str(r), data, summarize,
                        message, name)


def assert_rank_at_least(x: Any, rank: Any, data: Any = None, summarize: Any = None,
                         message: Any = None, name: Optional[str] = None) -> Operation:
    """Checks that x has rank `rank` or more (ValueError now when known)."""
    r = _static_rank(rank)
    return _rank_assert("assert_rank_at_least", x, [r], lambda n: n >= r, f"at least {r}",
                        data, summarize, message, name)


def assert_rank_in(x: Any, ranks: Sequence[Any], data: Any = None, summarize: Any = None,
                   message: Any = None, name: Optional[str] = None) -> Operation:
    """Checks that x's rank is one of `ranks` (ValueError now when known)."""
    rs = [_static_rank(r) for r in ranks]
    return _rank_assert("assert_rank_in", x, rs, lambda n: n in rs, f"in {rs}", data,
                        summarize, message, name)


def assert_type(tensor: Any, tf_type: Any, message: Any = None,
                name: Optional[str] = None) -> Operation:
    """TypeError unless `tensor` has dtype `tf_type`; returns a no-op."""
    tensor = convert_to_tensor(tensor)
    expected = dtypes.as_dtype(tf_type)
    if tensor.dtype.base_dtype != expected:
        prefix = f"{message} " if message is not None else ""
        raise TypeError(f"{prefix}{tensor.name} must be of type {expected!r}; got "
                        f"{tensor.dtype!r}")
    with op_scope(name, "assert_type", [tensor]):
        return _no_op("statically_determined_correct_type")


def assert_integer(x: Any, message: Any = None, name: Optional[str] = None) -> Operation:
    """TypeError unless x has an integer dtype; returns a no-op."""
    x = convert_to_tensor(x)
    if not x.dtype.is_integer:
        prefix = f"{message} " if message is not None else ""
        raise TypeError(f"{prefix}Expected \"x\" to be integer type.  Found: {x.name} of dtype "
                        f"{x.dtype!r}")
    with op_scope(name, "assert_integer", [x]):
        return _no_op("statically_determined_was_integer")


def assert_scalar(tensor: Any, name: Optional[str] = None, message: Any = None) -> Tensor:
    """`tensor`, after checking (ValueError) that it is a scalar."""
    tensor = convert_to_tensor(tensor, name=name)
    if tensor.shape.ndims != 0:
        prefix = f"{message} " if message is not None else ""
        raise ValueError(f"{prefix}Expected scalar shape for {tensor.name}, saw shape: "
                         f"{tensor.shape}.")
    return tensor


def assert_same_float_dtype(tensors: Any = None, dtype: Any = None) -> Any:
    """The one floating dtype of `tensors` (and `dtype`); ValueError when they differ or
    are not floating (float32 when nothing is given)."""
    found = dtypes.as_dtype(dtype) if dtype is not None else None
    for t in tensors or []:
        t_dtype = dtypes.as_dtype(t.dtype).base_dtype
        if found is None:
            found = t_dtype
        elif t_dtype != found:
            raise ValueError(f"{t.name}, type={t_dtype!r}: expected type {found!r}.")
    if found is None:
        return dtypes.float32
    if not found.is_floating:
        raise ValueError(f"Expected floating point type, got {found!r}.")
    return found


def assert_proper_iterable(values: Any) -> None:
    """TypeError if `values` is a Tensor, an array or a string rather than a collection."""
    if isinstance(values, (Tensor, np.ndarray, str, bytes)) or hasattr(values,
                                                                       "__fg_tensor__"):
        raise TypeError(f"Expected argument \"values\" to be a \"proper\" iterable.  Found: "
                        f"{type(values)}")
    if not hasattr(values, "__iter__"):
        raise TypeError(f"Expected argument \"values\" to be iterable.  Found: {type(values)}")


def is_numeric_tensor(tensor: Any) -> bool:
    """Whether `tensor` is a Tensor of a numeric (integer or floating) dtype."""
    return isinstance(tensor, Tensor) and (tensor.dtype.is_floating or
                                           tensor.dtype.is_integer)


@register
class CheckNumerics(UnaryOp):
    """Passes a floating tensor through; InvalidArgumentError ("<message> : Tensor had NaN
    values") when it holds a NaN or an Inf."""

    message: str = ""
    allowed = "f"

    def fast_kernel(self, op):
        def check(x):
            if not np.all(np.isfinite(x)):
                what = "NaN" if np.any(np.isnan(x)) else "Inf"
                raise errors.InvalidArgumentError(None, op,
                                                  f"{self.message} : Tensor had {what} values")
            return x
        return check

    def kernel(self, x):
        return self.fast_kernel(None)(x)

    def grad(self, op, dy):
        # As TF1: the gradient is checked too.
        return [check_numerics(dy, f"Not a number (NaN) or infinity (Inf) values detected "
                                   f"in gradient. {self.message}")]


def check_numerics(tensor: Any, message: str, name: Optional[str] = None) -> Tensor:
    """`tensor`, failing at run time (InvalidArgumentError) if it has NaN or Inf values."""
    return apply_op(CheckNumerics(message=str(message)), [convert_to_tensor(tensor)],
                    name=name)


def verify_tensor_all_finite(t: Any = None, msg: Any = None, name: Optional[str] = None,
                             x: Any = None, message: Any = None) -> Tensor:
    """`t`, failing at run time if it has NaN or Inf values (scope "VerifyFinite")."""
    from flowgraph.ops.control import with_dependencies
    t = t if t is not None else x
    msg = msg if msg is not None else message
    with op_scope(name, "VerifyFinite", [t]):
        t = convert_to_tensor(t, name="x")
        verify = check_numerics(t, message=msg)
        return with_dependencies([verify], t)
