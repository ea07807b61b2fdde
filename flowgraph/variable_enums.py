"""TF1's ``tf.VariableSynchronization`` and ``tf.VariableAggregation`` and their validation.

flowgraph runs in one process without distribution strategies, so the values only matter as
TF1 uses them when a variable is made: ``ON_READ`` variables are not trainable, and bad
values are rejected with the errors TF 1.15 raises.
"""

from __future__ import annotations

import enum
from typing import Any, Optional

__all__ = ["VariableAggregation", "VariableSynchronization"]


class VariableSynchronization(enum.Enum):
    """When a distributed variable is synchronized (TF1's ``tf.VariableSynchronization``).

    ``AUTO`` lets the distribution strategy choose, ``NONE`` keeps one copy, ``ON_WRITE``
    updates every copy on write and ``ON_READ`` aggregates the copies when read (such a
    variable cannot be trainable).
    """

    AUTO = 0
    NONE = 1
    ON_WRITE = 2
    ON_READ = 3


class VariableAggregation(enum.Enum):
    """How updates to a distributed variable are combined (TF1's ``tf.VariableAggregation``).

    ``ONLY_FIRST_TOWER`` is TF1's deprecated alias of ``ONLY_FIRST_REPLICA``.
    """

    NONE = 0
    SUM = 1
    MEAN = 2
    ONLY_FIRST_REPLICA = 3
    ONLY_FIRST_TOWER = 3


def validate_synchronization_aggregation_trainable(
        synchronization: Any, aggregation: Any, trainable: Optional[bool],
        name: Any) -> tuple:
    """Defaults and checks a variable's (synchronization, aggregation, trainable), as TF 1.15:
    None means ``AUTO`` / ``NONE``; an int is read as the enum value; trainable defaults to
    True unless the variable is synchronized ``ON_READ``."""
    if aggregation is None:
        aggregation = VariableAggregation.NONE
    elif not isinstance(aggregation, VariableAggregation):
        try:
            aggregation = VariableAggregation(aggregation)
        except ValueError:
            raise ValueError(f"Invalid variable aggregation mode: {aggregation} for variable: "
                             f"{name}. Use a member of fg.VariableAggregation "
                             f"({', '.join(VariableAggregation.__members__)}).") from None
    if synchronization is None:
        synchronization = VariableSynchronization.AUTO
    else:
        try:
            synchronization = VariableSynchronization(synchronization)
        except ValueError:
            raise ValueError(f"Invalid variable synchronization mode: {synchronization} for "
                             f"variable: {name}. Use a member of fg.VariableSynchronization "
                             f"({', '.join(VariableSynchronization.__members__)}).") from None
    if trainable is None:
        trainable = synchronization != VariableSynchronization.ON_READ
    return synchronization, aggregation, trainable


def trainable_for_get_variable(synchronization: Any, trainable: Optional[bool]) -> bool:
    """get_variable's trainable flag, as TF 1.15's ``_get_trainable_value``: an ``ON_READ``
    variable is never trainable, and asking for one that is raises ValueError."""
    if synchronization == VariableSynchronization.ON_READ:
        if trainable:
            raise ValueError(
                "Synchronization value can be set to VariableSynchronization.ON_READ only for "
                "non-trainable variables. You have specified trainable=True and "
                "synchronization=VariableSynchronization.ON_READ.")
        return False
    return True if trainable is None else trainable
