"""Nested structures of control-flow values (TF1's `nest`): lists, tuples, namedtuples (e.g.
`LSTMStateTuple`) and dicts (by sorted key) of leaves; a TensorArray is a leaf."""

from __future__ import annotations

from typing import Any, Callable

__all__ = ["is_sequence", "is_nested", "flatten", "pack_sequence_as",
           "assert_same_structure", "map_structure"]


def is_sequence(value: Any) -> bool:
    """Whether `value` is a list, tuple (namedtuples included) or dict, not a leaf."""
    return isinstance(value, (list, tuple, dict))


is_nested = is_sequence  # TF's newer name


def _is_namedtuple(value: Any) -> bool:
    return isinstance(value, tuple) and hasattr(type(value), "_fields")


def _items(value: Any) -> list:
    if isinstance(value, dict):
        return [value[k] for k in sorted(value)]
    return list(value)


def _rebuild(like: Any, items: list) -> Any:
    if isinstance(like, dict):
        rebuilt = dict(zip(sorted(like), items))
        return type(like)((k, rebuilt[k]) for k in like)
    if _is_namedtuple(like):
        return type(like)(*items)
    return type(like)(items)


def flatten(structure: Any) -> list:
    """The leaves of `structure`, depth first (dict values in sorted key order)."""
    if not is_sequence(structure):
        return [structure]
    return [leaf for item in _items(structure) for leaf in flatten(item)]


def pack_sequence_as(structure: Any, flat_sequence: Any) -> Any:
    """`flat_sequence` (a list of leaves) arranged like `structure`."""
    flat_sequence = list(flat_sequence)
    count = len(flatten(structure))
    if count != len(flat_sequence):
        raise ValueError(f"Could not pack sequence: the structure has {count} leaves, but "
                         f"{len(flat_sequence)} values were given.")
    position = [0]

    def build(like: Any) -> Any:
        if not is_sequence(like):
            leaf = flat_sequence[position[0]]
            position[0] += 1
            return leaf
        return _rebuild(like, [build(item) for item in _items(like)])

    return build(structure)


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "dict"
    if _is_namedtuple(value):
        return type(value).__name__
    return "sequence"


def assert_same_structure(first: Any, second: Any, check_types: bool = True) -> None:
    """ValueError if the two structures nest differently (TypeError for different kinds of
    sequence when `check_types`)."""
    if is_sequence(first) != is_sequence(second):
        raise ValueError(f"The two structures don't have the same nested structure: "
                         f"{_short(first)} and {_short(second)}")
    if not is_sequence(first):
        return
    if check_types and _kind(first) != _kind(second):
        raise TypeError(f"The two structures don't have the same sequence type: "
                        f"{type(first).__name__} and {type(second).__name__} "
                        f"({_short(first)} and {_short(second)})")
    if isinstance(first, dict) and isinstance(second, dict) and sorted(first) != sorted(second):
        raise ValueError(f"The two dicts don't have the same keys: {sorted(first)} and "
                         f"{sorted(second)}")
    a, b = _items(first), _items(second)
    if len(a) != len(b):
        raise ValueError(f"The two structures don't have the same number of elements: "
                         f"{len(a)} and {len(b)} ({_short(first)} and {_short(second)})")
    for x, y in zip(a, b):
        assert_same_structure(x, y, check_types)


def map_structure(fn: Callable, *structures: Any) -> Any:
    """`fn` applied to the corresponding leaves of `structures`, arranged like the first."""
    for other in structures[1:]:
        assert_same_structure(structures[0], other)
    leaves = [flatten(s) for s in structures]
    return pack_sequence_as(structures[0], [fn(*args) for args in zip(*leaves)])


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."
