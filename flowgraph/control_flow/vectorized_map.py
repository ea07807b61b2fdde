"""fg.vectorized_map: TF1's `tf.vectorized_map`, computed as a loop over the first axis.

TF1 vectorizes `fn` with its pfor converter; flowgraph instead traces `fn` once, on one
slice of `elems`, and runs the traced ops in a `fg.map_fn` loop. The results (values,
shapes, dtypes, gradients) are those of ``fg.map_fn(fn, elems)`` with the dtypes of `fn`'s
outputs, which is what TF's vectorized result equals; there is no speed-up from
vectorization.
"""

from __future__ import annotations

from typing import Any, Callable

from flowgraph.control_flow import nest
from flowgraph.control_flow.func_graph import FuncGraph, copy_ops
from flowgraph.control_flow.functional import map_fn
from flowgraph.control_flow.values import to_output
from flowgraph.graph import get_default_graph, name_scope
from flowgraph.ops.constant import convert_to_tensor

__all__ = ["vectorized_map"]


def vectorized_map(fn: Callable, elems: Any) -> Any:
    """`fn` applied to each slice of `elems` along its first axis, results stacked, as
    TF1's `tf.vectorized_map` (``fg.map_fn`` with the output structure taken from `fn`).

    Parameters
    ----------
    fn : callable
        Takes one slice of `elems` (in the structure of `elems`, each leaf without its
        first axis) and returns a (possibly nested) structure of tensors.
    elems : Tensor or nested structure of Tensors
        Tensors of rank >= 1 sharing their first dimension (the batch size).

    Returns
    -------
    The structure `fn` returns, each leaf stacked along a new first axis of the batch size.

    Notes
    -----
    `fn` is called exactly once, when the graph is built (Variables it creates are created
    once); its ops then run for each slice in a while loop. No vectorization is done.

    >>> fg.vectorized_map(lambda x: fg.reduce_sum(x * x), fg.constant([[1., 2.], [3., 4.]]))
    ... # [5., 25.]
    """
    if not callable(fn):
        raise TypeError(f"vectorized_map: fn must be callable, got {fn!r}")
    if elems is None or (nest.is_sequence(elems) and not nest.flatten(elems)):
        raise ValueError("vectorized_map: elems must be a Tensor or a non-empty (possibly "
                         "nested) structure of Tensors.")
    leaves = nest.flatten(elems)
    with name_scope(None, "vectorized_map", leaves):
        flat = [convert_to_tensor(e, name="elems") for e in leaves]
        for t in flat:
            if t.shape.ndims == 0:
                raise ValueError(f"vectorized_map: elems must be Tensors of rank >= 1 (their "
                                 f"first axis is mapped over); {t.name} is a scalar.")
        traced, structure, outputs = _trace(fn, elems, flat)

        def body(slices: Any) -> Any:
            mapping = dict(zip(traced.inputs, nest.flatten(slices)))
            mapping.update((inner, outer) for outer, inner in traced.captures)
            copy_ops(traced, mapping)
            return nest.pack_sequence_as(structure, [mapping[t] for t in outputs])

        out_dtypes = nest.pack_sequence_as(structure, [t.dtype for t in outputs])
        return map_fn(body, nest.pack_sequence_as(elems, flat), dtype=out_dtypes)


def _trace(fn: Callable, elems: Any, flat: list) -> tuple:
    """(FuncGraph, output structure, output tensors) of `fn` called on one slice."""
    outer = get_default_graph()
    graph = FuncGraph("vectorized_map_fn", outer)
    with graph.as_default():
        slices = []
        for t in flat:
            dims = t.shape.as_tuple()
            slices.append(graph.add_input(t.dtype, None if dims is None else list(dims[1:]),
                                          name="elem"))
        result = fn(nest.pack_sequence_as(elems, slices))
    if result is None or not nest.flatten(result):
        raise ValueError("vectorized_map: fn must return a Tensor or a non-empty (possibly "
                         f"nested) structure of Tensors, got {result!r}")
    outputs = [to_output(graph, leaf, "The result of vectorized_map's fn")
               for leaf in nest.flatten(result)]
    return graph, result, outputs
