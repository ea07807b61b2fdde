"""`decode_csv` under its earlier home: the DecodeCSV op, its builder and the CSV field
parsing live in `flowgraph.ops.decode_csv` (every op is defined under `flowgraph/ops/`); this
module only re-exports them so that ``fg.io.decode_csv`` and older imports keep working."""

from flowgraph.ops.decode_csv import (  # noqa: F401 - re-exports
    CSV_DTYPES,
    DecodeCSV,
    convert_field,
    decode_csv,
    default_tensor,
    split_fields,
)

__all__ = ["decode_csv"]
