"""The summary helpers of TF1's `tf.contrib.layers`: summarize_tensor (a scalar summary
for a rank-0 tensor, a histogram otherwise, tag ``<op name>_summary``), summarize_activation
(a histogram ``<op>/activation`` plus the fraction of zeros for Relu/Relu6/Softplus and of
sixes for Relu6) and the collection-wide forms."""

from __future__ import annotations

import functools
import re
from typing import Any, Callable, Optional

from flowgraph import dtypes
from flowgraph.graph import GraphKeys, get_collection

__all__ = ["summarize_tensor", "summarize_tensors", "summarize_activation",
           "summarize_collection", "summarize_variables", "summarize_weights",
           "summarize_biases", "summarize_activations"]


def _scalar(tensor: Any, tag: Optional[str] = None) -> Any:
    from flowgraph.summary import scalar
    tensor.shape.assert_has_rank(0)
    return scalar(tag or f"{tensor.op.name}_summary", tensor)


def _histogram(tensor: Any, tag: Optional[str] = None) -> Any:
    from flowgraph.summary import histogram
    return histogram(tag or f"{tensor.op.name}_summary", tensor)


def _fraction(cond: Any) -> Any:
    from flowgraph.ops.cast import cast
    from flowgraph.ops.reduce import reduce_mean
    return reduce_mean(cast(cond, dtypes.float32))


def summarize_activation(op: Any) -> Any:
    """Histogram ``<op name>/activation`` of a layer's output; for Relu, Relu6 and Softplus
    also the scalar ``<op name>/zeros`` (fraction of negative pre-activations) and for Relu6
    ``<op name>/sixes`` (fraction above 6)."""
    from flowgraph.ops.compare import greater, less
    pre = op.op.inputs[0] if op.op.inputs else None
    if op.op.type in ("Relu", "Softplus", "Relu6"):
        _scalar(_fraction(less(pre, 0.0)), f"{op.op.name}/zeros")
    if op.op.type == "Relu6":
        _scalar(_fraction(greater(pre, 6.0)), f"{op.op.name}/sixes")
    return _histogram(op, f"{op.op.name}/activation")


def summarize_tensor(tensor: Any, tag: Optional[str] = None) -> Any:
    """A scalar summary for a rank-0 tensor, else a histogram (tag default
    ``<op name>_summary``)."""
    if tensor.shape.ndims == 0:
        return _scalar(tensor, tag)
    return _histogram(tensor, tag)


def summarize_tensors(tensors: Any, summarizer: Callable = summarize_tensor) -> list:
    """`summarizer` applied to each tensor."""
    return [summarizer(t) for t in tensors]


def summarize_collection(collection: str, name_filter: Optional[str] = None,
                         summarizer: Callable = summarize_tensor) -> list:
    """Summaries of the collection's tensors whose op name matches `name_filter` (a regex
    matched at the start, as `re.match`)."""
    tensors = [t for t in get_collection(collection)
               if name_filter is None or re.match(name_filter, t.op.name)]
    return summarize_tensors(tensors, summarizer)


summarize_variables = functools.partial(summarize_collection, GraphKeys.GLOBAL_VARIABLES)
summarize_weights = functools.partial(summarize_collection, GraphKeys.WEIGHTS)
summarize_biases = functools.partial(summarize_collection, GraphKeys.BIASES)


def summarize_activations(name_filter: Optional[str] = None,
                          summarizer: Callable = summarize_activation) -> list:
    """`summarize_activation` over the ACTIVATIONS collection."""
    return summarize_collection(GraphKeys.ACTIVATIONS, name_filter, summarizer)
