"""`tf.keras.estimator.model_to_estimator` as TF 1.15: an Estimator made from a compiled
Keras model.

The Estimator's model_fn clones the Keras model on the input_fn's features (a dict keyed by
the model's input names, a list, or a single tensor) in each new graph, with the learning
phase fixed to the mode (1 in TRAIN, else 0), and rebuilds what `compile` gave it: the loss
(the loss weights times the per-output mean losses, plus the regularization losses), a copy
of the optimizer whose ``iterations`` is the global step, the layers' updates in TRAIN, and the
compiled metrics as ``eval_metric_ops`` (running means over the evaluation). Predictions are
keyed by the model's output names.

The Keras model's current weights reach the Estimator through a checkpoint,
``<model_dir>/keras/keras_model.ckpt``, written once (a clone with those weights, its
optimizer's variables and a global step) and given as ``warm_start_from``: like TF 1.15, that
warm-starts the trainable variables only.
"""

from __future__ import annotations

import os
from typing import Any, Optional

__all__ = ["model_to_estimator"]

_DEFAULT_SERVING_KEY = "serving_default"


def model_to_estimator(keras_model: Any = None, keras_model_path: Optional[str] = None,
                       custom_objects: Optional[dict] = None, model_dir: Optional[str] = None,
                       config: Any = None) -> Any:
    """An `fg.estimator.Estimator` that trains, evaluates and predicts with a compiled Keras
    model (see the module docstring).

    Parameters
    ----------
    keras_model : tf.keras.Model, optional
        A compiled functional or Sequential model. Give this or `keras_model_path`.
    keras_model_path : str, optional
        A model saved with ``model.save`` (loaded with `custom_objects`).
    custom_objects : dict, optional
        Names of custom layers, losses... used by the model.
    model_dir : str, optional
        The Estimator's folder (a new temporary one when neither this nor `config` gives
        one).
    config : fg.estimator.RunConfig, optional

    Returns
    -------
    fg.estimator.Estimator

    Examples
    --------
    >>> model = fg.keras.Sequential([fg.keras.layers.Dense(1, input_shape=(3,))])
    >>> model.compile("sgd", "mse")
    >>> est = fg.keras.estimator.model_to_estimator(model, model_dir="runs/k")
    >>> est.train(fg.estimator.inputs.numpy_input_fn({"dense_input": x}, y), steps=10)
    """
    from flowgraph.estimator.estimator import Estimator, _config_with_model_dir
    if keras_model is None and keras_model_path is None:
        raise ValueError("Either `keras_model` or `keras_model_path` needs to be provided.")
    if keras_model is not None and keras_model_path is not None:
        raise ValueError("Please specity either `keras_model` or `keras_model_path`, but not "
                         "both.")
    if keras_model is None:
        from flowgraph.keras.saving import load_model
        if not os.path.exists(keras_model_path):
            raise ValueError(f"keras_model_path {keras_model_path!r} does not exist: give the "
                             "file written by model.save(...)")
        keras_model = load_model(keras_model_path, custom_objects=custom_objects)
    _check_model(keras_model)
    config = _config_with_model_dir(config, model_dir)
    warm_start_path = _save_first_checkpoint(keras_model, custom_objects, config)
    return Estimator(_create_keras_model_fn(keras_model, custom_objects), config=config,
                     warm_start_from=warm_start_path)


def _check_model(keras_model: Any) -> None:
    from flowgraph.keras.engine_training import Model
    if not isinstance(keras_model, Model):
        raise TypeError(f"keras_model must be a tf.keras.Model, got {type(keras_model)}")
    if not getattr(keras_model, "optimizer", None) or not keras_model._compiled:
        raise ValueError("The given keras model has not been compiled yet. Please compile the "
                         "model with `model.compile()` before calling `model_to_estimator()`.")
    if not keras_model._is_graph_network:
        raise ValueError("model_to_estimator needs a functional or Sequential model with known "
                         "inputs: build the model (give the first layer an input_shape) or "
                         "call it on data before converting it.")


# -- the model_fn
def _create_keras_model_fn(keras_model: Any, custom_objects: Optional[dict]) -> Any:
    def model_fn(features: Any, labels: Any, mode: str) -> Any:
        from flowgraph.estimator.export import PredictOutput
        from flowgraph.estimator.model_fn import EstimatorSpec, ModeKeys
        model, loss, train_op, metric_ops = _clone_and_build(
            mode, keras_model, custom_objects, features, labels)
        predictions = dict(zip(keras_model.output_names, model.outputs))
        return EstimatorSpec(
            mode=mode, predictions=predictions,
            loss=loss if mode != ModeKeys.PREDICT else None,
            train_op=train_op if mode == ModeKeys.TRAIN else None,
            eval_metric_ops=metric_ops if mode == ModeKeys.EVAL else None,
            export_outputs={_DEFAULT_SERVING_KEY: PredictOutput(predictions)})
    return model_fn


