"""In Chinese, every word a seller reads is Chinese: workbooks (cells, sheet names, chart titles), terminal
summaries, --help and the error paths.  A word counts as English when it is none of: a word of the input data
(names, products, companies as the files spell them), a file path, an option (--lang), a setting or code
(rfm.bins, duplicate_rows), an upper-case acronym or metavar (RFM, AUC, USD, PATHS), or one of the few proper
names below (Excel, WPS, tiercli, BG/NBD's symbols)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from tiercli.cli import cli
from tiercli.schema.presets import load_presets
from tiercli.schema.tables import KINDS
from tiercli.segmenters.base import registry

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "alibaba"

# names and symbols that are not English prose in any language
PROPER = {"tiercli", "Excel", "WPS", "Shopify", "AliExpress", "Amazon", "WooCommerce", "Alibaba", "com", "gamma",
          "alpha", "Spearman", "xlsx", "xlsb", "csv", "json", "toml", "txt", "gz", "parquet", "UTF", "ERP",
          "CSV", "GMV", "Email", "email", "e", "g", "zip", "Presets"}
FIELDS = {f for kind in KINDS.values() for f in kind.fields}
# what a user types as it is: command names and the values of choice options (--lang zh, --format table)
TYPED = set(cli.commands) | set(registry()) | set(load_presets()) | {
    "plan", "emails", "en", "zh", "dmy", "mdy", "table", "json", "xlsx", "today", "auto",
    "rate", "id"}  # the columns of a rates or suppression file the user writes


def _public_holiday_names() -> set[str]:
    """Public holiday names come from the holidays library, which has no Chinese for most countries: they are
    shown as the library gives them (a known gap, noted in issue 14's closing note)."""
    import holidays

    found = set()
    for code in holidays.list_supported_countries():
        for year in (2026, 2027):
            try:
                found |= {w for name in holidays.country_holidays(code, years=year).values() for w in words_of(name)}
            except (NotImplementedError, KeyError):
                pass
    return found

_WORD = re.compile(r"[A-Za-z][A-Za-z]+")


def words_of(text: str) -> set[str]:
    return set(_WORD.findall(text))


def english_words(text: str, data_words: set[str]) -> set[str]:
    """The English words of ``text`` that are not data, paths, options, settings, codes or acronyms."""
    text = re.sub(r"\S*[/\\]\S*", " ", text)  # paths (and a/b pairs like BG/NBD)
    text = re.sub(r"\S+@\S+", " ", text)  # emails
    text = re.sub(r"--?[A-Za-z][\w-]*", " ", text)  # options
    text = re.sub(r"\b\w+(?:[._]\w+)+\b", " ", text)  # settings (rfm.bins), codes (duplicate_rows), files
    text = re.sub(r"\b[a-z]\s*=", " ", text)  # model parameters r= a= b=
    text = re.sub(r"\b[A-Za-z]+-?\d[\w-]*", " ", text)  # encodings and versions (gb18030, utf-8)
    text = re.sub(r"\[\w+\]", " ", text)  # tiercli.toml tables ([columns], [status])
    found = set()
    for w in words_of(text):
        w = w.strip("'")
        if len(w) < 2 or w.isupper() or w in data_words or w in PROPER or w in FIELDS or w in TYPED:
            continue
        found.add(w)
    return found


def data_words_of(*paths: Path) -> set[str]:
    """Every word of every cell (and header) of the input files."""
    found: set[str] = set()
    for path in paths:
        files = sorted(path.iterdir()) if path.is_dir() else [path]
        for f in files:
            if f.suffix == ".xlsx" and zipfile.is_zipfile(f):
                wb = openpyxl.load_workbook(f, read_only=True)
                for ws in wb.worksheets:
                    for row in ws.iter_rows(values_only=True):
                        for v in row:
                            if v is not None:
                                found |= words_of(str(v))
            elif f.suffix in (".csv", ".txt"):
                found |= words_of(f.read_text(encoding="utf-8-sig", errors="ignore"))
    return found


def workbook_text(path: Path) -> str:
    """Sheet names, every cell and every chart title of a workbook."""
    parts = []
    wb = openpyxl.load_workbook(path, read_only=True)
    for ws in wb.worksheets:
        parts.append(ws.title)
        for row in ws.iter_rows(values_only=True):
            parts.extend(str(v) for v in row if v is not None and not isinstance(v, (int, float)))
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("xl/charts/chart"):
                parts.extend(re.findall(r"<a:t>([^<]*)</a:t>", z.read(name).decode("utf-8")))
    return "\n".join(parts)


# ------------------------------------------------------------------------------------------------- the data


_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
_WORDS = "星辰海蓝山川明德华美宏远锦程瑞丰恒泰"
_PRODUCTS = ["蓝牙耳机", "手机壳", "充电宝", "数据线", "智能手表", "保温杯", "瑜伽垫", "登山包"]
_COUNTRIES = ["美国", "德国", "英国", "法国", "澳大利亚", "加拿大", "巴西", "日本"]


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    """Two years of a Chinese-header store whose buyers come back the way BG/NBD says (churn and clv fit)."""
    from test_backtest import simulate_bgnbd

    rng = np.random.default_rng(3)
    purchases = simulate_bgnbd(900, r=0.5, alpha=3.0, a=0.7, b=3.0, weeks=100, seed=11)
    customers = purchases["customer"].unique()
    names = {c: "".join(rng.choice(list(_SURNAMES))) + "".join(rng.choice(list(_WORDS), 2)) + "贸易有限公司"
             for c in customers}
    country = {c: _COUNTRIES[i % len(_COUNTRIES)] for i, c in enumerate(customers)}
    frame = pd.DataFrame({
        "订单号": [f"{8000000 + i}" for i in range(len(purchases))],
        "下单时间": purchases["date"].dt.strftime("%Y-%m-%d"),
        "买家ID": purchases["customer"].str.replace("C", "", regex=False),
        "买家名称": purchases["customer"].map(names),
        "国家": purchases["customer"].map(country),
        "产品名称": [_PRODUCTS[i % len(_PRODUCTS)] for i in range(len(purchases))],
        "数量": 1 + (np.arange(len(purchases)) % 3),
        "实付金额": purchases["amount"].map(lambda v: f"{v:.2f}"),
        "订单状态": np.where(np.arange(len(purchases)) % 97 == 0, "已退款", "已完成"),
    })
    path = tmp_path_factory.mktemp("zh-store") / "订单.csv"
    frame.to_csv(path, index=False, encoding="gb18030")
    return path


@pytest.fixture
def zh(monkeypatch, tmp_path):
    """Run tiercli with TIERCLI_LANG=zh in an empty folder; returns (result, folder)."""
    import os

    for key in list(os.environ):
        if key.startswith("TIERCLI_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("TIERCLI_LANG", "zh")
    monkeypatch.chdir(tmp_path)

    def run(*args):
        return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False, prog_name="tiercli")

    return run


def assert_chinese(text: str, data: set[str], what: str) -> None:
    found = english_words(text, data)
    assert not found, f"English in the Chinese {what}: {sorted(found)[:20]}"


# ---------------------------------------------------------------------------------------------- the outputs


def chinese_run(zh, data: set[str], workbook: Path, *args):
    """Run a command that writes ``workbook``: it succeeds, and its summary and workbook are Chinese."""
    run = zh(*args, "-o", workbook)
    assert run.exit_code == 0, run.stderr
    assert_chinese(run.stdout + run.stderr, data, f"{args[0]} summary")
    assert_chinese(workbook_text(workbook), data, f"{args[0]} workbook")
    names = openpyxl.load_workbook(workbook, read_only=True).sheetnames
    assert not [n for n in names if "~" in n], names  # two sheets given one Chinese name get a ~2 suffix
    return run


def test_score_of_the_b2b_examples_is_chinese(zh, tmp_path):
    run = chinese_run(zh, data_words_of(EXAMPLES), tmp_path / "tiers.xlsx", "score", EXAMPLES, "--lang", "zh")
    assert "客户" in run.stdout


def test_score_with_churn_and_lifetime_value_is_chinese(zh, store, tmp_path):
    run = chinese_run(zh, data_words_of(store), tmp_path / "tiers.xlsx", "score", store)
    assert "流失风险" in run.stdout and "终身价值" in run.stdout, run.stdout


def test_backtest_is_chinese(zh, store, tmp_path):
    run = chinese_run(zh, data_words_of(store), tmp_path / "backtest.xlsx", "backtest", store,
                      "--holdout-days", "120")
    assert "回测" in run.stdout


def test_plan_emails_is_chinese(zh, tmp_path):
    from tiercli.countries import _LANGUAGES
    from tiercli.plan.emails import DEFAULT_COUPONS

    # the coupon texts are the seller's settings, written into emails to foreign buyers; language codes are codes
    data = (data_words_of(EXAMPLES) | _public_holiday_names() | set(_LANGUAGES.values())
            | {w for text in DEFAULT_COUPONS.values() for w in words_of(text)})
    chinese_run(zh, data, tmp_path / "plan.xlsx", "plan-emails", EXAMPLES, "--quota", "40")


def test_inspect_markets_and_segmenters_are_chinese(zh, tmp_path):
    data = data_words_of(EXAMPLES)
    for args in (("inspect", EXAMPLES), ("markets", EXAMPLES, "-o", tmp_path / "markets.xlsx"), ("segmenters",)):
        run = zh(*args)
        assert run.exit_code == 0, run.stderr
        assert_chinese(run.stdout + run.stderr, data, args[0])
    assert_chinese(workbook_text(tmp_path / "markets.xlsx"), data, "markets workbook")


@pytest.mark.parametrize("command", [(), ("score",), ("inspect",), ("backtest",), ("plan-emails",), ("markets",),
                                     ("diff",), ("segmenters",), ("config",)])
def test_help_is_chinese(zh, command):
    run = zh(*command, "--help")
    assert run.exit_code == 0
    text = re.sub(r"^\s*tiercli .*$", " ", run.stdout, flags=re.M)  # example command lines
    assert_chinese(text, set(), "help of " + (" ".join(command) or "tiercli"))


# ------------------------------------------------------------------------------------------------ the errors


def _files(tmp: Path) -> dict[str, Path]:
    tmp.mkdir(parents=True, exist_ok=True)
    (tmp / "empty.csv").write_bytes(b"")
    (tmp / "odd.csv").write_text("a;b\n1;2\n", encoding="utf-8")
    (tmp / "fake.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    (tmp / "rates.csv").write_text("currency,rate\nEUR,abc\n", encoding="utf-8")
    (tmp / "two-currencies.csv").write_text(
        "订单号,下单时间,买家ID,实付金额,币种\n1,2026-01-02,7,10,USD\n2,2026-01-03,8,20,EUR\n", encoding="utf-8")
    (tmp / "one-currency.csv").write_text(
        "订单号,下单时间,买家ID,实付金额\n1,2026-01-02,7,10\n2,2026-01-03,8,20\n", encoding="utf-8")
    (tmp / "bad.toml").write_text("[rfm]\nbins = 42\n", encoding="utf-8")
    (tmp / "typo.toml").write_text("[rfm\nbins = 4\n", encoding="utf-8")
    return {p.stem: p for p in tmp.iterdir()}


ERRORS = [
    ("missing file", lambda f: ("score", f["empty"].parent / "nope.csv")),
    ("empty file", lambda f: ("score", f["empty"])),
    ("no layout fits", lambda f: ("score", f["odd"])),
    ("damaged workbook", lambda f: ("score", f["fake"])),
    ("unknown preset", lambda f: ("score", f["two-currencies"], "--preset", "nope")),
    ("several currencies", lambda f: ("score", f["two-currencies"])),
    ("bad rates", lambda f: ("score", f["two-currencies"], "--rates", f["rates"], "--currency", "USD")),
    ("bad setting", lambda f: ("score", f["one-currency"], "--config", f["bad"])),
    ("bad toml", lambda f: ("score", f["two-currencies"], "--config", f["typo"])),
    ("bad -o", lambda f: ("score", f["one-currency"], "-o", "out.pdf")),
    ("no folder", lambda f: ("score", f["one-currency"], "-o", "nope/out.xlsx")),
    ("bad month", lambda f: ("plan-emails", f["two-currencies"], "--quota", "5", "--month", "2026-13")),
    ("record without log", lambda f: ("plan-emails", f["two-currencies"], "--quota", "5", "--record")),
    ("too little history", lambda f: ("backtest", f["one-currency"])),
    ("unknown option", lambda f: ("score", f["two-currencies"], "--frobnicate")),
    ("bad choice", lambda f: ("score", f["two-currencies"], "--date-order", "ymd")),
    ("missing argument", lambda f: ("score",)),
    ("unknown segmenter", lambda f: ("score", f["one-currency"], "--segmenters", "nope")),
]


@pytest.mark.parametrize("name,args", ERRORS, ids=[e[0] for e in ERRORS])
def test_errors_are_chinese(zh, tmp_path, name, args):
    files = _files(tmp_path / "in")
    run = zh(*args(files), "--lang", "zh")
    assert run.exit_code == 2, (name, run.exit_code, run.stdout, run.stderr)
    assert run.stderr.strip(), name
    assert "\n" not in run.stderr.strip() or run.stderr.startswith(("用法", "Usage")), run.stderr
    assert_chinese(run.stderr, data_words_of(tmp_path / "in") | {"nope", "frobnicate", "ymd", "dmy", "mdy", "pdf"}, f"error ({name})")
