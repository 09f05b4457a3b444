"""tiercli score as a seller runs it: the tagged workbook, CSV/JSON, languages, choices of segmenters,
default output, blacklist, quiet and plain output; and the Python API."""

from __future__ import annotations

import json
import os
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

import tiercli
from tiercli.cli import cli
from tiercli.config import load_config
from tiercli.scoring import score
from tiercli.segmenters.base import header, registry

ROOT = Path(__file__).resolve().parents[1]
ALIBABA = ROOT / "examples" / "alibaba"
SHOPIFY = ROOT / "examples" / "shopify"
STABLE = ["customer_id", "recency_days", "frequency", "monetary", "rfm_r", "rfm_f", "rfm_m", "rfm", "rfm_tier",
          "abc", "tier", "lifecycle", "buyer_type"]
ANSI = re.compile(r"\x1b\[")


def tiercli_run(*args) -> "click.testing.Result":  # noqa: F821
    """Run the CLI in-process with no TIERCLI_* variables from the developer's shell."""
    env = {k: None for k in os.environ if k.startswith("TIERCLI_")}
    return CliRunner().invoke(cli, [str(a) for a in args], env=env, catch_exceptions=False)


def ok(result):
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return result


@pytest.fixture(scope="module")
def outdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("out")


@pytest.fixture(scope="module")
def expected():
    """What the library says about examples/alibaba: which segmenters ran, which label codes exist."""
    return score([ALIBABA], config=load_config(None, env={}))


@pytest.fixture(scope="module")
def workbook(outdir):
    path = outdir / "out.xlsx"
    result = ok(tiercli_run("score", ALIBABA, "-o", path))
    return path, result


@pytest.fixture(scope="module")
def workbook_zh(outdir):
    path = outdir / "out_zh.xlsx"
    result = ok(tiercli_run("score", ALIBABA, "-o", path, "--lang", "zh"))
    return path, result


@pytest.fixture(scope="module")
def csv_out(outdir):
    path = outdir / "out.csv"
    ok(tiercli_run("score", ALIBABA, "-o", path, "-q"))
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def column(ws, header: str) -> list:
    headers = [c.value for c in ws[1]]
    j = headers.index(header)
    return [row[j] for row in ws.iter_rows(min_row=2, values_only=True)]


# ---------------------------------------------------------------- the workbook

def test_workbook_sheets(workbook, expected):
    wb = openpyxl.load_workbook(workbook[0])
    titles = []
    for cls in expected.ran:
        titles.append(cls.title)
        titles.extend(header(x, "en") for x in cls.extra_labels)
    assert wb.sheetnames == ["Customers", *titles, "ABC Pareto", "Deal pipeline", "AIPL funnel", "Interest by source",
                             "Stars by group", "Run"]
    assert {"RFM segments", "RFM tier", "ABC value", "Management tier", "Customer lifecycle",
            "Buyer type"} <= set(wb.sheetnames)


def test_workbook_customers_sheet(workbook, expected):
    wb = openpyxl.load_workbook(workbook[0])
    ws = wb["Customers"]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:{ws.cell(1, ws.max_column).column_letter}{ws.max_row}"
    assert ws.max_row == len(expected.customers) + 1
    ids = column(ws, "Customer ID")
    assert "00000374" in ids and all(isinstance(v, str) for v in ids)
    assert ids == expected.customers.index.tolist()
    # the workbook shows words, not codes
    assert set(column(ws, "Tier")) <= {lab[0] for lab in registry()["tier"].labels.values()}
    assert "Key" in column(ws, "Tier")


def test_workbook_summary_sheets_have_frozen_headers_filters_and_charts(workbook):
    wb = openpyxl.load_workbook(workbook[0])
    for name in wb.sheetnames[1:-1]:
        ws = wb[name]
        assert ws.freeze_panes is not None, name
        assert ws.auto_filter.ref, name
        assert len(ws._charts) >= 1, name
    tier = wb["Management tier"]
    labels = [r[0] for r in tier.iter_rows(min_row=4, values_only=True)]
    assert labels == ["Key", "Ordinary", "Small", "Potential", "Blacklisted"]
    names = zipfile.ZipFile(workbook[0]).namelist()
    assert sum(1 for n in names if re.fullmatch(r"xl/charts/chart\d+\.xml", n)) >= 2 * (len(wb.sheetnames) - 3)


