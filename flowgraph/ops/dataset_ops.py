"""Dataset ops that consume a whole dataset in one run: DatasetToTFRecord (behind
`fg.data.experimental.TFRecordWriter`)."""

from __future__ import annotations

import numpy as np

from flowgraph import errors
from flowgraph.ops.iterator_ops import _described, _DescribedOp, _engine
from flowgraph.ops.registry import register

__all__: list = []  # the public API is fg.data.experimental.TFRecordWriter


def _text(value: object, what: str) -> str:
    array = np.asarray(value, dtype=object)
    if array.ndim != 0:
        raise errors.InvalidArgumentError(None, None, f"{what} must be a scalar string, got "
                                          f"shape {list(array.shape)}")
    item = array.item()
    return item.decode("utf-8") if isinstance(item, bytes) else str(item)


@register
@_described
class DatasetToTFRecord(_DescribedOp):
    """Writes every element of `dataset` (scalar strings) as a record of a TFRecord file.
    Inputs: the dataset's `num_captured` captured tensors, the file name and the
    compression type ("", "ZLIB" or "GZIP"). No outputs."""

    dataset: tuple = ()
    num_captured: int = 0

    stateful = True
    needs_state = True
    differentiable = False

    def infer(self, op):
        for t in op.inputs[self.num_captured:]:
            if not t.dtype.is_string or t.shape.ndims not in (None, 0):
                raise ValueError(f"DatasetToTFRecord: the filename and compression_type must "
                                 f"be scalar strings, got {t.name} ({t.dtype.name}, {t.shape})")
        return []

    def kernel(self, ctx, *inputs):
        from flowgraph.io.tf_record import TFRecordWriter
        engine = _engine()
        captured = inputs[:self.num_captured]
        filename = _text(inputs[self.num_captured], "filename")
        compression = _text(inputs[self.num_captured + 1], "compression_type")
        it = engine.build(self.dataset, engine.Env(captured, ctx.state)).open()
        try:
            with TFRecordWriter(filename, compression) as writer:
                for element in it:
                    value = np.asarray(element[0], dtype=object)
                    if len(element) != 1 or value.ndim != 0:
                        raise errors.InvalidArgumentError(
                            None, None, "TFRecordWriter writes datasets of scalar strings, "
                            f"got an element of {len(element)} components")
                    record = value.item()
                    writer.write(record if isinstance(record, bytes) else
                                 str(record).encode("utf-8"))
        finally:
            close = getattr(it, "close", None)
            if close is not None:
                close()
        return ()
