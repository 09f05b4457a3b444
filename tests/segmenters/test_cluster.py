"""cluster: k-means behaviour groups, named by what sets them apart.

The books here are generated with planted behaviours (no real people), so what the groups should be is known
without running the segmenter: frequent big wholesale buyers, lapsed one-time small buyers, new buyers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tiercli.config import load_config
from tiercli.errors import ConfigError, InputError
from tiercli.segmenters import base
from tiercli.segmenters.base import SegmenterSkipped, label
from tiercli.segmenters.cluster import SLOTS, Cluster, _name, features, profiles, scaled

CONFIG = load_config(None, env={})


def book(seed: int = 3, n: tuple[int, int, int] = (60, 90, 40)) -> pd.DataFrame:
    """A customers frame with three planted behaviours and a few non-buyers (inquiry-only leads)."""
    rng = np.random.default_rng(seed)
    rows = []

    def add(prefix: str, count: int, freq, recency, tenure, aov, units, gap) -> None:
        for i in range(count):
            f = int(freq())
            a = float(aov())
            t = int(tenure())
            rows.append({"customer_id": f"{prefix}{i:03d}", "frequency": f, "recency_days": min(int(recency()), t),
                         "tenure_days": t, "monetary": round(a * f, 2), "revenue": round(a * f, 2), "aov": a,
                         "units": float(units() * f), "median_gap_days": float(gap()) if f > 1 else np.nan,
                         "sample_orders": 0, "inquiries": 0})

    # frequent big wholesale buyers: many orders, recent, big and bulky orders
    add("W", n[0], lambda: rng.integers(8, 30), lambda: rng.integers(1, 25), lambda: rng.integers(300, 700),
        lambda: rng.gamma(20, 60), lambda: rng.integers(200, 800), lambda: rng.integers(10, 30))
    # lapsed one-time small buyers: one order long ago, small
    add("L", n[1], lambda: 1, lambda: rng.integers(250, 600), lambda: rng.integers(250, 600),
        lambda: rng.gamma(10, 4), lambda: rng.integers(1, 4), lambda: 0)
    # new buyers: one or two orders within the last month, middling orders
    add("N", n[2], lambda: rng.integers(1, 3), lambda: rng.integers(0, 20), lambda: rng.integers(5, 30),
        lambda: rng.gamma(10, 20), lambda: rng.integers(10, 60), lambda: rng.integers(3, 10))
    for i in range(5):  # leads: no paid order, no group
        rows.append({"customer_id": f"Q{i:03d}", "frequency": 0, "recency_days": pd.NA, "tenure_days": pd.NA,
                     "monetary": 0.0, "revenue": 0.0, "aov": np.nan, "units": np.nan, "median_gap_days": np.nan,
                     "sample_orders": 0, "inquiries": 2})
    frame = pd.DataFrame(rows).set_index("customer_id")
    for col in ("recency_days", "tenure_days"):
        frame[col] = frame[col].astype("Int64")
    return frame.sort_index()


def segment(frame: pd.DataFrame, **settings) -> tuple[pd.DataFrame, list[str]]:
    seg = Cluster()
    out = seg.segment(frame, CONFIG.with_overrides(settings) if settings else CONFIG)
    return out, seg.notes


def test_planted_behaviours_are_found_and_named_by_what_sets_them_apart():
    frame = book()
    out, notes = segment(frame)
    groups = out["cluster"].dropna()
    by_prefix = groups.groupby(groups.index.str[0]).agg(lambda s: s.value_counts().index[0])
    purity = groups.groupby(groups.index.str[0]).agg(lambda s: s.value_counts(normalize=True).iloc[0])
    assert out.loc[frame["frequency"] == 0, "cluster"].isna().all()
    assert (out.loc[frame["frequency"] == 0, "cluster_reason"] == "no paid order").all()
    assert (purity[["W", "L", "N"]] >= 0.95).all(), purity
    assert by_prefix["W"] != by_prefix["L"] != by_prefix["N"] != by_prefix["W"]
    w, lapsed, new = by_prefix["W"], by_prefix["L"], by_prefix["N"]
    assert "frequent" in w and ("big_spend" in w or "big_order" in w), w
    assert "lapsed" in lapsed and "one_time" in lapsed, lapsed
    assert new.startswith("new") or "_new" in new, new
    assert label("cluster", lapsed, "en").startswith("Lapsed one-time")
    assert "流失一次性" in label("cluster", lapsed, "zh")
    assert "k = 3 chosen" in notes[0] and "silhouette k=2" in notes[0] and "k=8" in notes[0]
    # the reason says what sets the group apart, with the customer's own figure beside the group's and the book's
    r = out.loc["L000", "cluster_reason"]
    assert r.startswith(label("cluster", lapsed, "en") + ", 90 of 190 buyers: ")
    assert "Days since last order" in r and "(group " in r and "all buyers " in r


def test_deterministic_and_independent_of_row_order():
    frame = book()
    a, notes_a = segment(frame)
    b, notes_b = segment(frame)
    pd.testing.assert_frame_equal(a, b)
    assert notes_a == notes_b
    shuffled = frame.sample(frac=1.0, random_state=11)
    c, _notes = segment(shuffled)
    pd.testing.assert_frame_equal(c.loc[frame.index], a)


def test_fewer_buyers_than_max_k():
    frame = book(n=(2, 2, 1))  # five buyers, max_k 8
    out, notes = segment(frame)
    groups = out["cluster"].dropna()
    assert len(groups) == 5 and 2 <= groups.nunique() <= 4
    assert any("at most 4 groups were tried (cluster.max_k = 8)" in n for n in notes), notes
    assert "k=5" not in notes[0]


def test_a_single_customer_book_is_skipped_with_the_reason():
    frame = book().iloc[[0]]
    with pytest.raises(SegmenterSkipped, match="1 buyers with 1 different behaviours: groups need at least 3"):
        segment(frame)
    # in a run: skipped with the reason when it runs by default, an error when asked for by name
    skipped: dict[str, str] = {}
    out = base.run(frame, CONFIG, [Cluster], skipped=skipped)
    assert "groups need at least 3 buyers who differ" in skipped["cluster"] and "cluster" not in out
    with pytest.raises(InputError, match="cluster: 1 buyers"):
        base.run(frame, CONFIG, [Cluster], requested={"cluster"})


def test_only_non_buyers_get_no_group_and_no_error():
    frame = book()
    out, _notes = segment(frame[frame["frequency"] == 0])
    assert out["cluster"].isna().all() and len(out) == 5


@pytest.mark.parametrize("lo, hi", [(1, 8), (5, 4)])
def test_bad_k_bounds_are_a_config_error(lo, hi):
    with pytest.raises(ConfigError, match="need 2 <= min_k <= max_k"):
        segment(book(), **{"cluster.min_k": lo, "cluster.max_k": hi})


def test_k_is_bounded_by_the_settings():
    out, notes = segment(book(), **{"cluster.min_k": 4, "cluster.max_k": 5})
    assert "silhouette k=4" in notes[0] and "k=3" not in notes[0] and "k=6" not in notes[0]
    assert 2 <= out["cluster"].nunique() <= 5  # names that coincide are one group


def test_scale_keeps_heavy_tails_from_deciding_alone():
    frame = book()
    frame.loc["W000", ["monetary", "revenue", "aov"]] = 1e9  # one absurd account
    x = scaled(features(frame))
    assert x["monetary"].abs().max() < 10  # log scale: it is far, not a thousand standard deviations away
    assert "sample_orders" not in x and "inquiries" not in x  # nobody who bought has any: left out


def test_names_in_english_and_chinese():
    assert _name({"status": "lapsed", "frequency": "one_time"}) == (
        "lapsed_one_time", "Lapsed one-time buyers", "流失一次性客户")
    assert _name({"frequency": "frequent", "size": "small_order", "batch": "bulk"}) == (
        "frequent_small_order_bulk", "Frequent small-order bulk buyers", "高频小单大批量客户")
    assert _name({"size": "big_spend", "extra": "samples"}) == (
        "big_spend_samples", "Big-spending buyers who order samples", "高消费客户(常要样品)")
    assert _name({}) == ("typical", "Typical buyers", "一般客户")
    labels = Cluster.labels
    assert len(set(labels)) == len(labels) == len({en for en, _zh in labels.values()})
    assert len({zh for _en, zh in labels.values()}) == len(labels)
    codes = list(labels)
    # display order: the most valuable behaviour first
    assert codes.index("frequent_big_spend") < codes.index("one_time_low_spend")
    assert codes.index("active_frequent") < codes.index("lapsed_one_time")
    for slot, words in SLOTS.items():
        for code in words:
            assert any(code in c.split("_") or code in c for c in codes), (slot, code)


def test_profiles_put_each_group_beside_the_whole_book():
    frame = book()
    out, _notes = segment(frame)
    tagged = frame.join(out)
    p = profiles(tagged, "en").set_index("code")
    assert p.loc["all", "customers"] == 190 and p.loc["all", "label"] == "All buyers"
    assert p.loc["all", "share"] == 1.0 and p.drop(index="all")["share"].sum() == pytest.approx(1.0)
    assert list(p.index[:-1]) == [c for c in Cluster.labels if c in set(out["cluster"].dropna())]
    assert p.drop(index="all")["customers"].sum() == 190
    lapsed = tagged.loc["L000", "cluster"]
    assert p.loc[lapsed, "frequency"] == 1
    assert p.loc[lapsed, "recency_days"] == tagged.loc[tagged["cluster"] == lapsed, "recency_days"].astype(
        "float64").median()
    assert p.loc["all", "monetary"] == frame.loc[frame["frequency"] > 0, "monetary"].median()


def test_opt_in_keeps_it_out_of_the_default_run_unless_enabled():
    names = [c.name for c in base.select(None, {"orders"}, CONFIG).run]
    assert "cluster" not in names and "rfm" in names
    on = CONFIG.with_overrides({"cluster.enabled": True})
    assert "cluster" in [c.name for c in base.select(None, {"orders"}, on).run]
    assert [c.name for c in base.select(["cluster"], {"orders"}, CONFIG).run] == ["cluster"]
    assert base.select(None, set(), on).skipped["cluster"] == "needs orders data"


# ---------------------------------------------------------------- what tiercli backtest holds it to


def _groups_backtest(bought: dict[str, tuple[int, int]], spend_each: dict[str, float]):
    """A Backtest of one unordered label: group -> (customers, of whom bought again) and spend per buyer."""
    from types import SimpleNamespace

    from tiercli.backtest import Backtest

    rows = []
    for g, (n, b) in bought.items():
        for i in range(n):
            rows.append({"id": f"{g}{i:04d}", "cluster": g, "bought": i < b,
                         "spend": spend_each[g] * (1 + (i % 7) / 10) if i < b else 0.0})
    frame = pd.DataFrame(rows).set_index("id")
    out = frame[["bought", "spend"]].assign(orders=frame["bought"].astype("int64"),
                                            purchase_days=frame["bought"].astype("int64"))
    t = frame.groupby("cluster", sort=False).agg(customers=("bought", "size"), bought=("bought", "sum"),
                                                   spend=("spend", "sum"))
    t["repeat_rate"] = t["bought"] / t["customers"]
    t["spend_per_customer"] = t["spend"] / t["customers"]
    t = pd.concat([t, pd.DataFrame({"customers": [len(frame)], "bought": [frame["bought"].sum()]}, index=["all"])])
    result = SimpleNamespace(customers=frame[["cluster"]], ran=[Cluster], segmenter_names=["cluster"])
    bt = Backtest(result, pd.Timestamp("2025-01-01"), pd.Timestamp("2025-04-01"), out)
    bt.classes = {"cluster": t.reset_index(names="label")}
    return bt


def test_backtest_judges_whether_the_groups_differ():
    from tiercli.backtest import differ_verdict

    apart = _groups_backtest({"active_frequent": (100, 80), "lapsed_one_time": (100, 20)},
                             {"active_frequent": 500.0, "lapsed_one_time": 100.0})
    ok, line = differ_verdict(apart, "cluster")
    assert ok is True
    assert line.startswith("cluster: the groups' repeat rates differ beyond chance (chi-square p = ")
    assert "active_frequent 80%, lapsed_one_time 20%" in line and "spend per customer differs" in line

    alike = _groups_backtest({"active_frequent": (100, 50), "lapsed_one_time": (100, 50)},
                             {"active_frequent": 100.0, "lapsed_one_time": 100.0})
    ok, line = differ_verdict(alike, "cluster")
    assert ok is False and "do NOT differ" in line and "does NOT differ" in line

    small = _groups_backtest({"active_frequent": (100, 80), "lapsed_one_time": (10, 2)},
                             {"active_frequent": 500.0, "lapsed_one_time": 100.0})
    ok, line = differ_verdict(small, "cluster")
    assert ok is None and "too few to judge" in line
    ok, line = differ_verdict(apart, "cluster", "zh")
    assert ok is True and line.startswith("聚类分群") and "活跃高频客户" in line  # the words: zh from the catalog


def test_a_move_between_groups_is_neither_up_nor_down():
    from tiercli.history import migrations

    old = pd.DataFrame({"cluster": ["lapsed_one_time", "active_frequent"]}, index=["A", "B"])
    new = pd.DataFrame({"cluster": ["active_frequent", "lapsed_one_time"]}, index=["A", "B"])
    _summary, detail = migrations(old, new)
    assert set(detail["direction"]) == {"moved"}
