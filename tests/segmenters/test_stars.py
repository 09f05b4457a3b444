"""stars: 3★..0★ for inquiry and sample customers (SEGMENTERS.md "stars", seed 003): from an expected order
date or purchase timeline, else inferred from engagement; sample customers by predicted size."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from tiercli.cli import cli
from tiercli.segmenters.base import SegmenterSkipped
from tiercli.segmenters.stars import Stars, stars_table
from tiercli.signals import timeline_days

from ._b2b import CONFIG, exports, frame, inquiry, order, run


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    folder = exports(
        tmp_path_factory.mktemp("stars"),
        inquiries=[
            # stated intent: expected order date 5, 20, 60 and 200 days ahead
            inquiry("IN5", 10, qid="q1", quoted=True, contact=2, expected=5),
            inquiry("IN20", 10, qid="q2", contact=2, expected=20),
            inquiry("IN60", 10, qid="q3", contact=2, expected=60),
            inquiry("IN200", 10, qid="q4", contact=2, expected=200),
            inquiry("TIMELINE", 6, qid="q5", contact=1, timeline="within 2 weeks"),  # 8 days left
            inquiry("PASSED", 40, qid="q6", quoted=True, contact=3, expected=-10),  # the date went by: inferred
            # inferred from engagement
            inquiry("HOT", 20, qid="q7", sample=True, contact=3),
            inquiry("WARM", 20, qid="q8", quoted=True, contact=20),
            inquiry("SILENT", 60, qid="q9", quoted=True),
            inquiry("COLD", 200, qid="q10", quoted=True, contact=120),
            inquiry("FRESH", 2, qid="q11"),
            inquiry("GONE", 30, qid="q12", quoted=True, status="已流失", contact=25, expected=5),
            # sample customers
            inquiry("BIG_ASK", 50, qid="q13", contact=5, qty=5000), inquiry("TINY", 300, qid="q14", contact=200),
        ],
        orders=[
            order("BIG", 10, oid="1", sample=True, amount=80, qty=3),
            order("BIG_ASK", 15, oid="2", sample=True, amount=10, qty=2),
            order("MID", 20, oid="3", sample=True, amount=20, qty=3),
            order("MID2", 20, oid="4", sample=True, amount=90, qty=3),
            order("SMALL", 30, oid="5", sample=True, amount=12, qty=1),
            order("TINY", 200, oid="6", sample=True, amount=3, qty=1),
            order("DECLARED", 30, oid="7", sample=True, amount=5, qty=1),
            order("DEAL", 30, oid="8"), order("DEAL", 40, oid="9", sample=True),
        ],
        customers=[["DECLARED", "Brand Co", "大B", ""]],
    )
    return run(folder, ["stars"])


def stars(result, who: str) -> tuple[str, str, str]:
    row = result.customers.loc[who]
    return row["stars"], row["stars_group"], row["stars_reason"]


@pytest.mark.parametrize("who,star,days", [("IN5", "3", 5), ("IN20", "2", 20), ("IN60", "1", 60), ("IN200", "0", 200)])
def test_expected_order_date_gives_the_stars(result, who, star, days):
    assert stars(result, who)[:2] == (star, "inquiry")
    assert result.customers.loc[who, "stars_expected_days"] == days
    assert stars(result, who)[2].startswith(f"expected to order in {days} days")


def test_a_purchase_timeline_counts_from_the_inquiry_date(result):
    assert stars(result, "TIMELINE") == ("2", "inquiry", "expected to order in 8 days")


@pytest.mark.parametrize("who,star,reason", [
    ("HOT", "3", "inferred: sample or factory audit, last contact 3 days ago"),
    ("WARM", "1", "inferred: quote or reply, last contact 20 days ago"),
    ("PASSED", "2", "inferred: quote or reply, last contact 3 days ago"),
    ("SILENT", "0", "inferred: no contact since the inquiry 60 days ago"),
    ("COLD", "0", "inferred: quote or reply, last contact 120 days ago"),
    ("FRESH", "1", "inferred: new inquiry 2 days ago, not contacted yet; no quote or sample yet"),
    ("GONE", "0", "inferred: every inquiry lost"),
])
def test_stars_inferred_from_engagement(result, who, star, reason):
    assert stars(result, who) == (star, "inquiry", reason)
    assert "inferred" in stars(result, who)[2]


@pytest.mark.parametrize("who,star,start", [
    ("BIG", "3", "sample value 80.0 in the top 25% of sample customers"),
    ("BIG_ASK", "3", "requested quantity 5000 in the top 25% of sample customers"),
    ("DECLARED", "3", "declared 大B"),
    ("MID", "2", "average sample: 3 units, value 20.0"),
    ("MID2", "3", "sample value 90.0 in the top 25% of sample customers"),
    ("SMALL", "1", "small sample: 1 unit, value 12.0"),
    ("TINY", "0", "tiny sample (3.0), no contact for 200 days: leaning C"),
])
def test_sample_customers_by_predicted_size(result, who, star, start):
    got = stars(result, who)
    assert got[:2] == (star, "sample") and got[2].startswith(start), got


def test_deal_customers_get_no_stars(result):
    row = result.customers.loc["DEAL"]
    assert pd.isna(row["stars"]) and pd.isna(row["stars_group"])
    assert row["stars_reason"] == "not an inquiry or sample customer"


def test_stars_table_by_group(result):
    t = stars_table(result).set_index("code")
    assert list(t.index) == ["3", "2", "1", "0"]
    assert t["inquiry_customers"].sum() == 12 and t["sample_customers"].sum() == 7
    assert t.loc["3", "sample_customers"] == 4 and t.loc["0", "inquiry_customers"] == 4
    assert (t["customers"] == t["inquiry_customers"] + t["sample_customers"]).all()
    assert t.loc["3", "label"] == "3★" and stars_table(result, "zh").set_index("code").loc["3", "label"] == "3星客户"


def test_day_bands_are_settings():
    customers = frame({"x": {"inquiries": 1, "live_inquiries": 1, "expected_order_days": 10}})
    assert Stars().segment(customers, CONFIG)["stars"].tolist() == ["2"]
    config = CONFIG.with_overrides({"stars.three_star_days": 14})
    assert Stars().segment(customers, config)["stars"].tolist() == ["3"]


def test_bad_settings_are_usage_errors():
    from tiercli.errors import ConfigError

    customers = frame({"x": {"inquiries": 1, "live_inquiries": 1}})
    with pytest.raises(ConfigError, match="three_star_days <= two_star_days"):
        Stars().segment(customers, CONFIG.with_overrides({"stars.two_star_days": 100}))
    with pytest.raises(ConfigError, match="between 0 and 1"):
        Stars().segment(customers, CONFIG.with_overrides({"stars.sample_big_quantile": 75}))


@pytest.mark.parametrize("text,days", [
    ("7天内", 7), ("1个月内", 30), ("within 2 weeks", 14), ("3 months", 90), ("1-3 months", 90), ("两周", 14),
    ("十天", 10), ("半年", 182), ("半个月", 15), ("ASAP", 0), ("尽快", 0), ("3个月以上", 91), ("over 6 months", 181),
    ("45", 45), ("2 Weeks", 14), ("不确定", np.nan), ("", np.nan), (None, np.nan), ("next year maybe", np.nan),
])
def test_timeline_words_to_days(text, days):
    got = timeline_days(pd.Series([text], dtype="str")).iloc[0]
    assert (np.isnan(got) and np.isnan(days)) or got == days


def test_skipped_when_there_is_no_inquiry_or_sample_customer(tmp_path):
    folder = exports(tmp_path, orders=[order("C1", 3, oid="1"), order("C2", 5, oid="2")])
    result = run(folder)
    assert result.skipped["stars"] == "no inquiry or sample customers to rate"
    with pytest.raises(SegmenterSkipped):
        Stars().segment(result.customers, CONFIG)
    # asked for by name, it is an error that says why
    cli_result = CliRunner().invoke(cli, ["score", str(folder), "-o", str(tmp_path / "x.csv"), "--segmenters", "stars"])
    assert cli_result.exit_code == 2 and "no inquiry or sample customers" in cli_result.stderr


def test_skipped_with_a_note_when_neither_inquiries_nor_orders_exist():
    from tiercli.segmenters import base

    assert base.select(None, {"events"}).skipped["stars"] == "needs inquiries or orders data"
