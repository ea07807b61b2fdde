"""TensorInfo helpers, as TF1's `tf.saved_model.utils`."""

from __future__ import annotations

from typing import Any, Optional

from flowgraph.graph import Graph, Tensor, get_default_graph
from flowgraph.io.meta_graph import TensorInfo

__all__ = ["build_tensor_info", "get_tensor_from_tensor_info"]


def build_tensor_info(tensor: Any) -> TensorInfo:
    """The TensorInfo (name, dtype, static shape) describing `tensor` in a SignatureDef.

    Parameters
    ----------
    tensor : fg.Tensor or fg.Variable
        The tensor a signature input or output refers to.

    Returns
    -------
    TensorInfo
        With `name` ("op:0"), `dtype` and `tensor_shape` of the tensor.
    """
    original = tensor
    convert = getattr(tensor, "__fg_tensor__", None)
    if not isinstance(tensor, Tensor) and convert is not None:
        tensor = convert()
    if not isinstance(tensor, Tensor):
        raise TypeError(f"build_tensor_info expects a fg.Tensor, got {original!r:.80} "
                        f"({type(original).__name__}).")
    return TensorInfo(name=tensor.name, dtype=tensor.dtype, tensor_shape=tensor.shape)


def prepend_name_scope(name: str, import_scope: Optional[str]) -> str:
    """`name` as it reads after importing under `import_scope` ("scope/name")."""
    if not import_scope:
        return name
    scope = import_scope.rstrip("/")
    if name.startswith("^"):
        return f"^{scope}/{name[1:]}"
    return f"{scope}/{name}"


def get_tensor_from_tensor_info(tensor_info: TensorInfo, graph: Optional[Graph] = None,
                                import_scope: Optional[str] = None) -> Tensor:
    """The tensor of `graph` (default: the default graph) that `tensor_info` names.

    Parameters
    ----------
    tensor_info : TensorInfo
        An entry of a SignatureDef's `inputs` or `outputs`.
    graph : fg.Graph, optional
        The graph to look in.
    import_scope : str, optional
        The scope the meta graph was imported under (`loader.load(..., import_scope=)`).

    Raises
    ------
    KeyError
        If the graph has no such tensor.
    """
    graph = graph if graph is not None else get_default_graph()
    name = getattr(tensor_info, "name", None)
    if not isinstance(name, str) or not name:
        raise ValueError(f"Invalid TensorInfo: it names no tensor ({tensor_info!r:.120}).")
    return graph.get_tensor_by_name(prepend_name_scope(name, import_scope))
