"""`tf.keras.Model`'s training API as TF 1.15 in graph mode: compile, fit, evaluate,
predict and the ``*_on_batch`` methods, run in `backend.get_session()`.

`compile` builds, per output, a ``<output>_target`` placeholder and a
``<output>_sample_weights`` placeholder_with_default of ones, the total loss (the loss weights
times the per-output means of the per-sample losses weighted by the sample weights and by the
output's Keras mask, plus the model's regularization losses), the metric tensors and the
training ops (the optimizer's updates plus the layers' updates). A model whose inputs are not
known yet (subclassed, or a Sequential without an input shape) is built on the first data.
Epoch values of the loss and metrics are batch-size-weighted means over the epoch.
"""

from __future__ import annotations

import inspect
import random
import warnings
from typing import Any, Optional

import numpy as np

from flowgraph.keras import backend
from flowgraph.keras.engine_network import Network
from flowgraph.layers.base import flatten


def _fn_name(fn: Any) -> str:
    name = getattr(fn, "__name__", None)
    if name is None:
        inner = getattr(fn, "fn", None)
        name = getattr(inner, "__name__", None) or type(fn).__name__
    return name


def _per_sample(fn: Any) -> Any:
    """The per-sample form of a Keras loss: a Loss object's ``call`` (its own arguments,
    such as ``from_logits``, included), else the function itself."""
    if hasattr(fn, "reduction") and callable(getattr(fn, "call", None)):
        return fn.call
    return fn


def _to_list(x: Any) -> list:
    if x is None:
        return []
    return list(x) if isinstance(x, (list, tuple)) else [x]


