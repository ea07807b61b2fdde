"""Cases for Variable state ops; values are hand-computed."""

import numpy as np

import flowgraph as fg
from tests.ops.harness import OpCase

V = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], dtype=np.float32)


def _var():
    return fg.Variable(V, name="v")


def _after_init(make):
    """Builds an update that runs in the same run as, and after, the initializer."""
    def build(*inputs):
        v = _var()
        with fg.control_dependencies([v.initializer]):
            return make(v, *inputs)
    return build


CASES = [
    OpCase("VariableV2", lambda: _var().value(), expected=V, init_variables=True),
    OpCase("Assign", lambda x: fg.assign(_var(), x), [V * 2], expected=V * 2),
    OpCase("AssignAdd", _after_init(lambda v, d: fg.assign_add(v, d)),
           [np.float32([[1, 1], [1, 1], [1, 1]])],
           expected=np.float32([[2, 3], [4, 5], [6, 7]])),
    OpCase("AssignSub", _after_init(lambda v, d: fg.assign_sub(v, d)),
           [np.float32([[1, 1], [1, 1], [1, 1]])],
           expected=np.float32([[0, 1], [2, 3], [4, 5]])),
    OpCase("ScatterUpdate", _after_init(lambda v, i, u: fg.scatter_update(v, i, u)),
           [np.int32([2, 0]), np.float32([[9, 9], [7, 7]])],
           expected=np.float32([[7, 7], [3, 4], [9, 9]])),
    OpCase("ScatterAdd", _after_init(lambda v, i, u: fg.scatter_add(v, i, u)),
           [np.int64([1, 1]), np.float32([[1, 2], [10, 20]])],
           expected=np.float32([[1, 2], [14, 26], [5, 6]])),
    OpCase("ScatterSub", _after_init(lambda v, i, u: fg.scatter_sub(v, i, u)),
           [np.int32([0]), np.float32([[1, 1]])],
           expected=np.float32([[0, 1], [3, 4], [5, 6]])),
    OpCase("IsVariableInitialized", lambda: fg.is_variable_initialized(_var()),
           expected=np.bool_(False)),
    OpCase("ReportUninitializedVariables",
           lambda: [fg.Variable(1.0, name="a"), fg.report_uninitialized_variables()][1],
           expected=np.array([b"a"], dtype=object)),
    OpCase("VariableValueOrInitial",
           lambda: fg.Variable(fg.add(_var(), 1.0), name="w").value(),
           expected=V + 1, init_variables=True),
]
