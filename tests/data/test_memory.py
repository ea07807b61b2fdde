"""Memory stays bounded by buffer sizes: a 1.2 GB `.npy` file streams through pipelines in a
subprocess whose peak RSS (VmHWM) stays under 400 MB.

The file is created sparse (np.lib.format.open_memmap writes only a few values), so the
test neither allocates nor writes 1.2 GB.
"""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

ROWS, COLS = 300_000, 1024  # float32: 1.2288e9 bytes
LIMIT_MB = 400

_CHILD = r"""
import json, sys
import numpy as np
import flowgraph as fg
from flowgraph.data import Dataset, experimental

path, mode = sys.argv[1], sys.argv[2]

def peak_mb():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM"):
                return int(line.split()[1]) / 1024
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

with open(path, "rb") as handle:
    version = np.lib.format.read_magic(handle)
    read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else \
        np.lib.format.read_array_header_2_0
    shape, _, dtype = read_header(handle)
    offset = handle.tell()
rows, cols = shape

def chunks():
    # 2048 rows (8 MB) at a time, read (not mapped) from the file
    with open(path, "rb") as handle:
        handle.seek(offset)
        for start in range(0, rows, 2048):
            count = min(2048, rows - start)
            yield np.fromfile(handle, dtype=dtype, count=count * cols).reshape(count, cols)

if mode == "generator":
    ds = Dataset.from_generator(chunks, fg.float32, [None, cols]).prefetch(2)
else:
    ds = experimental.NpyDataset(path).batch(2048).prefetch(2)
x = ds.make_one_shot_iterator().get_next()
column_sums = fg.reduce_sum(x, axis=0)
rows_seen = fg.shape(x)[0]
total = np.zeros(cols)
count = 0
with fg.Session() as sess:
    while True:
        try:
            sums, n = sess.run([column_sums, rows_seen])
        except fg.errors.OutOfRangeError:
            break
        total += sums
        count += int(n)
print(json.dumps({"rows": count, "sums": total[:3].tolist(), "peak_mb": peak_mb()}))
"""


@pytest.fixture(scope="module")
def big_npy(tmp_path_factory):
    path = tmp_path_factory.mktemp("big") / "big.npy"
    array = np.lib.format.open_memmap(str(path), mode="w+", dtype=np.float32,
                                      shape=(ROWS, COLS))
    array[0, 0] = 1.0
    array[ROWS // 2, 1] = 2.0
    array[ROWS - 1, 2] = 3.0
    array.flush()
    del array
    assert os.path.getsize(path) > 1.2e9
    yield str(path)
    os.unlink(path)


@pytest.mark.parametrize("mode", ["generator", "npy"])
def test_streaming_a_large_file_keeps_memory_bounded(big_npy, mode):
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    done = subprocess.run([sys.executable, "-c", _CHILD, big_npy, mode],
                          env=dict(os.environ, PYTHONPATH=root), capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["rows"] == ROWS
    assert result["sums"] == [1.0, 2.0, 3.0]
    assert result["peak_mb"] < LIMIT_MB, result