class Model(Network):
    """`tf.keras.Model`: a functional (``Model(inputs, outputs)``) or subclassed network
    with the training API."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._compiled = False
        self.optimizer: Any = None
        self.stop_training = False
        self.history: Any = None
        self._compile_args: dict = {}

    # -- compile
    def compile(self, optimizer: Any = "rmsprop", loss: Any = None, metrics: Any = None,
                loss_weights: Any = None, sample_weight_mode: Any = None,
                weighted_metrics: Any = None, target_tensors: Any = None,
                distribute: Any = None, **kwargs: Any) -> None:
        """Configures the model for training (see the module docstring)."""
        if kwargs:
            raise TypeError(f"Invalid keyword argument(s) in `compile`: {sorted(kwargs)}")
        if distribute is not None:
            raise ValueError("distribute is not supported by flowgraph's Keras")
        from flowgraph.keras import optimizers
        self.optimizer = optimizers.get(optimizer)
        # (public as in TF 1.15: user code and the scikit-learn wrappers read them)
        self.loss = loss or []
        self.loss_weights = loss_weights
        self.sample_weight_mode = sample_weight_mode
        self._compile_args = dict(loss=loss, metrics=metrics, loss_weights=loss_weights,
                                  sample_weight_mode=sample_weight_mode,
                                  weighted_metrics=weighted_metrics,
                                  target_tensors=target_tensors)
        self._compiled = True
        self._train_fetches = None
        if self._is_graph_network:
            self._build_compiled()

    def _per_output(self, value: Any, what: str, default: Any) -> list:
        n = len(self.outputs)
        if isinstance(value, dict):
            unknown = [k for k in value if k not in self.output_names]
            if unknown:
                raise ValueError(f"Unknown entry in {what} dictionary: {unknown[0]!r}. Only "
                                 f"expected the following keys: {self.output_names}")
            return [value.get(name, default) for name in self.output_names]
        if isinstance(value, (list, tuple)) and what != "metrics":
            if len(value) != n:
                raise ValueError(f"When passing a list as {what}, it should have one entry "
                                 f"per model output. The model has {n} outputs, but you "
                                 f"passed {what}={value!r}")
            return list(value)
        if what == "metrics" and isinstance(value, (list, tuple)) and value and all(
                isinstance(v, (list, tuple)) for v in value):
            if len(value) != n:
                raise ValueError(f"When passing a list of lists as metrics, it should have "
                                 f"one entry per model output ({n} outputs).")
            return [list(v) for v in value]
        return [value if value is not None else default for _ in range(n)]

    def _build_compiled(self) -> None:
        from flowgraph.keras import losses as losses_mod
        from flowgraph.keras.masks import get_mask
        from flowgraph.ops import math as fg_math
        from flowgraph.ops.cast import cast
        from flowgraph.ops.constant import constant, placeholder, placeholder_with_default
        from flowgraph.ops.reduce import reduce_mean
        args = self._compile_args
        graph = self.outputs[0].graph
        n = len(self.outputs)
        loss_fns = [losses_mod.get(fn) if fn is not None else None
                    for fn in self._per_output(args["loss"], "loss", None)]
        weights = self._per_output(args["loss_weights"], "loss_weights", 1.0) \
            if args["loss_weights"] is not None else [1.0] * n
        metric_lists = self._per_output(args["metrics"], "metrics", [])
        metric_lists = [_to_list(m) for m in metric_lists]
        weighted_lists = [_to_list(m) for m in self._per_output(
            args["weighted_metrics"], "metrics", [])]
        targets = _to_list(args["target_tensors"]) if args["target_tensors"] is not None \
            else [None] * n
        if isinstance(args["target_tensors"], dict):
            targets = [args["target_tensors"].get(name) for name in self.output_names]
        if len(targets) != n:
            raise ValueError(f"target_tensors should have one tensor per output ({n}).")
        self.loss_functions = loss_fns
        self._targets, self._sample_weights = [], []
        self._feed_targets = []
        output_losses = []
        metric_names, metric_tensors = [], []
        stateful, stateful_names = [], []
        with graph.as_default():
            for i, output in enumerate(self.outputs):
                name = self.output_names[i]
                if loss_fns[i] is None:
                    self._targets.append(None)
                    self._sample_weights.append(None)
                    continue
                ndims = output.shape.ndims
                target = targets[i]
                if target is None:
                    shape = [None] * ndims if ndims is not None else None
                    target = placeholder(output.dtype.base_dtype, shape=shape,
                                         name=f"{name}_target")
                    self._feed_targets.append(True)
                else:
                    self._feed_targets.append(False)
                self._targets.append(target)
                # TF 1.15: a placeholder_with_default of ones in floatx, so the loss runs
                # without feeding it
                temporal = args["sample_weight_mode"] == "temporal"
                sw = placeholder_with_default(
                    constant([[1.0]] if temporal else [1.0], dtype=backend.floatx()),
                    shape=[None, None] if temporal else [None],
                    name=f"{name}_sample_weights")
                self._sample_weights.append(sw)
            with graph.name_scope("loss"):
                for i, output in enumerate(self.outputs):
                    if loss_fns[i] is None:
                        continue
                    with graph.name_scope(f"{self.output_names[i]}_loss"):
                        values = _per_sample(loss_fns[i])(self._targets[i], output)
                        values = cast(values, output.dtype.base_dtype)
                        sw = cast(self._sample_weights[i], output.dtype.base_dtype)
                        if args["sample_weight_mode"] != "temporal" and values.shape.ndims \
                                and values.shape.ndims > 1:
                            from flowgraph.ops.shape_ops import reshape
                            sw_b = reshape(sw, [-1] + [1] * (values.shape.ndims - 1))
                        else:
                            sw_b = sw
                        mask = get_mask(output)
                        if mask is not None:
                            # TF 1.15: the output's mask multiplies the sample weights; the
                            # mean still divides by every element (no renormalization)
                            _check_mask_rank(mask, values, self.output_names[i])
                            sw_b = fg_math.multiply(sw_b, cast(mask, output.dtype.base_dtype))
                        loss_i = reduce_mean(fg_math.multiply(values, sw_b))
                    output_losses.append((i, loss_i))
                total = None
                for i, loss_i in output_losses:
                    # TF 1.15 always scales (``loss/mul``, the single-output total_loss)
                    term = fg_math.multiply(float(weights[i]), loss_i, name="mul")
                    total = term if total is None else fg_math.add(total, term)
                reg = self.losses
                if total is None and not reg:
                    raise ValueError("The model cannot be compiled because it has no loss "
                                     "to optimize: pass compile(loss=...) or add losses "
                                     "with add_loss.")
                if reg:
                    dtype = total.dtype if total is not None else reg[0].dtype
                    reg_total = fg_math.add_n([cast(r, dtype) for r in reg])
                    total = reg_total if total is None else fg_math.add(total, reg_total)
            self.total_loss = total
            from flowgraph.keras import metrics as metrics_mod
            if n > 1:
                # TF 1.15: a Mean metric per output loss, over the batches of the epoch
                for i, loss_i in output_losses:
                    loss_name = f"{self.output_names[i]}_loss"
                    loss_metric = metrics_mod.Mean(name=loss_name)
                    stateful.append(loss_metric)
                    stateful_names.append(loss_name)
                    metric_names.append(loss_name)
                    metric_tensors.append(loss_metric(loss_i))
            with graph.name_scope("metrics"):
                for i, output in enumerate(self.outputs):
                    if self._targets[i] is None:
                        continue  # no loss, no target: no metrics (as TF 1.15)
                    for weighted, group in ((False, metric_lists[i]),
                                            (True, weighted_lists[i])):
                        for metric in group:
                            fn, name = self._resolve_metric(metric, loss_fns[i], output)
                            if weighted:
                                name = "weighted_" + name
                            if n > 1:
                                name = f"{self.output_names[i]}_{name}"
                            base, j = name, 1
                            while name in metric_names or name == "loss":
                                name = f"{base}_{j}"  # as TF 1.15's _add_unique_metric_name
                                j += 1
                            if not _is_stateful(fn):
                                # TF 1.15 wraps metric functions in MeanMetricWrapper:
                                # every metric accumulates over the epoch until reset
                                fn = metrics_mod.MeanMetricWrapper(
                                    fn, name=name, dtype=output.dtype.base_dtype)
                            # its value after this batch's update
                            value = fn(self._targets[i], output, sample_weight=_metric_weights(
                                self._sample_weights[i] if weighted else None, output))
                            stateful.append(fn)
                            stateful_names.append(name)
                            metric_names.append(name)
                            metric_tensors.append(value)
        self._metric_names = metric_names
        self._metric_tensors = metric_tensors
        self._stateful_metrics = stateful
        self._stateful_names = set(stateful_names)
        self._train_fetches = None

    @property
    def sample_weights(self) -> list:
        """The ``<output>_sample_weights`` tensors, one per output (None for an output
        without a loss)."""
        return list(getattr(self, "_sample_weights", []))

    def reset_metrics(self) -> None:
        """Zeroes the state of the stateful metric objects given to `compile`."""
        for metric in getattr(self, "_stateful_metrics", []):
            metric.reset_states()

    @staticmethod
    def _resolve_metric(metric: Any, loss_fn: Any, output: Any) -> tuple:
        from flowgraph.keras import metrics as metrics_mod
        if metric in ("accuracy", "acc", "crossentropy", "ce"):
            loss_name = _fn_name(loss_fn) if loss_fn is not None else ""
            loss_name = {"BinaryCrossentropy": "binary_crossentropy",
                         "SparseCategoricalCrossentropy": "sparse_categorical_crossentropy"
                         }.get(loss_name, loss_name)
            last = output.shape.as_list()[-1] if output.shape.ndims else None
            if last == 1 or loss_name == "binary_crossentropy":
                kind = "binary"
            elif loss_name == "sparse_categorical_crossentropy":
                kind = "sparse_categorical"
            else:
                kind = "categorical"
            # TF 1.15 graph mode names both 'accuracy' and 'acc' "acc" (and "ce")
            if metric in ("accuracy", "acc"):
                return metrics_mod.get(f"{kind}_accuracy"), "acc"
            return metrics_mod.get(f"{kind}_crossentropy"), "ce"
        fn = metrics_mod.get(metric)
        name = getattr(fn, "name", None) or _fn_name(fn)
        return fn, name

    @property
    def metrics_names(self) -> list:
        """``['loss']`` then the per-output losses (several outputs) and the metrics."""
        if not self._compiled or not hasattr(self, "_metric_names"):
            return []
        return ["loss"] + list(self._metric_names)

    def _training_ops(self) -> list:
        if self._train_fetches is None:
            graph = self.total_loss.graph
            with graph.as_default(), graph.name_scope("training"):
                updates = self.optimizer.get_updates(loss=self.total_loss,
                                                     params=self.trainable_weights)
            self._train_fetches = list(updates) + list(self.updates)
        return self._train_fetches

    # -- building on data (subclassed and input-less models)
    def _ensure_built(self, x: Any) -> None:
        if self._is_graph_network:
            return
        arrays = [np.asarray(a) for a in (list(x.values()) if isinstance(x, dict)
                                           else _to_list(x))]
        if not arrays:
            raise ValueError("The model has not been built yet and no input data was "
                             "given to build it on.")
        self._build_on_shapes([(None,) + a.shape[1:] for a in arrays],
                              [a.dtype for a in arrays])

    def _build_on_shapes(self, shapes: list, np_dtypes: Optional[list] = None) -> None:
        from flowgraph import dtypes
        from flowgraph.keras.input_layer import Input
        inputs = []
        for i, shape in enumerate(shapes):
            dtype = backend.floatx()
            if np_dtypes is not None and np.issubdtype(np_dtypes[i], np.integer):
                dtype = dtypes.as_dtype(np_dtypes[i]).name
            inputs.append(Input(batch_shape=tuple(shape), dtype=dtype))
        outputs = self(inputs[0] if len(inputs) == 1 else inputs)
        self.inputs = inputs
        self._nested_inputs = inputs[0] if len(inputs) == 1 else inputs
        self._nested_outputs = outputs
        self.outputs = list(flatten(outputs))
        self.input_names = [f"input_{i + 1}" for i in range(len(inputs))]
        self.output_names = [f"output_{i + 1}" for i in range(len(self.outputs))]
        self.built = True
        if self._compiled:
            self._build_compiled()

    def _build_on_element_spec(self, element: Any) -> None:
        """Builds an input-less model on the `x` part of a Dataset's (x, y) elements."""
        x = element[0] if isinstance(element, tuple) else element
        tensors = list(x.values()) if isinstance(x, dict) else _to_list(x)
        self._build_on_shapes([tuple([None] + t.shape.as_list()[1:]) for t in tensors],
                              [t.dtype.base_dtype.as_numpy_dtype for t in tensors])

    # -- data
    def _standardize(self, data: Any, names: list, tensors: list, what: str) -> list:
        if data is None:
            return []
        if isinstance(data, dict):
            missing = [n for n in names if n not in data]
            if missing:
                raise ValueError(f"No data provided for {missing[0]!r}. Need data for each "
                                 f"key in: {names}")
            data = [data[n] for n in names]
        if len(tensors) > 1 and isinstance(data, (list, tuple)):
            arrays = [np.asarray(a) for a in data]
        elif isinstance(data, (list, tuple)) and data and all(
                isinstance(a, np.ndarray) for a in data):
            arrays = list(data)  # a list of arrays is one array per input (TF 1.15)
        else:
            arrays = [np.asarray(data)]
        if len(arrays) != len(tensors):
            # TF 1.15's wording
            raise ValueError(f"Error when checking model {what}: the list of Numpy arrays "
                             f"that you are passing to your model is not the size the model "
                             f"expected. Expected to see {len(tensors)} array(s), but "
                             f"instead got the following list of {len(arrays)} arrays: "
                             f"{str(arrays)[:200]}...")
        out = []
        for a, t, name in zip(arrays, tensors, names):
            ndims = t.shape.ndims
            if a.ndim == 1 and ndims != 1:
                a = a[:, None]  # as TF 1.15's standardize_single_array
            if ndims is not None and a.ndim != ndims:
                raise ValueError(f"Error when checking {what}: expected {name} to have "
                                 f"{ndims} dimensions, but got array with shape {a.shape}")
            want = t.shape.as_list() if ndims is not None else None
            if want is not None:
                for axis in range(1, ndims):
                    if want[axis] is not None and want[axis] != a.shape[axis]:
                        raise ValueError(
                            f"Error when checking {what}: expected {name} to have shape "
                            f"{tuple(want[1:])} but got array with shape {a.shape[1:]}")
            out.append(a.astype(t.dtype.base_dtype.as_numpy_dtype, copy=False))
        lengths = {len(a) for a in out}
        if len(lengths) > 1:
            raise ValueError(f"All {what} arrays should have the same number of samples. "
                             f"Got array shapes: {[a.shape for a in out]}")
        return out

    def _prepare(self, x: Any, y: Any, sample_weight: Any, class_weight: Any) -> tuple:
        self._ensure_built(x)
        if not self._compiled:
            raise RuntimeError("You must compile your model before training/testing. Use "
                               "`model.compile(optimizer, loss)`.")
        xs = self._standardize(x, self.input_names, self.inputs, "input")
        targets = [t for t in self._targets if t is not None]
        names = [n for n, t in zip(self.output_names, self._targets) if t is not None]
        ys = self._standardize(y, names, targets, "target")
        if xs and ys and len(xs[0]) != len(ys[0]):
            raise ValueError(f"Input arrays should have the same number of samples as "
                             f"target arrays. Found {len(xs[0])} input samples and "
                             f"{len(ys[0])} target samples.")
        sws = []
        sw_list = sample_weight if isinstance(sample_weight, (list, tuple)) else (
            [sample_weight.get(n) for n in names] if isinstance(sample_weight, dict)
            else [sample_weight] * len(ys))
        cw_list = class_weight if isinstance(class_weight, (list, tuple)) else (
            [class_weight.get(n) for n in names] if isinstance(class_weight, dict) and
            any(n in class_weight for n in names) else [class_weight] * len(ys))
        for i, yi in enumerate(ys):
            sw = sw_list[i] if i < len(sw_list) else None
            cw = cw_list[i] if i < len(cw_list) else None
            dtype = self._sample_weights[self._targets.index(targets[i])].dtype \
                .base_dtype.as_numpy_dtype
            if sw is not None:
                sw = np.asarray(sw, dtype=dtype)
                if sw.shape[0] != len(yi):
                    raise ValueError(f"Found a sample_weight array with shape {sw.shape} "
                                     f"for an input with shape {yi.shape}. sample_weight "
                                     "cannot be broadcast.")
            elif cw is not None:
                if yi.ndim >= 2 and yi.shape[-1] > 1:
                    classes = np.argmax(yi, axis=-1)
                else:
                    classes = np.reshape(yi, (len(yi),)).astype(np.int64)
                missing = set(np.unique(classes).tolist()) - set(cw)
                if missing:
                    raise ValueError(f"`class_weight` must contain all classes in the "
                                     f"data. The classes {missing} exist in the data but "
                                     f"not in `class_weight`.")
                sw = np.asarray([cw[c] for c in classes.tolist()], dtype=dtype)
            else:
                sw = np.ones((len(yi),), dtype=dtype)
                if self._compile_args.get("sample_weight_mode") == "temporal":
                    sw = np.ones(yi.shape[:2], dtype=dtype)
            sws.append(sw)
        return xs, ys, sws

    def _feed(self, xs: list, ys: list, sws: list, index: Any, training: bool) -> dict:
        feed = {}
        for t, a in zip(self.inputs, xs):
            feed[t] = a[index]
        targets = [(t, fed) for t, fed in zip(
            [t for t in getattr(self, "_targets", []) if t is not None],
            getattr(self, "_feed_targets", []))]
        sw_ts = [s for s in getattr(self, "_sample_weights", []) if s is not None]
        for (t, fed), a, s, w in zip(targets, ys, sw_ts, sws):
            if fed:
                feed[t] = a[index]
            feed[s] = w[index] if a is not None else w
        if training:
            phase = backend.learning_phase()
            if not isinstance(phase, int):
                feed[phase] = True
        return feed

    # -- on one batch
    def train_on_batch(self, x: Any, y: Any = None, sample_weight: Any = None,
                       class_weight: Any = None, reset_metrics: bool = True) -> Any:
        """One gradient update on the batch; returns the loss (and metrics) before it."""
        xs, ys, sws = self._prepare(x, y, sample_weight, class_weight)
        values = self._run_train(xs, ys, sws, slice(None))
        if reset_metrics:
            self.reset_metrics()
        return self._unpack(values)

    def test_on_batch(self, x: Any, y: Any = None, sample_weight: Any = None,
                      reset_metrics: bool = True) -> Any:
        """The loss (and metrics) on the batch."""
        xs, ys, sws = self._prepare(x, y, sample_weight, None)
        values = self._run_test(xs, ys, sws, slice(None))
        if reset_metrics:
            self.reset_metrics()
        return self._unpack(values)

    def predict_on_batch(self, x: Any) -> Any:
        """The model's outputs on the batch (numpy)."""
        self._ensure_built(x)
        xs = self._standardize(x, self.input_names, self.inputs, "input")
        outs = backend.get_session().run(self.outputs, self._feed(xs, [], [], slice(None),
                                                                   False))
        return outs[0] if len(outs) == 1 else list(outs)

    def _run_train(self, xs: list, ys: list, sws: list, index: Any) -> list:
        ops = self._training_ops()
        fetches = [self.total_loss] + self._metric_tensors
        results = backend.get_session().run([fetches, ops],
                                            self._feed(xs, ys, sws, index, True))
        return list(results[0])

    def _run_test(self, xs: list, ys: list, sws: list, index: Any) -> list:
        fetches = [self.total_loss] + self._metric_tensors
        results = backend.get_session().run(fetches, self._feed(xs, ys, sws, index, False))
        return list(results)

    @staticmethod
    def _unpack(values: list) -> Any:
        return values[0] if len(values) == 1 else values

    # -- loops
    def fit(self, x: Any = None, y: Any = None, batch_size: Optional[int] = None,
            epochs: int = 1, verbose: int = 1, callbacks: Any = None,
            validation_split: float = 0., validation_data: Any = None,
            shuffle: Any = True, class_weight: Any = None, sample_weight: Any = None,
            initial_epoch: int = 0, steps_per_epoch: Optional[int] = None,
            validation_steps: Optional[int] = None, validation_freq: Any = 1,
            max_queue_size: int = 10, workers: int = 1,
            use_multiprocessing: bool = False, **kwargs: Any) -> Any:
        """Trains the model for `epochs` epochs on numpy arrays (lists or dicts of them for
        several inputs or outputs), or on a `Dataset` / iterator of ``(x, y)`` or
        ``(x, y, sample_weight)`` batches (`steps_per_epoch` batches per epoch; without it,
        a Dataset is read to its end each epoch). Returns a `History`."""
        if kwargs:
            raise TypeError(f"Unrecognized keyword arguments: {sorted(kwargs)}")
        if x is None and steps_per_epoch is not None:
            if validation_split:
                raise ValueError("validation_split needs numpy array inputs.")
            train = self._tensor_source(steps_per_epoch, "steps_per_epoch", y)
            val = None if validation_data is None else self._validation_source(
                validation_data, validation_steps, 32 if batch_size is None else batch_size)
            if verbose:
                _print_train_info(steps_per_epoch, validation_steps, "steps", val)
            return self._fit_loop(train, val, None, batch_size, epochs, verbose, callbacks,
                                  steps_per_epoch, validation_freq, class_weight,
                                  initial_epoch)
        if x is None:
            raise ValueError("fit needs input data `x` (numpy arrays or a Dataset), or "
                             "`steps_per_epoch` for a model whose inputs are tensors.")
        if _is_generator_like(x):
            _check_generator_args(y, sample_weight, validation_split)
            return self.fit_generator(
                x, steps_per_epoch=steps_per_epoch, epochs=epochs, verbose=verbose,
                callbacks=callbacks, validation_data=validation_data,
                validation_steps=validation_steps, validation_freq=validation_freq,
                class_weight=class_weight, max_queue_size=max_queue_size, workers=workers,
                use_multiprocessing=use_multiprocessing, shuffle=shuffle,
                initial_epoch=initial_epoch)
        batch_size = 32 if batch_size is None else int(batch_size)
        val = None
        if _is_symbolic(x):
            _check_symbolic(y, sample_weight, "fit")
            train = _SymbolicSource(x, steps_per_epoch, "steps_per_epoch")
            num = None
            if not self._is_graph_network:
                self._build_on_element_spec(train.next)
            if validation_split:
                raise ValueError("`validation_split` is only supported for numpy arrays; "
                                 "pass validation_data for a Dataset input.")
        else:
            if steps_per_epoch is not None:
                raise ValueError("steps_per_epoch is for Dataset / iterator inputs; with "
                                 "numpy arrays use batch_size.")
            xs, ys, sws = self._prepare(x, y, sample_weight, class_weight)
            if validation_split and 0. < validation_split < 1.:
                split_at = int(len(xs[0]) * (1. - validation_split))
                val = _ArraySource(self, [a[split_at:] for a in xs],
                                   [a[split_at:] for a in ys], [a[split_at:] for a in sws],
                                   batch_size, False)
                xs, ys, sws = ([a[:split_at] for a in xs], [a[:split_at] for a in ys],
                               [a[:split_at] for a in sws])
            train = _ArraySource(self, xs, ys, sws, batch_size, shuffle)
            num = len(xs[0])
        if validation_data is not None:
            val = self._validation_source(validation_data, validation_steps, batch_size)
        if verbose:
            if num is not None:
                _print_train_info(num, None, "samples", val)
            elif steps_per_epoch is not None:
                _print_train_info(steps_per_epoch, validation_steps, "steps", val)
        return self._fit_loop(train, val, num, batch_size, epochs, verbose, callbacks,
                              steps_per_epoch, validation_freq, class_weight, initial_epoch)

    def _fit_loop(self, train: Any, val: Any, num: Optional[int], batch_size: Optional[int],
                  epochs: int, verbose: int, callbacks: Any, steps_per_epoch: Optional[int],
                  validation_freq: Any, class_weight: Any, initial_epoch: int) -> Any:
        """The epoch loop of `fit` and `fit_generator` over batch sources, as TF 1.15's
        ``model_iteration``: the progress bar is driven after the callbacks, the epoch
        logs hold the loss (mean over the samples, or over the steps for generators and
        Datasets), the metrics (accumulated over the epoch) and then the ``val_`` values."""
        from flowgraph.keras import callbacks as cbks
        names = self.metrics_names
        val_names = ["val_" + n for n in names] if val is not None else []
        self.history = cbks.History()
        callback_list = cbks.CallbackList(
            [cbks.BaseLogger(stateful_metrics=names[1:])] + _to_list(callbacks) +
            [self.history])
        callback_list.set_model(self)
        params = {"batch_size": batch_size, "epochs": epochs, "steps": steps_per_epoch,
                  "samples": num, "verbose": verbose, "do_validation": val is not None,
                  "metrics": names + val_names}
        callback_list.set_params(params)
        progbar = cbks.ProgbarLogger("samples" if num is not None else "steps",
                                     stateful_metrics=names[1:])
        progbar.set_model(self)
        progbar.set_params(params)
        by_steps = getattr(train, "loss_by_steps", False)
        self.stop_training = False
        callback_list.on_train_begin()
        progbar.on_train_begin()
        for epoch in range(initial_epoch, epochs):
            if self.stop_training:
                break
            self.reset_metrics()
            epoch_logs: dict = {}
            callback_list.on_epoch_begin(epoch, epoch_logs)
            progbar.on_epoch_begin(epoch, epoch_logs)
            values, loss_total, seen = None, 0.0, 0
            for batch_index, (data, index, size) in enumerate(train.batches(self, class_weight)):
                batch_logs = {"batch": batch_index, "size": size}
                callback_list.on_train_batch_begin(batch_index, batch_logs)
                progbar.on_batch_begin(batch_index, batch_logs)
                values = self._run_train(*data, index)
                loss_total += float(values[0]) * (1 if by_steps else size)
                seen += 1 if by_steps else size
                batch_logs.update(zip(names, values))
                callback_list.on_train_batch_end(batch_index, batch_logs)
                progbar.on_batch_end(batch_index, batch_logs)
                if self.stop_training:
                    break
            if values is not None:
                epoch_logs["loss"] = loss_total / seen
                epoch_logs.update(zip(names[1:], values[1:]))
            if val is not None and _should_validate(epoch, validation_freq) \
                    and not self.stop_training:
                epoch_logs.update(zip(val_names, self._loop_test(val, callback_list)))
            callback_list.on_epoch_end(epoch, epoch_logs)
            progbar.on_epoch_end(epoch, epoch_logs)
        callback_list.on_train_end()
        return self.history

    def _validation_source(self, data: Any, steps: Optional[int], batch_size: int) -> Any:
        if _is_generator_like(data):
            return _GeneratorSource(data, steps, "validation_steps", False)
        if _is_symbolic(data):
            return _SymbolicSource(data, steps, "validation_steps")
        if not isinstance(data, (list, tuple)) or len(data) not in (2, 3):
            raise ValueError("When passing validation_data, it must contain 2 (x_val, y_val) "
                             "or 3 (x_val, y_val, val_sample_weights) items, however it "
                             f"contains {len(data) if hasattr(data, '__len__') else data}")
        vx, vy = data[0], data[1]
        vsw = data[2] if len(data) == 3 else None
        return _ArraySource(self, *self._prepare(vx, vy, vsw, None), batch_size, False)

    def _loop_test(self, source: Any, callback_list: Any = None, verbose: int = 0) -> list:
        """The loss (mean over the samples; over the steps for generators and Datasets)
        and the metrics' values after the last batch (they accumulate from a reset at the
        start; as in TF 1.15 they are not reset at the end)."""
        from flowgraph.keras import callbacks as cbks
        names = self.metrics_names
        by_steps = getattr(source, "loss_by_steps", False)
        num = getattr(source, "num", None)
        params = {"batch_size": getattr(source, "batch_size", None), "epochs": 1,
                  "steps": getattr(source, "steps", None),
                  "samples": None if by_steps else num, "verbose": verbose,
                  "do_validation": False, "metrics": names}
        callback_list = callback_list if callback_list is not None else cbks.CallbackList()
        progbar = cbks.ProgbarLogger("steps" if by_steps or num is None else "samples",
                                     stateful_metrics=names[1:])
        progbar.set_model(self)
        progbar.set_params(params)
        self.reset_metrics()
        callback_list.on_test_begin()
        progbar.on_train_begin()
        progbar.on_epoch_begin(0)
        values, loss_sum, seen = None, 0.0, 0
        for batch_index, (data, index, size) in enumerate(source.batches(self, None)):
            batch_logs = {"batch": batch_index, "size": size}
            callback_list.on_test_batch_begin(batch_index, batch_logs)
            progbar.on_batch_begin(batch_index, batch_logs)
            values = self._run_test(*data, index)
            loss_sum += float(values[0]) * (1 if by_steps else size)
            seen += 1 if by_steps else size
            batch_logs.update(zip(names, values))
            callback_list.on_test_batch_end(batch_index, batch_logs)
            progbar.on_batch_end(batch_index, batch_logs)
        if values is None:
            raise ValueError("No data to evaluate on (0 samples).")
        results = [loss_sum / seen] + list(values[1:])
        callback_list.on_test_end()
        progbar.on_epoch_end(0, dict(zip(names, results)))
        return results

    def evaluate(self, x: Any = None, y: Any = None, batch_size: Optional[int] = None,
                 verbose: int = 1, sample_weight: Any = None, steps: Optional[int] = None,
                 callbacks: Any = None, max_queue_size: int = 10, workers: int = 1,
                 use_multiprocessing: bool = False) -> Any:
        """The loss (mean over the samples) and the metrics (over all the batches) on the
        data (numpy arrays, or `steps` batches of a Dataset / iterator, all of a Dataset
        without it): a scalar without metrics, else a list in `metrics_names` order. With
        `verbose` a progress bar is printed."""
        from flowgraph.keras import callbacks as cbks
        batch_size = 32 if batch_size is None else int(batch_size)
        if _is_generator_like(x):
            _check_generator_args(y, sample_weight, None)
            source: Any = _GeneratorSource(x, steps, "steps", False)
        elif _is_symbolic(x):
            _check_symbolic(y, sample_weight, "evaluate")
            source = _SymbolicSource(x, steps, "steps")
        elif x is None and steps is not None:
            source = self._tensor_source(steps, "steps", y)
        else:
            if steps is not None:
                raise ValueError("steps is for Dataset / iterator inputs; with numpy arrays "
                                 "use batch_size.")
            source = _ArraySource(self, *self._prepare(x, y, sample_weight, None),
                                  batch_size, False)
        callback_list = cbks.CallbackList(_to_list(callbacks))
        callback_list.set_model(self)
        values = self._loop_test(source, callback_list, verbose)
        return self._unpack(values)

    def _tensor_source(self, steps: Any, what: str, y: Any) -> "_TensorSource":
        """`steps` batches of a model whose inputs and targets are tensors (``Input(
        tensor=...)`` and ``compile(target_tensors=...)``), fed nothing."""
        fed = [t.name for t in self.inputs if t.op.type.startswith("Placeholder")]
        fed += [t.name for t, f in zip([t for t in self._targets if t is not None],
                                       self._feed_targets) if f] if self._compiled else []
        if fed or y is not None:
            raise ValueError(f"Without `x`, every model input and target must be a tensor "
                             f"(Input(tensor=...), compile(target_tensors=...)); these are "
                             f"placeholders that need data: {fed or 'y was given'}.")
        return _TensorSource(self, steps, what)

    def predict(self, x: Any = None, batch_size: Optional[int] = None, verbose: int = 0,
                steps: Optional[int] = None, callbacks: Any = None, max_queue_size: int = 10,
                workers: int = 1, use_multiprocessing: bool = False) -> Any:
        """The model's outputs on `x` (numpy arrays, or a Dataset / iterator of inputs or
        of ``(x, y)`` pairs), batch by batch, concatenated (numpy)."""
        from flowgraph.keras import callbacks as cbks
        batch_size = 32 if batch_size is None else int(batch_size)
        if _is_generator_like(x):
            source: Any = _GeneratorSource(x, steps, "steps", False, inputs_only=True)
        elif _is_symbolic(x):
            source = _SymbolicSource(x, steps, "steps", inputs_only=True)
        elif x is None and steps is not None:
            source = self._tensor_source(steps, "steps", None)
        else:
            if steps is not None:
                raise ValueError("steps is for Dataset / iterator inputs; with numpy arrays "
                                 "use batch_size.")
            if x is None:
                raise ValueError("predict needs input data `x` (numpy arrays or a Dataset), "
                                 "or `steps` for a model whose inputs are tensors.")
            self._ensure_built(x)
            xs = self._standardize(x, self.input_names, self.inputs, "input")
            source = _ArraySource(self, xs, [], [], batch_size, False)
        num = getattr(source, "num", None) if isinstance(source, _ArraySource) else None
        callback_list = cbks.CallbackList(_to_list(callbacks))
        callback_list.set_model(self)
        progbar = cbks.ProgbarLogger("samples" if num is not None else "steps")
        progbar.set_model(self)
        progbar.set_params({"batch_size": batch_size, "epochs": 1, "steps": steps,
                            "samples": num, "verbose": verbose, "do_validation": False,
                            "metrics": []})
        callback_list.on_predict_begin()
        progbar.on_train_begin()
        progbar.on_epoch_begin(0)
        session = backend.get_session()
        chunks: list = []
        for batch_index, (data, index, size) in enumerate(source.batches(self, None)):
            batch_logs = {"batch": batch_index, "size": size}
            callback_list.on_predict_batch_begin(batch_index, batch_logs)
            progbar.on_batch_begin(batch_index, batch_logs)
            outs = session.run(self.outputs, self._feed(data[0], [], [], index, False))
            if not chunks:
                chunks = [[] for _ in outs]
            for chunk, out in zip(chunks, outs):
                chunk.append(out)
            batch_logs["outputs"] = outs
            callback_list.on_predict_batch_end(batch_index, batch_logs)
            progbar.on_batch_end(batch_index, batch_logs)
        callback_list.on_predict_end()
        if not chunks:
            raise ValueError("No data to predict on (0 samples).")
        progbar.on_epoch_end(0, {})
        results = [np.concatenate(c, axis=0) for c in chunks]
        return results[0] if len(results) == 1 else results

    # -- generators and `keras.utils.Sequence`
    def fit_generator(self, generator: Any, steps_per_epoch: Optional[int] = None,
                      epochs: int = 1, verbose: int = 1, callbacks: Any = None,
                      validation_data: Any = None, validation_steps: Optional[int] = None,
                      validation_freq: Any = 1, class_weight: Any = None,
                      max_queue_size: int = 10, workers: int = 1,
                      use_multiprocessing: bool = False, shuffle: bool = True,
                      initial_epoch: int = 0) -> Any:
        """Trains the model on batches from a Python generator (or iterator) yielding
        ``(x, y)`` or ``(x, y, sample_weight)`` tuples, or from a `keras.utils.Sequence`.

        `steps_per_epoch` batches make an epoch (a Sequence's ``len`` by default). A Sequence
        is read in a new (with `shuffle`, Python-`random`-shuffled) batch order on every pass
        through it and its ``on_epoch_end`` runs after each pass. `validation_data` is a
        generator, a Sequence or an ``(x_val, y_val[, sample_weight])`` tuple. Batches are
        read on the calling thread in order; `max_queue_size`, `workers` and
        `use_multiprocessing` are accepted for compatibility. Returns a `History`.
        """
        _check_workers(max_queue_size, workers)
        train = _GeneratorSource(generator, steps_per_epoch, "steps_per_epoch", shuffle)
        val = None
        if validation_data is not None:
            val = self._validation_source(validation_data, validation_steps, 32)
        return self._fit_loop(train, val, None, None, epochs, verbose, callbacks,
                              train.steps, validation_freq, class_weight, initial_epoch)

    def evaluate_generator(self, generator: Any, steps: Optional[int] = None,
                           callbacks: Any = None, max_queue_size: int = 10, workers: int = 1,
                           use_multiprocessing: bool = False, verbose: int = 0) -> Any:
        """The loss (mean over the `steps` batches) and metrics (over all their samples)
        on batches from a generator or `keras.utils.Sequence` (see `fit_generator`)."""
        _check_workers(max_queue_size, workers)
        return self.evaluate(generator, steps=steps, callbacks=callbacks, verbose=verbose)

    def predict_generator(self, generator: Any, steps: Optional[int] = None,
                          callbacks: Any = None, max_queue_size: int = 10, workers: int = 1,
                          use_multiprocessing: bool = False, verbose: int = 0) -> Any:
        """The model's outputs on the inputs from a generator or `keras.utils.Sequence`
        yielding ``x`` or ``(x, y[, sample_weight])`` batches, concatenated (numpy)."""
        _check_workers(max_queue_size, workers)
        return self.predict(generator, steps=steps, callbacks=callbacks, verbose=verbose)


