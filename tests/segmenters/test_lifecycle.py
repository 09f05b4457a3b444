"""lifecycle: new / one_time / growing / mature / declining, with the signal that fired."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tiercli.config import load_config
from tiercli.segmenters.lifecycle import Lifecycle

CONFIG = load_config(None, env={})

GAP = "usual gap"
SPEND = "spend of the last 90 days under 50%"
AOV = "last three orders' average under 60%"


def customers(rows: list[dict]) -> pd.DataFrame:
    """rows: id, orders, first (days since the first order), last (days since the last), gap (median gap),
    last90/prev90 (spend), aov3/aov_before (AOV of the last three orders / of the earlier ones)."""
    def col(key, default=np.nan):
        return [float(r[key]) if r.get(key) is not None else default for r in rows]

    freq = np.asarray([r.get("orders", 1) for r in rows], dtype="int64")
    return pd.DataFrame({
        "frequency": freq,
        "tenure_days": pd.array([r.get("first", r.get("last")) if f else None for r, f in zip(rows, freq)],
                                dtype="Int64"),
        "recency_days": pd.array([r.get("last") if f else None for r, f in zip(rows, freq)], dtype="Int64"),
        "median_gap_days": col("gap"),
        "aov_last3": col("aov3"),
        "aov_before_last3": col("aov_before"),
        "spend_last_90d": col("last90", 0.0),
        "spend_prev_90d": col("prev90", 0.0),
    }, index=pd.Index([r["id"] for r in rows], name="customer_id", dtype="str")).assign(
        purchase_days=[float(r.get("days", min(int(f), 2) if r.get("first") != r.get("last") else min(int(f), 1)))
                       if f else np.nan for r, f in zip(rows, freq)])


def seg(frame, config=CONFIG):
    return Lifecycle().segment(frame, config)


def one(config=CONFIG, **row):
    return seg(customers([dict(id="x", **row)]), config).loc["x"]


@pytest.mark.parametrize("days,label", [(0, "new"), (90, "new"), (91, "one_time")])
def test_one_order_is_new_within_90_days(days, label):
    out = one(orders=1, first=days, last=days)
    assert out["lifecycle"] == label
    if label == "new":
        assert out["lifecycle_reason"] == f"first and only order {days} days ago"
    else:  # a one-time buyer who never came back is not new any more
        assert out["lifecycle_reason"] == f"one order, {days} days ago, never a second"


@pytest.mark.parametrize("first,label", [(30, "growing"), (365, "growing"), (366, "mature"), (900, "mature")])
def test_repeat_buyers_growing_then_mature(first, label):
    out = one(orders=4, first=first, last=10, gap=20, last90=100, prev90=100)
    assert out["lifecycle"] == label
    assert out["lifecycle_reason"].startswith(f"4 orders {'since' if label == 'growing' else 'over'} {first} days")


def test_declining_when_the_gap_since_the_last_order_is_over_twice_the_usual():
    out = one(orders=5, first=700, last=61, gap=30, last90=0, prev90=0)
    assert out["lifecycle"] == "declining"
    assert out["lifecycle_reason"] == "no order for 61 days, over 2x the usual gap of 30 days"
    assert one(orders=5, first=700, last=60, gap=30)["lifecycle"] == "mature"  # exactly twice: still on rhythm


def test_declining_when_recent_spend_halves():
    out = one(orders=6, first=700, last=5, gap=30, last90=49, prev90=100)
    assert out["lifecycle"] == "declining"
    assert out["lifecycle_reason"] == "spend of the last 90 days under 50% of the 90 before"
    assert one(orders=6, first=700, last=5, gap=30, last90=50, prev90=100)["lifecycle"] == "mature"


def test_no_earlier_spend_is_not_a_drop():
    assert one(orders=2, first=40, last=5, gap=35, last90=100, prev90=0)["lifecycle"] == "growing"


def test_declining_when_the_last_three_orders_are_smaller():
    out = one(orders=8, first=200, last=3, gap=20, aov3=59, aov_before=100, last90=300, prev90=300)
    assert out["lifecycle"] == "declining"
    assert out["lifecycle_reason"] == "last three orders' average under 60% of the earlier average"
    assert one(orders=8, first=200, last=3, gap=20, aov3=60, aov_before=100)["lifecycle"] == "growing"
    # three orders only: nothing earlier to compare with
    assert one(orders=3, first=200, last=3, gap=20, aov3=10)["lifecycle"] == "growing"


def test_every_signal_that_fired_is_named():
    out = one(orders=9, first=800, last=200, gap=40, last90=0, prev90=500, aov3=10, aov_before=100)
    assert out["lifecycle"] == "declining"
    parts = out["lifecycle_reason"].split("; ")
    assert len(parts) == 3
    assert GAP in parts[0] and SPEND in parts[1] and AOV in parts[2]


def test_thresholds_are_configurable():
    cfg = CONFIG.with_overrides({"lifecycle.new_days": 30, "lifecycle.gap_factor": 3})
    assert one(cfg, orders=1, first=45, last=45)["lifecycle"] == "one_time"
    assert one(cfg, orders=5, first=700, last=80, gap=30)["lifecycle"] == "mature"
    assert one(cfg, orders=5, first=700, last=91, gap=30)["lifecycle_reason"].startswith("no order for 91 days, over 3x")


def test_orders_all_on_one_day_are_one_visit():
    out = one(orders=2, first=100, last=100)  # a split cart: one purchase day
    assert out["lifecycle"] == "one_time" and out["lifecycle_reason"] == "2 orders on one day, 100 days ago, never another day"
    fresh = one(orders=3, first=10, last=10)
    assert fresh["lifecycle"] == "new" and fresh["lifecycle_reason"] == "3 orders on one day, 10 days ago"


def test_non_buyers_one_and_none():
    out = seg(customers([dict(id="lead", orders=0), dict(id="b", orders=1, first=3, last=3)]))
    assert pd.isna(out.loc["lead", "lifecycle"]) and out.loc["lead", "lifecycle_reason"] == "no paid order"
    assert out.loc["b", "lifecycle"] == "new"
    none = seg(customers([]))
    assert len(none) == 0 and list(none.columns) == list(Lifecycle.outputs)


def test_equal_customers_get_equal_labels():
    row = dict(orders=3, first=500, last=70, gap=30, last90=10, prev90=100)
    out = seg(customers([dict(id="a", **row), dict(id="b", **row)]))
    assert out.loc["a"].tolist() == out.loc["b"].tolist()


def test_all_one_time_buyers_are_new_or_lapsed():
    rows = [dict(id=f"c{i}", orders=1, first=d, last=d) for i, d in enumerate([1, 30, 90, 91, 400])]
    out = seg(customers(rows))
    assert out["lifecycle"].tolist() == ["new", "new", "new", "one_time", "one_time"]
    assert "declining" not in set(out["lifecycle"])  # a single order never "declined": it never rose
    assert not out["lifecycle"].isin(["growing", "mature"]).any()
