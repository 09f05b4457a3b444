"""The .xlsx writer: a constant-memory XlsxWriter workbook, one ``SheetWriter`` per ``Sheet``."""

from __future__ import annotations

import datetime as dt
import decimal
import fractions
import math
import re
import tempfile
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from ...errors import OutputError
from .atomic import (
    SCRATCH_PREFIX,
    atomic_write,
    drive_refused,
    output_error,
    remove_stale_scratch,
)
from .columns import (
    BOOL,
    DATETIME,
    FLOAT,
    INT,
    TEXT,
    classify,
    datetime_parts,
    float_array,
    header_text,
    is_arrow_text,
    is_na,
    iso_scalar,
    iso_strings,
    na_list,
)
from .excel_text import (
    ESCAPE_STARTS_RE,
    ILLEGAL_ARROW,
    ILLEGAL_PY,
    ILLEGAL_PY_RE,
    OVERLAPPING_ESCAPES,
    RICH_END,
    RICH_START,
    XLSX_MAX_TEXT,
    cut_utf16,
    fix_text,
    needs_runs,
)
from .inert import InertText, formula_like_mask, is_formula_like
from .model import Chart, Counts, Sheet, WriteResult

_MAX_ROWS, _MAX_COLS = 1_048_576, 16_384
_MAX_WIDTH, _MIN_WIDTH = 60, 6
_EXCEL_EPOCH = np.datetime64("1899-12-30", "us")
_DAY_US = 86_400_000_000
# Day counts from 1899-12-30: Excel's serial 1 is 1900-01-01 and it has a fake
# 1900-02-29, so serials before 1900-03-01 (day 61) are one lower.
_FIRST_DAY, _LEAP_BUG_END, _PAST_LAST_DAY = 2, 61, 2_958_466
_BIG_INT = 10**15  # Excel keeps 15 significant digits: longer IDs go in as text


class _PreparedColumn(NamedTuple):
    """How one column is written: ``write(row, col, value, fmt)`` for each value that is not None."""

    write: Callable[[int, int, Any, Any], Any]
    values: list
    fmt: Any
    width: int


class _Serial(float):
    """An Excel date serial inside a mixed column (written with the date format)."""


def _display_width(text: str) -> int:
    text = text[:_MAX_WIDTH * 2]
    width = 0
    for line in text.split("\n"):
        if line.isascii():
            w = len(line)
        else:  # CJK and other wide characters take two columns
            w = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)
        width = max(width, w)
    return width


def _sample_positions(n: int) -> list[int]:
    if n <= 300:
        return list(range(n))
    return list(range(100)) + np.linspace(100, n - 1, 200).astype(int).tolist()


