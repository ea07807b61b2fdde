"""SavedModelBuilder: writes a graph, its variables and assets as a saved model (TF1's
`tf.saved_model.builder`).

>>> builder = fg.saved_model.builder.SavedModelBuilder(export_dir)
>>> builder.add_meta_graph_and_variables(sess, [fg.saved_model.tag_constants.SERVING],
...                                      signature_def_map={"serving_default": sig})
>>> builder.save()

The variables are written at once (to `export_dir/variables/`), the assets copied to
`export_dir/assets/`, and `save()` writes the meta graph file last, so a folder with a
saved model file is complete.
"""

from __future__ import annotations

import os
from typing import Any, Optional, Sequence

from flowgraph import errors
from flowgraph.graph import Operation, Tensor, get_default_graph
from flowgraph.io.atomic import atomic_write
from flowgraph.ops.registry import constant_value
from flowgraph.saved_model import constants
from flowgraph.saved_model.file_format import AssetFileDef, SavedModel, write_saved_model

__all__ = ["SavedModelBuilder", "Builder"]


class SavedModelBuilder:
    """Builds a saved model in `export_dir`, which must not exist or be empty.

    Call `add_meta_graph_and_variables` once (it writes the variables), then
    `add_meta_graph` for further tagged meta graphs sharing those variables, then `save`.
    """

    def __init__(self, export_dir: Any) -> None:
        self._export_dir = os.fspath(export_dir)
        self._saved_model = SavedModel()
        self._has_saved_variables = False
        self._saved_asset_files: dict = {}
        if os.path.exists(self._export_dir):
            if not os.path.isdir(self._export_dir) or os.listdir(self._export_dir):
                raise AssertionError(
                    "Export directory already exists, and isn't empty. Please choose a "
                    "different export directory, or delete all the contents of the specified "
                    f"directory: {self._export_dir}")
        else:
            try:
                os.makedirs(self._export_dir)
            except OSError as exc:
                raise errors.PermissionDeniedError(
                    None, None, f"Cannot create the export directory {self._export_dir}: "
                    f"{exc}") from None

    # -- public API (TF1's)
    def add_meta_graph_and_variables(
            self, sess: Any, tags: Sequence[str], signature_def_map: Optional[dict] = None,
            assets_collection: Optional[Sequence[Any]] = None, legacy_init_op: Any = None,
            clear_devices: bool = False, main_op: Any = None,
            strip_default_attrs: bool = False, saver: Any = None) -> None:
        """Saves the variables of `sess` and adds the current meta graph under `tags`.

        Parameters
        ----------
        sess : fg.Session
            Holds the variable values to save; its graph is the graph exported.
        tags : list of str
            The tags of this meta graph (e.g. `[tag_constants.SERVING]`).
        signature_def_map : dict of str to SignatureDef, optional
        assets_collection : list of string Const tensors, optional
            Each holds the path of a file copied into `export_dir/assets/`; on load the
            tensor is fed the copy's path while the main op runs.
        legacy_init_op, main_op : fg.Operation, optional
            Run after the variables are restored at load time (e.g. table initializers).
        clear_devices : bool
            Strip device placements from the exported graph.
        strip_default_attrs : bool
            Passed to the meta graph export.
        saver : fg.train.Saver, optional
            The Saver writing the variables (default: one over all saveable variables).
        """
        if self._has_saved_variables:
            raise AssertionError("Graph state including variables and assets has already "
                                 "been saved. Please invoke `add_meta_graph()` instead.")
        tags = _as_tags(tags)
        signature_def_map = dict(signature_def_map or {})
        _validate_signature_def_map(signature_def_map, sess.graph)
        main_op = main_op or legacy_init_op
        with sess.graph.as_default():
            assets = self._add_collections(sess.graph, assets_collection, main_op)
            saver = self._maybe_create_saver(saver)
            variables_dir = os.path.join(self._export_dir, constants.VARIABLES_DIRECTORY)
            os.makedirs(variables_dir, exist_ok=True)
            saver.save(sess, os.path.join(variables_dir, constants.VARIABLES_FILENAME),
                       write_meta_graph=False, write_state=False)
            meta_graph_def = self._export(sess.graph, saver, clear_devices,
                                          strip_default_attrs)
        self._tag_and_add_meta_graph(meta_graph_def, tags, signature_def_map, assets)
        self._has_saved_variables = True

    def add_meta_graph(self, tags: Sequence[str], signature_def_map: Optional[dict] = None,
                       assets_collection: Optional[Sequence[Any]] = None,
                       legacy_init_op: Any = None, clear_devices: bool = False,
                       main_op: Any = None, strip_default_attrs: bool = False,
                       saver: Any = None) -> None:
        """Adds the default graph's meta graph under `tags`, sharing the variables already
        saved by `add_meta_graph_and_variables`."""
        if not self._has_saved_variables:
            raise AssertionError("Graph state including variables and assets has not been "
                                 "saved yet. Please invoke `add_meta_graph_and_variables()` "
                                 "first.")
        graph = get_default_graph()
        tags = _as_tags(tags)
        signature_def_map = dict(signature_def_map or {})
        _validate_signature_def_map(signature_def_map, graph)
        main_op = main_op or legacy_init_op
        assets = self._add_collections(graph, assets_collection, main_op)
        saver = self._maybe_create_saver(saver)
        meta_graph_def = self._export(graph, saver, clear_devices, strip_default_attrs)
        self._tag_and_add_meta_graph(meta_graph_def, tags, signature_def_map, assets)

    def save(self, as_text: bool = False) -> bytes:
        """Writes the saved model file (`saved_model.fgm`, or `saved_model.json` when
        `as_text`) and returns its path, as bytes like TF1's."""
        return os.fsencode(write_saved_model(self._export_dir, self._saved_model, as_text))

    # -- helpers
    def _add_collections(self, graph: Any, assets_collection: Any, main_op: Any) -> list:
        assets = self._save_and_write_assets(assets_collection)
        if main_op is not None:
            if not isinstance(main_op, Operation):
                raise TypeError(f"main_op needs to be an Operation: {main_op!r}")
            for key in (constants.MAIN_OP_KEY, constants.LEGACY_INIT_OP_KEY):
                if graph.get_collection(key):
                    raise ValueError("Graph already contains one or more main ops under the "
                                     f"collection {key}.")
            graph.add_to_collection(constants.MAIN_OP_KEY, main_op)
        return assets

    def _save_and_write_assets(self, assets_collection: Any) -> list:
        """Copies each asset file into export_dir/assets/; returns their AssetFileDefs."""
        if not assets_collection:
            return []
        asset_defs = []
        # Names already used by earlier meta graphs stay taken by their files.
        filename_map: dict = dict(self._saved_asset_files)
        for tensor in assets_collection:
            source = _asset_path_from_tensor(tensor)
            filename = _asset_filename_to_add(source, filename_map)
            filename_map[filename] = source
            asset_defs.append(AssetFileDef(filename, tensor.name))
        assets_dir = os.path.join(self._export_dir, constants.ASSETS_DIRECTORY)
        for filename, source in filename_map.items():
            if self._saved_asset_files.get(filename) == source:
                continue
            try:
                with open(source, "rb") as handle:
                    data = handle.read()
            except OSError as exc:
                raise errors.NotFoundError(None, None, f"Cannot read asset file {source}: "
                                           f"{exc}") from None
            atomic_write(os.path.join(assets_dir, filename), data)
            self._saved_asset_files[filename] = source
        return asset_defs

    def _maybe_create_saver(self, saver: Any) -> Any:
        if saver is not None:
            return saver
        from flowgraph.train.saver import Saver
        # As TF1: every saveable variable, one checkpoint; empty (nothing written) when the
        # graph has no variables.
        return Saver(sharded=True, write_version=2, allow_empty=True)

    def _export(self, graph: Any, saver: Any, clear_devices: bool,
                strip_default_attrs: bool) -> Any:
        with graph.as_default():
            return saver.export_meta_graph(clear_devices=clear_devices,
                                           strip_default_attrs=strip_default_attrs)

    def _tag_and_add_meta_graph(self, meta_graph_def: Any, tags: list,
                                signature_def_map: dict, assets: list) -> None:
        meta_graph_def.meta_info_def.tags = list(tags)
        for key, signature in signature_def_map.items():
            meta_graph_def.signature_def[key] = signature
        self._saved_model.meta_graphs.append(meta_graph_def)
        self._saved_model.asset_file_defs.append(assets)


