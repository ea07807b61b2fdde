"""TF1's `tf.train.SyncReplicasOptimizer`: synchronous data-parallel training. Each replica
applies its gradients to per-variable accumulators and waits for a token; the chief's queue
runner takes the mean of `replicas_to_aggregate` gradients per variable, applies it with the
wrapped optimizer (one update, one global step) and hands out new tokens. Gradients computed
for an older global step are dropped by the accumulators, as TF1's.
"""

from __future__ import annotations

from typing import Any, Optional

from flowgraph import graph as graph_lib
from flowgraph.graph import GraphKeys, Operation
from flowgraph.indexed_slices import IndexedSlices
from flowgraph.input.accumulators import ConditionalAccumulator, SparseConditionalAccumulator
from flowgraph.input.queue_runner import QueueRunner
from flowgraph.input.queues import FIFOQueue
from flowgraph.ops.constant import no_op
from flowgraph.ops.control import group
from flowgraph.ops.fill import fill
from flowgraph.train.optimizer import Optimizer
from flowgraph.train.session_run_hook import SessionRunHook

__all__ = ["SyncReplicasOptimizer"]


class SyncReplicasOptimizer(Optimizer):
    """Wraps `opt` so that its update uses the mean of `replicas_to_aggregate` replicas'
    gradients (TF1's tf.train.SyncReplicasOptimizer).

    Use it as TF1's: ``opt = SyncReplicasOptimizer(GradientDescentOptimizer(0.1), 2)``,
    ``train_op = opt.minimize(loss, global_step=step)`` (a global step is required) and
    ``hook = opt.make_session_run_hook(is_chief)`` for MonitoredTrainingSession.
    """

    def __init__(self, opt: Optimizer, replicas_to_aggregate: int,
                 total_num_replicas: Optional[int] = None, variable_averages: Any = None,
                 variables_to_average: Any = None, use_locking: bool = False,
                 name: str = "sync_replicas") -> None:
        if total_num_replicas is None:
            total_num_replicas = replicas_to_aggregate
        if int(replicas_to_aggregate) < 1:
            raise ValueError(f"replicas_to_aggregate must be at least 1, got "
                             f"{replicas_to_aggregate}")
        super().__init__(use_locking, name)
        self._opt = opt
        self._replicas_to_aggregate = int(replicas_to_aggregate)
        self._total_num_replicas = int(total_num_replicas)
        self._tokens_per_step = max(self._total_num_replicas, self._replicas_to_aggregate)
        self._variable_averages = variable_averages
        self._variables_to_average = variables_to_average
        self._gradients_applied = False
        self._global_step: Any = None
        self._sync_token_queue: Any = None
        self._chief_queue_runner: Any = None
        self._accumulator_list: list = []

    def compute_gradients(self, *args: Any, **kwargs: Any) -> list:
        """The wrapped optimizer's compute_gradients."""
        return self._opt.compute_gradients(*args, **kwargs)

    def apply_gradients(self, grads_and_vars: Any, global_step: Any = None,
                        name: Optional[str] = None) -> Operation:
        """The replica's train op: applies the gradients to the accumulators, then waits for
        a token (the global step it may compute its next gradients at). Also builds the
        chief's update (see get_chief_queue_runner) and init ops."""
        from flowgraph.ops.state import assign
        from flowgraph.variables import Variable, global_variables, report_uninitialized_variables
        grads_and_vars = list(grads_and_vars)
        if not grads_and_vars:
            raise ValueError("Must supply at least one variable")
        if global_step is None:
            raise ValueError("Global step is required to check staleness")
        self._global_step = global_step
        train_ops, aggregated, var_list = [], [], []
        self._local_step = Variable(0, trainable=False, dtype=global_step.dtype.base_dtype,
                                    collections=[GraphKeys.LOCAL_VARIABLES],
                                    name="sync_rep_local_step")
        self.local_step_init_op = assign(self._local_step, global_step)
        chief_init_ops = [self.local_step_init_op]
        self.ready_for_local_init_op = report_uninitialized_variables(global_variables())
        with graph_lib.name_scope(None, self._name):
            for grad, var in grads_and_vars:
                var_list.append(var)
                if grad is None:
                    aggregated.append(None)  # passed through, as TF1
                    continue
                shared = var.name + "/grad_accum"
                if isinstance(grad, IndexedSlices):
                    accum = SparseConditionalAccumulator(grad.dtype, shape=(),
                                                         shared_name=shared)
                    train_ops.append(accum.apply_indexed_slices_grad(
                        grad, local_step=self._local_step))
                    aggregated.append(accum.take_indexed_slices_grad(
                        self._replicas_to_aggregate))
                else:
                    accum = ConditionalAccumulator(grad.dtype, shape=var.get_shape(),
                                                   shared_name=shared)
                    train_ops.append(accum.apply_grad(grad, local_step=self._local_step))
                    aggregated.append(accum.take_grad(self._replicas_to_aggregate))
                self._accumulator_list.append((accum, var.device))
            with graph_lib.name_scope(""):
                update_op = self._opt.apply_gradients(list(zip(aggregated, var_list)),
                                                      global_step)
                queue = FIFOQueue(-1, global_step.dtype.base_dtype, shapes=[[]],
                                  name="sync_token_q", shared_name="sync_token_q")
                self._sync_token_queue = queue
                with graph_lib.control_dependencies(train_ops):
                    token = queue.dequeue()
                train_op = assign(self._local_step, token)
                with graph_lib.control_dependencies([update_op]):
                    tokens = fill([self._tokens_per_step], global_step)
                    sync_op = queue.enqueue_many((tokens,))
                if self._variable_averages is not None:
                    with graph_lib.control_dependencies([sync_op]):
                        sync_op = self._variable_averages.apply(self._variables_to_average)
                self._chief_queue_runner = QueueRunner(queue, [sync_op])
            for accum, _ in self._accumulator_list:
                chief_init_ops.append(accum.set_global_step(global_step, name="SetGlobalStep"))
            self.chief_init_op = group(*chief_init_ops)
        self._gradients_applied = True
        return train_op

    def get_chief_queue_runner(self) -> QueueRunner:
        """The QueueRunner whose thread (on the chief) aggregates and applies updates."""
        if not self._gradients_applied:
            raise ValueError("Should be called after apply_gradients().")
        return self._chief_queue_runner

    def get_slot(self, *args: Any, **kwargs: Any) -> Any:
        """The wrapped optimizer's get_slot."""
        return self._opt.get_slot(*args, **kwargs)

    def variables(self) -> list:
        """The wrapped optimizer's variables."""
        return self._opt.variables()

    def get_slot_names(self, *args: Any, **kwargs: Any) -> list:
        """The wrapped optimizer's slot names."""
        return self._opt.get_slot_names(*args, **kwargs)

    def get_init_tokens_op(self, num_tokens: int = -1) -> Operation:
        """An op putting the first `num_tokens` tokens (default replicas_to_aggregate) into
        the token queue; the chief runs it once."""
        if not self._gradients_applied:
            raise ValueError("get_init_tokens_op() should be called after "
                             "apply_gradients().")
        tokens_needed = self._replicas_to_aggregate - self._total_num_replicas
        if num_tokens == -1:
            num_tokens = self._replicas_to_aggregate
        elif num_tokens < tokens_needed:
            raise ValueError(f"Too few tokens to finish the first step: {num_tokens} (given) "
                             f"vs {tokens_needed} (needed)")
        if num_tokens > 0:
            with graph_lib.name_scope(""):
                tokens = fill([num_tokens], self._global_step)
                return self._sync_token_queue.enqueue_many((tokens,))
        return no_op(name="no_init_tokens")

    def make_session_run_hook(self, is_chief: bool, num_tokens: int = -1) -> SessionRunHook:
        """A hook that runs the init ops (and, on the chief, the init tokens and the chief
        queue runner) once its session is created."""
        return _SyncReplicasOptimizerHook(self, is_chief, num_tokens)


