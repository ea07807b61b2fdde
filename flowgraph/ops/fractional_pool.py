"""Fractional max / average pooling (TF1's FractionalMaxPool, FractionalAvgPool and their
gradients) and the builders `fg.nn.fractional_max_pool` and `fg.nn.fractional_avg_pool`.

Each run draws one row and one column pooling sequence (Graham, 2015): ``a[0] = 0``,
``a[-1] = input size``, ``len(a) = floor(size / ratio) + 1``, every step K or K + 1 with
``K = floor(size / (len(a) - 1))``. Window i covers ``a[i] .. a[i + 1] - 1`` (``.. a[i + 1]``
when `overlapping`, clipped to the input). Sequences come from numpy's generator, not
TF's Philox stream: their properties match TF1, their exact values do not.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any, Optional

import numpy as np

from flowgraph import dtypes, errors
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.elementwise import check_dtype
from flowgraph.ops.registry import Op, apply_op, register
from flowgraph.shapes import TensorShape

__all__: list = []


def _invalid(message: str) -> errors.InvalidArgumentError:
    return errors.InvalidArgumentError(None, None, message)


def pooling_sequence(size: int, out: int, rng: np.random.Generator,
                     pseudo_random: bool) -> np.ndarray:
    """The cumulative pooling sequence (int64, out + 1 values from 0 to size)."""
    k = size // out
    if size % out == 0:
        diff = np.full(out, k, np.int64)
    elif pseudo_random:
        alpha = size / out
        max_u = min((k + 2) / alpha - 1, (size + 1 - k) / alpha - (out - 1))
        u = rng.random() * max_u
        cum = np.array([1] + [math.ceil(alpha * (i + u)) for i in range(1, out)]
                       + [size + 1], np.int64)
        diff = np.diff(cum)
    else:
        diff = np.full(out, k, np.int64)
        diff[:size % out] = k + 1
        diff = rng.permutation(diff)
    return np.concatenate([[0], np.cumsum(diff)]).astype(np.int64)


def _windows(seq: np.ndarray, size: int, overlapping: bool) -> list:
    """(start, stop) of each window (stop exclusive)."""
    seq = np.asarray(seq, np.int64).tolist()
    return [(seq[i], min(seq[i + 1] + (1 if overlapping else 0), size))
            for i in range(len(seq) - 1)]


def _check_sequence(seq: np.ndarray, size: int, what: str) -> None:
    if seq.ndim != 1 or seq.size < 2 or seq[0] != 0 or seq[-1] != size \
            or (np.diff(seq) < 1).any():
        raise _invalid(f"{what} must be an increasing vector from 0 to the input size {size}, "
                       f"got {seq.tolist()}")


def _indicator(seq: np.ndarray, size: int, overlapping: bool) -> np.ndarray:
    """[windows, size] 0/1 matrix: which input positions each window covers."""
    windows = _windows(seq, size, overlapping)
    m = np.zeros((len(windows), size))
    for i, (start, stop) in enumerate(windows):
        m[i, start:stop] = 1.0
    return m


@dataclasses.dataclass(frozen=True, kw_only=True)
class _FractionalPool(Op):
    """Attributes as TF1: `pooling_ratio` (4 floats >= 1, 1.0 for batch and channels),
    `pseudo_random`, `overlapping`, `deterministic`, `seed`, `seed2`."""

    pooling_ratio: tuple = (1.0, 1.0, 1.0, 1.0)
    pseudo_random: bool = False
    overlapping: bool = False
    deterministic: bool = False
    seed: int = 0
    seed2: int = 0

    stateful = True
    needs_state = True

    def check(self) -> None:
        ratio = tuple(float(r) for r in self.pooling_ratio)
        object.__setattr__(self, "pooling_ratio", ratio)
        if len(ratio) != 4:
            raise ValueError(f"{self.type_name}: pooling_ratio must have 4 elements [1.0, "
                             f"height_ratio, width_ratio, 1.0], got {list(ratio)}")
        for r in ratio:
            if not r >= 1.0:
                raise ValueError(f"{self.type_name}: pooling_ratio cannot be smaller than 1, "
                                 f"got: {r}")

    def infer(self, op):
        x = op.inputs[0]
        check_dtype(op, x, "fi", "value")
        dims = x.shape.with_rank(4).as_list() if x.shape.ndims is not None else [None] * 4
        out = [None if d is None else int(math.floor(d / r))
               for d, r in zip(dims, self.pooling_ratio)]
        seq = [None if o is None else o + 1 for o in out[1:3]]
        return [(x.dtype, out), (dtypes.int64, [seq[0]]), (dtypes.int64, [seq[1]])]

    def generator(self, ctx: Any) -> np.random.Generator:
        if not self.deterministic:
            if self.seed or self.seed2:
                raise _invalid(f"{self.type_name}: Both seed and seed2 should be 0 if "
                               f"deterministic is false (got seed={self.seed}, seed2="
                               f"{self.seed2}); pass deterministic=True to fix the regions")
            return ctx.rng(None)
        if self.seed or self.seed2:
            seq = np.random.SeedSequence([self.seed & 0xFFFFFFFF, self.seed2 & 0xFFFFFFFF])
        else:
            # Fixed for the life of the Session, as TF1 fixes random seeds per kernel.
            seq = ctx.rng(None).bit_generator.seed_seq
        return np.random.Generator(np.random.PCG64(seq))

    def sequences(self, ctx: Any, x: np.ndarray) -> tuple:
        if x.ndim != 4:
            raise _invalid(f"{self.type_name}: value must be 4-dimensional [batch, height, "
                           f"width, channels], got shape {list(x.shape)}")
        if self.pooling_ratio[0] != 1.0 or self.pooling_ratio[3] != 1.0:
            raise errors.UnimplementedError(
                None, None, f"{self.type_name} is not yet supported on the batch nor channel "
                f"dimension: pooling_ratio {list(self.pooling_ratio)} must start and end "
                f"with 1.0")
        outs = []
        for i in (1, 2):
            out = int(math.floor(x.shape[i] / self.pooling_ratio[i]))
            if out <= 0:
                raise _invalid(f"{self.type_name}: Pooling ratio is higher than input "
                               f"dimension size for dimension {i}. Input dim size: "
                               f"{x.shape[i]} pooling ratio: {self.pooling_ratio[i]}")
            outs.append(out)
        rng = self.generator(ctx)
        return tuple(pooling_sequence(x.shape[i], o, rng, self.pseudo_random)
                     for i, o in zip((1, 2), outs))


@register
class FractionalMaxPool(_FractionalPool):
    """The maximum of each fractional window of a [batch, height, width, channels] value;
    outputs (output, row_pooling_sequence, col_pooling_sequence)."""

    def kernel(self, ctx, x):
        rows, cols = self.sequences(ctx, x)
        by_rows = np.stack([x[:, a:b].max(axis=1) for a, b in
                            _windows(rows, x.shape[1], self.overlapping)], axis=1)
        out = np.stack([by_rows[:, :, a:b].max(axis=2) for a, b in
                        _windows(cols, x.shape[2], self.overlapping)], axis=2)
        return out, rows, cols

    def grad(self, op, dy, *_):
        if dy is None:
            return [None]
        from flowgraph.ops.array_grad import dense
        x, (out, rows, cols) = op.inputs[0], op.outputs
        return [apply_op(FractionalMaxPoolGrad(overlapping=self.overlapping),
                         [x, out, dense(dy), rows, cols])]


@register
class FractionalAvgPool(_FractionalPool):
    """The mean of each fractional window of a [batch, height, width, channels] value;
    outputs (output, row_pooling_sequence, col_pooling_sequence)."""

    def kernel(self, ctx, x):
        rows, cols = self.sequences(ctx, x)
        r = _indicator(rows, x.shape[1], self.overlapping)
        c = _indicator(cols, x.shape[2], self.overlapping)
        counts = np.outer(r.sum(1), c.sum(1))[None, :, :, None]
        wide = x.astype(np.float64) if x.dtype.kind == "f" else x
        total = np.einsum("ih,jw,bhwc->bijc", r.astype(wide.dtype), c.astype(wide.dtype), wide)
        if x.dtype.kind == "f":
            return (total / counts).astype(x.dtype), rows, cols
        return (total // counts.astype(x.dtype)).astype(x.dtype), rows, cols

    def grad(self, op, dy, *_):
        if dy is None:
            return [None]
        from flowgraph.ops.array_grad import dense
        from flowgraph.ops.shape_ops import shape
        _, rows, cols = op.outputs
        return [apply_op(FractionalAvgPoolGrad(overlapping=self.overlapping),
                         [shape(op.inputs[0], out_type=dtypes.int64), dense(dy), rows, cols])]


def _check_grad_shapes(name: str, dy: np.ndarray, rows: np.ndarray, cols: np.ndarray,
                       in_shape: tuple) -> None:
    if len(in_shape) != 4 or dy.ndim != 4:
        raise _invalid(f"{name}: the input and out_backprop must be 4-dimensional, got shapes "
                       f"{list(in_shape)} and {list(dy.shape)}")
    _check_sequence(rows, in_shape[1], "row_pooling_sequence")
    _check_sequence(cols, in_shape[2], "col_pooling_sequence")
    expected = (in_shape[0], rows.size - 1, cols.size - 1, in_shape[3])
    if dy.shape != expected:
        raise _invalid(f"{name}: out_backprop of shape {list(dy.shape)} does not match the "
                       f"pooling sequences: expected {list(expected)}")


@register
class FractionalMaxPoolGrad(Op):
    """The gradient of FractionalMaxPool: each out_backprop value goes to the first maximum
    (in row-major scan order) of its window of orig_input."""

    overlapping: bool = False
    differentiable = False

    def infer(self, op):
        x = op.inputs[0]
        return [(x.dtype, x.shape)]

    def kernel(self, x, out, dy, rows, cols):
        _check_grad_shapes(self.type_name, dy, rows, cols, x.shape)
        dx = np.zeros(x.shape, dy.dtype)
        n, _, _, c = x.shape
        b_idx = np.arange(n)[:, None]
        c_idx = np.arange(c)[None, :]
        for i, (r0, r1) in enumerate(_windows(rows, x.shape[1], self.overlapping)):
            for j, (c0, c1) in enumerate(_windows(cols, x.shape[2], self.overlapping)):
                window = x[:, r0:r1, c0:c1, :].reshape(n, -1, c)
                flat = window.argmax(axis=1)
                width = c1 - c0
                dx[b_idx, r0 + flat // width, c0 + flat % width, c_idx] += dy[:, i, j, :]
        return dx


@register
class FractionalAvgPoolGrad(Op):
    """The gradient of FractionalAvgPool: each out_backprop value is spread evenly over its
    window of an input of shape orig_input_tensor_shape."""

    overlapping: bool = False
    differentiable = False

    def infer(self, op):
        from flowgraph.ops.registry import constant_value
        sizes, dy = op.inputs[0], op.inputs[1]
        value = constant_value(sizes)
        shape = TensorShape([int(v) for v in value]) if value is not None else \
            TensorShape([None] * 4)
        return [(dy.dtype, shape)]

    def kernel(self, sizes, dy, rows, cols):
        in_shape = tuple(int(v) for v in np.reshape(sizes, [-1]))
        _check_grad_shapes(self.type_name, dy, rows, cols, in_shape)
        r = _indicator(rows, in_shape[1], self.overlapping)
        c = _indicator(cols, in_shape[2], self.overlapping)
        counts = np.outer(r.sum(1), c.sum(1))[None, :, :, None]
        dx = np.einsum("ih,jw,bijc->bhwc", r, c, dy.astype(np.float64) / counts)
        return dx.astype(dy.dtype)


# --------------------------------------------------------------------------- builders
def _fractional(cls: type, value: Any, pooling_ratio: Any, pseudo_random: bool,
                overlapping: bool, deterministic: bool, seed: int, seed2: int,
                name: Optional[str]) -> tuple:
    ratio = [float(r) for r in np.broadcast_to(np.asarray(pooling_ratio, np.float64), (4,))] \
        if np.ndim(pooling_ratio) == 0 else [float(r) for r in pooling_ratio]
    op_def = cls(pooling_ratio=tuple(ratio), pseudo_random=pseudo_random,
                 overlapping=overlapping, deterministic=deterministic, seed=seed, seed2=seed2)
    outputs = apply_op(op_def, [convert_to_tensor(value, name="value")], name=name)
    return tuple(outputs)


def fractional_max_pool(value: Any, pooling_ratio: Any, pseudo_random: bool = False,
                        overlapping: bool = False, deterministic: bool = False,
                        seed: int = 0, seed2: int = 0, name: Optional[str] = None) -> tuple:
    """Fractional max pooling, as TF1's `tf.nn.fractional_max_pool` (node
    "FractionalMaxPool").

    Parameters
    ----------
    value : Tensor
        [batch, height, width, channels].
    pooling_ratio : list of 4 floats
        [1.0, height_ratio, width_ratio, 1.0], each >= 1: the output is
        floor(size / ratio) in each dimension.
    pseudo_random : bool
        Pseudo-random (ceil(alpha * (i + u))) instead of random (shuffled) sequences.
    overlapping : bool
        Adjacent windows share their boundary row / column.
    deterministic, seed, seed2 :
        With deterministic=True the same regions are used in every run (from seed, seed2
        when not both 0); otherwise seed and seed2 must be 0 and each run draws new ones.

    Returns
    -------
    tuple
        (output, row_pooling_sequence int64, col_pooling_sequence int64).
    """
    return _fractional(FractionalMaxPool, value, pooling_ratio, pseudo_random, overlapping,
                       deterministic, seed, seed2, name)


def fractional_avg_pool(value: Any, pooling_ratio: Any, pseudo_random: bool = False,
                        overlapping: bool = False, deterministic: bool = False,
                        seed: int = 0, seed2: int = 0, name: Optional[str] = None) -> tuple:
    """Fractional average pooling, as TF1's `tf.nn.fractional_avg_pool` (node
    "FractionalAvgPool"): as `fractional_max_pool`, with the mean of each window."""
    return _fractional(FractionalAvgPool, value, pooling_ratio, pseudo_random, overlapping,
                       deterministic, seed, seed2, name)
