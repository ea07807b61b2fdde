"""`RestoreV2`: reads tensors of a checkpoint when the graph runs (TF1's `io_ops.restore_v2`).

`fg.train.init_from_checkpoint` makes a Variable's initializer ``Assign(var, RestoreV2(...))``,
so the checkpoint is read when the initializer runs, not when the graph is built, as TF1.
"""

from __future__ import annotations

from typing import Any, Optional, Sequence

import numpy as np

from flowgraph import dtypes, errors
from flowgraph.ops.constant import constant
from flowgraph.ops.registry import Op, apply_op, register
from flowgraph.shapes import TensorShape

__all__: list = []  # restore_v2 is TF1's tf.raw_ops.RestoreV2, not a top-level name


def _text(value: Any) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


@register
class RestoreV2(Op):
    """Inputs: ``prefix`` (string scalar: a checkpoint prefix), ``tensor_names`` and
    ``shape_and_slices`` (string vectors of one length N). Outputs: the N stored tensors,
    of `dtypes`. Only whole tensors are supported: a non-empty slice spec is
    UnimplementedError (flowgraph's checkpoints store no partitioned variables)."""

    dtypes: tuple = ()

    stateful = True  # reads a file: never folded at build time, never merged
    differentiable = False

    def infer(self, op):
        prefix, names, slices = op.inputs
        for tensor, what in ((prefix, "prefix"), (names, "tensor_names"),
                             (slices, "shape_and_slices")):
            if not tensor.dtype.is_string:
                raise TypeError(f"RestoreV2 {op.name!r}: {what} must be a string tensor, got "
                                f"{tensor.dtype.name}")
        if prefix.shape.ndims not in (None, 0):
            raise ValueError(f"RestoreV2 {op.name!r}: prefix must be a scalar, got shape "
                             f"{prefix.shape}")
        for tensor, what in ((names, "tensor_names"), (slices, "shape_and_slices")):
            n = tensor.shape.as_list()[0] if tensor.shape.ndims == 1 else None
            if tensor.shape.ndims not in (None, 1) or (n is not None and n != len(self.dtypes)):
                raise ValueError(f"RestoreV2 {op.name!r}: {what} must be a vector of "
                                 f"{len(self.dtypes)} names (one per dtype), got shape "
                                 f"{tensor.shape}")
        return [(dtype, TensorShape(None)) for dtype in self.dtypes]

    def kernel(self, prefix, names, slices):
        from flowgraph.io.checkpoint import CheckpointReader

        names = [_text(n) for n in np.asarray(names, dtype=object).reshape(-1)]
        slices = [_text(s) for s in np.asarray(slices, dtype=object).reshape(-1)]
        if len(names) != len(self.dtypes) or len(slices) != len(self.dtypes):
            raise errors.InvalidArgumentError(
                None, None, f"RestoreV2 expects {len(self.dtypes)} tensor names and slice "
                f"specs (one per dtype), got {len(names)} and {len(slices)}")
        reader = CheckpointReader(_text(np.asarray(prefix, dtype=object).item()))
        outputs = []
        for name, spec, dtype in zip(names, slices, self.dtypes):
            if spec:
                raise errors.UnimplementedError(
                    None, None, f"RestoreV2: slice spec {spec!r} for tensor {name!r}: only "
                    "whole tensors can be restored (use an empty slice spec)")
            value = reader.get_tensor(name)
            stored = dtypes.as_dtype(value.dtype) if value.dtype != object else dtypes.string
            if stored != dtype:
                raise errors.InvalidArgumentError(
                    None, None, f"tensor_name = {name}; expected dtype {dtype.name} does not "
                    f"equal original dtype {stored.name} in checkpoint {reader.prefix}")
            outputs.append(value)
        return tuple(outputs) if len(outputs) != 1 else outputs[0]


def restore_v2(prefix: Any, tensor_names: Sequence[str], shape_and_slices: Sequence[str],
               dtypes: Sequence[Any], name: Optional[str] = None) -> list:
    """The tensors `tensor_names` of checkpoint `prefix`, read when run (TF1's
    ``tf.raw_ops.RestoreV2``); returns a list of Tensors of `dtypes`."""
    from flowgraph import dtypes as dtypes_module

    dtype_tuple = tuple(dtypes_module.as_dtype(d) for d in dtypes)
    op_def = RestoreV2(dtypes=dtype_tuple)
    inputs = [constant(prefix, dtypes_module.string) if not hasattr(prefix, "op") else prefix,
              constant(list(tensor_names), dtypes_module.string),
              constant(list(shape_and_slices), dtypes_module.string)]
    result = apply_op(op_def, inputs, name=name or "RestoreV2")
    return list(result) if isinstance(result, (list, tuple)) else [result]
