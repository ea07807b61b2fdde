"""tf.version and tf.config (TF1's compat.v1 names); expected values from TF 2.21's
tf.compat.v1 (graph mode) on a CPU-only machine, and TF 1.15's documented semantics."""

import numpy as np
import pytest

import flowgraph as tf
from flowgraph.runtime import process_defaults
from flowgraph.runtime.config import RewriterConfig
from flowgraph.runtime.options import PlanOptions

CPU = ("/physical_device:CPU:0", "CPU")


@pytest.fixture(autouse=True)
def _restore_defaults():
    process_defaults.reset()
    yield
    process_defaults.reset()


def test_version_module_matches_top_level():
    assert tf.version.VERSION == tf.VERSION == "1.15.5"
    assert tf.version.GIT_VERSION == tf.GIT_VERSION
    assert tf.version.COMPILER_VERSION == tf.COMPILER_VERSION
    assert tf.version.GRAPH_DEF_VERSION == tf.GRAPH_DEF_VERSION
    assert tf.version.GRAPH_DEF_VERSION_MIN_CONSUMER == tf.GRAPH_DEF_VERSION_MIN_CONSUMER
    assert tf.version.GRAPH_DEF_VERSION_MIN_PRODUCER == tf.GRAPH_DEF_VERSION_MIN_PRODUCER


def test_device_lists_as_tf_on_a_cpu_only_machine():
    devices = tf.config.list_physical_devices()
    assert devices == [CPU]
    assert repr(devices[0]) == \
        "PhysicalDevice(name='/physical_device:CPU:0', device_type='CPU')"
    assert devices[0]._fields == ("name", "device_type")
    assert tf.config.list_physical_devices("CPU") == [CPU]
    assert tf.config.list_physical_devices("GPU") == []
    assert tf.config.list_physical_devices("cpu") == []  # case-sensitive, as TF
    logical = tf.config.list_logical_devices()
    assert repr(logical) == "[LogicalDevice(name='/device:CPU:0', device_type='CPU')]"
    assert tf.config.list_logical_devices("GPU") == []
    assert tf.config.get_visible_devices() == [CPU]
    assert tf.config.get_visible_devices("GPU") == []
    assert tf.config.experimental.list_physical_devices() == [CPU]
    assert tf.config.experimental.list_logical_devices("CPU") == logical
    assert tf.config.get_logical_device_configuration(devices[0]) is None
    assert tf.config.experimental.get_virtual_device_configuration(devices[0]) is None


def test_set_visible_devices():
    cpu = tf.config.list_physical_devices()[0]
    gpu = tf.config.PhysicalDevice(name="/physical_device:GPU:0", device_type="GPU")
    tf.config.set_visible_devices(cpu)
    tf.config.set_visible_devices([cpu], "CPU")
    tf.config.set_visible_devices([], "GPU")
    tf.config.experimental.set_visible_devices([cpu])
    assert tf.config.get_visible_devices() == [CPU]
    with pytest.raises(ValueError, match="Unrecognized device"):
        tf.config.set_visible_devices([gpu])
    with pytest.raises(ValueError, match="Unrecognized device"):
        tf.config.set_visible_devices([cpu], "GPU")
    with pytest.raises(ValueError, match="Unrecognized device"):
        tf.config.set_visible_devices(["/physical_device:CPU:0"])
    with pytest.raises(ValueError, match="Cannot hide the CPU"):
        tf.config.set_visible_devices([])
    assert tf.config.get_visible_devices() == [CPU]


