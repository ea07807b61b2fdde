"""`fg.contrib.predictor`: call a saved model (e.g. from `Estimator.export_saved_model`)
like a function, as TF1's `tf.contrib.predictor.from_saved_model`.

>>> predict_fn = fg.contrib.predictor.from_saved_model(export_dir)
>>> predict_fn({"x": batch})["y"]
"""

from typing import Any, Optional

from flowgraph.graph import Graph
from flowgraph.runtime.session import Session
from flowgraph.saved_model import loader, signature_constants, tag_constants

__all__ = ["from_saved_model", "Predictor", "SavedModelPredictor"]


class Predictor:
    """Calls a model: `predictor({input key: value})` -> {output key: value}."""

    @property
    def session(self) -> Session:
        return self._session

    @property
    def feed_tensors(self) -> dict:
        return self._feed_tensors

    @property
    def fetch_tensors(self) -> dict:
        return self._fetch_tensors

    def __call__(self, input_dict: dict) -> dict:
        unknown = set(input_dict) - set(self._feed_tensors)
        if unknown:
            raise ValueError(f"Got unexpected keys in input_dict: {sorted(unknown)}\n"
                             f"expected: {sorted(self._feed_tensors)}")
        feed_dict = {self._feed_tensors[key]: value for key, value in input_dict.items()}
        return self._session.run(fetches=self._fetch_tensors, feed_dict=feed_dict)

    def __repr__(self) -> str:
        return (f"{type(self).__name__} with feed tensors {self._feed_tensors} and fetch "
                f"tensors {self._fetch_tensors}")


class SavedModelPredictor(Predictor):
    """A Predictor over one signature of a saved model, loaded into its own Session.

    Parameters
    ----------
    export_dir : str or bytes
    signature_def_key : str, optional
        Default 'serving_default'.
    signature_def : SignatureDef, optional
        Use this signature instead of looking one up (give one of the two).
    input_names, output_names : dict, optional
        Accepted for TF1 compatibility (feeds and fetches by tensor name).
    tags : list of str, optional
        Default ['serve'].
    graph : Graph, optional
    config : ConfigProto, optional
    """

    def __init__(self, export_dir: Any, signature_def_key: Optional[str] = None,
                 signature_def: Any = None, input_names: Optional[dict] = None,
                 output_names: Optional[dict] = None, tags: Any = None,
                 graph: Optional[Graph] = None, config: Any = None) -> None:
        if signature_def_key is not None and signature_def is not None:
            raise ValueError("Cannot specify both signature_def_key and signature_def.")
        if (input_names is None) != (output_names is None):
            raise ValueError("input_names and output_names must both be specified or both "
                             "be unspecified.")
        tags = [tag_constants.SERVING] if tags is None else tags
        self._graph = graph or Graph()
        self._session = Session(graph=self._graph, config=config)
        meta_graph_def = loader.load(self._session, tags, export_dir)
        if input_names is not None:
            self._feed_tensors = {k: self._graph.get_tensor_by_name(v)
                                  for k, v in input_names.items()}
            self._fetch_tensors = {k: self._graph.get_tensor_by_name(v)
                                   for k, v in output_names.items()}
            return
        if signature_def is None:
            key = signature_def_key or signature_constants.DEFAULT_SERVING_SIGNATURE_DEF_KEY
            signatures = meta_graph_def.signature_def
            if key not in signatures:
                raise ValueError(f"Could not find signature_def_key {key!r} in the saved "
                                 f"model; it has {sorted(signatures)}.")
            signature_def = signatures[key]
        self._feed_tensors = {k: self._graph.get_tensor_by_name(info.name)
                              for k, info in signature_def.inputs.items()}
        self._fetch_tensors = {k: self._graph.get_tensor_by_name(info.name)
                               for k, info in signature_def.outputs.items()}


def from_saved_model(export_dir: Any, signature_def_key: Optional[str] = None,
                     signature_def: Any = None, input_names: Optional[dict] = None,
                     output_names: Optional[dict] = None, tags: Any = None,
                     graph: Optional[Graph] = None, config: Any = None) -> SavedModelPredictor:
    """A callable predictor over a signature of the saved model in `export_dir`."""
    return SavedModelPredictor(export_dir, signature_def_key=signature_def_key,
                               signature_def=signature_def, input_names=input_names,
                               output_names=output_names, tags=tags, graph=graph,
                               config=config)
