"""Layouts real exports come in (issue 14): titles and totals padded with empty cells, a workbook with a
Summary sheet beside its orders (and ``--sheet``), columns aligned with spaces, and a quiet stderr."""

from __future__ import annotations

import json
import logging

import pandas as pd
import pytest

from tiercli.io.read import read_file

ZH_HEADER = ["订单号", "下单时间", "买家ID", "商品名称", "数量", "实付金额", "收货国家", "订单状态"]
ZH_ROWS = [["8801", "2026-01-02 10:00:00", "B001", "蓝牙耳机 黑色", "1", "10.00", "US", "交易完成"],
           ["8802", "2026-01-03 11:30:00", "B002", "瑜伽垫", "2", "20.00", "DE", "交易完成"],
           ["8803", "2026-01-04 09:15:00", "B001", "LED台灯", "3", "30.00", "US", "交易完成"]]


def orders_sheet(title: list | None = None, total: list | None = None) -> list[list]:
    rows = [list(ZH_HEADER)] + [list(r) for r in ZH_ROWS]
    return ([title] if title else []) + rows + ([total] if total else [])


def problem(report: dict, code: str) -> dict | None:
    return next((p for f in report["files"] for p in f["problems"] if p["code"] == code), None)


# ---------------------------------------------------------------- titles and totals padded with empty cells


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_a_title_padded_with_delimiters_is_skipped_like_a_bare_one(tmp_path, inspect_json, delimiter):
    pad = delimiter * (len(ZH_HEADER) - 1)
    lines = ["店铺订单报表" + pad, pad, "导出时间：2026-01-05" + delimiter + "店铺：Acme" + pad[2:]]
    lines += [delimiter.join(r) for r in orders_sheet()]
    lines += ["合计" + delimiter * 4 + "6" + delimiter + "60.00" + delimiter * 2]
    path = tmp_path / "report.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    raw = read_file(path)[0]
    assert list(raw.frame.columns) == ZH_HEADER
    assert raw.first_line == 5
    report = inspect_json(path)
    assert report["files"][0]["preset"] == "generic_orders_zh"
    assert report["dataset"]["orders"] == 3
    assert problem(report, "total_rows")["message"].endswith("(row 8)")


@pytest.mark.parametrize("writer", ["xlsxwriter", "openpyxl"])
def test_a_workbook_title_and_total_padded_with_empty_cells(tmp_path, inspect_json, make_fixtures, writer):
    """xlsxwriter leaves the padding out; openpyxl writes it as empty text cells, as some ERPs do."""
    width = len(ZH_HEADER)
    rows = orders_sheet(title=["店铺订单报表"] + [""] * (width - 1),
                        total=["", "", "", "总计：", "6", "60.00", "", ""])
    path = tmp_path / "report.xlsx"
    if writer == "xlsxwriter":
        make_fixtures.write_workbook(path, {"订单": [[c if c != "" else None for c in r] for r in rows]})
    else:
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        ws.title = "订单"
        for r in rows:
            ws.append(r)
        wb.save(path)
    report = inspect_json(path)
    assert report["files"][0]["mapping"]["order_id"] == "订单号"
    assert report["dataset"]["orders"] == 3
    assert problem(report, "total_rows")["rows"] == 1


# ---------------------------------------------------------------- a workbook with more than orders in it


def write_orders_and_summary(path, extra_sheets=("Summary", "说明", "数据透视")):
    sheets = {"Orders": pd.DataFrame(ZH_ROWS, columns=ZH_HEADER)}
    pivot = pd.DataFrame({"行标签": ["B001", "B002", "总计"], "求和项:实付金额": [40.0, 20.0, 60.0]})
    for name in extra_sheets:
        sheets[name] = pd.DataFrame({"说明": ["本表由ERP导出", "请勿修改"]}) if name == "说明" else pivot
    with pd.ExcelWriter(path) as w:  # written by pandas, as sellers' own scripts do
        for name, frame in sheets.items():
            frame.to_excel(w, sheet_name=name, index=False)