def test_memory_growth_and_device_details():
    cpu = tf.config.list_physical_devices()[0]
    gpu = tf.config.PhysicalDevice(name="/physical_device:GPU:0", device_type="GPU")
    with pytest.raises(ValueError, match="Cannot set memory growth on non-GPU devices"):
        tf.config.experimental.set_memory_growth(cpu, True)
    with pytest.raises(KeyError):
        tf.config.experimental.get_memory_growth(cpu)
    with pytest.raises(ValueError, match="Unrecognized device"):
        tf.config.experimental.get_memory_growth(gpu)
    with pytest.raises(ValueError, match="Unrecognized device"):
        tf.config.experimental.set_memory_growth(gpu, True)
    assert tf.config.experimental.get_device_details(cpu) == {}
    with pytest.raises(ValueError, match="must be a tf.config.PhysicalDevice"):
        tf.config.experimental.get_device_details("/physical_device:CPU:0")
    with pytest.raises(ValueError, match="must be a tf.config.PhysicalDevice"):
        tf.config.experimental.get_device_details(tf.config.list_logical_devices()[0])
    with pytest.raises(ValueError, match="list_physical_devices"):
        tf.config.experimental.get_device_details(gpu)


def test_inter_op_threads_apply_to_new_sessions():
    assert tf.config.threading.get_inter_op_parallelism_threads() == 0
    assert tf.config.threading.get_intra_op_parallelism_threads() == 0
    g = tf.Graph()
    with g.as_default():
        x = tf.constant(np.arange(6.0).reshape(2, 3))
        y = tf.reduce_sum(x * 2.0)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    assert tf.config.threading.get_inter_op_parallelism_threads() == 1
    with tf.Session(graph=g) as sess:
        assert sess.config.inter_op_parallelism_threads == 1
        assert sess._executor is None  # one thread: no pool, as ConfigProto(...=1)
        assert sess.run(y) == 30.0
    tf.config.threading.set_inter_op_parallelism_threads(2)
    with tf.Session(graph=g) as sess:
        assert sess.config.inter_op_parallelism_threads == 2
        assert sess._executor is not None and sess._executor.threads == 2
        assert sess.run(y) == 30.0
    with tf.Session(graph=g, config=tf.ConfigProto(inter_op_parallelism_threads=2)) as ref:
        assert type(ref._executor) is type(sess._executor)
        assert ref._executor.threads == 2
    # A ConfigProto that sets the field wins; the caller's ConfigProto is not modified.
    tf.config.threading.set_inter_op_parallelism_threads(1)
    config = tf.ConfigProto(inter_op_parallelism_threads=2)
    with tf.Session(graph=g, config=config) as sess:
        assert sess._executor.threads == 2
    unset = tf.ConfigProto()
    with tf.Session(graph=g, config=unset) as sess:
        assert sess.config.inter_op_parallelism_threads == 1
    assert unset.inter_op_parallelism_threads == 0


def test_intra_op_threads_apply_to_new_sessions():
    import os
    cores = os.cpu_count() or 1  # the libraries' default already: no lasting effect
    tf.config.threading.set_intra_op_parallelism_threads(cores)
    assert tf.config.threading.get_intra_op_parallelism_threads() == cores
    with tf.Session(graph=tf.Graph()) as sess:
        assert sess.config.intra_op_parallelism_threads == cores


@pytest.mark.parametrize("bad, error", [(-1, ValueError), (2.5, TypeError), ("2", TypeError),
                                        (True, TypeError)])
def test_thread_setters_reject_bad_counts(bad, error):
    with pytest.raises(error, match="num_threads"):
        tf.config.threading.set_inter_op_parallelism_threads(bad)
    with pytest.raises(error, match="num_threads"):
        tf.config.threading.set_intra_op_parallelism_threads(bad)
    assert tf.config.threading.get_inter_op_parallelism_threads() == 0


def test_soft_device_placement():
    assert tf.config.get_soft_device_placement() is False  # TF1 graph mode
    with tf.Session(graph=tf.Graph()) as sess:
        assert sess.config.allow_soft_placement is False
    tf.config.set_soft_device_placement(True)
    assert tf.config.get_soft_device_placement() is True
    with tf.Session(graph=tf.Graph()) as sess:
        assert sess.config.allow_soft_placement is True
    tf.config.set_soft_device_placement(False)
    assert tf.config.get_soft_device_placement() is False