def test_workbook_run_sheet_records_the_thresholds(workbook):
    ws = openpyxl.load_workbook(workbook[0])["Run"]
    rows = dict((r[0], r[1]) for r in ws.iter_rows(min_row=2, values_only=True) if r[0] != "input")
    assert rows["as-of date"] == "2026-10-31"
    assert rows["abc.a_share"] == "0.6" and rows["rfm.bins"] == "5" and rows["abc.key_max_share"] == "0.3"


def test_no_cell_is_a_formula(workbook, workbook_zh):
    for path in (workbook[0], workbook_zh[0]):
        with zipfile.ZipFile(path) as z:
            for name in z.namelist():
                if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                    xml = z.read(name).decode("utf-8")
                    assert "<f>" not in xml and "<f " not in xml, name


def test_terminal_summary(workbook, expected):
    out = workbook[1].stdout
    assert out.startswith(f"{len(expected.customers)} customers · as of 2026-10-31")
    assert "Management tier" in out and "Key" in out and "Champions" in out
    assert "ABC check: A = " in out
    assert f"wrote {workbook[0]}" in out
    assert not ANSI.search(out), "plain text when not a terminal"
    assert "Traceback" not in workbook[1].stderr


# ---------------------------------------------------------------- --lang zh

def test_chinese_workbook_and_summary(workbook_zh):
    path, result = workbook_zh
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[0] == "客户" and wb.sheetnames[-1] == "运行信息"
    ws = wb["客户"]
    assert ws.cell(1, 1).value == "客户ID"
    assert "高价值客户" in column(ws, "RFM分级")
    assert "关键客户" in column(ws, "客户分级")
    assert "A类 重点/VIP客户" in column(ws, "ABC分类")
    for word in ("高价值客户", "关键客户", "客户管理分级", "统计截止日"):
        assert word in result.stdout
    assert not ANSI.search(result.stdout)


def test_chinese_labels_in_csv_only_when_asked(outdir):
    path = outdir / "zh.csv"
    ok(tiercli_run("score", ALIBABA, "-o", path, "--lang", "zh", "-q"))
    frame = pd.read_csv(path, dtype=str, encoding="utf-8-sig")
    assert "关键客户" in set(frame["tier"])
    assert list(frame.columns[:3]) == ["customer_id", "name", "email"]  # headers stay stable


# ---------------------------------------------------------------- CSV and JSON

def _positions(columns) -> list[int]:
    return [list(columns).index(c) for c in STABLE]


def test_csv_carries_the_stable_columns_with_english_codes(csv_out, expected):
    assert set(STABLE) <= set(csv_out.columns)
    assert _positions(csv_out.columns) == sorted(_positions(csv_out.columns))
    assert csv_out["customer_id"].tolist() == expected.customers.index.tolist()
    assert "00000374" in set(csv_out["customer_id"])
    reg = registry()
    for col, codes in [("rfm", reg["rfm"].labels), ("rfm_tier", reg["rfm"].extra_labels["rfm_tier"]),
                       ("abc", reg["abc"].labels), ("tier", reg["tier"].labels),
                       ("lifecycle", reg["lifecycle"].labels), ("buyer_type", reg["buyer_type"].labels)]:
        values = set(csv_out[col]) - {""}
        assert values and values <= set(codes), col
    assert set(csv_out["abc"]) == {"A", "B", "C", "other"}
    assert not any(v.startswith(("=", "+", "@")) for v in csv_out["name"])


def test_json_carries_the_same_customers(outdir, csv_out):
    path = outdir / "out.json"
    ok(tiercli_run("score", ALIBABA, "-o", path, "-q"))
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["as_of"] == "2026-10-31"
    rows = doc["customers"]
    assert [r["customer_id"] for r in rows] == csv_out["customer_id"].tolist()
    assert set(STABLE) <= set(rows[0])
    first = rows[0]
    assert isinstance(first["frequency"], int) and isinstance(first["monetary"], float)
    assert first["tier"] in registry()["tier"].labels
    leads = [r for r in rows if r["frequency"] == 0]
    assert leads and all(r["rfm"] is None and r["abc"] == "other" for r in leads)


# ---------------------------------------------------------------- choosing segmenters

def test_only_the_chosen_segmenters_run(tmp_path):
    path = tmp_path / "x.csv"
    result = ok(tiercli_run("score", ALIBABA, "-o", path, "--segmenters", "rfm,abc"))
    cols = pd.read_csv(path, nrows=1, encoding="utf-8-sig").columns
    assert {"rfm", "rfm_tier", "abc"} <= set(cols)
    assert not {"tier", "lifecycle", "buyer_type"} & set(cols)
    assert "Management tier" not in result.stdout and "RFM segments" in result.stdout


