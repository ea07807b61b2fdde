"""Helpers shared by the distributions: parameter conversion, logits/probs, checks, seeds."""

from __future__ import annotations

import hashlib
from typing import Any, Callable, Optional, Sequence

import numpy as np

import flowgraph as fg

__all__ = ["float_params", "float_tensor", "get_logits_and_probs", "gen_new_seed", "batch_shapes",
           "embed_check_integer_casting_closed", "embed_check_categorical_event_shape",
           "nan_where_undefined"]


def float_params(values: Sequence[Any], names: Sequence[str], dist: str,
                 checks: Optional[Callable[..., list]] = None) -> list:
    """Converts parameters to tensors (`identity` named as the parameter) of one float dtype.

    Python numbers take the dtype of the first tensor among them (float32 if none), so
    `Normal(loc=0., scale=float64_tensor)` works; non-float tensors, or tensors of
    different float dtypes, are a ValueError (as TF1). `checks(*tensors)` gives assertions
    (validate_args) that run before the parameters are used.
    """
    dtype = next((v.dtype for v in values if isinstance(v, fg.Tensor)), None)
    tensors = []
    for value, name in zip(values, names):
        tensor = fg.convert_to_tensor(value, preferred_dtype=dtype or fg.float32)
        if not tensor.dtype.is_floating:
            raise ValueError(f"{dist}: {name} must be a float tensor (float16/32/64), got "
                             f"dtype {tensor.dtype.name}; pass e.g. {name}=1.0 or cast it")
        tensors.append(tensor)
    if len({t.dtype for t in tensors}) > 1:
        found = ", ".join(f"{n}: {t.dtype.name}" for n, t in zip(names, tensors))
        raise ValueError(f"{dist}: parameters must all have the same float dtype, got "
                         f"{found}; cast them with fg.cast")
    with fg.control_dependencies(checks(*tensors) if checks else []):
        return [fg.identity(t, name=n) for t, n in zip(tensors, names)]


def batch_shapes(*tensors: fg.Tensor) -> tuple:
    """(static, dynamic) broadcast shape of the parameter tensors."""
    static = tensors[0].shape
    dynamic = fg.shape(tensors[0])
    for t in tensors[1:]:
        static = fg.broadcast_static_shape(static, t.shape)
        dynamic = fg.broadcast_dynamic_shape(dynamic, fg.shape(t))
    return static, dynamic


def static_batch_shape(*tensors: fg.Tensor) -> fg.TensorShape:
    static = tensors[0].shape
    for t in tensors[1:]:
        static = fg.broadcast_static_shape(static, t.shape)
    return static


def dynamic_batch_shape(*tensors: fg.Tensor) -> fg.Tensor:
    dynamic = fg.shape(tensors[0])
    for t in tensors[1:]:
        dynamic = fg.broadcast_dynamic_shape(dynamic, fg.shape(t))
    return dynamic


def get_logits_and_probs(logits: Any = None, probs: Any = None, multidimensional: bool = False,
                         validate_args: bool = False, name: str = "get_logits_and_probs",
                         dtype: Any = None) -> tuple:
    """(logits, probs) from exactly one of them, as TF1's distribution_util function.

    Scalar events: probs = sigmoid(logits), logits = log(p) - log1p(-p). Multidimensional
    (categorical) events: probs = softmax(logits), logits = log(probs).
    """
    with fg.name_scope(name):
        if (probs is None) == (logits is None):
            raise ValueError("Must pass probs or logits, but not both.")
        if probs is None:
            logits = _floating(logits, "logits", dtype, "0.0, not 0")
            if multidimensional:
                if validate_args:
                    logits = embed_check_categorical_event_shape(logits)
                return logits, fg.nn.softmax(logits, name="probs")
            return logits, fg.sigmoid(logits, name="probs")

        probs = _floating(probs, "probs", dtype, "1.0, not 1")
        if validate_args:
            with fg.name_scope("validate_probs"):
                one = fg.constant(1., probs.dtype)
                dependencies = [fg.assert_non_negative(probs)]
                if multidimensional:
                    probs = embed_check_categorical_event_shape(probs)
                    dependencies.append(fg.assert_near(fg.reduce_sum(probs, -1), one,
                                                       message="probs does not sum to 1."))
                else:
                    dependencies.append(fg.assert_less_equal(
                        probs, one, message="probs has components greater than 1."))
                probs = fg.with_dependencies(dependencies, probs)
        with fg.name_scope("logits"):
            if multidimensional:
                return fg.log(probs), probs
            return fg.log(probs) - fg.log1p(-1. * probs), probs


def _floating(value: Any, name: str, dtype: Any, example: str) -> fg.Tensor:
    """`value` as a float tensor named `name` (of `dtype` if given, else preferably float32);
    a TypeError, showing `example`, for any other dtype."""
    tensor = fg.convert_to_tensor(value, name=name, dtype=dtype,
                                  preferred_dtype=None if dtype else fg.float32)
    if not tensor.dtype.is_floating:
        raise TypeError(f"{name} must having floating type, got {tensor.dtype.name}; "
                        f"pass floats (e.g. {example})")
    return tensor