class _SyncReplicasOptimizerHook(SessionRunHook):
    def __init__(self, sync_optimizer: SyncReplicasOptimizer, is_chief: bool,
                 num_tokens: int) -> None:
        self._sync_optimizer = sync_optimizer
        self._is_chief = is_chief
        self._num_tokens = num_tokens

    def begin(self) -> None:
        opt = self._sync_optimizer
        if not opt._gradients_applied:
            raise ValueError("SyncReplicasOptimizer.apply_gradient should be called before "
                             "using the hook.")
        self._ready_for_local_init_op = opt.ready_for_local_init_op
        if self._is_chief:
            self._local_init_op = opt.chief_init_op
            self._q_runner = opt.get_chief_queue_runner()
            self._init_tokens_op = opt.get_init_tokens_op(self._num_tokens)
        else:
            self._local_init_op = opt.local_step_init_op
            self._q_runner = None
            self._init_tokens_op = None

    def after_create_session(self, session: Any, coord: Any) -> None:
        import numpy as np
        names = np.asarray(session.run(self._ready_for_local_init_op))
        if names.size:
            missing = ", ".join(n.decode() if isinstance(n, bytes) else str(n)
                                for n in names.ravel())
            raise RuntimeError(f"Init operations did not make model ready for "
                               f"SyncReplicasOptimizer local_init. Init op: "
                               f"{self._local_init_op.name}, error: Model is not ready for "
                               f"SyncReplicasOptimizer local init. {missing}")
        session.run(self._local_init_op)
        if self._init_tokens_op is not None:
            session.run(self._init_tokens_op)
        if self._q_runner is not None:
            self._q_runner.create_threads(session, coord=coord, daemon=True, start=True)