Builder = SavedModelBuilder


def _as_tags(tags: Any) -> list:
    # A lone string is one tag (TF1 would silently split it into characters).
    if isinstance(tags, str):
        return [tags]
    if tags is None:
        return []
    tags = list(tags)
    for tag in tags:
        if not isinstance(tag, str):
            raise TypeError(f"Tags must be strings, got {tag!r} ({type(tag).__name__})")
    return tags


def _validate_signature_def_map(signature_def_map: dict, graph: Any) -> None:
    for reserved in (constants.INIT_OP_SIGNATURE_KEY, constants.TRAIN_OP_SIGNATURE_KEY):
        if reserved in signature_def_map:
            raise KeyError(f'SignatureDef map key "{reserved}" is reserved for initialization. '
                           "Please use a different key.")
    for key, signature in signature_def_map.items():
        if not isinstance(key, str):
            raise TypeError(f"SignatureDef keys must be strings, got {key!r}")
        for field in ("inputs", "outputs"):
            for name, info in dict(getattr(signature, field, None) or {}).items():
                _validate_tensor_info(info, graph, f"{key}.{field}[{name!r}]")


def _validate_tensor_info(info: Any, graph: Any, where: str) -> None:
    if info is None or not getattr(info, "name", None):
        raise AssertionError("All TensorInfo protos used in the SignatureDefs must have the "
                             f"name and dtype fields set: {where} has no tensor name.")
    if getattr(info, "dtype", None) is None:
        raise AssertionError("All TensorInfo protos used in the SignatureDefs must have the "
                             f"dtype field set: {where} ({info.name}).")
    try:
        graph.get_tensor_by_name(info.name)
    except (KeyError, ValueError) as exc:
        raise ValueError(f"Signature {where} names {info.name!r}, which is not a tensor of "
                         f"the graph being saved: {exc}") from None


