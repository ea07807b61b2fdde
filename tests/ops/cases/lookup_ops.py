"""Cases for lookup_ops.py: each case builds a table in its own graph, initializes or fills
it in the same run through control dependencies, and checks literal expectations
(hand-computed ids)."""

import os
import tempfile

import numpy as np

import flowgraph as fg
from flowgraph.lookup.initializers import KeyValueTensorInitializer, TextFileInitializer
from flowgraph.lookup.tables import MutableHashTable, StaticHashTable
from tests.ops.harness import OpCase


def _static(keys):
    table = StaticHashTable(KeyValueTensorInitializer(["a", "b", "c"],
                                                      np.array([5, 6, 7], np.int64)), -1)
    with fg.control_dependencies([table.initializer]):
        found = table.lookup(keys)
    with fg.control_dependencies([found]):
        size = table.size()
    return [found, size]


def _from_file(keys):
    path = os.path.join(tempfile.mkdtemp(), "vocab.txt")
    with open(path, "w") as f:
        f.write("red\t10\ngreen\t20\nblue\t30\n")
    init = TextFileInitializer(path, fg.string, 0, fg.int64, 1, delimiter="\t")
    table = StaticHashTable(init, -1)
    with fg.control_dependencies([table.initializer]):
        return table.lookup(keys)


def _mutable(keys):
    table = MutableHashTable(fg.string, fg.float32, -1.0)
    put = table.insert(["p", "q", "r"], np.array([1.5, 2.5, 3.5], np.float32))
    with fg.control_dependencies([put]):
        drop = table.remove(["q"])
    with fg.control_dependencies([drop]):
        found = table.lookup(keys)
    with fg.control_dependencies([found]):
        exported_keys, exported_values = table.export()
    return [found, exported_keys, exported_values]


STRINGS = np.array([[b"c", b"zz"], [b"a", b"b"]], dtype=object)
STATIC = [np.array([[7, -1], [5, 6]], np.int64), np.array(3, np.int64)]
MUTABLE_KEYS = np.array([b"r", b"q", b"p"], dtype=object)
MUTABLE = [np.array([3.5, -1.0, 1.5], np.float32), np.array([b"p", b"r"], dtype=object),
           np.array([1.5, 3.5], np.float32)]

CASES = [
    OpCase("LookupTableHandle", _static, [STRINGS], expected=STATIC),
    OpCase("InitializeTable", _static, [STRINGS], expected=STATIC),
    OpCase("LookupTableFind", _static, [STRINGS], expected=STATIC),
    OpCase("LookupTableSize", _static, [STRINGS], expected=STATIC),
    OpCase("InitializeTableFromTextFile", _from_file,
           [np.array([b"blue", b"pink", b"red"], dtype=object)],
           expected=np.array([30, -1, 10], np.int64)),
    OpCase("LookupTableInsert", _mutable, [MUTABLE_KEYS], expected=MUTABLE),
    OpCase("LookupTableRemove", _mutable, [MUTABLE_KEYS], expected=MUTABLE),
    OpCase("LookupTableExport", _mutable, [MUTABLE_KEYS], expected=MUTABLE),
]
