"""The rules both workbook readers share (fastexcel for .xlsx, python-calamine for .xls and .ods), so they
find the same header and give the same text for a cell: ``cell_text``, ``excel_number``,
``find_header_row``, ``finish_frame``; and the errors and layout check of a sheet."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pandas as pd

from ...errors import InputError
from ...i18n import _
from ..limits import Limits, over_limit
from .table import drop_empty_unnamed, header_names


def unreadable(path: Path, exc: Exception) -> InputError:
    return InputError(_("{path}: cannot read workbook ({value}).").format(
                          path=path, value=str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__),
                      hint=_("Open it in Excel and save it again, or export as CSV."))


def check_layout(path: Path, name: str, height: int, width: int, limits: Limits) -> None:
    """The sheet as the reader lays it out, from A1 to the farthest cell (the guard bounded it)."""
    if height > limits.max_rows:
        raise over_limit(path, f"sheet {name!r} has {height:,} rows", "max_rows")
    if width > limits.max_columns:
        raise over_limit(path, f"sheet {name!r} has {width:,} columns", "max_columns")
    if height * width > limits.max_cells:
        raise over_limit(path, f"sheet {name!r} spans {height * width:,} cells", "max_cells")


def cell_text(v) -> str | None:
    """A cell as the text the seller sees: 12346 not 12346.0, dates ISO, empty as missing."""
    if v is None or v == "":
        return None
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float):
        if math.isnan(v):
            return None
        return excel_number(v)
    if isinstance(v, int):
        return str(v)
    if isinstance(v, dt.datetime):
        return v.isoformat(sep=" ")
    if isinstance(v, (dt.date, dt.time)):
        return v.isoformat()
    if isinstance(v, dt.timedelta):
        return str(v)
    return str(v)


def excel_number(v: float) -> str:
    """A number as Excel shows it in a wide cell, and as fastexcel renders it: at most nine decimals,
    no trailing zeros (29.020000000000003 is the 29.02 the seller typed), every digit of a large whole
    number (no 1e+15)."""
    if v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    text = f"{v:.9f}".rstrip("0").rstrip(".") if math.isfinite(v) else str(v)
    return "0" if text == "-0" else text


def find_header_row(rows) -> int | None:
    """The header of a sheet: the first of its first rows that fills most of the table's width (None for an
    empty sheet).  One rule for every workbook reader, so they find the same header."""
    widths = [sum(1 for c in r if c not in (None, "")) for r in rows]
    width = max(widths, default=0)
    if width == 0:
        return None
    return next(i for i, w in enumerate(widths) if w >= max(2, width * 0.6) or (width < 2 and w))


def rows_to_frame(rows: list[list], merged: list | None = None) -> tuple[pd.DataFrame, int, list] | None:
    """The sheet's rows -> (frame of text, header row index, merged runs in data columns as (column,
    first frame row, last frame row)); None for an empty sheet."""
    header_row = find_header_row(rows[:20])
    if header_row is None:
        return None
    header = [cell_text(c) or "" for c in rows[header_row]]
    body = rows[header_row + 1:]
    columns = {}
    for j in range(len(header)):
        columns[j] = pd.array([cell_text(r[j]) if j < len(r) else None for r in body], dtype="str")
    return finish_frame(pd.DataFrame(columns), header, header_row, merged)


def finish_frame(frame: pd.DataFrame, header: list[str], header_row: int,
                 merged: list | None) -> tuple[pd.DataFrame, int, list]:
    """Name the body's columns from the header (``header[j]`` over frame column j), drop empty unnamed
    columns and trailing empty rows, and turn merged ranges into runs over data rows."""
    names = header_names(header)
    frame.columns = names[len(names) - frame.shape[1]:]
    frame = drop_empty_unnamed(frame)
    # trailing empty rows of the used range
    if len(frame):
        filled = frame.notna().any(axis=1)
        if not filled.all():
            last = filled[::-1].idxmax() if filled.any() else -1
            frame = frame.iloc[: last + 1]
    runs = []
    for (r1, c1), (r2, c2) in merged or []:
        # a block merged down the data rows: its value sits in its first row and column
        first, last = max(r1, header_row + 1) - header_row - 1, min(r2 - header_row - 1, len(frame) - 1)
        if r1 > header_row and c1 < len(names) and last > first and names[c1] in frame.columns:
            runs.append((names[c1], first, last))
    return frame.reset_index(drop=True), header_row, runs
