"""What callers hand the writers (``Sheet``, ``Chart``) and what they get back (``WriteResult``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import pandas as pd

CHART_KINDS = ("column", "bar", "pie", "line", "pareto")


@dataclass(frozen=True)
class Chart:
    """A native Excel chart over columns of its sheet's table."""

    kind: str
    title: str
    categories: str
    values: tuple[str, ...]
    anchor: str | None = None
    x_title: str | None = None
    y_title: str | None = None

    def __post_init__(self) -> None:
        if isinstance(self.values, str):  # Chart(..., values="x") is an easy slip
            object.__setattr__(self, "values", (self.values,))
        else:
            object.__setattr__(self, "values", tuple(self.values))
        if self.kind not in CHART_KINDS:
            raise ValueError(f"unknown chart kind {self.kind!r}; use one of {', '.join(CHART_KINDS)}")
        if not self.values:
            raise ValueError(f"chart {self.title!r} has no value columns")
        if self.kind == "pareto" and len(self.values) != 2:
            raise ValueError(f"pareto chart {self.title!r} needs (bar_values, cumulative_share)")
        if self.kind == "pie" and len(self.values) != 1:
            raise ValueError(f"pie chart {self.title!r} takes exactly one value column")


# eq=False: a DataFrame has no truth value, so generated __eq__/__hash__ would blow up.
@dataclass(frozen=True, eq=False)
class Sheet:
    """One worksheet: a title-less or captioned table plus optional charts."""

    name: str
    frame: pd.DataFrame
    charts: tuple[Chart, ...] = ()
    freeze_header: bool = True
    autofilter: bool = True
    title: str | None = None
    formats: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.frame, pd.DataFrame):
            raise TypeError(f"Sheet {self.name!r}: frame must be a pandas DataFrame")
        object.__setattr__(self, "charts", tuple(self.charts))
        object.__setattr__(self, "formats", MappingProxyType(dict(self.formats or {})))


@dataclass
class WriteResult:
    """Where the data went and what had to be neutralised or repaired on the way."""

    path: Path
    fallback: bool
    sanitized_cells: int = 0
    fixed_cells: int = 0


class Counts:
    """Cells neutralised (formula-like) and repaired (text a file cannot hold) during one write."""

    __slots__ = ("sanitized", "fixed")

    def __init__(self) -> None:
        self.sanitized = 0
        self.fixed = 0
