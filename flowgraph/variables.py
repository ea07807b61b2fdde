"""Variables: graph nodes whose values persist in each Session across runs."""

from __future__ import annotations

from typing import Any, Optional, Sequence

from flowgraph import dtypes
from flowgraph.graph import GraphKeys, Operation, Tensor, get_default_graph, init_scope
from flowgraph.ops import state
from flowgraph.ops.constant import convert_to_tensor, identity
from flowgraph.ops.control import group
from flowgraph.ops.registry import apply_op
from flowgraph.partitioned_variables import SaveSliceInfo
from flowgraph.shapes import TensorShape, as_shape
from flowgraph.variable_creator import VariableCreatorMeta
from flowgraph.variable_enums import (
    VariableAggregation,
    VariableSynchronization,
    validate_synchronization_aggregation_trainable,
)
from flowgraph.variable_updates import VariableDef, VariableUpdates

__all__ = ["Variable", "global_variables_initializer", "variables_initializer",
           "local_variables_initializer", "global_variables", "local_variables",
           "trainable_variables", "model_variables", "moving_average_variables",
           "all_variables", "initialize_all_variables", "report_uninitialized_variables",
           "is_variable_initialized", "assert_variables_initialized", "tables_initializer",
           "initialize_local_variables",
           "initialize_all_tables"]


