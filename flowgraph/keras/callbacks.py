"""`tf.keras.callbacks` as TF 1.15: hooks that `fit`, `evaluate` and `predict` call at the
start and end of training, of each epoch and of each batch."""

from __future__ import annotations

import csv
import math
import os
from typing import Any, Callable, Optional

import numpy as np

__all__ = ["Callback", "CallbackList", "BaseLogger", "History", "ProgbarLogger",
           "EarlyStopping", "ModelCheckpoint", "LearningRateScheduler", "ReduceLROnPlateau",
           "TerminateOnNaN", "CSVLogger", "LambdaCallback", "TensorBoard"]


class Callback:
    """The base of callbacks: every hook does nothing; `model` and `params` are set by
    the training loop."""

    def __init__(self) -> None:
        self.validation_data = None
        self.model: Any = None
        self.params: dict = {}

    def set_params(self, params: dict) -> None:
        self.params = params

    def set_model(self, model: Any) -> None:
        self.model = model

    def on_batch_begin(self, batch: int, logs: Optional[dict] = None) -> None:
        """Called at the start of a training batch (as `on_train_batch_begin`)."""

    def on_batch_end(self, batch: int, logs: Optional[dict] = None) -> None:
        """Called at the end of a training batch (as `on_train_batch_end`)."""

    def on_epoch_begin(self, epoch: int, logs: Optional[dict] = None) -> None:
        """Called at the start of an epoch of `fit`."""

    def on_epoch_end(self, epoch: int, logs: Optional[dict] = None) -> None:
        """Called at the end of an epoch with its logs (loss, metrics, val_ ones)."""

    def on_train_batch_begin(self, batch: int, logs: Optional[dict] = None) -> None:
        self.on_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch: int, logs: Optional[dict] = None) -> None:
        self.on_batch_end(batch, logs=logs)

    def on_test_batch_begin(self, batch: int, logs: Optional[dict] = None) -> None:
        """Called at the start of a batch of `evaluate`."""

    def on_test_batch_end(self, batch: int, logs: Optional[dict] = None) -> None:
        """Called at the end of a batch of `evaluate`."""

    def on_predict_batch_begin(self, batch: int, logs: Optional[dict] = None) -> None:
        """Called at the start of a batch of `predict`."""

    def on_predict_batch_end(self, batch: int, logs: Optional[dict] = None) -> None:
        """Called at the end of a batch of `predict`."""

    def on_train_begin(self, logs: Optional[dict] = None) -> None:
        """Called at the start of `fit`."""

    def on_train_end(self, logs: Optional[dict] = None) -> None:
        """Called at the end of `fit`."""

    def on_test_begin(self, logs: Optional[dict] = None) -> None:
        """Called at the start of `evaluate`."""

    def on_test_end(self, logs: Optional[dict] = None) -> None:
        """Called at the end of `evaluate`."""

    def on_predict_begin(self, logs: Optional[dict] = None) -> None:
        """Called at the start of `predict`."""

    def on_predict_end(self, logs: Optional[dict] = None) -> None:
        """Called at the end of `predict`."""


_HOOKS = ("on_batch_begin", "on_batch_end", "on_epoch_begin", "on_epoch_end",
          "on_train_batch_begin", "on_train_batch_end", "on_test_batch_begin",
          "on_test_batch_end", "on_predict_batch_begin", "on_predict_batch_end",
          "on_train_begin", "on_train_end", "on_test_begin", "on_test_end",
          "on_predict_begin", "on_predict_end")


