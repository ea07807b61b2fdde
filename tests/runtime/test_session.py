"""Session: fetches, feeds, plans, errors, options and default sessions."""

import collections
import inspect
import os
import threading

import numpy as np
import pytest

import flowgraph as fg
from flowgraph.ops.registry import apply_op
from tests.runtime import kernels

THIS_FILE = os.path.abspath(__file__)


def _line() -> int:
    return inspect.currentframe().f_back.f_lineno


@pytest.fixture
def xy():
    """x: float32 [None, 2] placeholder; y = x + 1; z = identity(y)."""
    x = fg.placeholder(fg.float32, [None, 2], name="x")
    y = fg.add(x, 1.0, name="y")
    z = fg.identity(y, name="z")
    return x, y, z


X_VALUE = np.array([[1.0, 2.0], [3.0, 4.0]], np.float32)
Y_VALUE = np.array([[2.0, 3.0], [4.0, 5.0]], np.float32)


# --------------------------------------------------------------------------- fetches
def test_fetch_single_tensor(xy):
    x, y, _ = xy
    with fg.Session() as sess:
        out = sess.run(y, {x: X_VALUE})
    assert isinstance(out, np.ndarray)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, Y_VALUE)


def test_fetch_list_tuple_dict(xy):
    x, y, z = xy
    with fg.Session() as sess:
        as_list = sess.run([y, z], {x: X_VALUE})
        as_tuple = sess.run((z, y), {x: X_VALUE})
        as_dict = sess.run({"y": y, "z": z}, {x: X_VALUE})
    assert isinstance(as_list, list) and len(as_list) == 2
    assert isinstance(as_tuple, tuple) and len(as_tuple) == 2
    assert isinstance(as_dict, dict) and sorted(as_dict) == ["y", "z"]
    for value in (*as_list, *as_tuple, *as_dict.values()):
        np.testing.assert_array_equal(value, Y_VALUE)


def test_fetch_namedtuple_and_nested(xy):
    x, y, z = xy
    Pair = collections.namedtuple("Pair", ["first", "second"])
    noop = fg.no_op(name="nothing")
    with fg.Session() as sess:
        out = sess.run({"a": [y, (z, noop)], "b": Pair(first=y, second=noop)},
                       {x: X_VALUE})
    assert isinstance(out["b"], Pair)
    np.testing.assert_array_equal(out["b"].first, Y_VALUE)
    assert out["b"].second is None
    assert isinstance(out["a"], list) and isinstance(out["a"][1], tuple)
    np.testing.assert_array_equal(out["a"][0], Y_VALUE)
    np.testing.assert_array_equal(out["a"][1][0], Y_VALUE)
    assert out["a"][1][1] is None


def test_fetch_by_name_and_ops_give_none(xy):
    x, y, _ = xy
    with fg.Session() as sess:
        by_tensor_name = sess.run("y:0", {x: X_VALUE})
        by_op_name = sess.run("y", {x: X_VALUE})
        op_result = sess.run(y.op, {x: X_VALUE})
        mixed = sess.run(["z:0", y, "y"], {x: X_VALUE})
    np.testing.assert_array_equal(by_tensor_name, Y_VALUE)
    assert by_op_name is None
    assert op_result is None
    np.testing.assert_array_equal(mixed[0], Y_VALUE)
    np.testing.assert_array_equal(mixed[1], Y_VALUE)
    assert mixed[2] is None


def test_fetch_same_tensor_twice(xy):
    x, y, _ = xy
    with fg.Session() as sess:
        a, b = sess.run([y, y], {x: X_VALUE})
    np.testing.assert_array_equal(a, Y_VALUE)
    np.testing.assert_array_equal(b, Y_VALUE)


def test_empty_fetches():
    with fg.Session() as sess:
        assert sess.run([]) == []
        assert sess.run({}) == {}
        assert sess.run(()) == ()


def test_bad_fetches():
    with fg.Session() as sess:
        with pytest.raises(TypeError):
            sess.run(None)
        with pytest.raises(TypeError):
            sess.run(3)
        with pytest.raises(ValueError, match="missing"):
            sess.run("missing:0")