class Variable(VariableUpdates, metaclass=VariableCreatorMeta):
    """A value that persists across `Session.run` calls (each Session holds its own).

    It must be initialized before it is read: ``sess.run(fg.global_variables_initializer())``.

    >>> w = fg.Variable(fg.zeros([784, 10]), name="w")
    >>> w.name
    'w:0'
    """

    def __init__(self, initial_value: Any = None, trainable: Optional[bool] = None,
                 collections: Optional[Sequence[str]] = None, validate_shape: bool = True,
                 caching_device: Any = None, name: Optional[str] = None,
                 variable_def: Any = None, dtype: Any = None, expected_shape: Any = None,
                 import_scope: Optional[str] = None, constraint: Any = None,
                 use_resource: Optional[bool] = None, synchronization: Any = None,
                 aggregation: Any = None, shape: Any = None) -> None:
        if variable_def is not None:
            if initial_value is not None:
                raise ValueError("variable_def and initial_value are mutually exclusive.")
            self._init_from_proto(variable_def, import_scope)
            return
        if initial_value is None:
            raise ValueError("initial_value must be specified: fg.Variable(initial_value, ...)")
        if constraint is not None and not callable(constraint):
            raise ValueError(f"The `constraint` argument must be callable, got {constraint!r}")
        synchronization, aggregation, trainable = validate_synchronization_aggregation_trainable(
            synchronization, aggregation, trainable, name)
        self._synchronization, self._aggregation = synchronization, aggregation
        trainable = bool(trainable)
        if collections is None:
            collections = [GraphKeys.GLOBAL_VARIABLES]
        collections = list(collections)
        if trainable and GraphKeys.TRAINABLE_VARIABLES not in collections:
            collections.append(GraphKeys.TRAINABLE_VARIABLES)
        # As TF1's init_scope: a Variable made inside control_dependencies (an optimizer's
        # slots under `with control_dependencies(update_ops)`) does not inherit them, so
        # its initializer never needs the feeds those ops need; one made while a cond branch
        # or loop body is built goes into the outermost graph.
        with init_scope() as graph, graph.name_scope(name or "Variable") as scope:
            if callable(initial_value):
                with graph.name_scope("Initializer"):
                    initial_value = initial_value()
            value = convert_to_tensor(initial_value, dtype=dtype, name="initial_value")
            value = _guard_variable_reads(value)
            if dtype is not None and value.dtype != dtypes.as_dtype(dtype):
                raise ValueError(f"Variable dtype {dtypes.as_dtype(dtype).name} does not match "
                                 f"its initial value's dtype {value.dtype.name}")
            var_shape = as_shape(shape) if shape is not None else (
                value.shape if validate_shape else TensorShape(None))
            if validate_shape and not value.shape.is_fully_defined():
                raise ValueError(f"initial_value of Variable {scope[:-1]!r} must have a fully "
                                 f"defined shape when validate_shape=True, got "
                                 f"{value.shape}. Pass validate_shape=False for a variable "
                                 "whose shape is only known at run time.")
            if not var_shape.is_compatible_with(value.shape):
                raise ValueError(f"Variable {scope[:-1]!r}: shape {var_shape} is not compatible "
                                 f"with the initial value's shape {value.shape}")
            self._variable = apply_op(state.VariableV2(shape=var_shape, dtype=value.dtype),
                                      [], name=scope, graph=graph)
            self._initial_value = value
            self._initializer_op = state.assign(self._variable, value,
                                                validate_shape=validate_shape,
                                                name="Assign").op
            with graph.colocate_with(self._variable.op):
                self._snapshot = identity(self._variable, name="read")
        self._trainable = trainable
        self._constraint = constraint
        self._save_slice_info = None
        graph.add_to_collections(collections, self)

    def _init_from_proto(self, variable_def: dict, import_scope: Optional[str] = None) -> None:
        """Rebuilds a Variable from the existing nodes `variable_def` names (`to_proto`)."""
        if not isinstance(variable_def, dict):
            raise TypeError(f"variable_def must be a dict (from Variable.to_proto()), got "
                            f"{type(variable_def).__name__}")
        graph = get_default_graph()

        def element(key: str, required: bool = True) -> Any:
            name = variable_def.get(key)
            if not name:
                if required:
                    raise ValueError(f"variable_def has no {key!r}: {variable_def!r:.200}")
                return None
            return graph.as_graph_element(_prepend_scope(name, import_scope))

        self._variable = element("variable_name")
        if not isinstance(self._variable, Tensor) or not getattr(
                self._variable.op.op_def, "is_variable", False):
            raise ValueError(f"variable_def names {variable_def['variable_name']!r}, which is "
                             "not the output of a Variable node")
        self._initializer_op = element("initializer_name")
        self._snapshot = element("snapshot_name")
        self._initial_value = element("initial_value_name", required=False)
        self._trainable = bool(variable_def.get("trainable", True))
        self._constraint = None
        self._save_slice_info = None
        if isinstance(variable_def.get("save_slice_info_def"), dict):
            self._save_slice_info = SaveSliceInfo.from_proto(
                variable_def["save_slice_info_def"], import_scope)

    def to_proto(self, export_scope: Optional[str] = None) -> Optional[dict]:
        """The names of this Variable's nodes (TF1's VariableDef fields, as a dict whose keys
        also read as attributes: ``to_proto().variable_name``), relative to `export_scope`;
        None if the Variable is outside that scope."""
        names = {"variable_name": self._variable.name,
                 "initializer_name": self._initializer_op.name,
                 "snapshot_name": self._snapshot.name,
                 "initial_value_name": (self._initial_value.name
                                        if self._initial_value is not None else "")}
        if export_scope:
            prefix = export_scope.rstrip("/") + "/"
            if not names["variable_name"].startswith(prefix):
                return None
            names = {key: value[len(prefix):] if value.startswith(prefix) else value
                     for key, value in names.items()}
        names["trainable"] = self._trainable
        names["is_resource"] = False
        if self._save_slice_info is not None:
            names["save_slice_info_def"] = self._save_slice_info.to_proto(export_scope)
        return VariableDef(names)

    @staticmethod
    def from_proto(variable_def: dict, import_scope: Optional[str] = None) -> "Variable":
        """The Variable whose nodes `variable_def` (from `to_proto`) names, in the default
        graph."""
        return Variable(variable_def=variable_def, import_scope=import_scope)

    # -- TF1 properties
    @property
    def name(self) -> str:
        return self._variable.name

    @property
    def op(self) -> Operation:
        return self._variable.op

    @property
    def dtype(self) -> dtypes.DType:
        return self._variable.dtype

    @property
    def shape(self) -> TensorShape:
        return self._variable.shape

    def get_shape(self) -> TensorShape:
        return self._variable.shape

    @property
    def graph(self) -> Any:
        return self._variable.graph

    @property
    def device(self) -> str:
        return self._variable.device

    @property
    def trainable(self) -> bool:
        return self._trainable

    @property
    def synchronization(self) -> VariableSynchronization:
        return getattr(self, "_synchronization", VariableSynchronization.AUTO)

    @property
    def aggregation(self) -> VariableAggregation:
        return getattr(self, "_aggregation", VariableAggregation.NONE)

    @property
    def constraint(self) -> Any:
        return self._constraint

    @property
    def initializer(self) -> Operation:
        """The op that sets this Variable to its initial value."""
        return self._initializer_op

    @property
    def initial_value(self) -> Tensor:
        return self._initial_value

    def initialized_value(self) -> Tensor:
        """The value, initializing the Variable first (for initial values of other Variables)."""
        from flowgraph.ops.control import with_dependencies
        return with_dependencies([self._initializer_op], self._initial_value)

    def value(self) -> Tensor:
        """The Variable's value as a Tensor (its `read` node)."""
        return self._snapshot

    def read_value(self) -> Tensor:
        """A new read of the Variable's value."""
        return identity(self._variable, name="read")

    # -- updates
    def assign(self, value: Any, use_locking: bool = False, name: Optional[str] = None,
               read_value: bool = True) -> Any:
        result = state.assign(self._variable, value, use_locking=use_locking, name=name)
        return result if read_value else result.op

    def assign_add(self, delta: Any, use_locking: bool = False, name: Optional[str] = None,
                   read_value: bool = True) -> Any:
        result = state.assign_add(self._variable, delta, use_locking=use_locking, name=name)
        return result if read_value else result.op

    def assign_sub(self, delta: Any, use_locking: bool = False, name: Optional[str] = None,
                   read_value: bool = True) -> Any:
        result = state.assign_sub(self._variable, delta, use_locking=use_locking, name=name)
        return result if read_value else result.op

    def load(self, value: Any, session: Any = None) -> None:
        """Sets the Variable's value in `session` (default: the default session) from numpy,
        without adding nodes to the graph."""
        from flowgraph.graph import get_default_session
        from flowgraph.runtime.state import NodeContext
        session = session or get_default_session()
        if session is None:
            raise ValueError("Variable.load needs a session: pass session= or use a default "
                             "session.")
        import numpy as np

        from flowgraph.ops.constant import to_numpy
        array = np.asarray(to_numpy(value, self.dtype))
        if not self.shape.is_compatible_with(array.shape):
            raise ValueError(f"Cannot load a value of shape {array.shape} into Variable "
                             f"{self.op.name} of shape {self.shape}")
        NodeContext(self.op, session.state).write_variable(self.op.name, array)

    def eval(self, session: Any = None) -> Any:
        """The Variable's value in `session` (default: the default session)."""
        return self._snapshot.eval(session=session)

    # -- conversion protocols
    def _read_for_use(self) -> Tensor:
        """The tensor an op built now reads. Under `control_dependencies` it is a fresh read
        that waits for them: in TF1 a ref Variable's reads alias its buffer, so `with
        control_dependencies([v.assign_add(1)]): y = tf.identity(v)` sees the updated value,
        and TF1 code relies on that idiom."""
        graph = get_default_graph()
        if graph is self._variable.graph and graph._current_control_inputs([self._variable]):
            return identity(self._variable, name="read")
        return self._snapshot

    def __fg_tensor__(self) -> Tensor:
        return self._read_for_use()

    def __fg_fetch__(self) -> tuple:
        """Fetching a Variable reads it when the run ends, as TF1's ref fetch does:
        ``sess.run([train_op, global_step])`` gives the step after the update."""
        return [self._variable], lambda values: values[0]

    def __fg_control__(self) -> Operation:
        # As TF1: a control dependency on a Variable is on its variable node ("^v"), which
        # runs without reading the value (so it needs no initialization).
        return self._variable.op

    def _as_graph_element(self) -> Tensor:
        return self._snapshot

    def __repr__(self) -> str:
        return (f"<fg.Variable '{self.name}' shape={self.shape} dtype={self.dtype.name}>")

    def __hash__(self) -> int:
        return id(self)

    def __eq__(self, other: Any) -> bool:
        return self is other

    def __bool__(self) -> bool:
        return self._snapshot.__bool__()

    def __iter__(self):
        return iter(self._snapshot)