@pytest.mark.parametrize("preset", [None, "generic_orders_zh"])
def test_sheets_no_layout_fits_are_left_out_with_a_note(tmp_path, inspect_json, preset):
    path = tmp_path / "orders.xlsx"
    write_orders_and_summary(path)
    report = inspect_json(path, *(["--preset", preset] if preset else []))
    assert [f["sheets"] for f in report["files"]] == [["Orders"]]
    assert report["dataset"]["orders"] == 3
    note = problem(report, "skipped_sheets")
    assert note["rows"] == 8
    for name in ("'Summary'", "'数据透视'", "'说明'", "--sheet"):
        assert name in note["message"]


def test_score_says_which_sheets_it_left_out(tmp_path, run_cli):
    path = tmp_path / "orders.xlsx"
    write_orders_and_summary(path, ["Summary"])
    r = run_cli("score", path, "-o", tmp_path / "out.csv")
    assert r.exit_code == 0, r.stderr
    assert "skipped_sheets" in r.stdout and "'Summary'" in r.stdout


def test_sheet_picks_the_sheets_to_read(tmp_path, inspect_json, run_cli):
    path = tmp_path / "orders.xlsx"
    write_orders_and_summary(path)
    report = inspect_json(path, "--sheet", "orders")  # case does not matter when the name is unique
    assert [f["sheets"] for f in report["files"]] == [["Orders"]]
    assert problem(report, "skipped_sheets") is None
    # a named sheet no layout fits is the error it is, not a note
    r = run_cli("inspect", path, "--sheet", "Orders", "--sheet", "Summary")
    assert r.exit_code == 2 and "[Summary]" in r.stderr


@pytest.mark.parametrize("command", ["inspect", "score", "plan-emails", "markets", "backtest"])
def test_an_unknown_sheet_is_a_one_line_error_listing_the_sheets(tmp_path, run_cli, command):
    path = tmp_path / "orders.xlsx"
    write_orders_and_summary(path)
    extra = ["--quota", "10"] if command == "plan-emails" else []
    r = run_cli(command, path, "--sheet", "Order", *extra)
    assert r.exit_code == 2
    assert r.stderr.count("\n") == 1
    assert "no sheet named 'Order'; its sheets: 'Orders', 'Summary', '说明', '数据透视'" in r.stderr


def test_sheet_reaches_every_command_that_reads_exports(run_cli, examples_dir, tmp_path):
    orders = examples_dir / "alibaba" / "orders.xlsx"  # sheets 2025 and 2026, one header: one table
    fast = ["--segmenters", "rfm,abc,tier"]  # (the churn model's fit is not what is tested here)
    both = run_cli("backtest", orders, "--format", "json", *fast)
    assert both.exit_code == 0, both.stderr
    named = run_cli("backtest", orders, "--sheet", "2025", "--sheet", "2026", "--format", "json", *fast)
    assert json.loads(named.stdout) == json.loads(both.stdout)
    r = run_cli("inspect", orders, "--sheet", "2026", "--format", "json")
    assert json.loads(r.stdout)["files"][0]["sheets"] == ["2026"]
    for args in (["score", "-o", tmp_path / "s.csv", *fast], ["markets"],
                 ["plan-emails", "--quota", "10", "-o", tmp_path / "p.csv", *fast]):
        r = run_cli(args[0], orders, "--sheet", "2026", *args[1:])
        assert r.exit_code == 0, (args, r.stderr)


def test_monthly_sheets_stay_one_table_beside_a_summary(tmp_path, inspect_json, make_fixtures):
    path = tmp_path / "months.xlsx"
    sheets = make_fixtures.monthly_sheets()
    sheets["Summary"] = [["Month", "Orders"], ["2026-01", 2], ["2026-02", 2]]
    make_fixtures.write_workbook(path, sheets)
    report = inspect_json(path)
    assert [f["sheets"] for f in report["files"]] == [["2026-01", "2026-02", "2026-03"]]
    assert report["files"][0]["rows"] == 5
    assert "'Summary' (2 rows" in problem(report, "skipped_sheets")["message"]