class SheetWriter:
    """Writes one Sheet into an open constant_memory workbook."""

    def __init__(self, book: "BookWriter", sheet: Sheet, name: str) -> None:
        self.book = book
        self.sheet = sheet
        self.name = name
        self.ws = book.wb.add_worksheet(name)
        self.counts = book.counts
        self.header_row = 2 if sheet.title else 0

    # -- cells ---------------------------------------------------------------

    def put_text(self, row: int, col: int, text: str, fmt=None) -> None:
        """Write already-cleaned text as a plain string cell, never a formula or link."""
        if type(text) is InertText:
            fmt = self.book.inert(fmt)
        if needs_runs(text):
            # XlsxWriter 3.x in constant_memory mode copies a string that looks
            # like "<r>...</r>" into the sheet XML unescaped (it takes it for its
            # own rich-string markup), so "<r>..</r></is><f>..</f>.." would inject
            # a formula. Its public rich-string writer escapes each run instead.
            # Literal "_xHHHH_" is cut across runs: that path escapes it twice,
            # and the plain path mangles overlapping ones ("_x0041_x0042_").
            # A CR inside a run comes out double-escaped (_x005F_x000D_), so on this
            # path line breaks are written as LF, which Excel shows the same way.
            if "\r" in text:
                text = text.replace("\r\n", "\n").replace("\r", "\n")
                self.counts.fixed += 1
            cuts = {1, 2, len(text)}
            cuts.update(m.start() + 2 for m in ESCAPE_STARTS_RE.finditer(text))
            bounds = sorted(cuts)
            parts = [text[a:b] for a, b in zip([0, *bounds], bounds) if b > a]
            if fmt is None:
                self.ws.write_rich_string(row, col, *parts)
            else:
                self.ws.write_rich_string(row, col, *parts, fmt)
        else:
            self.ws.write_string(row, col, text, fmt)

    def text_cell(self, text: str) -> str:
        """Clean one stray text cell (header, caption, mixed column) and count it."""
        fixed = fix_text(text)
        if fixed != text:
            self.counts.fixed += 1
        if is_formula_like(fixed):
            self.counts.sanitized += 1
            return InertText(fixed)
        return fixed

    def write_text(self, row: int, col: int, value: str, fmt) -> None:
        """A text column's writer when some of its cells are formula-like."""
        if type(value) is InertText:
            self.ws.write_string(row, col, value, self.book.inert(fmt))
        else:
            self.ws.write_string(row, col, value, fmt)

    def write_mixed(self, row: int, col: int, value: Any, fmt) -> None:
        # Per-cell dispatch, only for the rare columns that hold several types.
        kind = type(value)
        if kind is str or kind is InertText:
            self.put_text(row, col, value)
        elif kind is bool:
            self.ws.write_boolean(row, col, value, fmt)
        elif kind is _Serial:
            self.ws.write_number(row, col, value, fmt if fmt is not None else self.book.date_format(False))
        else:
            self.ws.write_number(row, col, value, fmt)

    # -- columns -------------------------------------------------------------

    def _text_values(self, s: pd.Series) -> tuple[list, bool, bool]:
        """Clean a text column vectorised; returns (values, has rich-looking cells, has formula-like cells)."""
        s = s.reset_index(drop=True)
        arrow = is_arrow_text(s)
        bad = np.array(s.str.contains(ILLEGAL_ARROW if arrow else ILLEGAL_PY, regex=True, na=False), dtype=bool)
        if bad.any():
            s = s.str.replace(ILLEGAL_ARROW if arrow else ILLEGAL_PY, "", regex=True)
        fixed = bad
        long = np.array(s.str.len().fillna(0) > XLSX_MAX_TEXT // 2, dtype=bool)
        values = s.to_numpy(dtype=object, na_value=None).tolist()
        for i in np.flatnonzero(long).tolist():
            cut = cut_utf16(values[i])
            if cut != values[i]:
                values[i] = cut
                fixed[i] = True
        if long.any():
            s = pd.Series(values, dtype=object)
        self.counts.fixed += int(fixed.sum())
        danger = formula_like_mask(s)
        self.counts.sanitized += int(danger.sum())
        for i in np.flatnonzero(danger).tolist():
            values[i] = InertText(values[i])
        rich = np.array(
            (s.str.startswith(RICH_START, na=False) & s.str.endswith(RICH_END, na=False))
            | s.str.contains(OVERLAPPING_ESCAPES, regex=True, na=False),
            dtype=bool,
        )
        return values, bool(rich.any()), bool(danger.any())

    def _mixed_value(self, v: Any) -> Any:
        if isinstance(v, str):
            return self.text_cell(v)
        if is_na(v):
            return None
        if isinstance(v, (bool, np.bool_)):
            return bool(v)
        if isinstance(v, (int, np.integer)):
            v = int(v)
            return str(v) if abs(v) >= _BIG_INT else v
        if isinstance(v, (float, np.floating, decimal.Decimal, fractions.Fraction)):
            try:
                f = float(v)
            except (ValueError, OverflowError):
                return self.text_cell(str(v))
            if math.isnan(f):
                return None
            return f if math.isfinite(f) else ("inf" if f > 0 else "-inf")
        if isinstance(v, (dt.date, np.datetime64)):
            try:
                ts = pd.Timestamp(v)
            except (ValueError, OverflowError):
                return self.text_cell(str(v))
            if ts is pd.NaT:
                return None
            if ts.tzinfo is not None:
                ts = ts.tz_localize(None)
            us = np.datetime64(ts.as_unit("us").asm8, "us")
            days = (us - _EXCEL_EPOCH) / np.timedelta64(_DAY_US, "us")
            if not _FIRST_DAY <= days < _PAST_LAST_DAY:
                return self.text_cell(iso_scalar(ts))
            return _Serial(days - 1 if days < _LEAP_BUG_END else days)
        if isinstance(v, (bytes, bytearray)):
            return self.text_cell(bytes(v).decode("utf-8", "replace"))
        return self.text_cell(str(v))

    def prepare_column(self, s: pd.Series, user_fmt: str | None) -> _PreparedColumn:
        """Decide once how a column is written: its cell writer, its values (None for empty), format and width."""
        kind, s = classify(s)
        fmt = self.book.number_format(user_fmt) if user_fmt else None
        sample = _sample_positions(len(s))
        if kind == TEXT:
            return self._text_column(s, fmt, sample)
        if kind == BOOL:
            values = [None if v is None else bool(v) for v in na_list(s)]
            return _PreparedColumn(self.ws.write_boolean, values, fmt, 5)
        if kind == INT:
            return self._int_column(s, fmt, user_fmt, sample)
        if kind == FLOAT:
            return self._float_column(s, fmt, user_fmt, sample)
        if kind == DATETIME:
            return self._datetime_column(s, user_fmt)
        # OTHER: mixed object columns, timedeltas, periods, ...
        return self._mixed_column(s, fmt, sample)

    def _text_column(self, s: pd.Series, fmt, sample: list[int]) -> _PreparedColumn:
        values, rich, danger = self._text_values(s)
        width = max((_display_width(values[i]) for i in sample if values[i] is not None), default=0)
        write = self.write_mixed if rich else self.write_text if danger else self.ws.write_string
        if rich:  # write_mixed routes str to put_text, which ignores fmt
            fmt = None
        return _PreparedColumn(write, values, fmt, width)

    def _int_column(self, s: pd.Series, fmt, user_fmt: str | None, sample: list[int]) -> _PreparedColumn:
        values = na_list(s)
        present = [v for v in values if v is not None]
        if present and (max(present) >= _BIG_INT or min(present) <= -_BIG_INT):
            values = [None if v is None else str(int(v)) for v in values]
            width = max((len(values[i]) for i in sample if values[i] is not None), default=0)
            return _PreparedColumn(self.ws.write_string, values, fmt, width)
        width = max((len(str(values[i])) for i in sample if values[i] is not None), default=0)
        if user_fmt and "," in user_fmt:
            width = int(width * 1.35)
        return _PreparedColumn(self.ws.write_number, values, fmt, width)

    def _float_column(self, s: pd.Series, fmt, user_fmt: str | None, sample: list[int]) -> _PreparedColumn:
        arr = float_array(s)
        values = arr.tolist()
        nan = np.isnan(arr)
        for i in np.flatnonzero(nan).tolist():
            values[i] = None
        write = self.ws.write_number
        inf = np.isinf(arr)
        if inf.any():  # Excel has no infinity and we never write error formulas
            for i in np.flatnonzero(inf).tolist():
                values[i] = "inf" if arr[i] > 0 else "-inf"
            write = self.write_mixed
        width = max((min(len(repr(values[i])), 12) for i in sample if values[i] is not None), default=0)
        if user_fmt:
            width = max(width, len(user_fmt.split(";")[0].replace('"', "")) + 2)
        return _PreparedColumn(write, values, fmt, width)

    def _datetime_column(self, s: pd.Series, user_fmt: str | None) -> _PreparedColumn:
        us, nat, has_time = datetime_parts(s)
        fmt = self.book.number_format(user_fmt) if user_fmt else self.book.date_format(has_time)
        days = (us - _EXCEL_EPOCH) / np.timedelta64(_DAY_US, "us")
        serial = np.where(days < _LEAP_BUG_END, days - 1, days)
        values = serial.tolist()
        for i in np.flatnonzero(nat).tolist():
            values[i] = None
        write = self.ws.write_number
        out = ~nat & ((days < _FIRST_DAY) | (days >= _PAST_LAST_DAY))
        if out.any():  # Excel cannot show dates before 1900 or after 9999: ISO text
            iso = iso_strings(us, nat, has_time)
            for i in np.flatnonzero(out).tolist():
                values[i] = iso[i]
            write = self.write_mixed
        return _PreparedColumn(write, values, fmt, 19 if has_time else 10)

    def _mixed_column(self, s: pd.Series, fmt, sample: list[int]) -> _PreparedColumn:
        values = [self._mixed_value(v) for v in s.to_numpy(dtype=object).tolist()]
        width = 0
        for i in sample:
            v = values[i]
            if v is not None:
                width = max(width, _display_width(v) if isinstance(v, str) else 10 if isinstance(v, _Serial) else len(str(v)))
        return _PreparedColumn(self.write_mixed, values, fmt, width)

    # -- the sheet -----------------------------------------------------------

    def write(self) -> None:
        frame = self.sheet.frame
        headers = [self.text_cell(header_text(c)) for c in frame.columns]
        labels = list(frame.columns)
        columns = self._prepare_columns(labels, headers)
        self._write_caption_and_header(headers)
        self._write_rows(columns)
        self._finish(labels, headers)

    def _prepare_columns(self, labels: list, headers: list[str]) -> list[_PreparedColumn]:
        """Prepare every column and set its width (constant_memory streams rows to disk, so this comes first)."""
        sheet, ws = self.sheet, self.ws
        columns = []
        for c in range(len(labels)):
            user_fmt = sheet.formats.get(labels[c]) if _hashable(labels[c]) else None
            if user_fmt is None:
                user_fmt = sheet.formats.get(headers[c])
            column = self.prepare_column(sheet.frame.iloc[:, c], user_fmt)
            header_width = _display_width(headers[c]) + 3  # bold text plus the filter button
            ws.set_column(c, c, min(max(column.width + 2, header_width, _MIN_WIDTH), _MAX_WIDTH))
            columns.append(column)
        return columns

    def _write_caption_and_header(self, headers: list[str]) -> None:
        if self.sheet.title:
            self.put_text(0, 0, self.text_cell(self.sheet.title), self.book.caption)
        for c, text in enumerate(headers):
            self.put_text(self.header_row, c, text, self.book.header)

    def _write_rows(self, columns: list[_PreparedColumn]) -> None:
        # Hot loop: one precomputed writer per column, no per-cell type checks.
        specs = [(c, column.write, column.fmt) for c, column in enumerate(columns)]
        row = self.header_row
        for row_values in zip(*(column.values for column in columns)):
            row += 1
            for (c, write, fmt), v in zip(specs, row_values):
                if v is not None:
                    write(row, c, v, fmt)

    def _finish(self, labels: list, headers: list[str]) -> None:
        """Frozen header, filter buttons and charts."""
        sheet, ws, top = self.sheet, self.ws, self.header_row
        n_rows, n_cols = sheet.frame.shape
        if sheet.freeze_header:
            ws.freeze_panes(top + 1, 0)
        if sheet.autofilter and n_cols:
            ws.autofilter(top, 0, top + n_rows, n_cols - 1)
        if n_rows and n_cols:
            for k, chart in enumerate(sheet.charts):
                self.add_chart(k, chart, labels, headers, n_rows)

    def add_chart(self, k: int, chart: Chart, labels: list, headers: list[str], n_rows: int) -> None:
        from xlsxwriter.utility import xl_rowcol_to_cell

        wb, name, top = self.book.wb, self.name, self.header_row
        first, last = top + 1, top + n_rows
        cat = _column_index(chart.categories, labels, headers)

        def series(col: int, **extra) -> dict:
            return {
                "name": [name, top, col],
                "categories": [name, first, cat, last, cat],
                "values": [name, first, col, last, col],
                **extra,
            }

        value_cols = [_column_index(v, labels, headers) for v in chart.values]
        if chart.kind == "pareto":
            main = wb.add_chart({"type": "column"})
            main.add_series(series(value_cols[0], gap=50))
            line = wb.add_chart({"type": "line"})
            line.add_series(series(value_cols[1], y2_axis=True, marker={"type": "circle", "size": 4}))
            main.combine(line)
            share = pd.to_numeric(self.sheet.frame.iloc[:, value_cols[1]], errors="coerce")
            y2 = {"num_format": "0%", "min": 0, "major_gridlines": {"visible": False}}
            if share.max(skipna=True) <= 1.0 + 1e-9:  # a share in 0..1, not in percent points
                y2["max"] = 1
            main.set_y2_axis(y2)
            line.set_y2_axis(y2)
        else:
            main = wb.add_chart({"type": chart.kind})
            for col in value_cols:
                main.add_series(series(col))
        main.set_title({"name": chart.title})
        if chart.kind != "pie":
            if chart.x_title:
                main.set_x_axis({"name": chart.x_title})
            if chart.y_title:
                main.set_y_axis({"name": chart.y_title})
            if len(value_cols) == 1:
                main.set_legend({"none": True})
        main.set_size({"width": 640, "height": 360})
        anchor = chart.anchor or xl_rowcol_to_cell(top + k * 20, len(labels) + 1)
        self.ws.insert_chart(anchor, main)


def _hashable(label: Any) -> bool:
    try:
        hash(label)
    except TypeError:
        return False
    return True


def _column_index(ref: str, labels: list, headers: list[str]) -> int:
    for i, label in enumerate(labels):
        if _hashable(label) and label == ref:
            return i
    for i, text in enumerate(headers):
        if text == ref:
            return i
    raise ValueError(f"chart refers to column {ref!r}, which is not in the sheet")


class BookWriter:
    def __init__(self, wb: "xlsxwriter.Workbook") -> None:  # noqa: F821
        self.wb = wb
        self.counts = Counts()
        self._formats: dict[str, Any] = {}
        self.header = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "bottom": 1, "valign": "top"})
        self.caption = wb.add_format({"bold": True, "font_size": 13})
        self._inert: dict[int, Any] = {}

    def inert(self, fmt):
        """``fmt`` plus Excel's quote prefix (formula-like text stays text when edited)."""
        key = id(fmt)
        found = self._inert.get(key)
        if found is None:
            props = {"quote_prefix": True}
            if fmt is self.header:
                props.update({"bold": True, "bg_color": "#DDEBF7", "bottom": 1, "valign": "top"})
            elif fmt is self.caption:
                props.update({"bold": True, "font_size": 13})
            elif fmt is not None and getattr(fmt, "num_format", None):
                props["num_format"] = fmt.num_format
            found = self._inert[key] = self.wb.add_format(props)
        return found

    def number_format(self, spec: str):
        fmt = self._formats.get(spec)
        if fmt is None:
            fmt = self._formats[spec] = self.wb.add_format({"num_format": spec})
        return fmt

    def date_format(self, has_time: bool):
        return self.number_format("yyyy-mm-dd hh:mm:ss" if has_time else "yyyy-mm-dd")