def _delegate(name: str):
    def method(self: Variable, *args: Any) -> Any:
        return getattr(self._read_for_use(), name)(*args)

    method.__name__ = name
    return method


for _name in ("__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__",
              "__truediv__", "__rtruediv__", "__floordiv__", "__rfloordiv__", "__mod__",
              "__rmod__", "__pow__", "__rpow__", "__matmul__", "__rmatmul__", "__neg__",
              "__abs__", "__lt__", "__le__", "__gt__", "__ge__", "__and__", "__rand__",
              "__or__", "__ror__", "__xor__", "__rxor__", "__invert__"):
    setattr(Variable, _name, _delegate(_name))
Variable.__array_priority__ = 100
Variable.SaveSliceInfo = SaveSliceInfo  # TF1's tf.Variable.SaveSliceInfo


def _prepend_scope(name: str, scope: Optional[str]) -> str:
    return f"{scope.rstrip('/')}/{name}" if scope else name


def _guard_variable_reads(value: Tensor) -> Tensor:
    """The initial value, with every read of another Variable replaced by "its value if
    initialized, else its initial value" (as TF1 guards such dependencies), so that one
    `global_variables_initializer()` run initializes them in any order."""
    memo: dict = {}

    def reads_variables(op: Operation) -> bool:
        if op not in memo:
            memo[op] = getattr(op.op_def, "is_variable", False) or any(
                reads_variables(t.op) for t in op.inputs)
        return memo[op]

    if not reads_variables(value.op):
        return value
    copies: dict = {}

    def guarded(t: Tensor) -> Tensor:
        op = t.op
        if not reads_variables(op):
            return t
        if getattr(op.op_def, "is_variable", False):
            variable = _variable_of(op)
            if variable is None:
                return t
            return apply_op(state.VariableValueOrInitial(), [t, variable.initial_value],
                            name="Initializer/guard")
        if op not in copies:
            inputs = [guarded(i) for i in op.inputs]
            copies[op] = op.graph.create_op(op.op_def, inputs, name=f"Initializer/{op.type}")
        return copies[op].outputs[t.value_index]

    return guarded(value)