def test_two_tables_a_layout_fits_are_both_read(tmp_path, inspect_json, make_fixtures):
    path = tmp_path / "two.xlsx"
    make_fixtures.write_workbook(path, {
        "Orders": [["Order ID", "Order Date", "Customer ID", "Amount"], [1, "2026-01-01", 7, 3.0]],
        "Customers": [["Customer ID", "Email", "Accepts Marketing"], [7, "a@example.com", "yes"]],
    })
    report = inspect_json(path)
    assert [(f["kind"], f["sheets"]) for f in report["files"]] == [("orders", ["Orders"]),
                                                                   ("customers", ["Customers"])]
    assert problem(report, "skipped_sheets") is None


def test_a_workbook_no_sheet_of_which_fits_names_its_biggest(tmp_path, run_cli):
    path = tmp_path / "summary.xlsx"
    write_orders_and_summary(path)
    with pd.ExcelWriter(path) as w:
        pd.DataFrame({"行标签": ["B001", "B002", "B003"], "求和项:实付金额": [1.0, 2.0, 3.0]}).to_excel(
            w, sheet_name="数据透视", index=False)
        pd.DataFrame({"说明": ["本表由ERP导出"]}).to_excel(w, sheet_name="说明", index=False)
    r = run_cli("inspect", path)
    assert r.exit_code == 2 and "[数据透视]: no known export layout fits its columns" in r.stderr


# ---------------------------------------------------------------- columns aligned with spaces

ALIGNED_ZH = """\
店铺订单报表 2026年1月

订单号    下单时间              买家ID   商品名称        数量    实付金额  收货国家  订单状态
--------  --------------------  -------  --------------  ----  ----------  --------  --------
8801      2026-01-02 10:00:00   B001     蓝牙耳机 黑色      1       10.00  US        交易完成
8802      2026-01-03 11:30:00   B002     瑜伽垫             2    1,020.00  DE        交易完成
8803      2026-01-04 09:15:00   B001                        1        5.50  US        已取消
8804      2026-01-05 09:15:00   B003     LED台灯            3       30.00            交易完成
"""

ALIGNED_EN = """\
Order ID   Order Date   Customer ID   Email                 Quantity   Unit Price   Status
10001      2026-01-02   C-7           ann@example.com              2         9.50   paid
10002      2026-01-03   C-8                                      12       129.00   paid
10003      2026-01-03   C-7           ann@example.com              1        19.99   cancelled

Total                                                            15       158.49
"""


def test_columns_aligned_with_spaces_and_chinese_widths(tmp_path, inspect_json):
    path = tmp_path / "erp.txt"
    path.write_text(ALIGNED_ZH, encoding="gb18030")
    raw = read_file(path)[0]
    assert list(raw.frame.columns) == ZH_HEADER
    assert raw.frame.fillna("").values.tolist() == [
        ["8801", "2026-01-02 10:00:00", "B001", "蓝牙耳机 黑色", "1", "10.00", "US", "交易完成"],
        ["8802", "2026-01-03 11:30:00", "B002", "瑜伽垫", "2", "1,020.00", "DE", "交易完成"],
        ["8803", "2026-01-04 09:15:00", "B001", "", "1", "5.50", "US", "已取消"],
        ["8804", "2026-01-05 09:15:00", "B003", "LED台灯", "3", "30.00", "", "交易完成"]]
    assert raw.first_line == 5  # the rule under the header is not a row
    report = inspect_json(path)
    assert report["files"][0]["encoding"] == "gb18030"
    assert report["dataset"]["orders"] == 3  # 8803 was cancelled


def test_a_terminal_report_with_empty_cells_and_a_total(tmp_path, inspect_json):
    path = tmp_path / "orders.txt"
    path.write_text(ALIGNED_EN, encoding="utf-8")
    f = read_file(path)[0].frame
    assert f["Email"].fillna("").tolist()[:3] == ["ann@example.com", "", "ann@example.com"]
    assert f["Unit Price"].tolist()[:3] == ["9.50", "129.00", "19.99"]
    report = inspect_json(path)
    assert report["dataset"]["orders"] == 2
    assert problem(report, "total_rows")["message"].endswith("(row 6)")


