"""`fg.train`: optimizers, the global step, learning-rate schedules and moving averages,
with TF1's `tf.train` names."""

from flowgraph.io.graph_files import write_graph  # noqa: F401
from flowgraph.io.meta_graph import export_meta_graph, import_meta_graph  # noqa: F401
from flowgraph.train.adagrad import AdagradOptimizer
from flowgraph.train.adam import AdamOptimizer
from flowgraph.train.basic_session_run_hooks import (
    CheckpointSaverHook,
    CheckpointSaverListener,
    FeedFnHook,
    FinalOpsHook,
    GlobalStepWaiterHook,
    LoggingTensorHook,
    NanLossDuringTrainingError,
    NanTensorHook,
    SecondOrStepTimer,
    StepCounterHook,
    StopAtStepHook,
    SummarySaverHook,
)
from flowgraph.train.checkpoint_management import (
    CheckpointState,
    checkpoint_exists,
    generate_checkpoint_state_proto,
    get_checkpoint_mtimes,
    get_checkpoint_state,
    latest_checkpoint,
    remove_checkpoint,
    update_checkpoint_state,
)
from flowgraph.train.coordinator import Coordinator
from flowgraph.train.ftrl import FtrlOptimizer
from flowgraph.train.gradient_descent import GradientDescentOptimizer
from flowgraph.train.input_feeders import start_queue_runners
from flowgraph.train.learning_rate_decay import (
    cosine_decay,
    cosine_decay_restarts,
    exponential_decay,
    inverse_time_decay,
    linear_cosine_decay,
    natural_exp_decay,
    piecewise_constant,
    polynomial_decay,
)
from flowgraph.train.momentum import MomentumOptimizer
from flowgraph.train.monitored_session import (
    ChiefSessionCreator,
    MonitoredSession,
    MonitoredTrainingSession,
    Scaffold,
    SessionCreator,
    SingularMonitoredSession,
    WorkerSessionCreator,
)
from flowgraph.train.moving_averages import ExponentialMovingAverage
from flowgraph.train.optimizer import Optimizer
from flowgraph.train.reader import (
    NewCheckpointReader,
    list_variables,
    load_checkpoint,
    load_variable,
)
from flowgraph.train.rmsprop import RMSPropOptimizer
from flowgraph.train.saver import Saver, SaverDef
from flowgraph.train.session_manager import SessionManager
from flowgraph.train.session_run_hook import (
    SessionRunArgs,
    SessionRunContext,
    SessionRunHook,
    SessionRunValues,
)
from flowgraph.train.training_util import (
    assert_global_step,
    create_global_step,
    get_global_step,
    get_or_create_global_step,
    global_step,
)

piecewise_constant_decay = piecewise_constant

__all__ = [
    "Optimizer", "GradientDescentOptimizer", "MomentumOptimizer", "AdagradOptimizer",
    "RMSPropOptimizer", "AdamOptimizer", "FtrlOptimizer", "ExponentialMovingAverage",
    "global_step", "get_global_step", "create_global_step", "get_or_create_global_step",
    "assert_global_step", "exponential_decay", "piecewise_constant", "piecewise_constant_decay",
    "polynomial_decay", "natural_exp_decay", "inverse_time_decay", "cosine_decay",
    "cosine_decay_restarts", "linear_cosine_decay",
    "Saver", "SaverDef", "latest_checkpoint", "get_checkpoint_state", "checkpoint_exists",
    "list_variables", "load_variable", "load_checkpoint", "NewCheckpointReader",
    "update_checkpoint_state", "generate_checkpoint_state_proto", "CheckpointState",
    "get_checkpoint_mtimes", "remove_checkpoint",
    # Monitored sessions and their hooks.
    "MonitoredSession", "MonitoredTrainingSession", "SingularMonitoredSession", "Scaffold",
    "SessionCreator", "ChiefSessionCreator", "WorkerSessionCreator", "SessionManager",
    "Coordinator", "SessionRunHook", "SessionRunArgs", "SessionRunContext", "SessionRunValues",
    "StopAtStepHook", "LoggingTensorHook", "CheckpointSaverHook", "CheckpointSaverListener",
    "SummarySaverHook", "StepCounterHook", "NanTensorHook", "NanLossDuringTrainingError",
    "FeedFnHook", "GlobalStepWaiterHook", "FinalOpsHook", "SecondOrStepTimer",
    "start_queue_runners",
]

