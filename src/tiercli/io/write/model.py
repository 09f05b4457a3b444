"""What callers hand the writers (``Sheet``, ``Chart``) and what they get back (``WriteResult``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import pandas as pd

from ...i18n import _

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

    def busy_note(self, target: Path) -> str | None:
        """What to tell the seller when ``target`` was busy and the data went to a dated file beside it."""
        if not self.fallback:
            return None
        return _("{path} is busy (open in Excel?): wrote {fallback} instead. Close the file and run again to "
                 "replace it.").format(path=target, fallback=self.path)

    def notes(self) -> list[str]:
        """What the writer changed to keep the file safe, in words (counted, never silent)."""
        notes = []
        if self.sanitized_cells:
            notes.append(_("{n} text cells start like a formula (= + - @) and were written as plain text").format(
                n=self.sanitized_cells))
        if self.fixed_cells:
            notes.append(_("{n} cells had characters a spreadsheet cannot hold removed, or were cut to 32,767 "
                           "characters").format(n=self.fixed_cells))
        return notes


class Counts:
    """Cells neutralised (formula-like) and repaired (text a file cannot hold) during one write."""

    __slots__ = ("sanitized", "fixed")

    def __init__(self) -> None:
        self.sanitized = 0
        self.fixed = 0