def test_scalar_fetches_are_numpy_scalars():
    with fg.Session() as sess:
        f = sess.run(fg.constant(2.5))
        i = sess.run(fg.constant(7))
    assert isinstance(f, np.float32) and f == 2.5
    assert isinstance(i, np.int32) and i == 7
    assert not isinstance(f, np.ndarray)


def test_strings_come_back_as_bytes():
    with fg.Session() as sess:
        scalar = sess.run(fg.constant("héllo"))
        vector = sess.run(fg.constant(["a", b"b"]))
    assert scalar == b"h\xc3\xa9llo"
    assert isinstance(scalar, bytes)
    assert list(vector) == [b"a", b"b"]
    assert all(isinstance(v, bytes) for v in vector)


def test_string_feeds_come_back_as_bytes():
    s = fg.placeholder(fg.string, [None], name="s")
    t = fg.identity(s)
    with fg.Session() as sess:
        from_mixed = sess.run(t, {s: ["a", b"b"]})
        from_numpy = sess.run(t, {s: np.array(["x", "yz"])})
    assert from_mixed.tolist() == [b"a", b"b"]
    assert from_numpy.tolist() == [b"x", b"yz"]
    assert from_numpy.dtype == object


# --------------------------------------------------------------------------- feeds
def test_feed_by_tensor_and_by_names(xy):
    x, y, _ = xy
    with fg.Session() as sess:
        for key in (x, "x:0", "x"):
            np.testing.assert_array_equal(sess.run(y, {key: X_VALUE}), Y_VALUE)


def test_feed_intermediate_tensor(xy):
    x, y, z = xy
    fed = np.array([[10.0, 20.0]], np.float32)
    with fg.Session() as sess:
        # x is not needed when y is fed.
        np.testing.assert_array_equal(sess.run(z, {y: fed}), fed)
        np.testing.assert_array_equal(sess.run(z, {"y:0": fed}), fed)


def test_feed_constant_overrides_it():
    c = fg.constant(3.0)
    d = fg.add(c, 1.0)
    with fg.Session() as sess:
        assert sess.run(d) == 4.0
        assert sess.run(d, {c: 10.0}) == 11.0
        assert sess.run(d) == 4.0


def test_feed_dtype_conversion(xy):
    x, y, _ = xy
    with fg.Session() as sess:
        from_list = sess.run(y, {x: [[1, 2], [3, 4]]})
        from_float64 = sess.run(y, {x: X_VALUE.astype(np.float64)})
        passthrough = sess.run(x, {x: [[0.5, 1.5]]})
    for value in (from_list, from_float64):
        assert value.dtype == np.float32
        np.testing.assert_array_equal(value, Y_VALUE)
    assert passthrough.dtype == np.float32


def test_feed_bad_shape_is_invalid_argument_and_value_error(xy):
    x, y, _ = xy
    line = x.op.creation_site.lineno
    with fg.Session() as sess:
        with pytest.raises(fg.errors.InvalidArgumentError) as info:
            sess.run(y, {x: np.ones((3,), np.float32)})
    assert isinstance(info.value, ValueError)
    message = str(info.value)
    assert message.startswith("Cannot feed value of shape (3,) for Tensor")
    assert "'x:0'" in message
    assert "(?, 2)" in message
    assert f":{line}" in message


def test_feed_bad_shape_caught_as_value_error(xy):
    x, y, _ = xy
    with fg.Session() as sess:
        with pytest.raises(ValueError, match="Cannot feed value of shape"):
            sess.run(y, {x: np.ones((2, 3), np.float32)})


def test_feed_shape_check_follows_set_shape(xy):
    x, y, _ = xy
    with fg.Session() as sess:
        sess.run(y, {x: X_VALUE[:1]})
        x.set_shape([2, 2])
        with pytest.raises(ValueError, match="Cannot feed value of shape"):
            sess.run(y, {x: X_VALUE[:1]})
        np.testing.assert_array_equal(sess.run(y, {x: X_VALUE}), Y_VALUE)


def test_feed_bad_value_and_bad_key(xy):
    x, y, _ = xy
    with fg.Session() as sess:
        with pytest.raises(fg.errors.InvalidArgumentError):
            sess.run(y, {x: [["a", "b"]]})
        with pytest.raises(ValueError):
            sess.run(y, {"nothere:0": X_VALUE})
        with pytest.raises(TypeError):
            sess.run(y, {3: X_VALUE})
        with pytest.raises(TypeError):
            sess.run(y, feed_dict=[(x, X_VALUE)])


