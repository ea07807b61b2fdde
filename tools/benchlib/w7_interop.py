"""W7: inter-op parallelism. Four independent chains of four 1024x1024 matmul + tanh, summed;
BLAS limited to one thread; the Session with inter_op_parallelism_threads=2 against =1. The
numpy row is a 2-thread ThreadPoolExecutor over the chains against a plain loop; TF1's is its
inter_op 2 against 1 (intra_op 1). Target: a speed-up of at least 1.9x."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from statistics import median

import numpy as np

import flowgraph as fg
from benchlib.common import session
from benchlib.report import Row, Target, TfSpec
from benchlib.timing import Settings, compare_rounds

CHAINS, DEPTH = 4, 4


def run(settings: Settings) -> list:
    from threadpoolctl import threadpool_limits

    n = 256 if settings.quick else 1024
    rng = np.random.default_rng(5)
    x_value = rng.standard_normal((n, n), dtype=np.float32)
    weights = [[rng.standard_normal((n, n), dtype=np.float32) / np.float32(np.sqrt(n))
                for _ in range(DEPTH)] for _ in range(CHAINS)]

    def numpy_chain(i: int) -> np.ndarray:
        h = x_value
        for w in weights[i]:
            h = np.tanh(h @ w)
        return h

    graph = fg.Graph()
    with graph.as_default():
        x = fg.placeholder(fg.float32, (n, n))
        outs = []
        for chain_weights in weights:
            h = x
            for w in chain_weights:
                h = fg.tanh(fg.matmul(h, fg.Variable(w)))
            outs.append(h)
        total = fg.add_n(outs)
        init = fg.global_variables_initializer()
    with threadpool_limits(limits=1, user_api="blas"):
        expect = sum(numpy_chain(i) for i in range(CHAINS))
        one = session(graph, inter_op_parallelism_threads=1, intra_op_parallelism_threads=1)
        two = session(graph, inter_op_parallelism_threads=2, intra_op_parallelism_threads=1)
        pool = ThreadPoolExecutor(2)
        for sess in (one, two):
            sess.run(init)
            np.testing.assert_allclose(sess.run(total, {x: x_value}), expect, atol=1e-3)
        t = compare_rounds({"fg1": lambda: one.run(total, {x: x_value}),
                            "fg2": lambda: two.run(total, {x: x_value}),
                            "np1": lambda: sum(numpy_chain(i) for i in range(CHAINS)),
                            "np2": lambda: sum(pool.map(numpy_chain, range(CHAINS)))},
                           settings, warmup=1)
        pool.shutdown()
        one.close()
        two.close()
    # The speed-ups are medians of each round's ratio (the two Sessions measured seconds
    # apart), not ratios of overall medians (see timing.compare_rounds).
    fg_speedup = median(a / b for a, b in zip(t["fg1"], t["fg2"]))
    np_speedup = median(a / b for a, b in zip(t["np1"], t["np2"]))
    ms = {name: median(values) * 1e3 for name, values in t.items()}
    return [Row("W7", f"4 chains x 4 ({n}x{n} matmul + tanh): inter_op 2 vs 1",
                "x faster", fg_speedup, numpy=np_speedup, ratios=False,
                targets=[Target("value", 1.9, higher=True)],
                tf=TfSpec("w7_interop.py", "W7", "summary", "speedup_inter2_vs_inter1"),
                notes={"fg_inter1_ms": ms["fg1"], "fg_inter2_ms": ms["fg2"],
                       "np_loop_ms": ms["np1"], "np_pool2_ms": ms["np2"]})]
