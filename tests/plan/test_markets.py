"""The 12-month lead-country calendar."""

from __future__ import annotations

from tiercli.config import load_config
from tiercli.plan.markets import calendar_wide, market_calendar, market_shares
from tiercli.schema.dataset import load_dataset

ROWS = [  # order id, date, customer, country, amount
    ("1", "2025-01-10", "a", "United States", 100), ("2", "2025-01-12", "b", "US", 100),
    ("3", "2026-01-15", "c", "美国", 50), ("4", "2025-01-20", "d", "Germany", 600),
    ("5", "2025-01-21", "e", "France", 10), ("6", "2025-01-22", "f", "Spain", 5),
    ("7", "2025-01-23", "g", "Italy", 1),
    ("8", "2025-03-05", "a", "United States", 10), ("9", "2025-03-06", "d", "Germany", 10),
]


def _dataset(tmp_path):
    lines = ["Order ID,Order Date,Customer ID,Country,Amount,Status"]
    lines += [f"{o},{d},{c},{k},{a},paid" for o, d, c, k, a in ROWS]
    path = tmp_path / "orders.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return load_dataset([path], load_config())


def test_top_three_per_month_weigh_customers_and_gmv(tmp_path):
    cal = market_calendar(_dataset(tmp_path), load_config())
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
    cfg = load_config(env={"TIERCLI_MARKETS_CUSTOMER_WEIGHT": "1", "TIERCLI_MARKETS_TOP": "2"})
    jan = market_calendar(ds, cfg).query("month == 1")
    assert list(jan["country"]) == ["US", "DE"]  # by customers alone the US leads
    shares = market_shares(ds, load_config())
    assert shares.groupby("month")["gmv_share"].sum().round(9).eq(1).all()


def test_the_wide_view_has_every_month(tmp_path):
    wide = calendar_wide(market_calendar(_dataset(tmp_path), load_config()))
    assert len(wide) == 12 and wide.loc[0, "lead_1"].startswith("Germany")
    assert wide.loc[1, "lead_1"] == ""


def test_the_examples_have_twelve_led_months(alibaba):
    cal = market_calendar(alibaba.dataset, alibaba.config)
    assert set(cal["month"]) == set(range(1, 13))
    assert (cal.groupby("month").size() == 3).all()
    assert cal["country"].str.fullmatch(r"[A-Z]{2}").all()