def test_feed_tensor_of_other_graph_is_an_error(xy):
    _, y, _ = xy
    with fg.Graph().as_default():
        other = fg.placeholder(fg.float32, [None, 2])
    with fg.Session() as sess:
        with pytest.raises(ValueError):
            sess.run(y, {other: X_VALUE})


# --------------------------------------------------------------------------- pruning
def test_only_the_needed_subgraph_runs():
    x = fg.placeholder(fg.float32, [], name="x")
    unused = fg.placeholder(fg.float32, [], name="unused")
    kernels.CALLS.clear()
    a = kernels.counting_identity(x, "a")
    kernels.counting_identity(fg.add(x, unused), "b")
    with fg.Session() as sess:
        assert sess.run(a, {x: 1.0}) == 1.0
    assert kernels.CALLS == ["a"]


def test_unfed_placeholder_in_subgraph_names_it_and_its_line():
    line = _line() + 1
    x = fg.placeholder(fg.float32, [None, 3], name="needed_input")
    y = fg.add(x, 1.0)
    with fg.Session() as sess:
        with pytest.raises(fg.errors.InvalidArgumentError) as info:
            sess.run(y)
    message = str(info.value)
    assert "needed_input" in message
    assert "You must feed a value for placeholder tensor" in message
    assert THIS_FILE in message
    assert f"line {line}" in message
    assert info.value.op is x.op


def test_control_dependency_on_a_fed_placeholder():
    # As TF1, a fed placeholder also satisfies control edges from it.
    x = fg.placeholder(fg.float32, [], name="x")
    c = fg.constant(2.0)
    with fg.control_dependencies([x]):
        y = fg.identity(c, name="after_x")
    with fg.Session() as sess:
        assert sess.run(y, {x: 1.0}) == 2.0
        with pytest.raises(fg.errors.InvalidArgumentError, match="x"):
            sess.run(y)  # not fed: the placeholder is still required


# --------------------------------------------------------------------------- plans
def test_plans_are_cached(xy):
    x, y, z = xy
    with fg.Session() as sess:
        sess.run(y, {x: X_VALUE})
        assert len(sess._plans) == 1
        plan = next(iter(sess._plans.values()))
        sess.run(y, {x: X_VALUE * 2})
        sess.run(y, {"x:0": X_VALUE})  # the same feed, spelled by name
        assert len(sess._plans) == 1
        assert next(iter(sess._plans.values())) is plan
        sess.run(z, {x: X_VALUE})
        assert len(sess._plans) == 2
        sess.run(z, {y: Y_VALUE})  # other feeds: another plan
        assert len(sess._plans) == 3
        assert plan in sess._plans.values()


def test_ops_added_after_a_plan_still_run(xy):
    x, y, _ = xy
    with fg.Session() as sess:
        sess.run(y, {x: X_VALUE})
        w = fg.add(y, 1.0)
        np.testing.assert_array_equal(sess.run(w, {x: X_VALUE}), Y_VALUE + 1)


# --------------------------------------------------------------------------- lifetime
def test_closed_session_raises(xy):
    x, y, _ = xy
    sess = fg.Session()
    sess.run(y, {x: X_VALUE})
    sess.close()
    with pytest.raises(RuntimeError, match="closed"):
        sess.run(y, {x: X_VALUE})
    sess.close()  # closing twice is fine


def test_with_block_closes_and_sets_default():
    c = fg.constant(1.0)
    with fg.Session() as sess:
        assert fg.get_default_session() is sess
        assert c.eval() == 1.0
    assert fg.get_default_session() is None
    with pytest.raises(RuntimeError):
        sess.run(c)


def test_as_default_does_not_close():
    c = fg.constant(5.0)
    sess = fg.Session()
    with sess.as_default():
        assert fg.get_default_session() is sess
        assert c.eval() == 5.0
    assert fg.get_default_session() is None
    assert sess.run(c) == 5.0
    sess.close()


