"""Reading sellers' exports as they are: CSV/TSV in any common encoding, XLSX/XLS/ODS with every sheet.

The reader's only job is to turn a file into text tables (``RawTable``): every
cell a string exactly as exported (IDs keep their zeros, ``NA`` stays a name),
empty cells missing.  Interpreting the text (dates, amounts, statuses) is the
schema layer's job, so every format goes through one set of parsers.

Exports come from strangers, so nothing here trusts a file to be what its name
says or to be small: ``Limits`` caps what one file may ask of the machine, and a
workbook (a zip of XML) is checked part by part *before* the Rust reader parses
it (``guard.py``).

This module finds the inputs and sends each file to its reader; one module per concern below it:
``table`` (RawTable, header names), ``encoding`` (which text encoding), ``csv_file`` (CSV/TSV and
space-aligned reports), ``workbook`` (.xlsx/.xls/.ods: sheets, grouping), ``xlsx`` (the fastexcel
reader), ``cells`` (what the workbook readers share: a cell's text, the header row).
"""

from __future__ import annotations

import contextlib
import contextvars
from pathlib import Path

from ...errors import InputError
from ...i18n import _
from ..limits import INFLATE_ERRORS, Limits, gzip_open, openpyxl_defused, too_big
from .csv_file import read_csv
from .encoding import detect_encoding, read_text_sample
from .table import RawTable
from .workbook import read_workbook

CSV_SUFFIXES = {".csv", ".tsv", ".txt", ".tab"}
EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}
DATA_SUFFIXES = CSV_SUFFIXES | EXCEL_SUFFIXES


def is_skipped_name(name: str) -> bool:
    """Lock, temp and hidden files a folder scan must ignore (Excel, LibreOffice, NFS, tiercli itself)."""
    return (
        name.startswith(("~$", ".~lock", ".nfs", ".~tiercli-", "."))
        or name.endswith(("~", ".tmp", ".part", ".crdownload"))
        or ".tiers." in name  # tiercli's own outputs written next to the inputs
    )


def list_inputs(paths: list[str | Path]) -> list[Path]:
    """Expand folders into their export files (sorted, not recursive) and check every path exists."""
    out: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if not p.exists():
            raise InputError(_("{p}: no such file or folder.").format(p=p),
                             hint=_("Check the path (quote names with spaces)."))
        if p.is_dir():
            found = sorted(
                c for c in p.iterdir()
                if c.is_file() and not is_skipped_name(c.name) and _data_suffix(c) in DATA_SUFFIXES
            )
            if not found:
                raise InputError(
                    _("{p}: folder has no CSV or Excel exports.").format(p=p),
                    hint=_("Put .csv/.xlsx/.xls files in it or name the files directly."),
                )
            out.extend(found)
        else:
            out.append(p)
    # the same file named twice (a folder and a file inside it) is read once
    seen, unique = set(), []
    for p in out:
        key = p.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(p)
    return unique


def _data_suffix(p: Path) -> str:
    suffixes = [s.lower() for s in p.suffixes]
    if suffixes and suffixes[-1] in {".gz", ".gzip"}:
        suffixes = suffixes[:-1]
    return suffixes[-1] if suffixes else ""


_INPUT_SHEETS: contextvars.ContextVar[tuple[str, ...]] = contextvars.ContextVar("tiercli_sheets", default=())


@contextlib.contextmanager
def input_sheets(names):
    """Within the block, the inputs' workbooks are read for the named sheets only (the CLI's ``--sheet``,
    set once for every command that reads exports; lists such as ``--blacklist`` are read whole)."""
    token = _INPUT_SHEETS.set(tuple(n for n in names or () if n))
    try:
        yield
    finally:
        _INPUT_SHEETS.reset(token)


def chosen_input_sheets() -> tuple[str, ...]:
    """The sheet names of the enclosing ``input_sheets`` block (none: every sheet)."""
    return _INPUT_SHEETS.get()


def read_file(path: Path, *, max_rows: int | None = None, limits: Limits | None = None,
              sheets: list[str] | tuple[str, ...] | None = None) -> list[RawTable]:
    """Read one export into text tables.  Raises InputError with a fix for anything unreadable.

    ``max_rows`` reads only the first rows (a preview); ``limits`` (default: the
    settings' defaults) refuses files that would take more than they allow; ``sheets`` names the
    sheets of a workbook to read (default: every sheet).
    """
    path = Path(path)
    limits = limits or Limits()
    sheets = tuple(sheets or ())
    if not path.is_file():
        raise InputError(_("{path}: no such file.").format(path=path), hint=_("Check the path."))
    size = path.stat().st_size
    if size == 0:
        raise InputError(_("{path}: file is empty.").format(path=path), hint=_("Export it again from the platform."))
    if size > limits.max_bytes:
        raise too_big(path, f"is {size / 2**20:,.0f} MB")
    head = _head_bytes(path, 8)
    suffix = _data_suffix(path)
    if head.startswith(b"PK\x03\x04") or suffix in {".xlsx", ".xlsm", ".ods"}:
        return read_workbook(path, head, max_rows, limits, sheets)
    if head.startswith(b"\xd0\xcf\x11\xe0") or suffix == ".xls":
        return read_workbook(path, head, max_rows, limits, sheets)
    return [read_csv(path, max_rows, limits)]


def _head_bytes(path: Path, n: int) -> bytes:
    with open(path, "rb") as fh:
        head = fh.read(max(n, 2))
    if head[:2] == b"\x1f\x8b":
        try:
            with gzip_open(path) as fh:
                return fh.read(n)
        except (OSError, EOFError, *INFLATE_ERRORS) as exc:
            raise InputError(_("{path}: the .gz file is damaged ({exc}).").format(path=path, exc=exc),
                             hint=_("Download it again.")) from None
    return head[:n]


__all__ = ["Limits", "RawTable", "read_file", "list_inputs", "is_skipped_name", "detect_encoding",
           "openpyxl_defused", "read_text_sample", "input_sheets", "chosen_input_sheets"]
