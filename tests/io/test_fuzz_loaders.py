"""Hypothesis-driven fuzzing of every loader: damaged, truncated and hostile files.

Valid files are made here from a small real graph (with every kind of attribute, a
string constant and a nested graph), its meta graph, a checkpoint of its variables and a
saved model; each case mutates one of them (`tests/io/fuzz_strategies.py`) and loads it.
Container headers are mutated and re-signed with a correct digest, so the checks behind
the checksums (types, bounds, tensor tables, graph validation) are what is exercised.

Rules checked for every case (`_run_case`):

* the only exceptions that escape are flowgraph's own errors (`fg.errors.OpError`
  subclasses: DataLossError, InvalidArgumentError (GraphDefError), NotFoundError,
  UnimplementedError, ...), plus the exact classes TF1's API contract raises for the
  call at hand (`_TF1_EXTRA`): ValueError from `import_graph_def` and `import_meta_graph`
  (TF1's contract for a graph_def that is not well formed; flowgraph raises GraphDefError,
  both a ValueError and an InvalidArgumentError, for everything found in a file or a
  GraphDef, so a plain ValueError comes only from a Saver whose saver_def names variables
  the graph lacks); ValueError from `Saver.restore` and saved_model `loader.load`;
  ValueError from `get_checkpoint_state` for a state without `model_checkpoint_path`;
  `CheckpointStateParseError` (TF1's text_format.ParseError) from
  `CheckpointState.from_text`; RuntimeError from `loader.load` when the file's tags are
  not the requested ones. File readers (`container.parse`, `FromString`, `from_json`,
  `NewCheckpointReader`, `load_graph_file`) raise flowgraph's errors only. The exact
  class is checked: subclasses such as UnicodeDecodeError or JSONDecodeError (both
  ValueErrors), RecursionError (a RuntimeError), and KeyError, IndexError,
  AttributeError, OverflowError, struct.error, MemoryError never pass;
* each case finishes within 2 s (time.perf_counter, measured on an untraced run);
* each case's tracemalloc peak stays within `_memory_bound(file size)`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import sys
import time
import traceback
import tracemalloc
from typing import Any, Callable, Optional

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import flowgraph as fg
import flowgraph.saved_model  # noqa: F401 - makes fg.saved_model available
from flowgraph import errors
from flowgraph.io import GraphDef, MetaGraphDef, container, import_graph_def, load_graph_file
from flowgraph.ops import registry
from flowgraph.ops.registry import Op, register
from flowgraph.saved_model.file_format import parse_saved_model
from flowgraph.shapes import TensorShape
from flowgraph.train import checkpoint_management as management
from flowgraph.train.checkpoint_state import CheckpointState, CheckpointStateParseError
from tests.io import fuzz_strategies as fz

TIME_LIMIT = 2.0
MiB = 1 << 20


def _memory_bound(size: int) -> int:
    """The most a load of a `size`-byte file may allocate at its peak.

    64 MiB covers what any load needs whatever the file: imports done lazily on first use
    (networkx, the op modules), a fresh Graph and Session, name scopes, error messages.
    20 x the size covers the copies a loader legitimately makes of the file: the bytes
    read (1x), the header slice and its decoded text (2x), the JSON objects of the header
    (up to ~12x for the dense lists and short strings flowgraph writes), and a tensor's
    checked slice, its decoded array and the copy handed to the caller (3x). Anything
    that allocates from a declared size rather than the bytes present (a huge shape, a
    huge length prefix, a huge count) blows far past it.
    """
    return 64 * MiB + 20 * size


_OWN = (errors.OpError,)
_TF1_EXTRA = {
    "file": (),
    "import": (ValueError,),
    "restore": (ValueError,),
    "state_text": (CheckpointStateParseError,),
    "state_file": (ValueError,),
    "saved_model": (ValueError, RuntimeError),
}
CASE_COUNTS: dict = {}
CASE_MAXIMA: dict = {}  # test -> [slowest case in s, largest peak / bound]


class _EscapedError(AssertionError):
    """An exception outside the contract escaped a loader."""


def _stage(contract: str, call: Callable[[], Any]) -> Any:
    """`call()`, or None if it raised an error its `contract` allows."""
    try:
        return call()
    except _EscapedError:
        raise
    except _OWN:
        return None
    except Exception as exc:  # noqa: BLE001 - checked right below
        if type(exc) in _TF1_EXTRA[contract]:
            return None
        where = "".join(traceback.format_tb(exc.__traceback__)[-4:])
        raise _EscapedError(f"{type(exc).__name__} escaped the loader ({contract}): "
                            f"{str(exc)[:300]}\n{where}") from exc


def _run_case(test: str, call: Callable[[], Any], size: int, contract: str = "file") -> None:
    """Runs one fuzz case under the rules of the module docstring.

    The case runs twice: timed, then under tracemalloc for its peak memory (the tracer
    slows allocation-heavy code 15-60 times, so the time of a traced run would measure
    the tracer). Loading is deterministic: both runs do the same work."""
    CASE_COUNTS[test] = CASE_COUNTS.get(test, 0) + 1
    start = time.perf_counter()
    _stage(contract, call)
    elapsed = time.perf_counter() - start
    tracemalloc.start()  # traced only while the case runs: Hypothesis runs at full speed
    try:
        _stage(contract, call)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    maxima = CASE_MAXIMA.setdefault(test, [0.0, 0.0])
    maxima[0] = max(maxima[0], elapsed)
    maxima[1] = max(maxima[1], peak / _memory_bound(size))
    assert elapsed <= TIME_LIMIT, f"case took {elapsed:.2f} s (file of {size} bytes)"
    assert peak <= _memory_bound(size), \
        f"case allocated {peak / MiB:.1f} MiB for a file of {size} bytes"


def fuzz(examples: int) -> Callable:
    """Hypothesis settings of the fuzz tests: reproducible, 2 s deadline, no database."""
    return settings(max_examples=examples, derandomize=True, deadline=2000, database=None,
                    print_blob=False,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.large_base_example,
                                           HealthCheck.filter_too_much])


# --------------------------------------------------------------------------- samples
class Samples:
    """The valid files every test mutates (made once for the module)."""


def _build_graph(body: Optional[fg.Graph], fuzz_op: type) -> tuple:
    x = fg.placeholder(fg.float32, [None, 3], name="x")
    w = fg.Variable(np.arange(6, dtype=np.float32).reshape(3, 2), name="w")
    b = fg.Variable(np.zeros(2, np.float32), name="b")
    y = fg.add(fg.matmul(x, w), b, name="y")
    fg.constant([b"ab", b"", b"xyz"], name="words")
    with fg.control_dependencies([y.op]):
        fg.identity(y, name="z")
    registry.apply_op(fuzz_op(count=3, scale=0.5, flag=True, label="SAME", axes=(1, 2),
                              nested=((1, "a"), (2.5, None)), maybe=7,
                              table=np.arange(4, dtype=np.int32).reshape(2, 2),
                              shape=TensorShape([None, 3]), body=body), [], name="every")
    fg.add_to_collection("extras", 3)
    fg.add_to_collection("extras", "text")
    fg.add_to_collection("outputs", y)
    return x, y


@pytest.fixture(scope="module")
def samples(tmp_path_factory):
    @register
    class FuzzEveryAttribute(Op):
        """A test-only op with one attribute of every kind, a nested graph among them."""

        dtype: fg.DType = fg.float64
        shape: TensorShape = TensorShape([None, 3])
        count: int = 0
        scale: float = 1.0
        flag: bool = False
        label: str = ""
        axes: tuple = ()
        nested: tuple = ()
        maybe: Optional[int] = None
        table: Optional[np.ndarray] = None
        body: Optional[fg.Graph] = None
        stateful = True

        def infer(self, op):
            return [(fg.float64, TensorShape(None))]

        def kernel(self):
            return np.zeros(1)

    # Damaged checkpoint state files are logged and ignored, as TF1: keep the log quiet.
    state_log = logging.getLogger(management.__name__)
    state_log.disabled = True
    made = None
    try:
        made = _make_samples(tmp_path_factory.mktemp("fuzz"), FuzzEveryAttribute)
        yield made
    finally:
        if made is not None:
            made.sess.close()
        state_log.disabled = False
        registry._REGISTRY.pop("FuzzEveryAttribute", None)


def _make_samples(root, fuzz_op: type) -> Samples:
    s = Samples()
    s.root = str(root)
    inner = fg.Graph()
    with inner.as_default():
        fg.add(fg.constant([1.5, 2.5], name="c"), fg.constant(1.0), name="out")
    body = fg.Graph()
    with body.as_default():
        registry.apply_op(fuzz_op(body=inner, axes=(4,)), [], name="deeper")
    s.graph = fg.Graph()
    with s.graph.as_default():
        x, y = _build_graph(body, fuzz_op)
        s.saver = fg.train.Saver()
        s.sess = fg.Session(graph=s.graph)
        s.sess.run(fg.global_variables_initializer())
        os.makedirs(os.path.join(s.root, "ckpt"))
        prefix = s.saver.save(s.sess, os.path.join(s.root, "ckpt", "model"), global_step=1)
        vocab = os.path.join(s.root, "vocab.txt")
        with open(vocab, "w") as handle:
            handle.write("a\nb\n")
        asset = fg.constant(vocab, name="vocab")
        fg.add_to_collection(fg.GraphKeys.ASSET_FILEPATHS, asset)
        for as_text in (False, True):
            folder = os.path.join(s.root, "model_text" if as_text else "model_bin")
            builder = fg.saved_model.builder.SavedModelBuilder(folder)
            sig = fg.saved_model.signature_def_utils.predict_signature_def({"x": x}, {"y": y})
            builder.add_meta_graph_and_variables(
                s.sess, ["serve"], {"serving_default": sig},
                assets_collection=[asset],
                legacy_init_op=None if as_text else fg.no_op(name="init"))
            builder.save(as_text=as_text)
    # The meta graph of the saved model: saver, collections, a signature and a main op.
    meta = parse_saved_model(os.path.join(s.root, "model_bin")).meta_graphs[0]
    graph_def = s.graph.as_graph_def()
    s.graph_bytes = graph_def.SerializeToString()
    s.graph_text = graph_def.to_json()
    s.meta_bytes = meta.SerializeToString()
    s.meta_text = meta.to_json()
    s.graph_doc = json.loads(s.graph_text)
    s.meta_doc = json.loads(s.meta_text)
    with open(prefix + ".index", "rb") as handle:
        s.index_bytes = handle.read()
    data_path = prefix + ".data-00000-of-00001"
    with open(data_path, "rb") as handle:
        s.data_bytes = handle.read()
    with open(os.path.join(s.root, "model_bin", "saved_model.fgm"), "rb") as handle:
        s.saved_bytes = handle.read()
    with open(os.path.join(s.root, "model_text", "saved_model.json"), "rb") as handle:
        s.saved_text = handle.read()
    s.state_bytes = str(CheckpointState("model-1", ["model-0", "model-1"], [1.5, 2.5],
                                        3.0)).encode("utf-8")
    s.containers = {"graph": s.graph_bytes, "meta": s.meta_bytes, "index": s.index_bytes,
                    "data": s.data_bytes, "saved": s.saved_bytes}
    s.paths = {key: fz.json_paths(fz.split(data)[0]) for key, data in s.containers.items()}
    s.graph_paths = fz.json_paths(s.graph_doc)
    s.meta_paths = fz.json_paths(s.meta_doc)
    s.saved_text_paths = fz.json_paths(json.loads(s.saved_text))
    # Paths outside the graph documents, which hold most of the values.
    s.meta_field_paths = [p for p in s.meta_paths if p[:2] != ("document", "graph_def")]
    s.saved_text_field_paths = [p for p in s.saved_text_paths if "graph_def" not in p]
    s.work = os.path.join(s.root, "work")
    os.makedirs(s.work)
    return s


# --------------------------------------------------------------------------- loaders
def _parse_all(data: bytes) -> None:
    box = container.parse(data)
    for name in box.tensor_names():
        box.read_tensor(name)


def _import_into_new_graph(graph_def: GraphDef) -> None:
    with fg.Graph().as_default():
        import_graph_def(graph_def, name="")


def _import_meta(meta: MetaGraphDef) -> None:
    with fg.Graph().as_default():
        fg.train.import_meta_graph(meta)


def _write(path: str, data: bytes) -> str:
    with open(path, "wb") as handle:
        handle.write(data)
    return path


@st.composite
def _container_variants(draw: Callable, data: bytes, paths: list) -> bytes:
    """Byte-damaged, header-mutated (re-signed) or tensor-table-mutated `data`."""
    family = draw(st.sampled_from(["bytes", "header", "header", "table", "raw_header"]))
    if family == "bytes":
        return draw(fz.byte_mutations(data))
    header, blob = fz.split(data)
    if family == "table":
        return draw(fz.tensor_table_mutations(data))
    if family == "raw_header":  # re-signed damage inside the header text itself
        raw = fz.dumps(header).encode("utf-8")
        return fz.repack(draw(fz.byte_mutations(raw)), blob)
    return fz.repack(draw(fz.json_mutations(header, paths)), blob)


# --------------------------------------------------------------------------- containers
@fuzz(700)
@given(data=st.data())
def test_container_parse(samples, data):
    kind = data.draw(st.sampled_from(sorted(samples.containers)))
    mutated = data.draw(_container_variants(samples.containers[kind], samples.paths[kind]))
    _run_case("container", lambda: _parse_all(mutated), len(mutated))


@fuzz(300)
@given(data=st.data())
def test_container_layout_and_versions(samples, data):
    kind = data.draw(st.sampled_from(sorted(samples.containers)))
    header, blob = fz.split(samples.containers[kind])
    layout = data.draw(st.sampled_from([0, 1, 2, 2 ** 31, 2 ** 32 - 1]))
    for key in ("producer", "min_consumer"):
        header[key] = data.draw(st.sampled_from([1, 0, 2, -1, 2 ** 63, 10 ** 30, "1", None]))
    mutated = fz.repack(header, blob, layout)
    _run_case("layout", lambda: _parse_all(mutated), len(mutated))


# --------------------------------------------------------------------------- GraphDef
@fuzz(500)
@given(data=st.data())
def test_graph_def_from_string(samples, data):
    mutated = data.draw(_container_variants(samples.graph_bytes, samples.paths["graph"]))

    def case():
        graph_def = GraphDef.FromString(mutated)
        _stage("import", lambda: _import_into_new_graph(graph_def))

    _run_case("graph_bytes", case, len(mutated))


@fuzz(400)
@given(data=st.data())
def test_graph_def_from_json(samples, data):
    if data.draw(st.booleans()):
        text = fz.dumps(data.draw(fz.json_mutations(samples.graph_doc, samples.graph_paths)))
        text = text.encode("utf-8")
    else:
        text = data.draw(fz.byte_mutations(samples.graph_text.encode("utf-8")))

    def case():
        graph_def = GraphDef.from_json(text)
        _stage("import", lambda: _import_into_new_graph(graph_def))

    _run_case("graph_json", case, len(text))


@fuzz(800)
@given(data=st.data())
def test_graph_semantic_mutations(samples, data):
    top = dict(samples.graph_doc)
    top["document"] = data.draw(fz.graph_semantic_mutations(samples.graph_doc["document"],
                                                            "FuzzEveryAttribute"))
    payload = fz.dumps(top).encode("utf-8")
    binary = data.draw(st.booleans())
    if binary:  # the same document in the binary form, tensors inline
        header, _ = fz.split(samples.graph_bytes)
        header.update(document=top["document"], tensors=[])
        payload = fz.repack(header, b"")

    def case():
        graph_def = GraphDef.FromString(payload) if binary else GraphDef.from_json(payload)
        _stage("import", lambda: _import_into_new_graph(graph_def))

    _run_case("graph_semantic", case, len(payload))


@fuzz(400)
@given(data=st.data())
def test_import_graph_def_of_changed_graph_defs(samples, data):
    graph_def = data.draw(fz.graph_def_object_mutations(
        GraphDef.FromString(samples.graph_bytes), "FuzzEveryAttribute"))
    _run_case("graph_objects", lambda: _import_into_new_graph(graph_def),
              len(samples.graph_bytes), contract="import")


# --------------------------------------------------------------------------- MetaGraphDef
@fuzz(500)
@given(data=st.data())
def test_meta_graph_def(samples, data):
    family = data.draw(st.sampled_from(["binary", "json", "json_bytes", "semantic",
                                        "fields", "fields"]))
    if family == "binary":
        payload = data.draw(_container_variants(samples.meta_bytes, samples.paths["meta"]))
    elif family in ("json", "fields"):  # anywhere, or outside the graph
        paths = samples.meta_paths if family == "json" else samples.meta_field_paths
        payload = fz.dumps(data.draw(fz.json_mutations(samples.meta_doc, paths))).encode()
    elif family == "json_bytes":
        payload = data.draw(fz.byte_mutations(samples.meta_text.encode("utf-8")))
    else:
        top = json.loads(samples.meta_text)
        top["document"]["graph_def"] = data.draw(fz.graph_semantic_mutations(
            top["document"]["graph_def"], "FuzzEveryAttribute"))
        payload = fz.dumps(top).encode("utf-8")

    def case():
        if family == "binary":
            meta = MetaGraphDef.FromString(payload)
        else:
            meta = MetaGraphDef.from_json(payload)
        _stage("import", lambda: _import_meta(meta))

    _run_case("meta_graph", case, len(payload))


# --------------------------------------------------------------------------- checkpoints
@st.composite
def _checkpoint_variants(draw: Callable, samples: Samples) -> tuple:
    """(index bytes, data bytes): one of them damaged or mutated; a mutated data file is
    usually re-bound to its index (size and SHA-256), so that its content is checked."""
    index, data = samples.index_bytes, samples.data_bytes
    if draw(st.booleans()):
        return draw(_container_variants(index, samples.paths["index"])), data
    data = draw(_container_variants(data, samples.paths["data"]))
    if draw(st.integers(0, 4)):
        header, _ = fz.split(index)
        header["document"]["data_files"][0].update(
            size=len(data), sha256=hashlib.sha256(data).hexdigest())
        index = fz.repack(header, b"")
    return index, data


def _read_checkpoint(prefix: str) -> None:
    reader = fg.train.NewCheckpointReader(prefix)
    reader.get_variable_to_shape_map()
    reader.get_variable_to_dtype_map()
    reader.debug_string()
    for name in sorted(reader.get_variable_to_shape_map()):
        reader.get_tensor(name)


@fuzz(700)
@given(data=st.data())
def test_checkpoint_reader_and_restore(samples, data):
    index, blob = data.draw(_checkpoint_variants(samples))
    prefix = os.path.join(samples.work, "model")
    _write(prefix + ".index", index)
    _write(prefix + ".data-00000-of-00001", blob)

    def case():
        _stage("file", lambda: _read_checkpoint(prefix))
        _stage("restore", lambda: samples.saver.restore(samples.sess, prefix))

    _run_case("checkpoint", case, len(index) + len(blob))


# --------------------------------------------------------------------------- checkpoint state
_STATE_LINES = [
    'model_checkpoint_path: "\\777"', 'model_checkpoint_path: "\\x"', 'model_checkpoint_path: "\\',
    "all_model_checkpoint_timestamps: 1e999", "all_model_checkpoint_timestamps: -1e-999",
    "last_preserved_timestamp: 1" + "0" * 400, "last_preserved_timestamp: nan",
    "x" * 100_000, 'model_checkpoint_path: "' + "\\\\" * 50_000 + '"', "unknown: 1",
    'model_checkpoint_path: "../../etc/passwd"', 'model_checkpoint_path: "/abs/model"',
    'model_checkpoint_path: "\\0"', 'model_checkpoint_path: "a" # comment',
    "model_checkpoint_path: 'a'", 'model_checkpoint_path: "a" b', "model_checkpoint_path:",
    'model_checkpoint_path: "\\xff\\xfe"', 'model_checkpoint_path: "\\303\\251"',
    'model_checkpoint_path: ""', ":", "# only a comment", "\u2028", "\x00",
    'all_model_checkpoint_paths: "' + "a" * 5000 + '"', "model_checkpoint_path: \"\\\"\"",
    'model_checkpoint_path: "C:\\\\x"', 'model_checkpoint_path: "\ud800"',
    # Inputs that took quadratic time in the line and number patterns, or in escapes.
    'model_checkpoint_path: "' + " " * 100_000 + 'x"', "all_model_checkpoint_paths: \t" * 5000,
    "last_preserved_timestamp: " + "1" * 100_000 + "x", 'model_checkpoint_path: "' +
    "\\1" * 10_000 + '"', 'model_checkpoint_path: "' + "\\x4" * 10_000 + '"',
]


@st.composite
def _state_texts(draw: Callable, original: bytes) -> bytes:
    if draw(st.booleans()):
        return draw(fz.byte_mutations(original))
    lines = original.decode("utf-8").splitlines()
    for _ in range(draw(st.integers(1, 3))):
        line = draw(st.sampled_from(_STATE_LINES))
        position = draw(st.integers(0, len(lines)))
        if draw(st.booleans()) and position < len(lines):
            lines[position] = line
        else:
            lines.insert(position, line)
    return "\n".join(lines).encode("utf-8", "surrogatepass")


@fuzz(500)
@given(data=st.data())
def test_checkpoint_state(samples, data):
    raw = data.draw(_state_texts(samples.state_bytes))
    folder = os.path.join(samples.work, "state")
    os.makedirs(folder, exist_ok=True)
    _write(os.path.join(folder, "checkpoint"), raw)

    reader = data.draw(st.sampled_from(["text", "state", "latest"]))
    if reader == "text":
        text = raw.decode("utf-8", "surrogateescape")
        _run_case("checkpoint_state", lambda: CheckpointState.from_text(text), len(raw),
                  contract="state_text")
    else:
        read = management.get_checkpoint_state if reader == "state" else \
            management.latest_checkpoint
        _run_case("checkpoint_state", lambda: read(folder), len(raw), contract="state_file")


# --------------------------------------------------------------------------- saved models
@st.composite
def _saved_model_variants(draw: Callable, samples: Samples) -> tuple:
    """(name of the folder to copy, {relative path: new bytes})."""
    family = draw(st.sampled_from(["container", "inner", "inner", "text", "text_bytes",
                                   "variables"]))
    if family == "container":
        return "model_bin", {"saved_model.fgm": draw(_container_variants(
            samples.saved_bytes, samples.paths["saved"]))}
    if family == "inner":  # the embedded meta graph changed, everything re-signed
        header, _ = fz.split(samples.saved_bytes)
        meta = draw(st.one_of(
            _container_variants(samples.meta_bytes, samples.paths["meta"]),
            st.builds(_semantic_meta_bytes, st.just(samples), fz.graph_semantic_mutations(
                fz.split(samples.meta_bytes)[0]["document"]["graph_def"],
                "FuzzEveryAttribute"))))
        return "model_bin", {"saved_model.fgm": container.pack(
            "saved_model", header["document"],
            {"meta_graph_0": np.frombuffer(meta, dtype=np.uint8)})}
    if family == "text":
        top = json.loads(samples.saved_text)
        paths = draw(st.sampled_from([samples.saved_text_paths,
                                      samples.saved_text_field_paths]))
        return "model_text", {"saved_model.json": fz.dumps(
            draw(fz.json_mutations(top, paths))).encode("utf-8")}
    if family == "text_bytes":
        return "model_text", {"saved_model.json": draw(fz.byte_mutations(samples.saved_text))}
    index, blob = draw(_checkpoint_variants(samples))
    return draw(st.sampled_from(["model_bin", "model_text"])), {
        "variables/variables.index": index, "variables/variables.data-00000-of-00001": blob}


def _semantic_meta_bytes(samples: Samples, graph_document: Any) -> bytes:
    header, blob = fz.split(samples.meta_bytes)
    header["document"]["graph_def"] = graph_document
    return fz.repack(header, blob)


def _saved_model_folder(samples: Samples, source: str, changes: dict) -> tuple:
    """(a copy of saved model `source` with `changes`, the size of its files)."""
    folder = os.path.join(samples.work, "saved")
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(os.path.join(samples.root, source), folder)
    for relative, content in changes.items():
        _write(os.path.join(folder, relative), content)
    size = sum(os.path.getsize(os.path.join(parent, name))
               for parent, _, names in os.walk(folder) for name in names)
    return folder, size


def _load_saved_model(folder: str) -> None:
    with fg.Session(graph=fg.Graph()) as sess:
        fg.saved_model.loader.load(sess, ["serve"], folder)


@fuzz(350)
@given(data=st.data())
def test_saved_model_load(samples, data):
    source, changes = data.draw(_saved_model_variants(samples))
    folder, size = _saved_model_folder(samples, source, changes)
    _run_case("saved_model", lambda: _load_saved_model(folder), size, contract="saved_model")


# --------------------------------------------------------------------------- load_graph_file
@fuzz(400)
@given(data=st.data())
def test_load_graph_file(samples, data):
    kind = data.draw(st.sampled_from(["graph", "graph_json", "meta", "meta_json", "saved"]))
    if kind == "saved":
        source, changes = data.draw(_saved_model_variants(samples))
        path, size = _saved_model_folder(samples, source, changes)
    else:
        if kind == "graph":
            payload = data.draw(_container_variants(samples.graph_bytes,
                                                    samples.paths["graph"]))
        elif kind == "meta":
            payload = data.draw(_container_variants(samples.meta_bytes, samples.paths["meta"]))
        else:
            doc, paths = ((samples.graph_doc, samples.graph_paths) if kind == "graph_json"
                          else (samples.meta_doc, samples.meta_paths))
            payload = fz.dumps(data.draw(fz.json_mutations(doc, paths))).encode("utf-8")
        path = _write(os.path.join(samples.work, "graph_file"), payload)
        size = len(payload)
    _run_case("load_graph_file", lambda: load_graph_file(path), size)


# --------------------------------------------------------------------------- the rules
def _raise(exc: BaseException) -> None:
    raise exc


@pytest.mark.parametrize("exc", [
    KeyError("k"), IndexError("i"), AttributeError("a"), RecursionError(), OverflowError(),
    UnicodeDecodeError("utf-8", b"\xff", 0, 1, "bad"), json.JSONDecodeError("bad", "", 0),
    TypeError("t"), RuntimeError("r")])
def test_rules_reject_foreign_exceptions(exc):
    with pytest.raises(_EscapedError):
        _run_case("rules", lambda: _raise(exc), 10, contract="import")


def test_rules_accept_flowgraph_errors_and_tf1_contract_errors():
    _run_case("rules", lambda: _raise(errors.DataLossError(None, None, "x")), 10)
    _run_case("rules", lambda: _raise(ValueError("v")), 10, contract="import")
    with pytest.raises(_EscapedError):
        _run_case("rules", lambda: _raise(ValueError("v")), 10, contract="file")


def test_rules_reject_slow_cases_and_large_allocations(monkeypatch):
    with pytest.raises(AssertionError, match="allocated"):
        _run_case("rules", lambda: bytearray(_memory_bound(1000) + MiB), 1000)
    monkeypatch.setattr(sys.modules[__name__], "TIME_LIMIT", 0.01)
    with pytest.raises(AssertionError, match="took"):
        _run_case("rules", lambda: time.sleep(0.02), 10)


# --------------------------------------------------------------------------- totals
def test_total_number_of_cases():
    """At least 5,000 cases ran (when the whole module ran in this process)."""
    fuzz_tests = [name for name, value in globals().items()
                  if name.startswith("test_") and hasattr(value, "hypothesis")]
    counts = {name: n for name, n in CASE_COUNTS.items() if name != "rules"}
    if len(counts) < len(fuzz_tests):
        pytest.skip("only part of the module ran")
    assert sum(counts.values()) >= 5000, counts
    if os.environ.get("FG_FUZZ_REPORT"):
        for name in sorted(counts):
            slowest, memory = CASE_MAXIMA[name]
            print(f"{name:18s} {counts[name]:5d} cases, slowest {slowest:.3f} s, "
                  f"peak memory {100 * memory:.1f}% of the bound")
        print(f"total {sum(counts.values())} cases")
