"""Loading saved models into a Session, as TF1's `tf.saved_model.loader`.

>>> with fg.Session(graph=fg.Graph()) as sess:
...     meta_graph_def = fg.saved_model.loader.load(sess, ["serve"], export_dir)
...     sig = meta_graph_def.signature_def["serving_default"]
...     y = sess.graph.get_tensor_by_name(sig.outputs["y"].name)

Loading runs no code from the files: the graph is rebuilt from registered op types, the
variables are restored from the checkpoint in `variables/`, and asset paths are resolved
inside the model's `assets/` folder only.
"""

from __future__ import annotations

import os
from typing import Any, Optional, Sequence

from flowgraph.saved_model import constants
from flowgraph.saved_model.file_format import (
    SavedModel,
    parse_saved_model,
    resolve_asset_path,
    saved_model_path,
)
from flowgraph.saved_model.utils import prepend_name_scope

__all__ = ["load", "maybe_saved_model_directory", "contains_saved_model", "SavedModelLoader"]


def maybe_saved_model_directory(export_dir: Any) -> bool:
    """Whether `export_dir` holds a saved model file (`saved_model.fgm` or `.json`)."""
    try:
        return saved_model_path(os.fsdecode(export_dir)) is not None
    except TypeError:
        return False


contains_saved_model = maybe_saved_model_directory


def get_variables_path(export_dir: str) -> str:
    """The checkpoint prefix of a saved model's variables."""
    return os.path.join(export_dir, constants.VARIABLES_DIRECTORY, constants.VARIABLES_FILENAME)


class SavedModelLoader:
    """Loads the meta graphs of a saved model (TF1's `SavedModelLoader`)."""

    def __init__(self, export_dir: Any) -> None:
        # bytes too, as TF1 (Estimator.export_saved_model returns the folder as bytes).
        self._export_dir = os.fsdecode(export_dir)
        self._variables_path = get_variables_path(self._export_dir)
        self._saved_model = parse_saved_model(self._export_dir)

    @property
    def export_dir(self) -> str:
        return self._export_dir

    @property
    def variables_path(self) -> str:
        return self._variables_path

    @property
    def saved_model(self) -> SavedModel:
        return self._saved_model

    def _index_from_tags(self, tags: Sequence[str]) -> int:
        wanted = set(_as_tags(tags))
        available = []
        for i, meta_graph in enumerate(self._saved_model.meta_graphs):
            found = set(meta_graph.meta_info_def.tags)
            available.append(found)
            if found == wanted:
                return i
        raise RuntimeError(
            f"MetaGraphDef associated with tags {str(_as_tags(tags)).strip('[]')} could not be "
            "found in SavedModel. To inspect available tag-sets in the SavedModel, please "
            f"use `flowgraph inspect {self._export_dir}`\navailable_tags: {available}")

    def get_meta_graph_def_from_tags(self, tags: Sequence[str]) -> Any:
        """The MetaGraphDef whose tag set equals `tags`; RuntimeError listing the available
        tag sets otherwise."""
        return self._saved_model.meta_graphs[self._index_from_tags(tags)]

    def load_graph(self, graph: Any, tags: Sequence[str], import_scope: Optional[str] = None,
                   **saver_kwargs: Any) -> Any:
        """Imports the meta graph tagged `tags` into `graph`; returns its Saver (or None)."""
        from flowgraph.io.meta_graph import import_meta_graph
        meta_graph_def = self.get_meta_graph_def_from_tags(tags)
        with graph.as_default():
            return import_meta_graph(meta_graph_def, import_scope=import_scope,
                                     **saver_kwargs)

    def restore_variables(self, sess: Any, saver: Any, import_scope: Optional[str] = None
                          ) -> None:
        """Restores the saved variable values into `sess`."""
        from flowgraph.variables import global_variables
        with sess.graph.as_default():
            if saver is None:
                if global_variables(scope=import_scope):
                    raise ValueError("No Saver was passed to restore_variables. Since there "
                                     "are variables in the graph, a saver is required.")
                return
            saver.restore(sess, self._variables_path)

    def run_init_ops(self, sess: Any, tags: Sequence[str],
                     import_scope: Optional[str] = None) -> None:
        """Runs the main op (or legacy init op), feeding asset tensors their paths."""
        index = self._index_from_tags(tags)
        meta_graph_def = self._saved_model.meta_graphs[index]
        with sess.graph.as_default():
            feeds = self._asset_feeds(sess.graph, index, import_scope)
            init_op = get_init_op(meta_graph_def, sess.graph, import_scope)
            if init_op is not None:
                sess.run(fetches=[init_op], feed_dict=feeds)

    def _asset_feeds(self, graph: Any, index: int, import_scope: Optional[str]) -> dict:
        feeds = {}
        for asset in self._saved_model.asset_file_defs[index]:
            path = resolve_asset_path(self._export_dir, asset.filename)
            tensor = graph.get_tensor_by_name(prepend_name_scope(asset.tensor_name,
                                                                 import_scope))
            feeds[tensor] = path
        return feeds

    def load(self, sess: Any, tags: Sequence[str], import_scope: Optional[str] = None,
             **saver_kwargs: Any) -> Any:
        """Imports the meta graph tagged `tags` into `sess.graph`, restores its variables,
        runs its main op, and returns the MetaGraphDef."""
        index = self._index_from_tags(tags)
        # Check every asset path before anything is added to the graph.
        for asset in self._saved_model.asset_file_defs[index]:
            resolve_asset_path(self._export_dir, asset.filename)
        with sess.graph.as_default():
            saver = self.load_graph(sess.graph, tags, import_scope, **saver_kwargs)
            self.restore_variables(sess, saver, import_scope)
            self.run_init_ops(sess, tags, import_scope)
        return self._saved_model.meta_graphs[index]


