"""Reading and writing the saved model file (`saved_model.fgm` / `saved_model.json`).

`saved_model.fgm` is a flowgraph container (`flowgraph.io.container`) of kind
"saved_model". Its document lists the meta graphs::

    {"saved_model_schema_version": 1,
     "meta_graphs": [{"tags": ["serve"], "meta_graph": "meta_graph_0",
                      "assets": [{"filename": "vocab.txt", "tensor_name": "Const:0"}]}]}

and each meta graph is stored, as its own checksummed meta graph container, in the uint8
tensor the entry names. `saved_model.json` is flowgraph's text form (`{"kind":
"saved_model", "producer", "min_consumer", "document"}`) of the same document, with each
entry's "meta_graph" holding the meta graph's own JSON text form inline.

Asset file names are relative to `export_dir/assets`; when loading, each is resolved there
and anything that escapes the folder (`..`, an absolute path, a symlink out) is rejected.
"""

from __future__ import annotations

import json
import os
from typing import Any, Optional

import numpy as np

from flowgraph import errors
from flowgraph.io import container
from flowgraph.io.atomic import atomic_write
from flowgraph.io.graph_def import dump_text, load_text
from flowgraph.io.meta_graph import MetaGraphDef
from flowgraph.saved_model import constants

MAX_TEXT_BYTES = 1 << 30


class AssetFileDef:
    """One asset: a file under `export_dir/assets` and the string tensor fed its path."""

    def __init__(self, filename: str, tensor_name: str) -> None:
        self.filename = filename
        self.tensor_name = tensor_name

    def to_dict(self) -> dict:
        return {"filename": self.filename, "tensor_name": self.tensor_name}

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, AssetFileDef) and self.to_dict() == other.to_dict()

    def __repr__(self) -> str:
        return f"AssetFileDef(filename={self.filename!r}, tensor_name={self.tensor_name!r})"


class SavedModel:
    """The content of a saved model file: its meta graphs, each with its tags and assets.

    `meta_graphs[i].meta_info_def.tags` are the tags of meta graph i, and
    `asset_file_defs[i]` its list of AssetFileDef.
    """

    def __init__(self, meta_graphs: Optional[list] = None,
                 asset_file_defs: Optional[list] = None,
                 saved_model_schema_version: int = constants.SAVED_MODEL_SCHEMA_VERSION,
                 path: str = "") -> None:
        self.meta_graphs = list(meta_graphs or [])
        self.asset_file_defs = list(asset_file_defs or [[] for _ in self.meta_graphs])
        self.saved_model_schema_version = saved_model_schema_version
        self.path = path
        self.format_versions: dict = {}

    def tags(self) -> list:
        """The tag list of every meta graph, in order."""
        return [list(mg.meta_info_def.tags) for mg in self.meta_graphs]


# --------------------------------------------------------------------------- writing
def write_saved_model(export_dir: str, saved_model: SavedModel, as_text: bool) -> str:
    """Writes the saved model file atomically; returns its path."""
    entries = []
    if as_text:
        for i, meta_graph in enumerate(saved_model.meta_graphs):
            entries.append({"tags": list(meta_graph.meta_info_def.tags),
                            "assets": [a.to_dict() for a in saved_model.asset_file_defs[i]],
                            "meta_graph": json.loads(meta_graph.to_json())})
        document = {"saved_model_schema_version": saved_model.saved_model_schema_version,
                    "meta_graphs": entries}
        path = os.path.join(export_dir, constants.SAVED_MODEL_FILENAME_TEXT)
        return atomic_write(path, dump_text(constants.SAVED_MODEL_KIND, document).encode())
    tensors = {}
    for i, meta_graph in enumerate(saved_model.meta_graphs):
        name = f"meta_graph_{i}"
        tensors[name] = np.frombuffer(meta_graph.SerializeToString(), dtype=np.uint8)
        entries.append({"tags": list(meta_graph.meta_info_def.tags),
                        "assets": [a.to_dict() for a in saved_model.asset_file_defs[i]],
                        "meta_graph": name})
    document = {"saved_model_schema_version": saved_model.saved_model_schema_version,
                "meta_graphs": entries}
    path = os.path.join(export_dir, constants.SAVED_MODEL_FILENAME)
    return container.write(path, constants.SAVED_MODEL_KIND, document, tensors)


