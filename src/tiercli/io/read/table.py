"""What a reader hands on: ``RawTable``, one table of text read from a file, and the header names every
reader gives it the same way (``clean_headers``: a CSV and the same sheet saved as .xlsx get the same names)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd


@dataclass
class RawTable:
    """One table of text read from a file (a CSV, or the sheets of a workbook that share a header)."""

    path: Path
    frame: pd.DataFrame
    encoding: str | None = None
    sheets: list[str] = field(default_factory=list)
    delimiter: str | None = None
    header_row: int = 0  # 0-based line/row of the header in the file
    # first data row's line number in the file (1-based, as a spreadsheet shows it)
    first_line: int = 2
    notes: list[str] = field(default_factory=list)
    # date-formatted cells holding a number no date can be (-1e308, -inf): left empty, ``Sheet!B3`` each
    impossible_dates: list[str] = field(default_factory=list)
    # lines the CSV parser left out (more fields than the header), 1-based as in the file
    skipped_lines: list[int] = field(default_factory=list)
    # workbook cells merged down several rows: (column, first frame row, last frame row); the value
    # is on the first row only (as calamine returns it); the schema layer decides what to fill down
    merged: list[tuple[str, int, int]] = field(default_factory=list)
    # where the frame's rows are in the workbook: (sheet, spreadsheet row of the segment's first
    # frame row, rows) per sheet; empty for a CSV (row i is line first_line + i)
    segments: list[tuple[str, int, int]] = field(default_factory=list)
    # one of several tables of a workbook whose sheets were not named (--sheet): the schema layer leaves
    # it out, with a note, when no export layout fits it (a Summary, 说明 or 数据透视 sheet beside the orders)
    optional: bool = False

    @property
    def rows(self) -> int:
        return len(self.frame)

    def where(self, positions) -> list[str]:
        """Spreadsheet row numbers (``"12"``, or ``"2026-02!12"`` in a table of several sheets) of frame rows."""
        if not self.segments:
            return [str(self.first_line + int(i)) for i in positions]
        out = []
        for i in positions:
            i = int(i)
            for sheet, first, count in self.segments:
                if i < count:
                    out.append(f"{sheet}!{first + i}" if len(self.segments) > 1 else str(first + i))
                    break
                i -= count
            else:
                out.append(str(self.first_line + int(i)))
        return out

    @property
    def label(self) -> str:
        return str(self.path) + (f" [{', '.join(self.sheets)}]" if self.sheets else "")


_UNNAMED = re.compile(r"^Unnamed: \d+$")


def clean_headers(frame: pd.DataFrame) -> pd.DataFrame:
    """Strip header whitespace/BOMs, name blank headers, and make duplicates unique (``Email``, ``Email.1``,
    as pandas names them in a CSV, so a CSV and the same sheet saved as XLSX get the same names)."""
    return drop_empty_unnamed(frame.set_axis(header_names(frame.columns), axis=1))


_HEADER_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def header_names(labels) -> list[str]:
    names, taken = [], set()
    for i, raw in enumerate(labels):
        # a header typed with Alt+Enter holds a line break: one line, so it can be mapped and named in a message
        name = _HEADER_CONTROL.sub(" ", str(raw).replace("\ufeff", "")).strip()
        if not name or _UNNAMED.match(name):
            name = f"column_{i + 1}"
        if name in taken:
            n = 1
            while f"{name}.{n}" in taken:
                n += 1
            name = f"{name}.{n}"
        taken.add(name)
        names.append(name)
    return names


def drop_empty_unnamed(frame: pd.DataFrame) -> pd.DataFrame:
    """Drop columns that are entirely empty and unnamed (trailing delimiters, the sheet's empty margin)."""
    empty_unnamed = [c for c in frame.columns if c.startswith("column_") and frame[c].isna().all()]
    return frame.drop(columns=empty_unnamed)
