"""Reparameterization types of distributions (TF1's `tf.distributions.ReparameterizationType`,
`FULLY_REPARAMETERIZED`, `NOT_REPARAMETERIZED`)."""

from __future__ import annotations

__all__ = ["ReparameterizationType", "FULLY_REPARAMETERIZED", "NOT_REPARAMETERIZED"]


class ReparameterizationType:
    """How samples of a distribution depend on its parameters, as TF1's.

    `FULLY_REPARAMETERIZED`: samples are a differentiable function of the parameters, so
    gradients flow through `sample()`. `NOT_REPARAMETERIZED`: they are not.
    """

    def __init__(self, rep_type: str) -> None:
        self._rep_type = rep_type

    def __repr__(self) -> str:
        return f"<Reparameterization Type: {self._rep_type}>"

    def __eq__(self, other: object) -> bool:
        return self is other

    def __hash__(self) -> int:
        return hash(self._rep_type)


FULLY_REPARAMETERIZED = ReparameterizationType("FULLY_REPARAMETERIZED")
NOT_REPARAMETERIZED = ReparameterizationType("NOT_REPARAMETERIZED")