class _GeneratorSource:
    """Batches from a Python generator / iterator or a `keras.utils.Sequence`, as
    ``((xs, ys, sample_weights), slice(None), size)``, `steps` of them per pass."""

    loss_by_steps = True

    def __init__(self, data: Any, steps: Optional[int], what: str, shuffle: Any,
                 inputs_only: bool = False) -> None:
        from flowgraph.keras.utils import Sequence
        self.sequence = data if isinstance(data, Sequence) else None
        if steps is None:
            if self.sequence is None:
                raise ValueError(f"Please specify the number of steps via the `{what}` "
                                 "argument: a generator has no length (only a "
                                 "keras.utils.Sequence does).")
            steps = len(self.sequence)
        if int(steps) < 1:
            raise ValueError(f"`{what}` must be a positive number of batches, got {steps}")
        self.steps = int(steps)
        self.what = what
        self.shuffle = bool(shuffle)
        self.inputs_only = inputs_only
        self.stream = data
        self.order: list = []
        self.position = 0

    def _next(self) -> Any:
        seq = self.sequence
        if seq is None:
            return next(self.stream)
        if self.position == 0:
            self.order = list(range(len(seq)))
            if self.shuffle:
                random.shuffle(self.order)  # as TF 1.15's OrderedEnqueuer
        value = seq[self.order[self.position]]
        self.position += 1
        return value

    def _after_batch(self) -> None:
        if self.sequence is not None and self.position >= len(self.sequence):
            self.position = 0
            self.sequence.on_epoch_end()

    def batches(self, model: Model, class_weight: Any) -> Any:
        for _ in range(self.steps):
            try:
                value = self._next()
            except StopIteration:
                warnings.warn(f"Your generator ran out of data; interrupting: it should "
                              f"provide `{self.what}`={self.steps} batches per pass.",
                              stacklevel=3)
                model.stop_training = True
                return
            yield from self._prepared(model, value, class_weight)
            self._after_batch()

    def _prepared(self, model: Model, value: Any, class_weight: Any) -> Any:
        """The one prepared batch of a generator output, as a one-item generator."""
        if self.inputs_only:
            bx = value[0] if isinstance(value, tuple) and len(value) in (2, 3) else value
            model._ensure_built(bx)
            xs = model._standardize(bx, model.input_names, model.inputs, "input")
            yield (xs, [], []), slice(None), len(xs[0])
            return
        if not isinstance(value, (tuple, list)) or len(value) not in (2, 3):
            raise ValueError("Output of generator should be a tuple `(x, y, sample_weight)` "
                             f"or `(x, y)`. Found: {type(value).__name__} "
                             f"{_describe(value)}")
        bsw = value[2] if len(value) == 3 else None
        data = model._prepare(value[0], value[1], bsw, class_weight)
        yield data, slice(None), len(data[0][0])


