"""Reading a workbook: an .xlsx is checked by the guard (``guard.py``) and read by fastexcel (``xlsx.py``); an
.ods, and a legacy .xls once a memory-capped child has opened it (``limits.probe_legacy_workbook``), by
python-calamine.  Sheets that share a header become one table; ``--sheet`` picks sheets by name."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from ...errors import InputError
from ...i18n import _
from ..guard import WorkbookGuard
from ..limits import (
    Limits,
    open_bytes,
    over_limit,
    probe_legacy_workbook,
    workbook_bytes,
)
from .cells import check_layout, rows_to_frame, unreadable
from .csv_file import foreign_format, foreign_text
from .table import RawTable
from .xlsx import blank_impossible_dates, fastexcel_sheets, panic_text_held


def read_workbook(path: Path, head: bytes, max_rows: int | None, limits: Limits,
                  wanted: tuple[str, ...] = ()) -> list[RawTable]:
    pick = _SheetPick(path, wanted)
    if head.startswith(b"PK"):
        data = workbook_bytes(path, limits)
        guard = WorkbookGuard(path, data, limits)
        guard.check()
        if not any(n.startswith("content.xml") for n in guard.names):  # OpenDocument stays with calamine
            try:
                with panic_text_held():
                    sheets = fastexcel_sheets(path, data, guard, max_rows, limits, pick)
                blanked = []
            except BaseException as exc:  # noqa: B036  (a Rust panic is a BaseException)
                if type(exc).__name__ != "PanicException":
                    raise
                # calamine panics on a date cell holding -1e308 or -inf: read the workbook with such cells empty
                data, blanked = blank_impossible_dates(path, data)
                try:
                    sheets = fastexcel_sheets(path, data, guard, max_rows, limits, pick)
                except BaseException as again:  # noqa: B036
                    if type(again).__name__ != "PanicException":
                        raise
                    raise InputError(_("{path}: the workbook reader failed on a cell it cannot hold.").format(
                        path=path), hint=_("Open it in Excel and save it again.")) from None
            tables = _group_sheets(path, sheets, max_rows, limits, pick)
            for table in tables:
                table.impossible_dates = [ref for ref in blanked if ref.split("!")[0] in table.sheets] or (
                    blanked if len(tables) == 1 else [])
            return tables
    elif head.startswith(b"\xd0\xcf\x11\xe0"):
        data = workbook_bytes(path, limits)
        probe_legacy_workbook(path, data, limits)
    else:
        with open_bytes(path) as fh:
            sample = fh.read(4096)
        kind = foreign_format(sample) or foreign_text(sample.decode("utf-8", "replace")) or (
            "a web page" if sample.lstrip()[:1] == b"<" else "not a workbook")
        raise InputError(_("{path}: named like a workbook but is {kind}.").format(path=path, kind=kind),
                         hint=_("Download the export again as .xlsx or .csv."))
    return _group_sheets(path, _calamine_sheets(path, data, max_rows, limits, pick), max_rows, limits, pick)


class _SheetPick:
    """The sheets of a workbook to read: all of them, or those named with ``--sheet`` (the exact name, else
    the one name equal to it but for case and surrounding spaces).  A name the workbook lacks is an error
    that lists its sheets."""

    def __init__(self, path: Path, wanted: tuple[str, ...]):
        self.path, self.wanted = path, wanted

    def __call__(self, names: list[str]) -> list[str]:
        if not self.wanted:
            return list(names)
        loose: dict[str, list[str]] = {}
        for n in names:
            loose.setdefault(n.strip().casefold(), []).append(n)
        chosen, missing = set(), []
        for w in self.wanted:
            near = loose.get(w.strip().casefold(), [])
            if w in names or len(near) == 1:
                chosen.add(w if w in names else near[0])
            else:
                missing.append(w)
        if missing:
            raise InputError(_("{path}: no sheet named {value}; its sheets: {value2}.").format(
                                 path=self.path, value=', '.join(map(repr, missing)),
                                 value2=', '.join(map(repr, names)) or _('none')),
                             hint=_("Name one of them with --sheet (repeat it for several)."))
        return [n for n in names if n in chosen]  # in workbook order, as monthly sheets follow each other


def _calamine_sheets(path: Path, data: bytes, max_rows: int | None, limits: Limits, pick=list):
    """(name, frame, header row, merged runs) per non-empty sheet of an .xls or .ods, read by
    python-calamine (fastexcel does not give their merged cells)."""
    import python_calamine as pc

    try:
        wb = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine raises its own error types for every kind of damage
        raise unreadable(path, exc) from None
    del data
    out = []
    for name in pick(wb.sheet_names):
        try:
            sheet = wb.get_sheet_by_name(name)
            # the layout from A1 to the farthest cell (the check above bounded it); refuse before
            # to_python lays it out again and copies it into Python
            end = sheet.end
            check_layout(path, name, *((end[0] + 1, end[1] + 1) if end is not None else (0, 0)), limits)
            rows = sheet.to_python(skip_empty_area=False)
            merged = sheet.merged_cell_ranges or []
        except InputError:
            raise
        except Exception as exc:
            raise InputError(_("{path}: sheet {name} cannot be read ({value}).").format(
                                 path=path, name=repr(name), value=str(exc)[:120]),
                             hint=_("Open it in Excel and save it again.")) from None
        if max_rows is not None:
            rows = rows[: max_rows + 25]
        table = rows_to_frame(rows, merged)
        if table is not None:  # None: an empty sheet
            out.append((name, *table))
    return out


def _group_sheets(path: Path, sheets: list, max_rows: int | None, limits: Limits,
                  pick: _SheetPick | None = None) -> list[RawTable]:
    """One RawTable per header: sheets sharing a header are one table, in sheet order.  Tables beside
    others are ``optional`` unless the sheets were named: the schema layer may leave out one no layout fits."""
    groups: dict[tuple[str, ...], list[tuple[str, pd.DataFrame, int, list]]] = {}
    for name, frame, header_row, merged_cols in sheets:
        groups.setdefault(tuple(frame.columns), []).append((name, frame, header_row, merged_cols))
    if not groups:
        if pick is not None and pick.wanted:
            raise InputError(_("{path}: sheet {value} has no data.").format(
                                 path=path, value=', '.join(map(repr, pick.wanted))),
                             hint=_("Name the sheet that holds the export with --sheet."))
        raise InputError(_("{path}: workbook has no data.").format(path=path), hint=_("Check it is the right export."))
    out = []
    for header, parts in groups.items():
        frame = pd.concat([p[1] for p in parts], ignore_index=True) if len(parts) > 1 else parts[0][1]
        if max_rows is not None:
            frame = frame.iloc[:max_rows]
        elif len(frame) > limits.max_rows:
            raise over_limit(path, f"sheets {', '.join(p[0] for p in parts)} have {len(frame):,} rows together",
                             "max_rows")
        merged, segments, offset = [], [], 0
        for name, part, header_row, merged_cols in parts:
            merged.extend((col, first + offset, last + offset) for col, first, last in merged_cols)
            segments.append((name, header_row + 2, len(part)))
            offset += len(part)
        out.append(RawTable(path, frame, sheets=[p[0] for p in parts], header_row=parts[0][2],
                            first_line=parts[0][2] + 2, merged=merged, segments=segments,
                            optional=len(groups) > 1 and not (pick is not None and pick.wanted)))
    return out
