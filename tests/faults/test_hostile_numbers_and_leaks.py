"""Numbers no export holds, date cells that crash the workbook reader, escape sequences and symlinked targets."""

from __future__ import annotations

import os
import re
import stat
import zipfile

import openpyxl
import pandas as pd
import pytest

HEADER = "Order ID,Order Date,Customer ID,Email,Country,Quantity,Unit Price"


@pytest.mark.parametrize("wild", ["1e308", "inf", "Infinity", "-inf", "99999999999999999999999999", "1e16"])
def test_quantities_no_export_holds_are_counted_with_their_lines_not_fatal(run_cli, inspect_json, tmp_path, wild):
    orders = tmp_path / "orders.csv"
    orders.write_text("\n".join([HEADER, "1,2026-01-05,C1,a@example.com,Germany,10,5",
                                 f"2,2026-02-05,C2,b@example.com,France,{wild},5",
                                 f"3,2026-03-05,C3,c@example.com,Spain,{wild},9"]) + "\n", encoding="utf-8")
    result = run_cli("score", orders, "-o", tmp_path / "t.csv", "--segmenters", "rfm,abc")  # the summary too
    assert result.exit_code == 0, result.stderr
    problems = [p for f in inspect_json(orders)["files"] for p in f["problems"] if p["code"] == "impossible_amount"]
    assert len(problems) == 1 and problems[0]["rows"] == 2 and "line 3, 4" in problems[0]["message"]


def _workbook_with_date_cell(path, raw_value: str) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Orders"
    ws.append(HEADER.split(","))
    import datetime as dt

    for i in range(4):
        ws.append([100 + i, dt.date(2026, 1, 1 + i), f"C{i}", f"c{i}@example.com", "Germany", 1, 5])
    wb.save(path)
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    parts["xl/worksheets/sheet1.xml"] = re.sub(r'(<c r="B3"[^>]*><v>)[^<]*(</v>)',
                                               lambda m: m.group(1) + raw_value + m.group(2), sheet).encode()
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)


@pytest.mark.parametrize("raw_value", ["-1e308", "-inf", "-1e15"])
def test_a_date_cell_holding_an_impossible_number_is_left_empty_and_counted(run_cli, inspect_json, tmp_path,
                                                                          raw_value):
    book = tmp_path / "orders.xlsx"
    _workbook_with_date_cell(book, raw_value)
    result = run_cli("score", book, "-o", tmp_path / "t.csv", "--segmenters", "rfm", "-q")
    assert result.exit_code == 0, result.stderr
    problems = [p for f in inspect_json(book)["files"] for p in f["problems"] if p["code"] == "impossible_date"]
    assert len(problems) == 1 and "Orders!B3" in problems[0]["message"]


def test_a_subprocess_run_on_such_a_workbook_prints_no_rust_panic(tmp_path):
    import subprocess
    import sys

    book = tmp_path / "orders.xlsx"
    _workbook_with_date_cell(book, "-1e308")
    done = subprocess.run([sys.executable, "-m", "tiercli.cli", "score", str(book), "-o", str(tmp_path / "t.csv"),
                           "--segmenters", "rfm", "-q"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "panicked" not in done.stderr and "Traceback" not in done.stderr


def test_the_several_currencies_error_shows_escape_sequences_escaped(run_cli, tmp_path):
    orders = tmp_path / "orders.csv"
    orders.write_text("Order ID,Order Date,Customer ID,Currency,Quantity,Unit Price\n1,2026-01-05,C1,USD,1,5\n"
                      "2,2026-01-06,C2,\x1b[31mEUR\x1b]0;owned\x07,1,5\n", encoding="utf-8")
    result = run_cli("score", orders, "-o", tmp_path / "t.csv", "--segmenters", "rfm")
    assert result.exit_code == 2
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
    assert "\\x1b" in result.stderr and result.stderr.count("\n") == 1


def test_a_new_output_does_not_copy_the_mode_of_a_symlinked_target(tmp_path):
    from tiercli.io.write import write_csv

    secret = tmp_path / "secret.csv"
    secret.write_text("private")
    secret.chmod(0o600)
    link = tmp_path / "out.csv"
    link.symlink_to(secret)
    write_csv(link, pd.DataFrame({"a": [1]}))
    assert not link.is_symlink() and secret.read_text() == "private"
    assert stat.S_IMODE(link.stat().st_mode) == 0o666 & ~_umask()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_a_100000_name_header_above_normal_rows_is_refused_fast(run_cli, tmp_path):
    import time

    wide = tmp_path / "wide.csv"
    wide.write_text(",".join(f"c{i}" for i in range(100_000)) + "\n" + HEADER + "\n"
                    + "1,2026-01-05,C1,a@example.com,Germany,10,5\n", encoding="utf-8")
    started = time.monotonic()
    result = run_cli("inspect", wide)
    assert result.exit_code == 2 and "max_columns" in result.stderr and result.stderr.count("\n") == 1
    assert time.monotonic() - started < 10
