"""Parsing specs of raw features (TF1's ``FixedLenFeature`` / ``VarLenFeature``), as
returned by feature columns' ``_parse_example_spec`` and `make_parse_example_spec`.

They are defined with `fg.io.parse_example` in flowgraph.io.example_spec; this module keeps
the feature columns' imports working."""

from flowgraph.io.example_spec import FixedLenFeature, VarLenFeature  # noqa: F401

__all__ = ["FixedLenFeature", "VarLenFeature"]
