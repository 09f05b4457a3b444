"""``tiercli inspect``: what a seller sees on stdout and stderr, on real data and on bad input."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pandas as pd
import pytest
import xlsxwriter
from click.testing import CliRunner

from tiercli.cli import cli

FILE_KEYS = {"path", "kind", "preset", "encoding", "sheets", "rows", "mapping", "problems"}
PROBLEM_KEYS = {"code", "rows", "message"}
DATASET_KEYS = {"order_lines", "orders", "customers", "first_date", "last_date", "currencies"}


def problem_rows(file_report: dict) -> dict[str, int]:
    return {p["code"]: p["rows"] for p in file_report["problems"]}


def invoke(*args, cwd: Path):
    """Run the CLI outside any fixture's monkeypatch (module-scoped fixtures use this)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(cwd)
        mp.delenv("TIERCLI_CONFIG", raising=False)
        return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


# ---------------------------------------------------------------- the JSON report


def test_json_is_one_object_with_the_documented_shape(run_cli, data_dir):
    result = run_cli("inspect", "--format", "json", data_dir / "generic" / "zh_orders.csv",
                     data_dir / "platform" / "shopify_customers.csv")
    assert result.exit_code == 0
    assert result.stderr == ""
    report = json.loads(result.stdout)  # exactly one JSON document: json.loads rejects trailing data
    assert set(report) == {"files", "dataset"}
    assert [set(f) for f in report["files"]] == [FILE_KEYS, FILE_KEYS]
    assert set(report["dataset"]) == DATASET_KEYS
    orders, customers = report["files"]
    assert (orders["kind"], orders["preset"], orders["encoding"], orders["sheets"], orders["rows"]) == \
        ("orders", "generic_orders_zh", "utf-8", [], 6)
    assert orders["mapping"]["order_id"] == "订单号"  # Chinese kept as is (not \\u escapes)
    assert "订单号" in result.stdout
    for p in orders["problems"]:
        assert set(p) == PROBLEM_KEYS and isinstance(p["rows"], int) and p["message"]
    assert problem_rows(orders) == {"cancelled": 2, "missing_customer_id": 1}
    assert (customers["kind"], customers["preset"]) == ("customers", "shopify_customers")
    # orders: paid orders of known customers (8801, 8803); 8806 is paid but has no buyer id
    assert report["dataset"] == {"order_lines": 6, "orders": 2, "customers": 6,
                                 "first_date": "2026-02-01T10:00:00", "last_date": "2026-02-07T08:00:00",
                                 "currencies": {"USD": 2}}


def test_workbook_reports_its_sheets(inspect_json, data_dir):
    report = inspect_json(data_dir / "workbooks" / "monthly.xlsx")
    f = report["files"][0]
    assert f["sheets"] == ["2026-01", "2026-02", "2026-03"] and f["encoding"] is None and f["rows"] == 5


def test_table_output_names_file_preset_and_problems(run_cli, data_dir):
    path = data_dir / "generic" / "zh_orders.csv"
    result = run_cli("inspect", path)
    assert result.exit_code == 0 and result.stderr == ""
    out = result.stdout
    assert str(path) in out
    assert "generic_orders_zh" in out and "signature" in out  # the winner, and why
    assert "missing_customer_id" in out and "order lines" in out
    assert "\x1b[" not in out  # plain text when not a terminal


def test_a_folder_reads_every_export(inspect_json, examples_dir):
    report = inspect_json(examples_dir / "alibaba")
    kinds = {Path(f["path"]).name: f["kind"] for f in report["files"]}
    assert kinds == {"after_sales.csv": "after_sales", "customers.csv": "customers", "inquiries.xlsx": "inquiries",
                     "orders.xlsx": "orders", "visitors.csv": "events"}
    gbk = next(f for f in report["files"] if f["path"].endswith("after_sales.csv"))
    assert gbk["encoding"] == "gb18030"


# ---------------------------------------------------------------- UCI Online Retail, the real file


@pytest.fixture(scope="module")
def uci(shared_data):
    """The UCI file read once with plain pandas: every cell as text, empty cells missing."""
    return pd.read_csv(shared_data / "online_retail.csv.gz", dtype=str, keep_default_na=False, na_values=[""])


@pytest.fixture(scope="module")
def uci_report(shared_data, tmp_path_factory):
    result = invoke("inspect", "--format", "json", shared_data / "online_retail.csv.gz",
                    cwd=tmp_path_factory.mktemp("cwd"))
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    return json.loads(result.stdout)