class CallbackList:
    """Calls each hook on every callback, in order."""

    def __init__(self, callbacks: Any = None) -> None:
        self.callbacks = list(callbacks or [])
        for callback in self.callbacks:
            if not isinstance(callback, Callback):
                raise TypeError(f"callbacks must be tf.keras.callbacks.Callback instances, "
                                f"got {callback!r}")

    def append(self, callback: Callback) -> None:
        self.callbacks.append(callback)

    def set_params(self, params: dict) -> None:
        for callback in self.callbacks:
            callback.set_params(params)

    def set_model(self, model: Any) -> None:
        for callback in self.callbacks:
            callback.set_model(model)

    def __getattr__(self, name: str) -> Callable:
        if name not in _HOOKS:
            raise AttributeError(name)

        indexed = "batch" in name or "epoch" in name

        def hook(*args: Any, **kwargs: Any) -> None:
            # Keras always hands callbacks a logs dict (empty when the loop has none).
            args = list(args)
            if indexed:
                index = args.pop(0) if args else kwargs.pop("batch", kwargs.pop("epoch", 0))
            logs = args[0] if args else kwargs.get("logs")
            logs = {} if logs is None else logs
            for callback in self.callbacks:
                if indexed:
                    getattr(callback, name)(index, logs)
                else:
                    getattr(callback, name)(logs)
        return hook

    def __iter__(self) -> Any:
        return iter(self.callbacks)


class BaseLogger(Callback):
    """Averages the batch values of the loss and metrics over each epoch (weighted by the
    batch sizes) into the epoch logs, for the keys the loop did not fill."""

    def __init__(self, stateful_metrics: Any = None) -> None:
        super().__init__()
        self.stateful_metrics = set(stateful_metrics or [])

    def on_epoch_begin(self, epoch: int, logs: Optional[dict] = None) -> None:
        self.seen = 0
        self.totals: dict = {}

    def on_batch_end(self, batch: int, logs: Optional[dict] = None) -> None:
        logs = logs or {}
        size = logs.get("size", 0)
        self.seen += size
        for key, value in logs.items():
            if key in ("batch", "size"):
                continue
            if key in self.stateful_metrics:
                self.totals[key] = value
            else:
                self.totals[key] = self.totals.get(key, 0.) + value * size

    def on_epoch_end(self, epoch: int, logs: Optional[dict] = None) -> None:
        if logs is None:
            return
        for key in self.params.get("metrics", []):
            if key in self.totals and key not in logs:
                if key in self.stateful_metrics:
                    logs[key] = self.totals[key]
                else:
                    logs[key] = self.totals[key] / self.seen


class History(Callback):
    """Records the epoch logs: ``history.history['loss']`` is the list of epoch losses."""

    def on_train_begin(self, logs: Optional[dict] = None) -> None:
        self.epoch: list = []
        self.history: dict = {}

    def on_epoch_end(self, epoch: int, logs: Optional[dict] = None) -> None:
        logs = logs or {}
        self.epoch.append(epoch)
        for key, value in logs.items():
            self.history.setdefault(key, []).append(value)


