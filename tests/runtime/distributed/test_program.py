"""How a plan is cut into Dask tasks, and which targets and devices mean what (no cluster)."""

import sys
import time

import numpy as np
import pytest

import flowgraph as fg
from flowgraph import errors
from flowgraph.ops.registry import lookup
from flowgraph.runtime.distributed import is_dask_target, runs_on_client
from flowgraph.runtime.distributed.nodes import task_of
from flowgraph.runtime.distributed.placement import assign
from flowgraph.runtime.distributed.program import Program
from flowgraph.runtime.plan import Plan
from flowgraph.runtime.state import SessionState


def _program(fetches, targets=(), feeds=()):
    return Program(Plan(list(fetches), list(targets), list(feeds), SessionState()))


def _names(program):
    return [[op.name for op in unit.ops] for unit in program.units]


def test_independent_heavy_chains_are_separate_tasks():
    rng = np.random.default_rng(0)
    x = fg.placeholder(fg.float32, [1024, 1024], name="x")
    chains = []
    for c in range(4):
        h = x
        for d in range(2):
            w = fg.Variable(rng.standard_normal((1024, 1024), dtype=np.float32),
                            name=f"w{c}{d}")
            h = fg.tanh(fg.matmul(h, w, name=f"mm{c}{d}"), name=f"tanh{c}{d}")
        chains.append(h)
    total = fg.add_n(chains, name="total")
    program = _program([total], feeds=[x])
    units = _names(program)
    assert len(units) == 5
    for c in range(4):  # each chain is one task (it reads its weights' values directly)
        assert units[c] == [f"mm{c}0", f"tanh{c}0", f"mm{c}1", f"tanh{c}1"]
    assert units[4] == ["total"] and program.units[4].deps == {0, 1, 2, 3}
    assert program.stages == 1


def test_cheap_nodes_are_fused_into_few_tasks():
    x = fg.placeholder(fg.float32, [None, 8], name="x")
    w = fg.Variable(np.ones((8, 4), np.float32), name="w")
    loss = fg.reduce_mean(fg.square(fg.matmul(x, w)))
    train = fg.train.GradientDescentOptimizer(0.1).minimize(loss)
    program = _program([loss], [train], [x])
    ops = sum(len(unit.ops) for unit in program.units)
    assert ops >= 10 and len(program.units) == 1


def test_device_pins_split_tasks_by_worker():
    x = fg.placeholder(fg.float32, [3], name="x")
    with fg.device("/job:worker/task:0"):
        a = fg.multiply(x, 2.0, name="a")
    with fg.device("/job:worker/task:1"):
        b = fg.add(a, 1.0, name="b")
    c = fg.square(b, name="c")
    program = _program([c], feeds=[x])
    placed = {tuple(op.name for op in unit.ops): unit.task for unit in program.units}
    assert placed == {("a",): 0, ("b",): 1, ("c",): None}
    assert program.tasks == [0, 1]


def test_iterators_run_on_the_client_between_stages():
    batch = fg.data.Dataset.from_tensor_slices(np.arange(4.0)).make_one_shot_iterator() \
        .get_next()
    y = fg.square(batch + 1.0)
    program = _program([y])
    remote = [unit.remote for unit in program.units]
    assert remote.count(False) == 2  # the iterator and its get_next
    last = program.units[-1]
    assert last.remote and last.stage == program.stages - 1 == 1


def test_which_ops_run_on_the_client():
    for name in ("IteratorGetNext", "If", "While", "MakeIterator"):
        assert runs_on_client(lookup(name)) is True, name
    for name in ("Assign", "ApplyAdam", "RandomUniform", "MatMul", "VariableV2"):
        assert runs_on_client(lookup(name)) is False, name


def test_device_strings_name_tasks():
    assert task_of("/job:worker/task:1") == 1
    assert task_of("/job:ps/replica:0/task:3/device:CPU:0") == 3
    assert task_of("/job:worker/task:0/cpu:0") == 0
    for unpinned in ("", "/cpu:0", "/job:worker", "/job:localhost/replica:0/task:0/cpu:0"):
        assert task_of(unpinned) is None, unpinned


def test_tasks_map_to_workers_by_name_or_address_order():
    named = {"tcp://b:1": {"name": 0}, "tcp://a:2": {"name": 1}}
    assert assign(named, [0, 1]) == {0: "tcp://b:1", 1: "tcp://a:2"}
    unnamed = {"tcp://b:1": {"name": "tcp://b:1"}, "tcp://a:2": {"name": "tcp://a:2"}}
    assert assign(unnamed, [0, 1]) == {0: "tcp://a:2", 1: "tcp://b:1"}
    with pytest.raises(errors.InvalidArgumentError, match="task:2.*2 worker"):
        assign(named, [2])


def test_dask_targets():
    assert is_dask_target("tcp://scheduler:8786")
    assert is_dask_target("tls://10.0.0.1:8786")
    assert not is_dask_target("grpc://localhost:2222")
    assert not is_dask_target("local")


def test_other_targets_still_say_what_is_available():
    with pytest.raises(errors.UnimplementedError, match="Dask cluster"):
        fg.Session("grpc://somewhere:2222")


def test_missing_dask_gives_the_install_hint(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(ImportError, match=r"pip install \"flowgraph\[dask\]\""):
        fg.Session("tcp://127.0.0.1:8786")


def test_unreachable_scheduler_is_unavailable_quickly():
    pytest.importorskip("distributed")
    start = time.monotonic()
    config = fg.ConfigProto(operation_timeout_in_ms=500)
    with pytest.raises(errors.UnavailableError, match="127.0.0.1:9"):
        fg.Session("tcp://127.0.0.1:9", config=config)
    assert time.monotonic() - start < 10