def test_uci_counts_match_plain_pandas(uci, uci_report):
    cancelled = uci["InvoiceNo"].str.startswith("C")
    # credit notes, and the stock write-offs (negative quantity, no customer) under ordinary invoice numbers
    negative = (pd.to_numeric(uci["Quantity"]) < 0) | (pd.to_numeric(uci["UnitPrice"]) < 0)
    expected = {
        "lines": len(uci),
        "customers": uci["CustomerID"].nunique(),
        "missing_customer_id": int(uci["CustomerID"].isna().sum()),
        "cancelled": int((cancelled | negative).sum()),
        "duplicate_rows": int(uci.duplicated().sum()),
        # distinct invoices of known customers that are not credit notes
        "orders": uci.loc[~cancelled & uci["CustomerID"].notna(), "InvoiceNo"].nunique(),
    }
    # the figures for this file: if these fail, the data file changed, not tiercli
    assert expected == {"lines": 541_909, "customers": 4_372, "missing_customer_id": 135_080, "cancelled": 10_626,
                        "duplicate_rows": 5_268, "orders": 18_536}
    (f,) = uci_report["files"]
    ds = uci_report["dataset"]
    assert (f["kind"], f["preset"], f["encoding"], f["rows"]) == ("orders", "generic_orders_en", "utf-8",
                                                                  expected["lines"])
    assert ds["order_lines"] == expected["lines"]
    assert ds["customers"] == expected["customers"]
    assert ds["orders"] == expected["orders"]
    problems = problem_rows(f)
    for code in ("missing_customer_id", "cancelled", "duplicate_rows"):
        assert problems[code] == expected[code], code
    dates = pd.to_datetime(uci["InvoiceDate"])
    assert (ds["first_date"], ds["last_date"]) == (dates.min().isoformat(), dates.max().isoformat())
    assert ds["currencies"] == {"unspecified": expected["orders"]}  # the file has no currency column


def _cell(column: str, text):
    """A UCI cell as Excel would hold it: numbers as numbers, ids that are digits as numbers too."""
    if pd.isna(text):
        return None
    if column == "InvoiceDate":
        return pd.Timestamp(text).to_pydatetime()
    if column == "Quantity":
        return int(text)
    if column == "UnitPrice":
        return float(text)
    if column in ("InvoiceNo", "StockCode", "CustomerID") and text.isdigit():
        return int(text)
    return text


