# ruff: noqa: N802 - TF1-style test and benchmark method names (testFoo, benchmarkFoo)
"""fg.test's module-level helpers: platform queries, temp dirs, mock, StubOutForTesting,
Benchmark, assert_equal_graph_def and main()."""

import json
import os
import subprocess
import sys
import textwrap
import unittest.mock

import pytest

import flowgraph as tf


def test_platform_queries_answer_as_a_cpu_only_build():
    assert tf.test.is_gpu_available() is False
    assert tf.test.is_gpu_available(cuda_only=True, min_cuda_compute_capability=(3, 5)) is False
    assert tf.test.gpu_device_name() == ""
    assert tf.test.is_built_with_cuda() is False
    assert tf.test.is_built_with_rocm() is False
    assert tf.test.is_built_with_gpu_support() is False
    assert tf.test.mock is unittest.mock


def test_module_get_temp_dir_is_one_existing_folder():
    first = tf.test.get_temp_dir()
    assert os.path.isdir(first) and tf.test.get_temp_dir() == first


def test_create_local_cluster_is_not_offered():
    assert not hasattr(tf.test, "create_local_cluster")


class _Target:
    value = 1

    @staticmethod
    def helper():
        return "real"

    def method(self):
        return "method"



def test_stub_out_set_and_clean_up_restore_attributes():
    stubs = tf.test.StubOutForTesting()
    stubs.Set(_Target, "value", 2)
    stubs.Set(_Target, "helper", lambda: "fake")
    assert _Target.value == 2 and _Target.helper() == "fake"
    instance = _Target()
    stubs.SmartSet(instance, "method", lambda: "smart")  # inherited: stubbed on the class
    assert _Target.method() == "smart"
    stubs.CleanUp()
    assert _Target.value == 1 and _Target.helper() == "real"
    assert isinstance(vars(_Target)["helper"], staticmethod)
    assert _Target().method() == "method"
    with tf.test.StubOutForTesting() as s:
        s.Set(os.path, "sep", "#")
        assert os.path.sep == "#"
    assert os.path.sep == "/"
    with pytest.raises(AttributeError):
        tf.test.StubOutForTesting().SmartSet(_Target, "missing", 1)


def test_benchmark_reports_and_times_a_session(capsys):
    class MyBench(tf.test.Benchmark):
        def benchmarkReport(self):
            self.report_benchmark(iters=3, wall_time=0.5, extras={"k": 1.0, "s": "x"})

        def benchmarkOp(self):
            x = tf.constant(2.0) * 3.0
            with tf.Session() as sess:
                return self.run_op_benchmark(sess, x, burn_iters=1, min_iters=3, mbs=6)

    bench = MyBench()
    bench.benchmarkReport()
    printed = capsys.readouterr().out
    assert 'name: "MyBench.benchmarkReport"' in printed
    assert "iters: 3" in printed and "wall_time: 0.5" in printed
    assert 'key: "k"' in printed and "double_value: 1.0" in printed
    values = bench.benchmarkOp()
    printed = capsys.readouterr().out
    assert 'name: "MyBench.benchmarkOp"' in printed
    assert values["iters"] == 3 and values["wall_time"] > 0
    assert values["throughput"] == pytest.approx(6 / values["wall_time"])
    assert "wall_time_mean" in values["extras"] and "wall_time_stdev" in values["extras"]
    with pytest.raises(TypeError, match="extras must be a dict"):
        bench.report_benchmark(extras=[1])


def test_benchmark_report_file(tmp_path, monkeypatch):
    monkeypatch.setenv("TEST_REPORT_FILE_PREFIX", str(tmp_path) + "/")

    class FileBench(tf.test.Benchmark):
        def benchmarkIt(self):
            self.report_benchmark(iters=2, wall_time=0.25, name="custom/name")

    FileBench().benchmarkIt()
    with open(tmp_path / "FileBench.custom__name") as f:
        entry = json.load(f)["entry"][0]
    assert entry == {"name": "FileBench.custom/name", "iters": 2, "wall_time": 0.25}
    with pytest.raises(OSError, match="already exists"):
        FileBench().benchmarkIt()


def _graph(first_const):
    g = tf.Graph()
    with g.as_default():
        if first_const:
            a = tf.constant(1.0, name="a")
            b = tf.placeholder(tf.float32, [], name="b")
        else:  # the same nodes, created in the other order on other lines
            b = tf.placeholder(tf.float32, [], name="b")
            a = tf.constant(1.0, name="a")
        tf.add(a, b, name="sum")
    return g


def test_assert_equal_graph_def():
    tf.test.assert_equal_graph_def(_graph(True).as_graph_def(), _graph(False).as_graph_def())
    other = tf.Graph()
    with other.as_default():
        a = tf.constant(1.0, name="a")
        b = tf.placeholder(tf.float32, [], name="b")
        tf.add(b, a, name="sum")  # inputs swapped
    with pytest.raises(AssertionError, match="'sum' has inputs"):
        tf.test.assert_equal_graph_def(other.as_graph_def(), _graph(True).as_graph_def())
    changed = tf.Graph()
    with changed.as_default():
        tf.constant(2.0, name="a")
        tf.placeholder(tf.float32, [], name="b")
    with pytest.raises(AssertionError, match="Did not find expected node 'sum"):
        tf.test.assert_equal_graph_def(changed.as_graph_def(), _graph(True).as_graph_def())
    with pytest.raises(AssertionError, match="Found unexpected node 'sum"):
        tf.test.assert_equal_graph_def(_graph(True).as_graph_def(), changed.as_graph_def())
    with changed.as_default():
        tf.add(changed.get_tensor_by_name("a:0"), changed.get_tensor_by_name("b:0"),
               name="sum")
    with pytest.raises(AssertionError, match="attr 'value'"):
        tf.test.assert_equal_graph_def(changed.as_graph_def(), _graph(True).as_graph_def())
    with pytest.raises(TypeError, match="Expected tf.GraphDef for actual"):
        tf.test.assert_equal_graph_def("graph", _graph(True).as_graph_def())


_SCRIPT = textwrap.dedent("""
    import flowgraph as tf

    class AddTest(tf.test.TestCase):
        def testAdd(self):
            with self.cached_session():
                self.assertAllClose(self.evaluate(tf.constant(1.0) + 2.0), {result})

    if __name__ == "__main__":
        tf.test.main()
""")


@pytest.mark.parametrize("result, code", [("3.0", 0), ("4.0", 1)])
def test_main_runs_the_tests_and_exits_with_their_result(tmp_path, result, code):
    script = tmp_path / "add_test.py"
    script.write_text(_SCRIPT.format(result=result))
    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(tf.__file__)))
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          env=env, timeout=120)
    assert done.returncode == code, done.stderr
    assert "Ran 1 test" in done.stderr


def test_assert_equal_graph_def_can_ignore_checkpoint_temp_names():
    def graph(suffix):
        g = tf.Graph()
        with g.as_default():
            tf.constant(f"/ckpt/model_temp_{suffix}/part", name="filename")
        return g.as_graph_def()

    first, second = graph("0" * 32), graph("f" * 32)
    with pytest.raises(AssertionError, match="'filename' has attr 'value'"):
        tf.test.assert_equal_graph_def(first, second)
    tf.test.assert_equal_graph_def(first, second, checkpoint_v2=True)
