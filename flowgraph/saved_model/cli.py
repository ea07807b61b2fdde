"""Handlers of the `flowgraph run` and `flowgraph inspect` commands.

``flowgraph run EXPORT_DIR --input x=x.npy [--output y] [--signature KEY] [--out-dir DIR]``
loads a saved model in a fresh Session, feeds each signature input from a .npy file (or
``key=file.npz[name]``), runs the signature's outputs and prints them (and writes
``KEY.npy`` files with --out-dir).

``flowgraph inspect PATH`` summarizes a graph file, a meta graph, a checkpoint or a saved
model folder.

Both return a process exit code: 0 on success, 1 when the model or a file is at fault, 2
when the arguments are.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import sys
from typing import Any, Optional

import numpy as np

from flowgraph import dtypes, errors

__all__ = ["run_command", "inspect_command", "add_run_arguments", "add_inspect_arguments"]

_SAFE_FILE_RE = re.compile(r"[^A-Za-z0-9_.\-]")


class CommandError(Exception):
    """A failure reported to the user as one clear line (no traceback)."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


# --------------------------------------------------------------------------- argparse
def add_run_arguments(parser: argparse.ArgumentParser) -> None:
    """Adds the arguments of `flowgraph run` (export_dir, input, output, signature,
    out_dir, tag_set) to `parser`."""
    parser.add_argument("export_dir", help="the saved model folder")
    parser.add_argument("--input", action="append", default=[], metavar="KEY=PATH.npy",
                        help="feed signature input KEY from a .npy file (or file.npz[name]); "
                        "repeat for several inputs")
    parser.add_argument("--output", action="append", default=[], metavar="KEY",
                        help="signature output to fetch (default: all); repeatable")
    parser.add_argument("--signature", default="serving_default",
                        help="signature key (default: serving_default)")
    parser.add_argument("--tag-set", dest="tag_set", default=None,
                        help="comma-separated tags of the meta graph (default: serve)")
    parser.add_argument("--out-dir", dest="out_dir", default=None,
                        help="write each output to OUT_DIR/KEY.npy")


def add_inspect_arguments(parser: argparse.ArgumentParser) -> None:
    """Adds the argument of `flowgraph inspect` (path) to `parser`."""
    parser.add_argument("path", help="a graph file, meta graph, checkpoint prefix or saved "
                        "model folder")


# --------------------------------------------------------------------------- inspect
def inspect_command(args: argparse.Namespace) -> int:
    """`flowgraph inspect PATH`: prints a summary of what is stored at PATH."""
    from flowgraph.io.inspect import format_summary, summarize
    try:
        summary = summarize(args.path)
    except (errors.OpError, OSError, ValueError, KeyError) as exc:
        return _fail("inspect", _message(exc), 1)
    try:
        print(format_summary(summary))
        sys.stdout.flush()
    except BrokenPipeError:  # `flowgraph inspect ... | head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


# --------------------------------------------------------------------------- run
def run_command(args: argparse.Namespace) -> int:
    """`flowgraph run EXPORT_DIR --input KEY=PATH.npy ...`: runs a saved model's signature."""
    try:
        _run(args)
    except CommandError as exc:
        return _fail("run", str(exc), exc.code)
    except (errors.OpError, OSError, ValueError, KeyError, RuntimeError, TypeError) as exc:
        return _fail("run", _message(exc), 1)
    return 0