def _describe(value: Any) -> str:
    if isinstance(value, (tuple, list)):
        return f"of length {len(value)}"
    return f"with shape {getattr(value, 'shape', '?')}"


def _is_generator_like(data: Any) -> bool:
    """A Python generator, a `keras.utils.Sequence`, or an iterator (``__next__``) that is
    not a flowgraph Dataset iterator."""
    from flowgraph.keras.utils import Sequence
    if isinstance(data, Sequence) or inspect.isgenerator(data):
        return True
    return hasattr(data, "__next__") and hasattr(data, "__iter__") and not _is_symbolic(data)


def _check_generator_args(y: Any, sample_weight: Any, validation_split: Any) -> None:
    if y is not None:
        raise ValueError("`y` argument is not supported when data is a generator or "
                         "Sequence instance. Instead pass targets as the second element of "
                         "the generator.")
    if sample_weight is not None:
        raise ValueError("`sample_weight` argument is not supported when data is a generator "
                         "or Sequence instance. Instead pass sample weights as the third "
                         "element of the generator.")
    if validation_split:
        raise ValueError("If your data is in the form of a Python generator, you cannot use "
                         "`validation_split`.")


def _check_workers(max_queue_size: Any, workers: Any) -> None:
    if not isinstance(workers, int) or workers < 0:
        raise ValueError(f"workers must be a non-negative integer, got {workers!r}")
    if not isinstance(max_queue_size, int) or max_queue_size < 1:
        raise ValueError(f"max_queue_size must be a positive integer, got {max_queue_size!r}")


