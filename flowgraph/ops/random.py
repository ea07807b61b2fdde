"""Random ops: normal, truncated normal and uniform values, and TF1's seed rules.

Seeds follow TF1's ``get_seed``: the graph-level seed (`fg.set_random_seed`) and the op's
own seed give the (seed, seed2) pair stored on the op. A kernel draws from its own numpy
Generator (``ctx.rng``): a new Session replays the same sequence, and successive runs in
one Session draw new values. Without any seed, every Session draws different values.
Shuffling and multinomial sampling are in `random_sampling`.
"""

from __future__ import annotations

import contextlib
import dataclasses
from typing import Any, Iterator, Optional

import numpy as np

from flowgraph import dtypes, errors
from flowgraph.graph import Graph, Tensor, get_default_graph
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.elementwise import check_dtype
from flowgraph.ops.registry import Op, apply_op, constant_value, graph_of, register
from flowgraph.shapes import TensorShape, broadcast_shapes, unknown_shape

__all__ = ["random_normal", "truncated_normal", "random_uniform", "get_seed"]

DEFAULT_GRAPH_SEED = 87654321
_MAXINT32 = 2**31 - 1
_FLOAT_DTYPES = (dtypes.float16, dtypes.float32, dtypes.float64)


# --------------------------------------------------------------------------- seeds
def get_seed(op_seed: Optional[int], graph: Optional[Graph] = None) -> tuple:
    """The (seed, seed2) pair of a random op, as TF1's `tf.get_seed`.

    With a graph-level seed and no op seed, the op seed is the number of nodes already in
    the graph (TF1's ``graph._last_id``), so graphs built the same way draw the same values.
    With only an op seed, the graph seed is DEFAULT_GRAPH_SEED. With neither:
    (None, None), i.e. nondeterministic.
    """
    graph = graph if graph is not None else get_default_graph()
    global_seed = graph.seed
    if global_seed is not None:
        if op_seed is None:
            op_seed = len(graph)
        seeds = (int(global_seed) % _MAXINT32, int(op_seed) % _MAXINT32)
    elif op_seed is not None:
        seeds = (DEFAULT_GRAPH_SEED, int(op_seed) % _MAXINT32)
    else:
        return (None, None)
    if seeds == (0, 0):  # TF1 avoids (0, 0), which its kernels read as "no seed"
        return (0, _MAXINT32)
    return seeds


@dataclasses.dataclass(frozen=True, kw_only=True)
class RandomOp(Op):
    """Shared parts of the random ops: the seed pair and the per-Session generator."""

    seed: Optional[int] = None
    seed2: Optional[int] = None

    stateful = True
    needs_state = True

    def check(self) -> None:
        for field in ("seed", "seed2"):
            value = getattr(self, field)
            if value is not None:
                if isinstance(value, bool) or int(value) != value:
                    raise TypeError(f"{self.type_name} attribute {field} must be an int or "
                                    f"None, got {value!r}")
                object.__setattr__(self, field, int(value))

    def generator(self, ctx: Any) -> np.random.Generator:
        seeds = None if self.seed is None and self.seed2 is None else \
            (self.seed or 0, self.seed2 or 0)
        return ctx.rng(seeds)


# --------------------------------------------------------------------------- helpers
@contextlib.contextmanager
def _op_scope(graph: Graph, name: Optional[str], default: str) -> Iterator[str]:
    """Creates the op's input constants under its own name ("random_normal/shape", as TF1),
    and yields the name to give the op itself after the block."""
    base = name or default
    final = graph.unique_name(base, mark_as_used=False)
    with graph.as_default(), graph.name_scope(final + "/"):
        yield base


def shape_tensor(shape: Any) -> Tensor:
    """A 1-D int32 (or int64) tensor from a shape given as a list, TensorShape or tensor."""
    if isinstance(shape, Tensor) or hasattr(shape, "__fg_tensor__"):
        tensor = convert_to_tensor(shape)
        if not tensor.dtype.is_integer:
            raise TypeError(f"A shape tensor must be int32 or int64, got {tensor.name} of "
                            f"dtype {tensor.dtype.name}")
        return tensor
    if isinstance(shape, TensorShape):
        if not shape.is_fully_defined():
            raise ValueError(f"A shape must be fully defined to make random values, got "
                             f"{shape}")
        shape = shape.as_list()
    if isinstance(shape, (int, np.integer)):
        raise ValueError(f"shape must be a list of dimensions (1-D), got the scalar {shape}; "
                         f"use [{shape}]")
    dims = np.asarray([getattr(d, "value", d) for d in shape] if isinstance(shape, (list, tuple))
                      else shape, dtype=object).reshape(-1)
    if any(d is None for d in dims):
        raise ValueError(f"A shape must be fully defined to make random values, got "
                         f"{list(dims)}; pass fg.shape(x) for a dynamic shape")
    values = np.asarray(dims.tolist() if dims.size else [], dtype=np.int64)
    small = not values.size or values.max() < 2**31
    return convert_to_tensor(values.astype(np.int32 if small else np.int64), name="shape")