_SHEET_FORBIDDEN_RE = re.compile(r"[\[\]:*?/\\]")


def _sheet_names(sheets: Sequence[Sheet]) -> list[str]:
    """Excel-legal, case-insensitively unique names of at most 31 characters."""
    names: list[str] = []
    seen: set[str] = set()
    for i, sheet in enumerate(sheets, 1):
        base = _SHEET_FORBIDDEN_RE.sub("_", ILLEGAL_PY_RE.sub("", str(sheet.name))).strip().strip("'").strip()
        if not base:
            base = f"Sheet{i}"
        if base.casefold() == "history":  # reserved by Excel
            base += "_"
        base = base[:31]
        name, n = base, 1
        while name.casefold() in seen:
            n += 1
            suffix = f"~{n}"
            name = base[: 31 - len(suffix)] + suffix
        seen.add(name.casefold())
        names.append(name)
    return names


def _validate_sheets(path: Path, sheets: Sequence[Sheet], names: list[str]) -> None:
    if not sheets:
        raise ValueError("write_workbook needs at least one Sheet")
    for sheet, name in zip(sheets, names):
        n_rows, n_cols = sheet.frame.shape
        top = 2 if sheet.title else 0
        if top + 1 + n_rows > _MAX_ROWS:
            raise output_error(
                path,
                f"sheet {name!r} has {n_rows:,} rows, more than Excel's {_MAX_ROWS - top - 1:,}",
                "Write a .csv instead or narrow the data.",
            )
        if n_cols > _MAX_COLS:
            raise output_error(path, f"sheet {name!r} has {n_cols:,} columns, more than Excel's {_MAX_COLS:,}", "Narrow the data.")
        labels = list(sheet.frame.columns)
        headers = [header_text(c) for c in labels]
        for chart in sheet.charts:  # fail before any file is touched
            for ref in (chart.categories, *chart.values):
                _column_index(ref, labels, headers)