def test_session_on_explicit_graph():
    g = fg.Graph()
    with g.as_default():
        c = fg.constant(2.0)
    sess = fg.Session(graph=g)
    assert sess.graph is g
    assert sess.run(c) == 2.0
    with sess.as_default():
        assert fg.get_default_graph() is g
    sess.close()


def test_interactive_session_makes_eval_work():
    c = fg.constant(3.0)
    d = fg.add(c, 1.0)
    sess = fg.InteractiveSession()
    try:
        assert fg.get_default_session() is sess
        assert d.eval() == 4.0
        assert fg.get_default_graph() is sess.graph
    finally:
        sess.close()
    assert fg.get_default_session() is None
    with pytest.raises(ValueError):
        d.eval()


def test_get_default_session_nesting():
    s1, s2 = fg.Session(), fg.Session()
    assert fg.get_default_session() is None
    with s1.as_default():
        with s2.as_default():
            assert fg.get_default_session() is s2
        assert fg.get_default_session() is s1
    s1.close()
    s2.close()


def test_non_local_target_is_unimplemented():
    with pytest.raises(fg.errors.UnimplementedError):
        fg.Session("grpc://far.away:2222")


# --------------------------------------------------------------------------- config
def test_config_proto():
    config = fg.ConfigProto(inter_op_parallelism_threads=1, intra_op_parallelism_threads=0,
                            log_device_placement=False)
    c = fg.constant(1.0)
    with fg.Session(config=config) as sess:
        assert sess.config is config
        assert sess.config.inter_op_parallelism_threads == 1
        assert sess._executor is None  # one inter-op thread: the sequential executor
        assert sess.run(c) == 1.0
    with fg.Session(config=fg.ConfigProto(inter_op_parallelism_threads=3)) as sess:
        assert sess._executor.threads == 3
        assert sess.run(c) == 1.0
    assert fg.ConfigProto(inter_op_parallelism_threads=5).inter_op_threads() == 5
    assert fg.ConfigProto().inter_op_threads() == (os.cpu_count() or 1)


def test_config_proto_rejects_bad_values():
    with pytest.raises(ValueError):
        fg.ConfigProto(inter_op_parallelism_threads=-1)
    with pytest.raises(TypeError):
        fg.Session(config={"inter_op_parallelism_threads": 1})


def test_gpu_options_accepted():
    config = fg.ConfigProto(gpu_options=fg.GPUOptions(allow_growth=True))
    assert config.gpu_options.allow_growth is True


# --------------------------------------------------------------------------- run options
@pytest.mark.parametrize("threads", [1, 4])
def test_timeout_raises_deadline_exceeded(threads):
    x = fg.placeholder(fg.float32, [], name="x")
    t = x
    for _ in range(10):
        t = kernels.slow_identity(t, seconds=0.05)
    options = fg.RunOptions(timeout_in_ms=120)
    config = fg.ConfigProto(inter_op_parallelism_threads=threads)
    with fg.Session(config=config) as sess:
        with pytest.raises(fg.errors.DeadlineExceededError):
            sess.run(t, {x: 1.0}, options=options)
        # Without a timeout (or with a generous one) the same graph runs to the end.
        assert sess.run(t, {x: 2.0}, options=fg.RunOptions(timeout_in_ms=60000)) == 2.0


def test_timeout_from_config_operation_timeout():
    x = fg.placeholder(fg.float32, [], name="x")
    t = x
    for _ in range(10):
        t = kernels.slow_identity(t, seconds=0.05)
    config = fg.ConfigProto(inter_op_parallelism_threads=1, operation_timeout_in_ms=100)
    with fg.Session(config=config) as sess:
        with pytest.raises(fg.errors.DeadlineExceededError):
            sess.run(t, {x: 1.0})


