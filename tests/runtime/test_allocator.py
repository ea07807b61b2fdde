"""The Session keeps malloc from returning freed temporaries to the kernel, so that a run
that allocates and frees tens of MB does not page-fault them in again on the next run."""

import json
import os
import subprocess
import sys

import pytest

_CHILD = r"""
import json, resource
import numpy as np
import flowgraph as fg
fg.Session()  # the first Session applies the allocator settings

def one_run():
    # twenty 4 MB temporaries alive at once, then freed: 80 MB free at the heap's top
    temps = [np.ones(1_000_000, np.float32) for _ in range(20)]
    return sum(float(t[0]) for t in temps)

one_run()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(4):
    one_run()
faults = (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / 4
print(json.dumps({"faults_per_run": faults}))
"""


def faults_per_run(tuning: str) -> float:
    env = dict(os.environ, FLOWGRAPH_MALLOC_TUNING=tuning)
    proc = subprocess.run([sys.executable, "-c", _CHILD], capture_output=True, text=True,
                          env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])["faults_per_run"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc settings")
def test_freed_temporaries_stay_with_the_process():
    pages = 20 * 4_000_000 // 4096  # ~19,500 pages touched per run
    assert faults_per_run("1") < 0.05 * pages
    # Without the settings glibc hands most of the 80 MB back and faults it in again every run.
    assert faults_per_run("0") > 0.5 * pages