def shape_from_input(op: Any, tensor: Tensor) -> TensorShape:
    """The static output shape given by a shape input (as precise as known at build time)."""
    check_dtype(op, tensor, "iu", "shape")
    rank = tensor.shape.ndims
    if rank is not None and rank != 1:
        raise ValueError(f"{op.type}: shape must be a 1-D tensor, got rank {rank} "
                         f"({tensor.name} of shape {tensor.shape})")
    value = constant_value(tensor)
    if value is not None:
        if (value < 0).any():
            raise ValueError(f"{op.type}: dimensions of shape must be >= 0, got "
                             f"{value.tolist()}")
        return TensorShape(value.tolist())
    length = None if rank is None else tensor.shape.as_tuple()[0]
    return unknown_shape(length)


def run_dims(shape: np.ndarray) -> tuple:
    """The shape input's value as a tuple, checked when running."""
    if shape.ndim != 1:
        raise errors.InvalidArgumentError(None, None, f"shape must be a vector, got shape "
                                          f"{list(shape.shape)}")
    if (shape < 0).any():
        raise errors.InvalidArgumentError(None, None, f"Dimensions of shape must be >= 0, "
                                          f"got {shape.tolist()}")
    return tuple(int(d) for d in shape)


def _param_infer(op: Any, dtype: dtypes.DType, names: tuple) -> TensorShape:
    """Output shape of an op with inputs (shape, p1, p2): p1 and p2 broadcast against it."""
    shape = shape_from_input(op, op.inputs[0])
    if len(op.inputs) == 1:
        return shape
    if len(op.inputs) != 3:
        raise ValueError(f"{op.type} takes a shape, optionally followed by {names[0]} and "
                         f"{names[1]}; got {len(op.inputs)} inputs")
    for name, tensor in zip(names, op.inputs[1:]):
        if tensor.dtype != dtype:
            raise TypeError(f"{op.type}: {name} has dtype {tensor.dtype.name}, expected "
                            f"{dtype.name}")
        merged = broadcast_shapes(shape, tensor.shape)
        if merged is None:
            raise ValueError(f"{op.type}: {name} of shape {tensor.shape} does not broadcast "
                             f"with the shape {shape}")
        shape = merged
    return shape


def _floats(rng: np.random.Generator, draw: str, dims: tuple, dtype: dtypes.DType
            ) -> np.ndarray:
    wide = dtype.np if dtype != dtypes.float16 else np.dtype(np.float32)
    values = getattr(rng, draw)(size=dims, dtype=wide)
    return values.astype(dtype.np, copy=False)


def _check_float_dtype(op_type: str, dtype: dtypes.DType) -> None:
    if dtype not in _FLOAT_DTYPES:
        raise TypeError(f"{op_type}: dtype must be one of float16, float32, float64, got "
                        f"{dtype.name}")


def _param_tensors(dtype: dtypes.DType, values: dict, defaults: tuple) -> list:
    """The parameter inputs, or none when both are the Python defaults (saves two passes)."""
    items = list(values.items())
    if all(not _is_tensor_like(v) and np.ndim(v) == 0 and float(v) == d
           for (_, v), d in zip(items, defaults)):
        return []
    return [convert_to_tensor(v, dtype=dtype, name=n) for n, v in items]


def _is_tensor_like(value: Any) -> bool:
    return isinstance(value, Tensor) or hasattr(value, "__fg_tensor__")


