"""Golden files: the CSV a seller gets from the example exports, compared as text.

The rule-based segmenters (rfm, abc, tier, lifecycle, buyer_type; deal_stage, process, aipl and stars where the
example has their inputs) are pinned; the model-based ones (churn, clv) are left to their own tests, since an
optimizer's last digits are no product decision.

After a deliberate change, rewrite the files and review the diff before committing:

    TIERCLI_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden.py
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from tiercli.cli import cli

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = Path(__file__).resolve().parent / "golden"
SEGMENTERS = "rfm,abc,tier,lifecycle,buyer_type"
# the B2B follow-up segmenters, asked for where the example has their inputs (shopify: no events, no inquiries)
B2B = {"alibaba": ",deal_stage,process,aipl,stars", "shopify": ",deal_stage,process"}
CASES = {"alibaba": ROOT / "examples" / "alibaba", "shopify": ROOT / "examples" / "shopify"}
UPDATE = os.environ.get("TIERCLI_UPDATE_GOLDEN") == "1"


def normalise(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


@pytest.mark.parametrize("name", list(CASES))
def test_csv_matches_the_golden_file(name, tmp_path):
    out = tmp_path / f"{name}.csv"
    env = {k: None for k in os.environ if k.startswith("TIERCLI_")}
    result = CliRunner().invoke(cli, ["score", str(CASES[name]), "-o", str(out), "--segmenters",
                                      SEGMENTERS + B2B[name], "-q"], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    got = normalise(out.read_text(encoding="utf-8"))
    golden = GOLDEN / f"{name}.tiers.csv"
    if UPDATE:
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(got, encoding="utf-8", newline="\n")
    assert golden.is_file(), f"{golden} is missing: run with TIERCLI_UPDATE_GOLDEN=1 to create it"
    want = normalise(golden.read_text(encoding="utf-8"))
    if got != want:
        diff = difflib.unified_diff(want.splitlines(), got.splitlines(), "golden", "now", lineterm="", n=0)
        shown = "\n".join(line[:160] for line in list(diff)[:30])
        pytest.fail(f"{name}: output differs from {golden.name}. If examples/ or a segmenter changed on purpose, "
                    f"rerun with TIERCLI_UPDATE_GOLDEN=1 and review the diff:\n{shown}")
