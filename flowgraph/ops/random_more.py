"""Gamma and Poisson samples (TF1's RandomGamma, RandomPoissonV2): `shape` samples for
every element of the distribution parameters, so the output shape is shape + the
parameters' shape. Drawn with numpy's generators (the same distributions as TF1's, not the
same streams)."""

from __future__ import annotations

import dataclasses
from typing import Any, Optional

import numpy as np

from flowgraph import dtypes
from flowgraph.graph import Tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.random import (
    RandomOp,
    _check_float_dtype,
    _op_scope,
    get_seed,
    run_dims,
    shape_from_input,
    shape_tensor,
)
from flowgraph.ops.registry import apply_op, graph_of, register

__all__ = ["random_gamma", "random_poisson"]


@dataclasses.dataclass(frozen=True, kw_only=True)
class _ParametricSample(RandomOp):
    differentiable = False

    def _shape(self, op):
        return shape_from_input(op, op.inputs[0]).concatenate(op.inputs[1].shape)


@register
class RandomGamma(_ParametricSample):
    """Samples of Gamma(alpha, 1) (shape + alpha.shape)."""

    def infer(self, op):
        alpha = op.inputs[1]
        _check_float_dtype("RandomGamma", alpha.dtype)
        return [(alpha.dtype, self._shape(op))]

    def kernel(self, ctx, shape, alpha):
        dims = run_dims(shape) + alpha.shape
        draws = self.generator(ctx).standard_gamma(np.broadcast_to(alpha, dims))
        return np.asarray(draws, dtype=alpha.dtype)


@register
class RandomPoissonV2(_ParametricSample):
    """Samples of Poisson(rate) (shape + rate.shape), of `dtype`."""

    dtype: dtypes.DType = dtypes.float32

    def infer(self, op):
        return [(self.dtype, self._shape(op))]

    def kernel(self, ctx, shape, rate):
        dims = run_dims(shape) + rate.shape
        draws = self.generator(ctx).poisson(np.broadcast_to(rate, dims))
        return np.asarray(draws, dtype=self.dtype.np)


def random_gamma(shape: Any, alpha: Any, beta: Any = None, dtype: Any = dtypes.float32,
                 seed: Optional[int] = None, name: Optional[str] = None) -> Tensor:
    """`shape` samples from each Gamma(alpha, beta) (rate beta, default 1): a tensor of shape
    shape + broadcast(alpha, beta).shape, as TF1's `tf.random_gamma`."""
    from flowgraph.ops.division import realdiv
    from flowgraph.ops.fill import zeros_like
    from flowgraph.ops.math import add, maximum
    dtype = dtypes.as_dtype(dtype)
    _check_float_dtype("random_gamma", dtype)
    graph = graph_of(shape, alpha, beta)
    with graph.as_default(), graph.name_scope(name or "random_gamma"):
        shape = shape_tensor(shape)
        alpha = convert_to_tensor(alpha, name="alpha", dtype=dtype)
        beta = convert_to_tensor(beta if beta is not None else 1.0, name="beta", dtype=dtype)
        broadcast_alpha = add(alpha, zeros_like(beta))
        seed1, seed2 = get_seed(seed, graph)
        sample = apply_op(RandomGamma(seed=seed1, seed2=seed2), [shape, broadcast_alpha])
        tiny = convert_to_tensor(np.finfo(dtype.np).tiny, dtype=dtype)
        return maximum(tiny, realdiv(sample, beta))


def random_poisson(lam: Any, shape: Any, dtype: Any = dtypes.float32,
                   seed: Optional[int] = None, name: Optional[str] = None) -> Tensor:
    """`shape` samples from each Poisson(lam): shape + lam.shape, of `dtype`."""
    graph = graph_of(lam, shape)
    with _op_scope(graph, name, "random_poisson") as op_name:
        shape = shape_tensor(shape)
        lam = convert_to_tensor(lam, name="lam")
        seed1, seed2 = get_seed(seed, graph)
    return apply_op(RandomPoissonV2(dtype=dtypes.as_dtype(dtype), seed=seed1, seed2=seed2),
                    [shape, lam], name=op_name)
