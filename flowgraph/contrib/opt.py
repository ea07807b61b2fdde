"""`fg.contrib.opt`: TF1's `tf.contrib.opt` optimizers with decoupled weight decay
(`AdamWOptimizer`, `MomentumWOptimizer`, Loshchilov and Hutter) and `LazyAdamOptimizer`."""

from __future__ import annotations

from typing import Any, Optional

from flowgraph.indexed_slices import IndexedSlices
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.control import group
from flowgraph.train.adam import AdamOptimizer
from flowgraph.train.momentum import MomentumOptimizer
from flowgraph.train.optimizer import Optimizer

__all__ = ["AdamWOptimizer", "DecoupledWeightDecayExtension", "LazyAdamOptimizer",
           "MomentumWOptimizer", "extend_with_decoupled_weight_decay"]


def _fg():
    import flowgraph
    return flowgraph


class DecoupledWeightDecayExtension:
    """Mixin that decays each variable before the base optimizer's update::

        var -= weight_decay * var        # not scaled by the learning rate
        var = base_update(var, grad)     # the gradient was computed before the decay

    `minimize` and `apply_gradients` take `decay_var_list`: when given, only those
    variables are decayed (all of them otherwise).
    """

    def __init__(self, weight_decay: Any, **kwargs: Any) -> None:
        self._decay_var_list: Optional[set] = None
        self._weight_decay = weight_decay
        self._weight_decay_tensor = None
        super().__init__(**kwargs)

    def minimize(self, loss: Any, global_step: Any = None, var_list: Any = None,
                 gate_gradients: int = Optimizer.GATE_OP, aggregation_method: Any = None,
                 colocate_gradients_with_ops: bool = False, name: Optional[str] = None,
                 grad_loss: Any = None, decay_var_list: Any = None) -> Any:
        """`Optimizer.minimize`, decaying only `decay_var_list` when given."""
        grads_and_vars = self.compute_gradients(
            loss, var_list=var_list, gate_gradients=gate_gradients,
            aggregation_method=aggregation_method,
            colocate_gradients_with_ops=colocate_gradients_with_ops, grad_loss=grad_loss)
        if not [v for g, v in grads_and_vars if g is not None]:
            raise ValueError(
                "No gradients provided for any variable, check your graph for ops that do "
                f"not support gradients, between variables {[str(v) for _, v in grads_and_vars]}"
                f" and loss {loss}.")
        return self.apply_gradients(grads_and_vars, global_step=global_step, name=name,
                                    decay_var_list=decay_var_list)

    def apply_gradients(self, grads_and_vars: Any, global_step: Any = None,
                        name: Optional[str] = None, decay_var_list: Any = None) -> Any:
        """`Optimizer.apply_gradients`, decaying only `decay_var_list` when given (an
        empty or missing list decays every variable, as in TF1)."""
        self._decay_var_list = _var_ids(decay_var_list)
        return super().apply_gradients(grads_and_vars, global_step=global_step, name=name)

    def _prepare(self) -> None:
        weight_decay = self._call_if_callable(self._weight_decay)
        self._weight_decay_tensor = convert_to_tensor(weight_decay, name="weight_decay")
        super()._prepare()

    def _decays(self, var: Any) -> bool:
        return self._decay_var_list is None or id(var) in self._decay_var_list

    def _decay_weights_op(self, var: Any) -> Any:
        if not self._decays(var):
            return group()
        return var.assign_sub(self._cast(self._weight_decay_tensor, var) * var.read_value(),
                              use_locking=self._use_locking).op

    def _decay_weights_sparse_op(self, var: Any, indices: Any) -> Any:
        if not self._decays(var):
            return group()
        fg = _fg()
        update = -self._cast(self._weight_decay_tensor, var) * fg.gather(var, indices)
        return fg.scatter_add(var, indices, update, use_locking=self._use_locking).op

    def _apply_dense(self, grad: Any, var: Any) -> Any:
        with var.graph.control_dependencies([self._decay_weights_op(var)]):
            return super()._apply_dense(grad, var)

    def _apply_sparse(self, grad: IndexedSlices, var: Any) -> Any:
        with var.graph.control_dependencies(
                [self._decay_weights_sparse_op(var, grad.indices)]):
            return super()._apply_sparse(grad, var)


def _var_ids(var_list: Any) -> Optional[set]:
    return {id(v) for v in var_list} if var_list else None