class ProgbarLogger(Callback):
    """Prints the progress as TF 1.15: ``Epoch i/n`` (when there are several epochs), then
    a `Progbar` of the samples (or steps) seen with the loss (its mean so far) and the
    metrics (their values, already accumulated over the epoch; the names in
    `stateful_metrics`), ending with the epoch logs (``val_`` ones included)."""

    def __init__(self, count_mode: str = "samples", stateful_metrics: Any = None) -> None:
        super().__init__()
        if count_mode not in ("samples", "steps"):
            raise ValueError(f"Unknown `count_mode`: {count_mode}")
        self.use_steps = count_mode == "steps"
        self.stateful_metrics = set(stateful_metrics) if stateful_metrics else set()
        self.seen = 0
        self.target: Any = None
        self.log_values: list = []
        self.progbar: Any = None
        self.verbose = 0
        self.epochs = 1

    def on_train_begin(self, logs: Optional[dict] = None) -> None:
        self.verbose = self.params.get("verbose", 0)
        self.epochs = self.params.get("epochs", 1)

    def on_epoch_begin(self, epoch: int, logs: Optional[dict] = None) -> None:
        from flowgraph.keras.generic_utils import Progbar
        self.seen = 0
        self.target = self.params.get("steps" if self.use_steps else "samples")
        if self.verbose and self.epochs > 1:
            print(f"Epoch {epoch + 1}/{self.epochs}")
        self.progbar = Progbar(target=self.target, verbose=self.verbose,
                               stateful_metrics=self.stateful_metrics,
                               unit_name="step" if self.use_steps else "sample")

    def on_batch_begin(self, batch: int, logs: Optional[dict] = None) -> None:
        if self.target is None or self.seen < self.target:
            self.log_values = []

    def on_batch_end(self, batch: int, logs: Optional[dict] = None) -> None:
        logs = logs or {}
        self.seen += 1 if self.use_steps else logs.get("size", 0)
        for key in self.params.get("metrics", []):
            if key in logs:
                self.log_values.append((key, logs[key]))
        # the last batch is shown by on_epoch_end, with the epoch logs
        if self.verbose and (self.target is None or self.seen < self.target):
            self.progbar.update(self.seen, self.log_values)

    def on_epoch_end(self, epoch: int, logs: Optional[dict] = None) -> None:
        logs = logs or {}
        for key in self.params.get("metrics", []):
            if key in logs:
                self.log_values.append((key, logs[key]))
        if self.verbose:
            if self.progbar.target is None:
                # a Dataset read to its end: its length is known now
                self.progbar.target = self.seen
            self.progbar.update(self.seen, self.log_values)


class _Monitor(Callback):
    """Shared `monitor` / `mode` handling."""

    def _set_mode(self, mode: str, cls: str) -> None:
        if mode not in ("auto", "min", "max"):
            import warnings
            warnings.warn(f"{cls} mode {mode} is unknown, fallback to auto mode.",
                          stacklevel=2)
            mode = "auto"
        if mode == "min" or (mode == "auto" and not ("acc" in self.monitor or
                                                      self.monitor.startswith("fmeasure"))):
            self.monitor_op = np.less
        else:
            self.monitor_op = np.greater


class EarlyStopping(_Monitor):
    """Stops training when `monitor` has not improved by more than `min_delta` for
    `patience` epochs; optionally restores the best epoch's weights."""

    def __init__(self, monitor: str = "val_loss", min_delta: float = 0, patience: int = 0,
                 verbose: int = 0, mode: str = "auto", baseline: Optional[float] = None,
                 restore_best_weights: bool = False) -> None:
        super().__init__()
        self.monitor = monitor
        self.patience = patience
        self.verbose = verbose
        self.baseline = baseline
        self.min_delta = abs(min_delta)
        self.wait = 0
        self.stopped_epoch = 0
        self.restore_best_weights = restore_best_weights
        self.best_weights = None
        self._set_mode(mode, "EarlyStopping")
        if self.monitor_op == np.greater:
            self.min_delta *= 1
        else:
            self.min_delta *= -1

    def on_train_begin(self, logs: Optional[dict] = None) -> None:
        self.wait = 0
        self.stopped_epoch = 0
        if self.baseline is not None:
            self.best = self.baseline
        else:
            self.best = np.inf if self.monitor_op == np.less else -np.inf

    def on_epoch_end(self, epoch: int, logs: Optional[dict] = None) -> None:
        current = (logs or {}).get(self.monitor)
        if current is None:
            import warnings
            warnings.warn(f"Early stopping conditioned on metric `{self.monitor}` which is "
                          f"not available. Available metrics are: "
                          f"{','.join(list((logs or {}).keys()))}", stacklevel=2)
            return
        if self.monitor_op(current - self.min_delta, self.best):
            self.best = current
            self.wait = 0
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
        else:
            self.wait += 1
            if self.wait >= self.patience:
                self.stopped_epoch = epoch
                self.model.stop_training = True
                if self.restore_best_weights and self.best_weights is not None:
                    if self.verbose > 0:
                        print("Restoring model weights from the end of the best epoch.")
                    self.model.set_weights(self.best_weights)

    def on_train_end(self, logs: Optional[dict] = None) -> None:
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1:05d}: early stopping")


