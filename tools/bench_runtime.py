"""Runtime benchmarks of issue 10: flowgraph vs numpy (same process) and, optionally, TF1.

Not a test: it prints timings and ratios. Run::

    python tools/bench_runtime.py [--only W1,W2,...] [--budget SECONDS] [--tf]

W1  fixed sess.run cost of ``x + 1`` on a (4,) float32 placeholder.
W2  200-op elementwise chain (add, mul, tanh in turn) on (16,), with and without fusion.
W3  MLP 784-512-256-10 training step (SGD 0.1, batch 128), plus minor page faults per step.
W4  same MLP inference (softmax), batch 4096.
W7  four independent chains of four 1024x1024 matmul + tanh, summed: inter_op 1 vs 2 threads
    (BLAS at 1 thread).
W8  graph construction: a 10,000-node chain; gradients of a 20-layer width-256 MLP.
W9  peak RSS of a 20-op chain on a 50M-element float32 input (fresh process).

With ``--tf`` the TF1 anchors (/work/shared/anchors/bench, copied to a temporary folder) run
in the TensorFlow venv right after flowgraph, and the ratio flowgraph / TF1 is printed.
The machine is shared: compare ratios within one run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import flowgraph as fg  # noqa: E402

ANCHORS = Path("/work/shared/anchors/bench")
TF_PYTHON = Path("/work/tfvenv/bin/python")
SIZES = (784, 512, 256, 10)


def timeit(fn: Callable[[], object], budget: float, warmup: int = 20) -> float:
    """Median seconds per call over batches of calls filling about `budget` seconds."""
    for _ in range(warmup):
        fn()
    start = time.perf_counter()
    calls = 0
    while time.perf_counter() - start < 0.02 or calls < 1:
        fn()
        calls += 1
    per_batch = max(1, calls)
    samples = []
    deadline = time.perf_counter() + budget
    while time.perf_counter() < deadline or len(samples) < 5:
        t0 = time.perf_counter()
        for _ in range(per_batch):
            fn()
        samples.append((time.perf_counter() - t0) / per_batch)
    return statistics.median(samples)


def session(graph: fg.Graph, fusion: bool = True, **options) -> fg.Session:
    config = fg.ConfigProto(**options)
    if not fusion:
        config.graph_options.optimizer_options.global_jit_level = -1  # OFF
    return fg.Session(graph=graph, config=config)


# --------------------------------------------------------------------------- workloads
def w1(budget: float) -> dict:
    arr = np.random.default_rng(0).standard_normal(4, dtype=np.float32)
    graph = fg.Graph()
    with graph.as_default():
        x = fg.placeholder(fg.float32, (4,))
        y = x + 1.0
    sess = session(graph)
    np.testing.assert_allclose(sess.run(y, {x: arr}), arr + 1)
    call = sess.make_callable(y, [x])
    out = {"fg_us": timeit(lambda: sess.run(y, feed_dict={x: arr}), budget) * 1e6,
           "fg_callable_us": timeit(lambda: call(arr), budget) * 1e6,
           "np_us": timeit(lambda: arr + 1, budget) * 1e6}
    sess.close()
    return out


def chain(y, n, add, mul, tanh):
    for i in range(n):
        k = i % 3
        y = add(y) if k == 0 else (mul(y) if k == 1 else tanh(y))
    return y


def w2(budget: float) -> dict:
    arr = np.random.default_rng(0).standard_normal(16, dtype=np.float32)
    graph = fg.Graph()
    with graph.as_default():
        x = fg.placeholder(fg.float32, (16,))
        ca, cm = fg.constant(0.5), fg.constant(0.9)
        y = chain(x, 200, lambda v: fg.add(v, ca), lambda v: fg.multiply(v, cm), fg.tanh)
    ops = (lambda v: v + np.float32(0.5), lambda v: v * np.float32(0.9), np.tanh)
    expect = chain(arr, 200, *ops)
    out = {}
    for label, fusion in (("fg_us", False), ("fg_fused_us", True)):
        sess = session(graph, fusion=fusion)
        np.testing.assert_allclose(sess.run(y, {x: arr}), expect, rtol=1e-5, atol=1e-6)
        out[label] = timeit(lambda s=sess: s.run(y, {x: arr}), budget) * 1e6
        sess.close()
    out["np_us"] = timeit(lambda: chain(arr, 200, *ops), budget) * 1e6
    return out


def mlp_params(sizes: tuple, seed: int = 0) -> list:
    rng = np.random.default_rng(seed)
    return [(rng.standard_normal((a, b), dtype=np.float32) * np.float32(np.sqrt(2.0 / a)),
             np.zeros(b, np.float32)) for a, b in zip(sizes[:-1], sizes[1:])]


def build_mlp(params: list, batch: int) -> tuple:
    x = fg.placeholder(fg.float32, (batch, params[0][0].shape[0]))
    h = x
    for i, (w, b) in enumerate(params):
        h = fg.matmul(h, fg.Variable(w)) + fg.Variable(b)
        if i < len(params) - 1:
            h = fg.nn.relu(h)
    return x, h


def numpy_mlp_step(x: np.ndarray, y: np.ndarray, params: list) -> Callable[[], float]:
    weights = [[w.copy(), b.copy()] for w, b in params]
    lr, idx, batch = np.float32(0.1), np.arange(len(y)), len(y)

    def step() -> float:
        hs, zs, h = [x], [], x
        for i, (w, b) in enumerate(weights):
            z = h @ w + b
            zs.append(z)
            h = np.maximum(z, 0) if i < len(weights) - 1 else z
            hs.append(h)
        m = h.max(axis=1, keepdims=True)
        e = np.exp(h - m)
        s = e.sum(axis=1, keepdims=True)
        loss = float(np.mean(np.log(s[:, 0]) + m[:, 0] - h[idx, y]))
        d = e / s
        d[idx, y] -= 1
        d *= np.float32(1.0 / batch)
        for i in range(len(weights) - 1, -1, -1):
            w, b = weights[i]
            dw = hs[i].T @ d
            db = d.sum(axis=0)
            if i > 0:
                d = (d @ w.T) * (zs[i - 1] > 0)
            w -= lr * dw
            b -= lr * db
        return loss

    return step


def minor_faults() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def w3(budget: float) -> dict:
    rng = np.random.default_rng(1)
    xv = rng.standard_normal((128, 784), dtype=np.float32)
    yv = rng.integers(0, 10, 128).astype(np.int32)
    params = mlp_params(SIZES)
    graph = fg.Graph()
    with graph.as_default():
        x, logits = build_mlp(params, 128)
        y = fg.placeholder(fg.int32, (128,))
        loss = fg.reduce_mean(fg.nn.sparse_softmax_cross_entropy_with_logits(labels=y,
                                                                             logits=logits))
        train = fg.train.GradientDescentOptimizer(0.1).minimize(loss)
        init = fg.global_variables_initializer()
    sess = session(graph)
    sess.run(init)
    np_step = numpy_mlp_step(xv, yv, params)
    ours = [sess.run([train, loss], {x: xv, y: yv})[1] for _ in range(3)]
    ref = [np_step() for _ in range(3)]
    np.testing.assert_allclose(ours, ref, rtol=1e-3)
    feeds = {x: xv, y: yv}
    fg_s = timeit(lambda: sess.run([train, loss], feeds), budget, warmup=10)
    before = minor_faults()
    for _ in range(50):
        sess.run([train, loss], feeds)
    faults = (minor_faults() - before) / 50
    np_s = timeit(np_step, budget, warmup=10)
    before = minor_faults()
    for _ in range(50):
        np_step()
    np_faults = (minor_faults() - before) / 50
    sess.close()
    return {"fg_steps_s": 1 / fg_s, "np_steps_s": 1 / np_s, "fg_faults": faults,
            "np_faults": np_faults}


def w4(budget: float) -> dict:
    xv = np.random.default_rng(2).standard_normal((4096, 784), dtype=np.float32)
    params = mlp_params(SIZES)
    graph = fg.Graph()
    with graph.as_default():
        x, logits = build_mlp(params, 4096)
        probs = fg.nn.softmax(logits)
        init = fg.global_variables_initializer()
    sess = session(graph)
    sess.run(init)

    def np_forward() -> np.ndarray:
        h = xv
        for i, (w, b) in enumerate(params):
            h = h @ w + b
            if i < len(params) - 1:
                np.maximum(h, 0, out=h)
        h -= h.max(axis=1, keepdims=True)
        np.exp(h, out=h)
        h /= h.sum(axis=1, keepdims=True)
        return h

    np.testing.assert_allclose(sess.run(probs, {x: xv}), np_forward(), atol=1e-5)
    fg_s = timeit(lambda: sess.run(probs, {x: xv}), budget, warmup=3)
    np_s = timeit(np_forward, budget, warmup=3)
    sess.close()
    return {"fg_samples_s": 4096 / fg_s, "np_samples_s": 4096 / np_s}


def w7(budget: float) -> dict:
    from concurrent.futures import ThreadPoolExecutor

    from threadpoolctl import threadpool_limits
    n, chains, depth = 1024, 4, 4
    rng = np.random.default_rng(5)
    xv = rng.standard_normal((n, n), dtype=np.float32)
    ws = [[rng.standard_normal((n, n), dtype=np.float32) / np.float32(np.sqrt(n))
           for _ in range(depth)] for _ in range(chains)]
    graph = fg.Graph()
    with graph.as_default():
        x = fg.placeholder(fg.float32, (n, n))
        outs = []
        for chain_ws in ws:
            h = x
            for w in chain_ws:
                h = fg.tanh(fg.matmul(h, fg.Variable(w)))
            outs.append(h)
        total = fg.add_n(outs)
        init = fg.global_variables_initializer()
    sessions = {}
    for label, intra, inter in (("fg_1x1", 1, 1), ("fg_1x2", 1, 2)):
        sess = session(graph, intra_op_parallelism_threads=intra,
                       inter_op_parallelism_threads=inter)
        sess.run(init)
        sessions[label] = sess

    def np_chain(i: int) -> np.ndarray:
        h = xv
        for w in ws[i]:
            h = np.tanh(h @ w)
        return h

    pool = ThreadPoolExecutor(2)
    fns = {label: (lambda s=s: s.run(total, {x: xv})) for label, s in sessions.items()}
    fns["np_seq"] = lambda: sum(np_chain(i) for i in range(chains))
    fns["np_pool2"] = lambda: sum(pool.map(np_chain, range(chains)))
    times: dict = {k: [] for k in fns}
    with threadpool_limits(1, user_api="blas"):
        for f in fns.values():
            f()
        deadline = time.perf_counter() + 4 * budget
        while time.perf_counter() < deadline or len(times["fg_1x1"]) < 5:
            for k, f in fns.items():  # interleaved: load falls on all alike
                t0 = time.perf_counter()
                f()
                times[k].append(time.perf_counter() - t0)
    best = {k: min(v) for k, v in times.items()}
    for sess in sessions.values():
        sess.close()
    return {**{f"{k}_s": v for k, v in best.items()},
            "fg_speedup": best["fg_1x1"] / best["fg_1x2"],
            "np_speedup": best["np_seq"] / best["np_pool2"]}


def w8_child() -> None:
    graph = fg.Graph()
    with graph.as_default():
        t0 = time.perf_counter()
        x = fg.placeholder(fg.float32, (16,))
        ca, cm = fg.constant(0.5), fg.constant(0.9)
        y = chain(x, 10_000, lambda v: fg.add(v, ca), lambda v: fg.multiply(v, cm), fg.tanh)
        build = time.perf_counter() - t0
    sess = session(graph)
    arr = np.random.default_rng(6).standard_normal(16, dtype=np.float32)
    t0 = time.perf_counter()
    sess.run(y, {x: arr})
    first = time.perf_counter() - t0
    params = mlp_params((256,) * 21 + (10,))
    graph = fg.Graph()
    with graph.as_default():
        xb = fg.placeholder(fg.float32, (64, 256))
        yl = fg.placeholder(fg.int32, (64,))
        h, variables = xb, []
        for i, (w, b) in enumerate(params):
            wv, bv = fg.Variable(w), fg.Variable(b)
            variables += [wv, bv]
            h = fg.matmul(h, wv) + bv
            if i < len(params) - 1:
                h = fg.nn.relu(h)
        loss = fg.reduce_mean(fg.nn.sparse_softmax_cross_entropy_with_logits(labels=yl,
                                                                             logits=h))
        t0 = time.perf_counter()
        fg.gradients(loss, variables)
        grad_s = time.perf_counter() - t0
    print(json.dumps({"build_us_per_node": build / 10_000 * 1e6, "first_run_s": first,
                      "gradients_ms": grad_s * 1e3}))


def w8(budget: float) -> dict:
    """In a fresh process, as the TF1 anchor."""
    return _child("--w8-child")


def w9_child() -> None:
    n, nops = 50_000_000, 20

    def rss_now() -> int:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        return 0

    graph = fg.Graph()
    with graph.as_default():
        x = fg.placeholder(fg.float32, (n,))
        ca, cm = fg.constant(0.5), fg.constant(0.9)
        y = chain(x, nops, lambda v: fg.add(v, ca), lambda v: fg.multiply(v, cm), fg.tanh)
    sess = fg.Session(graph=graph)
    a = np.random.default_rng(7).standard_normal(n, dtype=np.float32)
    r_input = rss_now()
    t0 = time.perf_counter()
    out = sess.run(y, {x: a})
    run_s = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    ops = (lambda v: v + np.float32(0.5), lambda v: v * np.float32(0.9), np.tanh)
    np.testing.assert_allclose(out[:1000], chain(a[:1000], nops, *ops), atol=1e-5)
    print(json.dumps({"extra_tensors": (peak - r_input) / (n * 4), "run_s": run_s}))


def w9(budget: float) -> dict:
    return _child("--w9-child")


def _child(flag: str) -> dict:
    proc = subprocess.run([sys.executable, __file__, flag], capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{flag} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.splitlines()[-1])


# --------------------------------------------------------------------------- TF anchors
TF_SCRIPTS = {"W1": "w1_overhead.py", "W2": "w2_per_op.py", "W3": "w3_mlp_train.py",
              "W4": "w4_mlp_infer.py", "W7": "w7_interop.py", "W8": "w8_graph_build.py",
              "W9": "w9_peak_mem.py"}


def run_tf(name: str, folder: Path) -> list:
    env = dict(os.environ, BENCH_NO_SAVE="1")
    proc = subprocess.run([str(TF_PYTHON), str(folder / TF_SCRIPTS[name]), "--fw", "tf"],
                          capture_output=True, text=True, env=env, cwd=folder)
    records = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    if not records:
        print(f"  TF {name} failed: {proc.stderr[-500:]}")
    return records


def tf_summary(name: str, records: list) -> dict:
    if not records:
        return {}
    first = records[0]
    if name in ("W1", "W2"):
        return {"tf_us": first["median"] * 1e6}
    if name == "W3":
        return {"tf_steps_s": first["steps_per_s"]}
    if name == "W4":
        return {"tf_samples_s": first["samples_per_s"]}
    if name == "W7":
        return {"tf_speedup": records[-1].get("speedup_inter2_vs_inter1")}
    if name == "W8":
        return {"tf_build_us_per_node": first["build_us_per_node"],
                "tf_first_run_s": first["first_run_s"],
                "tf_gradients_ms": records[1]["gradients_s"] * 1e3}
    if name == "W9":
        return {"tf_extra_tensors": first["peak_minus_input_MB"] / 190.7}
    return {}


def best_of(rounds: list) -> dict:
    """Per metric, the best value over the rounds (highest rate, lowest time)."""
    best: dict = {}
    for result in rounds:
        for key, value in result.items():
            if not isinstance(value, (int, float)) or value is None:
                best.setdefault(key, value)
                continue
            higher = key.endswith(("steps_s", "samples_s", "speedup"))
            old = best.get(key)
            if old is None or (value > old if higher else value < old):
                best[key] = value
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="W1,W2,W3,W4,W7,W8,W9")
    parser.add_argument("--budget", type=float, default=2.0)
    parser.add_argument("--tf", action="store_true", help="also run the TF1 anchors")
    parser.add_argument("--rounds", type=int, default=1,
                        help="repeat each workload (and its TF1 anchor) and keep the best")
    parser.add_argument("--w9-child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--w8-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.w9_child:
        w9_child()
        return 0
    if args.w8_child:
        w8_child()
        return 0
    workloads = {"W1": w1, "W2": w2, "W3": w3, "W4": w4, "W7": w7, "W8": w8, "W9": w9}
    folder = None
    if args.tf:
        folder = Path(tempfile.mkdtemp(prefix="anchors_"))
        shutil.copytree(ANCHORS, folder, dirs_exist_ok=True)
    for name in args.only.split(","):
        rounds = []
        for _ in range(args.rounds):  # alternating, so load falls on both sides alike
            result = workloads[name](args.budget)
            if folder is not None:
                result.update(tf_summary(name, run_tf(name, folder)))
            rounds.append(result)
        result = best_of(rounds)
        print(name, json.dumps({k: round(v, 3) if isinstance(v, float) else v
                                for k, v in result.items()}), flush=True)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
