"""`fg.estimator.RunConfig`: where and how often an Estimator saves, logs and summarizes,
as TF1's `tf.estimator.RunConfig`."""

import json
import os
from typing import Any, Callable, Optional

__all__ = ["RunConfig", "TaskType"]

_USE_DEFAULT = object()
_DEFAULT_SAVE_CHECKPOINTS_SECS = 600

_DEFAULT_REPLACEABLE_PROPERTIES = [
    "model_dir", "tf_random_seed", "save_summary_steps", "save_checkpoints_steps",
    "save_checkpoints_secs", "session_config", "keep_checkpoint_max",
    "keep_checkpoint_every_n_hours", "log_step_count_steps", "train_distribute", "device_fn",
    "protocol", "eval_distribute", "experimental_distribute",
    "experimental_max_worker_delay_secs", "session_creation_timeout_secs",
]


class TaskType:
    """The roles of the tasks of a cluster (TF1's names)."""

    MASTER = "master"
    PS = "ps"
    WORKER = "worker"
    CHIEF = "chief"
    EVALUATOR = "evaluator"


class RunConfig:
    """How an Estimator runs: model_dir, seeds, checkpoint and summary frequencies.

    Parameters
    ----------
    model_dir : str, optional
        Where checkpoints, summaries and evaluation results go.
    tf_random_seed : int, optional
        The graph-level random seed of every graph the Estimator builds.
    save_summary_steps : int
        Write summaries every this many steps (0 or None: never). Default 100.
    save_checkpoints_steps, save_checkpoints_secs : int, optional
        Save a checkpoint every this many steps or seconds; at most one may be set. When
        neither is given, every 600 seconds. Both None: no periodic checkpoints.
    session_config : ConfigProto, optional
    keep_checkpoint_max : int
        How many recent checkpoints to keep (0 or None: all). Default 5.
    keep_checkpoint_every_n_hours : float
        Also keep one checkpoint per this many hours. Default 10000.
    log_step_count_steps : int
        Log the loss and steps/sec every this many steps. Default 100.
    train_distribute, device_fn, protocol, eval_distribute, experimental_distribute,
    experimental_max_worker_delay_secs, session_creation_timeout_secs
        Accepted for TF1 compatibility; flowgraph runs in one process.
    """

    def __init__(self, model_dir: Optional[str] = None, tf_random_seed: Optional[int] = None,
                 save_summary_steps: int = 100, save_checkpoints_steps: Any = _USE_DEFAULT,
                 save_checkpoints_secs: Any = _USE_DEFAULT, session_config: Any = None,
                 keep_checkpoint_max: int = 5, keep_checkpoint_every_n_hours: float = 10000,
                 log_step_count_steps: int = 100, train_distribute: Any = None,
                 device_fn: Optional[Callable] = None, protocol: Optional[str] = None,
                 eval_distribute: Any = None, experimental_distribute: Any = None,
                 experimental_max_worker_delay_secs: Optional[int] = None,
                 session_creation_timeout_secs: int = 7200) -> None:
        if save_checkpoints_steps == _USE_DEFAULT and save_checkpoints_secs == _USE_DEFAULT:
            save_checkpoints_steps = None
            save_checkpoints_secs = _DEFAULT_SAVE_CHECKPOINTS_SECS
        elif save_checkpoints_secs == _USE_DEFAULT:
            save_checkpoints_secs = None
        elif save_checkpoints_steps == _USE_DEFAULT:
            save_checkpoints_steps = None
        elif save_checkpoints_steps is not None and save_checkpoints_secs is not None:
            raise ValueError("Can not provide both save_checkpoints_steps and "
                             "save_checkpoints_secs.")
        tf_config = _tf_config()
        if model_dir is None:
            model_dir = tf_config.get("model_dir")
        elif tf_config.get("model_dir") not in (None, model_dir):
            raise ValueError(
                "`model_dir` provided in RunConfig construct, if set, must have the same "
                f"value as the model_dir in TF_CONFIG. model_dir: {model_dir}\nTF_CONFIG "
                f"[\"model_dir\"]: {tf_config.get('model_dir')}.\n")
        self._model_dir = _clean_model_dir(model_dir)
        self._tf_random_seed = tf_random_seed
        self._save_summary_steps = save_summary_steps
        self._save_checkpoints_steps = save_checkpoints_steps
        self._save_checkpoints_secs = save_checkpoints_secs
        self._session_config = session_config
        self._keep_checkpoint_max = keep_checkpoint_max
        self._keep_checkpoint_every_n_hours = keep_checkpoint_every_n_hours
        self._log_step_count_steps = log_step_count_steps
        self._train_distribute = train_distribute
        self._device_fn = device_fn
        self._protocol = protocol
        self._eval_distribute = eval_distribute
        self._experimental_distribute = experimental_distribute
        self._experimental_max_worker_delay_secs = experimental_max_worker_delay_secs
        self._session_creation_timeout_secs = session_creation_timeout_secs
        self._init_cluster(tf_config)
        _validate_properties(self)

    def _init_cluster(self, tf_config: dict) -> None:
        task = tf_config.get("task", {}) or {}
        cluster = tf_config.get("cluster", {}) or {}
        self._cluster_spec = cluster
        self._task_type = task.get("type", TaskType.WORKER)
        self._task_id = int(task.get("index", 0))
        self._evaluation_master = ""
        self._master = ""
        self._num_ps_replicas = len(cluster.get(TaskType.PS, []))
        workers = len(cluster.get(TaskType.WORKER, [])) + len(cluster.get(TaskType.CHIEF, []))
        self._num_worker_replicas = max(workers, 1)
        if cluster:
            self._is_chief = self._task_type == TaskType.CHIEF or (
                TaskType.CHIEF not in cluster and self._task_type == TaskType.WORKER
                and self._task_id == 0)
        else:
            self._is_chief = self._task_type != TaskType.EVALUATOR
        self._global_id_in_cluster = 0 if self._is_chief else self._task_id
        self._service = tf_config.get("service")

    # ------------------------------------------------------------------ cluster
    @property
    def cluster_spec(self) -> dict:
        return self._cluster_spec

    @property
    def evaluation_master(self) -> str:
        return self._evaluation_master

    @property
    def is_chief(self) -> bool:
        return self._is_chief

    @property
    def master(self) -> str:
        return self._master

    @property
    def num_ps_replicas(self) -> int:
        return self._num_ps_replicas

    @property
    def num_worker_replicas(self) -> int:
        return self._num_worker_replicas

    @property
    def task_id(self) -> int:
        return self._task_id

    @property
    def task_type(self) -> str:
        return self._task_type

    @property
    def global_id_in_cluster(self) -> int:
        return self._global_id_in_cluster

    @property
    def service(self) -> Any:
        return self._service

    # ------------------------------------------------------------------ settings
    @property
    def model_dir(self) -> Optional[str]:
        return self._model_dir

    @property
    def tf_random_seed(self) -> Optional[int]:
        return self._tf_random_seed

    @property
    def save_summary_steps(self) -> int:
        return self._save_summary_steps

    @property
    def save_checkpoints_secs(self) -> Optional[int]:
        return self._save_checkpoints_secs

    @property
    def save_checkpoints_steps(self) -> Optional[int]:
        return self._save_checkpoints_steps

    @property
    def session_config(self) -> Any:
        return self._session_config

    @property
    def keep_checkpoint_max(self) -> int:
        return self._keep_checkpoint_max

    @property
    def keep_checkpoint_every_n_hours(self) -> float:
        return self._keep_checkpoint_every_n_hours

    @property
    def log_step_count_steps(self) -> int:
        return self._log_step_count_steps

    @property
    def train_distribute(self) -> Any:
        return self._train_distribute

    @property
    def eval_distribute(self) -> Any:
        return self._eval_distribute

    @property
    def experimental_distribute(self) -> Any:
        return self._experimental_distribute

    @property
    def experimental_max_worker_delay_secs(self) -> Optional[int]:
        return self._experimental_max_worker_delay_secs

    @property
    def device_fn(self) -> Optional[Callable]:
        return self._device_fn

    @property
    def protocol(self) -> Optional[str]:
        return self._protocol

    @property
    def session_creation_timeout_secs(self) -> int:
        return self._session_creation_timeout_secs

    def replace(self, **kwargs: Any) -> "RunConfig":
        """A new RunConfig with some settings replaced (TF1's `RunConfig.replace`).

        Raises ValueError for a name that is not a replaceable property, or for both
        save_checkpoints_steps and save_checkpoints_secs set.
        """
        for key in kwargs:
            if key not in _DEFAULT_REPLACEABLE_PROPERTIES:
                raise ValueError(f"{key} is not supported by RunConfig.replace. Allowed "
                                 f"properties: {_DEFAULT_REPLACEABLE_PROPERTIES}")
        values = {name: getattr(self, "_" + name) for name in _DEFAULT_REPLACEABLE_PROPERTIES}
        values.update(kwargs)
        steps = values["save_checkpoints_steps"]
        secs = values["save_checkpoints_secs"]
        if steps is not None and secs is not None:
            if "save_checkpoints_steps" in kwargs and "save_checkpoints_secs" in kwargs:
                raise ValueError("Can not provide both save_checkpoints_steps and "
                                 "save_checkpoints_secs.")
            # The one just set wins, as in TF1.
            if "save_checkpoints_steps" in kwargs:
                values["save_checkpoints_secs"] = None
            else:
                values["save_checkpoints_steps"] = None
        new = RunConfig.__new__(RunConfig)
        for name, value in values.items():
            setattr(new, "_" + name, value)
        new._model_dir = _clean_model_dir(new._model_dir)
        new._init_cluster(_tf_config())
        _validate_properties(new)
        return new

    def __repr__(self) -> str:
        settings = ", ".join(f"{name}={getattr(self, name)!r}"
                             for name in _DEFAULT_REPLACEABLE_PROPERTIES[:9])
        return f"RunConfig({settings})"


