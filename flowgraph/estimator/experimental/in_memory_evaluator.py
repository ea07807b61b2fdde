"""`InMemoryEvaluatorHook`: evaluate during training in the training process, on the
training session's current variable values (no checkpoint), as TF1's
`tf.estimator.experimental.InMemoryEvaluatorHook`."""

from __future__ import annotations

import os
from typing import Any, Callable, Optional

from flowgraph.train.session_run_hook import SessionRunHook

__all__ = ["InMemoryEvaluatorHook"]


class InMemoryEvaluatorHook(SessionRunHook):
    """Runs `estimator`'s evaluation on `input_fn` every `every_n_iter` training steps and
    at the end of training, writing to model_dir/eval[_name] as `Estimator.evaluate` does.

    The evaluation graph is built once (in `begin`); before each evaluation the values of
    the training variables are copied into it, by name.

    Parameters
    ----------
    estimator : Estimator
        The estimator being trained (its model_fn builds the evaluation graph).
    input_fn : callable
        The evaluation input.
    steps : int, optional
        Batches per evaluation (None: until the input ends).
    hooks : list of SessionRunHook, optional
        Hooks of the evaluation.
    name : str, optional
        Evaluation name: results go to model_dir/eval_<name>.
    every_n_iter : int
        Evaluate every this many training iterations.
    """

    def __init__(self, estimator: Any, input_fn: Callable, steps: Optional[int] = None,
                 hooks: Any = None, name: Optional[str] = None,
                 every_n_iter: int = 100) -> None:
        from flowgraph.estimator import util
        from flowgraph.estimator.evaluation import StopAfterNEvalsHook
        from flowgraph.train.hook_timers import SecondOrStepTimer

        if every_n_iter is None or every_n_iter <= 0:
            raise ValueError(f"invalid every_n_iter={every_n_iter}.")
        self._estimator = estimator
        self._input_fn = input_fn
        self._steps = steps
        self._name = name
        self._every_n_iter = every_n_iter
        self._eval_dir = os.path.join(estimator.model_dir, "eval" if not name
                                      else "eval_" + name)
        self._graph = None
        self._hooks = util.check_hooks_type(hooks)
        if steps is not None:
            if steps <= 0:
                raise ValueError(f"Must specify steps > 0, given: {steps}")
            self._hooks.append(StopAfterNEvalsHook(num_evals=steps))
        self._timer = SecondOrStepTimer(every_steps=every_n_iter)
        self._iter_count = 0

    def begin(self) -> None:
        """Build the evaluation graph (a separate graph) and its variable feeds."""
        from flowgraph.estimator.evaluation import build_eval_graph
        from flowgraph.graph import Graph, GraphKeys, get_collection
        from flowgraph.ops.constant import placeholder

        self._timer.reset()
        self._iter_count = 0
        self._graph = Graph()
        with self._graph.as_default():
            (self._scaffold, self._update_op, self._eval_dict,
             self._all_hooks) = build_eval_graph(self._estimator, self._input_fn,
                                                 self._hooks, checkpoint_path=None)
            if self._scaffold.saver is not None:
                raise ValueError("InMemoryEvaluator does not support custom saver")
            if self._scaffold.init_fn is not None:
                raise ValueError("InMemoryEvaluator does not support custom init_fn")
            variables = get_collection(GraphKeys.GLOBAL_VARIABLES)
            self._var_name_to_eval_var = {v.name: v for v in variables}
            self._var_name_to_placeholder = {v.name: placeholder(v.dtype) for v in variables}

    def after_create_session(self, session: Any, coord: Any) -> None:
        """Pair the training variables with the evaluation ones, then evaluate once."""
        from flowgraph.graph import GraphKeys, get_collection
        from flowgraph.ops.control import group
        from flowgraph.ops.state import assign

        if self._scaffold.saver is not None:
            raise ValueError("InMemoryEvaluator does not support custom saver")
        if self._scaffold.init_fn is not None:
            raise ValueError("InMemoryEvaluator does not support custom init_fn")
        train_vars = {v.name: v for v in get_collection(GraphKeys.GLOBAL_VARIABLES)}
        shared = sorted(set(self._var_name_to_placeholder) & set(train_vars))
        self._var_name_to_train_var = {name: train_vars[name] for name in shared}
        self._var_name_to_eval_var = {name: self._var_name_to_eval_var[name]
                                      for name in shared}
        with self._graph.as_default():
            self._var_feed_op = group(*[
                assign(self._var_name_to_eval_var[name], self._var_name_to_placeholder[name])
                for name in shared])
        self._evaluate(session)

    def _evaluate(self, train_session: Any) -> None:
        from flowgraph.estimator.evaluation import run_eval
        from flowgraph.train.scaffold import Scaffold

        values = train_session.run(self._var_name_to_train_var)
        feeds = {self._var_name_to_placeholder[name]: value for name, value in values.items()}

        def feed_variables(scaffold: Any, session: Any) -> None:
            del scaffold
            session.run(self._var_feed_op, feed_dict=feeds)

        with self._graph.as_default():
            scaffold = Scaffold(init_fn=feed_variables, copy_from_scaffold=self._scaffold)
            run_eval(self._estimator, None, scaffold, self._update_op, self._eval_dict,
                     self._all_hooks, self._eval_dir)
        self._timer.update_last_triggered_step(self._iter_count)

    def after_run(self, run_context: Any, run_values: Any) -> None:
        self._iter_count += 1
        if self._timer.should_trigger_for_step(self._iter_count):
            self._evaluate(run_context.session)

    def end(self, session: Any) -> None:
        self._evaluate(session)
