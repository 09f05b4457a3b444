"""Broken data: each kind detected and reported with its row numbers (a Problem with a stable code), never
mis-typed; files that are not exports are one-line errors."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from tiercli.config import load_config
from tiercli.io.read import read_file
from tiercli.schema.dataset import load_dataset


def problems_of(inspect_json, path) -> dict[str, dict]:
    report = inspect_json(path)
    return {p["code"]: p for p in report["files"][0]["problems"]}, report


def dataset(path):
    return load_dataset([path], load_config(None, env={}))


@pytest.mark.parametrize("name", ["repeated_header_csv", "repeated_header_xlsx"])
def test_a_repeated_header_row_is_left_out_and_counted(hostile, inspect_json, name):
    found, _ = problems_of(inspect_json, hostile[name])
    assert found["repeated_header"]["rows"] == 1
    assert "row 8" in found["repeated_header"]["message"]
    assert "unparsed_date" not in found and "unparsed_amount" not in found  # never parsed as an order
    lines = dataset(hostile[name]).lines
    assert len(lines) == 10 and "Order ID" not in lines["order_id"].tolist()


@pytest.mark.parametrize("name", ["total_rows_csv", "total_rows_xlsx"])
def test_total_rows_are_left_out_and_counted(hostile, make_hostile, inspect_json, name):
    found, report = problems_of(inspect_json, hostile[name])
    assert found["total_rows"]["rows"] == 2 and "rows 10, 11" in found["total_rows"]["message"]
    assert "missing_date" not in found and "missing_customer_id" not in found
    ds = dataset(hostile[name])
    assert len(ds.lines) == 8 and report["dataset"]["orders"] == 8
    assert ds.orders["value"].sum() == pytest.approx(sum(r[9] for r in make_hostile.total_rows()[1:9]))


def test_a_total_word_in_a_real_order_is_kept(tmp_path, make_hostile):
    """A customer called 'Total' (TotalEnergies' buyer?) with an order id is a customer, not a total."""
    rows = [make_hostile.ORDER_HEADER, *make_hostile.order_rows(3)]
    rows[2] = ["SO-77", "2026-02-02", "Total", "Total", "t@example.com", "FR", "x", 1, 5.0, 5.0, "paid"]
    path = make_hostile.write_csv(tmp_path / "o.csv", rows)
    ds = dataset(path)
    assert "Total" in ds.lines["customer"].tolist()
    assert not [p for f in ds.files for p in f.problems if p.code == "total_rows"]


def test_ragged_rows_in_a_workbook_are_reported_and_kept(hostile, inspect_json):
    found, report = problems_of(inspect_json, hostile["ragged_xlsx"])
    assert found["ragged_rows"]["rows"] == 2 and "rows 4, 6" in found["ragged_rows"]["message"]
    assert report["dataset"]["orders"] == 6  # the mapped cells of those rows are fine


def test_ragged_csv_lines_are_skipped_and_reported(tmp_path, make_hostile, inspect_json):
    header = ",".join(make_hostile.ORDER_HEADER)
    good = "SO-1,2026-01-02,C1,A,a@example.com,US,x,1,10,10,paid"
    bad = "SO-2,2026-01-03,C2,B,b@example.com,US,x,1,1,000.00,1000,paid"  # an unquoted 1,000.00
    path = tmp_path / "ragged.csv"
    path.write_text("\n".join([header, good, bad, good.replace("SO-1", "SO-3")]) + "\n", encoding="utf-8")
    found, _ = problems_of(inspect_json, path)
    assert found["skipped_lines"]["rows"] == 1 and "line 3" in found["skipped_lines"]["message"]


def test_merged_cells_fill_order_fields_down_but_not_amounts(hostile, inspect_json):
    found, _ = problems_of(inspect_json, hostile["merged_xlsx"])
    assert found["merged_cells"]["rows"] == 2 and "rows 3, 4" in found["merged_cells"]["message"]
    ds = dataset(hostile["merged_xlsx"])
    mo1 = ds.lines[ds.lines["order_id"] == "MO-1"]
    assert len(mo1) == 3
    assert mo1["customer"].tolist() == ["M1"] * 3 and mo1["status"].tolist() == ["paid"] * 3
    assert mo1["date"].notna().all() and mo1["country"].tolist() == ["FR"] * 3
    assert mo1["product"].tolist() == ["Scarf", "Hat", "Gloves"]
    order = ds.orders.set_index("order_id").loc["MO-1"]
    assert order["value"] == pytest.approx(65.0) and order["lines"] == 3 and order["units"] == 6


def test_merged_amounts_are_not_multiplied(tmp_path, make_hostile):
    rows = [make_hostile.ORDER_HEADER,
            ["MO-9", "2026-04-01", "M9", "Nine", "m9@example.com", "FR", "Scarf", 2, 15.0, 100.0, "paid"],
            [None, None, None, None, None, None, "Hat", 1, 20.0, None, None]]
    merges = [(1, c, 2, c) for c in (0, 1, 2, 3, 4, 5, 9, 10)]  # the line Amount merged too
    path = make_hostile.write_book(tmp_path / "m.xlsx", rows, merges)
    ds = dataset(path)
    assert ds.orders.set_index("order_id").loc["MO-9", "value"] == pytest.approx(100.0)


@pytest.mark.parametrize("name, suffix", [("na_names_csv", "csv"), ("na_names_xlsx", "xlsx"),
                                          ("na_names_csv", "xlsx"), ("na_names_xlsx", "csv")])
def test_na_like_names_stay_names_into_the_output(run_cli, hostile, make_hostile, tmp_path, name, suffix):
    out = tmp_path / f"tiers.{suffix}"
    result = run_cli("score", hostile[name], "-o", out, "--segmenters", "rfm,abc", "--quiet")
    assert result.exit_code == 0, result.stderr
    if suffix == "csv":
        table = pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    else:
        ws = openpyxl.load_workbook(out)["Customers"]
        rows = list(ws.iter_rows(values_only=True))
        header = list(rows[0])
        table = pd.DataFrame(rows[1:], columns=header).astype(object)
        # the workbook's headers are display names: find the id and name columns by their values
    ids = set(table.iloc[:, 0].astype(str))
    names = set(table.iloc[:, 1].astype(str))
    for word in make_hostile.NA_NAMES:
        assert word in ids, (word, sorted(ids))
        assert word in names, (word, sorted(names))


@pytest.mark.parametrize("name, words", [
    ("html_as_xlsx", "web page"), ("html_as_csv", "web page"), ("pdf_as_xlsx", "PDF"), ("pdf_as_csv", "PDF"),
    ("xml2003_as_xls", "Excel 2003 XML spreadsheet"),
])
def test_files_that_are_not_exports_are_one_line_errors(run_cli, hostile, name, words):
    result = run_cli("inspect", hostile[name])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0] and str(hostile[name]) in lines[0]


def test_a_web_page_with_a_bom_and_a_comment_is_still_a_web_page(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_bytes("\ufeff  <!-- saved from url -->\n<html><body><table><tr><td>1</td></tr></table></body></html>"
                     .encode("utf-8"))
    with pytest.raises(Exception, match="web page"):
        read_file(path)


def test_rows_are_named_by_sheet_in_a_table_of_several_sheets(tmp_path, make_hostile, inspect_json):
    """Monthly sheets read as one table: a total line in the second sheet is named 'Feb!5'."""
    import xlsxwriter

    path = tmp_path / "months.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    for name, rows in (("Jan", make_hostile.order_rows(3)), ("Feb", make_hostile.order_rows(3, start=10))):
        ws = wb.add_worksheet(name)
        for i, row in enumerate([make_hostile.ORDER_HEADER, *rows, ["Total", None, None, None, None, None, None,
                                                                     None, None, 99.0, None]] if name == "Feb"
                                else [make_hostile.ORDER_HEADER, *rows]):
            ws.write_row(i, 0, row)
    wb.close()
    found, report = problems_of(inspect_json, path)
    assert found["total_rows"]["rows"] == 1 and "row Feb!5" in found["total_rows"]["message"]
    assert report["dataset"]["orders"] == 6
