"""Registry-driven op tests: each registered op type needs at least one OpCase.

An OpCase builds a small graph from placeholders fed with `inputs`, runs it, and checks:
- the values against `expected` (an independent numpy reference, or literal values), or a
  custom `check(outputs, inputs)` for ops such as random ones;
- every output's dtype against the inferred dtype, and its shape against the inferred
  (partial) shape, once with exactly known input shapes and once with unknown ones;
- that the graph really contains a node of `op_type`.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable, Optional, Sequence

import numpy as np

import flowgraph as fg


@dataclasses.dataclass
class OpCase:
    op_type: str
    build: Callable[..., Any]
    inputs: Sequence[Any] = ()
    expected: Any = None
    check: Optional[Callable[..., None]] = None
    rtol: float = 1e-6
    atol: float = 1e-6
    # Some ops need a known rank or known values at build time: skip the unknown-shape pass.
    partial_shapes: bool = True
    # Run fg.global_variables_initializer() before fetching (stateful cases).
    init_variables: bool = False
    name: str = ""
    # Gradient check (tests/ops/test_registry_gradients.py): float inputs are fed as
    # float64 (or `grad_inputs`, e.g. to stay away from kinks), compared with central
    # finite differences. Set grad=False for a case that cannot be checked that way.
    grad: bool = True
    grad_inputs: Optional[Sequence[Any]] = None
    grad_rtol: float = 1e-5
    grad_atol: float = 1e-6

    def __post_init__(self) -> None:
        self.inputs = [np.asarray(v) if not isinstance(v, np.ndarray) else v
                       for v in self.inputs]

    @property
    def id(self) -> str:
        return f"{self.op_type}-{self.name}" if self.name else self.op_type


def _placeholder_for(value: np.ndarray, shape_mode: str) -> fg.Tensor:
    dtype = fg.string if value.dtype.kind in "SUO" else fg.as_dtype(value.dtype)
    if shape_mode == "exact":
        shape = list(value.shape)
    elif shape_mode == "rank":
        shape = [None] * value.ndim
    else:
        shape = None
    return fg.placeholder(dtype, shape)


def _flatten(result: Any) -> list:
    if isinstance(result, (list, tuple)):
        out = []
        for r in result:
            out.extend(_flatten(r))
        return out
    return [result]


def run_case(case: OpCase, shape_mode: str = "exact") -> tuple:
    """Builds and runs the case; returns (output tensors, output values)."""
    graph = fg.Graph()
    with graph.as_default():
        holders = [_placeholder_for(v, shape_mode) for v in case.inputs]
        outputs = _flatten(case.build(*holders))
        types = {op.type for op in graph.get_operations()}
        if case.op_type not in types:
            raise AssertionError(f"case {case.id} built no {case.op_type} node; got "
                                 f"{sorted(types)}")
        tensors = [o for o in outputs if isinstance(o, fg.Tensor)]
        with fg.Session(graph=graph) as sess:
            if case.init_variables:
                sess.run(fg.global_variables_initializer())
            values = sess.run(tensors, feed_dict=dict(zip(holders, case.inputs)))
    return tensors, values


def check_inference(tensors: Sequence[fg.Tensor], values: Sequence[Any], case: OpCase) -> None:
    for t, v in zip(tensors, values):
        v = np.asarray(v)
        if t.dtype.is_string:
            assert v.dtype.kind in "OS", f"{case.id}: {t.name} inferred string, got {v.dtype}"
        else:
            assert v.dtype == t.dtype.np, (f"{case.id}: {t.name} inferred dtype "
                                           f"{t.dtype.name}, kernel gave {v.dtype}")
        assert t.shape.is_compatible_with(v.shape), (
            f"{case.id}: {t.name} inferred shape {t.shape}, kernel gave {v.shape}")


def check_values(values: Sequence[Any], case: OpCase) -> None:
    if case.check is not None:
        case.check(values, case.inputs)
        return
    expected = case.expected(*case.inputs) if callable(case.expected) else case.expected
    expected = _flatten(expected) if isinstance(expected, (list, tuple)) and \
        len(values) > 1 else [expected]
    assert len(expected) == len(values), f"{case.id}: {len(values)} outputs, expected " \
                                         f"{len(expected)}"
    for got, want in zip(values, expected):
        got = np.asarray(got)
        want = np.asarray(want)
        assert got.shape == want.shape, f"{case.id}: shape {got.shape}, expected {want.shape}"
        if got.dtype.kind in "fc" or want.dtype.kind in "fc":
            np.testing.assert_allclose(got.astype(np.float64), want.astype(np.float64),
                                       rtol=case.rtol, atol=case.atol, err_msg=case.id)
        else:
            np.testing.assert_array_equal(got, want, err_msg=case.id)