def _run(args: argparse.Namespace) -> None:
    import flowgraph as fg
    from flowgraph.saved_model import loader

    export_dir = args.export_dir
    if not loader.maybe_saved_model_directory(export_dir):
        raise CommandError(f"{export_dir} is not a saved model folder (it has no "
                           "saved_model.fgm or saved_model.json)")
    specs = _parse_input_specs(getattr(args, "input", None) or [])
    model = loader.SavedModelLoader(export_dir)
    signature_key = getattr(args, "signature", None) or "serving_default"
    tags = _choose_tags(model, signature_key, getattr(args, "tag_set", None))
    meta = model.get_meta_graph_def_from_tags(tags)
    signature = meta.signature_def.get(signature_key)
    if signature is None:
        raise CommandError(f"signature {signature_key!r} not found; the meta graph tagged "
                           f"{sorted(tags)} has: {_keys(meta.signature_def)}", 2)
    unknown = [key for key in specs if key not in signature.inputs]
    if unknown:
        raise CommandError(f"unknown input key(s) {unknown} for signature "
                           f"{signature_key!r}; valid input keys: {_keys(signature.inputs)}", 2)
    output_keys = _output_keys(getattr(args, "output", None) or [], signature, signature_key)
    feeds_by_key = {key: _load_input(key, path, signature.inputs[key])
                    for key, path in specs.items()}
    graph = fg.Graph()
    with fg.Session(graph=graph) as sess:
        model.load(sess, tags)
        feed_dict = {graph.get_tensor_by_name(signature.inputs[key].name): value
                     for key, value in feeds_by_key.items()}
        fetches = {key: graph.get_tensor_by_name(signature.outputs[key].name)
                   for key in output_keys}
        _check_missing_inputs(signature, graph, fetches, feed_dict)
        results = sess.run(fetches, feed_dict=feed_dict)
    out_dir = getattr(args, "out_dir", None)
    for key in output_keys:
        value = np.asarray(results[key])
        print(_describe_output(key, value))
        if out_dir:
            print(f"  written to {_write_output(out_dir, key, value)}")


def _parse_input_specs(items: list) -> dict:
    specs: dict = {}
    for item in items:
        key, sep, path = item.partition("=")
        if not sep or not key or not path:
            raise CommandError(f"--input {item!r}: expected KEY=PATH.npy", 2)
        if key in specs:
            raise CommandError(f"--input {key!r} is given twice", 2)
        specs[key] = path
    return specs


def _choose_tags(model: Any, signature_key: str, tag_set: Optional[str]) -> list:
    available = model.saved_model.tags()
    if tag_set:
        return [t for t in tag_set.split(",") if t]
    for tags in available:
        if set(tags) == {"serve"}:
            return tags
    with_signature = [tags for tags, mg in zip(available, model.saved_model.meta_graphs)
                      if signature_key in mg.signature_def]
    if len(available) == 1 or len(with_signature) == 1:
        return (with_signature or available)[0]
    if not available:
        raise CommandError(f"the saved model at {model.export_dir} holds no meta graph")
    raise CommandError(f"the saved model holds several meta graphs {available}; choose one "
                       "with --tag-set TAG[,TAG...]", 2)


def _output_keys(requested: list, signature: Any, signature_key: str) -> list:
    keys = []
    for item in requested:
        keys.extend(k for k in item.split(",") if k)
    if not keys:
        return sorted(signature.outputs)
    unknown = [key for key in keys if key not in signature.outputs]
    if unknown:
        raise CommandError(f"unknown output key(s) {unknown} for signature {signature_key!r}; "
                           f"valid output keys: {_keys(signature.outputs)}", 2)
    return list(dict.fromkeys(keys))


def _load_input(key: str, spec: str, info: Any) -> np.ndarray:
    """The array for input `key` from `spec` ("x.npy", "x.npz" or "x.npz[name]")."""
    path, member = spec, None
    match = re.fullmatch(r"(.+\.npz)\[([^\]]+)\]", spec)
    if match:
        path, member = match.group(1), match.group(2)
    if not os.path.isfile(path):
        raise CommandError(f"input {key!r}: no such file {path}")
    try:
        loaded = np.load(path, allow_pickle=False)
        if isinstance(loaded, np.lib.npyio.NpzFile):
            with loaded:
                names = list(loaded.files)
                if member is None and len(names) != 1:
                    raise CommandError(f"input {key!r}: {path} holds arrays {names}; pick one "
                                       f"with {key}={path}[NAME]", 2)
                name = member if member is not None else names[0]
                if name not in names:
                    raise CommandError(f"input {key!r}: {path} has no array {name!r}; it holds "
                                       f"{names}", 2)
                array = loaded[name]
        else:
            array = loaded
    except CommandError:
        raise
    except (ValueError, OSError, EOFError) as exc:
        raise CommandError(f"input {key!r}: cannot read {path} as a numpy file (object "
                           f"arrays are refused, pickles are never loaded): {exc}") from None
    return _conform(key, np.asarray(array), info)


