"""Result rows of the benchmark, their targets, and the printed table.

A row holds one measured quantity for flowgraph and, where there is one, for the
hand-written numpy version (same process) and for TF1 (the anchor script, run by
`tf1.attach`). Times are "lower is better"; speed-ups are "higher is better".
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any, Dict, List, Optional


@dataclasses.dataclass(frozen=True)
class Target:
    """A goal of one row.

    against : str
        "tf1" (a limit on flowgraph / TF1), "numpy" (a limit on flowgraph / numpy) or
        "value" (a limit on flowgraph's own value).
    limit : float
        The bound: an upper bound for times and ratios, a lower bound for a `higher` row.
    """

    against: str
    limit: float
    higher: bool = False

    def describe(self) -> str:
        sign = ">=" if self.higher else "<="
        if self.against == "value":
            return f"{sign}{self.limit:g}"
        name = "TF1" if self.against == "tf1" else "np"
        return f"{name} {sign}{self.limit:.3g}x"

    def check(self, row: "Row") -> Optional[bool]:
        """True / False, or None when the reference was not measured."""
        value = row.flowgraph if self.against == "value" else row.ratio(self.against)
        if value is None or not math.isfinite(value):
            return None
        return value >= self.limit if self.higher else value <= self.limit


@dataclasses.dataclass(frozen=True)
class TfSpec:
    """Where a row's TF1 value comes from: the anchor `script`'s JSON record whose
    workload is `workload` and whose variant starts with `variant`, field `field` times
    `scale` (into the row's unit)."""

    script: str
    workload: str
    variant: str
    field: str
    scale: float = 1.0
    args: tuple = ("--fw", "tf")


@dataclasses.dataclass
class Row:
    """One line of the result table."""

    key: str
    label: str
    unit: str
    flowgraph: float
    numpy: Optional[float] = None
    tf1: Optional[float] = None
    targets: List[Target] = dataclasses.field(default_factory=list)
    tf: Optional[TfSpec] = None
    notes: Dict[str, Any] = dataclasses.field(default_factory=dict)
    ratios: bool = True  # flowgraph / reference ratios mean something (times)

    def ratio(self, against: str) -> Optional[float]:
        reference = self.tf1 if against == "tf1" else self.numpy
        if reference is None or not self.ratios or reference == 0:
            return None
        return self.flowgraph / reference

    def status(self) -> str:
        results = [t.check(self) for t in self.targets]
        if not results:
            return ""
        if any(r is False for r in results):
            return "MISSED"
        if all(r is True for r in results):
            return "ok"
        return "ok*" if any(results) else "-"  # ok*: the rest not measured (no TF1 run)

    def as_dict(self) -> dict:
        return {"key": self.key, "label": self.label, "unit": self.unit,
                "flowgraph": self.flowgraph, "numpy": self.numpy, "tf1": self.tf1,
                "flowgraph_over_numpy": self.ratio("numpy"),
                "flowgraph_over_tf1": self.ratio("tf1"),
                "targets": [t.describe() for t in self.targets], "status": self.status(),
                "notes": self.notes}


def median_rows(rounds: List[List[Row]]) -> List[Row]:
    """One row per measured quantity from several rounds of the same workload: the median
    of each value over the rounds (each round's values in the notes, under "rounds")."""
    merged = []
    for same in zip(*rounds):
        first = same[0]

        def median(values: list) -> Optional[float]:
            values = sorted(v for v in values if v is not None and math.isfinite(v))
            if not values:
                return None
            mid = len(values) // 2
            return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2

        fg = median([r.flowgraph for r in same])
        notes = dict(first.notes)
        notes["rounds"] = [{"flowgraph": r.flowgraph, "numpy": r.numpy, "tf1": r.tf1}
                           for r in same]
        merged.append(dataclasses.replace(
            first, flowgraph=math.nan if fg is None else fg,
            numpy=median([r.numpy for r in same]), tf1=median([r.tf1 for r in same]),
            notes=notes))
    return merged


def _number(value: Optional[float]) -> str:
    if value is None:
        return "-"
    if not math.isfinite(value):
        return str(value)
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}" if abs(value) < 1 else f"{value:.2f}"


def _ratio(value: Optional[float]) -> str:
    return "-" if value is None else f"{value:.3g}x"


COLUMNS = ("workload", "unit", "flowgraph", "numpy", "TF1", "fg/np", "fg/TF1", "target",
           "status")


def table_rows(rows: List[Row]) -> List[tuple]:
    """The table's cells, one tuple per row (strings)."""
    return [(f"{r.key} {r.label}", r.unit, _number(r.flowgraph), _number(r.numpy),
             _number(r.tf1), _ratio(r.ratio("numpy")), _ratio(r.ratio("tf1")),
             "; ".join(t.describe() for t in r.targets), r.status()) for r in rows]


def format_table(rows: List[Row]) -> str:
    """The rows as an aligned plain-text table."""
    cells = [COLUMNS] + table_rows(rows)
    widths = [max(len(c[i]) for c in cells) for i in range(len(COLUMNS))]
    lines = []
    for n, c in enumerate(cells):
        lines.append("  ".join(v.ljust(w) if i < 2 or i >= 7 else v.rjust(w)
                               for i, (v, w) in enumerate(zip(c, widths))).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def format_markdown(rows: List[Row]) -> str:
    """The rows as a Markdown table (for docs/performance.md)."""
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(c) + " |" for c in table_rows(rows)]
    return "\n".join(lines)
