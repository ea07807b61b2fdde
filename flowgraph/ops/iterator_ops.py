"""Iterator ops: the graph side of `fg.data` (TF1's IteratorV2, MakeIterator, IteratorGetNext,
OneShotIterator and ReduceDataset).

An iterator is named by a handle: a scalar string (the iterator op's name, or its
shared_name). `MakeIterator` builds the pipeline of its `dataset` attribute -- a dataset
description (see flowgraph.data.describe), whose captured tensors are the op's inputs after
the handle -- and keeps the pass in progress in the Session's `SessionState.resources`, so
each Session iterates on its own. `IteratorGetNext` pulls the next element; after the last
it raises OutOfRangeError("End of sequence").

The kernels run `flowgraph.data.engine`, imported on first use (a higher layer, as
Graph's notebook display imports flowgraph.viz).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from flowgraph import dtypes, errors
from flowgraph.ops.registry import Op, register
from flowgraph.shapes import TensorShape
from flowgraph.sparse_tensor import SparseTensorValue

__all__: list = []

_UNINITIALIZED = ("GetNext() failed because the iterator has not been initialized. Ensure "
                  "that you have run the initializer operation for this iterator before "
                  "getting the next element.")


def _engine() -> Any:
    from flowgraph.data import engine
    return engine


class _DescribedOp(Op):
    """Shared parts of ops whose attributes hold dataset descriptions: equality by value
    (arrays, nested graphs) and graph files that never hold Python code. Subclasses are
    made dataclasses with eq=False and repr=False, so that they keep these methods."""

    def __eq__(self, other: Any) -> bool:
        if type(other) is not type(self):
            return False
        from flowgraph.data.describe import equal
        return all(equal(getattr(self, f), getattr(other, f))
                   for f in self.attribute_names())

    def __hash__(self) -> int:
        from flowgraph.data.describe import shallow_hash
        return hash((type(self).__name__, shallow_hash(getattr(self, "dataset", ()))))

    def __repr__(self) -> str:
        kind = self.dataset[0] if getattr(self, "dataset", ()) else "?"
        return f"{self.type_name}(dataset=<{kind} dataset>)"

    def attributes(self) -> dict:
        from flowgraph.data.describe import saveable
        values = super().attributes()
        for key in ("dataset", "fn"):
            if key in values:
                values[key] = saveable(values[key], self.type_name)
        return values


def _check_specs(op_def: Any) -> None:
    if len(op_def.output_types) != len(op_def.output_shapes):
        raise ValueError(f"{op_def.type_name}: {len(op_def.output_types)} output_types but "
                         f"{len(op_def.output_shapes)} output_shapes")
    object.__setattr__(op_def, "output_types",
                       tuple(dtypes.as_dtype(t) for t in op_def.output_types))
    object.__setattr__(op_def, "output_shapes",
                       tuple(TensorShape(s) if not isinstance(s, TensorShape) else s
                             for s in op_def.output_shapes))


def _handle_value(name: str) -> np.ndarray:
    out = np.empty((), dtype=object)
    out[()] = name.encode("utf-8")
    return out


def _check_handle(op: Any) -> None:
    handle = op.inputs[0] if op.inputs else None
    if handle is None or not handle.dtype.is_string or handle.shape.ndims not in (None, 0):
        raise ValueError(f"{op.type} takes an iterator handle (a scalar string) as input 0")


@register
class IteratorV2(Op):
    """An iterator without a dataset yet: outputs its handle (MakeIterator sets its
    dataset)."""

    shared_name: str = ""
    container: str = ""
    output_types: tuple = ()
    output_shapes: tuple = ()

    stateful = True
    needs_state = True
    differentiable = False

    def check(self) -> None:
        _check_specs(self)

    @classmethod
    def default_name(cls) -> str:
        return "Iterator"

    def infer(self, op):
        return [(dtypes.string, [])]

    def kernel(self, ctx):
        return _handle_value(self.shared_name or ctx.op.name)


_described = dataclasses.dataclass(frozen=True, kw_only=True, eq=False, repr=False)


@register
@_described
class MakeIterator(_DescribedOp):
    """Initializes the iterator of handle input 0 with the dataset `dataset`, whose captured
    tensors are inputs 1.. (evaluated now: e.g. fed placeholders)."""

    dataset: tuple = ()

    stateful = True
    needs_state = True
    differentiable = False

    def infer(self, op):
        _check_handle(op)
        return []

    def kernel(self, ctx, handle, *captured):
        engine = _engine()
        key = engine.iterator_key(handle)
        env = engine.Env(captured, ctx.state)
        resource = engine.IteratorResource(engine.build(self.dataset, env), ctx.op.name)
        resource.origin = (self.dataset, tuple(captured), env)
        engine.replace_resource(ctx.state, key, resource)
        return ()


@register
@_described
class OneShotIterator(_DescribedOp):
    """An iterator over `dataset` (which captures no tensors) initialized on first use in
    each Session; outputs its handle."""

    dataset: tuple = ()
    output_types: tuple = ()
    output_shapes: tuple = ()
    shared_name: str = ""
    container: str = ""

    stateful = True
    needs_state = True
    differentiable = False

    def check(self) -> None:
        _check_specs(self)

    def infer(self, op):
        if op.inputs:
            raise ValueError("OneShotIterator takes no inputs: its dataset must not capture "
                             "tensors")
        return [(dtypes.string, [])]

    def kernel(self, ctx):
        name = self.shared_name or ctx.op.name
        handle = _handle_value(name)
        engine = _engine()
        key = engine.iterator_key(handle)
        state = ctx.state
        if key not in state.resources:
            with state.lock:
                if key not in state.resources:
                    env = engine.Env((), state)
                    resource = engine.IteratorResource(engine.build(self.dataset, env), name)
                    resource.origin = (self.dataset, (), env)
                    state.resources[key] = resource
        return handle


def flat_components(element: tuple) -> list:
    """The tensors of an element: a sparse leaf gives (indices, values, dense_shape)."""
    flat: list = []
    for value in element:
        if isinstance(value, SparseTensorValue):
            flat.extend((np.asarray(value.indices, np.int64), np.asarray(value.values),
                         np.asarray(value.dense_shape, np.int64)))
        elif isinstance(value, np.ndarray):
            flat.append(value)
        elif type(value).__name__ == "WindowValue":
            raise errors.InvalidArgumentError(None, None, "The elements are datasets (from "
                                              "window()); use flat_map to turn them into "
                                              "tensors before iterating.")
        else:
            flat.append(np.asarray(value))
    return flat


def checked_outputs(op_def: Any, values: list) -> Any:
    """The values as the op's outputs, checked against its output dtypes and shapes."""
    types, shapes = op_def.output_types, op_def.output_shapes
    if len(values) != len(types):
        raise errors.InvalidArgumentError(
            None, None, f"The dataset produced {len(values)} components, but the iterator "
            f"expects {len(types)} ({[t.name for t in types]})")
    out = []
    for i, (value, dtype, shape) in enumerate(zip(values, types, shapes)):
        kind = value.dtype.kind
        if (dtype.is_string and kind != "O") or (not dtype.is_string and
                                                  value.dtype != dtype.np):
            if dtype.is_string or kind in "OSU":
                raise errors.InvalidArgumentError(
                    None, None, f"Component {i} of the dataset has dtype {value.dtype}, but "
                    f"the iterator expects {dtype.name}")
            value = value.astype(dtype.np)
        if not shape.is_compatible_with(value.shape):
            raise errors.InvalidArgumentError(
                None, None, f"Component {i} of the dataset has shape {list(value.shape)}, "
                f"which is not compatible with the iterator's shape {shape}")
        out.append(value)
    if len(out) == 1:
        return out[0]
    return tuple(out)