def extend_with_decoupled_weight_decay(base_optimizer: type) -> type:
    """A subclass of `base_optimizer` whose constructor takes `weight_decay` first."""
    if not (isinstance(base_optimizer, type) and issubclass(base_optimizer, Optimizer)):
        raise TypeError("extend_with_decoupled_weight_decay needs an Optimizer subclass such "
                        f"as fg.train.AdamOptimizer, got {base_optimizer!r}")

    class OptimizerWithDecoupledWeightDecay(DecoupledWeightDecayExtension, base_optimizer):
        """`base_optimizer` with decoupled weight decay."""

        def __init__(self, weight_decay: Any, *args: Any, **kwargs: Any) -> None:
            self._decay_var_list = None
            self._weight_decay = weight_decay
            self._weight_decay_tensor = None
            base_optimizer.__init__(self, *args, **kwargs)

    return OptimizerWithDecoupledWeightDecay


class AdamWOptimizer(DecoupledWeightDecayExtension, AdamOptimizer):
    """Adam with decoupled weight decay: ``var -= weight_decay * var`` then the Adam step
    (see `fg.train.AdamOptimizer`). `weight_decay` is not scaled by the learning rate."""

    def __init__(self, weight_decay: Any, learning_rate: Any = 0.001, beta1: Any = 0.9,
                 beta2: Any = 0.999, epsilon: Any = 1e-8, use_locking: bool = False,
                 name: str = "AdamW") -> None:
        super().__init__(weight_decay, learning_rate=learning_rate, beta1=beta1, beta2=beta2,
                         epsilon=epsilon, use_locking=use_locking, name=name)


class MomentumWOptimizer(DecoupledWeightDecayExtension, MomentumOptimizer):
    """Momentum with decoupled weight decay: ``var -= weight_decay * var`` then the
    momentum step (see `fg.train.MomentumOptimizer`)."""

    def __init__(self, weight_decay: Any, learning_rate: Any, momentum: Any,
                 use_locking: bool = False, name: str = "MomentumW",
                 use_nesterov: bool = False) -> None:
        super().__init__(weight_decay, learning_rate=learning_rate, momentum=momentum,
                         use_locking=use_locking, name=name, use_nesterov=use_nesterov)


class LazyAdamOptimizer(AdamOptimizer):
    """Adam that, for IndexedSlices gradients (embedding lookups), updates the moments and
    the variable only in the rows the gradient touches; other rows keep their "m" and "v"
    unchanged. Dense gradients get the ordinary Adam update. Repeated indices are summed
    first."""

    def _apply_sparse_duplicate_indices(self, grad: IndexedSlices, var: Any) -> Any:
        fg = _fg()
        unique, positions = fg.unique(grad.indices)
        values = fg.unsorted_segment_sum(grad.values, positions, fg.shape(unique)[0])
        return self._apply_sparse(IndexedSlices(values, unique, grad.dense_shape), var)

    def _apply_sparse(self, grad: IndexedSlices, var: Any) -> Any:
        fg = _fg()
        beta1_power, beta2_power = self._get_beta_accumulators()
        beta1_power = self._cast(beta1_power.value(), var)
        beta2_power = self._cast(beta2_power.value(), var)
        lr_t = self._cast(self._lr_t, var)
        beta1_t = self._cast(self._beta1_t, var)
        beta2_t = self._cast(self._beta2_t, var)
        epsilon_t = self._cast(self._epsilon_t, var)
        lr = lr_t * fg.sqrt(1 - beta2_power) / (1 - beta1_power)
        indices = grad.indices
        m = self.get_slot(var, "m")
        m_t = fg.scatter_update(
            m, indices, beta1_t * fg.gather(m, indices) + (1 - beta1_t) * grad.values,
            use_locking=self._use_locking)
        v = self.get_slot(var, "v")
        v_t = fg.scatter_update(
            v, indices,
            beta2_t * fg.gather(v, indices) + (1 - beta2_t) * fg.square(grad.values),
            use_locking=self._use_locking)
        m_t_slice = fg.gather(m_t, indices)
        v_t_slice = fg.gather(v_t, indices)
        var_update = fg.scatter_sub(var, indices,
                                    lr * m_t_slice / (fg.sqrt(v_t_slice) + epsilon_t),
                                    use_locking=self._use_locking)
        return group(var_update, m_t, v_t)