def test_a_segmenter_pulls_in_what_it_depends_on(tmp_path):
    path = tmp_path / "x.csv"
    ok(tiercli_run("score", ALIBABA, "-o", path, "--segmenters", "tier", "-q"))
    cols = list(pd.read_csv(path, nrows=1, encoding="utf-8-sig").columns)
    assert "abc" in cols and "tier" in cols and "rfm" not in cols
    assert cols.index("abc") < cols.index("tier")


def test_an_unknown_segmenter_is_a_one_line_usage_error(tmp_path):
    result = tiercli_run("score", ALIBABA, "-o", tmp_path / "x.csv", "--segmenters", "rfm,nope")
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tiercli: error: unknown segmenter nope.")
    assert "tiercli segmenters" in lines[0]
    assert not (tmp_path / "x.csv").exists()


# ---------------------------------------------------------------- default output, blacklist, quiet

def test_default_output_is_name_tiers_xlsx_next_to_the_input(tmp_path):
    folder = tmp_path / "myshop"
    shutil.copytree(ALIBABA, folder)
    result = ok(tiercli_run("score", folder))
    target = folder / "myshop.tiers.xlsx"
    assert target.is_file() and f"wrote {target}" in result.stdout
    assert openpyxl.load_workbook(target).sheetnames[0] == "Customers"
    # scoring the folder again does not read its own output as an input
    again = ok(tiercli_run("score", folder))
    assert again.stdout.splitlines()[0] == result.stdout.splitlines()[0]
    single = tmp_path / "orders.xlsx"
    shutil.copy(ALIBABA / "orders.xlsx", single)
    ok(tiercli_run("score", single, "-q"))
    assert (tmp_path / "orders.tiers.xlsx").is_file()


def test_blacklist_file_marks_customers(tmp_path, csv_out):
    before = csv_out.set_index("customer_id")
    key = before.index[before["tier"] == "key"][0]
    email = before.loc[before["tier"] == "small", "email"].iloc[0]
    black = tmp_path / "blacklist.csv"
    black.write_text(f"id\n{key}\n{email.upper()}\n", encoding="utf-8")
    path = tmp_path / "x.csv"
    ok(tiercli_run("score", ALIBABA, "-o", path, "--blacklist", black, "-q"))
    after = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig").set_index("customer_id")
    hit = after.index[after["tier"] == "blacklisted"]
    assert key in hit and after.loc[key, "blacklisted"] == "True"
    assert after.loc[after["email"] == email, "tier"].tolist() == ["blacklisted"]
    assert after.loc[key, "tier_reason"] == "on the blacklist"
    # everyone else keeps the tier they had
    untouched = before.index[(before["tier"] != "blacklisted")].difference([key]).difference(
        before.index[before["email"] == email])
    assert (after.loc[untouched, "tier"] == before.loc[untouched, "tier"]).all()
    # the customers file's own flag still counts
    assert set(before.index[before["tier"] == "blacklisted"]) <= set(hit)


def test_quiet_prints_nothing(tmp_path):
    result = ok(tiercli_run("score", SHOPIFY, "-o", tmp_path / "x.xlsx", "--quiet"))
    assert result.stdout == "" and result.stderr == ""
    assert (tmp_path / "x.xlsx").is_file()


def test_cannot_tell_the_format(tmp_path):
    result = tiercli_run("score", SHOPIFY, "-o", tmp_path / "x.txt")
    assert result.exit_code == 2 and result.stdout == ""
    assert "use .xlsx, .csv or .json" in result.stderr


def test_zero_customers_still_write_a_workbook(tmp_path):
    path = tmp_path / "x.xlsx"
    result = ok(tiercli_run("score", ALIBABA / "orders.xlsx", "-o", path, "--as-of", "2020-01-01"))
    assert result.stdout.startswith("0 customers")
    assert openpyxl.load_workbook(path)["Customers"].max_row == 1


# ---------------------------------------------------------------- the Python API

def test_python_api_returns_customers_indexed_by_id():
    frame = tiercli.score(SHOPIFY, config=load_config(None, env={}))
    assert isinstance(frame, pd.DataFrame)
    assert frame.index.name == "customer_id" and frame.index.is_unique
    assert set(STABLE[1:]) <= set(frame.columns)
    assert frame["tier"].isin(list(registry()["tier"].labels)).all()
    one = tiercli.score([ALIBABA / "orders.xlsx"], segmenters=["rfm"], config=load_config(None, env={}))
    assert "00000374" in one.index and "rfm" in one.columns and "tier" not in one.columns