def _to_ordered_tensor_list(obj: Any, key_order: list, obj_name: str, order_name: str
                            ) -> Optional[list]:
    """`features` / `labels` as a list in the model's input / output order (TF 1.15)."""
    from flowgraph import convert_to_tensor
    if obj is None:
        return None
    if isinstance(obj, (list, tuple)):
        return [convert_to_tensor(x) for x in obj]
    if isinstance(obj, dict):
        different = set(obj) ^ set(key_order)
        if different:
            raise KeyError(
                f"The dictionary passed into {obj_name} does not have the expected "
                f"{order_name} keys defined in the keras model.\n\tExpected keys: "
                f"{set(key_order)}\n\t{obj_name} keys: {set(obj)}\n\tDifference: "
                f"{different}")
        return [convert_to_tensor(obj[key]) for key in key_order]
    return [convert_to_tensor(obj)]


def _clone_and_build(mode: str, keras_model: Any, custom_objects: Optional[dict],
                     features: Any = None, labels: Any = None) -> tuple:
    """The clone of `keras_model` on `features` in the default graph, with its loss, train
    op (TRAIN) and metric ops (EVAL); (model, None, None, None) in PREDICT."""
    from flowgraph.estimator.model_fn import ModeKeys
    from flowgraph.keras import backend
    from flowgraph.keras.backend_ops import is_keras_tensor
    from flowgraph.keras.input_layer import Input
    from flowgraph.keras.models import clone_model
    from flowgraph.keras.utils import CustomObjectScope
    backend.set_learning_phase(1 if mode == ModeKeys.TRAIN else 0)
    inputs = _to_ordered_tensor_list(features, keras_model.input_names, "features", "inputs")
    if inputs is not None and len(inputs) != len(keras_model.inputs):
        raise ValueError(f"The model has {len(keras_model.inputs)} inputs "
                         f"{keras_model.input_names}, but the features hold {len(inputs)} "
                         "tensors.")
    if inputs is not None:
        # clone_model takes Keras tensors: wrap the input_fn's ones (TF 1.15's Input(tensor=))
        inputs = [t if is_keras_tensor(t) else Input(tensor=t) for t in inputs]
    with CustomObjectScope(custom_objects or {}):
        model = clone_model(keras_model, input_tensors=inputs)
    if mode == ModeKeys.PREDICT:
        return model, None, None, None
    targets = _to_ordered_tensor_list(labels, keras_model.output_names, "labels", "outputs")
    return (model,) + _build_training(mode, keras_model, model, targets)


def _build_training(mode: str, keras_model: Any, model: Any, targets: Optional[list]
                    ) -> tuple:
    """(loss, train_op, eval_metric_ops) of `model` as `keras_model` was compiled."""
    import flowgraph as fg
    from flowgraph.estimator.model_fn import ModeKeys
    from flowgraph.keras import losses as losses_mod
    from flowgraph.keras.engine_training import _per_sample, _to_list
    from flowgraph.keras.masks import get_mask
    args = keras_model._compile_args
    n = len(model.outputs)
    loss_fns = [losses_mod.get(fn) if fn is not None else None
                for fn in keras_model._per_output(args["loss"], "loss", None)]
    if targets is None:
        if any(fn is not None for fn in loss_fns):
            raise ValueError("The input_fn gave no labels, but the Keras model has a loss: "
                             "return (features, labels) from the input_fn for TRAIN and "
                             "EVAL.")
        targets = [None] * n
    if len(targets) != n:
        raise ValueError(f"The model has {n} outputs {keras_model.output_names}, but the "
                         f"labels hold {len(targets)} tensors.")
    targets = [_match_rank(t, out) if t is not None else None
               for t, out in zip(targets, model.outputs)]
    weights = keras_model._per_output(args["loss_weights"], "loss_weights", 1.0) \
        if args["loss_weights"] is not None else [1.0] * n
    total = None
    output_losses = []
    with fg.name_scope("loss"):
        for i, output in enumerate(model.outputs):
            if loss_fns[i] is None:
                continue
            with fg.name_scope(f"{model.output_names[i]}_loss"):
                values = fg.cast(_per_sample(loss_fns[i])(targets[i], output),
                                 output.dtype.base_dtype)
                mask = get_mask(output)
                if mask is not None:  # as compile: masked steps weigh 0 (TF 1.15)
                    values = values * fg.cast(mask, output.dtype.base_dtype)
                loss_i = fg.reduce_mean(values)
            output_losses.append((i, loss_i))
            term = loss_i if weights[i] == 1.0 else loss_i * float(weights[i])
            total = term if total is None else total + term
        if model.losses:
            reg = fg.add_n([fg.cast(r, fg.float32 if total is None else total.dtype)
                            for r in model.losses])
            total = reg if total is None else total + reg
    if total is None:
        raise ValueError("The Keras model has no loss to optimize: compile it with loss=...")
    if mode == ModeKeys.TRAIN:
        optimizer = _clone_optimizer(keras_model.optimizer, fg.train.get_global_step())
        with fg.name_scope("training"):
            updates = optimizer.get_updates(loss=total, params=model.trainable_weights)
        return total, fg.group(*(list(updates) + list(model.updates))), None
    metric_ops = {}
    if n > 1:
        for i, loss_i in output_losses:
            metric_ops[f"{model.output_names[i]}_loss"] = fg.metrics.mean(loss_i)
    metric_lists = [_to_list(m) for m in keras_model._per_output(args["metrics"], "metrics", [])]
    weighted_lists = [_to_list(m) for m in keras_model._per_output(
        args["weighted_metrics"], "metrics", [])]
    with fg.name_scope("metrics"):
        for i, output in enumerate(model.outputs):
            if targets[i] is None:
                continue
            for prefix, group in (("", metric_lists[i]), ("weighted_", weighted_lists[i])):
                for metric in group:
                    fn, name = keras_model._resolve_metric(_clone_metric(metric), loss_fns[i],
                                                           output)
                    name = prefix + name
                    if n > 1:
                        name = f"{model.output_names[i]}_{name}"
                    metric_ops[name] = _metric_op(fn, targets[i], output)
    return total, None, metric_ops