def float_tensor(value: Any, name: str, dist: str, hint: str = "") -> fg.Tensor:
    """`value` as a tensor named `name`, preferably float32; a ValueError naming `dist` (and
    ending in `hint`) if its dtype is not a float."""
    tensor = fg.convert_to_tensor(value, name=name, preferred_dtype=fg.float32)
    if not tensor.dtype.is_floating:
        raise ValueError(f"{dist}: {name} must be a float tensor, got dtype "
                         f"{tensor.dtype.name}{hint}")
    return tensor


def _largest_integer(dtype: Any) -> int:
    if dtype.is_floating:
        return int(2 ** (np.finfo(dtype.np).nmant + 1))
    if dtype.is_integer:
        return int(np.iinfo(dtype.np).max)
    if dtype == fg.bool:
        return 1
    raise TypeError(f"Unrecognized dtype: {dtype.name}")


def embed_check_categorical_event_shape(param: fg.Tensor) -> fg.Tensor:
    """Checks a categorical parameter has rank >= 1 and at least 2 classes (statically
    when the class count is known, else with assertions run before `param` is used)."""
    x = fg.convert_to_tensor(param, name="categorical_param")
    max_event_size = _largest_integer(x.dtype) if x.dtype.is_floating else 0
    if max_event_size == 0:
        raise TypeError(f"Unable to validate size of unrecognized dtype ({x.dtype.name}).")
    if x.shape.ndims is not None and x.shape.ndims < 1:
        raise ValueError("A categorical-distribution parameter must have at least 1 "
                         "dimension.")
    last = None if x.shape.ndims is None else x.shape.as_list()[-1]
    if last is not None:
        if last < 2:
            raise ValueError("A categorical-distribution parameter must have at least 2 "
                             "events.")
        if last > max_event_size:
            raise ValueError(f"Number of classes exceeds `dtype` precision, i.e., "
                             f"{x.dtype.name} implies shape ({last}) cannot exceed "
                             f"{max_event_size}.")
        return x
    event_size = fg.shape(x, name="x_shape")[-1]
    return fg.with_dependencies([
        fg.assert_rank_at_least(x, 1, message="A categorical-distribution parameter must "
                                "have at least 1 dimension."),
        fg.assert_greater_equal(fg.shape(x)[-1], 2, message="A categorical-distribution "
                                "parameter must have at least 2 events."),
        fg.assert_less_equal(event_size, max_event_size,
                             message=f"Number of classes exceeds `dtype` precision, i.e., "
                             f"{x.dtype.name} dtype cannot exceed {max_event_size} shape."),
    ], x)


def embed_check_integer_casting_closed(x: Any, target_dtype: Any,
                                       assert_nonnegative: bool = True,
                                       name: str = "embed_check_casting_closed") -> fg.Tensor:
    """`x` with run-time checks that casting it to `target_dtype` loses nothing (whole
    numbers, in range, and non-negative when asked)."""
    with fg.name_scope(name):
        x = fg.convert_to_tensor(x, name="x")
        target_dtype = fg.as_dtype(target_dtype)
        int_like = {"x": x.dtype.is_integer or x.dtype == fg.bool,
                    "t": target_dtype.is_integer or target_dtype == fg.bool}
        if not int_like["x"] and not x.dtype.is_floating:
            raise TypeError(f"{x.dtype.name}.dtype must be floating- or integer-type.")
        if not int_like["t"] and not target_dtype.is_floating:
            raise TypeError(f"target_dtype ({target_dtype.name}) must be floating- or "
                            f"integer-type.")
        if not int_like["x"] and not int_like["t"]:
            raise TypeError(f"At least one of {x.name}.dtype ({x.dtype.name}) and "
                            f"target_dtype ({target_dtype.name}) must be integer-type.")
        assertions = []
        if assert_nonnegative:
            assertions.append(fg.assert_non_negative(x, message="Elements must be "
                                                     "non-negative."))
        largest = _largest_integer(target_dtype)
        if x.dtype.is_floating:
            assertions.append(fg.assert_equal(
                x, fg.cast(fg.cast(x, target_dtype), x.dtype),
                message=f"Elements must be {target_dtype.name}-equivalent."))
        elif _largest_integer(x.dtype) > largest:
            assertions.append(fg.assert_less_equal(
                x, fg.cast(largest, x.dtype), message=f"Elements cannot exceed {largest}."))
        if not assertions:
            return x
        return fg.with_dependencies(assertions, x)


def gen_new_seed(seed: Optional[int], salt: str) -> Optional[int]:
    """A new seed derived from `seed` and `salt` (None stays None), as TF1's."""
    if seed is None:
        return None
    digest = hashlib.md5((str(seed) + salt).encode("utf-8")).hexdigest()
    return int(digest[:8], 16) & 0x7FFFFFFF


def nan_where_undefined(dist: Any, value: fg.Tensor, defined: fg.Tensor, message: str
                        ) -> fg.Tensor:
    """`value` with NaN where not `defined` (allow_nan_stats=True), or `value` guarded by an
    assertion that fails the run where it is undefined (allow_nan_stats=False)."""
    if dist.allow_nan_stats:
        nan = fg.fill(fg.shape(value), np.array(np.nan, dtype=value.dtype.np), name="nan")
        return fg.where_v2(defined, value, nan)
    return fg.with_dependencies([fg.Assert(fg.reduce_all(defined), [message])], value)
