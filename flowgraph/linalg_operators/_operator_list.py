"""Checks shared by operators built from a list of LinearOperators (block diag, Kronecker)."""

from __future__ import annotations

from typing import Any, Optional

from flowgraph.linalg_operators.base import LinearOperator


def check_operator_list(operators: Any, wrapper: str) -> list:
    """Return `operators` as a non-empty list of same-dtype LinearOperators, or raise."""
    if isinstance(operators, LinearOperator) or not hasattr(operators, "__iter__"):
        raise TypeError(
            f"{wrapper} expects a list of LinearOperators, got {type(operators).__name__}."
        )
    operators = list(operators)
    if not operators:
        raise ValueError(f"Expected a non-empty list of operators. Found: {operators}")
    for op in operators:
        if not isinstance(op, LinearOperator):
            raise TypeError(
                f"Expected a list of LinearOperator, got {type(op).__name__}. Wrap dense "
                "matrices in tf.linalg.LinearOperatorFullMatrix."
            )
    dtype = operators[0].dtype
    for op in operators:
        if op.dtype != dtype:
            names = "   ".join(str((o.name, o.dtype.name)) for o in operators)
            raise TypeError(f"Expected all operators to have the same dtype.  Found {names}")
    return operators


def all_hint(operators: list, attr: str, provided: Optional[bool], message: str):
    """If every operator has hint `attr`, the combination has it too (raise if told False)."""
    if all(getattr(op, attr) for op in operators):
        if provided is False:
            raise ValueError(message)
        return True
    return provided


def static_dim(dim: Any, what: str, op: LinearOperator) -> int:
    """The static value of a dimension; flowgraph needs block sizes at graph build."""
    value = getattr(dim, "value", dim)
    if value is None:
        raise ValueError(
            f"The {what} of operator {op.name} (shape {op.shape}) must be known when the "
            "graph is built; give its tensors a static shape."
        )
    return int(value)
