"""Shared pieces of the Estimator tests: a linear-regression model_fn whose training
steps are re-computed with numpy, and helpers to read model directories."""

import glob
import os

import numpy as np
import pytest

import flowgraph as tf
import flowgraph.estimator  # noqa: F401 - registers tf.estimator until the lead exports it
from flowgraph.summary.writer import FileWriterCache

RNG = np.random.RandomState(1234)
X = RNG.randn(12, 3).astype(np.float32)
TRUE_W = np.array([[1.5], [-2.0], [0.5]], np.float32)
Y = (X @ TRUE_W + 0.25).astype(np.float32)
W0 = np.array([[0.1], [0.2], [0.3]], np.float32)
B0 = np.array([0.05], np.float32)
LR = 0.1


@pytest.fixture(autouse=True)
def close_cached_writers():
    """Event files are flushed and their writer threads ended after each test."""
    yield
    FileWriterCache.clear()


def linear_model_fn(features, labels, mode, params):
    """y = x @ w + b with mean squared error, trained with plain gradient descent."""
    x = features["x"] if isinstance(features, dict) else features
    w = tf.get_variable("w", initializer=tf.constant(W0))
    b = tf.get_variable("b", initializer=tf.constant(B0))
    y = tf.matmul(x, w) + b
    predictions = {"y": y, "double": 2.0 * y}
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions=predictions)
    loss = tf.reduce_mean(tf.square(y - labels))
    train_op = tf.train.GradientDescentOptimizer(params.get("lr", LR)).minimize(
        loss, global_step=tf.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, predictions=predictions, loss=loss,
                                      train_op=train_op)


def full_batch_input_fn():
    """Every step sees all of X (repeats forever)."""
    return tf.estimator.inputs.numpy_input_fn({"x": X}, Y, batch_size=len(X), num_epochs=None,
                                              shuffle=False)


def numpy_gd(steps, w=W0, b=B0, lr=LR, x=X, y=Y):
    """`steps` full-batch gradient steps on mean((x w + b - y)^2), in float64 numpy."""
    w = w.astype(np.float64)
    b = b.astype(np.float64)
    for _ in range(steps):
        err = x @ w + b - y
        n = err.size
        w = w - lr * (2.0 / n) * x.T @ err
        b = b - lr * (2.0 / n) * err.sum(axis=0)
    return w, b


def checkpoint_steps(model_dir):
    """The global steps of the checkpoints present in model_dir, sorted."""
    steps = set()
    for path in glob.glob(os.path.join(str(model_dir), "model.ckpt-*.index")):
        steps.add(int(os.path.basename(path)[len("model.ckpt-"):-len(".index")]))
    return sorted(steps)


def scalar_events(logdir):
    """{tag: [(step, value), ...]} of the scalar summaries in logdir's event files."""
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    acc = EventAccumulator(str(logdir), size_guidance={"scalars": 0})
    acc.Reload()
    return {tag: [(e.step, e.value) for e in acc.Scalars(tag)]
            for tag in acc.Tags()["scalars"]}