def _match_rank(target: Any, output: Any) -> Any:
    """Labels of shape (batch,) for an output of shape (batch, 1) get the trailing axis, as
    TF 1.15's losses squeeze or expand them."""
    import flowgraph as fg
    t_rank, o_rank = target.shape.ndims, output.shape.ndims
    if t_rank is not None and o_rank is not None and o_rank == t_rank + 1 and \
            output.shape.as_list()[-1] == 1:
        return fg.expand_dims(target, -1)
    return target


def _metric_op(fn: Any, target: Any, output: Any) -> tuple:
    """(value, update_op): the running mean of the metric's per-sample values, or a Keras
    Metric object's own state."""
    import flowgraph as fg
    if all(hasattr(fn, a) for a in ("update_state", "result", "reset_states")):
        update = fn(target, output)
        return fn.result(), update
    values = fg.cast(fn(target, output), output.dtype.base_dtype)
    return fg.metrics.mean(values)


def _clone_metric(metric: Any) -> Any:
    """A fresh copy of a Keras Metric object (its variables belong to one graph)."""
    if all(hasattr(metric, a) for a in ("update_state", "result", "get_config")):
        return type(metric).from_config(metric.get_config())
    return metric


def _clone_optimizer(optimizer: Any, global_step: Any) -> Any:
    """A new optimizer like `optimizer` whose ``iterations`` is the global step (so that
    each training step advances it)."""
    from flowgraph.keras.optimizers import TFOptimizer
    if isinstance(optimizer, TFOptimizer):
        return TFOptimizer(optimizer.optimizer, iterations=global_step)
    clone = type(optimizer).from_config(optimizer.get_config())
    clone.iterations = global_step
    return clone


# -- the first checkpoint
def _save_first_checkpoint(keras_model: Any, custom_objects: Optional[dict],
                           config: Any) -> str:
    """``<model_dir>/keras/keras_model.ckpt`` holding the Keras model's weights (written
    unless that folder already has a checkpoint, which is then used)."""
    import flowgraph as fg
    from flowgraph.estimator.model_fn import ModeKeys
    from flowgraph.train.checkpoint_management import latest_checkpoint
    keras_dir = os.path.join(config.model_dir, "keras")
    latest = latest_checkpoint(keras_dir)
    if latest:
        return latest
    weights = keras_model.get_weights()
    os.makedirs(keras_dir, exist_ok=True)
    with fg.Graph().as_default() as graph:
        if config.tf_random_seed is not None:
            fg.set_random_seed(config.tf_random_seed)
        fg.train.create_global_step()
        model, _, _, _ = _clone_and_build(ModeKeys.PREDICT, keras_model, custom_objects)
        optimizer = _clone_optimizer(keras_model.optimizer, fg.train.get_global_step())
        targets = [fg.placeholder(out.dtype.base_dtype, out.shape) for out in model.outputs]
        loss = fg.add_n([fg.reduce_sum(fg.square(out - t))
                         for out, t in zip(model.outputs, targets)])
        optimizer.get_updates(loss=loss, params=model.trainable_weights)  # its variables
        saver = fg.train.Saver()
        with fg.Session(graph=graph) as sess:
            sess.run(fg.global_variables_initializer())
            for variable, value in zip(model.weights, weights):
                variable.load(value, sess)
            path = os.path.join(keras_dir, "keras_model.ckpt")
            saver.save(sess, path)
    return path