class ModelCheckpoint(_Monitor):
    """Saves the model (``model.save``; with `save_weights_only`, ``model.save_weights``)
    after every `period` epochs to `filepath` formatted with ``epoch`` (1-based) and the
    logs (``'w.{epoch:02d}-{val_loss:.2f}.h5'``)."""

    def __init__(self, filepath: str, monitor: str = "val_loss", verbose: int = 0,
                 save_best_only: bool = False, save_weights_only: bool = False,
                 mode: str = "auto", period: int = 1) -> None:
        super().__init__()
        self.monitor = monitor
        self.verbose = verbose
        self.filepath = filepath
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.period = period
        self.epochs_since_last_save = 0
        self._set_mode(mode, "ModelCheckpoint")
        self.best = np.inf if self.monitor_op == np.less else -np.inf

    def on_epoch_end(self, epoch: int, logs: Optional[dict] = None) -> None:
        logs = logs or {}
        self.epochs_since_last_save += 1
        if self.epochs_since_last_save < self.period:
            return
        self.epochs_since_last_save = 0
        filepath = self.filepath.format(epoch=epoch + 1, **logs)
        if self.save_best_only:
            current = logs.get(self.monitor)
            if current is None:
                import warnings
                warnings.warn(f"Can save best model only with {self.monitor} available, "
                              "skipping.", stacklevel=2)
                return
            if not self.monitor_op(current, self.best):
                if self.verbose > 0:
                    print(f"\nEpoch {epoch + 1:05d}: {self.monitor} did not improve from "
                          f"{self.best:0.5f}")
                return
            if self.verbose > 0:
                print(f"\nEpoch {epoch + 1:05d}: {self.monitor} improved from "
                      f"{self.best:0.5f} to {current:0.5f}, saving model to {filepath}")
            self.best = current
        elif self.verbose > 0:
            print(f"\nEpoch {epoch + 1:05d}: saving model to {filepath}")
        if self.save_weights_only:
            self.model.save_weights(filepath, overwrite=True)
        else:
            self.model.save(filepath, overwrite=True)


def _lr_variable(model: Any) -> Any:
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None or not hasattr(optimizer, "lr"):
        raise ValueError('Optimizer must have a "lr" attribute.')
    return optimizer.lr


class LearningRateScheduler(Callback):
    """Sets the learning rate at the start of each epoch to ``schedule(epoch)`` (or
    ``schedule(epoch, lr)``)."""

    def __init__(self, schedule: Callable, verbose: int = 0) -> None:
        super().__init__()
        self.schedule = schedule
        self.verbose = verbose

    def on_epoch_begin(self, epoch: int, logs: Optional[dict] = None) -> None:
        from flowgraph.keras import backend as K
        lr_var = _lr_variable(self.model)
        try:
            lr = self.schedule(epoch, float(K.get_value(lr_var)))
        except TypeError:
            lr = self.schedule(epoch)
        if not isinstance(lr, (float, np.float32, np.float64, int)):
            raise ValueError('The output of the "schedule" function should be float.')
        K.set_value(lr_var, lr)
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1:05d}: LearningRateScheduler reducing learning rate "
                  f"to {lr}.")

    def on_epoch_end(self, epoch: int, logs: Optional[dict] = None) -> None:
        from flowgraph.keras import backend as K
        if logs is not None:
            logs["lr"] = K.get_value(_lr_variable(self.model))  # numpy, as TF 1.15


