"""Every file tiercli writes goes through here.

Sellers open the outputs in Excel/WPS, often on a shared SMB/NFS drive and
often while cron writes the next run, so each write is:

* atomic: a hidden temp file in the target's folder, fsync, ``os.replace``;
  an interrupted run leaves the old file, never half a file (``atomic``);
* busy-tolerant: if Excel holds the target, retry, then write a dated file
  beside it and report ``fallback=True`` (the caller picks the exit code);
* inert: no cell is ever a formula or a link, and CSV text that a
  spreadsheet would run as a formula gets a leading ``'`` (OWASP CSV
  injection); in xlsx such text is a string cell with Excel's quote prefix,
  so it stays text even when the seller edits the cell (``inert``);
* Excel-safe: text that Excel cannot hold is repaired and counted, not fatal
  (and NUL, which no CSV reader survives, is dropped from CSV text) (``excel_text``).

One module per concern: ``model`` (Sheet, Chart, WriteResult), ``inert``, ``excel_text``, ``columns``
(how a column's cells are written, shared by xlsx and csv), ``atomic``, ``xlsx``, ``csv_file``, ``json_file``,
``target`` (the default output name beside the inputs, the folder check).
The commands call ``write_output``; the package never prints and never exits.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd

from .csv_file import write_csv
from .inert import inert_text
from .json_file import write_json
from .model import Chart, Sheet, WriteResult
from .target import output_folder, tiers_name
from .xlsx import write_workbook

__all__ = [
    "Chart",
    "Sheet",
    "WriteResult",
    "inert_text",
    "output_folder",
    "tiers_name",
    "write_csv",
    "write_json",
    "write_output",
    "write_workbook",
]

OUTPUT_FORMATS = ("xlsx", "csv", "json")


def write_output(target, fmt: str, *, sheets: Callable[[], Sequence[Sheet]] | None = None,
                 table: Callable[[], pd.DataFrame] | None = None, document: Callable[[], Any] | None = None,
                 retries: int = 3, retry_delay: float = 0.5) -> WriteResult:
    """Write one command's result to ``target`` as ``fmt`` (xlsx, csv or json).

    Each keyword is a zero-argument callable building what one format needs (``sheets`` for xlsx, ``table``
    for csv, ``document`` for json), so only the format asked for is built."""
    build = {"xlsx": sheets, "csv": table, "json": document}.get(fmt)
    if fmt not in OUTPUT_FORMATS:
        raise ValueError(f"unknown output format {fmt!r}; use one of {', '.join(OUTPUT_FORMATS)}")
    if build is None:
        raise ValueError(f"this output cannot be written as {fmt}")
    writer = {"xlsx": write_workbook, "csv": write_csv, "json": write_json}[fmt]
    return writer(target, build(), retries=retries, retry_delay=retry_delay)
