"""The global step (TF1's training_util)."""

import numpy as np
import pytest

import flowgraph as fg


@pytest.fixture
def graph():
    g = fg.Graph()
    with g.as_default():
        yield g


def test_get_or_create_global_step(graph):
    assert fg.train.get_global_step() is None
    step = fg.train.get_or_create_global_step()
    assert step.op.name == "global_step" and step.dtype == fg.int64
    assert step.shape == fg.TensorShape([])
    assert not step.trainable
    assert fg.get_collection(fg.GraphKeys.GLOBAL_STEP) == [step]
    assert step in fg.global_variables()
    assert fg.train.get_global_step() is step
    assert fg.train.get_or_create_global_step() is step
    with pytest.raises(ValueError, match='"global_step" already exists'):
        fg.train.create_global_step()
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        assert fg.train.global_step(sess, step) == 0
        assert isinstance(fg.train.global_step(sess, step), int)


def test_create_global_step_ignores_name_scopes(graph):
    with fg.name_scope("outer"):
        step = fg.train.create_global_step()
    assert step.op.name == "global_step"


def test_global_step_of_another_graph(graph):
    other = fg.Graph()
    step = fg.train.get_or_create_global_step(other)
    assert step.graph is other
    assert fg.train.get_global_step() is None
    assert fg.train.get_global_step(other) is step


def test_global_step_found_by_name_and_checked(graph):
    v = fg.Variable(np.int64(0), name="global_step", trainable=False)
    found = fg.train.get_global_step()
    assert found.op is v.op
    with pytest.raises(TypeError, match="integer"):
        fg.train.assert_global_step(fg.Variable(0.5, name="f"))
    with pytest.raises(TypeError, match="scalar"):
        fg.train.assert_global_step(fg.Variable([1, 2], name="v"))
    with pytest.raises(TypeError, match="Variable or Tensor"):
        fg.train.assert_global_step(3)
