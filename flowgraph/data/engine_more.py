"""Run-time builders of assert_cardinality and snapshot (see experimental_more, snapshot)."""

from __future__ import annotations

from typing import Iterator

from flowgraph import errors
from flowgraph.data.engine import Env, Source, build
from flowgraph.data.engine_sources import closing_all

INFINITE = -1


def _assert_cardinality(attrs: dict, children: tuple, env: Env) -> Source:
    source = build(children[0], env)
    expected = env.integer(attrs["expected_cardinality"], "expected_cardinality")

    def describe(n: int) -> str:
        return "an infinite number of" if n == INFINITE else str(n)

    def open_() -> Iterator[tuple]:
        it = source.open()
        count = 0
        try:
            for element in it:
                count += 1
                if expected != INFINITE and count > expected:
                    raise errors.FailedPreconditionError(
                        None, None, f"Input dataset was expected to contain {expected} "
                        f"elements but contained at least {count} elements.")
                yield element
        finally:
            closing_all([it])
        if count != expected:
            raise errors.FailedPreconditionError(
                None, None, f"Input dataset was expected to contain {describe(expected)} "
                f"elements but contained only {count} elements.")

    return Source(open_)


def _snapshot(attrs: dict, children: tuple, env: Env) -> Source:
    from flowgraph.data.snapshot import snapshot_source
    return snapshot_source(attrs, children, env)


KINDS = {
    "AssertCardinality": _assert_cardinality,
    "Snapshot": _snapshot,
}