def test_jit():
    assert tf.config.optimizer.get_jit() is False
    with tf.Session(graph=tf.Graph()) as sess:
        assert sess.config.graph_options.optimizer_options.global_jit_level == 0
    tf.config.optimizer.set_jit(True)
    assert tf.config.optimizer.get_jit() is True
    with tf.Session(graph=tf.Graph()) as sess:
        assert sess.config.graph_options.optimizer_options.global_jit_level == \
            tf.OptimizerOptions.ON_1
        assert sess._plan_options.elementwise_fusion
    off = tf.ConfigProto()
    off.graph_options.optimizer_options.global_jit_level = tf.OptimizerOptions.OFF
    with tf.Session(graph=tf.Graph(), config=off) as sess:
        assert not sess._plan_options.elementwise_fusion
    tf.config.optimizer.set_jit(False)
    assert tf.config.optimizer.get_jit() is False
    with pytest.raises(TypeError, match="bool"):
        tf.config.optimizer.set_jit([1])


def test_experimental_options_listing_as_tf():
    opt = tf.config.optimizer
    assert opt.get_experimental_options() == \
        {"disable_model_pruning": False, "disable_meta_optimizer": False}
    opt.set_experimental_options({"constant_folding": False, "remapping": True,
                                  "min_graph_nodes": 3})
    got = opt.get_experimental_options()
    # TF 2.21 compat.v1 output, order included.
    assert list(got.items()) == [("constant_folding", False), ("remapping", True),
                                 ("disable_model_pruning", False),
                                 ("disable_meta_optimizer", False), ("min_graph_nodes", 3)]
    opt.set_experimental_options({"constant_folding": None})
    assert "constant_folding" not in opt.get_experimental_options()
    with pytest.raises(ValueError, match="unknown option 'bogus'"):
        opt.set_experimental_options({"bogus": True})
    with pytest.raises(TypeError, match="True, False or None"):
        opt.set_experimental_options({"remapping": 1})
    with pytest.raises(TypeError, match="dict"):
        opt.set_experimental_options(["remapping"])


def test_experimental_options_apply_to_new_sessions():
    default = PlanOptions.from_config(tf.ConfigProto())
    assert default.constant_folding and default.arithmetic_simplification
    tf.config.optimizer.set_experimental_options({"constant_folding": False,
                                                  "arithmetic_optimization": False})
    with tf.Session(graph=tf.Graph()) as sess:
        rw = sess.config.graph_options.rewrite_options
        assert rw.constant_folding == RewriterConfig.OFF
        assert rw.arithmetic_optimization == RewriterConfig.OFF
        assert not sess._plan_options.constant_folding
        assert not sess._plan_options.arithmetic_simplification
        assert sess._plan_options.remapping
    explicit = tf.ConfigProto()
    explicit.graph_options.rewrite_options.constant_folding = RewriterConfig.ON
    with tf.Session(graph=tf.Graph(), config=explicit) as sess:
        assert sess._plan_options.constant_folding  # the Session's own setting wins
        assert not sess._plan_options.arithmetic_simplification
    tf.config.optimizer.set_experimental_options({"disable_meta_optimizer": True})
    with tf.Session(graph=tf.Graph()) as sess:
        assert not sess._plan_options.remapping
        assert not sess._plan_options.common_subexpression_elimination


def test_constant_folding_off_still_computes_the_same_values():
    g = tf.Graph()
    with g.as_default():
        a = tf.constant([[1.0, 2.0], [3.0, 4.0]])
        y = tf.matmul(a, a) + 1.0
    tf.config.optimizer.set_experimental_options({"constant_folding": False})
    with tf.Session(graph=g) as sess:
        np.testing.assert_allclose(sess.run(y), [[8.0, 11.0], [16.0, 23.0]])