def _asset_path_from_tensor(tensor: Any) -> str:
    if not isinstance(tensor, Tensor):
        raise TypeError(f"Asset path tensor must be a Tensor, got {tensor!r:.80}.")
    if tensor.op.type != "Const":
        raise TypeError(f"Asset path tensor must be of type constant: {tensor.name} is a "
                        f"{tensor.op.type}.")
    if not tensor.dtype.is_string:
        raise TypeError(f"Asset path tensor must be of type string: {tensor.name} is "
                        f"{tensor.dtype.name}.")
    value = constant_value(tensor)
    if value is None or getattr(value, "shape", None) not in ((), None):
        raise TypeError(f"Asset path tensor must have a scalar value: {tensor.name}.")
    value = value.item() if hasattr(value, "item") else value
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def _asset_filename_to_add(source: str, filename_map: dict) -> str:
    """The name of `source`'s copy in assets/: its base name, made unique as TF1 does."""
    filename = os.path.basename(source)
    if not filename or filename in (".", ".."):
        raise ValueError(f"Asset path {source!r} does not name a file.")
    if filename not in filename_map or filename_map[filename] == source:
        return filename
    stem, ext = os.path.splitext(filename)
    suffix = 1
    while f"{stem}_{suffix}{ext}" in filename_map and \
            filename_map[f"{stem}_{suffix}{ext}"] != source:
        suffix += 1
    return f"{stem}_{suffix}{ext}"
