"""`tiercli score examples/alibaba` as a B2B seller runs it: deal stage, process, AIPL and stars all run and
show up in the terminal (pipeline, funnel, I crowd by source, stars by group), in the workbook (sheets with
native charts) and in the CSV (stable codes); a folder without visitor data skips AIPL with a note."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from tiercli.cli import cli
from tiercli.config import load_config
from tiercli.scoring import score
from tiercli.segmenters.aipl import funnel
from tiercli.segmenters.base import registry
from tiercli.segmenters.deal_stage import pipeline
from tiercli.segmenters.stars import stars_table

ALIBABA = Path(__file__).resolve().parents[1] / "examples" / "alibaba"
B2B = ["deal_stage", "process", "aipl", "stars"]


def tiercli_run(*args):
    env = {k: None for k in os.environ if k.startswith("TIERCLI_")}
    return CliRunner().invoke(cli, [str(a) for a in args], env=env, catch_exceptions=False)


@pytest.fixture(scope="module")
def expected():
    return score([ALIBABA], config=load_config(None, env={}))


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    out = tmp_path_factory.mktemp("b2b") / "alibaba.xlsx"
    result = tiercli_run("score", ALIBABA, "-o", out)
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return out, result


def row(stdout: str, first_cell: str) -> list[str]:
    """The cells of the first plain-text table row whose first cell is ``first_cell``."""
    for line in stdout.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells and cells[0] == first_cell:
            return cells
    raise AssertionError(f"no row {first_cell!r} in:\n{stdout}")


def test_all_four_run_on_the_example(expected):
    assert set(B2B) <= set(expected.segmenter_names)
    assert not set(B2B) & set(expected.skipped)


def test_terminal_shows_pipeline_process_funnel_sources_and_stars(scored, expected):
    _, result = scored
    out = result.stdout
    assert result.stderr == ""
    for title in ("Deal stage pipeline", "Transaction process", "AIPL funnel", "I crowd by source", "Star rating"):
        assert re.search(rf"^{re.escape(title)}\s*$", out, re.M), title
    p = pipeline(expected).set_index("code")
    cells = row(out, "Repeat")
    assert cells[1] == f"{p.loc['repeat', 'customers']:,}" and cells[4] == f"{p.loc['repeat', 'conversion']:.1%}"
    f = funnel(expected).set_index("code")
    cells = row(out, "A · Awareness")
    assert cells[1:4] == [str(f.loc["awareness", "customers"]), str(f.loc["awareness", "visitors"]),
                          str(f.loc["awareness", "total"])]
    assert f.loc["awareness", "visitors"] > 0, "anonymous visitors count in the funnel"
    s = stars_table(expected).set_index("code")
    assert row(out, "3★")[1:4] == [str(s.loc["3", c]) for c in ("inquiry_customers", "sample_customers", "customers")]
    process = expected.customers["process"].value_counts()
    assert row(out, "Negotiating")[1] == str(process["negotiating"])
    # the generic tables of deal_stage, aipl and stars are replaced, not repeated
    assert not re.search(r"^(Deal stage|AIPL stage|Star group)\s*$", out, re.M)
    assert not any(line.startswith("skipped " + name) for name in B2B for line in out.splitlines())


def test_workbook_has_the_sheets_with_charts(scored, expected):
    wb = openpyxl.load_workbook(scored[0])
    for name in ("Deal stage", "Transaction process", "AIPL stage", "Star rating",
                 "Deal pipeline", "AIPL funnel", "Interest by source", "Stars by group"):
        assert name in wb.sheetnames
        assert len(wb[name]._charts) == 2, name
    funnel_sheet = wb["AIPL funnel"]
    headers = [c.value for c in funnel_sheet[3]]
    assert headers == ["Label", "Customers", "Anonymous visitors", "Total", "Reached", "Conversion"]
    customers = wb["Customers"]
    names = [c.value for c in customers[1]]
    for h in ("Deal stage", "Transaction process", "AIPL stage", "Stars", "Star group", "Stars reason"):
        assert h in names
    stage = names.index("Deal stage")
    words = set(next(customers.iter_cols(min_col=stage + 1, max_col=stage + 1, min_row=2, values_only=True)))
    assert words == {lab for lab, _ in registry()["deal_stage"].labels.values()}


def test_csv_carries_the_codes(tmp_path, expected):
    path = tmp_path / "x.csv"
    assert tiercli_run("score", ALIBABA, "-o", path, "-q").exit_code == 0
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig").set_index("customer_id")
    for name in B2B:
        assert set(frame[name]) - {""} <= set(registry()[name].labels), name
    assert set(frame["stars_group"]) == {"", "inquiry", "sample"}
    assert frame["deal_stage"].tolist() == expected.customers["deal_stage"].tolist()
    inquiry = frame[frame["stars_group"] == "inquiry"]
    assert inquiry["stars_reason"].str.startswith("inferred").any()
    assert inquiry["stars_reason"].str.startswith("expected to order in").any()


def test_chinese_summary(tmp_path):
    result = tiercli_run("score", ALIBABA, "-o", tmp_path / "zh.xlsx", "--lang", "zh")
    assert result.exit_code == 0 and result.stderr == ""
    for word in ("客户成交阶段 · 转化", "复购客户", "洽谈中", "AIPL 漏斗", "匿名访客", "I 兴趣人群 · 按来源", "3星客户"):
        assert word in result.stdout, word
    assert "成交阶段转化" in openpyxl.load_workbook(tmp_path / "zh.xlsx").sheetnames


def test_without_visitor_data_aipl_is_skipped_with_a_note(tmp_path):
    folder = tmp_path / "shop"
    folder.mkdir()
    for name in ("orders.xlsx", "inquiries.xlsx"):
        shutil.copy(ALIBABA / name, folder / name)
    result = tiercli_run("score", folder, "-o", tmp_path / "x.xlsx")
    assert result.exit_code == 0 and result.stderr == ""
    assert "skipped aipl: needs events data" in result.stdout
    assert "Deal stage pipeline" in result.stdout and "Star rating" in result.stdout
    assert "AIPL funnel" not in result.stdout