class _ArraySource:
    """Batches of prepared numpy arrays: ``((xs, ys, sample_weights), index, size)``."""

    def __init__(self, model: Model, xs: list, ys: list, sws: list, batch_size: int,
                 shuffle: Any) -> None:
        self.data = (xs, ys, sws)
        self.num = len(xs[0]) if xs else 0
        self.batch_size = batch_size
        self.shuffle = shuffle

    def batches(self, model: Model, class_weight: Any) -> Any:
        num, size = self.num, self.batch_size
        order = np.arange(num)
        if self.shuffle == "batch":
            starts = np.arange(0, num, size)
            np.random.shuffle(starts)
            order = np.concatenate([np.arange(b, min(b + size, num)) for b in starts]) \
                if num else order
        elif self.shuffle:
            np.random.shuffle(order)
        for start in range(0, num, size):
            index = order[start:start + size] if self.shuffle else slice(start, start + size)
            yield self.data, index, min(size, num - start)


class _SymbolicSource:
    """Batches read from a `Dataset` (re-initialized each pass when no step count is
    given) or an iterator, in the Keras Session, then fed like numpy batches."""

    loss_by_steps = True  # TF 1.15 averages the loss of Dataset inputs over the steps

    def __init__(self, data: Any, steps: Optional[int], what: str,
                 inputs_only: bool = False) -> None:
        from flowgraph.data.dataset import Dataset
        from flowgraph.graph import get_default_graph
        self.steps = steps
        self.what = what
        self.inputs_only = inputs_only
        with get_default_graph().as_default():
            if isinstance(data, Dataset):
                self.iterator = data.make_initializable_iterator()
                self.restart = True
            else:
                if steps is None:
                    raise ValueError(f"When using an iterator as input to a model, you "
                                     f"should specify the `{what}` argument.")
                self.iterator = data
                self.restart = False
            self.next = self.iterator.get_next()
        self.started = False

    def batches(self, model: Model, class_weight: Any) -> Any:
        from flowgraph.errors import OutOfRangeError
        session = backend.get_session()
        if self.restart and (self.steps is None or not self.started):
            session.run(self.iterator.initializer)
        self.started = True
        count = 0
        while self.steps is None or count < self.steps:
            try:
                value = session.run(self.next)
            except OutOfRangeError:
                if self.steps is None and count:
                    return
                raise ValueError(f"Your dataset ran out of data after {count} steps; it "
                                 f"should provide `{self.what}`="
                                 f"{self.steps if self.steps is not None else 'at least 1'} "
                                 "batches (use dataset.repeat()).") from None
            count += 1
            if self.inputs_only:
                bx = value[0] if isinstance(value, tuple) and len(value) in (2, 3) \
                    else value
                model._ensure_built(bx)
                xs = model._standardize(bx, model.input_names, model.inputs, "input")
                yield (xs, [], []), slice(None), len(xs[0])
                continue
            if not isinstance(value, tuple) or len(value) not in (2, 3):
                raise ValueError("A Dataset given to fit/evaluate must yield (x, y) or "
                                 "(x, y, sample_weight) tuples.")
            bsw = value[2] if len(value) == 3 else None
            data = model._prepare(value[0], value[1], bsw, class_weight)
            yield data, slice(None), len(data[0][0])


