"""Helper ops of control flow: reading a control-flow op's recording (`UnpackSaved`,
`SavedCount`, used by the gradients of `If` and `While`) and `fg.case`'s run-time check of
its predicates (`CaseCheck`)."""

from __future__ import annotations

import operator
from typing import Tuple

import numpy as np

from flowgraph import errors
from flowgraph.dtypes import DType, bool_, int32, variant
from flowgraph.ops.registry import Op, register
from flowgraph.shapes import TensorShape

__all__: list = []


# --------------------------------------------------------------------------- recordings
@register
class UnpackSaved(Op):
    """The values recorded as `names` in entry `index` of a control-flow op's recording, as
    tensors of `dtypes` and `shapes`: what a gradient branch or body reads instead of
    recomputing.

    A recording is a list of entries (one per iteration of a while loop; one for a cond),
    each a dict {tensor name in the op's body or branch: value}. The op records the names
    that the UnpackSaved nodes reading its recording ask for (`requested_names`); a cond's
    names are prefixed "then:" or "else:".
    """

    names: Tuple[str, ...] = ()
    dtypes: Tuple[DType, ...] = ()
    shapes: Tuple[TensorShape, ...] = ()

    differentiable = False
    stops_gradient = True  # recorded values are constants to the gradient

    def check(self) -> None:
        if not len(self.names) == len(self.dtypes) == len(self.shapes):
            raise ValueError(f"UnpackSaved has {len(self.names)} names, {len(self.dtypes)} "
                             f"dtypes and {len(self.shapes)} shapes; they must match")

    def infer(self, op):
        saved, index = op.inputs
        if saved.dtype != variant or not index.dtype.is_integer:
            raise TypeError(f"UnpackSaved takes a variant recording and an integer index, "
                            f"got {saved.dtype.name} and {index.dtype.name}")
        return [(d, TensorShape(s) if s is not None else TensorShape(None))
                for d, s in zip(self.dtypes, self.shapes)]

    def fast_kernel(self, op):
        # (a backward loop reads its recording once per iteration: one itemgetter call
        # instead of a generator over the names)
        if not self.names:
            return None
        get = operator.itemgetter(*self.names)

        def unpack(saved, index):
            if saved is None:
                return self.kernel(saved, index)
            return get(saved[int(index)])
        return unpack

    def kernel(self, saved, index):
        if saved is None:
            raise errors.InternalError(None, None, "A control-flow op's recording is missing "
                                       "(it is made only in runs that read it).")
        entry = saved[int(index)]
        values = tuple(entry[name] for name in self.names)
        return values[0] if len(values) == 1 else values


@register
class SavedCount(Op):
    """The number of entries of a recording: a while loop's number of iterations."""

    differentiable = False

    def infer(self, op):
        if op.inputs[0].dtype != variant:
            raise TypeError(f"SavedCount takes a variant recording, got "
                            f"{op.inputs[0].dtype.name}")
        return [(int32, TensorShape([]))]

    def kernel(self, saved):
        return np.asarray(len(saved), dtype=np.int32)


@register
class CaseCheck(Op):
    """Checks a vector of `fg.case` predicates when it runs: at most one true
    (`exclusive=True`) or at least one true (no default); InvalidArgumentError otherwise."""

    at_most_one: bool = False
    at_least_one: bool = False
    message: str = ""

    stateful = True  # runs for its check, inside the branch that holds it
    differentiable = False

    def infer(self, op):
        preds = op.inputs[0]
        if preds.dtype != bool_ or preds.shape.ndims not in (None, 1):
            raise TypeError(f"CaseCheck takes a vector of bool predicates, got "
                            f"{preds.dtype.name} of shape {preds.shape}")
        return []

    def fast_kernel(self, op):
        def check(preds):
            count = int(np.count_nonzero(preds))
            if self.at_most_one and count > 1:
                raise errors.InvalidArgumentError(
                    None, op, f"{self.message}: more than 1 conditions "
                    f"({np.flatnonzero(preds).tolist()}) evaluated as True: "
                    f"{np.asarray(preds).tolist()}")
            if self.at_least_one and count == 0:
                raise errors.InvalidArgumentError(
                    None, op, f"{self.message}: {np.asarray(preds).tolist()}")
            return ()
        return check

    def kernel(self, preds):
        return self.fast_kernel(None)(preds)