def _tf_config() -> dict:
    raw = os.environ.get("TF_CONFIG", "")
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except ValueError as exc:
        raise ValueError(f"The TF_CONFIG environment variable is not valid JSON: {exc}. "
                         "Unset it, or set it to a JSON object such as "
                         '{"cluster": {...}, "task": {"type": "worker", "index": 0}}.') from None
    if not isinstance(value, dict):
        raise ValueError("The TF_CONFIG environment variable must hold a JSON object; got "
                         f"{raw!r}.")
    return value


def _clean_model_dir(model_dir: Any) -> Optional[str]:
    if model_dir is None:
        return None
    model_dir = os.fspath(model_dir)
    if not model_dir:
        raise ValueError("model_dir should be non-empty")
    return model_dir


def _validate_properties(config: RunConfig) -> None:
    """TF1's checks of the RunConfig settings: counts are non-negative, seeds integers."""
    def check(name: str, ok: Callable[[Any], bool], message: str) -> None:
        value = getattr(config, "_" + name)
        if value is not None and not ok(value):
            raise ValueError(message)

    check("save_summary_steps", lambda v: v >= 0, "save_summary_steps should be >= 0")
    check("save_checkpoints_steps", lambda v: v >= 0,
          "save_checkpoints_steps should be >= 0")
    check("save_checkpoints_secs", lambda v: v >= 0, "save_checkpoints_secs should be >= 0")
    check("keep_checkpoint_max", lambda v: v >= 0, "keep_checkpoint_max should be >= 0")
    check("keep_checkpoint_every_n_hours", lambda v: v > 0,
          "keep_checkpoint_every_n_hours should be > 0")
    check("log_step_count_steps", lambda v: v >= 0, "log_step_count_steps should be >= 0")
    check("tf_random_seed", lambda v: isinstance(v, int) and not isinstance(v, bool),
          "tf_random_seed must be integer.")
    check("device_fn", callable, "device_fn must be callable with exactly one argument "
          "\"op\".")
    check("session_creation_timeout_secs", lambda v: v > 0,
          "session_creation_timeout_secs should be > 0")
    if config._session_config is not None:
        from flowgraph.runtime.config import ConfigProto

        if not isinstance(config._session_config, ConfigProto):
            raise ValueError("session_config must be instance of ConfigProto")
