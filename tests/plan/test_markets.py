"""The 12-month lead-country calendar."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from tiercli.config import load_config
from tiercli.plan.markets import (
    calendar_wide,
    market_calendar,
    market_shares,
    not_ranked,
    not_ranked_text,
)
from tiercli.schema.dataset import load_dataset

ROWS = [  # order id, date, customer, country, amount
    ("1", "2025-01-10", "a", "United States", 100), ("2", "2025-01-12", "b", "US", 100),
    ("3", "2026-01-15", "c", "美国", 50), ("4", "2025-01-20", "d", "Germany", 600),
    ("5", "2025-01-21", "e", "France", 10), ("6", "2025-01-22", "f", "Spain", 5),
    ("7", "2025-01-23", "g", "Italy", 1),
    ("8", "2025-03-05", "a", "United States", 10), ("9", "2025-03-06", "d", "Germany", 10),
]


# every country ranked, however few its customers (the weighing itself is what these tests check)
EVERY = {"TIERCLI_MARKETS_MIN_CUSTOMERS": "1", "TIERCLI_MARKETS_MIN_CUSTOMER_SHARE": "0"}


def _dataset(tmp_path, rows=ROWS):
    lines = ["Order ID,Order Date,Customer ID,Country,Amount,Status"]
    lines += [f"{o},{d},{c},{k},{a},paid" for o, d, c, k, a in rows]
    path = tmp_path / "orders.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return load_dataset([path], load_config())


def test_top_three_per_month_weigh_customers_and_gmv(tmp_path):
    cal = market_calendar(_dataset(tmp_path), load_config(env=EVERY))
    jan = cal[cal["month"] == 1]
    # US: 3 of 7 customers (43%) and 250 of 866 GMV (29%); Germany 1/7 (14%) and 600/866 (69%)
    assert list(jan["country"]) == ["DE", "US", "FR"]
    assert list(jan["rank"]) == [1, 2, 3]
    us = jan.set_index("country").loc["US"]
    assert us["customers"] == 3 and us["gmv"] == 250  # "US", "United States" and 美国 are one market
    assert abs(us["customer_share"] - 3 / 7) < 1e-9 and abs(us["gmv_share"] - 250 / 866) < 1e-9
    assert abs(us["score"] - (0.5 * 3 / 7 + 0.5 * 250 / 866)) < 1e-9
    assert "2025, 2026" == us["years"]
    assert (jan["score"].diff().dropna() <= 0).all()
    # March: two countries with equal customers; the larger GMV ties break by code; no third row
    mar = cal[cal["month"] == 3]
    assert list(mar["country"]) == ["DE", "US"]
    assert set(cal["month"]) == {1, 3}
    assert cal.groupby("month").size().max() <= 3


def test_weights_and_top_are_settings(tmp_path):
    ds = _dataset(tmp_path)
    cfg = load_config(env={**EVERY, "TIERCLI_MARKETS_CUSTOMER_WEIGHT": "1", "TIERCLI_MARKETS_TOP": "2"})
    jan = market_calendar(ds, cfg).query("month == 1")
    assert list(jan["country"]) == ["US", "DE"]  # by customers alone the US leads
    shares = market_shares(ds, load_config())
    assert shares.groupby("month")["gmv_share"].sum().round(9).eq(1).all()


def test_the_wide_view_has_every_month(tmp_path):
    cal = market_calendar(_dataset(tmp_path), load_config(env=EVERY))
    wide = calendar_wide(cal)
    assert len(wide) == 12 and wide.loc[0, "lead_1"].startswith("Germany")
    assert wide.loc[1, "lead_1"] == ""
    assert calendar_wide(cal, "zh").loc[0, "lead_1"].startswith("德国")


def test_the_examples_have_twelve_led_months(alibaba):
    cal = market_calendar(alibaba.dataset, alibaba.config)
    assert set(cal["month"]) == set(range(1, 13))
    assert (cal.groupby("month").size() == 3).all()
    assert cal["country"].str.fullmatch(r"[A-Z]{2}").all()


def test_a_country_needs_enough_of_the_months_customers(tmp_path):
    ds = _dataset(tmp_path)
    # by default one buyer is no market: in January only the US (3 customers) is ranked; Germany's large order
    # (1 customer, 69% of GMV) is not, but it still counts in the month's shares
    cal = market_calendar(ds, load_config())
    assert list(cal["country"]) == ["US"]
    shares = market_shares(ds, load_config()).set_index(["month", "country"])
    assert not shares.loc[(1, "DE"), "ranked"] and shares.loc[(1, "US"), "ranked"]
    assert abs(shares.loc[(1, "DE"), "gmv_share"] - 600 / 866) < 1e-9
    # the share rule: 3 of 7 customers (43%) is below a 50% minimum share
    half = load_config(env={"TIERCLI_MARKETS_MIN_CUSTOMER_SHARE": "0.5"})
    assert market_calendar(ds, half).empty
    assert list(market_calendar(ds, load_config(env={"TIERCLI_MARKETS_MIN_CUSTOMERS": "4"}))["country"]) == []


def test_spellings_of_one_country_are_one_market_and_unknown_words_are_no_market(tmp_path):
    rows = [("1", "2025-07-01", "a", "EIRE", 100), ("2", "2025-07-02", "b", "Ireland", 100),
            ("3", "2025-07-03", "c", "IE", 100), ("4", "2025-07-04", "d", "爱尔兰", 100),
            ("5", "2025-07-05", "e", "Unspecified", 900), ("6", "2025-07-06", "f", "European Community", 900),
            ("7", "2025-07-07", "g", "Channel Islands", 900), ("8", "2025-07-08", "h", "Narnia", 10),
            ("9", "2025-07-09", "i", "Narnia", 10)]
    ds = _dataset(tmp_path, rows)
    shares = market_shares(ds, load_config())
    assert set(shares["country"]) == {"IE", "(unknown)", "Narnia"}
    ie = shares.set_index("country").loc["IE"]
    assert ie["customers"] == 4 and ie["gmv"] == 400 and ie["country_name"] == "Ireland"
    cal = market_calendar(ds, load_config())
    # the unknown words are never ranked, however large; a name no table knows is its own market, as exported
    assert list(cal["country"]) == ["IE", "Narnia"]
    zh = market_calendar(ds, load_config(env={"TIERCLI_LANG": "zh"}))
    assert list(zh["country_name"]) == ["爱尔兰", "Narnia"]


@pytest.fixture(scope="module")
def uci(shared_data):
    return load_dataset([shared_data / "online_retail.csv.gz"], load_config())


def _leads(cal: pd.DataFrame) -> dict[int, list[str]]:
    return {m: list(part.sort_values("rank")["country"]) for m, part in cal.groupby("month")}


def test_uci_leads_before_and_after_the_minimum(uci):
    """UCI Online Retail (2010-12 to 2011-12): a UK seller whose other markets are Germany and France.

    Ranked with no minimum, a country of one to five customers (0.1-0.5% of the month's) takes second or third
    place on one wholesale order: the Netherlands in Feb, Jun and Aug, Ireland (EIRE) in Jul and Sep.
    """
    before = _leads(market_calendar(uci, load_config(env=EVERY)))
    assert before[2] == ["GB", "NL", "DE"] and before[6] == ["GB", "FR", "NL"] and before[7] == ["GB", "IE", "DE"]
    assert before[8] == ["GB", "NL", "DE"] and before[9] == ["GB", "FR", "IE"]
    after = _leads(market_calendar(uci, load_config()))
    assert after == {m: (["GB", "FR", "DE"] if m in (6, 9) else ["GB", "DE", "FR"]) for m in range(1, 13)}
    shares = market_shares(uci, load_config())
    ranked = shares[shares["ranked"]]
    assert ranked["customers"].min() >= 2 and ranked["customer_share"].min() >= 0.01
    small = shares[(shares["month"] == 7) & (shares["country"] == "IE")].iloc[0]
    assert small["customers"] == 3 and small["gmv_share"] > 0.06 and not small["ranked"]
    # what the minimum changed, as the terminal says it
    held = not_ranked(shares, load_config())
    assert [(m, c, n) for m, c, n in held[["month", "country", "customers"]].itertuples(index=False)] == \
        [(2, "NL", 2), (6, "NL", 5), (7, "IE", 3), (8, "NL", 1), (9, "IE", 2)]
    assert not_ranked_text(held, load_config()).endswith("Netherlands Feb 2, Jun 5, Aug 1; Ireland Jul 3, Sep 2")


def test_uci_eire_ireland_and_ie_are_one_market(uci):
    """UCI writes EIRE (and RSA, USA); the same orders spelt Ireland, IE or 爱尔兰 give the same calendar."""
    cfg = load_config(env=EVERY)
    base = market_shares(uci, cfg)
    assert {"IE", "ZA", "US", "(unknown)"} <= set(base["country"])
    assert not {"EIRE", "RSA", "USA", "Unspecified", "European Community", "Channel Islands"} & set(base["country"])
    orders = uci.orders.copy()
    eire = orders.index[orders["country"].eq("EIRE")]
    spelled = pd.Series(["EIRE", "Ireland", "IE", "爱尔兰", "Éire"] * len(eire), dtype="object")[:len(eire)]
    orders.loc[eire, "country"] = spelled.to_numpy()
    assert orders.loc[eire, "country"].nunique() == 5
    respelt = market_shares(dataclasses.replace(uci, orders=orders), cfg)
    pd.testing.assert_frame_equal(respelt, base)