def load(sess: Any, tags: Sequence[str], export_dir: Any, import_scope: Optional[str] = None,
         **saver_kwargs: Any) -> Any:
    """Loads the meta graph tagged `tags` of the saved model in `export_dir` into `sess`.

    Parameters
    ----------
    sess : fg.Session
        The graph is imported into `sess.graph` and the variables restored in `sess`.
    tags : list of str
        Must equal (as a set) the tags the meta graph was saved with.
    export_dir : str
        The saved model's folder.
    import_scope : str, optional
        Prefix for the names of the imported nodes.
    **saver_kwargs
        Passed to the Saver rebuilt from the meta graph.

    Returns
    -------
    MetaGraphDef
        With `signature_def[key].inputs[k].name` naming tensors of `sess.graph`.

    Raises
    ------
    RuntimeError
        If no meta graph has exactly these tags (the message lists the available ones).
    """
    return SavedModelLoader(export_dir).load(sess, tags, import_scope, **saver_kwargs)


def get_init_op(meta_graph_def: Any, graph: Any, import_scope: Optional[str] = None) -> Any:
    """The main op (or legacy init op) of an imported meta graph, or None."""
    init_op = None
    for key in (constants.MAIN_OP_KEY, constants.LEGACY_INIT_OP_KEY):
        names = collection_node_names(meta_graph_def, key)
        if len(names) > 1:
            raise RuntimeError(f"Expected exactly one SavedModel main op. Found: {names}")
        if names and init_op is None:
            init_op = graph.get_operation_by_name(prepend_name_scope(names[0], import_scope))
    return init_op


def collection_node_names(meta_graph_def: Any, key: str) -> list:
    """The node names a collection of a MetaGraphDef holds."""
    entries = (getattr(meta_graph_def, "collection_def", None) or {}).get(key) or []
    names = []
    for entry in entries:
        name = entry if isinstance(entry, str) else (
            entry.get("name") if isinstance(entry, dict) else getattr(entry, "name", None))
        if isinstance(name, str):
            names.append(name.split(":")[0] if ":" in name else name)
    return names


def _as_tags(tags: Any) -> list:
    if isinstance(tags, str):
        return [tags]
    return list(tags or [])