class ReduceLROnPlateau(_Monitor):
    """Multiplies the learning rate by `factor` when `monitor` has not improved for
    `patience` epochs (not below `min_lr`; then waits `cooldown` epochs)."""

    def __init__(self, monitor: str = "val_loss", factor: float = 0.1, patience: int = 10,
                 verbose: int = 0, mode: str = "auto", min_delta: float = 1e-4,
                 cooldown: int = 0, min_lr: float = 0, **kwargs: Any) -> None:
        super().__init__()
        self.monitor = monitor
        if factor >= 1.0:
            raise ValueError("ReduceLROnPlateau does not support a factor >= 1.0.")
        if "epsilon" in kwargs:
            min_delta = kwargs.pop("epsilon")
        if kwargs:
            raise TypeError(f"Unexpected keyword arguments: {sorted(kwargs)}")
        self.factor = factor
        self.min_lr = min_lr
        self.min_delta = min_delta
        self.patience = patience
        self.verbose = verbose
        self.cooldown = cooldown
        self.mode = mode
        self._reset()

    def _reset(self) -> None:
        if self.mode not in ("auto", "min", "max"):
            self.mode = "auto"
        if self.mode == "min" or (self.mode == "auto" and "acc" not in self.monitor):
            self.monitor_op = lambda a, b: np.less(a, b - self.min_delta)
            self.best = np.inf
        else:
            self.monitor_op = lambda a, b: np.greater(a, b + self.min_delta)
            self.best = -np.inf
        self.cooldown_counter = 0
        self.wait = 0

    def on_train_begin(self, logs: Optional[dict] = None) -> None:
        self._reset()

    def on_epoch_end(self, epoch: int, logs: Optional[dict] = None) -> None:
        from flowgraph.keras import backend as K
        logs = logs if logs is not None else {}
        lr_var = _lr_variable(self.model)
        logs["lr"] = K.get_value(lr_var)  # numpy, as TF 1.15
        current = logs.get(self.monitor)
        if current is None:
            import warnings
            warnings.warn(f"Reduce LR on plateau conditioned on metric `{self.monitor}` "
                          f"which is not available. Available metrics are: "
                          f"{','.join(list(logs.keys()))}", stacklevel=2)
            return
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        if self.monitor_op(current, self.best):
            self.best = current
            self.wait = 0
        elif self.cooldown_counter <= 0:
            self.wait += 1
            if self.wait >= self.patience:
                old_lr = float(K.get_value(lr_var))
                if old_lr > self.min_lr:
                    new_lr = max(old_lr * self.factor, self.min_lr)
                    K.set_value(lr_var, new_lr)
                    if self.verbose > 0:
                        print(f"\nEpoch {epoch + 1:05d}: ReduceLROnPlateau reducing "
                              f"learning rate to {new_lr}.")
                    self.cooldown_counter = self.cooldown
                    self.wait = 0


class TerminateOnNaN(Callback):
    """Stops training when a batch loss is NaN or infinite."""

    def on_batch_end(self, batch: int, logs: Optional[dict] = None) -> None:
        loss = (logs or {}).get("loss")
        if loss is not None and (math.isnan(loss) or math.isinf(loss)):
            print(f"Batch {batch}: Invalid loss, terminating training")
            self.model.stop_training = True


class CSVLogger(Callback):
    """Writes one CSV row per epoch: ``epoch`` then the logs' keys in sorted order."""

    def __init__(self, filename: str, separator: str = ",", append: bool = False) -> None:
        super().__init__()
        self.sep = separator
        self.filename = filename
        self.append = append
        self.keys: Optional[list] = None
        self.csv_file: Any = None
        self.writer: Any = None

    def on_train_begin(self, logs: Optional[dict] = None) -> None:
        exists = self.append and os.path.exists(self.filename)
        self.append_header = not exists
        self.csv_file = open(self.filename, "a" if self.append else "w", newline="")
        self.writer = None
        self.keys = None

    def on_epoch_end(self, epoch: int, logs: Optional[dict] = None) -> None:
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs.keys())
        if self.writer is None:
            self.writer = csv.DictWriter(self.csv_file, fieldnames=["epoch"] + self.keys,
                                         delimiter=self.sep)
            if self.append_header:
                self.writer.writeheader()
        row = {"epoch": epoch}
        row.update((key, _csv_value(logs.get(key, "NA"))) for key in self.keys)
        self.writer.writerow(row)
        self.csv_file.flush()

    def on_train_end(self, logs: Optional[dict] = None) -> None:
        if self.csv_file is not None:
            self.csv_file.close()
        self.writer = None


