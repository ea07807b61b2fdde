"""BatchNormalization and batch_normalization (TF1's tf.layers).

While training, inputs are normalized with the batch's mean and (biased) variance, and two
update ops, added to ``GraphKeys.UPDATE_OPS``, move ``moving_mean`` and ``moving_variance``
towards them: ``moving -= (moving - batch) * (1 - momentum)``. At inference the moving
statistics are used and no update ops are made. As TF1: 4-D inputs normalized over their
channel axis take the fused kernel, whose batch variance for the moving average carries
Bessel's correction (``n / (n - 1)``); other inputs update with the biased variance.

Also as TF1: ``renorm=True`` is batch renormalization (Ioffe 2017): while training, the
normalized values are corrected as ``x_hat * r + d`` with ``r = batch_stddev / renorm_stddev``
and ``d = (batch_mean - renorm_mean) / renorm_stddev`` (gradients stopped, clipped by
`renorm_clipping`), where ``renorm_mean``/``renorm_stddev`` are moving averages with
`renorm_momentum`; the inference statistics track ``moving_stddev`` and derive
``moving_variance = moving_stddev ** 2 - epsilon``. ``virtual_batch_size`` normalizes
sub-batches separately ("ghost batch norm"): the input is reshaped to
``[virtual_batch_size, -1, ...]`` and reduced over the first axis, so the variables have
the input's rank plus one, with size 1 except on the normalized axes (``[1, 1, C]`` for
``[N, C]`` inputs). ``adjustment(shape)`` returns a
``(scale, bias)`` applied to the normalized values (before gamma and beta) while training.
None of the three uses the fused kernel.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from flowgraph import dtypes, nn
from flowgraph.graph import Tensor, get_default_graph
from flowgraph.initializers import ones_initializer, zeros_initializer
from flowgraph.layers.base import InputSpec, Layer, as_shape_list
from flowgraph.layers.batch_norm_variants import BatchNormVariants, compose_transforms
from flowgraph.layers.utils import static_bool
from flowgraph.ops import (
    assign_sub,
    cast,
    concat,
    constant,
    convert_to_tensor,
    reduce_mean,
    reshape,
    shape,
    stop_gradient,
    where_v2,
)
from flowgraph.shapes import TensorShape, as_shape

__all__ = ["BatchNormalization", "batch_normalization"]


class BatchNormalization(BatchNormVariants, Layer):
    """Batch normalization: ``gamma * (x - mean) / sqrt(variance + epsilon) + beta``.

    Variables (in this order): ``gamma`` (if `scale`), ``beta`` (if `center`),
    ``moving_mean`` and ``moving_variance`` (not trainable), and with `renorm`
    ``moving_stddev``, ``renorm_mean`` and ``renorm_stddev`` (not trainable). Call with
    ``training=True`` (or a bool Tensor) while training, and run the ops of
    ``fg.GraphKeys.UPDATE_OPS`` with the train op.
    """

    def __init__(self, axis: Any = -1, momentum: float = 0.99, epsilon: float = 1e-3,
                 center: bool = True, scale: bool = True,
                 beta_initializer: Any = zeros_initializer(),
                 gamma_initializer: Any = ones_initializer(),
                 moving_mean_initializer: Any = zeros_initializer(),
                 moving_variance_initializer: Any = ones_initializer(),
                 beta_regularizer: Optional[Callable] = None,
                 gamma_regularizer: Optional[Callable] = None,
                 beta_constraint: Optional[Callable] = None,
                 gamma_constraint: Optional[Callable] = None, renorm: bool = False,
                 renorm_clipping: Any = None, renorm_momentum: float = 0.99,
                 fused: Optional[bool] = None, trainable: bool = True,
                 virtual_batch_size: Optional[int] = None, adjustment: Any = None,
                 name: Any = None, **kwargs: Any) -> None:
        super().__init__(trainable=trainable, name=name, **kwargs)
        self.axis = list(axis) if isinstance(axis, (list, tuple)) else axis
        self.momentum = momentum
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self.beta_initializer = beta_initializer
        self.gamma_initializer = gamma_initializer
        self.moving_mean_initializer = moving_mean_initializer
        self.moving_variance_initializer = moving_variance_initializer
        self.beta_regularizer = beta_regularizer
        self.gamma_regularizer = gamma_regularizer
        self.beta_constraint = beta_constraint
        self.gamma_constraint = gamma_constraint
        self.renorm = renorm
        self.virtual_batch_size = virtual_batch_size
        self.adjustment = adjustment
        if renorm:
            renorm_clipping = dict(renorm_clipping or {})
            unknown = set(renorm_clipping) - {"rmax", "rmin", "dmax"}
            if unknown:
                raise ValueError(f"renorm_clipping {renorm_clipping} contains keys not in "
                                 "['rmax', 'rmin', 'dmax']")
            self.renorm_clipping = renorm_clipping
            self.renorm_momentum = renorm_momentum
        self.fused = True if fused is None else fused
        self.gamma = None
        self.beta = None
        self.moving_mean = None
        self.moving_variance = None

    def build(self, input_shape: Any) -> None:
        dims = as_shape_list(input_shape)
        ndims = len(dims)
        if ndims == 0:
            raise ValueError(f"Input has undefined rank: {input_shape}")
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        for a in axes:
            if not isinstance(a, int) or not -ndims <= a < ndims:
                raise ValueError(f"Invalid axis: {a} (the inputs have rank {ndims})")
        axes = [a + ndims if a < 0 else a for a in axes]
        if len(set(axes)) != len(axes):
            raise ValueError(f"Duplicate axis: {self.axis}")
        self.axis = axes
        self._check_virtual_batch_size()
        # As TF1's v1 layer: the fused kernel is taken silently only when nothing needs the
        # plain path (renorm, ghost batches, adjustments).
        self.fused = (bool(self.fused) and ndims == 4 and axes in ([1], [3])
                      and not self.renorm and self.virtual_batch_size is None
                      and self.adjustment is None)
        axis_to_dim = {a: dims[a] for a in axes}
        if any(d is None for d in axis_to_dim.values()):
            raise ValueError(f"Input has undefined `axis` dimension. Input shape: {dims}")
        self.input_spec = InputSpec(ndim=ndims, axes=axis_to_dim)
        if len(axes) == 1 and self.virtual_batch_size is None:
            param_shape = [axis_to_dim[axes[0]]]
        else:
            param_shape = [axis_to_dim.get(i, 1) for i in range(ndims)]
            if self.virtual_batch_size is not None:
                # The inputs get an extra (virtual batch) dimension after the batch one.
                param_shape.insert(1, 1)
                self.axis = [a + 1 for a in axes]
        dtype = self._dtype or dtypes.float32
        self._param_dtype = dtypes.float32 if dtype == dtypes.float16 else dtype
        if self.scale:
            self.gamma = self.add_weight("gamma", param_shape, dtype=self._param_dtype,
                                         initializer=self.gamma_initializer,
                                         regularizer=self.gamma_regularizer,
                                         constraint=self.gamma_constraint, trainable=True)
        if self.center:
            self.beta = self.add_weight("beta", param_shape, dtype=self._param_dtype,
                                        initializer=self.beta_initializer,
                                        regularizer=self.beta_regularizer,
                                        constraint=self.beta_constraint, trainable=True)
        self.moving_mean = self.add_weight("moving_mean", param_shape, dtype=self._param_dtype,
                                           initializer=self.moving_mean_initializer,
                                           trainable=False)
        self.moving_variance = self.add_weight("moving_variance", param_shape,
                                               dtype=self._param_dtype,
                                               initializer=self.moving_variance_initializer,
                                               trainable=False)
        if self.renorm:
            self._build_renorm_variables(param_shape)
        self._param_shape = param_shape
        self.built = True

    def _assign_moving_average(self, variable: Any, value: Tensor,
                               momentum: Optional[float] = None) -> Tensor:
        momentum = self.momentum if momentum is None else momentum
        with get_default_graph().name_scope("AssignMovingAvg") as scope:
            decay = constant(1.0 - momentum, dtype=variable.dtype, name="decay")
            delta = (variable.read_value() - cast(value, variable.dtype)) * decay
            return assign_sub(variable, delta, name=scope)

    def _add_moving_updates(self, mean: Tensor, variance: Tensor, training: Any,
                            flag: Optional[bool]) -> None:
        if flag is None:  # a bool Tensor: leave the moving statistics as they are if False
            mean = where_v2(training, mean, self.moving_mean.read_value())
            variance = where_v2(training, variance, self.moving_variance.read_value())
        self.add_update(self._assign_moving_average(self.moving_mean, mean))
        self.add_update(self._assign_moving_average(self.moving_variance, variance))

    def _params(self, dtype: Any) -> tuple:
        gamma = self.gamma if self.scale else constant(1.0, self._param_dtype,
                                                       shape=self._param_shape)
        beta = self.beta if self.center else constant(0.0, self._param_dtype,
                                                      shape=self._param_shape)
        return gamma, beta

    def _fused(self, inputs: Tensor, training: Any, flag: Optional[bool]) -> Tensor:
        gamma, beta = self._params(inputs.dtype)
        layout = "NHWC" if self.axis == [3] else "NCHW"

        def inference() -> Tensor:
            return nn.fused_batch_norm(inputs, gamma, beta, mean=self.moving_mean,
                                       variance=self.moving_variance, epsilon=self.epsilon,
                                       is_training=False, data_format=layout)[0]

        if flag is False:
            return inference()
        outputs, mean, variance = nn.fused_batch_norm(inputs, gamma, beta,
                                                      epsilon=self.epsilon,
                                                      data_format=layout, is_training=True)
        if flag is None:
            outputs = where_v2(training, outputs, inference())
        self._add_moving_updates(mean, variance, training, flag)
        return outputs

    def call(self, inputs: Tensor, training: Any = False) -> Tensor:
        flag = static_bool(training)
        if self.fused:
            return self._fused(inputs, training, flag)
        original_shape = inputs.shape
        if self.virtual_batch_size is not None:
            inputs = self._to_virtual_batches(inputs)
        ndims = inputs.shape.ndims
        reduction_axes = [i for i in range(ndims) if i not in self.axis]
        if self.virtual_batch_size is not None:
            del reduction_axes[1]  # each virtual batch keeps its own statistics
        broadcast_shape = [1] * ndims
        for a in self.axis:
            broadcast_shape[a] = inputs.shape.as_list()[a]
        needs_broadcast = reduction_axes != list(range(ndims))[:-1]

        def broadcast(v: Any) -> Any:
            if v is not None and needs_broadcast and v.shape.ndims != ndims:
                return reshape(v, broadcast_shape)
            return v

        def as_input_dtype(v: Any) -> Any:
            if v is None:
                return None
            v = convert_to_tensor(v)
            return cast(v, inputs.dtype) if v.dtype != inputs.dtype else v

        scale, offset = broadcast(self.gamma), broadcast(self.beta)
        if flag is False:
            mean, variance = self.moving_mean.read_value(), self.moving_variance.read_value()
        else:
            if self.adjustment is not None:
                scale, offset = self._adjust(inputs, training, flag, scale, offset)
            keep_dims = self.virtual_batch_size is not None or len(self.axis) > 1
            mean, variance = nn.moments(cast(inputs, self._param_dtype), reduction_axes,
                                        keepdims=keep_dims)
            if flag is None:
                mean = where_v2(training, mean, self.moving_mean.read_value())
                variance = where_v2(training, variance, self.moving_variance.read_value())
            if self.virtual_batch_size is not None:
                # One update from the average of the virtual batches' statistics (TF1 does
                # the same rather than one update per virtual batch).
                new_mean = reduce_mean(mean, axis=1, keepdims=True)
                new_variance = reduce_mean(variance, axis=1, keepdims=True)
            else:
                new_mean, new_variance = mean, variance
            if self.renorm:
                r, d, new_mean, new_variance = self._renorm_correction_and_moments(
                    new_mean, new_variance, training, flag)
                # (x_hat * r + d) * gamma + beta = x_hat * (r * gamma) + (d * gamma + beta)
                r = broadcast(stop_gradient(r, name="renorm_r"))
                d = broadcast(stop_gradient(d, name="renorm_d"))
                scale, offset = compose_transforms(r, d, scale, offset)
            self.add_update(self._assign_moving_average(self.moving_mean, new_mean))
            if self.renorm:
                self.add_update(self._renorm_variance_update(new_variance, training, flag))
            else:
                self.add_update(self._assign_moving_average(self.moving_variance,
                                                            new_variance))
        outputs = nn.batch_normalization(inputs, as_input_dtype(broadcast(mean)),
                                         as_input_dtype(broadcast(variance)),
                                         as_input_dtype(offset), as_input_dtype(scale),
                                         self.epsilon)
        outputs.set_shape(inputs.shape)
        if self.virtual_batch_size is not None:
            tail = original_shape.as_list()[1:]
            known = all(d is not None for d in tail)
            outputs = reshape(outputs, [-1] + tail if known else
                              concat([[-1], shape(outputs)[2:]], 0))
            outputs.set_shape(original_shape)
        return outputs

    def compute_output_shape(self, input_shape: Any) -> TensorShape:
        return as_shape(input_shape)


def batch_normalization(inputs: Any, axis: Any = -1, momentum: float = 0.99,
                        epsilon: float = 1e-3, center: bool = True, scale: bool = True,
                        beta_initializer: Any = zeros_initializer(),
                        gamma_initializer: Any = ones_initializer(),
                        moving_mean_initializer: Any = zeros_initializer(),
                        moving_variance_initializer: Any = ones_initializer(),
                        beta_regularizer: Optional[Callable] = None,
                        gamma_regularizer: Optional[Callable] = None,
                        beta_constraint: Optional[Callable] = None,
                        gamma_constraint: Optional[Callable] = None, training: Any = False,
                        trainable: bool = True, name: Any = None, reuse: Any = None,
                        renorm: bool = False, renorm_clipping: Any = None,
                        renorm_momentum: float = 0.99, fused: Optional[bool] = None,
                        virtual_batch_size: Optional[int] = None,
                        adjustment: Any = None) -> Tensor:
    """Functional `BatchNormalization`; the moving statistics change only when the ops in
    ``fg.GraphKeys.UPDATE_OPS`` run:

    >>> h = fg.layers.batch_normalization(h, training=is_training)
    >>> with fg.control_dependencies(fg.get_collection(fg.GraphKeys.UPDATE_OPS)):
    ...     train_op = optimizer.minimize(loss)
    """
    layer = BatchNormalization(
        axis=axis, momentum=momentum, epsilon=epsilon, center=center, scale=scale,
        beta_initializer=beta_initializer, gamma_initializer=gamma_initializer,
        moving_mean_initializer=moving_mean_initializer,
        moving_variance_initializer=moving_variance_initializer,
        beta_regularizer=beta_regularizer, gamma_regularizer=gamma_regularizer,
        beta_constraint=beta_constraint, gamma_constraint=gamma_constraint, renorm=renorm,
        renorm_clipping=renorm_clipping, renorm_momentum=renorm_momentum, fused=fused,
        trainable=trainable, virtual_batch_size=virtual_batch_size, adjustment=adjustment,
        name=name, _scope=name, _reuse=reuse)
    return layer.apply(inputs, training=training)
