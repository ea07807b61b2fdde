"""Random sampling ops: shuffling a tensor and drawing classes from logits (multinomial).

Seeds follow TF1's ``get_seed`` (see `flowgraph.ops.random`).
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from flowgraph import dtypes, errors
from flowgraph.graph import Tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.elementwise import check_dtype
from flowgraph.ops.random import RandomOp, get_seed
from flowgraph.ops.registry import apply_op, constant_value, graph_of, register
from flowgraph.shapes import TensorShape

__all__ = ["random_shuffle", "multinomial"]


# --------------------------------------------------------------------------- shuffle
@register
class RandomShuffle(RandomOp):
    """The input with its first dimension randomly permuted."""

    differentiable = False

    def infer(self, op):
        t = op.inputs[0]
        return [(t.dtype, t.shape)]

    def kernel(self, ctx, value):
        if value.ndim == 0 or value.shape[0] <= 1:
            return value
        return value[self.generator(ctx).permutation(value.shape[0])]


def random_shuffle(value: Any, seed: Optional[int] = None, name: Optional[str] = None
                   ) -> Tensor:
    """`value` with its first dimension shuffled (each slice value[i] moves as a whole)."""
    graph = graph_of(value)
    seed1, seed2 = get_seed(seed, graph)
    with graph.as_default():
        value = convert_to_tensor(value)
    return apply_op(RandomShuffle(seed=seed1, seed2=seed2), [value], name=name)


# --------------------------------------------------------------------------- multinomial
@register
class Multinomial(RandomOp):
    """Class indices drawn from each row of logits [batch, classes] (unnormalized log
    probabilities): output [batch, num_samples] (input 1, an int32 scalar)."""

    output_dtype: dtypes.DType = dtypes.int64

    differentiable = False

    def check(self) -> None:
        super().check()
        if self.output_dtype not in (dtypes.int32, dtypes.int64):
            raise TypeError(f"Multinomial output_dtype must be int32 or int64, got "
                            f"{self.output_dtype.name}")

    def infer(self, op):
        logits, count = op.inputs
        check_dtype(op, logits, "f", "logits")
        check_dtype(op, count, "i", "num_samples")
        if logits.shape.ndims not in (None, 2):
            raise ValueError(f"Multinomial: logits must be 2-D [batch_size, num_classes], got "
                             f"shape {logits.shape}")
        if count.shape.ndims not in (None, 0):
            raise ValueError(f"Multinomial: num_samples must be a scalar, got shape "
                             f"{count.shape}")
        batch = None if logits.shape.ndims is None else logits.shape.as_tuple()[0]
        n = constant_value(count)
        if n is not None and n < 0:
            raise ValueError(f"Multinomial: num_samples must be >= 0, got {int(n)}")
        return [(self.output_dtype, TensorShape([batch, None if n is None else int(n)]))]

    def kernel(self, ctx, logits, num_samples):
        if logits.ndim != 2:
            raise errors.InvalidArgumentError(None, None, f"logits should be a matrix, got "
                                              f"shape {list(logits.shape)}")
        n = int(num_samples)
        if n < 0:
            raise errors.InvalidArgumentError(None, None, f"num_samples should be "
                                              f"nonnegative, got {n}")
        batch, classes = logits.shape
        out = np.zeros((batch, n), dtype=self.output_dtype.np)
        if batch == 0 or n == 0:
            return out
        if classes == 0:
            raise errors.InvalidArgumentError(None, None, "num_classes should be positive, "
                                              "got 0")
        x = logits.astype(np.float64)
        top = x.max(axis=1, keepdims=True)
        top[~np.isfinite(top)] = 0.0
        cdf = np.cumsum(np.exp(x - top), axis=1)
        u = self.generator(ctx).random((batch, n)) * cdf[:, -1:]
        for i in range(batch):
            out[i] = np.searchsorted(cdf[i], u[i], side="right")
        np.minimum(out, classes - 1, out=out)
        return out


def multinomial(logits: Any, num_samples: Any, seed: Optional[int] = None,
                name: Optional[str] = None, output_dtype: Any = None) -> Tensor:
    """Samples class indices from categorical distributions, as TF1's `tf.multinomial`.

    Parameters
    ----------
    logits : [batch_size, num_classes] float tensor
        Unnormalized log-probabilities of each row (rows are independent).
    num_samples : int or int32 scalar tensor
        Samples drawn per row.
    output_dtype : int32 or int64 (default)

    Returns
    -------
    [batch_size, num_samples] tensor of class indices.
    """
    return _categorical(logits, num_samples, output_dtype, seed, name, "multinomial")


def categorical(logits: Any, num_samples: Any, dtype: Any = None, seed: Optional[int] = None,
                name: Optional[str] = None) -> Tensor:
    """`fg.random.categorical`: as `multinomial`, with TF1's argument order for this name."""
    return _categorical(logits, num_samples, dtype, seed, name, "categorical")


def _categorical(logits: Any, num_samples: Any, dtype: Any, seed: Optional[int],
                 name: Optional[str], default: str) -> Tensor:
    graph = graph_of(logits, num_samples)
    with graph.as_default(), graph.name_scope(name or default):
        logits = convert_to_tensor(logits, name="logits")
        seed1, seed2 = get_seed(seed, graph)
        count = convert_to_tensor(num_samples, dtype=dtypes.int32, name="num_samples")
        output_dtype = dtypes.int64 if dtype is None else dtypes.as_dtype(dtype)
        return apply_op(Multinomial(seed=seed1, seed2=seed2, output_dtype=output_dtype),
                        [logits, count])


# TF1's `tf.random.shuffle` (`tf.random.categorical` is defined above).
shuffle = random_shuffle