# --------------------------------------------------------------------------- normal
@register
class RandomStandardNormal(RandomOp):
    """Samples of N(0, 1) of the shape given by input 0, scaled as ``z * stddev + mean``
    when the mean and stddev inputs (1 and 2) are present."""

    dtype: dtypes.DType = dtypes.float32

    # mean and stddev broadcast against the output; their gradients are summed back.
    broadcasting = True
    # Successive runs draw new values, so the registry's finite-difference check (many runs
    # of one Session) cannot hold the draws fixed: this file checks with fresh Sessions.
    grad_checked_elsewhere = "tests/ops/test_random_grad.py"

    def check(self) -> None:
        super().check()
        _check_float_dtype(self.type_name, self.dtype)

    @classmethod
    def default_name(cls) -> str:
        return "random_normal"

    def infer(self, op):
        return [(self.dtype, _param_infer(op, self.dtype, ("mean", "stddev")))]

    def draw(self, rng: np.random.Generator, dims: tuple) -> np.ndarray:
        return _floats(rng, "standard_normal", dims, self.dtype)

    def kernel(self, ctx, shape, *params):
        z = self.draw(self.generator(ctx), run_dims(shape))
        if not params:
            return z
        mean, stddev = params
        return np.asarray(z * stddev + mean, dtype=self.dtype.np)

    def grad(self, op, dy):
        # y = z * stddev + mean, as TF1's composite: dmean = dy, dstddev = dy * z, with the
        # standard draw z recovered from the output (zero where stddev is zero).
        if len(op.inputs) == 1:
            return [None]
        from flowgraph.ops.division import div_no_nan
        from flowgraph.ops.math import multiply, subtract
        _, mean, stddev = op.inputs
        z = div_no_nan(subtract(op.outputs[0], mean), stddev)
        return [None, dy, multiply(dy, z)]


@register
class TruncatedNormal(RandomStandardNormal):
    """Samples of N(0, 1) redrawn until within two standard deviations, scaled as
    ``z * stddev + mean`` when the mean and stddev inputs are present."""

    @classmethod
    def default_name(cls) -> str:
        return "truncated_normal"

    def draw(self, rng: np.random.Generator, dims: tuple) -> np.ndarray:
        z = _floats(rng, "standard_normal", dims, self.dtype)
        flat = z.reshape(-1)
        bad = np.flatnonzero(np.abs(flat) > 2.0)
        while bad.size:
            flat[bad] = _floats(rng, "standard_normal", (bad.size,), self.dtype)
            bad = bad[np.abs(flat[bad]) > 2.0]
        return z


def random_normal(shape: Any, mean: Any = 0.0, stddev: Any = 1.0, dtype: Any = dtypes.float32,
                  seed: Optional[int] = None, name: Optional[str] = None) -> Tensor:
    """Values drawn from a normal distribution N(mean, stddev**2).

    Parameters
    ----------
    shape : list of ints or 1-D int tensor
        The output shape.
    mean, stddev : number or tensor of `dtype`
        Broadcast against the output (tensors may be differentiated through later).
    dtype : float16, float32 or float64
    seed : int, optional
        With `fg.set_random_seed`, makes the values reproducible (see `get_seed`).

    >>> fg.random_normal([2, 3], seed=1).shape.as_list()
    [2, 3]
    """
    return _normal_like(RandomStandardNormal, "random_normal", shape, mean, stddev, dtype,
                        seed, name)


def truncated_normal(shape: Any, mean: Any = 0.0, stddev: Any = 1.0,
                     dtype: Any = dtypes.float32, seed: Optional[int] = None,
                     name: Optional[str] = None) -> Tensor:
    """Values from a normal distribution N(mean, stddev**2) restricted to within two standard
    deviations of the mean: values further out are drawn again, as TF1's."""
    return _normal_like(TruncatedNormal, "truncated_normal", shape, mean, stddev, dtype, seed,
                        name)


def _normal_like(cls: type, default: str, shape: Any, mean: Any, stddev: Any, dtype: Any,
                 seed: Optional[int], name: Optional[str]) -> Tensor:
    dtype = dtypes.as_dtype(dtype)
    _check_float_dtype(cls.type_name, dtype)
    graph = graph_of(shape, mean, stddev)
    with _op_scope(graph, name, default) as op_name:
        inputs = [shape_tensor(shape)]
        inputs += _param_tensors(dtype, {"mean": mean, "stddev": stddev}, (0.0, 1.0))
        seed1, seed2 = get_seed(seed, graph)
    return apply_op(cls(dtype=dtype, seed=seed1, seed2=seed2), inputs, name=op_name)


