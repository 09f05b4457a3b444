"""tier: key / ordinary / small / potential / blacklisted, upgrade potential and the 0..100 score."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tiercli.config import load_config
from tiercli.segmenters.tier import Tier

CONFIG = load_config(None, env={})


def customers(rows: list[dict]) -> pd.DataFrame:
    """What tier reads: features plus abc's outputs.  rows: id, abc, value, orders, last90, prev90, black."""
    freq = np.asarray([r.get("orders", 1) for r in rows], dtype="int64")
    value = np.asarray([float(r.get("value", 0.0)) for r in rows])
    revenue = np.asarray([float(r.get("revenue", r.get("value", 0.0))) for r in rows])
    deal = freq > 0
    return pd.DataFrame({
        "frequency": freq,
        "revenue": revenue,
        "profit": [float(r["profit"]) if r.get("profit") is not None else np.nan for r in rows],
        "aov": np.where(deal, revenue / np.maximum(freq, 1), np.nan),
        "blacklisted": [bool(r.get("black", False)) for r in rows],
        "abc": [r.get("abc", "C" if f else "other") for r, f in zip(rows, freq)],
        "abc_value": np.where(deal, value, np.nan),
        "spend_last_90d": [float(r.get("last90", 0.0)) for r in rows],
        "spend_prev_90d": [float(r.get("prev90", 0.0)) for r in rows],
    }, index=pd.Index([r["id"] for r in rows], name="customer_id", dtype="str"))


def seg(frame, config=CONFIG):
    return Tier().segment(frame, config)


def test_the_five_tiers():
    rows = [dict(id="a", abc="A", value=900, orders=5), dict(id="b", abc="B", value=300, orders=1),
            dict(id="rep", value=20, orders=2), dict(id="big1", value=100, orders=1),
            dict(id="tiny", value=10, orders=1), dict(id="mid", value=50, orders=1),
            dict(id="lead", orders=0), dict(id="bad", abc="A", value=800, orders=4, black=True)]
    out = seg(customers(rows))
    # median of deal values: 900 300 20 100 10 50 800 -> 100
    assert out["tier"].to_dict() == {"a": "key", "b": "key", "rep": "ordinary", "big1": "small",
                                     "tiny": "small", "mid": "small", "lead": "potential", "bad": "blacklisted"}


def test_ordinary_by_value_above_the_median():
    rows = [dict(id=f"c{i}", value=v, orders=1) for i, v in enumerate([10, 20, 30, 40, 50])]
    out = seg(customers(rows))
    assert out["tier"].tolist() == ["small", "small", "small", "ordinary", "ordinary"]
    assert out.loc["c4", "tier_reason"].startswith("value above the median of deal customers")
    assert out.loc["c0", "tier_reason"].startswith("one order")


def test_blacklisted_always_wins():
    rows = [dict(id="key", abc="A", value=900, orders=5, black=True), dict(id="lead", orders=0, black=True),
            dict(id="rep", value=20, orders=3, black=True), dict(id="ok", value=5, orders=1)]
    out = seg(customers(rows))
    assert out["tier"].tolist() == ["blacklisted"] * 3 + ["small"]
    assert (out["tier_reason"][:3] == "on the blacklist").all()
    assert not out["tier_upgrade"][:3].any()


def test_missing_blacklist_flag_is_not_blacklisted():
    frame = customers([dict(id="x", value=5, orders=1), dict(id="y", value=5, orders=1)])
    frame["blacklisted"] = pd.array([pd.NA, True], dtype="boolean")
    assert seg(frame)["tier"].tolist() == ["small", "blacklisted"]


def test_upgrade_when_recent_spend_grows_over_one_and_a_half_times():
    rows = [dict(id="grows", value=60, orders=3, last90=40, prev90=20),
            dict(id="exactly", value=50, orders=3, last90=30, prev90=20),   # 1.5x is not above 1.5x
            dict(id="new_only", value=30, orders=3, last90=30, prev90=0),   # nothing before to grow from
            dict(id="key", abc="A", value=900, orders=9, last90=600, prev90=100)]
    out = seg(customers(rows))
    assert out["tier_upgrade"].tolist() == [True, False, False, False]  # key customers are already key
    assert "upgrade: spend of the last 90 days above 1.5x" in out.loc["grows", "tier_reason"]
    assert "upgrade" not in out.loc["exactly", "tier_reason"]


