"""tf.contrib.framework: arg_scope / add_arg_scope semantics and the variable helpers, with
TF 1.15's rules (contrib/framework/python/ops/{arg_scope,variables}.py) as the reference."""

import numpy as np
import pytest

import flowgraph as tf

F = tf.contrib.framework


@pytest.fixture(autouse=True)
def _fresh_graph():
    tf.reset_default_graph()
    yield


@F.add_arg_scope
def _op(a, b=1, c=2, d=3):
    return (a, b, c, d)


@F.add_arg_scope
def _other(x, b=10):
    return (x, b)


def _plain(a, b=1):
    return (a, b)


# ------------------------------------------------------------------ arg_scope


def test_arg_scope_sets_defaults_and_explicit_kwargs_win():
    assert _op(0) == (0, 1, 2, 3)
    with F.arg_scope([_op], b=5, c=6):
        assert _op(0) == (0, 5, 6, 3)
        assert _op(0, c=7) == (0, 5, 7, 3)
        assert _other(1) == (1, 10)
    assert _op(0) == (0, 1, 2, 3)


def test_nested_arg_scopes_merge_and_inner_overrides():
    with F.arg_scope([_op, _other], b=5):
        with F.arg_scope([_op], c=8):
            assert _op(0) == (0, 5, 8, 3)
            assert _other(0) == (0, 5)
            with F.arg_scope([_op], b=9):
                assert _op(0) == (0, 9, 8, 3)
            assert _op(0) == (0, 5, 8, 3)
        assert _op(0) == (0, 5, 2, 3)


def test_saved_scope_is_reusable_and_current_arg_scope_reports_it():
    with F.arg_scope([_op], b=4):
        with F.arg_scope([_other], b=11) as sc:
            current = F.current_arg_scope()
            assert current is sc
    assert F.current_arg_scope() == {}
    key_op, key_other = F.arg_scope_func_key(_op), F.arg_scope_func_key(_other)
    assert sc == {key_op: {"b": 4}, key_other: {"b": 11}}
    with F.arg_scope(sc):
        assert _op(0) == (0, 4, 2, 3)
        assert _other(0) == (0, 11)
    assert _other(0) == (0, 10)


def test_arg_scope_bad_input():
    with pytest.raises(ValueError, match="not decorated with @add_arg_scope"):
        with F.arg_scope([_plain], b=2):
            pass
    with pytest.raises(TypeError, match="list/tuple or reused scope"):
        with F.arg_scope(_op, b=2):
            pass
    with pytest.raises(ValueError, match="kwargs must be empty"):
        with F.arg_scope({}, b=2):
            pass


def test_has_arg_scope_and_arg_scoped_arguments():
    assert F.has_arg_scope(_op)
    assert not F.has_arg_scope(_plain)
    assert F.arg_scoped_arguments(_op) == ("b", "c", "d")
    assert _op.__name__ == "_op"
    with pytest.raises(ValueError):
        F.arg_scoped_arguments(_plain)


def test_arg_scope_over_model_variable():
    with F.arg_scope([F.model_variable], initializer=tf.constant_initializer(3.0)):
        v = F.model_variable("w", shape=[2])
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        np.testing.assert_array_equal(s.run(v), [3.0, 3.0])


# ------------------------------------------------------------------ variables


def _names(variables):
    return [v.op.name for v in variables]


def _make_vars():
    with tf.variable_scope("net"):
        with tf.variable_scope("conv1"):
            F.model_variable("weights", shape=[2])
            F.model_variable("biases", shape=[1])
        with tf.variable_scope("logits"):
            F.variable("weights", shape=[3])
    F.local_variable(np.zeros(2, np.float32), name="counter")
    tf.get_variable("weights", shape=[1])


def test_collections_of_model_and_local_variables():
    _make_vars()
    assert _names(F.get_model_variables()) == ["net/conv1/weights", "net/conv1/biases"]
    assert _names(F.get_local_variables()) == ["counter"]
    assert "counter" not in _names(F.get_trainable_variables())
    assert _names(F.get_variables()) == ["net/conv1/weights", "net/conv1/biases",
                                         "net/logits/weights", "weights"]
    assert _names(F.get_variables("net/logits")) == ["net/logits/weights"]
    assert _names(F.get_variables(suffix="biases")) == ["net/conv1/biases"]
    assert _names(F.get_variables_by_suffix("weights", scope="net")) == [
        "net/conv1/weights", "net/logits/weights"]
    assert _names(F.get_variables_by_name("weights")) == [
        "net/conv1/weights", "net/logits/weights", "weights"]
    assert F.get_unique_variable("net/conv1/weights").op.name == "net/conv1/weights"
    with pytest.raises(ValueError, match="Couldn't find variable"):
        F.get_unique_variable("nope")
    assert F.get_variable_full_name(F.get_unique_variable("weights")) == "weights"


