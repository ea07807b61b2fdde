"""KL divergences between distributions: the `RegisterKL` decorator and `kl_divergence`.

The table of registered KL functions is a registry (like the op registry): filled when the
distribution modules are imported, keyed by the pair of distribution classes. Lookup walks
both classes' method resolution orders and takes the closest registered pair, as TF1's.
"""

from __future__ import annotations

import inspect
from typing import Any, Callable, Optional

import flowgraph as fg

__all__ = ["RegisterKL", "kl_divergence"]

_DIVERGENCES: dict = {}


def _registered_kl(type_a: type, type_b: type) -> Optional[Callable]:
    """The KL function registered for the nearest pair of ancestors of (type_a, type_b)."""
    best_distance = None
    kl_fn = None
    for mro_to_a, parent_a in enumerate(inspect.getmro(type_a)):
        for mro_to_b, parent_b in enumerate(inspect.getmro(type_b)):
            candidate = _DIVERGENCES.get((parent_a, parent_b))
            distance = mro_to_a + mro_to_b
            if candidate is not None and (kl_fn is None or distance < best_distance):
                best_distance = distance
                kl_fn = candidate
    return kl_fn


def kl_divergence(distribution_a: Any, distribution_b: Any, allow_nan_stats: bool = True,
                  name: Optional[str] = None) -> fg.Tensor:
    """KL[distribution_a || distribution_b], batched over the distributions' batch shape.

    With `allow_nan_stats=False` a run that computes any NaN fails with
    InvalidArgumentError instead of returning it. Raises NotImplementedError when no KL
    is registered for the two types (see `RegisterKL`).
    """
    kl_fn = _registered_kl(type(distribution_a), type(distribution_b))
    if kl_fn is None:
        raise NotImplementedError(
            f"No KL(distribution_a || distribution_b) registered for distribution_a type "
            f"{type(distribution_a).__name__} and distribution_b type "
            f"{type(distribution_b).__name__}; register one with "
            f"@fg.distributions.RegisterKL({type(distribution_a).__name__}, "
            f"{type(distribution_b).__name__})")
    with fg.name_scope("KullbackLeibler"):
        kl_t = kl_fn(distribution_a, distribution_b, name=name)
        if allow_nan_stats:
            return kl_t
        kl_t = fg.identity(kl_t, name="kl")
        message = (f"KL calculation between {distribution_a.name} and {distribution_b.name} "
                   f"returned NaN values (and was called with allow_nan_stats=False). Values:")
        check = fg.Assert(fg.logical_not(fg.reduce_any(fg.is_nan(kl_t))), [message, kl_t])
        with fg.control_dependencies([check]):
            return fg.identity(kl_t, name="checked_kl")


def cross_entropy(ref: Any, other: Any, allow_nan_stats: bool = True,
                  name: Optional[str] = None) -> fg.Tensor:
    """H[ref, other] = entropy(ref) + KL[ref || other], in nats."""
    with fg.name_scope(name or "cross_entropy"):
        return ref.entropy() + kl_divergence(ref, other, allow_nan_stats=allow_nan_stats)


class RegisterKL:
    """Decorator registering a KL divergence function for a pair of distribution classes.

    Example
    -------
    >>> @fg.distributions.RegisterKL(MyDist, MyDist)
    ... def _kl_mine(a, b, name=None):
    ...     return ...
    """

    def __init__(self, dist_cls_a: type, dist_cls_b: type) -> None:
        self._key = (dist_cls_a, dist_cls_b)

    def __call__(self, kl_fn: Callable) -> Callable:
        if not callable(kl_fn):
            raise TypeError(f"kl_fn must be callable, received: {kl_fn!r}")
        if self._key in _DIVERGENCES:
            raise ValueError(f"KL({self._key[0].__name__} || {self._key[1].__name__}) has "
                             f"already been registered to: {_DIVERGENCES[self._key]}")
        _DIVERGENCES[self._key] = kl_fn
        return kl_fn