def _csv_value(value: Any) -> Any:
    """TF 1.15's CSVLogger cell: a list or array (not 0-d) as ``"[1, 2]"``."""
    if isinstance(value, str) or (isinstance(value, np.ndarray) and value.ndim == 0):
        return value
    if isinstance(value, (list, tuple, np.ndarray)):
        joined = ", ".join(map(str, value))
        return f'"[{joined}]"'
    return value


class LambdaCallback(Callback):
    """A callback from functions: ``on_epoch_begin(epoch, logs)``, ``on_epoch_end(epoch,
    logs)``, ``on_batch_begin(batch, logs)``, ``on_batch_end(batch, logs)``,
    ``on_train_begin(logs)``, ``on_train_end(logs)``."""

    def __init__(self, on_epoch_begin: Optional[Callable] = None,
                 on_epoch_end: Optional[Callable] = None,
                 on_batch_begin: Optional[Callable] = None,
                 on_batch_end: Optional[Callable] = None,
                 on_train_begin: Optional[Callable] = None,
                 on_train_end: Optional[Callable] = None, **kwargs: Any) -> None:
        super().__init__()
        self.__dict__.update(kwargs)
        given = dict(on_epoch_begin=on_epoch_begin, on_epoch_end=on_epoch_end,
                     on_batch_begin=on_batch_begin, on_batch_end=on_batch_end,
                     on_train_begin=on_train_begin, on_train_end=on_train_end)
        for hook, fn in given.items():
            if fn is not None:
                setattr(self, hook, fn)
            else:
                setattr(self, hook, _noop)


def _noop(*args: Any, **kwargs: Any) -> None:
    return None


class TensorBoard(Callback):
    """Writes the epoch logs as scalar summaries (tags ``loss``, ``val_loss``...)
    to an event file in `log_dir` with flowgraph's summary FileWriter; with
    ``write_graph=True`` the graph too."""

    def __init__(self, log_dir: str = "./logs", histogram_freq: int = 0,
                 batch_size: int = 32, write_graph: bool = True, write_grads: bool = False,
                 write_images: bool = False, embeddings_freq: int = 0,
                 embeddings_layer_names: Any = None, embeddings_metadata: Any = None,
                 embeddings_data: Any = None, update_freq: Any = "epoch",
                 profile_batch: int = 2) -> None:
        super().__init__()
        if histogram_freq or embeddings_freq or write_grads or write_images:
            raise ValueError("flowgraph's TensorBoard callback writes scalars (and the "
                             "graph) only: histogram_freq, write_grads, write_images and "
                             "embeddings_freq must be left at their defaults.")
        self.log_dir = log_dir
        self.write_graph = write_graph
        self.writer: Any = None

    def set_model(self, model: Any) -> None:
        from flowgraph.summary.writer import FileWriter
        self.model = model
        if self.writer is None:
            graph = model.outputs[0].graph if self.write_graph and getattr(
                model, "outputs", None) else None
            self.writer = FileWriter(self.log_dir, graph=graph)

    def on_epoch_end(self, epoch: int, logs: Optional[dict] = None) -> None:
        from flowgraph.summary.protos import Summary
        logs = logs or {}
        summary = Summary()
        for key, value in logs.items():
            if key in ("batch", "size"):
                continue
            entry = summary.value.add()
            entry.tag = key
            entry.simple_value = float(value)
        self.writer.add_summary(summary, epoch)
        self.writer.flush()

    def on_train_end(self, logs: Optional[dict] = None) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None