def test_two_sheet_workbook_reads_like_the_same_lines_as_csv(uci, tmp_path, run_cli):
    part = uci.iloc[:60_000]
    csv_path = tmp_path / "online_retail_60k.csv"
    part.to_csv(csv_path, index=False)
    # the same lines as a workbook of two sheets, split in halves by date
    dates = pd.to_datetime(part["InvoiceDate"])
    cutoff = dates.sort_values().iloc[len(dates) // 2]
    halves = {"before": part[dates < cutoff], "after": part[dates >= cutoff]}
    assert all(len(h) > 20_000 for h in halves.values())
    xlsx_path = tmp_path / "online_retail_60k.xlsx"
    wb = xlsxwriter.Workbook(str(xlsx_path), {"constant_memory": True})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    columns = list(part.columns)
    for name, half in halves.items():
        ws = wb.add_worksheet(name)
        ws.write_row(0, 0, columns)
        for i, row in enumerate(half.itertuples(index=False, name=None), start=1):
            for j, (col, text) in enumerate(zip(columns, row)):
                v = _cell(col, text)
                if v is None:
                    continue
                if isinstance(v, str):
                    ws.write_string(i, j, v)
                elif col == "InvoiceDate":
                    ws.write_datetime(i, j, v, date_fmt)
                else:
                    ws.write_number(i, j, v)
    wb.close()

    from_csv = json.loads(run_cli("inspect", "--format", "json", csv_path).stdout)
    result = run_cli("inspect", "--format", "json", xlsx_path)
    assert result.exit_code == 0 and result.stderr == ""
    from_xlsx = json.loads(result.stdout)
    (c,), (x,) = from_csv["files"], from_xlsx["files"]
    assert x["sheets"] == ["before", "after"] and x["encoding"] is None
    assert x["rows"] == c["rows"] == 60_000
    assert x["mapping"] == c["mapping"]
    assert problem_rows(x) == problem_rows(c)
    assert problem_rows(c)["duplicate_rows"] == int(part.duplicated().sum())
    assert from_xlsx["dataset"] == from_csv["dataset"]
    assert from_csv["dataset"]["customers"] == part["CustomerID"].nunique()


# ---------------------------------------------------------------- bad input: one line, exit 2, what to do


def _undecodable(tmp_path: Path) -> Path:
    rng = random.Random(7)
    path = tmp_path / "mystery.csv"
    path.write_bytes(bytes(rng.randrange(128, 256) for _ in range(3000)))
    return path


def _no_exports_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "downloads"
    folder.mkdir()
    (folder / "~$orders.xlsx").write_bytes(b"lock")
    (folder / "orders.tiers.xlsx").write_bytes(b"ours")
    return folder


BAD = {  # name: (path maker, words the message must contain)
    "empty file": (lambda d, t: d / "bad" / "empty.csv", ["file is empty", "Export it again"]),
    "blank lines only": (lambda d, t: d / "bad" / "blank.csv", ["file is empty"]),
    "no recognisable columns": (lambda d, t: d / "bad" / "unknown_columns.csv",
                                ["foo, bar, baz", "closest is", "--preset", "[columns]"]),
    "missing required column": (lambda d, t: d / "bad" / "no_date.csv",
                                ["generic_orders_zh", "lacks date", "[columns]"]),
    "binary garbage": (lambda d, t: d / "bad" / "garbage.csv", ["not a text file", "Export the data as CSV or XLSX"]),
    "unknown encoding": (lambda d, t: _undecodable(t), ["mystery.csv", "encoding", "CSV UTF-8"]),
    "truncated workbook": (lambda d, t: d / "bad" / "truncated.xlsx", ["damaged", "save it again"]),
    "xlsx that is html": (lambda d, t: d / "bad" / "login_page.xlsx", ["web page", "Download the export again"]),
    "xlsx that is a pdf": (lambda d, t: d / "bad" / "report.xlsx", ["PDF", "Download the export again"]),
    "damaged xls": (lambda d, t: d / "bad" / "damaged.xls", ["cannot read workbook", "save it again"]),
    "path does not exist": (lambda d, t: t / "no such.csv", ["no such file or folder", "Check the path"]),
    "folder without exports": (lambda d, t: _no_exports_folder(t), ["no CSV or Excel exports"]),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_is_one_line_on_stderr_and_exit_2(run_cli, data_dir, tmp_path, case):
    make, words = BAD[case]
    path = make(data_dir, tmp_path)
    result = run_cli("inspect", "--format", "json", path)
    assert result.exit_code == 2
    assert result.stdout == ""
    err = result.stderr
    assert err.startswith("tiercli: error: ") and err.endswith("\n")
    assert err.count("\n") == 1, err
    assert "Traceback" not in err
    for w in words:
        assert w in err, (w, err)
    if case != "folder without exports":
        assert path.name in err  # the message names the file


def test_one_bad_file_among_good_ones_is_named(run_cli, data_dir):
    result = run_cli("inspect", data_dir / "generic" / "zh_orders.csv", data_dir / "bad" / "truncated.xlsx")
    assert result.exit_code == 2 and result.stdout == ""
    assert "truncated.xlsx" in result.stderr and "zh_orders.csv" not in result.stderr


def test_amazon_all_orders_exits_2_saying_why(run_cli, data_dir):
    result = run_cli("inspect", data_dir / "platform" / "amazon_all_orders.txt")
    assert result.exit_code == 2 and result.stdout == ""
    assert "cannot be tiered" in result.stderr and result.stderr.count("\n") == 1


def test_missing_rate_is_shown_by_inspect_and_exits_2_in_score(run_cli, tmp_path):
    orders = tmp_path / "fx.csv"
    orders.write_text("Order ID,Order Date,Customer ID,Amount,Currency\n1,2026-01-01,C1,10,USD\n"
                      "2,2026-01-02,C2,10,GBP\n", encoding="utf-8")
    rates = tmp_path / "rates.csv"
    rates.write_text("currency,rate\nEUR,1.1\n", encoding="utf-8")
    # inspect is the diagnosis: it shows the currencies and what is missing, and does not stop
    shown = run_cli("inspect", "--format", "json", "--currency", "USD", "--rates", rates, orders)
    assert shown.exit_code == 0, shown.stderr
    (problem,) = [p for p in json.loads(shown.stdout)["files"][0]["problems"] if p["code"] == "several_currencies"]
    assert "GBP" in problem["message"] and "rates.csv" in problem["message"]
    result = run_cli("score", "--currency", "USD", "--rates", rates, orders, "-o", tmp_path / "out.csv")
    assert result.exit_code == 2 and result.stdout == ""
    assert "GBP" in result.stderr and "rates.csv" in result.stderr
    rates.write_text("currency,rate\nGBP,1.25\n", encoding="utf-8")
    ok = run_cli("inspect", "--format", "json", "--currency", "USD", "--rates", rates, orders)
    assert ok.exit_code == 0 and json.loads(ok.stdout)["dataset"]["currencies"] == {"GBP": 1, "USD": 1}


def test_keep_duplicates_flag(run_cli, data_dir):
    path = data_dir / "generic" / "uci_sample.csv"
    dropped = json.loads(run_cli("inspect", "--format", "json", path).stdout)
    kept = json.loads(run_cli("inspect", "--format", "json", "--keep-duplicates", path).stdout)
    assert problem_rows(dropped["files"][0])["duplicate_rows"] == problem_rows(kept["files"][0])["duplicate_rows"] == 1
    messages = [p["message"] for p in kept["files"][0]["problems"] if p["code"] == "duplicate_rows"]
    assert "kept" in messages[0]


# ---------------------------------------------------------------- examples/edge


def test_edge_ambiguous_dates_exit_2_until_date_order_is_given(run_cli, examples_dir):
    path = examples_dir / "edge" / "ambiguous_dates.csv"
    result = run_cli("inspect", path)
    assert result.exit_code == 2 and result.stdout == ""
    assert "'Order Date'" in result.stderr and "--date-order" in result.stderr
    assert result.stderr.count("\n") == 1
    fixed = run_cli("inspect", "--format", "json", "--date-order", "dmy", path)
    assert fixed.exit_code == 0, fixed.stderr
    assert json.loads(fixed.stdout)["dataset"]["first_date"].startswith("2026-")


def test_edge_date_order_in_tiercli_toml(run_cli, examples_dir, tmp_path):
    config = tmp_path / "tiercli.toml"
    config.write_text('date_order = "mdy"\n', encoding="utf-8")
    result = run_cli("inspect", "--format", "json", "--config", config, examples_dir / "edge" / "ambiguous_dates.csv")
    assert result.exit_code == 0, result.stderr
    dmy = json.loads(run_cli("inspect", "--format", "json", "--date-order", "dmy",
                             examples_dir / "edge" / "ambiguous_dates.csv").stdout)
    assert json.loads(result.stdout)["dataset"] != dmy["dataset"]  # 10/02 is October, not February


def test_edge_european_amounts_read(inspect_json, examples_dir):
    report = inspect_json(examples_dir / "edge" / "european_amounts.csv")
    f = report["files"][0]
    # RE-20260107 (quantity -1, amount (12,00)) is a return: not an order, its amount nets against value
    assert (f["encoding"], f["rows"]) == ("cp1252", 10)
    assert [(p["code"], p["rows"]) for p in f["problems"]] == [("cancelled", 1)]
    assert f["mapping"]["amount"] == "Amount"
    assert report["dataset"]["orders"] == 9


def test_edge_european_amounts_values(examples_dir):
    from tiercli.config import load_config
    from tiercli.schema.dataset import load_dataset

    ds = load_dataset([examples_dir / "edge" / "european_amounts.csv"], load_config(None, env={}))
    raw = pd.read_csv(examples_dir / "edge" / "european_amounts.csv", sep=";", encoding="cp1252", dtype=str)
    # 1.336,11 € -> 1336.11: the text with thousands dots dropped and the comma made a point; (12,00) -> -12
    text = raw["Amount"].str.replace("€", "").str.strip()
    sign = text.str.startswith("(").map({True: -1.0, False: 1.0})
    expected = text.str.strip("()").str.replace(".", "").str.replace(",", ".").astype(float) * sign
    assert (expected < 0).sum() == 1
    assert ds.lines["line_value"].tolist() == pytest.approx(expected.tolist())
    assert "Zoë Lefèvre" in ds.lines["name"].tolist()


def test_edge_utf16_orders_read(inspect_json, examples_dir):
    report = inspect_json(examples_dir / "edge" / "utf16_orders.txt")
    f = report["files"][0]
    assert (f["encoding"], f["rows"], f["kind"]) == ("utf-16", 10, "orders")
    assert report["dataset"]["orders"] > 0


@pytest.mark.parametrize("name, words", [("empty.csv", "file is empty"), ("unknown_columns.csv", "closest is")])
def test_edge_unreadable_examples(run_cli, examples_dir, name, words):
    result = run_cli("inspect", examples_dir / "edge" / name)
    assert result.exit_code == 2 and words in result.stderr and result.stderr.count("\n") == 1
