"""`tf.debugging.assert_shapes`: checks the shapes of several
tensors at once, with dimension names shared across them, as TF's check_ops.

Each constraint is `(tensor, shape)`; a shape is an iterable of
- an int (the dimension has exactly that size),
- a string naming the dimension (every dimension with that name has the same size),
- None or "." (any size);
its first entry may be `...` or "*" (any number of leading dimensions). A scalar counts
as a vector of size 1 (so `[]` and `(1,)` both accept it). Violations that the static
shapes already show raise ValueError now; the rest are checked at run time
(InvalidArgumentError).
"""

from __future__ import annotations

from typing import Any, Optional

from flowgraph.graph import control_dependencies
from flowgraph.ops.assertions import Assert
from flowgraph.ops.check_ops import assert_rank, assert_rank_at_least, assert_rank_in
from flowgraph.ops.compare import equal
from flowgraph.ops.constant import constant, convert_to_tensor
from flowgraph.ops.control import group
from flowgraph.ops.elementwise import op_scope
from flowgraph.ops.shape_ops import rank as rank_of
from flowgraph.ops.shape_ops import shape as shape_of

__all__ = ["assert_shapes"]


def _has_known_value(size: Any) -> bool:
    if size is None:
        return False
    try:
        int(size)
    except (ValueError, TypeError):
        return False
    return True


def _is_any_size(symbol: Any) -> bool:
    return symbol is None or (isinstance(symbol, str) and symbol == ".")


def _is_ellipsis(symbol: Any) -> bool:
    return symbol is Ellipsis or (isinstance(symbol, str) and symbol == "*")


def _dimension_sizes(x: Any) -> Any:
    """The sizes of x's dimensions: ints where static, else scalar tensors; a scalar is
    (1,)."""
    from flowgraph.control_flow.cond import cond

    dynamic = shape_of(x)
    ndims = x.shape.ndims
    if ndims == 0:
        return (1,)
    if ndims is not None:
        return [int(s) if s is not None else dynamic[i]
                for i, s in enumerate(x.shape.as_list())]
    return cond(equal(rank_of(x), 0), lambda: constant([1]), lambda: dynamic)


def _parse(tensor: Any, symbolic_shape: Any, prefix: str) -> tuple:
    """(innermost, symbols): whether the shape starts with `...`, and the named sizes."""
    if not (hasattr(symbolic_shape, "__iter__") or hasattr(symbolic_shape, "__getitem__")):
        raise ValueError(f"{prefix}Tensor {tensor.name}.  Specified shape must be an iterable.  "
                         "An iterable has the attribute `__iter__` or `__getitem__`.  "
                         f"Received specified shape: {symbolic_shape}")
    symbols = tuple(symbolic_shape)
    innermost = False
    for i, symbol in enumerate(symbols):
        if not _is_ellipsis(symbol):
            continue
        if i != 0:
            raise ValueError(f"{prefix}Tensor {tensor.name} specified shape index {i}.  "
                             "Symbol `...` or `*` for a variable number of unspecified "
                             "dimensions is only allowed as the first entry")
        innermost = True
    if innermost:
        symbols = symbols[1:]
    return innermost, (symbols if symbols else (1,))


def _rank_assertion(tensor: Any, innermost: bool, rank: int, data: Any, summarize: Any,
                    message: Any, name: Optional[str]) -> Any:
    if innermost:
        if rank in (0, 1):
            return None
        return assert_rank_at_least(tensor, rank, data=data, summarize=summarize,
                                    message=message, name=name)
    if rank in (0, 1):
        # A scalar is treated as a vector of size 1.
        return assert_rank_in(tensor, [0, 1], data=data, summarize=summarize,
                              message=message, name=name)
    return assert_rank(tensor, rank, data=data, summarize=summarize, message=message,
                       name=name)


def assert_shapes(shapes: Any, data: Any = None, summarize: Optional[int] = None,
                  message: Optional[str] = None, name: Optional[str] = None) -> Any:
    """Assert the shapes of tensors and the equality of their named dimensions.

    Parameters
    ----------
    shapes : list of (tensor, shape) pairs, or a dict {tensor: shape}
        A shape of None puts no constraint on its tensor.
    data : list, optional
        Tensors to print when a run-time check fails (default: a description).
    summarize : int, optional
        How many entries of each data tensor to print.
    message : str, optional
        Prefix of the error messages.
    name : str, optional
        Name scope (default "assert_shapes").

    Returns
    -------
    Operation: fails with InvalidArgumentError at run time unless every constraint
    holds (a no-op when the static shapes prove them all).

    >>> fg.debugging.assert_shapes([(x, ("N", "Q")), (y, ("N", "D")), (b, ("Q",))])
    """
    if isinstance(shapes, dict):
        shapes = shapes.items()
    prefix = f"{message}.  " if message else ""
    with op_scope(name, "assert_shapes", []):
        constraints = [(convert_to_tensor(x), s) for x, s in shapes if s is not None]
        parsed = []
        for tensor, symbolic_shape in constraints:
            innermost, symbols = _parse(tensor, symbolic_shape, prefix)
            parsed.append((tensor, innermost, _dimension_sizes(tensor), symbols))
        rank_assertions = []
        for tensor, innermost, _, symbols in parsed:
            assertion = _rank_assertion(tensor, innermost, len(symbols), data, summarize,
                                        message, name)
            if assertion is not None:
                rank_assertions.append(assertion)
        size_assertions = []
        specified: dict = {}
        for tensor, innermost, actual_sizes, symbols in parsed:
            for i, symbol in enumerate(symbols):
                if _is_any_size(symbol):
                    continue
                dim = i - len(symbols) if innermost else i
                known = _has_known_value(symbol)
                if not known and symbol not in specified:
                    # The first tensor with this dimension name defines its size (read
                    # after the rank checks, so that the slice cannot fail first).
                    with control_dependencies(rank_assertions):
                        specified[symbol] = (actual_sizes[dim], tensor, dim)
                    continue
                if known:
                    expected, how = int(symbol), "Specified explicitly"
                else:
                    expected, by, at = specified[symbol]
                    how = f"Specified by tensor {by.name} dimension {at}"
                with control_dependencies(rank_assertions):
                    actual = actual_sizes[dim]
                if _has_known_value(actual) and _has_known_value(expected):
                    if int(actual) != int(expected):
                        raise ValueError(f"{prefix}{how}.  Tensor {tensor.name} dimension "
                                         f"{dim} must have size {int(expected)}.  Received "
                                         f"size {int(actual)}, shape {tensor.shape}")
                    continue
                condition = equal(convert_to_tensor(actual), convert_to_tensor(expected))
                data_ = data
                if data is None:
                    data_ = [prefix, how, f"Tensor {tensor.name} dimension", dim,
                             "must have size", expected, "Received shape: ",
                             shape_of(tensor)]
                size_assertions.append(Assert(condition, data_, summarize=summarize))
        with control_dependencies(rank_assertions):
            return group(*size_assertions)
