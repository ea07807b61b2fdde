# ruff: noqa: N802 - TF1-style test and benchmark method names (testFoo, benchmarkFoo)
"""fg.test.TestCase: TF1-style test classes run through unittest inside these tests."""

import collections
import unittest

import numpy as np

import flowgraph as tf


def _run(case_class, *names):
    """Runs the named methods (default: all) of a TestCase class; returns the result."""
    loader = unittest.TestLoader()
    if names:
        suite = unittest.TestSuite(case_class(n) for n in names)
    else:
        suite = loader.loadTestsFromTestCase(case_class)
    result = unittest.TestResult()
    suite.run(result)
    return result


def _problems(result):
    return [text for _, text in result.failures + result.errors]


def test_session_eval_and_evaluate_work():
    seen = {}

    class SquareTest(tf.test.TestCase):
        def testSession(self):
            with self.session() as sess:
                y = tf.square(tf.constant([2.0, 3.0]))
                self.assertIs(tf.get_default_session(), sess)
                seen["eval"] = y.eval()
                seen["device"] = y.device  # TF1 (r1.15): use_gpu=False pins ops to the CPU
                seen["evaluate"] = self.evaluate({"a": y, "b": [y * 2.0]})

    result = _run(SquareTest)
    assert result.testsRun == 1 and not _problems(result), _problems(result)
    np.testing.assert_array_equal(seen["eval"], [4.0, 9.0])
    assert seen["device"] == "/device:CPU:0"
    np.testing.assert_array_equal(seen["evaluate"]["a"], [4.0, 9.0])
    np.testing.assert_array_equal(seen["evaluate"]["b"][0], [8.0, 18.0])


def test_each_method_gets_a_fresh_default_graph_and_seed():
    graphs, counts, seeds = [], [], []

    class FreshTest(tf.test.TestCase):
        def _record(self):
            graph = tf.get_default_graph()
            counts.append(len(graph.get_operations()))
            seeds.append(graph.seed)
            graphs.append(graph)
            tf.constant(1.0)
            tf.constant(2.0)

        def testA(self):
            self._record()

        def testB(self):
            self._record()

    tf.constant(0.0)  # an op in the graph before the tests: they must not see it
    result = _run(FreshTest)
    assert result.testsRun == 2 and not _problems(result), _problems(result)
    assert counts == [0, 0]
    assert graphs[0] is not graphs[1]
    assert seeds == [87654321, 87654321]  # TF1's DEFAULT_GRAPH_SEED


def test_evaluate_without_session_uses_the_cached_one_and_handles_nesting():
    Pair = collections.namedtuple("Pair", ["x", "y"])
    out = {}

    class EvalTest(tf.test.TestCase):
        def testEvaluate(self):
            v = tf.Variable(3.0)
            self.evaluate(tf.global_variables_initializer())
            out["pair"] = self.evaluate(Pair(v * 2.0, (v + 1.0, tf.constant([1, 2]))))
            # The same cached session keeps the variable's value.
            self.evaluate(v.assign(5.0))
            out["after"] = self.evaluate(v)

    result = _run(EvalTest)
    assert not _problems(result), _problems(result)
    pair = out["pair"]
    assert isinstance(pair, Pair)
    assert pair.x == 6.0 and pair.y[0] == 4.0
    np.testing.assert_array_equal(pair.y[1], [1, 2])
    assert out["after"] == 5.0


def test_cached_session_is_reused_and_session_is_new():
    out = {}

    class CacheTest(tf.test.TestCase):
        def testCache(self):
            with self.cached_session() as s1:
                pass
            with self.cached_session() as s2:
                pass
            with self.session() as s3:
                pass
            with self.test_session() as s4:
                pass
            out["ids"] = (s1 is s2, s3 is s1, s4 is s1)
            with self.assertRaisesRegex(ValueError, "graph used to get the cached session"):
                with self.cached_session(graph=tf.Graph()):
                    pass

    result = _run(CacheTest)
    assert not _problems(result), _problems(result)
    assert out["ids"] == (True, False, True)


def test_session_on_another_graph_and_use_gpu_false():
    out = {}

    class GraphTest(tf.test.TestCase):
        def testGraph(self):
            g = tf.Graph()
            with self.session(graph=g, use_gpu=False) as sess:
                self.assertIs(tf.get_default_graph(), g)
                c = tf.constant(1.0)
                out["device"] = c.device
                out["value"] = sess.run(c + 1.0)

    result = _run(GraphTest)
    assert not _problems(result), _problems(result)
    assert out["device"] == "/device:CPU:0" and out["value"] == 2.0


def test_test_session_is_not_collected_as_a_test():
    class Empty(tf.test.TestCase):
        def testOne(self):
            pass

    assert unittest.TestLoader().getTestCaseNames(Empty) == ["testOne"]


def test_failures_are_reported_as_failures():
    class Failing(tf.test.TestCase):
        def testClose(self):
            with self.session():
                self.assertAllClose(tf.constant([1.0, 2.0]), [1.0, 2.1])

        def testOpError(self):
            x = tf.placeholder(tf.float32)
            with self.session():
                with self.assertRaisesOpError("must feed a value"):
                    self.evaluate(x)

    result = _run(Failing)
    assert result.testsRun == 2
    assert len(result.failures) == 1 and not result.errors
    assert "testClose" in result.failures[0][0].id()
    assert "not close" in result.failures[0][1]


def test_checked_thread_reports_exceptions_and_unjoined_threads():
    class Threads(tf.test.TestCase):
        def testRaises(self):
            def boom():
                raise RuntimeError("thread broke")
            t = self.checkedThread(boom)
            t.start()
            t.join()

        def testNotJoined(self):
            self.checkedThread(lambda: None).start()

        def testOk(self):
            box = []
            t = self.checkedThread(box.append, args=(1,))
            t.start()
            t.join()
            self.assertEqual(box, [1])

    result = _run(Threads)
    failed = sorted(test.id().rsplit(".", 1)[1] for test, _ in result.failures)
    assert failed == ["testNotJoined", "testRaises"]
    assert any("thread broke" in text for _, text in result.failures)


def test_get_temp_dir_is_per_test_and_stable_within_a_test():
    dirs = []

    class Temp(tf.test.TestCase):
        def testA(self):
            dirs.append((self.get_temp_dir(), self.get_temp_dir()))

        def testB(self):
            dirs.append((self.get_temp_dir(), self.get_temp_dir()))

    result = _run(Temp)
    assert not _problems(result)
    (a1, a2), (b1, b2) = dirs
    assert a1 == a2 and b1 == b2 and a1 != b1
    assert a1.startswith(tf.test.get_temp_dir())


def test_setup_recovers_from_a_graph_left_as_default():
    leftover = tf.Graph()
    ctx = leftover.as_default()
    ctx.__enter__()
    try:
        out = {}

        class AfterLeak(tf.test.TestCase):
            def testFresh(self):
                out["graph"] = tf.get_default_graph()

        result = _run(AfterLeak)
        assert not _problems(result), _problems(result)
        assert out["graph"] is not leftover
    finally:
        ctx.__exit__(None, None, None)


def test_force_gpu_pins_ops_to_gpu_zero():
    out = {}

    class Gpu(tf.test.TestCase):
        def testGpu(self):
            with self.session(force_gpu=True) as sess:
                c = tf.constant(2.0) * 3.0
                out["device"] = c.device
                out["value"] = sess.run(c)

    result = _run(Gpu)
    assert not _problems(result), _problems(result)
    assert out["device"] == "/device:GPU:0" and out["value"] == 6.0