def _variable_of(op: Operation) -> Optional["Variable"]:
    for variable in op.graph.get_collection(GraphKeys.GLOBAL_VARIABLES) + \
            op.graph.get_collection(GraphKeys.LOCAL_VARIABLES):
        if isinstance(variable, Variable) and variable.op is op:
            return variable
    return None


# --------------------------------------------------------------------------- collections
def global_variables(scope: Optional[str] = None) -> list:
    return get_default_graph().get_collection(GraphKeys.GLOBAL_VARIABLES, scope)


def all_variables() -> list:
    return global_variables()


def local_variables(scope: Optional[str] = None) -> list:
    return get_default_graph().get_collection(GraphKeys.LOCAL_VARIABLES, scope)


def trainable_variables(scope: Optional[str] = None) -> list:
    return get_default_graph().get_collection(GraphKeys.TRAINABLE_VARIABLES, scope)


def model_variables(scope: Optional[str] = None) -> list:
    return get_default_graph().get_collection(GraphKeys.MODEL_VARIABLES, scope)


def moving_average_variables(scope: Optional[str] = None) -> list:
    return get_default_graph().get_collection(GraphKeys.MOVING_AVERAGE_VARIABLES, scope)


def variables_initializer(var_list: Sequence[Variable], name: str = "init") -> Operation:
    """An op that initializes the Variables in `var_list`."""
    graph = var_list[0].graph if var_list else get_default_graph()
    with graph.name_scope(None):
        return group(*[v.initializer for v in var_list], name=name)


def global_variables_initializer() -> Operation:
    """An op that initializes every global Variable of the default graph."""
    return variables_initializer(global_variables())


def initialize_all_variables() -> Operation:
    return global_variables_initializer()


def initialize_local_variables() -> Operation:
    """Deprecated TF1 alias of `local_variables_initializer`."""
    return local_variables_initializer()


def local_variables_initializer() -> Operation:
    """An op that initializes every local Variable (metrics, epoch counters)."""
    return variables_initializer(local_variables())


def tables_initializer(name: str = "init_all_tables") -> Operation:
    """An op running every initializer in the TABLE_INITIALIZERS collection, as TF1's
    `tf.tables_initializer` (a no-op when the graph has none: flowgraph's vocabulary
    lookups need no separate initialization)."""
    return group(*get_default_graph().get_collection(GraphKeys.TABLE_INITIALIZERS), name=name)


initialize_all_tables = tables_initializer


def is_variable_initialized(variable: Variable) -> Tensor:
    return state.is_variable_initialized(variable)


def report_uninitialized_variables(var_list: Optional[Sequence[Variable]] = None,
                                   name: str = "report_uninitialized_variables") -> Tensor:
    """A 1-D string tensor: the names of the Variables not yet initialized in the Session."""
    if var_list is None:
        var_list = global_variables() + local_variables()
    graph = get_default_graph()
    refs = [state._variable_tensor(v) for v in var_list]
    return apply_op(state.ReportUninitializedVariables(), refs, name=name, graph=graph)


def assert_variables_initialized(var_list: Optional[Sequence[Variable]] = None) -> Operation:
    """An op that fails with FailedPreconditionError if any Variable is uninitialized."""
    if var_list is None:
        var_list = global_variables() + local_variables()
    return group(*[v.value() for v in var_list], name="assert_variables_initialized")
