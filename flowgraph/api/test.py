"""`fg.test`: TF1's gradient checker."""

from flowgraph.gradient_checker import compute_gradient, compute_gradient_error
