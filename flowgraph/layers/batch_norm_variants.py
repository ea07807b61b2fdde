"""The parts of `BatchNormalization` that TF1 adds to plain batch normalization: batch
renormalization (``renorm``, Ioffe 2017), ghost batches (``virtual_batch_size``) and
training-time ``adjustment`` of the normalized values. A mixin of `BatchNormalization`,
kept apart so that normalization.py stays about the common path.
"""

from __future__ import annotations

from typing import Any, Optional

from flowgraph import nn
from flowgraph.graph import Tensor, get_default_graph
from flowgraph.ops import (
    assign,
    concat,
    constant,
    convert_to_tensor,
    identity,
    maximum,
    minimum,
    ones_like,
    reshape,
    shape,
    sqrt,
    where_v2,
    zeros_like,
)

__all__: list = []


def compose_transforms(scale: Any, offset: Any, then_scale: Any, then_offset: Any) -> tuple:
    """``(x * scale + offset) * then_scale + then_offset`` as one (scale, offset); None
    stands for no scale or no offset."""
    if then_scale is not None:
        scale = scale * then_scale
        offset = offset * then_scale
    if then_offset is not None:
        offset = offset + then_offset
    return scale, offset


class BatchNormVariants:
    """Renorm, virtual batches and adjustments for `BatchNormalization` (which provides
    the attributes used here: epsilon, momentum, the variables, `_assign_moving_average`)."""

    def _check_virtual_batch_size(self) -> None:
        if self.virtual_batch_size is None:
            return
        if self.virtual_batch_size <= 0:
            raise ValueError("virtual_batch_size must be a positive integer that divides the "
                             "true batch size of the input Tensor, got "
                             f"{self.virtual_batch_size}")
        if 0 in self.axis:
            raise ValueError("When using virtual_batch_size, the batch dimension must be 0 "
                             f"and thus axis cannot include 0 (got axis={self.axis})")
        if self.adjustment is not None:
            raise ValueError("When using virtual_batch_size, adjustment cannot be specified")

    def _build_renorm_variables(self, param_shape: list) -> None:
        """``moving_stddev`` (tracked instead of the variance, as the paper does) and the
        training-time moving averages ``renorm_mean`` and ``renorm_stddev``."""
        variance_init = self.moving_variance_initializer

        def stddev_initializer(shape: Any, dtype: Any = None, partition_info: Any = None):
            if callable(variance_init) and not hasattr(variance_init, "__fg_tensor__"):
                return sqrt(variance_init(shape, dtype=dtype, partition_info=partition_info))
            return sqrt(convert_to_tensor(variance_init, dtype=dtype))

        def renorm_weight(name: str, initializer: Any) -> Any:
            return self.add_weight(name, param_shape, dtype=self._param_dtype,
                                   initializer=initializer, trainable=False)

        self.moving_stddev = renorm_weight("moving_stddev", stddev_initializer)
        self.renorm_mean = renorm_weight("renorm_mean", self.moving_mean_initializer)
        self.renorm_stddev = renorm_weight("renorm_stddev", stddev_initializer)

    def _to_virtual_batches(self, inputs: Tensor) -> Tensor:
        """``[batch, ...]`` -> ``[virtual_batch_size, batch // virtual_batch_size, ...]``, as
        TF1's graph mode reshapes (batch rows ``i``, ``i + batch / virtual_batch_size``, ...
        form one virtual batch)."""
        dims = inputs.shape.as_list()
        tail = dims[1:]
        if all(d is not None for d in tail):
            new_shape: Any = [self.virtual_batch_size, -1] + tail
        else:
            new_shape = concat([[self.virtual_batch_size, -1], shape(inputs)[1:]], 0)
        outputs = reshape(inputs, new_shape)
        outputs.set_shape([self.virtual_batch_size, None] + tail)
        return outputs

    def _adjust(self, inputs: Tensor, training: Any, flag: Optional[bool], scale: Any,
                offset: Any) -> tuple:
        """Composes `adjustment`'s (scale, bias) for the normalized values, before gamma and
        beta; identity when `training` is a False tensor."""
        adj_scale, adj_bias = self.adjustment(shape(inputs))
        adj_scale, adj_bias = convert_to_tensor(adj_scale), convert_to_tensor(adj_bias)
        if flag is None:
            adj_scale = where_v2(training, adj_scale, ones_like(adj_scale))
            adj_bias = where_v2(training, adj_bias, zeros_like(adj_bias))
        return compose_transforms(adj_scale, adj_bias, scale, offset)

    def _renorm_correction_and_moments(self, mean: Tensor, variance: Tensor, training: Any,
                                       flag: Optional[bool]) -> tuple:
        """Batch renorm's corrections ``(r, d)`` from the renorm moving averages as they were
        before this step, and the moments for the inference statistics, which wait for the
        renorm averages' updates."""
        stddev = sqrt(variance + self.epsilon)
        floor = sqrt(constant(self.epsilon, dtype=stddev.dtype))
        renorm_stddev = maximum(self.renorm_stddev, floor)  # no division by zero early on
        r = stddev / renorm_stddev
        d = (mean - self.renorm_mean) / renorm_stddev
        # The renorm averages are updated only after r and d have read them.
        with get_default_graph().control_dependencies([r, d]):
            mean = identity(mean)
            stddev = identity(stddev)
        rmin, rmax, dmax = (self.renorm_clipping.get(k) for k in ("rmin", "rmax", "dmax"))
        if rmin is not None:
            r = maximum(r, rmin)
        if rmax is not None:
            r = minimum(r, rmax)
        if dmax is not None:
            d = minimum(maximum(d, -dmax), dmax)
        if flag is None:
            r = where_v2(training, r, ones_like(r))
            d = where_v2(training, d, zeros_like(d))

        def update(variable: Any, value: Tensor) -> Tensor:
            value = identity(value)
            if flag is None:  # a False tensor leaves the average as it is
                value = where_v2(training, value, variable.read_value())
            return self._assign_moving_average(variable, value, self.renorm_momentum)

        updates = [update(self.renorm_mean, mean), update(self.renorm_stddev, stddev)]
        with get_default_graph().control_dependencies(updates):
            return r, d, identity(mean), identity(variance)

    def _renorm_variance_update(self, variance: Tensor, training: Any,
                                flag: Optional[bool]) -> Tensor:
        """Moves ``moving_stddev`` towards ``sqrt(variance + epsilon)`` and sets
        ``moving_variance = relu(moving_stddev ** 2 - epsilon)`` (relu against rounding)."""
        target = sqrt(variance + self.epsilon)
        if flag is None:
            target = where_v2(training, target, self.moving_stddev.read_value())
        stddev = self._assign_moving_average(self.moving_stddev, target)
        value = nn.relu(stddev * stddev - self.epsilon)
        if flag is None:
            value = where_v2(training, value, self.moving_variance.read_value())
        with get_default_graph().name_scope("AssignNewValue") as scope:
            return assign(self.moving_variance, value, name=scope)

