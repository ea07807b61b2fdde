"""Static (possibly partial) tensor shapes: `TensorShape` and `Dimension`, as in TF1."""

from __future__ import annotations

from typing import Any, Iterable, Iterator, Optional


class Dimension:
    """One dimension of a static shape; ``value`` is an int or None when unknown.

    Compares equal to ints (``shape[0] == 3``) and converts with ``int()``, as TF1's does.
    """

    __slots__ = ("_value",)

    def __init__(self, value: Any) -> None:
        if isinstance(value, Dimension):
            value = value.value
        if value is not None:
            try:
                as_int = int(value)
            except (TypeError, ValueError):
                raise TypeError(f"Dimension value must be an int or None, got {value!r}") from None
            if as_int != value:
                raise TypeError(f"Dimension value must be an integer, got {value!r}")
            if as_int < 0:
                raise ValueError(f"Dimension {as_int} must be >= 0")
            value = as_int
        self._value = value

    @property
    def value(self) -> Optional[int]:
        return self._value

    def __int__(self) -> int:
        if self._value is None:
            raise TypeError("Cannot convert an unknown Dimension to int")
        return self._value

    __index__ = __int__

    def __eq__(self, other: Any) -> Any:
        other = _dim_value(other)
        if self._value is None or other is None:
            return None if other is not NotImplemented else NotImplemented
        return self._value == other

    def __ne__(self, other: Any) -> Any:
        result = self.__eq__(other)
        return result if result is None or result is NotImplemented else not result

    def __hash__(self) -> int:
        return hash(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)

    def is_compatible_with(self, other: Any) -> bool:
        other = _dim_value(other)
        return self._value is None or other is None or self._value == other

    def merge_with(self, other: Any) -> "Dimension":
        other_value = _dim_value(other)
        if not self.is_compatible_with(other_value):
            raise ValueError(f"Dimensions {self} and {other_value} are not compatible")
        return Dimension(self._value if self._value is not None else other_value)

    def _arith(self, other: Any, fn) -> "Dimension":
        other = _dim_value(other)
        if other is NotImplemented:
            return NotImplemented
        if self._value is None or other is None:
            return Dimension(None)
        return Dimension(fn(self._value, other))

    def __add__(self, other): return self._arith(other, lambda a, b: a + b)
    def __radd__(self, other): return self._arith(other, lambda a, b: b + a)
    def __sub__(self, other): return self._arith(other, lambda a, b: a - b)
    def __rsub__(self, other): return self._arith(other, lambda a, b: b - a)
    def __mul__(self, other): return self._arith(other, lambda a, b: a * b)
    def __rmul__(self, other): return self._arith(other, lambda a, b: b * a)
    def __floordiv__(self, other): return self._arith(other, lambda a, b: a // b)
    def __mod__(self, other): return self._arith(other, lambda a, b: a % b)

    def __lt__(self, other): return _compare(self, other, lambda a, b: a < b)
    def __le__(self, other): return _compare(self, other, lambda a, b: a <= b)
    def __gt__(self, other): return _compare(self, other, lambda a, b: a > b)
    def __ge__(self, other): return _compare(self, other, lambda a, b: a >= b)

    def __repr__(self) -> str:
        return f"Dimension({self._value})"

    def __str__(self) -> str:
        return "?" if self._value is None else str(self._value)


def _dim_value(other: Any) -> Any:
    if isinstance(other, Dimension):
        return other.value
    if other is None or isinstance(other, int):
        return other
    try:
        return int(other)
    except (TypeError, ValueError):
        return NotImplemented


def _compare(dim: Dimension, other: Any, fn) -> Optional[bool]:
    other = _dim_value(other)
    if dim.value is None or other is None:
        return None
    return fn(dim.value, other)


def dimension_value(dimension: Any) -> Optional[int]:
    """The int (or None) of a Dimension or int, as `tf.compat.v1.dimension_value`."""
    return dimension.value if isinstance(dimension, Dimension) else dimension


class TensorShape:
    """A static shape: unknown rank (``dims is None``) or a list of Dimensions.

    >>> TensorShape([None, 784]).as_list()
    [None, 784]
    """

    __slots__ = ("_dims",)

    def __init__(self, dims: Any) -> None:
        if isinstance(dims, TensorShape):
            self._dims = dims._dims
        elif dims is None:
            self._dims = None
        elif isinstance(dims, (int, Dimension)) and not isinstance(dims, bool):
            self._dims = (Dimension(dims),)
        else:
            try:
                self._dims = tuple(Dimension(d) for d in dims)
            except TypeError:
                raise TypeError(f"A shape must be a list of ints or None, got {dims!r}") from None

    @property
    def dims(self) -> Optional[list]:
        return None if self._dims is None else list(self._dims)

    @property
    def ndims(self) -> Optional[int]:
        return None if self._dims is None else len(self._dims)

    rank = ndims

    def as_list(self) -> list:
        """The dimensions as ints or None; raises ValueError for an unknown rank."""
        if self._dims is None:
            raise ValueError("as_list() is not defined on an unknown TensorShape.")
        return [d.value for d in self._dims]

    def as_tuple(self) -> Optional[tuple]:
        """The dimensions as a tuple of ints or None, or None for an unknown rank."""
        return None if self._dims is None else tuple(d.value for d in self._dims)

    def is_fully_defined(self) -> bool:
        return self._dims is not None and all(d.value is not None for d in self._dims)

    def num_elements(self) -> Optional[int]:
        if not self.is_fully_defined():
            return None
        count = 1
        for d in self._dims:
            count *= d.value
        return count

    def is_compatible_with(self, other: Any) -> bool:
        other = as_shape(other)
        if self._dims is None or other._dims is None:
            return True
        if len(self._dims) != len(other._dims):
            return False
        return all(a.is_compatible_with(b) for a, b in zip(self._dims, other._dims))

    def merge_with(self, other: Any) -> "TensorShape":
        other = as_shape(other)
        if self._dims is None:
            return other
        if other._dims is None:
            return self
        if not self.is_compatible_with(other):
            raise ValueError(f"Shapes {self} and {other} are not compatible")
        return TensorShape([a.merge_with(b) for a, b in zip(self._dims, other._dims)])

    def assert_is_compatible_with(self, other: Any) -> None:
        if not self.is_compatible_with(other):
            raise ValueError(f"Shapes {self} and {as_shape(other)} are incompatible")

    def assert_has_rank(self, rank: int) -> None:
        if self._dims is not None and len(self._dims) != rank:
            raise ValueError(f"Shape {self} must have rank {rank}")

    def with_rank(self, rank: int) -> "TensorShape":
        self.assert_has_rank(rank)
        return self if self._dims is not None else unknown_shape(rank)

    def with_rank_at_least(self, rank: int) -> "TensorShape":
        if self._dims is not None and len(self._dims) < rank:
            raise ValueError(f"Shape {self} must have rank at least {rank}")
        return self

    def concatenate(self, other: Any) -> "TensorShape":
        other = as_shape(other)
        if self._dims is None or other._dims is None:
            return TensorShape(None)
        return TensorShape(self._dims + other._dims)

    def __len__(self) -> int:
        if self._dims is None:
            raise ValueError("Cannot take the length of a shape with unknown rank.")
        return len(self._dims)

    def __iter__(self) -> Iterator[Dimension]:
        if self._dims is None:
            raise ValueError("Cannot iterate over a shape with unknown rank.")
        return iter(self._dims)

    def __getitem__(self, key: Any) -> Any:
        if self._dims is None:
            return Dimension(None) if not isinstance(key, slice) else TensorShape(None)
        if isinstance(key, slice):
            return TensorShape(self._dims[key])
        return self._dims[key]

    def __bool__(self) -> bool:
        return self._dims is not None

    def __eq__(self, other: Any) -> bool:
        try:
            other = as_shape(other)
        except TypeError:
            return NotImplemented
        return self.as_tuple() == other.as_tuple()

    def __ne__(self, other: Any) -> bool:
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    def __hash__(self) -> int:
        return hash(self.as_tuple())

    def __repr__(self) -> str:
        if self._dims is None:
            return "TensorShape(None)"
        # As TF1: TensorShape([Dimension(None), Dimension(3)])
        return f"TensorShape([{', '.join(repr(d) for d in self._dims)}])"

    def __str__(self) -> str:
        if self._dims is None:
            return "<unknown>"
        inner = ", ".join(str(d) for d in self._dims)
        return f"({inner},)" if len(self._dims) == 1 else f"({inner})"


def as_shape(shape: Any) -> TensorShape:
    """Converts a TensorShape, list, tuple, int or None to a TensorShape."""
    return shape if isinstance(shape, TensorShape) else TensorShape(shape)


def unknown_shape(rank: Optional[int] = None) -> TensorShape:
    """A shape of unknown rank, or of known rank with every dimension unknown."""
    return TensorShape(None if rank is None else [None] * rank)


def scalar() -> TensorShape:
    return TensorShape([])


def broadcast_shapes(a: TensorShape, b: TensorShape) -> Optional[TensorShape]:
    """numpy broadcasting of two static shapes; None when they cannot broadcast."""
    if a.ndims is None or b.ndims is None:
        return TensorShape(None)
    da, db = a.as_list(), b.as_list()
    rank = max(len(da), len(db))
    da = [1] * (rank - len(da)) + da
    db = [1] * (rank - len(db)) + db
    out = []
    for x, y in zip(da, db):
        if x == 1:
            out.append(y)
        elif y == 1:
            out.append(x)
        elif x is None:
            out.append(y)
        elif y is None or x == y:
            out.append(x)
        else:
            return None
    return TensorShape(out)


def shape_iter(dims: Iterable[Any]) -> list:
    """Dimension values (ints or None) of an iterable of dims."""
    return [dimension_value(d) for d in dims]