def write_workbook(path, sheets: Sequence[Sheet], *, retries: int = 3, retry_delay: float = 0.5) -> WriteResult:
    """Write ``sheets`` as one .xlsx atomically; text is never a formula or link."""
    sheets = list(sheets)
    names = _sheet_names(sheets)
    _validate_sheets(Path(path), sheets, names)
    counts = Counts()
    cells = sum(s.frame.shape[0] * max(s.frame.shape[1], 1) for s in sheets)

    import xlsxwriter  # (imported here: a CSV or JSON run does not need it)
    from xlsxwriter.exceptions import FileCreateError, FileSizeError

    remove_stale_scratch()

    def fill(tmp: Path) -> None:
        with tempfile.TemporaryDirectory(prefix=SCRATCH_PREFIX, ignore_cleanup_errors=True) as scratch:
            wb = xlsxwriter.Workbook(
                str(tmp),
                {
                    "constant_memory": True,
                    "strings_to_formulas": False,
                    "strings_to_urls": False,
                    "strings_to_numbers": False,
                    "nan_inf_to_errors": False,
                    "tmpdir": scratch,  # row spill files, removed with the folder
                    "use_zip64": cells > 50_000_000,
                },
            )
            try:
                book = BookWriter(wb)
                book.counts = counts
                for sheet, name in zip(sheets, names):
                    SheetWriter(book, sheet, name).write()
                wb.close()
            except FileSizeError as err:
                raise OutputError(f"cannot write {path}: the workbook is too large for Excel.", hint="Write a .csv instead.") from err
            except FileCreateError as err:  # XlsxWriter wraps the OSError from writing the zip
                cause = err.args[0] if err.args else err
                if isinstance(cause, OSError):
                    raise drive_refused(path, cause, hint="Check the disk and folder.") from err
                raise output_error(path, str(cause), "Check the disk and folder.") from err
            finally:
                if not wb.fileclosed:
                    # Abandoned: close the spill files so the scratch folder can go.
                    wb.fileclosed = True
                    for ws in wb.worksheets():
                        fh = getattr(ws, "row_data_fh", None)
                        if fh is not None:
                            fh.close()

    final, fallback = atomic_write(path, fill, retries, retry_delay)
    return WriteResult(final, fallback, counts.sanitized, counts.fixed)