def test_upgrade_for_big_baskets_with_few_orders():
    # AOV: 10 20 30 40 50 60 70 80 -> top quartile from 62.5
    rows = [dict(id=f"c{i}", value=10.0 * (i + 1), orders=1) for i in range(8)]
    rows[7]["orders"] = 1
    rows.append(dict(id="many", value=800.0, orders=10))  # aov 80 but ten orders
    out = seg(customers(rows))
    flagged = out.index[out["tier_upgrade"]].tolist()
    assert flagged == ["c6", "c7"]
    assert out.loc["c7", "tier_reason"].endswith("upgrade: big average order, few orders")
    cfg = CONFIG.with_overrides({"tier.upgrade_max_orders": 10})
    assert seg(customers(rows), cfg).loc["many", "tier_upgrade"]


def test_score_is_0_to_100_and_zero_without_a_deal():
    rows = [dict(id=f"c{i}", value=v, orders=o) for i, (v, o) in enumerate([(5, 1), (50, 2), (500, 7), (90, 1)])]
    rows.append(dict(id="lead", orders=0))
    out = seg(customers(rows))
    assert out["tier_score"].between(0, 100).all()
    assert out.loc["lead", "tier_score"] == 0
    assert out.loc["c2", "tier_score"] == 100  # the best at everything
    assert (out["tier_score"].drop("lead") > 0).all()


def test_score_is_monotone_in_revenue_and_equal_for_equal_customers():
    values = [10, 20, 20, 40, 80, 160]
    out = seg(customers([dict(id=f"c{i}", value=v, orders=2) for i, v in enumerate(values)]))
    s = out["tier_score"]
    assert s.is_monotonic_increasing
    assert s["c1"] == s["c2"]
    assert s["c5"] > s["c4"] > s["c3"] > s["c2"] > s["c0"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 40).map(float), st.integers(0, 6)), min_size=1, max_size=25),
       st.floats(0.0, 1.0), st.floats(0.0, 1.0))
def test_score_properties(rows, w1, w2):
    cfg = CONFIG.with_overrides({"tier.weight_revenue": w1 + 0.01, "tier.weight_profit": w2})
    frame = customers([dict(id=f"c{i:02d}", value=v, orders=o) for i, (v, o) in enumerate(rows)])
    out = seg(frame, cfg)
    s = out["tier_score"]
    assert s.between(0, 100).all()
    deal = frame["frequency"] > 0
    assert (s[~deal] == 0).all()
    for _, g in frame.assign(s=s)[deal].groupby("frequency"):  # same orders: more revenue, no lower score
        g = g.sort_values(["revenue", "s"])
        assert g["s"].is_monotonic_increasing
        assert (g.groupby("revenue")["s"].nunique() == 1).all()
    assert set(out["tier"]) <= set(Tier.labels)


def test_all_leads_and_no_customers():
    out = seg(customers([dict(id="l1", orders=0), dict(id="l2", orders=0)]))
    assert out["tier"].tolist() == ["potential", "potential"]
    assert not out["tier_upgrade"].any()
    assert out["tier_reason"].iloc[0] == "no paid order yet (inquiry, sample or visitor)"
    none = seg(customers([]))
    assert len(none) == 0 and list(none.columns) == list(Tier.outputs)


def test_one_customer():
    out = seg(customers([dict(id="solo", value=30, orders=1)]))
    assert out.loc["solo", "tier"] == "small"
    assert 0 < out.loc["solo", "tier_score"] <= 100


@pytest.mark.parametrize("profit", [None, 5.0])
def test_profit_counts_in_the_score_when_known(profit):
    rows = [dict(id="hi_rev", value=100, revenue=100, orders=1, profit=profit),
            dict(id="lo_rev", value=90, revenue=90, orders=1, profit=80.0 if profit is not None else None)]
    out = seg(customers(rows))
    if profit is None:
        assert out.loc["hi_rev", "tier_score"] > out.loc["lo_rev", "tier_score"]
    else:  # revenue weighs 0.4, profit 0.3: the higher-revenue one still leads, by less
        gap_known = out.loc["hi_rev", "tier_score"] - out.loc["lo_rev", "tier_score"]
        assert 0 < gap_known < 40


def test_all_one_time_buyers():
    rows = [dict(id=f"c{i}", value=10.0 * (i + 1), orders=1) for i in range(6)]
    out = seg(customers(rows))
    assert out["tier"].tolist() == ["small"] * 3 + ["ordinary"] * 3  # above the median of 35
    s = out["tier_score"]
    assert s.is_monotonic_increasing and s.is_unique