@register
class IteratorGetNext(Op):
    """The next element of the iterator of handle input 0 (one output per component);
    OutOfRangeError("End of sequence") after the last."""

    output_types: tuple = ()
    output_shapes: tuple = ()

    stateful = True
    needs_state = True
    differentiable = False

    def check(self) -> None:
        _check_specs(self)

    def infer(self, op):
        _check_handle(op)
        return list(zip(self.output_types, self.output_shapes))

    def kernel(self, ctx, handle):
        return checked_outputs(self, flat_components(_resource(ctx, handle).next()))


def _resource(ctx: Any, handle: Any) -> Any:
    """The initialized iterator named by `handle` in this Session."""
    engine = _engine()
    key = engine.iterator_key(handle)
    resource = ctx.state.resources.get(key)
    if resource is None:
        name = key[1].decode("utf-8", "replace")
        made = ctx.op.graph._ops_by_name.get(name)
        where = ""
        if made is not None and made.creation_site is not None:
            where = f"\nThe iterator was created at:\n  {made.creation_site}"
        raise errors.FailedPreconditionError(
            None, None, f"{_UNINITIALIZED} (iterator {name!r}){where}")
    return resource


@register
class IteratorGetNextAsOptional(Op):
    """The next element of the iterator of handle input 0 as an optional: a bool scalar
    (whether there was one) then its components (zeros of the static shape, unknown
    dimensions 0, after the last element), as TF1's op of that name (which returns the
    optional as one variant)."""

    output_types: tuple = ()
    output_shapes: tuple = ()

    stateful = True
    needs_state = True
    differentiable = False

    def check(self) -> None:
        _check_specs(self)

    def infer(self, op):
        _check_handle(op)
        return [(dtypes.bool_, TensorShape([]))] + \
            list(zip(self.output_types, self.output_shapes))

    def kernel(self, ctx, handle):
        resource = _resource(ctx, handle)
        try:
            values = flat_components(resource.next())
        except errors.OutOfRangeError:
            empty = [np.zeros([d or 0 for d in (s.as_tuple() or ())],
                              dtype=object if t.is_string else t.np)
                     for t, s in zip(self.output_types, self.output_shapes)]
            if any(t.is_string for t in self.output_types):
                for value, t in zip(empty, self.output_types):
                    if t.is_string:
                        value.fill(b"")
            return (np.asarray(False),) + tuple(empty)
        values = checked_outputs(self, values)
        values = values if isinstance(values, tuple) else (values,)
        return (np.asarray(True),) + values


