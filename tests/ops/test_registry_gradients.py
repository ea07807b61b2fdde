"""Every differentiable op's gradient against central finite differences in float64.

For each OpCase, the float inputs are fed as float64; the symbolic gradient of
sum(w * outputs) (random weights w) is compared with central differences of the same
objective, computed by running the forward graph with each input element nudged.
Every registered op that is differentiable must have at least one case checked here, or
name in `grad_checked_elsewhere` the test file that checks it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import flowgraph as fg
from tests.ops.cases import all_cases
from tests.ops.harness import _flatten, _placeholder_for

DELTA = 1e-6


def _float64(value: np.ndarray) -> np.ndarray:
    # A contiguous copy, so that nudging value.reshape(-1) nudges the array that is fed
    # (np.array, not np.ascontiguousarray, which turns a 0-d array into shape (1,)).
    return np.array(value, dtype=np.float64, order="C") if value.dtype.kind == "f" else value


def _gradient_case_inputs(case):
    inputs = case.grad_inputs if case.grad_inputs is not None else case.inputs
    return [_float64(np.asarray(v)) for v in inputs]


def _differentiable(case) -> bool:
    op_class = fg.registered_ops()[case.op_type]
    return (op_class.differentiable and not getattr(op_class, "stops_gradient", False)
            and case.grad and any(np.asarray(v).dtype.kind == "f" for v in case.inputs))


GRAD_CASES = [c for c in all_cases() if _differentiable(c)]


def check_gradient(case) -> None:
    inputs = _gradient_case_inputs(case)
    graph = fg.Graph()
    with graph.as_default():
        holders = [_placeholder_for(v, "exact") for v in inputs]
        outputs = [o for o in _flatten(case.build(*holders))
                   if isinstance(o, fg.Tensor) and o.dtype.is_floating]
        assert outputs, f"{case.id}: no floating output to differentiate"
        float_inputs = [(h, v) for h, v in zip(holders, inputs) if v.dtype.kind == "f"]
        feeds = dict(zip(holders, inputs))
        with fg.Session(graph=graph) as sess:
            if case.init_variables:
                sess.run(fg.global_variables_initializer())
            values = sess.run(outputs, feeds)
            rng = np.random.default_rng(7)
            weights = [rng.uniform(0.5, 1.5, np.shape(v)) for v in values]
            weight_holders = [fg.placeholder(o.dtype, np.shape(v))
                              for o, v in zip(outputs, values)]
            grads = fg.gradients(outputs, [h for h, _ in float_inputs],
                                 grad_ys=weight_holders)
            assert any(g is not None for g in grads), \
                f"{case.id}: no gradient reaches any input"
            fetch = [fg.convert_to_tensor(g) if g is not None else None for g in grads]
            feed_all = {**feeds, **dict(zip(weight_holders, weights))}
            symbolic = sess.run([g for g in fetch if g is not None], feed_all)

            def objective() -> float:
                outs = sess.run(outputs, feeds)
                return sum(float(np.sum(w * o)) for w, o in zip(weights, outs))

            it = iter(symbolic)
            for (holder, value), g in zip(float_inputs, fetch):
                got = next(it) if g is not None else np.zeros_like(value)
                numeric = np.zeros(value.shape)
                flat = value.reshape(-1)
                for i in range(flat.size):
                    original = flat[i]
                    flat[i] = original + DELTA
                    plus = objective()
                    flat[i] = original - DELTA
                    minus = objective()
                    flat[i] = original
                    numeric.reshape(-1)[i] = (plus - minus) / (2 * DELTA)
                np.testing.assert_allclose(got, numeric, rtol=case.grad_rtol,
                                           atol=case.grad_atol,
                                           err_msg=f"{case.id}: gradient for {holder.name}")


@pytest.mark.parametrize("case", GRAD_CASES, ids=[c.id for c in GRAD_CASES])
def test_gradient_matches_finite_differences(case):
    check_gradient(case)


def _checked_elsewhere(name: str, cls: type) -> bool:
    """An op whose gradient cannot be checked here (e.g. random ops, whose draws change
    between runs of one Session) names, in `grad_checked_elsewhere`, the test file (relative
    to the repository root) that checks it; that file must exist and mention the op."""
    path = getattr(cls, "grad_checked_elsewhere", None)
    if not isinstance(path, str):
        return False
    file = Path(__file__).resolve().parents[2] / path
    return file.is_file() and name in file.read_text(encoding="utf-8")


def test_every_differentiable_op_has_a_gradient_check():
    checked = {c.op_type for c in GRAD_CASES}
    missing = sorted(name for name, cls in fg.registered_ops().items()
                     if cls.differentiable and not getattr(cls, "stops_gradient", False)
                     and name not in checked and not _checked_elsewhere(name, cls))
    assert not missing, ("differentiable ops without a gradient-checked OpCase (a case "
                         f"with a float input and grad=True): {missing}")