def _conform(key: str, array: np.ndarray, info: Any) -> np.ndarray:
    dtype = dtypes.as_dtype(info.dtype)
    shape = _shape_list(info.tensor_shape)
    if shape is not None:
        if len(shape) != array.ndim or any(d is not None and d != s
                                           for d, s in zip(shape, array.shape)):
            raise CommandError(f"input {key!r} has shape {tuple(array.shape)}, but the "
                               f"signature expects {_shape_text(shape)} ({info.name})")
    if dtype.is_string:
        if array.dtype.kind not in "SUO":
            raise CommandError(f"input {key!r} must hold strings ({info.name} is a string "
                               f"tensor), got {array.dtype}")
        return array
    if array.dtype.kind in "SUO" or not _castable(array.dtype, dtype.np):
        raise CommandError(f"input {key!r} of dtype {array.dtype} cannot be converted to "
                           f"{dtype.name} ({info.name}) without losing values")
    return array.astype(dtype.np, copy=False)


def _castable(source: np.dtype, target: np.dtype) -> bool:
    if np.can_cast(source, target, casting="same_kind"):
        return True
    return source.kind in "biu" and target.kind in "biuf"


def _check_missing_inputs(signature: Any, graph: Any, fetches: dict, feed_dict: dict) -> None:
    """Names the signature inputs the outputs need that were not given."""
    fed = set(feed_dict)
    needed = set()
    stack = [t.op for t in fetches.values()]
    seen = set()
    while stack:
        op = stack.pop()
        if op in seen:
            continue
        seen.add(op)
        if op.type == "Placeholder":
            needed.add(op)
        stack.extend(t.op for t in op.inputs if t not in fed)
        stack.extend(op.control_inputs)
    missing = [key for key, info in signature.inputs.items()
               if graph.get_tensor_by_name(info.name).op in needed
               and graph.get_tensor_by_name(info.name) not in fed]
    if missing:
        hints = " ".join(f"--input {key}=PATH.npy" for key in sorted(missing))
        raise CommandError(f"the requested outputs need input(s) {sorted(missing)}; add {hints}",
                           2)


def _describe_output(key: str, value: np.ndarray) -> str:
    dtype = "string" if value.dtype.kind in "SUO" else value.dtype.name
    with np.printoptions(threshold=12, edgeitems=3, precision=5, linewidth=88):
        preview = np.array2string(value, separator=", ")
    preview = preview.replace("\n", "\n    ")
    return f"{key}: dtype={dtype} shape={tuple(value.shape)}\n    {preview}"


def _write_output(out_dir: str, key: str, value: np.ndarray) -> str:
    from flowgraph.io.atomic import atomic_write
    name = _SAFE_FILE_RE.sub("_", key).lstrip(".") or "output"
    if value.dtype == object:  # strings: saved as fixed-width bytes, never as pickles
        value = np.array([v if isinstance(v, bytes) else str(v).encode("utf-8")
                          for v in value.reshape(-1)], dtype=bytes).reshape(value.shape)
    buffer = io.BytesIO()
    np.save(buffer, value, allow_pickle=False)
    return atomic_write(os.path.join(out_dir, f"{name}.npy"), buffer.getvalue())


# --------------------------------------------------------------------------- helpers
def _shape_list(shape: Any) -> Optional[list]:
    if shape is None:
        return None
    if hasattr(shape, "as_list"):
        return None if getattr(shape, "dims", 0) is None else shape.as_list()
    return list(shape)


def _shape_text(shape: Optional[list]) -> str:
    if shape is None:
        return "<unknown>"
    return "(" + ", ".join("?" if d is None else str(d) for d in shape) + \
        ("," if len(shape) == 1 else "") + ")"


def _keys(mapping: Any) -> list:
    return sorted(mapping or {})


def _message(exc: BaseException) -> str:
    message = getattr(exc, "message", None) or str(exc)
    if isinstance(exc, KeyError) and exc.args:
        message = str(exc.args[0])
    return f"{type(exc).__name__}: {message}"


def _fail(command: str, message: str, code: int) -> int:
    print(f"flowgraph {command}: error: {message}", file=sys.stderr)
    return code
