"""Numerical gradient checks, as TF1's `tf.test.compute_gradient(_error)` (implemented in
flowgraph.testing.gradient_checker; kept as an import path)."""

from flowgraph.testing.gradient_checker import compute_gradient, compute_gradient_error

__all__ = ["compute_gradient", "compute_gradient_error"]