def test_get_variables_to_restore_include_exclude():
    _make_vars()
    assert _names(F.get_variables_to_restore()) == [
        "net/conv1/weights", "net/conv1/biases", "net/logits/weights", "weights"]
    assert _names(F.get_variables_to_restore(include=["net"], exclude=["net/logits"])) == [
        "net/conv1/weights", "net/conv1/biases"]
    assert _names(F.get_variables_to_restore(exclude=["net/conv1/biases", "weights"])) == [
        "net/conv1/weights", "net/logits/weights"]
    with pytest.raises(TypeError, match="include is provided but is not a list"):
        F.get_variables_to_restore(include="net")
    with pytest.raises(TypeError, match="exclude is provided but is not a list"):
        F.get_variables_to_restore(exclude="net")


def test_filter_variables():
    _make_vars()
    all_vars = F.get_variables()
    got = F.filter_variables(all_vars, include_patterns=["conv1", "logits"],
                             exclude_patterns=["biases"])
    assert _names(got) == ["net/conv1/weights", "net/logits/weights"]
    # re.match anchors at the start: "weights" matches only the top-level variable.
    assert _names(F.filter_variables(all_vars, ["weights"], reg_search=False)) == ["weights"]


def test_assign_from_values():
    _make_vars()
    op, feed = F.assign_from_values({"net/conv1/weights": np.array([1.5, -2.0]),
                                     "weights": np.array([[7.0]])})
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        s.run(op, feed)
        np.testing.assert_array_equal(s.run(F.get_unique_variable("net/conv1/weights")),
                                      [1.5, -2.0])
        np.testing.assert_array_equal(s.run(F.get_unique_variable("weights")), [7.0])
        fn = F.assign_from_values_fn({"net/logits/weights": np.array([1.0, 2.0, 3.0])})
        fn(s)
        np.testing.assert_array_equal(s.run(F.get_unique_variable("net/logits/weights")),
                                      [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="wasn't found"):
        F.assign_from_values({"missing": np.zeros(1)})


def _save_checkpoint(tmp_path):
    a = tf.Variable(np.array([1.0, 2.0], np.float32), name="a")
    b = tf.Variable(np.array([[3.0, 4.0, 5.0]], np.float32), name="scope/b")
    saver = tf.train.Saver([a, b])
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        path = saver.save(s, str(tmp_path / "model.ckpt"))
    tf.reset_default_graph()
    return path


def test_assign_from_checkpoint_and_fn(tmp_path):
    path = _save_checkpoint(tmp_path)
    a = tf.get_variable("a", shape=[2], initializer=tf.zeros_initializer())
    b = tf.get_variable("scope/b", shape=[1, 3], initializer=tf.zeros_initializer())
    other = tf.get_variable("other", shape=[1], initializer=tf.zeros_initializer())
    op, feed = F.assign_from_checkpoint(path, [a, b])
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        s.run(op, feed)
        np.testing.assert_array_equal(s.run(a), [1.0, 2.0])
        np.testing.assert_array_equal(s.run(b), [[3.0, 4.0, 5.0]])
    with pytest.raises(ValueError, match=r"Checkpoint is missing variable \[other\]"):
        F.assign_from_checkpoint(path, [a, other])
    op, feed = F.assign_from_checkpoint(path, {"scope/b": b, "other": other},
                                        ignore_missing_vars=True)
    assert len(feed) == 1

    fn = F.assign_from_checkpoint_fn(path, [a, b, other], ignore_missing_vars=True)
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        fn(s)
        np.testing.assert_array_equal(s.run(a), [1.0, 2.0])
        np.testing.assert_array_equal(s.run(b), [[3.0, 4.0, 5.0]])
        np.testing.assert_array_equal(s.run(other), [0.0])
    assert F.assign_from_checkpoint_fn(path, [other], ignore_missing_vars=True) is None
    with pytest.raises(ValueError, match="var_list cannot be empty"):
        F.assign_from_checkpoint_fn(path, [])


def test_assign_from_checkpoint_renamed_and_shape_mismatch(tmp_path):
    path = _save_checkpoint(tmp_path)
    renamed = tf.get_variable("new_a", shape=[2], initializer=tf.zeros_initializer())
    wrong = tf.get_variable("new_b", shape=[3], initializer=tf.zeros_initializer())
    fn = F.assign_from_checkpoint_fn(path, {"a": renamed})
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        fn(s)
        np.testing.assert_array_equal(s.run(renamed), [1.0, 2.0])
    with pytest.raises(ValueError, match="Total size of new array must be unchanged"):
        F.assign_from_checkpoint(path, {"scope/b": wrong})


def test_global_step_and_nest():
    step = F.get_or_create_global_step()
    assert step.op.name == "global_step"
    assert F.get_global_step() is step
    assert F.get_or_create_global_step() is step
    assert F.nest.flatten({"b": [1, 2], "a": 3}) == [3, 1, 2]
