"""`matmul` with TF's adjoint semantics (conjugate transpose) for complex operands."""

from __future__ import annotations

from typing import Any

import flowgraph as tf


def matmul(a: Any, b: Any, adjoint_a: bool = False, adjoint_b: bool = False):
    """`a @ b` with `a`/`b` replaced by their conjugate transposes when asked.

    flowgraph's `tf.matmul(adjoint_a=True)` only transposes; conjugating here keeps
    complex operators correct (for real dtypes `tf.linalg.adjoint` is a transpose).
    """
    if adjoint_a:
        a = tf.linalg.adjoint(a)
    if adjoint_b:
        b = tf.linalg.adjoint(b)
    return tf.matmul(a, b)
