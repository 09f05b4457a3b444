"""buyer_type: big B / small B / C from a business_type column, else from behaviour (SEGMENTERS.md)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tiercli.config import load_config
from tiercli.segmenters.buyer_type import BuyerType

CONFIG = load_config(None, env={})


def customers(rows: list[dict], currency: str = "USD", rates: dict | None = None) -> pd.DataFrame:
    """rows: id, orders, units (median per order), aov (median order value), annual, declared.
    ``currency`` and ``rates`` are the frame's attrs, as build_customers sets them (the amounts' currency)."""
    freq = np.asarray([r.get("orders", 1) for r in rows], dtype="int64")
    frame = pd.DataFrame({
        "frequency": freq,
        "median_units": [float(r.get("units", 1)) if f else np.nan for r, f in zip(rows, freq)],
        "median_order_value": [float(r.get("aov", 20)) if f else np.nan for r, f in zip(rows, freq)],
        "annual_value": [float(r.get("annual", r.get("aov", 20))) for r in rows],
        "business_type": pd.array([r.get("declared") for r in rows], dtype="str"),
    }, index=pd.Index([r["id"] for r in rows], name="customer_id", dtype="str"))
    frame.attrs.update(currency=currency, rates=dict(rates or {}))
    return frame


def seg(frame, config=CONFIG):
    return BuyerType().segment(frame, config)


@pytest.mark.parametrize("units,aov,b2b", [(50, 500, False), (51, 10, True), (2, 501, True), (1, 20, False)])
def test_behaviour_thresholds(units, aov, b2b):
    out = seg(customers([dict(id="x", units=units, aov=aov)]))
    assert (out.loc["x", "buyer_type"] in ("big_b", "small_b")) is b2b
    if not b2b:
        assert out.loc["x", "buyer_type"] == "c" and out.loc["x", "buyer_type_reason"] == "small orders"
    elif units > 50:
        assert out.loc["x", "buyer_type_reason"].startswith(f"median {units} units per order")
    else:
        assert out.loc["x", "buyer_type_reason"].startswith(f"median order value {aov}")


def test_thresholds_are_configurable():
    cfg = CONFIG.with_overrides({"buyer_type.b2b_units": 10, "buyer_type.b2b_value": 100})
    out = seg(customers([dict(id="u", units=11), dict(id="v", aov=101), dict(id="c", units=10, aov=100)]), cfg)
    assert out["buyer_type"].tolist()[:2] != ["c", "c"] and out.loc["c", "buyer_type"] == "c"
    assert out.loc["u", "buyer_type"] != "c" and out.loc["v", "buyer_type"] != "c"


@pytest.mark.parametrize("declared", ["批发商", "Wholesale", "distributor", "Retailer", "公司"])
def test_a_declared_business_wins_over_small_orders(declared):
    out = seg(customers([dict(id="x", units=1, aov=10, declared=declared)]))
    assert out.loc["x", "buyer_type"] in ("big_b", "small_b")
    assert out.loc["x", "buyer_type_reason"].startswith(f"declared '{declared}'")


@pytest.mark.parametrize("declared", ["个人", "Individual", "consumer", "C"])
def test_a_declared_consumer_wins_over_big_orders(declared):
    out = seg(customers([dict(id="x", units=5000, aov=90000, declared=declared)]))
    assert out.loc["x", "buyer_type"] == "c"
    assert out.loc["x", "buyer_type_reason"] == f"declared '{declared}'"


def test_behaviour_decides_where_the_column_is_empty():
    out = seg(customers([dict(id="decl", declared="个人", units=900), dict(id="blank", units=900),
                         dict(id="blank_small", units=2)]))
    assert out["buyer_type"].to_dict() == {"decl": "c", "blank": "big_b", "blank_small": "c"}


def test_big_b_is_the_top_fifth_of_b2b_by_annual_value():
    rows = [dict(id=f"b{i}", units=100, annual=1000.0 * (i + 1)) for i in range(10)]
    rows += [dict(id=f"c{i}", units=1, annual=50_000.0) for i in range(3)]  # big spenders but not B2B
    out = seg(customers(rows))
    big = out.index[out["buyer_type"] == "big_b"].tolist()
    assert big == ["b8", "b9"]
    assert (out.loc[[f"b{i}" for i in range(8)], "buyer_type"] == "small_b").all()
    assert (out.loc[["c0", "c1", "c2"], "buyer_type"] == "c").all()
    assert out.loc["b9", "buyer_type_reason"].endswith("annual value in the top 20% of B2B")
    cfg = CONFIG.with_overrides({"buyer_type.big_b_share": 0.5})
    assert (seg(customers(rows), cfg)["buyer_type"] == "big_b").sum() == 5


def test_equal_annual_values_get_the_same_type():
    rows = [dict(id=f"b{i}", units=100, annual=v) for i, v in enumerate([100, 200, 300, 900, 900])]
    out = seg(customers(rows))
    assert out.loc["b3", "buyer_type"] == out.loc["b4", "buyer_type"]
    rows = [dict(id=f"b{i}", units=100, annual=500) for i in range(6)]
    assert seg(customers(rows))["buyer_type"].nunique() == 1


def test_non_buyers_one_and_none():
    out = seg(customers([dict(id="lead", orders=0, declared="批发商"), dict(id="solo", units=200)]))
    assert pd.isna(out.loc["lead", "buyer_type"]) and out.loc["lead", "buyer_type_reason"] == "no paid order"
    assert out.loc["solo", "buyer_type"] == "big_b"  # the only B2B customer is its own top 20%
    none = seg(customers([]))
    assert len(none) == 0 and list(none.columns) == list(BuyerType.outputs)


def test_user_words_extend_the_vocabulary():
    cfg = CONFIG.with_overrides({})
    cfg.tables["business_type"] = {"b2b": ["boutique"], "c": ["hobbyist"]}
    out = seg(customers([dict(id="x", declared="Boutique", units=1), dict(id="y", declared="hobbyist", units=999)]),
              cfg)
    assert out.loc["x", "buyer_type"] != "c" and out.loc["y", "buyer_type"] == "c"
