"""fg.map_fn, fg.scan, fg.foldl, fg.foldr: loops over the first axis of tensors, built (as
TF1's) from fg.while_loop and fg.TensorArray, so they are differentiable."""

from __future__ import annotations

from typing import Any, Callable, Optional

from flowgraph import dtypes
from flowgraph.control_flow import nest
from flowgraph.control_flow.tensor_array import TensorArray
from flowgraph.control_flow.while_loop import while_loop
from flowgraph.graph import Tensor, name_scope
from flowgraph.ops.constant import constant, convert_to_tensor
from flowgraph.shapes import TensorShape

__all__ = ["map_fn", "scan", "foldl", "foldr"]


def _check_fn(fn: Any) -> None:
    if not callable(fn):
        raise TypeError("fn must be callable.")


def _elements(elems: Any, what: str) -> list:
    if elems is None or (nest.is_sequence(elems) and not nest.flatten(elems)):
        raise ValueError(f"{what}: elems must be a Tensor or a non-empty (possibly nested) "
                         "sequence of Tensors.")
    flat = [convert_to_tensor(e, name="elem") for e in nest.flatten(elems)]
    for t in flat:
        if t.shape.ndims == 0:
            raise ValueError(f"{what}: elems must be a 1+ dimensional Tensor, not a scalar "
                             f"({t.name})")
    return flat


def _length(flat: list) -> tuple:
    """(static length or None, length tensor) of the first axis shared by `flat`."""
    from flowgraph.ops.shape_ops import shape
    static = TensorShape([None])
    for t in flat:
        dims = t.shape.as_tuple()
        if dims is not None:
            static = static.merge_with(TensorShape([dims[0]]))
    n_static = static.as_tuple()[0]
    n = constant(n_static, dtype=dtypes.int32) if n_static is not None else shape(flat[0])[0]
    return n_static, n


def _unstacked(flat: list, n: Tensor) -> list:
    return [TensorArray(dtype=t.dtype, size=n, dynamic_size=False, infer_shape=True).unstack(t)
            for t in flat]


def _stacked(tas: list, n_static: Optional[int]) -> list:
    results = []
    for ta in tas:
        r = ta.stack()
        dims = r.shape.as_tuple()
        rest = TensorShape(list(dims[1:])) if dims else TensorShape(None)
        r.set_shape(TensorShape([n_static]).concatenate(rest))
        results.append(r)
    return results


def map_fn(fn: Callable, elems: Any, dtype: Any = None, parallel_iterations: Optional[int] = None,
           back_prop: bool = True, swap_memory: bool = False, infer_shape: bool = True,
           name: Optional[str] = None, fn_output_signature: Any = None) -> Any:
    """`fn` applied to each slice of `elems` along its first axis, results stacked, as TF1's
    `tf.map_fn`.

    `elems` may be a nested structure of tensors of the same first dimension; `fn` gets
    slices in that structure. `dtype` gives the structure and dtypes of `fn`'s result when
    they differ from `elems`'. `fn_output_signature` (the later TF name, also accepted by
    `tf.compat.v1.map_fn`) does the same with DTypes or TensorSpecs.

    >>> fg.map_fn(lambda x: x * x, fg.constant([1.0, 2.0, 3.0]))  # [1, 4, 9]
    """
    _check_fn(fn)
    if fn_output_signature is not None:
        if dtype is not None:
            raise ValueError("map_fn: dtype and fn_output_signature cannot both be "
                             "specified; pass only fn_output_signature.")
        dtype = nest.map_structure(lambda s: getattr(s, "dtype", s), fn_output_signature)
    with name_scope(name, "map", nest.flatten(elems) if nest.is_sequence(elems) else [elems]):
        flat = _elements(elems, "map_fn")
        out_structure = elems if dtype is None else dtype
        out_dtypes = [t.dtype for t in flat] if dtype is None else \
            [dtypes.as_dtype(d) for d in nest.flatten(dtype)]
        n_static, n = _length(flat)
        elems_ta = _unstacked(flat, n)
        accs = [TensorArray(dtype=d, size=n, dynamic_size=False, infer_shape=infer_shape)
                for d in out_dtypes]

        def compute(i: Tensor, tas: list) -> tuple:
            packed = nest.pack_sequence_as(elems, [ta.read(i) for ta in elems_ta])
            value = fn(packed)
            try:
                nest.assert_same_structure(out_structure, value)
            except (TypeError, ValueError) as exc:
                raise type(exc)(f"map_fn: fn's result must have the structure of "
                                f"{'dtype' if dtype is not None else 'elems'}: {exc}") from None
            flat_values = nest.flatten(value)
            return (i + 1, [ta.write(i, v) for ta, v in zip(tas, flat_values)])

        _, results = while_loop(lambda i, _: i < n, compute, (constant(0), accs),
                                parallel_iterations=parallel_iterations or 10,
                                back_prop=back_prop, swap_memory=swap_memory,
                                maximum_iterations=n)
        return nest.pack_sequence_as(out_structure, _stacked(results, n_static))


