"""TF1 `Variable` methods for sparse and sliced updates (a mixin of `Variable`):
`scatter_update(IndexedSlices)` and friends, `scatter_nd_*`, `batch_scatter_update`,
`count_up_to`, and `v[...]` slices with an `assign` method (TF1's strided_slice_assign).
Also `VariableDef`, what `Variable.to_proto()` returns."""

from __future__ import annotations

from typing import Any, Callable, Optional

from flowgraph.node import Tensor
from flowgraph.ops import state, state_updates


def _sparse(self: Any, update: Callable, sparse_delta: Any, use_locking: bool,
            name: Optional[str]) -> Tensor:
    indices = getattr(sparse_delta, "indices", None)
    values = getattr(sparse_delta, "values", None)
    if indices is None or values is None:
        raise TypeError(f"sparse_delta is not an IndexedSlices: {sparse_delta!r}. Pass "
                        "fg.IndexedSlices(values, indices), or use fg.scatter_update(v, "
                        "indices, updates).")
    return update(self._variable, indices, values, use_locking=use_locking, name=name)


class VariableUpdates:
    """Sparse and sliced updates of a Variable (`self._variable` is its VariableV2 output)."""

    _variable: Tensor
    _save_slice_info: Any

    def scatter_update(self, sparse_delta: Any, use_locking: bool = False,
                       name: Optional[str] = None) -> Tensor:
        """Sets rows `sparse_delta.indices` to `sparse_delta.values` (an IndexedSlices)."""
        return _sparse(self, state.scatter_update, sparse_delta, use_locking, name)

    def scatter_add(self, sparse_delta: Any, use_locking: bool = False,
                    name: Optional[str] = None) -> Tensor:
        """Adds an IndexedSlices to this Variable's rows."""
        return _sparse(self, state.scatter_add, sparse_delta, use_locking, name)

    def scatter_sub(self, sparse_delta: Any, use_locking: bool = False,
                    name: Optional[str] = None) -> Tensor:
        """Subtracts an IndexedSlices from this Variable's rows."""
        return _sparse(self, state.scatter_sub, sparse_delta, use_locking, name)

    def scatter_mul(self, sparse_delta: Any, use_locking: bool = False,
                    name: Optional[str] = None) -> Tensor:
        """Multiplies this Variable's rows by an IndexedSlices."""
        return _sparse(self, state_updates.scatter_mul, sparse_delta, use_locking, name)

    def scatter_div(self, sparse_delta: Any, use_locking: bool = False,
                    name: Optional[str] = None) -> Tensor:
        """Divides this Variable's rows by an IndexedSlices."""
        return _sparse(self, state_updates.scatter_div, sparse_delta, use_locking, name)

    def scatter_max(self, sparse_delta: Any, use_locking: bool = False,
                    name: Optional[str] = None) -> Tensor:
        """Rows become max(row, update) for an IndexedSlices of updates."""
        return _sparse(self, state_updates.scatter_max, sparse_delta, use_locking, name)

    def scatter_min(self, sparse_delta: Any, use_locking: bool = False,
                    name: Optional[str] = None) -> Tensor:
        """Rows become min(row, update) for an IndexedSlices of updates."""
        return _sparse(self, state_updates.scatter_min, sparse_delta, use_locking, name)

    def batch_scatter_update(self, sparse_delta: Any, use_locking: bool = False,
                             name: Optional[str] = None) -> Tensor:
        """`fg.batch_scatter_update` of this Variable with an IndexedSlices."""
        return _sparse(self, state_updates.batch_scatter_update, sparse_delta, use_locking,
                       name)

    def scatter_nd_update(self, indices: Any, updates: Any,
                          name: Optional[str] = None) -> Tensor:
        """`fg.scatter_nd_update` of this Variable."""
        return state_updates.scatter_nd_update(self._variable, indices, updates, True, name)

    def scatter_nd_add(self, indices: Any, updates: Any, name: Optional[str] = None) -> Tensor:
        """`fg.scatter_nd_add` of this Variable."""
        return state_updates.scatter_nd_add(self._variable, indices, updates, True, name)

    def scatter_nd_sub(self, indices: Any, updates: Any, name: Optional[str] = None) -> Tensor:
        """`fg.scatter_nd_sub` of this Variable."""
        return state_updates.scatter_nd_sub(self._variable, indices, updates, True, name)

    def count_up_to(self, limit: int) -> Tensor:
        """Increments this integer Variable and returns its value before the increment;
        OutOfRangeError once it reached `limit` (`fg.count_up_to`)."""
        from flowgraph.ops.reader_ops import count_up_to
        return count_up_to(self, limit)

    def _ref(self) -> Tensor:
        """The Variable node's own output (TF1's ref tensor `name:0`)."""
        return self._variable

    def _set_save_slice_info(self, save_slice_info: Any) -> None:
        """Marks this Variable as a part of a partitioned variable (`SaveSliceInfo`)."""
        self._save_slice_info = save_slice_info

    def _get_save_slice_info(self) -> Any:
        return self._save_slice_info

    def __getitem__(self, key: Any) -> Tensor:
        """``v[key]`` reads a slice; as in TF1 the result has ``.assign(value)``, which
        writes `value` into that slice of the Variable."""
        from flowgraph.ops.slicing import getitem
        sliced = getitem(self._read_for_use(), key)
        if type(sliced) is Tensor and sliced.op.type == "StridedSlice":
            sliced.__class__ = VariableSlice
        return sliced


class VariableSlice(Tensor):
    """A slice read from a Variable (`v[1:, 0]`): a Tensor that can also be assigned to."""

    __slots__ = ()

    def assign(self, value: Any, name: Optional[str] = None) -> Tensor:
        """Writes `value` into this slice of the Variable; returns the Variable's new value
        (TF1's strided_slice_assign)."""
        op = self.op
        source, begin, end, strides = op.inputs
        variable = source
        while not getattr(variable.op.op_def, "is_variable", False):
            variable = variable.op.inputs[0]  # through the read (Identity) nodes
        masks = op.op_def
        return state_updates.strided_slice_assign(
            variable, begin, end, strides, value, name=name, begin_mask=masks.begin_mask,
            end_mask=masks.end_mask, ellipsis_mask=masks.ellipsis_mask,
            new_axis_mask=masks.new_axis_mask, shrink_axis_mask=masks.shrink_axis_mask)


class VariableDef(dict):
    """What `Variable.to_proto()` returns: TF1's VariableDef fields (`variable_name`,
    `initializer_name`, `snapshot_name`, `initial_value_name`, `trainable`, ...) as keys,
    also readable as attributes. JSON-able (meta graphs store it)."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None
