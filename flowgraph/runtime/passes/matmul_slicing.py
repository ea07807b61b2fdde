"""Matmul slicing: a matmul whose result is only split, with some pieces unused, computes
just the pieces used.

``Split``/``SplitV`` of ``a @ b`` along the columns gives ``a @ b[:, cols]`` for each
piece; along the rows, ``a[rows] @ b``. When some pieces are read by nobody (typically the
gradient of ``concat([x, h])`` feeding a matmul, where only the part for ``h`` is needed),
the matmul and the split become one node computing the used pieces from views of the
operands: a narrower product, and no split copies. Each piece is the same dot products
(same order of terms) as the full product's columns or rows, so results are unchanged up
to BLAS's choice of kernel for the narrower shape.

Only float matmuls on rank-2 operands with the split sizes, the axis and the split
dimension known when the plan is built are rewritten; the matmul's result must be read by
the split alone, and neither node may be fetched or be another node's control input.
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from flowgraph.runtime.ir import CONST, Guards, Node, PlanGraph
from flowgraph.runtime.options import PlanOptions
from flowgraph.runtime.passes.matching import rewrite_each

_ndarray = np.ndarray


class SlicedMatMul:
    """The used pieces of ``split(matmul(a, b), axis)``: one array per used piece (a tuple
    when there are several).

    Parameters
    ----------
    transpose_a, transpose_b : bool
        The matmul's flags.
    axis : int
        0 (pieces are rows of the product: slices of ``a``) or 1 (columns: slices of ``b``).
    total : int
        The product's size along `axis` the bounds were computed for.
    bounds : tuple of (int, int)
        [start, stop) of each used piece along `axis`.
    dtype : numpy dtype
        The operands' and result's dtype.
    fallback : callable
        ``fallback(a, b)`` runs the original matmul and split (for operands of other
        shapes or types than planned) and returns the used pieces the same way.
    names : tuple of str
        The matmul's and the split's names (for ``repr``).
    """

    def __init__(self, transpose_a: bool, transpose_b: bool, axis: int, total: int,
                 bounds: tuple, dtype: Any, fallback: Any, names: tuple = ()) -> None:
        self.transpose_a = transpose_a
        self.transpose_b = transpose_b
        self.axis = axis
        self.total = total
        self.bounds = bounds
        self.dtype = np.dtype(dtype)
        self.fallback = fallback
        self.names = names

    def __repr__(self) -> str:
        return f"SlicedMatMul({' -> '.join(self.names)}, {self.bounds})"

    def __call__(self, a: Any, b: Any) -> Any:
        dtype = self.dtype
        if type(a) is not _ndarray or type(b) is not _ndarray or a.ndim != 2 or \
                b.ndim != 2 or a.dtype != dtype or b.dtype != dtype:
            return self.fallback(a, b)
        ta, tb = self.transpose_a, self.transpose_b
        inner_a = a.shape[0] if ta else a.shape[1]
        inner_b = b.shape[1] if tb else b.shape[0]
        if self.axis == 1:
            split_dim = b.shape[0] if tb else b.shape[1]
        else:
            split_dim = a.shape[1] if ta else a.shape[0]
        if inner_a != inner_b or split_dim != self.total:
            return self.fallback(a, b)
        pieces = []
        for start, stop in self.bounds:
            if self.axis == 1:
                left = a.T if ta else a
                right = b[start:stop].T if tb else b[:, start:stop]
            else:
                left = a[:, start:stop].T if ta else a[start:stop]
                right = b.T if tb else b
            pieces.append(np.matmul(left, right))
        return pieces[0] if len(pieces) == 1 else tuple(pieces)


def run(graph: PlanGraph, options: PlanOptions) -> int:
    return rewrite_each(graph, _plan, _rewrite)


def _plan(split: Node, guards: Guards) -> Optional[tuple]:
    """(matmul node, axis, total, bounds, used outputs) when `split` can be rewritten."""
    kind = split.op_def.type_name if split.op_def is not None else None
    if kind not in ("Split", "SplitV") or split in guards.pinned:
        return None
    value = split.inputs[0]
    matmul = value.producer
    if matmul is None or matmul.op_def is None or matmul.op_def.type_name != "MatMul":
        return None
    if matmul in guards.pinned or not guards.private(value):
        return None
    out = value.dtype
    if out.np.kind != "f" or any(v.dtype != out for v in matmul.inputs):
        return None
    dims = value.shape.as_tuple() if value.shape is not None else None
    if dims is None or len(dims) != 2:
        return None
    axis = split.op_def.axis
    axis = axis + 2 if axis < 0 else axis
    if axis not in (0, 1) or dims[axis] is None:
        return None
    sizes = _sizes(split, dims[axis])
    if sizes is None or len(sizes) != len(split.outputs):
        return None
    used = [i for i, v in enumerate(split.outputs) if v in guards.fetched or guards.uses.get(v)]
    if not used or len(used) == len(split.outputs):
        return None  # nothing to save, or nothing used (dead code removal drops it)
    starts = np.concatenate([[0], np.cumsum(sizes)]).tolist()
    bounds = tuple((int(starts[i]), int(starts[i + 1])) for i in used)
    return matmul, axis, dims[axis], bounds, [split.outputs[i] for i in used]


def _sizes(split: Node, total: int) -> Optional[list]:
    """The split's piece sizes along its axis (None when not known or not valid: the
    original ops then run, and raise their own errors)."""
    if split.op_def.type_name == "Split":
        n = split.op_def.num_split
        return [total // n] * n if n > 0 and total % n == 0 else None
    sizes_value = split.inputs[1]
    if sizes_value.kind != CONST:
        return None
    sizes = [int(s) for s in np.asarray(sizes_value.data).reshape(-1)]
    free = [i for i, s in enumerate(sizes) if s == -1]
    if len(free) > 1 or any(s < -1 for s in sizes):
        return None
    rest = total - sum(s for s in sizes if s >= 0)
    if free:
        if rest < 0:
            return None
        sizes[free[0]] = rest
    elif rest != 0:
        return None
    return sizes


def _rewrite(graph: PlanGraph, split: Node, matmul: Node, axis: int, total: int,
             bounds: tuple, used: list) -> None:
    from flowgraph.runtime.kernels import plain_kernel
    run_matmul = plain_kernel(matmul)
    run_split = plain_kernel(split)
    split_rest = split.inputs[1:]
    positions = [split.outputs.index(v) for v in used]

    def fallback(a: Any, b: Any) -> Any:
        args = [run_matmul(a, b)] + [v.data for v in split_rest]
        parts = run_split(*args)
        parts = parts if isinstance(parts, tuple) else (parts,)
        picked = [parts[i] for i in positions]
        return picked[0] if len(picked) == 1 else tuple(picked)

    op_def = matmul.op_def
    kernel = SlicedMatMul(op_def.transpose_a, op_def.transpose_b, axis, total, bounds,
                          matmul.outputs[0].dtype.np, fallback, (matmul.name, split.name))
    node = Node(split.op, None, list(matmul.inputs), list(matmul.controls) +
                [c for c in split.controls if c not in matmul.controls])
    node.kernel = kernel
    node.members = (matmul.op, split.op)
    for v in used:
        v.producer = node
    node.outputs = list(used)
    graph.nodes = [node if n is split else n for n in graph.nodes if n is not matmul]
