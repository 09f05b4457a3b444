"""Reading a checked .xlsx with fastexcel (calamine in Rust, straight to Arrow text columns): each sheet
typed where its header is its first row, as text otherwise, rendered as ``cells.cell_text`` renders a cell.
Also what a Rust panic needs: its report held off the terminal, and a workbook whose impossible date
cells (-1e308, -inf) are made empty so it can be read again."""

from __future__ import annotations

import contextlib
import io
import logging
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd

from ...errors import InputError
from ...i18n import _
from ..guard import WorkbookGuard
from ..limits import Limits
from .cells import check_layout, excel_number, find_header_row, finish_frame, unreadable


@contextlib.contextmanager
def panic_text_held():
    """Hold what is written to file descriptor 2 in the block, and pass it on afterwards without the report a
    Rust panic prints there (the panic itself arrives as an exception that the caller turns into one line)."""
    import os
    import sys
    import tempfile

    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError, AttributeError):
        yield
        return
    with tempfile.TemporaryFile() as held:
        os.dup2(held.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            held.seek(0)
            text = held.read().decode("utf-8", "replace")
            if "panicked at" in text:
                text = "".join(line for line in text.splitlines(keepends=True)
                               if not re.match(r"(\s*$|thread '.*' .*panicked at|note: |stack backtrace|\s+\d+: |"
                                               r"\s+at |[A-Za-z]+::.* out of bounds|TimeDelta)", line))
            if text.strip():
                sys.stderr.write(text)


_DATE_FORMAT_IDS = set(range(14, 23)) | set(range(27, 37)) | {45, 46, 47} | set(range(50, 59))
_LAST_SERIAL = 2_958_466  # Excel's dates end on 9999-12-31 (serial 2,958,465)


def blank_impossible_dates(path: Path, data: bytes) -> tuple[bytes, list[str]]:
    """``data`` (a checked .xlsx) with every date-formatted numeric cell outside Excel's dates (negative,
    beyond 9999-12-31, not finite) made empty, and the ``Sheet!B3`` of each."""
    import zipfile

    src = zipfile.ZipFile(io.BytesIO(data))
    names = set(src.namelist())
    text = (lambda n: src.read(n).decode("utf-8", "replace") if n in names else "")
    styles = text("xl/styles.xml")
    custom = {}
    for fid, code in re.findall(r'<(?:\w+:)?numFmt\b[^>]*numFmtId="(\d+)"[^>]*formatCode="([^"]*)"', styles):
        bare = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", code).lower()
        custom[int(fid)] = bool(re.search(r"[dmyhs]", bare))
    xfs = re.search(r"<(?:\w+:)?cellXfs\b.*?</(?:\w+:)?cellXfs>", styles, re.S)
    dated = set()
    for i, fid in enumerate(re.findall(r'<(?:\w+:)?xf\b[^>]*?numFmtId="(\d+)"', xfs.group(0) if xfs else "")):
        fid = int(fid)
        if fid in _DATE_FORMAT_IDS or custom.get(fid):
            dated.add(str(i))
    targets = {}
    for tag in re.findall(r"<(?:\w+:)?Relationship\b[^>]*>", text("xl/_rels/workbook.xml.rels")):
        rid, target = re.search(r'\bId="([^"]+)"', tag), re.search(r'\bTarget="([^"]+)"', tag)
        if rid and target:
            targets[rid.group(1)] = target.group(1)
    titles = {}
    for tag in re.findall(r"<(?:\w+:)?sheet\b[^>]*>", text("xl/workbook.xml")):
        name, rid = re.search(r'\bname="([^"]*)"', tag), re.search(r'\br:id="([^"]*)"', tag)
        if name and rid and rid.group(1) in targets:
            target = targets[rid.group(1)].lstrip("/")
            titles[target if target.startswith("xl/") else "xl/" + target] = name.group(1)
    blanked: list[str] = []

    def fix(sheet: str):
        def cell(m: re.Match) -> str:
            attrs, body = m.group(1), m.group(2)
            style, kind = re.search(r'\bs="(\d+)"', attrs), re.search(r'\bt="(\w+)"', attrs)
            value = re.search(r"<(?:\w+:)?v>([^<]*)</", body)
            if not style or style.group(1) not in dated or (kind and kind.group(1) != "n") or not value:
                return m.group(0)
            try:
                number = float(value.group(1))
            except ValueError:
                return m.group(0)
            if math.isfinite(number) and 0 <= number < _LAST_SERIAL:
                return m.group(0)
            ref = re.search(r'\br="([A-Z]+\d+)"', attrs)
            blanked.append(f"{sheet}!{ref.group(1) if ref else '?'}")
            return f"<c{attrs.rstrip('/')}/>"
        return cell

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            raw = src.read(info.filename)
            if info.filename in titles:
                raw = re.sub(r"<c\b([^>]*?)>(.*?)</c>", fix(titles[info.filename]), raw.decode("utf-8", "replace"),
                             flags=re.S).encode("utf-8")
            dst.writestr(info, raw)
    return out.getvalue(), blanked


def fastexcel_sheets(path: Path, data: bytes, guard: WorkbookGuard, max_rows: int | None, limits: Limits,
                     pick=list):
    """(name, frame, header row, merged runs) per non-empty sheet of a checked .xlsx, read by fastexcel
    (calamine in Rust, straight to Arrow text columns).  fastexcel lets go of the GIL, so two sheets load
    at once, each with its own reader (one reader cannot serve two threads at once; a reader done with one
    sheet serves the next)."""
    import queue

    import fastexcel

    _quiet_dtype_guesses()
    idle: queue.SimpleQueue = queue.SimpleQueue()  # readers no thread is using (opening one parses the
    # workbook part and every shared string again: ~0.1 s on the real two-year export, so none is wasted)

    def opened():
        try:
            return idle.get_nowait()
        except queue.Empty:
            pass
        try:
            return fastexcel.read_excel(data)
        except Exception as exc:  # fastexcel raises its own error types for every kind of damage
            raise unreadable(path, exc) from None

    first = opened()
    names = pick(first.sheet_names)
    idle.put(first)
    merges = guard.merged_ranges()
    # sheets laid out from A1 with a value in every header cell: loaded straight to Arrow (fastexcel's
    # eager load: no owned copy of every cell first), their layout known without the lazy sheet
    straight = guard.full_header_sheets() if max_rows is None else set()

    def load(name: str):
        held = opened()
        try:
            return _load(held, name)
        finally:
            idle.put(held)

    def _load(reader, name: str):
        try:
            # typed first (each column typed by fastexcel from every row, then written as text in arrow:
            # cheaper than fastexcel's own text mode); as text when the header is not the first row
            typed = _typed_sheet(reader, name, max_rows, path, limits,
                                 eager=name in straight and not merges.get(name))
            if typed is not None:
                offset, header, table = typed
            else:
                sheet = reader.load_sheet(name, header_row=None, skip_rows=0, dtypes="string",
                                            n_rows=None if max_rows is None else max_rows + 25)
                height, width, offset = _layout(sheet)
                check_layout(path, name, height, width, limits)
                table = sheet.to_arrow()
                del sheet  # (calamine's cells: let go before the text columns are made)
        except InputError:
            raise
        except Exception as exc:
            raise InputError(_("{path}: sheet {name} cannot be read ({value}).").format(
                                 path=path, name=repr(name), value=str(exc).splitlines()[0][:120]),
                             hint=_("Open it in Excel and save it again.")) from None
        if typed is not None:
            return finish_frame(table.to_pandas(), [""] * offset + header, 0, merges.get(name))
        return _arrow_to_frame(table, offset, merges.get(name))

    if len(names) < 2:
        tables = [load(n) for n in names]
    else:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(2) as pool:
            tables = list(pool.map(load, names))
    return [(n, *t) for n, t in zip(names, tables) if t is not None]


class _DtypeGuessFilter(logging.Filter):
    """Drops fastexcel's "Could not determine dtype for column N, falling back to string": said of every
    empty column when a sheet is read typed (a workbook written by pandas has them), and harmless there,
    since the text columns are what tiercli reads anyway.  Every other record passes."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Could not determine dtype for column")


def _quiet_dtype_guesses() -> None:
    logger = logging.getLogger("fastexcel.types.dtype")  # the Rust module's log target, through pyo3-log
    if not any(isinstance(f, _DtypeGuessFilter) for f in logger.filters):
        logger.addFilter(_DtypeGuessFilter())


def _arrow_to_frame(table, offset: int, merged: list | None) -> tuple[pd.DataFrame, int, list] | None:
    """fastexcel's text columns (the sheet from row 1, from column ``offset``) -> what ``rows_to_frame``
    makes of the same cells: the header found the same way, the same text per cell (``_fix_text``)."""
    import pyarrow as pa

    columns = [_fix_text(table.column(j)) for j in range(table.num_columns)]
    top = [c.slice(0, 20).to_pylist() for c in columns]
    rows = [[""] * offset + [col[i] for col in top] for i in range(min(20, table.num_rows))]
    header_row = find_header_row(rows)
    if header_row is None:
        return None
    header = [c or "" for c in rows[header_row]]
    body = pa.table([c.slice(header_row + 1) for c in columns], names=[str(j) for j in range(len(columns))])
    frame = body.to_pandas()
    return finish_frame(frame, header, header_row, merged)


_DEDUPED = re.compile(r"(.+)_\d+$")


def _layout(sheet) -> tuple[int, int, int]:
    """(height, width, first column's index) of a loaded sheet, as ``check_layout`` and the offset need them."""
    columns = sheet.available_columns()
    if not columns:
        return 0, 0, 0
    return sheet.total_height, columns[-1].absolute_index + 1, columns[0].absolute_index


def _typed_sheet(reader, name: str, max_rows: int | None, path: Path | None = None, limits: Limits | None = None,
                 eager: bool = False):
    """(column offset, header texts, text columns) when the header is the sheet's first row, read typed
    (each column's type from every row: a text cell deep in a number column makes it a text column,
    nothing is coerced away) and written as the text fastexcel's text mode gives.  None when the header
    is on another row, cannot be recovered exactly (fastexcel renames a repeated name 'x' to 'x_1') or a
    column's type has no text form here: the caller then reads the sheet as text.  Given ``limits``, the
    layout is checked against them before the text columns are returned (an InputError).

    ``eager`` (the caller knows the sheet is laid out from A1 and every header cell holds a value, and
    reads it whole): the sheet goes straight to Arrow (fastexcel's eager load, the same columns without
    an owned copy of every cell first: a tenth less time, the copy's memory never taken); its layout is
    then the table's own (column offset 0, as many rows and columns as the table).  A header fastexcel
    had to name itself after all ("__UNNAMED__2": an empty text) sends the sheet to the text read."""
    import pyarrow as pa

    if eager:
        table = reader.load_sheet(name, header_row=0, skip_rows=0, schema_sample_rows=None, eager=True)
        header = list(table.schema.names)
        if any(h == f"__UNNAMED__{j}" for j, h in enumerate(header)):
            return None
        height, width, offset = table.num_rows, table.num_columns, 0
    else:
        sheet = reader.load_sheet(name, header_row=0, skip_rows=0, schema_sample_rows=None,
                                  n_rows=None if max_rows is None else max_rows + 25)
        header = ["" if c.column_name_from == "generated" else c.name for c in sheet.available_columns()]
    seen = set()
    for h in header:
        m = _DEDUPED.match(h)
        if m and m.group(1) in seen:
            return None
        seen.add(h)
    if not eager:
        table = sheet.to_arrow()
        height, width, offset = _layout(sheet)
        del sheet  # calamine's cells (about four times the typed columns): let go before the text is made
    typed, rows = list(table.columns), table.num_rows
    del table
    texts = []
    while typed:
        text = _typed_text(typed.pop(0))  # each typed column let go once written as text
        if text is None:
            return None
        texts.append(text)
    # the header must be the row _arrow_to_frame would find among the first 20
    top = [c.slice(0, 19).to_pylist() for c in texts]
    if find_header_row([header, *([col[i] for col in top] for i in range(min(19, rows)))]) != 0:
        return None
    if limits is not None:
        check_layout(path, name, height, width, limits)
    return offset, header, pa.table(texts, names=[str(j) for j in range(len(texts))])


def _typed_text(column):
    """A typed fastexcel column as the text fastexcel's text mode writes (None: no such rendering here)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    column = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    kind = column.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return _fix_text(column.cast(pa.string()))
    if pa.types.is_null(kind):
        return pa.nulls(len(column), pa.string())
    if pa.types.is_boolean(kind):
        return pc.cast(column, pa.string())  # true / false
    if pa.types.is_date(kind):
        column = pc.cast(column, pa.timestamp("s"))
        kind = column.type
    if pa.types.is_timestamp(kind):
        try:  # whole seconds: 2010-12-01 07:48:00; else milliseconds, as fastexcel writes them
            return pc.cast(pc.cast(column, pa.timestamp("s")), pa.string())
        except pa.ArrowInvalid:
            return pc.cast(pc.cast(column, pa.timestamp("ms")), pa.string())
    if pa.types.is_integer(kind):
        return pc.cast(column, pa.string())
    if pa.types.is_floating(kind):
        values = column.to_numpy(zero_copy_only=False)
        with np.errstate(invalid="ignore"):
            whole = np.isnan(values) | ((np.mod(values, 1) == 0) & (np.abs(values) < 1e15))
        if whole.all():
            return pc.cast(pc.cast(column, pa.int64()), pa.string())
        text = pc.cast(pc.round(column, 9), pa.string())  # Excel's display: at most nine decimals
        odd = np.asarray(pc.fill_null(pc.match_substring(text, "e"), False)) | (~whole & (np.abs(values) >= 1e6))
        if odd.any():  # exponents, and more digits than a double holds: as excel_number writes them
            fixed = text.to_pylist()
            for i in np.flatnonzero(odd).tolist():
                fixed[i] = excel_number(float(values[i]))
            text = pa.array(fixed, type=pa.string())
        return text
    return None


def _fix_text(column):
    """fastexcel's text for a cell -> ``cell_text``'s: an empty cell (or one calamine trimmed to nothing)
    is missing.  Values are otherwise rendered as fastexcel does: numbers as Excel shows them
    (``excel_number``, shared with ``cell_text``), booleans ``true``/``false``, dates and times as
    ``YYYY-MM-DD HH:MM:SS[.fff]`` (a time of day on 1899-12-31): rewriting those would also rewrite
    text cells that read the same, and the schema's parsers read either form."""
    import pyarrow as pa
    import pyarrow.compute as pc

    empty = pc.equal(column, "")
    if column.null_count < len(column) and pc.any(empty).as_py():
        column = pc.if_else(empty, pa.scalar(None, pa.string()), column)
    return column