# tf.train.Example and its relatives (protobuf-compatible messages, flowgraph.io.example_proto).
from flowgraph.io.example_proto import (  # noqa: E402
    BytesList,
    Example,
    Feature,
    FeatureList,
    FeatureLists,
    Features,
    FloatList,
    Int64List,
    SequenceExample,
)

__all__ += ["Example", "Features", "Feature", "BytesList", "FloatList", "Int64List",
            "SequenceExample", "FeatureList", "FeatureLists"]

# Optimizers added by the TF1 fidelity pass.
from flowgraph.train.adadelta import AdadeltaOptimizer  # noqa: E402
from flowgraph.train.proximal import (  # noqa: E402
    AdagradDAOptimizer,
    ProximalAdagradOptimizer,
    ProximalGradientDescentOptimizer,
)

__all__ += ["AdadeltaOptimizer", "AdagradDAOptimizer", "ProximalAdagradOptimizer",
            "ProximalGradientDescentOptimizer"]

# tf.train.ProfilerHook (Chrome-trace timelines of traced runs).
from flowgraph.train.profiler_hook import ProfilerHook  # noqa: E402

__all__ += ["ProfilerHook"]

# Queue-based input pipelines (flowgraph.input), added by the TF1 fidelity pass.
from flowgraph.input import (  # noqa: E402
    QueueRunner,
    add_queue_runner,
    batch,
    batch_join,
    input_producer,
    limit_epochs,
    range_input_producer,
    shuffle_batch,
    shuffle_batch_join,
    slice_input_producer,
    string_input_producer,
)

__all__ += ["QueueRunner", "add_queue_runner", "batch", "batch_join", "input_producer",
            "limit_epochs", "range_input_producer", "shuffle_batch", "shuffle_batch_join",
            "slice_input_producer", "string_input_producer"]

# Checkpoint initialization, warm-starting and watching (TF1's checkpoint_utils).
from flowgraph.estimator.warm_starting import VocabInfo  # noqa: E402
from flowgraph.summary.summary_iterator import summary_iterator  # noqa: E402
from flowgraph.train.checkpoint_utils import (  # noqa: E402
    checkpoints_iterator,
    init_from_checkpoint,
)
from flowgraph.train.warm_starting_util import warm_start  # noqa: E402

__all__ += ["checkpoints_iterator", "init_from_checkpoint", "summary_iterator", "warm_start",
            "VocabInfo"]

# Between-graph replication's device function (the core TF1 fidelity pass).
from flowgraph.train.device_setter import replica_device_setter  # noqa: E402

__all__ += ["replica_device_setter"]

# The noisy variant of linear_cosine_decay (differential sweep against TF1).
from flowgraph.train.learning_rate_decay import noisy_linear_cosine_decay  # noqa: E402

__all__ += ["noisy_linear_cosine_decay"]

# The tf.train.queue_runner module (QueueRunner, add_queue_runner, start_queue_runners).
from flowgraph.api import queue_runner  # noqa: E402

__all__ += ["queue_runner"]

# Conditional batchers, match_filenames_once, LooperThread, basic_train_loop, Supervisor.
from flowgraph.input.filenames import match_filenames_once  # noqa: E402
from flowgraph.input.maybe_batch import (  # noqa: E402
    maybe_batch,
    maybe_batch_join,
    maybe_shuffle_batch,
    maybe_shuffle_batch_join,
)
from flowgraph.train.looper import LooperThread, basic_train_loop  # noqa: E402
from flowgraph.train.supervisor import Supervisor  # noqa: E402

__all__ += ["match_filenames_once", "maybe_batch", "maybe_batch_join", "maybe_shuffle_batch",
            "maybe_shuffle_batch_join", "LooperThread", "basic_train_loop", "Supervisor"]

# Object-based checkpoints: tf.train.Checkpoint, tf.train.CheckpointManager.
from flowgraph.train.checkpoint_manager import CheckpointManager  # noqa: E402
from flowgraph.train.checkpoint_object import Checkpoint  # noqa: E402

__all__ += ["Checkpoint", "CheckpointManager"]

from flowgraph.train.sync_replicas import SyncReplicasOptimizer  # noqa: E402

__all__ += ["SyncReplicasOptimizer"]

from flowgraph.train.cluster_spec import ClusterSpec  # noqa: E402

__all__ += ["ClusterSpec"]
