"""Cases for dataset_ops.py: TFRecordWriter's op writes a file that is then read back in
the same run."""

import os
import tempfile

import numpy as np

import flowgraph as fg
from tests.ops.harness import OpCase

PATH = os.path.join(tempfile.gettempdir(), f"fg_case_records_{os.getpid()}.tfrecord")


def _written(words):
    dataset = fg.data.Dataset.from_tensor_slices(words)
    write = fg.data.experimental.TFRecordWriter(PATH).write(dataset)
    with fg.control_dependencies([write]):
        back = fg.data.TFRecordDataset(PATH).batch(10)
        return fg.data.experimental.get_single_element(back)


CASES = [
    OpCase("DatasetToTFRecord", _written, [np.array([b"ab", b"", b"xyz"], dtype=object)],
           expected=np.array([b"ab", b"", b"xyz"], dtype=object), partial_shapes=False),
]
