#!/usr/bin/env python3
"""Writing the tagged workbook vs bare XlsxWriter (constant_memory) writing the same cells.

    .venv/bin/python benchmarks/writer.py ORDERS.csv --repeat 3      # prints one JSON object

Runs ``tiercli.scoring.score`` once (not timed), then, alternating so both see the same machine noise:
  tagged = ``workbook_sheets(result)`` + ``write_workbook(path, sheets)`` (what ``tiercli score -o x.xlsx``
           does after scoring: labels in words, formula guard, widths, charts, atomic write with fsync);
  bare   = a plain XlsxWriter constant_memory workbook with the same sheets, the same cells at the same
           places, typed (numbers, dates as serials with a date format, text, booleans), and nothing else.
Run with tiercli's Python (it imports tiercli).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter


def bare_write(path: Path, sheets) -> int:
    """The same cells with nothing but XlsxWriter's typed writers.  Returns the number of cells."""
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False,
                                         "strings_to_formulas": False, "strings_to_urls": False})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    cells = 0
    epoch = np.datetime64("1899-12-30", "us")
    for sheet in sheets:
        ws = wb.add_worksheet(sheet.name[:31])
        frame = sheet.frame
        top = 2 if sheet.title else 0
        if sheet.title:
            ws.write_string(0, 0, sheet.title)
        for c, name in enumerate(frame.columns):
            ws.write_string(top, c, str(name))
        cols = []
        for c in range(frame.shape[1]):
            s = frame.iloc[:, c]
            if pd.api.types.is_bool_dtype(s.dtype):
                cols.append((ws.write_boolean, None, [None if pd.isna(v) else bool(v) for v in s.tolist()]))
            elif pd.api.types.is_numeric_dtype(s.dtype):
                arr = s.to_numpy(dtype="float64", na_value=np.nan)
                vals = arr.tolist()
                for i in np.flatnonzero(np.isnan(arr)).tolist():
                    vals[i] = None
                cols.append((ws.write_number, None, vals))
            elif pd.api.types.is_datetime64_any_dtype(s.dtype):
                us = s.to_numpy(dtype="datetime64[us]")
                days = ((us - epoch) / np.timedelta64(86_400_000_000, "us")).tolist()
                for i in np.flatnonzero(np.isnat(us)).tolist():
                    days[i] = None
                cols.append((ws.write_number, date_fmt, days))
            else:
                vals = s.astype(object).where(s.notna(), None).tolist()
                cols.append((ws.write_string, None, [None if v is None else str(v) for v in vals]))
        specs = [(c, w, f) for c, (w, f, _) in enumerate(cols)]
        row = top
        for values in zip(*[v for *_, v in cols]):
            row += 1
            for (c, w, f), v in zip(specs, values):
                if v is not None:
                    if f is None:
                        w(row, c, v)
                    else:
                        w(row, c, v, f)
                    cells += 1
    wb.close()
    return cells


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("path", type=Path)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    from tiercli.config import load_config
    from tiercli.io.write import write_workbook
    from tiercli.scoring import score, workbook_sheets

    t = time.perf_counter()
    result = score([args.path], config=load_config(None))
    score_s = time.perf_counter() - t
    sheets_s, write_s, tagged_s, bare_s = [], [], [], []
    cells = 0
    with tempfile.TemporaryDirectory(prefix="tiercli-writer-") as tmp:
        for i in range(args.repeat):
            t0 = time.perf_counter()
            sheets = workbook_sheets(result)
            t1 = time.perf_counter()
            write_workbook(Path(tmp) / f"tagged{i}.xlsx", sheets)
            t2 = time.perf_counter()
            cells = bare_write(Path(tmp) / f"bare{i}.xlsx", sheets)
            t3 = time.perf_counter()
            sheets_s.append(t1 - t0)
            write_s.append(t2 - t1)
            tagged_s.append(t2 - t0)
            bare_s.append(t3 - t2)
        sizes = {"tagged_bytes": (Path(tmp) / "tagged0.xlsx").stat().st_size,
                 "bare_bytes": (Path(tmp) / "bare0.xlsx").stat().st_size}
    print(json.dumps({
        "customers": len(result.customers), "cells": cells, "sheets": len(sheets), "score_s": score_s,
        "workbook_sheets_s": sheets_s, "write_workbook_s": write_s, "tagged_s": tagged_s, "bare_s": bare_s,
        "tagged_median_s": statistics.median(tagged_s), "bare_median_s": statistics.median(bare_s),
        **sizes,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
