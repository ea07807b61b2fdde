"""BatchNormalization and batch_normalization (TF1's tf.layers).

While training, inputs are normalized with the batch's mean and (biased) variance, and two
update ops, added to ``GraphKeys.UPDATE_OPS``, move ``moving_mean`` and ``moving_variance``
towards them: ``moving -= (moving - batch) * (1 - momentum)``. At inference the moving
statistics are used and no update ops are made. As TF1: 4-D inputs normalized over their
channel axis take the fused kernel, whose batch variance for the moving average carries
Bessel's correction (``n / (n - 1)``); other inputs update with the biased variance.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from flowgraph import dtypes, nn
from flowgraph.graph import Tensor, get_default_graph
from flowgraph.initializers import ones_initializer, zeros_initializer
from flowgraph.layers.base import InputSpec, Layer, as_shape_list
from flowgraph.layers.utils import static_bool
from flowgraph.ops import assign_sub, cast, constant, reshape, where_v2
from flowgraph.shapes import TensorShape, as_shape

__all__ = ["BatchNormalization", "batch_normalization"]


class BatchNormalization(Layer):
    """Batch normalization: ``gamma * (x - mean) / sqrt(variance + epsilon) + beta``.

    Variables (in this order): ``gamma`` (if `scale`), ``beta`` (if `center`),
    ``moving_mean`` and ``moving_variance`` (not trainable). Call with ``training=True``
    (or a bool Tensor) while training, and run the ops of ``fg.GraphKeys.UPDATE_OPS``
    with the train op.
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
        if renorm or virtual_batch_size is not None or adjustment is not None:
            raise NotImplementedError("flowgraph's BatchNormalization does not support "
                                      "renorm, virtual_batch_size or adjustment yet")
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
        self.fused = bool(self.fused) and ndims == 4 and axes in ([1], [3])
        axis_to_dim = {a: dims[a] for a in axes}
        if any(d is None for d in axis_to_dim.values()):
            raise ValueError(f"Input has undefined `axis` dimension. Input shape: {dims}")
        self.input_spec = InputSpec(ndim=ndims, axes=axis_to_dim)
        if len(axes) == 1:
            param_shape = [axis_to_dim[axes[0]]]
        else:
            param_shape = [axis_to_dim.get(i, 1) for i in range(ndims)]
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
        self._param_shape = param_shape
        self.built = True

    def _assign_moving_average(self, variable: Any, value: Tensor) -> Tensor:
        with get_default_graph().name_scope("AssignMovingAvg") as scope:
            decay = constant(1.0 - self.momentum, dtype=variable.dtype, name="decay")
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
        ndims = inputs.shape.ndims
        reduction_axes = [i for i in range(ndims) if i not in self.axis]
        broadcast_shape = [1] * ndims
        for a in self.axis:
            broadcast_shape[a] = inputs.shape.as_list()[a]
        needs_broadcast = reduction_axes != list(range(ndims))[:-1]

        def broadcast(v: Any) -> Any:
            v = cast(v, inputs.dtype) if v.dtype != inputs.dtype else v
            if needs_broadcast and v.shape.ndims != ndims:
                return reshape(v, broadcast_shape)
            return v

        gamma, beta = self._params(inputs.dtype)
        if flag is False:
            mean, variance = self.moving_mean.read_value(), self.moving_variance.read_value()
        else:
            keep_dims = len(self.axis) > 1
            mean, variance = nn.moments(cast(inputs, self._param_dtype), reduction_axes,
                                        keepdims=keep_dims)
            self._add_moving_updates(mean, variance, training, flag)
            if flag is None:
                mean = where_v2(training, mean, self.moving_mean.read_value())
                variance = where_v2(training, variance, self.moving_variance.read_value())
        outputs = nn.batch_normalization(inputs, broadcast(mean), broadcast(variance),
                                         broadcast(beta), broadcast(gamma), self.epsilon)
        outputs.set_shape(inputs.shape)
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