@register
@_described
class ReduceDataset(_DescribedOp):
    """Reduces every element of `dataset` into a state with the traced function `fn`:
    inputs are the dataset's `num_captured` captured tensors, then the `num_fn_captured`
    tensors `fn` captures from outside it, then the initial state's components; the
    outputs are the final state's."""

    dataset: tuple = ()
    fn: tuple = ()
    num_captured: int = 0
    num_fn_captured: int = 0
    output_types: tuple = ()
    output_shapes: tuple = ()

    stateful = True
    needs_state = True
    differentiable = False

    def check(self) -> None:
        _check_specs(self)

    def infer(self, op):
        state = op.inputs[self.num_captured + self.num_fn_captured:]
        if len(state) != len(self.output_types):
            raise ValueError(f"ReduceDataset: {len(state)} initial state components for "
                             f"{len(self.output_types)} outputs")
        return list(zip(self.output_types, self.output_shapes))

    def kernel(self, ctx, *inputs):
        engine = _engine()
        split = self.num_captured + self.num_fn_captured
        captured, extra = inputs[:self.num_captured], tuple(inputs[self.num_captured:split])
        state = tuple(inputs[split:])
        env = engine.Env(captured, ctx.state)
        fn = env.function(self.fn)
        it = engine.build(self.dataset, env).open()
        try:
            for element in it:
                state = fn(state + tuple(element) + extra)
        finally:
            close = getattr(it, "close", None)
            if close is not None:
                close()
        return checked_outputs(self, flat_components(state))


@register
@_described
class DatasetToSingleElement(_DescribedOp):
    """The only element of `dataset` (inputs: its captured tensors), as TF1's op of that
    name behind `tf.data.experimental.get_single_element`; InvalidArgumentError for an
    empty dataset or one with more than one element."""

    dataset: tuple = ()
    output_types: tuple = ()
    output_shapes: tuple = ()

    stateful = True
    needs_state = True
    differentiable = False

    def check(self) -> None:
        _check_specs(self)

    def infer(self, op):
        return list(zip(self.output_types, self.output_shapes))

    def kernel(self, ctx, *captured):
        engine = _engine()
        it = engine.build(self.dataset, engine.Env(captured, ctx.state)).open()
        try:
            try:
                element = next(it)
            except StopIteration:
                raise errors.InvalidArgumentError(None, None,
                                                  "Dataset was empty.") from None
            try:
                next(it)
            except StopIteration:
                return checked_outputs(self, flat_components(element))
            raise errors.InvalidArgumentError(None, None,
                                              "Dataset had more than one element.")
        finally:
            close = getattr(it, "close", None)
            if close is not None:
                close()