# --------------------------------------------------------------------------- reading
def saved_model_path(export_dir: str) -> Optional[str]:
    """The saved model file in `export_dir` (binary first), or None."""
    for name in (constants.SAVED_MODEL_FILENAME, constants.SAVED_MODEL_FILENAME_TEXT):
        path = os.path.join(export_dir, name)
        if os.path.isfile(path):
            return path
    return None


class SavedModelNotFoundError(errors.NotFoundError, OSError):
    """No saved model file in the folder: TF1 raises IOError (OSError) there; it is a
    NotFoundError too."""


def parse_saved_model(export_dir: str) -> SavedModel:
    """Reads and validates the saved model file of `export_dir`.

    Raises SavedModelNotFoundError (an OSError, as TF1's IOError) if there is none,
    DataLossError if it is damaged and UnimplementedError if a newer flowgraph wrote it.
    """
    export_dir = os.fspath(export_dir)
    path = saved_model_path(export_dir)
    if path is None:
        raise SavedModelNotFoundError(
            None, None, f"SavedModel file does not exist at: {export_dir}/"
            f"{{{constants.SAVED_MODEL_FILENAME}|{constants.SAVED_MODEL_FILENAME_TEXT}}}"
            + ("" if os.path.isdir(export_dir) else " (no such folder)"))
    if path.endswith(constants.SAVED_MODEL_FILENAME_TEXT):
        return _parse_text(path)
    return _parse_binary(path)


def _parse_binary(path: str) -> SavedModel:
    box = container.read(path)
    if box.kind != constants.SAVED_MODEL_KIND:
        raise errors.DataLossError(None, None, f"{path} holds a {box.kind!r}, not a saved "
                                   "model")
    document = _check_document(box.document, path)
    model = SavedModel(saved_model_schema_version=document["saved_model_schema_version"],
                       path=path)
    model.asset_file_defs = []
    for i, entry in enumerate(document["meta_graphs"]):
        name = entry.get("meta_graph")
        if not isinstance(name, str) or name not in box:
            raise _loss(path, f"meta graph {i} names no stored tensor")
        dtype_name, shape = box.tensor_spec(name)
        if dtype_name != "uint8" or len(shape) != 1:
            raise _loss(path, f"meta graph {i} must be stored as bytes (a uint8 vector)")
        data = box.read_tensor(name).tobytes()
        model.meta_graphs.append(_checked_meta_graph(
            MetaGraphDef.FromString(data), entry, path, i))
        model.asset_file_defs.append(_parse_assets(entry, path, i))
    model.format_versions = _container_versions(path)
    return model


def _parse_text(path: str) -> SavedModel:
    size = os.path.getsize(path)
    if size > MAX_TEXT_BYTES:
        raise _loss(path, f"file of {size} bytes exceeds the limit of {MAX_TEXT_BYTES}")
    with open(path, "rb") as handle:
        raw = handle.read()
    try:
        document = load_text(raw, path, constants.SAVED_MODEL_KIND)
    except errors.InvalidArgumentError as exc:
        raise _loss(path, f"not a saved model: {exc.message}") from None
    document = _check_document(document, path)
    model = SavedModel(saved_model_schema_version=document["saved_model_schema_version"],
                       path=path)
    model.asset_file_defs = []
    for i, entry in enumerate(document["meta_graphs"]):
        if not isinstance(entry.get("meta_graph"), dict):
            raise _loss(path, f"meta graph {i} is not a JSON object")
        meta_graph = MetaGraphDef.from_json(json.dumps(entry["meta_graph"]))
        model.meta_graphs.append(_checked_meta_graph(meta_graph, entry, path, i))
        model.asset_file_defs.append(_parse_assets(entry, path, i))
    top = json.loads(raw)
    model.format_versions = {"producer": top["producer"], "min_consumer": top["min_consumer"]}
    return model


def _check_document(document: Any, path: str) -> dict:
    if not isinstance(document, dict):
        raise _loss(path, "the saved model document must be a JSON object")
    version = document.get("saved_model_schema_version")
    if not _is_int(version):
        raise _loss(path, "missing or invalid saved_model_schema_version")
    if version > constants.SAVED_MODEL_SCHEMA_VERSION:
        raise errors.UnimplementedError(
            None, None, f"{path} uses saved model schema version {version}, newer than this "
            f"flowgraph's ({constants.SAVED_MODEL_SCHEMA_VERSION}); upgrade flowgraph.")
    meta_graphs = document.get("meta_graphs")
    if not isinstance(meta_graphs, list) or len(meta_graphs) > constants.MAX_META_GRAPHS:
        raise _loss(path, f"'meta_graphs' must be a list of at most "
                    f"{constants.MAX_META_GRAPHS} entries")
    for i, entry in enumerate(meta_graphs):
        if not isinstance(entry, dict):
            raise _loss(path, f"meta graph entry {i} must be a JSON object")
        _check_tags(entry.get("tags"), path, i)
    return document


