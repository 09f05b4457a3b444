"""abc: Pareto classes of deal customers by value (SEGMENTERS.md "abc")."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tiercli.config import load_config
from tiercli.segmenters.abc import ABC

CONFIG = load_config(None, env={})
OLD = 400  # days since the last order (abc does not read recency)


def customers(rows: list[dict]) -> pd.DataFrame:
    """rows of id, value (net revenue), orders, days (since the last order), profit (optional)."""
    ids = [r["id"] for r in rows]
    freq = [r.get("orders", 1) for r in rows]
    return pd.DataFrame({
        "frequency": np.asarray(freq, dtype="int64"),
        "monetary": [float(r.get("value", 0.0)) for r in rows],
        "profit": [float(r["profit"]) if r.get("profit") is not None else np.nan for r in rows],
        "recency_days": pd.array([r.get("days", OLD) if f > 0 else None for r, f in zip(rows, freq)], dtype="Int64"),
    }, index=pd.Index(ids, name="customer_id", dtype="str"))


def seg(frame: pd.DataFrame, config=CONFIG) -> pd.DataFrame:
    return ABC().segment(frame, config)


def classes(out: pd.DataFrame) -> dict:
    return out["abc"].to_dict()


def test_a_b_c_by_cumulative_share_of_value():
    # total 1000: shares before each customer are 0, 50%, 70%, 80%, 90%, 95%; A inside 60%, B inside 80%
    rows = [dict(id="c1", value=500, orders=3), dict(id="c2", value=200, orders=2),
            dict(id="c3", value=100, orders=2), dict(id="c4", value=100, orders=5),
            dict(id="c5", value=50, orders=2), dict(id="c6", value=50, orders=1)]
    cfg = CONFIG.with_overrides({"abc.key_max_share": 1.0})  # six customers: the 30% cap would allow one
    out = seg(customers(rows), cfg)
    # c3 and c4 are equal: they share one place in the ranking (70% above them) and one class
    assert classes(out) == {"c1": "A", "c2": "A", "c3": "B", "c4": "B", "c5": "C", "c6": "C"}
    assert out["abc_rank"].tolist() == [1, 2, 3, 4, 5, 6]
    assert out["abc_cum_share"].tolist() == pytest.approx([0.5, 0.7, 0.8, 0.9, 0.95, 1.0])
    assert out["abc_value"].tolist() == [500, 200, 100, 100, 50, 50]
    assert "inside the top 60% of revenue" in out.loc["c1", "abc_reason"]
    assert "outside the top 80% of revenue" in out.loc["c5", "abc_reason"]


def test_one_order_is_never_a_or_b():
    # seed 003: C is the one-time customer, whatever its value (a big first order is tier_upgrade's business)
    rows = [dict(id="big_once", value=900, orders=1), dict(id="twice", value=100, orders=2)]
    out = seg(customers(rows), CONFIG.with_overrides({"abc.key_max_share": 1.0}))
    assert out.loc["big_once", "abc"] == "C"
    assert "one-time customer" in out.loc["big_once", "abc_reason"]
    assert out.loc["twice", "abc"] == "C"  # the customers ranked above hold 90%: outside the top 80%


def test_two_orders_on_one_day_are_one_visit():
    frame = customers([dict(id="split", value=900, orders=2), dict(id="twice", value=100, orders=2)])
    frame["purchase_days"] = [1.0, 2.0]
    out = seg(frame, CONFIG.with_overrides({"abc.key_max_share": 1.0}))
    assert out.loc["split", "abc"] == "C" and "2 orders placed on one day" in out.loc["split", "abc_reason"]


def test_key_customers_are_capped_at_a_share_of_buyers():
    # ten repeat buyers with equal-ish value: A + B would take most of them; the cap keeps 30%
    rows = [dict(id=f"c{i}", value=100 - i, orders=2) for i in range(10)]
    out = seg(customers(rows))
    assert (out["abc"].isin(["A", "B"])).sum() == 3
    assert out.loc[["c0", "c1", "c2"], "abc"].isin(["A", "B"]).all()  # the most valuable first
    assert "capped at 30% of buyers" in out.loc["c3", "abc_reason"]
    wide = seg(customers(rows), CONFIG.with_overrides({"abc.key_max_share": 0.5}))
    assert (wide["abc"].isin(["A", "B"])).sum() == 5


def test_a_b_stay_a_minority_on_a_long_tail():
    rng = np.random.default_rng(3)
    n = 400
    rows = [dict(id=f"c{i:03d}", value=float(v), orders=int(o)) for i, (v, o) in
            enumerate(zip(np.round(rng.lognormal(5, 1.5, n), 2), rng.integers(1, 6, n)))]
    out = seg(customers(rows))
    key = out["abc"].isin(["A", "B"])
    assert key.mean() <= 0.30 + 1e-9
    frame = customers(rows)
    assert (frame.loc[key, "frequency"] >= 2).all()


def test_customers_without_a_valid_non_sample_order_are_other():
    rows = [dict(id="buyer", value=100, orders=2), dict(id="inquiry", orders=0),
            dict(id="sample_only", orders=0, value=0)]
    out = seg(customers(rows))
    assert out.loc["inquiry", "abc"] == "other" and out.loc["sample_only", "abc"] == "other"
    assert pd.isna(out.loc["inquiry", "abc_rank"]) and pd.isna(out.loc["inquiry", "abc_value"])
    assert "inquiry or sample" in out.loc["inquiry", "abc_reason"]
    assert out.loc["buyer", "abc"] == "C" and out.loc["buyer", "abc_rank"] == 1  # one buyer: the cap is 0 key


def test_profit_is_the_value_when_cost_is_known():
    # by revenue r1 leads; by profit r2 does
    rows = [dict(id="r1", value=1000, profit=50, orders=2), dict(id="r2", value=400, profit=300, orders=2),
            dict(id="r3", value=100, profit=20, orders=2)]
    out = seg(customers(rows), CONFIG.with_overrides({"abc.key_max_share": 1.0}))
    assert out.loc["r2", "abc_rank"] == 1 and out.loc["r2", "abc_value"] == 300
    assert out.loc["r2", "abc"] == "A"
    assert out.loc["r1", "abc"] != "A"
    assert "of profit" in out.loc["r2", "abc_reason"]


def test_revenue_is_the_value_when_cost_is_unknown():
    rows = [dict(id="r1", value=1000, orders=2), dict(id="r2", value=400, orders=2)]
    out = seg(customers(rows))
    assert out.loc["r1", "abc_rank"] == 1 and "of revenue" in out.loc["r1", "abc_reason"]


def test_refunds_that_net_to_nothing_are_c():
    rows = [dict(id="good", value=500, orders=2), dict(id="refunded", value=0, orders=1),
            dict(id="negative", value=-50, orders=1)]
    out = seg(customers(rows))
    assert out.loc["refunded", "abc"] == "C" and out.loc["negative", "abc"] == "C"
    assert out.loc["good", "abc_cum_share"] == pytest.approx(1.0)


def test_equal_values_get_the_same_class():
    # the two 300s straddle the 70% line: both start inside it or neither does
    rows = [dict(id="x", value=400, orders=2), dict(id="m", value=300, orders=2), dict(id="a", value=300, orders=2)]
    out = seg(customers(rows), CONFIG.with_overrides({"abc.key_max_share": 1.0}))
    assert out.loc["a", "abc"] == out.loc["m", "abc"]
    assert out.loc["a", "abc"] == "A"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 50).map(lambda v: v * 10.0), st.integers(0, 4), st.integers(0, 400)),
                min_size=1, max_size=30))
def test_properties_on_random_customers(rows):
    frame = customers([dict(id=f"c{i:02d}", value=v, orders=o, days=d) for i, (v, o, d) in enumerate(rows)])
    out = seg(frame)
    deal = frame["frequency"] > 0
    assert set(out["abc"]) <= {"A", "B", "C", "other"}
    assert (out["abc"][~deal] == "other").all() and (out["abc"][deal] != "other").all()
    # A and B: repeat customers only, at most 30% of buyers
    assert (frame.loc[out["abc"].isin(["A", "B"]), "frequency"] >= 2).all()
    assert out["abc"].isin(["A", "B"]).sum() <= int(np.floor(0.3 * deal.sum() + 1e-9))
    # the same value, orders and recency: the same class
    key = frame.assign(abc=out["abc"]).groupby(["monetary", "frequency", "recency_days"], dropna=False)["abc"]
    assert (key.nunique() <= 1).all()
    # more value never means a lower class among customers with equal orders and recency
    rank = out["abc"].map({"A": 0, "B": 1, "C": 2, "other": 3})
    for _, g in frame.assign(r=rank).groupby(["frequency", "recency_days"]):
        g = g.sort_values("monetary", ascending=False)
        assert g["r"].is_monotonic_increasing
    # ranks are 1..n over deal customers
    assert sorted(out["abc_rank"].dropna().tolist()) == list(range(1, int(deal.sum()) + 1))


def test_window_restricts_the_value():
    cfg = CONFIG.with_overrides({"abc.window_days": 365})
    frame = customers([dict(id="old_whale", value=1000, orders=3), dict(id="recent", value=100, orders=3)])
    frame["value_window"] = [0.0, 100.0]
    out = seg(frame, cfg.with_overrides({"abc.key_max_share": 1.0}))
    assert out.loc["recent", "abc_rank"] == 1 and out.loc["recent", "abc"] == "A"


def test_one_customer_and_none():
    one = seg(customers([dict(id="solo", value=80, orders=2)]), CONFIG.with_overrides({"abc.key_max_share": 1.0}))
    assert one.loc["solo", "abc"] == "A" and one.loc["solo", "abc_cum_share"] == pytest.approx(1.0)
    once = seg(customers([dict(id="solo", value=80, orders=1)]))
    assert once.loc["solo", "abc"] == "C"
    none = seg(customers([]))
    assert len(none) == 0 and list(none.columns) == list(ABC.outputs)
    leads = seg(customers([dict(id="l1", orders=0), dict(id="l2", orders=0)]))
    assert (leads["abc"] == "other").all()


def test_all_one_time_buyers_have_no_a():
    rows = [dict(id=f"c{i}", value=100.0 * (i + 1), orders=1, days=10) for i in range(6)]
    out = seg(customers(rows))
    assert set(out["abc"]) == {"C"}  # one order each: one-time customers, whatever their value