def scan(fn: Callable, elems: Any, initializer: Any = None, parallel_iterations: int = 10,
         back_prop: bool = True, swap_memory: bool = False, infer_shape: bool = True,
         reverse: bool = False, name: Optional[str] = None) -> Any:
    """The successive values of ``a = fn(a, x)`` over the slices x of `elems` along their
    first axis (from the end with `reverse`), stacked, as TF1's `tf.scan`.

    Without `initializer`, the first slice is the initial accumulator (and the first
    result).

    >>> fg.scan(lambda a, x: a + x, fg.constant([1, 2, 3]))  # [1, 3, 6]
    """
    _check_fn(fn)
    with name_scope(name, "scan", nest.flatten(elems) if nest.is_sequence(elems) else [elems]):
        flat = _elements(elems, "scan")
        n_static, n = _length(flat)
        elems_ta = _unstacked(flat, n)
        if initializer is None:
            first = n - 1 if reverse else 0
            a_flat = [ta.read(first) for ta in elems_ta]
            structure = elems
            i = n - 2 if reverse else constant(1)
        else:
            a_flat = [convert_to_tensor(v) for v in nest.flatten(initializer)]
            structure = initializer
            i = n - 1 if reverse else constant(0)
        accs = [TensorArray(dtype=a.dtype, size=n, dynamic_size=False, infer_shape=infer_shape)
                for a in a_flat]
        if initializer is None:
            accs = [ta.write(n - 1 if reverse else 0, a) for ta, a in zip(accs, a_flat)]

        def compute(i: Tensor, a: list, tas: list) -> tuple:
            packed_elems = nest.pack_sequence_as(elems, [ta.read(i) for ta in elems_ta])
            out = fn(nest.pack_sequence_as(structure, a), packed_elems)
            try:
                nest.assert_same_structure(structure, out)
            except (TypeError, ValueError) as exc:
                raise type(exc)(f"scan: fn's result must have the structure of "
                                f"{'elems' if initializer is None else 'initializer'}: "
                                f"{exc}") from None
            flat_out = nest.flatten(out)
            tas = [ta.write(i, v) for ta, v in zip(tas, flat_out)]
            return (i - 1 if reverse else i + 1, flat_out, tas)

        def condition(i: Tensor, a: list, tas: list) -> Tensor:
            return i >= 0 if reverse else i < n

        _, _, results = while_loop(condition, compute, (i, a_flat, accs),
                                   parallel_iterations=parallel_iterations,
                                   back_prop=back_prop, swap_memory=swap_memory,
                                   maximum_iterations=n)
        return nest.pack_sequence_as(structure, _stacked(results, n_static))


def _fold(fn: Callable, elems: Any, initializer: Any, parallel_iterations: int,
          back_prop: bool, swap_memory: bool, name: Optional[str], right: bool) -> Any:
    _check_fn(fn)
    what = "foldr" if right else "foldl"
    with name_scope(name, what, nest.flatten(elems) if nest.is_sequence(elems) else [elems]):
        flat = _elements(elems, what)
        _, n = _length(flat)
        elems_ta = _unstacked(flat, n)

        def read(i: Tensor) -> Any:
            return nest.pack_sequence_as(elems, [ta.read(i) for ta in elems_ta])

        if right:
            if initializer is None:
                a = read(n - 1)
                start = n - 1
            else:
                a = initializer
                start = n

            def compute(i: Tensor, acc: Any) -> list:
                i = i - 1
                return [i, fn(acc, read(i))]

            _, result = while_loop(lambda i, acc: i > 0, compute, [start, a],
                                   parallel_iterations=parallel_iterations,
                                   back_prop=back_prop, swap_memory=swap_memory,
                                   maximum_iterations=n)
            return result
        if initializer is None:
            a = read(0)
            start = constant(1)
        else:
            a = initializer
            start = constant(0)

        def compute_left(i: Tensor, acc: Any) -> list:
            return [i + 1, fn(acc, read(i))]

        _, result = while_loop(lambda i, acc: i < n, compute_left, [start, a],
                               parallel_iterations=parallel_iterations, back_prop=back_prop,
                               swap_memory=swap_memory, maximum_iterations=n)
        return result


def foldl(fn: Callable, elems: Any, initializer: Any = None, parallel_iterations: int = 10,
          back_prop: bool = True, swap_memory: bool = False,
          name: Optional[str] = None) -> Any:
    """``fn(...fn(fn(initializer, x0), x1)..., xn-1)`` over the slices of `elems` along
    their first axis, as TF1's `tf.foldl` (without `initializer`, x0 starts).

    >>> fg.foldl(lambda a, x: a + x, fg.constant([1, 2, 3]))  # 6
    """
    return _fold(fn, elems, initializer, parallel_iterations, back_prop, swap_memory, name,
                 right=False)


def foldr(fn: Callable, elems: Any, initializer: Any = None, parallel_iterations: int = 10,
          back_prop: bool = True, swap_memory: bool = False,
          name: Optional[str] = None) -> Any:
    """`fn` folded over the slices of `elems` from the last to the first, as TF1's
    `tf.foldr` (without `initializer`, the last slice starts).

    >>> fg.foldr(lambda a, x: a - x, fg.constant([1, 2, 3]))  # 3 - 2 - 1 = 0
    """
    return _fold(fn, elems, initializer, parallel_iterations, back_prop, swap_memory, name,
                 right=True)