# --------------------------------------------------------------------------- uniform
@register
class RandomUniform(RandomOp):
    """Floats uniform in [0, 1) of the shape given by input 0; ``u * (maxval - minval) +
    minval`` when the minval and maxval inputs (1 and 2) are present."""

    dtype: dtypes.DType = dtypes.float32

    broadcasting = True  # minval and maxval broadcast against the output
    grad_checked_elsewhere = "tests/ops/test_random_grad.py"  # see RandomStandardNormal

    def check(self) -> None:
        super().check()
        _check_float_dtype(self.type_name, self.dtype)

    @classmethod
    def default_name(cls) -> str:
        return "random_uniform"

    def infer(self, op):
        return [(self.dtype, _param_infer(op, self.dtype, ("minval", "maxval")))]

    def kernel(self, ctx, shape, *params):
        u = _floats(self.generator(ctx), "random", run_dims(shape), self.dtype)
        if self.dtype == dtypes.float16:  # float32 values just below 1 round up to 1.0
            np.minimum(u, np.float16(1) - np.finfo(np.float16).epsneg, out=u)
        if not params:
            return u
        low, high = params
        return np.asarray(u * (high - low) + low, dtype=self.dtype.np)

    def grad(self, op, dy):
        # y = u * (maxval - minval) + minval, as TF1's composite: dminval = dy * (1 - u),
        # dmaxval = dy * u, with u recovered from the output (zero where maxval == minval).
        if len(op.inputs) == 1:
            return [None]
        from flowgraph.ops.division import div_no_nan
        from flowgraph.ops.math import multiply, subtract
        _, low, high = op.inputs
        u = div_no_nan(subtract(op.outputs[0], low), subtract(high, low))
        d_high = multiply(dy, u)
        return [None, subtract(dy, d_high), d_high]


@register
class RandomUniformInt(RandomOp):
    """Integers uniform in [minval, maxval) (inputs 1 and 2, scalars) of the shape given by
    input 0."""

    differentiable = False

    @classmethod
    def default_name(cls) -> str:
        return "random_uniform"

    def infer(self, op):
        if len(op.inputs) != 3:
            raise ValueError(f"{op.type} takes shape, minval and maxval; got "
                             f"{len(op.inputs)} inputs")
        shape = shape_from_input(op, op.inputs[0])
        low, high = op.inputs[1:]
        if low.dtype != high.dtype or low.dtype not in (dtypes.int32, dtypes.int64):
            raise TypeError(f"{op.type}: minval and maxval must both be int32 or both int64, "
                            f"got {low.dtype.name} and {high.dtype.name}")
        for what, t in (("minval", low), ("maxval", high)):
            if t.shape.ndims not in (None, 0):
                raise ValueError(f"{op.type}: {what} must be a scalar, got shape {t.shape}")
        return [(low.dtype, shape)]

    def kernel(self, ctx, shape, low, high):
        dims = run_dims(shape)
        if np.ndim(low) or np.ndim(high):
            raise errors.InvalidArgumentError(None, None, "minval and maxval must be scalars, "
                                              f"got shapes {np.shape(low)} and "
                                              f"{np.shape(high)}")
        low_value, high_value = int(low), int(high)
        if np.prod(dims, dtype=np.int64) == 0:
            return np.zeros(dims, dtype=low.dtype)
        if low_value >= high_value:
            raise errors.InvalidArgumentError(
                None, None, f"Need minval < maxval: {low_value} >= {high_value}")
        return self.generator(ctx).integers(low_value, high_value, size=dims,
                                            dtype=low.dtype)


def random_uniform(shape: Any, minval: Any = 0, maxval: Any = None, dtype: Any = dtypes.float32,
                   seed: Optional[int] = None, name: Optional[str] = None) -> Tensor:
    """Values drawn uniformly from [minval, maxval).

    For float dtypes `maxval` defaults to 1; for int32 and int64 it must be given (ValueError
    otherwise), and the values are integers (op RandomUniformInt).
    """
    dtype = dtypes.as_dtype(dtype)
    if dtype not in _FLOAT_DTYPES + (dtypes.int32, dtypes.int64):
        raise ValueError(f"Invalid dtype {dtype!r} for random_uniform: use a float dtype, "
                         "int32 or int64")
    if maxval is None:
        if dtype.is_integer:
            raise ValueError(f"Must specify maxval for integer dtype {dtype!r}")
        maxval = 1
    graph = graph_of(shape, minval, maxval)
    with _op_scope(graph, name, "random_uniform") as op_name:
        inputs = [shape_tensor(shape)]
        if dtype.is_integer:
            inputs += [convert_to_tensor(minval, dtype=dtype, name="min"),
                       convert_to_tensor(maxval, dtype=dtype, name="max")]
        else:
            inputs += _param_tensors(dtype, {"min": minval, "max": maxval}, (0.0, 1.0))
        seed1, seed2 = get_seed(seed, graph)
    op_def = RandomUniformInt(seed=seed1, seed2=seed2) if dtype.is_integer else \
        RandomUniform(dtype=dtype, seed=seed1, seed2=seed2)
    return apply_op(op_def, inputs, name=op_name)


# TF1's `tf.random` names for the ops of this module.
normal = random_normal
uniform = random_uniform
