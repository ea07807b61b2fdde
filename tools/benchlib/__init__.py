"""The workloads of `tools/bench.py`, one module each (flowgraph and a hand-written numpy
version side by side), the timing helpers, the result table and the TF1 anchor runner.

Every workload module has a ``run(settings) -> list[Row]`` function; the rows say how their
TF1 counterpart is read from the anchor scripts in ``tools/anchors`` (see `tf1`).
"""
