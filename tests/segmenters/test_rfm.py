"""rfm: quantile scores 1..5, the 11-segment map and the seed's four tiers (SEGMENTERS.md "rfm")."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tiercli.config import load_config
from tiercli.errors import ConfigError
from tiercli.segmenters.rfm import RFM, quantile_scores

CONFIG = load_config(None, env={})

# The map exactly as SEGMENTERS.md prints it: R digit then FM digit.
SPEC_MAP = """champions 55 54 45 · loyal 53 44 35 34 · potential_loyalist 52 42 33 43 · new 51 ·
promising 41 31 · need_attention 32 23 22 · about_to_sleep 21 · at_risk 25 24 13 · cant_lose 15 14 ·
hibernating 12 · lost 11"""
SPEC_CELLS = {}
for part in SPEC_MAP.replace("\n", " ").split("·"):
    code, *cells = part.split()
    for cell in cells:
        SPEC_CELLS[cell] = code


def customers(recency, frequency, monetary, ids=None) -> pd.DataFrame:
    """The columns rfm reads, typed like build_customers makes them."""
    n = len(frequency)
    ids = ids or [f"c{i:03d}" for i in range(n)]
    return pd.DataFrame({
        "recency_days": pd.array(recency, dtype="Int64"),
        "frequency": np.asarray(frequency, dtype="int64"),
        "monetary": np.asarray(monetary, dtype="float64"),
    }, index=pd.Index(ids, name="customer_id", dtype="str"))


def seg(frame: pd.DataFrame, config=CONFIG) -> pd.DataFrame:
    return RFM().segment(frame, config)


def expected_tier(r: int, f: int, m: int) -> str:
    if r >= 4 and f >= 4 and m >= 4:
        return "vip"
    if r <= 2:
        return "dormant"
    if m >= 4 and f <= 2:
        return "potential"
    return "general"


# ---------------------------------------------------------------- quantile scores

@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(0, 30), min_size=1, max_size=80), st.integers(3, 10))
def test_quantile_scores_ties_order_and_scale(values, bins):
    s = pd.Series(values, dtype="float64")
    scores = quantile_scores(s, bins)
    assert scores.notna().all()
    assert scores.between(1, bins).all()
    by_value = pd.DataFrame({"v": s, "score": scores}).groupby("v")["score"]
    assert (by_value.nunique() == 1).all(), "equal values split across scores"
    per_value = by_value.first()
    assert per_value.is_monotonic_increasing, "a larger value never scores lower"
    d = s.nunique()
    if d <= bins:  # few distinct values: each keeps its own score
        assert per_value.is_unique
    if d >= 2:  # the whole scale where the data allow
        assert scores.min() == 1 and scores.max() == bins
    if d >= bins:
        assert set(scores) == set(range(1, bins + 1))
    # deterministic and independent of row order
    shuffled = s.sample(frac=1.0, random_state=1)
    assert quantile_scores(shuffled, bins).reindex(s.index).equals(scores)


def test_quantile_scores_keep_missing_missing():
    s = pd.Series([1.0, np.nan, 3.0])
    out = quantile_scores(s, 5)
    assert out.isna().tolist() == [False, True, False]
    assert quantile_scores(pd.Series([np.nan, np.nan]), 5).isna().all()


def test_quantile_scores_are_roughly_equal_shares_on_continuous_data():
    s = pd.Series(np.arange(1000, dtype="float64"))
    counts = quantile_scores(s, 5).value_counts()
    assert sorted(counts.index) == [1, 2, 3, 4, 5]
    assert (counts == 200).all()


# ---------------------------------------------------------------- F with many one-time buyers

def test_many_one_time_buyers_neither_collapse_nor_split_f():
    freq = [1] * 70 + [2] * 15 + [3] * 8 + [4] * 4 + [7] * 2 + [12]
    n = len(freq)
    out = seg(customers(range(n), freq, np.linspace(10, 1000, n)))
    f = out["rfm_f"]
    assert f[:70].nunique() == 1, "F = 1 customers split across bins"
    assert f.iloc[0] == 1
    assert f.max() == 5, "F collapsed: the top of the scale is unused"
    assert f.nunique() == 5
    for value in set(freq):  # equal F, equal score
        assert f[np.array(freq) == value].nunique() == 1


def test_all_f_equal_one_gives_one_f_score_for_everyone():
    n = 40
    out = seg(customers(range(n), [1] * n, np.arange(n) * 10.0))
    assert out["rfm_f"].nunique() == 1
    assert out["rfm_m"].min() == 1 and out["rfm_m"].max() == 5  # M still uses the scale
    assert out["rfm"].notna().all() and out["rfm_tier"].notna().all()


def test_equal_values_get_equal_scores_and_labels():
    frame = customers([5, 5, 40, 40, 200, 10], [3, 3, 1, 1, 2, 6], [300.0, 300.0, 20.0, 20.0, 80.0, 900.0])
    out = seg(frame)
    for a, b in [(0, 1), (2, 3)]:
        assert out.iloc[a].tolist() == out.iloc[b].tolist()


# ---------------------------------------------------------------- the segment map and the four tiers

def _frame_with_target(r: int, f: int, m: int) -> pd.DataFrame:
    """Five customers whose R, F and M scores are each 1..5 once; customer 't' scores (r, f, m)."""
    others = lambda x: [v for v in range(1, 6) if v != x]  # noqa: E731
    rs, fs, ms = [r] + others(r), [f] + others(f), [m] + others(m)
    return customers([(6 - x) * 30 for x in rs], fs, [x * 100.0 for x in ms],
                     ids=["t", "u1", "u2", "u3", "u4"])


@pytest.mark.parametrize("r,f,m", list(itertools.product(range(1, 6), repeat=3)))
def test_every_score_combination_maps_as_the_spec_says(r, f, m):
    out = seg(_frame_with_target(r, f, m)).loc["t"]
    assert (out["rfm_r"], out["rfm_f"], out["rfm_m"]) == (r, f, m)
    assert out["rfm_score"] == f"{r}{f}{m}"
    fm = int(np.floor((f + m) / 2 + 0.5))
    assert out["rfm"] == SPEC_CELLS[f"{r}{fm}"]
    assert out["rfm_tier"] == expected_tier(r, f, m)


def test_spec_map_is_complete():
    assert sorted(SPEC_CELLS) == [f"{r}{fm}" for r in range(1, 6) for fm in range(1, 6)]


@pytest.mark.parametrize("r,f,m,label", [
    (5, 5, 5, "champions"), (1, 1, 1, "lost"), (1, 5, 5, "cant_lose"), (1, 4, 3, "cant_lose"),  # FM 3.5 -> 4
    (5, 1, 2, "potential_loyalist"),  # FM 1.5 rounds up to 2: 52
    (2, 1, 1, "about_to_sleep"), (5, 1, 1, "new"), (1, 2, 1, "hibernating"),  # FM 1.5 -> 2: 12
])
def test_named_cells(r, f, m, label):
    assert seg(_frame_with_target(r, f, m)).loc["t", "rfm"] == label


@pytest.mark.parametrize("r,f,m,tier", [
    (4, 4, 4, "vip"), (5, 5, 5, "vip"),
    (2, 5, 5, "dormant"),      # vip needs R >= 4; dormant before potential
    (1, 1, 5, "dormant"),
    (3, 2, 4, "potential"), (4, 1, 5, "potential"),
    (3, 3, 4, "general"), (4, 4, 3, "general"),
])
def test_rfm_tier_precedence(r, f, m, tier):
    assert seg(_frame_with_target(r, f, m)).loc["t", "rfm_tier"] == tier


# ---------------------------------------------------------------- other bin counts

def test_three_bins_rescale_to_five_for_the_map():
    cfg = CONFIG.with_overrides({"rfm.bins": 3})
    out = seg(customers([1, 50, 300], [9, 3, 1], [900.0, 90.0, 9.0], ids=["best", "mid", "worst"]), cfg)
    assert out["rfm_r"].tolist() == [3, 2, 1]  # raw scores stay on the configured scale
    assert out.loc["best", "rfm"] == "champions" and out.loc["best", "rfm_tier"] == "vip"
    assert out.loc["mid", "rfm"] == "potential_loyalist"  # 2 of 3 -> 3 of 5: cell 33
    assert out.loc["worst", "rfm"] == "lost" and out.loc["worst", "rfm_tier"] == "dormant"


def _diagonal(n: int) -> pd.DataFrame:
    """n customers, the i-th best in R, F and M alike, so raw scores are 1..n."""
    return customers([(n - i) * 10 for i in range(n)], range(1, n + 1), [100.0 * (i + 1) for i in range(n)])


DIAGONAL_LABEL = {v: SPEC_CELLS[f"{v}{v}"] for v in range(1, 6)}  # R = F = M = v on the five scale


def test_ten_bins_rescale_to_five_for_the_map():
    out = seg(_diagonal(10), CONFIG.with_overrides({"rfm.bins": 10}))
    assert out["rfm_r"].tolist() == list(range(1, 11))  # raw scores stay on the configured scale
    five = [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]  # two of the ten bins per point of five
    assert out["rfm"].tolist() == [DIAGONAL_LABEL[v] for v in five]
    assert out["rfm_tier"].tolist() == [expected_tier(v, v, v) for v in five]


def test_nine_bins_rescale_rounds_halves_up():
    """raw 2, 4, 6, 8 of 9 land on x.5 of the five scale; halves round up, as FM's do."""
    out = seg(_diagonal(9), CONFIG.with_overrides({"rfm.bins": 9}))
    assert out["rfm_r"].tolist() == list(range(1, 10))
    five = [1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert out["rfm"].tolist() == [DIAGONAL_LABEL[v] for v in five]


@pytest.mark.parametrize("bins", [2, 11])
def test_bins_outside_3_to_10_are_refused(bins):
    with pytest.raises(ConfigError, match="rfm.bins"):
        seg(customers([1, 2], [1, 2], [1.0, 2.0]), CONFIG.with_overrides({"rfm.bins": bins}))


# ---------------------------------------------------------------- non-buyers, one, none

def test_customers_without_an_order_get_no_rfm_label():
    out = seg(customers([None, 3, 30], [0, 2, 1], [0.0, 200.0, 50.0], ids=["lead", "a", "b"]))
    lead = out.loc["lead"]
    assert pd.isna(lead["rfm"]) and pd.isna(lead["rfm_tier"]) and pd.isna(lead["rfm_r"])
    assert lead["rfm_reason"] == "no paid order"
    # the lead does not take a score away from the buyers
    assert out.loc["a", "rfm_r"] == 5 and out.loc["b", "rfm_r"] == 1


def test_one_customer():
    out = seg(customers([10], [1], [50.0]))
    assert len(out) == 1
    assert out.iloc[0]["rfm"] in SPEC_CELLS.values()
    assert out.iloc[0]["rfm_tier"] in {"vip", "dormant", "potential", "general"}


def test_no_customers():
    out = seg(customers([], [], []))
    assert len(out) == 0
    assert list(out.columns) == list(RFM.outputs)


def test_reason_reads_the_numbers():
    out = seg(customers([3, 300], [4, 1], [800.0, 10.0], ids=["a", "b"]))
    assert out.loc["a", "rfm_reason"].startswith("R5 (3 days) · F5 (4 orders) · M5")


def test_non_buyers_stay_unlabelled_with_other_bin_counts():
    cfg = CONFIG.with_overrides({"rfm.bins": 3})
    out = seg(customers([None, 3, 30, 90], [0, 2, 1, 1], [0.0, 200.0, 50.0, 5.0], ids=["lead", "a", "b", "c"]), cfg)
    assert pd.isna(out.loc["lead", "rfm"]) and out.loc["a", "rfm"] == "champions"