class _TensorSource:
    """`steps` empty batches, for a model whose inputs and targets are tensors: only the
    sample weights are fed (ones, broadcast over the batch)."""

    loss_by_steps = True

    def __init__(self, model: Model, steps: Any, what: str) -> None:
        if steps is None or int(steps) < 1:
            raise ValueError(f"`{what}` must be a positive number of batches when the model "
                             f"is fed by tensors, got {steps}")
        self.steps = int(steps)
        self.num = None
        self.weights = []
        if model._compiled:
            temporal = model._compile_args.get("sample_weight_mode") == "temporal"
            for target, sw in zip(model._targets, model._sample_weights):
                if target is not None:
                    dtype = sw.dtype.base_dtype.as_numpy_dtype
                    self.weights.append(np.ones((1, 1) if temporal else (1,), dtype=dtype))

    def batches(self, model: Model, class_weight: Any) -> Any:
        if class_weight is not None:
            raise ValueError("class_weight needs the targets as numpy arrays; the model's "
                             "targets are tensors (compile(target_tensors=...)).")
        for _ in range(self.steps):
            yield ([], [None] * len(self.weights), self.weights), slice(None), 1


def _is_symbolic(data: Any) -> bool:
    from flowgraph.data.dataset import Dataset
    from flowgraph.data.iterator import Iterator
    return isinstance(data, (Dataset, Iterator))