def test_a_csv_with_double_spaces_in_its_values_is_still_read_by_its_commas(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text("Order ID,Name,Note\n1,Ann  Lee,gift  wrap  please\n2,Bo  Chen,none  at  all\n",
                    encoding="utf-8")
    raw = read_file(path)[0]
    assert raw.delimiter == ","
    assert raw.frame["Name"].tolist() == ["Ann  Lee", "Bo  Chen"]


def test_an_aligned_report_obeys_the_row_and_cell_limits(tmp_path):
    from tiercli.errors import InputError
    from tiercli.io.read import Limits

    path = tmp_path / "big.txt"
    path.write_text("Order ID   Date         Amount\n" + "".join(f"{i}      2026-01-01   {i}.50\n" for i in range(500)))
    assert read_file(path, limits=Limits(max_rows=500))[0].rows == 500
    with pytest.raises(InputError, match="max_rows"):
        read_file(path, limits=Limits(max_rows=499))
    with pytest.raises(InputError, match="max_cells"):
        read_file(path, limits=Limits(max_cells=1000))


# ---------------------------------------------------------------- a quiet stderr


def test_a_workbook_written_by_pandas_leaves_stderr_clean(tmp_path, run_cli):
    """Empty columns used to print "Could not determine dtype for column N" per column, even with -q."""
    path = tmp_path / "orders.xlsx"
    frame = pd.DataFrame(ZH_ROWS, columns=ZH_HEADER)
    for i in range(24):
        frame[f"备注{i}"] = None
    frame.to_excel(path, index=False)
    r = run_cli("score", path, "-q", "-o", tmp_path / "out.csv")
    assert r.exit_code == 0 and r.stderr == ""
    r = run_cli("inspect", path)
    assert r.exit_code == 0 and r.stderr == ""


def test_other_fastexcel_messages_still_pass(tmp_path, caplog):
    from tiercli.io.read import xlsx as reader

    reader._quiet_dtype_guesses()
    log = logging.getLogger("fastexcel.types.dtype")
    with caplog.at_level(logging.WARNING, logger="fastexcel.types.dtype"):
        log.warning("Could not determine dtype for column 3, falling back to string")
        log.warning("something else went wrong")
    assert [r.getMessage() for r in caplog.records] == ["something else went wrong"]


def test_a_header_with_blank_cells_is_still_the_header(tmp_path):
    # 5 of 9 header cells named, data rows full: the header is not mistaken for a padded title
    from tiercli.io.read import read_file

    path = tmp_path / "sparse.csv"
    rows = ["Order ID,Order Date,Customer ID,,,,,Quantity,Unit Price"]
    rows += [f"{1000 + i},2024-01-05,C{i},a,b,c,d,{i + 1},9.5" for i in range(5)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    table = read_file(path)[0]
    assert list(table.frame.columns)[:3] == ["Order ID", "Order Date", "Customer ID"]
    assert len(table.frame) == 5


def test_the_main_sheet_no_layout_fits_is_an_error_not_left_out(tmp_path):
    # a large Orders sheet with unknown headers beside a small Customers sheet: say why, never score the side sheet
    import xlsxwriter
    from click.testing import CliRunner

    from tiercli.cli import cli

    path = tmp_path / "wb.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    orders = wb.add_worksheet("Orders")
    orders.write_row(0, 0, ["Beleg", "Datum X", "Kunde X", "Menge X"])
    for i in range(1, 40):
        orders.write_row(i, 0, [f"B{i}", "2025-01-05", f"K{i % 7}", i])
    customers = wb.add_worksheet("Customers")
    customers.write_row(0, 0, ["Customer ID", "Email", "Blacklisted"])
    customers.write_row(1, 0, ["K1", "k1@example.com", "no"])
    wb.close()
    run = CliRunner().invoke(cli, ["score", str(path), "-o", str(tmp_path / "out.csv"), "--as-of", "2025-02-01"])
    assert run.exit_code == 2 and "[Orders]" in run.stderr and "no known export layout" in run.stderr