def _check_tags(tags: Any, path: str, i: int) -> None:
    if not isinstance(tags, list) or len(tags) > constants.MAX_TAGS or not all(
            isinstance(t, str) and len(t) <= container.MAX_NAME_CHARS for t in tags):
        raise _loss(path, f"meta graph {i}: 'tags' must be a list of at most "
                    f"{constants.MAX_TAGS} strings")


def _checked_meta_graph(meta_graph: MetaGraphDef, entry: dict, path: str, i: int
                        ) -> MetaGraphDef:
    stored = list(meta_graph.meta_info_def.tags)
    if sorted(stored) != sorted(entry["tags"]):
        raise _loss(path, f"meta graph {i}: its tags {stored} differ from the listed tags "
                    f"{entry['tags']}")
    return meta_graph


def _parse_assets(entry: dict, path: str, i: int) -> list:
    assets = entry.get("assets", [])
    if not isinstance(assets, list) or len(assets) > constants.MAX_ASSETS:
        raise _loss(path, f"meta graph {i}: 'assets' must be a list of at most "
                    f"{constants.MAX_ASSETS} entries")
    result = []
    for item in assets:
        if not isinstance(item, dict) or not all(
                isinstance(item.get(key), str) and 0 < len(item[key]) <= container.MAX_NAME_CHARS
                for key in ("filename", "tensor_name")):
            raise _loss(path, f"meta graph {i}: each asset needs a 'filename' and a "
                        "'tensor_name' string")
        result.append(AssetFileDef(item["filename"], item["tensor_name"]))
    return result


def _container_versions(path: str) -> dict:
    """The producer / min_consumer versions in a (validated) container's header."""
    with open(path, "rb") as handle:
        prefix = handle.read(16)
        header_len = int.from_bytes(prefix[12:16], "little")
        header = json.loads(handle.read(header_len).decode("utf-8"))
    return {"container_layout": int.from_bytes(prefix[8:12], "little"),
            "producer": header.get("producer"), "min_consumer": header.get("min_consumer")}


# --------------------------------------------------------------------------- assets
def resolve_asset_path(export_dir: str, filename: str) -> str:
    """The real path of asset `filename` inside `export_dir/assets`.

    Raises InvalidArgumentError for a name that is absolute, contains '..', or resolves
    (through symlinks) outside the assets folder; NotFoundError if the file is missing.
    """
    parts = filename.replace("\\", "/").split("/")
    if (not filename or "\x00" in filename or os.path.isabs(filename)
            or filename.startswith(("/", "\\")) or ".." in parts
            or (len(filename) > 1 and filename[1] == ":")):
        raise _escape_error(export_dir, filename)
    # The assets folder must itself be inside the (real) export folder: a symlinked
    # assets/ leading elsewhere is refused too.
    base = os.path.join(os.path.realpath(export_dir), constants.ASSETS_DIRECTORY)
    real = os.path.realpath(os.path.join(export_dir, constants.ASSETS_DIRECTORY, filename))
    if real == base or os.path.commonpath([real, base]) != base:
        raise _escape_error(export_dir, filename)
    if not os.path.isfile(real):
        raise errors.NotFoundError(None, None, f"Asset file {filename!r} of the saved model "
                                   f"at {export_dir} is missing (expected at {real}).")
    return real


def _escape_error(export_dir: str, filename: str) -> errors.InvalidArgumentError:
    return errors.InvalidArgumentError(
        None, None, f"The saved model at {export_dir} names the asset {filename!r:.200}, "
        f"which is not inside its {constants.ASSETS_DIRECTORY}/ folder (absolute paths, '..' "
        "and symlinks leading out are rejected); the model was not loaded.")


def _loss(path: str, message: str) -> errors.DataLossError:
    return errors.DataLossError(None, None, f"{path}: {message}")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


