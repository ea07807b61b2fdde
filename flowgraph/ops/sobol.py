"""TF1's `tf.math.sobol_sample` (node "SobolSample"): points of the Sobol low-discrepancy
sequence with the Joe-Kuo direction numbers. The direction numbers ship with scipy (an
optional dependency of flowgraph), whose unscrambled sequence TF's kernel reproduces."""

from __future__ import annotations

import warnings
from typing import Any, Optional

import numpy as np

from flowgraph import dtypes, errors
from flowgraph.graph import Tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.elementwise import check_dtype
from flowgraph.ops.registry import Op, apply_op, constant_value, register

__all__: list = []

# The Joe-Kuo "new-joe-kuo-6.21201" table covers this many dimensions (TF's limit as well).
_MAX_DIM = 21201


def _check_arguments(dim: int, num_results: int, skip: int, error) -> None:
    if not 1 <= dim <= _MAX_DIM:
        raise error(f"sobol_sample: dim must be in [1, {_MAX_DIM}], got {dim}.")
    if num_results < 1:
        raise error(f"sobol_sample: num_results must be >= 1, got {num_results}.")
    if skip < 0:
        raise error(f"sobol_sample: skip must be >= 0, got {skip}.")


def _invalid_argument(message: str) -> errors.InvalidArgumentError:
    return errors.InvalidArgumentError(None, None, message)


@register
class SobolSample(Op):
    """`num_results` points of the `dim`-dimensional Sobol sequence after skipping `skip`
    points (the all-zero first point is always left out, as TF1); inputs are int32 scalars,
    the output has shape [num_results, dim] and dtype `dtype` (float32 or float64)."""

    dtype: dtypes.DType = dtypes.float32
    differentiable = False

    def check(self) -> None:
        if self.dtype not in (dtypes.float32, dtypes.float64):
            raise TypeError(f"sobol_sample needs dtype float32 or float64, got "
                            f"{self.dtype.name}.")

    def infer(self, op):
        for t, what in zip(op.inputs, ("dim", "num_results", "skip")):
            check_dtype(op, t, "i", what)
            if t.shape.ndims not in (None, 0):
                raise ValueError(f"sobol_sample needs {what} as a scalar, got {t.name} of "
                                 f"shape {t.shape}.")
        values = [constant_value(t) for t in op.inputs]
        if all(v is not None for v in values):
            _check_arguments(*(int(v) for v in values), ValueError)
        dim, num = values[0], values[1]
        return [(self.dtype, [None if num is None else int(num),
                              None if dim is None else int(dim)])]

    def kernel(self, dim, num_results, skip):
        dim, num_results, skip = int(dim), int(num_results), int(skip)
        _check_arguments(dim, num_results, skip, _invalid_argument)
        try:
            from scipy.stats import qmc
        except ImportError as exc:  # pragma: no cover - scipy is installed in the test setup
            raise ImportError("sobol_sample needs scipy for the Joe-Kuo direction numbers; "
                              "install it with `pip install scipy`.") from exc
        engine = qmc.Sobol(dim, scramble=False, bits=32)
        with warnings.catch_warnings():
            # scipy warns when n is not a power of 2; TF has no such notion.
            warnings.simplefilter("ignore")
            engine.fast_forward(skip + 1)
            points = engine.random(num_results)
        return np.asarray(points).astype(self.dtype.np)


def sobol_sample(dim: Any, num_results: Any, skip: Any = 0, dtype: Any = dtypes.float32,
                 name: Optional[str] = None) -> Tensor:
    """Points of the Sobol sequence, as TF1's `tf.math.sobol_sample`.

    Parameters
    ----------
    dim : int or int32 scalar Tensor
        Dimension of each point, in [1, 21201].
    num_results : int or int32 scalar Tensor
        Number of points, >= 1.
    skip : int or int32 scalar Tensor
        Number of initial points to skip (besides the all-zero first point).
    dtype : float32 or float64

    Returns
    -------
    Tensor of shape [num_results, dim] with values in [0, 1).

    Example: ``sobol_sample(3, 4)`` is ``[[.5, .5, .5], [.75, .25, .25], [.25, .75, .75],
    [.375, .375, .625]]``.
    """
    from flowgraph.ops.elementwise import op_scope
    with op_scope(name, "sobol", [dim, num_results, skip]):
        tensors = [convert_to_tensor(v, dtype=None if isinstance(v, Tensor) else dtypes.int32)
                   for v in (dim, num_results, skip)]
        return apply_op(SobolSample(dtype=dtypes.as_dtype(dtype)), tensors)
