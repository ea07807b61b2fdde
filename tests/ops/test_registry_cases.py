"""Runs every OpCase and checks that every registered op has one."""

import pytest

import flowgraph as fg
from tests.ops.cases import all_cases
from tests.ops.harness import check_inference, check_values, run_case

CASES = all_cases()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_forward_values_and_inferred_specs(case):
    tensors, values = run_case(case, "exact")
    check_inference(tensors, values, case)
    check_values(values, case)


@pytest.mark.parametrize("case", [c for c in CASES if c.partial_shapes and c.inputs],
                         ids=[c.id for c in CASES if c.partial_shapes and c.inputs])
@pytest.mark.parametrize("mode", ["rank", "unknown"])
def test_partial_shape_inference(case, mode):
    tensors, values = run_case(case, mode)
    check_inference(tensors, values, case)
    check_values(values, case)


def test_every_registered_op_has_a_case():
    covered = {c.op_type for c in CASES}
    missing = sorted(set(fg.registered_ops()) - covered)
    assert not missing, f"registered ops without an OpCase in tests/ops/cases: {missing}"