def _check_symbolic(y: Any, sample_weight: Any, where: str) -> None:
    if y is not None:
        raise ValueError(f"`y` argument is not supported when using dataset as input "
                         f"({where}): the Dataset yields (x, y) pairs.")
    if sample_weight is not None:
        raise ValueError(f"`sample_weight` argument is not supported when using dataset as "
                         f"input ({where}): yield (x, y, sample_weight) from the Dataset.")


def _check_mask_rank(mask: Any, values: Any, output_name: str) -> None:
    """The mask of an output must have the rank of its per-sample (per-step) losses."""
    if mask.shape.ndims is not None and values.shape.ndims is not None \
            and mask.shape.ndims != values.shape.ndims:
        raise ValueError(f"The Keras mask of output {output_name!r} has shape {mask.shape}, "
                         f"but its loss gives values of shape {values.shape}: the mask must "
                         "have one entry per loss value (e.g. [batch, time] for a sequence "
                         "output). Drop the mask (a layer that does not propagate it) or "
                         "return the whole sequence.")


def _metric_weights(sample_weight: Any, output: Any) -> Any:
    """The metric weights of `output`: its Keras mask (as floats) times `sample_weight`
    (TF 1.15's ``call_metric_function``), or `sample_weight` alone without a mask."""
    from flowgraph.keras.masks import get_mask
    from flowgraph.ops import math as fg_math
    from flowgraph.ops.cast import cast
    from flowgraph.ops.shape_ops import reshape
    mask = get_mask(output)
    if mask is None:
        return sample_weight
    mask = cast(mask, output.dtype.base_dtype)
    if sample_weight is None:
        return mask
    sample_weight = cast(sample_weight, output.dtype.base_dtype)
    if sample_weight.shape.ndims == 1 and mask.shape.ndims == 2:
        sample_weight = reshape(sample_weight, [-1, 1])
    return fg_math.multiply(sample_weight, mask)


def _is_stateful(metric: Any) -> bool:
    return all(hasattr(metric, a) for a in ("update_state", "result", "reset_states"))


def _should_validate(epoch: int, freq: Any) -> bool:
    if isinstance(freq, int):
        if freq < 1:
            raise ValueError("validation_freq must be a positive integer or a list of "
                             f"epochs, got {freq}")
        return (epoch + 1) % freq == 0
    return (epoch + 1) in freq


def _print_train_info(count: int, val_count: Any, unit: str, val: Any) -> None:
    """TF 1.15's ``Train on 80 samples, validate on 20 samples`` line of `fit`."""
    if val_count is None and isinstance(val, _ArraySource):
        val_count = val.num
    message = f"Train on {count} {unit}"
    if val is not None and val_count:
        message += f", validate on {val_count} {unit}"
    print(message)