def test_full_trace_fills_step_stats():
    x = fg.placeholder(fg.float32, [2], name="x")
    a = fg.add(x, 1.0, name="a")
    b = fg.add(a, a, name="b")
    c = fg.identity(b, name="c")
    options = fg.RunOptions(trace_level=fg.RunOptions.FULL_TRACE)
    meta = fg.RunMetadata()
    with fg.Session() as sess:
        out = sess.run(c, {x: [1.0, 2.0]}, options=options, run_metadata=meta)
        plan = next(iter(sess._plans.values()))
    np.testing.assert_array_equal(out, [4.0, 6.0])
    stats = meta.step_stats.dev_stats[0].node_stats
    names = [s.node_name for s in stats]
    assert sorted(names) == sorted(step.op.name for step in plan.steps)
    assert sorted(names) == ["a", "b", "c"]  # one entry per op that ran
    for s in stats:
        assert s.all_start_micros > 0
        assert s.op_end_rel_micros >= s.op_start_rel_micros >= 0
    meta2 = fg.RunMetadata()
    with fg.Session() as sess:
        sess.run(c, {x: [1.0, 2.0]}, run_metadata=meta2)  # no trace requested
    assert meta2.step_stats.dev_stats == []


# --------------------------------------------------------------------------- kernel errors
def test_kernel_error_names_node_type_site_and_input_shapes():
    a = fg.placeholder(fg.float32, None, name="a")
    b = fg.placeholder(fg.float32, None, name="b")
    line = _line() + 1
    c = fg.add(a, b, name="runtime_sum")
    with fg.Session() as sess:
        with pytest.raises(fg.errors.InvalidArgumentError) as info:
            sess.run(c, {a: np.ones((2, 3)), b: np.ones((4, 5))})
    message = str(info.value)
    assert "runtime_sum" in message
    assert "op type Add" in message
    assert f"{THIS_FILE}:{line}" in message
    assert "[2, 3]" in message and "[4, 5]" in message
    assert info.value.op is c.op


def test_python_exception_in_kernel_becomes_op_error():
    x = fg.placeholder(fg.float32, [3], name="x")
    line = _line() + 1
    bad = apply_op(kernels.FailingOp(), [x], name="boom")
    with fg.Session() as sess:
        with pytest.raises(fg.errors.OpError) as info:
            sess.run(bad, {x: [1.0, 2.0, 3.0]})
    message = str(info.value)
    assert "ZeroDivisionError" in message
    assert "boom" in message and "FailingOpForTest" in message
    assert f"{THIS_FILE}:{line}" in message
    assert "[3]" in message
    assert isinstance(info.value.__cause__, ZeroDivisionError)


# --------------------------------------------------------------------------- values
def test_fetched_variable_values_cannot_change_session_state():
    v = fg.Variable(np.array([1.0, 2.0, 3.0], np.float32), name="v")
    with fg.Session() as sess:
        sess.run(v.initializer)
        for fetch in (v, v.value(), v.op.outputs[0], v.initializer.outputs[0] if
                      v.initializer.outputs else v.value()):
            got = sess.run(fetch)
            got[0] = 100.0  # must not raise, and must not change the Variable
        np.testing.assert_array_equal(sess.run(v), [1.0, 2.0, 3.0])
        np.testing.assert_array_equal(sess.state.variables["v"], [1.0, 2.0, 3.0])


def test_fetched_constant_cannot_change_the_graph():
    c = fg.constant([1.0, 2.0])
    with fg.Session() as sess:
        got = sess.run(c)
        got[0] = 50.0
        np.testing.assert_array_equal(sess.run(c), [1.0, 2.0])


def test_concurrent_runs_from_threads():
    x = fg.placeholder(fg.float32, [3], name="x")
    y = fg.add(fg.add(x, x), 1.0)
    errors = []
    results = {}

    def worker(i):
        try:
            for j in range(10):
                value = np.full(3, i * 100 + j, np.float32)
                results[(i, j)] = sess.run(y, {x: value})
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    with fg.Session() as sess:
        threads = [threading.Thread(target=worker, args=(i,)) for i in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert errors == []
    for (i, j), value in results.items():
        np.testing.assert_array_equal(value, np.full(3, 2 * (i * 100 + j) + 1, np.float32))
    assert len(results) == 60


def test_plan_sees_control_inputs_added_after_it_was_compiled():
    v = fg.Variable(0.0, name="counter")
    bump = fg.assign_add(v, 1.0)
    read = fg.identity(fg.constant(5.0))
    with fg.Session() as sess:
        sess.run(v.initializer)
        sess.run(read)
        read.op._add_control_input(bump.op)
        sess.run(read)
        assert sess.run(v) == 1.0
