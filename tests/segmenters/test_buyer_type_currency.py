"""buyer_type's order-value threshold carries its currency (issue 13): 500 USD is converted with the run's
rates; without a rate, or when the orders name no currency, only the units rule applies and a note says so."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from tiercli.cli import cli
from tiercli.config import load_config
from tiercli.features import build_customers, resolve_as_of
from tiercli.schema.dataset import load_dataset
from tiercli.scoring import score
from tiercli.segmenters.buyer_type import BuyerType, value_threshold

from .test_buyer_type import customers

CONFIG = load_config(None, env={})
ZAR_PER_USD = 18.5  # 500 USD = 9,250 ZAR


# ------------------------------------------------------------------ a generated store


def store(currency: str | None = "ZAR", seed: int = 13) -> pd.DataFrame:
    """Order lines of one store: 30 consumers (1-4 orders of 1-3 items at 150-900 each: a median order of
    a few hundred to a few thousand), 2 resellers by units (80-120 units per order at 20) and 2 by value
    (2-3 machines at 6,000: orders of 12,000-18,000).  ``currency``: the Currency column (None: no column)."""
    rng = np.random.default_rng(seed)
    rows = []

    def order(who: str, k: int, items: list[tuple[int, float]]) -> None:
        day = pd.Timestamp("2025-01-01") + pd.Timedelta(days=int(rng.integers(0, 540)))
        for j, (qty, price) in enumerate(items):
            row = {"Order ID": f"O-{who}-{k}", "Customer ID": who, "Order Date": day.date().isoformat(),
                   "Product": f"p{j}", "Quantity": qty, "Unit Price": price, "Status": "paid"}
            if currency is not None:
                row["Currency"] = currency
            rows.append(row)

    for i in range(30):
        for k in range(int(rng.integers(1, 5))):
            order(f"c{i:02d}", k, [(int(rng.integers(1, 3)), round(float(rng.uniform(150, 900)), 2))
                                   for _ in range(int(rng.integers(1, 4)))])
    for i in range(2):
        for k in range(3):
            order(f"units{i}", k, [(int(rng.integers(80, 121)), 20.0)])
            order(f"value{i}", k, [(int(rng.integers(2, 4)), 6000.0)])
    return pd.DataFrame(rows)


CONSUMERS = [f"c{i:02d}" for i in range(30)]
BY_UNITS = ["units0", "units1"]
BY_VALUE = ["value0", "value1"]


def write(folder: Path, currency: str | None = "ZAR", rates: dict | None = None) -> tuple[Path, Path | None]:
    folder.mkdir(parents=True, exist_ok=True)
    orders = folder / "orders.csv"
    store(currency).to_csv(orders, index=False)
    path = None
    if rates is not None:
        path = folder / "rates.csv"
        pd.DataFrame({"currency": list(rates), "rate": list(rates.values())}).to_csv(path, index=False)
    return orders, path


def b2b(types: pd.Series) -> set[str]:
    return set(types.index[types.isin(["big_b", "small_b"])])


def run(tmp_path, column="ZAR", rates=None, **settings):
    orders, rates_path = write(tmp_path, column, rates)
    result = score([orders], config=CONFIG.with_overrides(settings), rates=rates_path, segmenters=["buyer_type"])
    notes = [n for n in result.notes if n.startswith("buyer_type")]
    return result.customers["buyer_type"], notes


def test_the_store_in_usd_reads_500_as_is(tmp_path):
    types, notes = run(tmp_path, "USD")
    # in dollars a median order of several hundred is a business: most of the 30 are B2B, as the rule says
    assert set(BY_UNITS + BY_VALUE) <= b2b(types) and len(b2b(types) & set(CONSUMERS)) > 20
    assert notes == []


def test_the_store_in_zar_with_a_rate_converts_the_threshold(tmp_path):
    types, notes = run(tmp_path, "ZAR", {"USD": ZAR_PER_USD, "EUR": 20.1})
    assert b2b(types) == set(BY_UNITS + BY_VALUE)
    assert notes == ["buyer_type: the 500 USD order-value rule is 9,250 ZAR (1 USD = 18.5 ZAR, from the rates file)"]


def test_the_store_in_zar_without_a_rate_applies_units_only_and_says_so(tmp_path):
    types, notes = run(tmp_path, "ZAR")
    assert b2b(types) == set(BY_UNITS)  # the value resellers are missed: the note tells how to fix it
    assert notes == ["buyer_type: the 500 USD order-value rule was not applied (34 buyers typed by units per order "
                     "alone): the orders are in ZAR and no USD rate was given (pass --rates with a USD line, or set "
                     "buyer_type.b2b_value_currency = \"ZAR\" and a threshold in ZAR)"]
    # a rates file without the threshold's currency is no rate for it
    folder = tmp_path / "eur"
    types, notes = run(folder, "ZAR", {"EUR": 20.1})
    assert b2b(types) == set(BY_UNITS) and "no USD rate was given" in notes[0]


def test_a_threshold_in_the_store_currency_is_used_as_is(tmp_path):
    types, notes = run(tmp_path, "ZAR", **{"buyer_type.b2b_value_currency": "zar", "buyer_type.b2b_value": 9000})
    assert b2b(types) == set(BY_UNITS + BY_VALUE) and notes == []


def test_an_empty_threshold_currency_is_the_orders_own(tmp_path):
    """The old reading, asked for explicitly: 500 in whatever the orders are in, never converted."""
    types, notes = run(tmp_path, "ZAR", **{"buyer_type.b2b_value_currency": ""})
    assert len(b2b(types) & set(CONSUMERS)) > 20 and notes == []


def test_orders_naming_no_currency_are_not_taken_to_be_usd(tmp_path):
    """No currency column and no currency setting: the amounts could be ZAR, JPY or USD, so the value rule
    waits for the seller to say (the units rule still types the resellers)."""
    types, notes = run(tmp_path, None)
    assert b2b(types) == set(BY_UNITS)
    assert len(notes) == 1 and "the orders name no currency" in notes[0] and "--currency USD" in notes[0]


def test_orders_naming_no_currency_follow_the_currency_setting(tmp_path):
    types, notes = run(tmp_path / "usd", None, currency="USD")
    assert len(b2b(types) & set(CONSUMERS)) > 20 and notes == []
    types, notes = run(tmp_path / "zar", None, currency="ZAR")
    assert b2b(types) == set(BY_UNITS) and "the orders are in ZAR" in notes[0]
    types, notes = run(tmp_path / "zar_rates", None, {"USD": ZAR_PER_USD}, currency="ZAR")
    assert b2b(types) == set(BY_UNITS + BY_VALUE) and "9,250 ZAR" in notes[0]


def test_a_usd_rate_converts_even_when_the_orders_name_no_currency(tmp_path):
    """The rates file gives base units per 1 USD, whatever the base is called."""
    types, notes = run(tmp_path, None, {"USD": ZAR_PER_USD})
    assert b2b(types) == set(BY_UNITS + BY_VALUE)
    assert notes == ["buyer_type: the 500 USD order-value rule is 9,250 in the orders' currency (1 USD = 18.5, "
                     "from the rates file)"]


def test_mixed_currencies_converted_to_a_base_convert_the_threshold_too(tmp_path):
    """Orders in USD, base ZAR: the amounts become rand and so does the threshold."""
    types, notes = run(tmp_path, "USD", {"USD": ZAR_PER_USD}, currency="ZAR")
    usd_types, _ = run(tmp_path / "usd", "USD")
    assert b2b(types) == b2b(usd_types) and "9,250 ZAR" in notes[0]


# ------------------------------------------------------------------ what the run hands the segmenter


def test_build_customers_carries_the_currency_and_the_rates(tmp_path):
    orders, rates = write(tmp_path, "ZAR", {"USD": ZAR_PER_USD})
    ds = load_dataset([orders], CONFIG, rates=rates)  # one currency: the rates file is read all the same
    assert ds.currency == "ZAR" and ds.rates == {"USD": ZAR_PER_USD}
    cust = build_customers(ds, resolve_as_of(None, ds), CONFIG)
    assert cust.attrs == {"currency": "ZAR", "rates": {"USD": ZAR_PER_USD}}
    nothing = load_dataset([write(tmp_path / "bare", None)[0]], CONFIG)
    assert nothing.currency == "" and nothing.rates == {}


def test_the_attrs_reach_buyer_type_after_the_other_segmenters(tmp_path):
    """base.run joins each segmenter's columns (a join drops attrs): buyer_type, run after rfm, abc, tier and
    lifecycle, still sees the currency."""
    orders, rates = write(tmp_path, "ZAR", {"USD": ZAR_PER_USD})
    result = score([orders], config=CONFIG, rates=rates,
                   segmenters=["rfm", "abc", "tier", "lifecycle", "buyer_type"])
    assert result.customers.attrs["currency"] == "ZAR"
    assert b2b(result.customers["buyer_type"]) == set(BY_UNITS + BY_VALUE)


def test_value_threshold_cases():
    frame = customers([dict(id="x", aov=600)], currency="ZAR", rates={"usd": 18.5})
    assert value_threshold(frame, CONFIG) == (9250.0, "buyer_type: the 500 USD order-value rule is 9,250 ZAR "
                                                      "(1 USD = 18.5 ZAR, from the rates file)")
    assert value_threshold(customers([dict(id="x")], currency="USD"), CONFIG) == (500.0, "")
    for bad in (0.0, -1.0, float("nan")):  # a rate that converts nothing is no rate
        assert value_threshold(customers([dict(id="x")], currency="ZAR", rates={"USD": bad}), CONFIG)[0] is None
    # nobody typed by behaviour (all declared, or no buyer): nothing to say
    assert value_threshold(customers([], currency="ZAR"), CONFIG, behaviour=0) == (None, "")
    out = BuyerType()
    out.segment(customers([dict(id="x", declared="批发商")], currency="ZAR"), CONFIG)
    assert out.notes == []
    one = BuyerType()
    one.segment(customers([dict(id="x", aov=600)], currency="ZAR"), CONFIG)
    assert one.notes and "(1 buyer typed by units per order alone)" in one.notes[0]


def test_a_frame_without_attrs_takes_the_currency_setting():
    frame = customers([dict(id="x", aov=600)])
    frame.attrs.clear()
    out = BuyerType()
    assert out.segment(frame, CONFIG).loc["x", "buyer_type"] == "c" and "name no currency" in out.notes[0]
    out = BuyerType()
    assert out.segment(frame, CONFIG.with_overrides({"currency": "USD"})).loc["x", "buyer_type"] != "c"
    assert out.notes == []


# ------------------------------------------------------------------ as a seller runs it


def tiercli_run(*args):
    env = {k: None for k in os.environ if k.startswith("TIERCLI_")}
    return CliRunner().invoke(cli, [str(a) for a in args], env=env, catch_exceptions=False)


def test_cli_shows_the_note_and_the_rate_fixes_it(tmp_path):
    orders, _ = write(tmp_path, "ZAR")
    out = tmp_path / "tiers.csv"
    result = tiercli_run("score", orders, "-o", out, "--segmenters", "buyer_type")
    assert result.exit_code == 0, (result.stdout, result.stderr)
    text = " ".join((result.stdout + result.stderr).split())
    assert "note buyer_type: the 500 USD order-value rule was not applied (34 buyers typed by units per order " \
           "alone): the orders are in ZAR and no USD rate was given (pass --rates with a USD line" in text
    got = pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig").set_index("customer_id")
    assert b2b(got["buyer_type"]) == set(BY_UNITS)

    rates = tmp_path / "rates.csv"
    rates.write_text("currency,rate\nUSD,18.5\n", encoding="utf-8")
    result = tiercli_run("score", orders, "-o", out, "--segmenters", "buyer_type", "--rates", rates)
    assert result.exit_code == 0, (result.stdout, result.stderr)
    text = " ".join((result.stdout + result.stderr).split())
    assert "note buyer_type: the 500 USD order-value rule is 9,250 ZAR (1 USD = 18.5 ZAR, from the rates file)" in text
    got = pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig").set_index("customer_id")
    assert b2b(got["buyer_type"]) == set(BY_UNITS + BY_VALUE)


def test_cli_config_lists_the_setting():
    result = tiercli_run("config")
    assert result.exit_code == 0
    line = next(x for x in result.stdout.splitlines() if x.startswith("buyer_type.b2b_value_currency"))
    assert "'USD'" in line and "--rates" in line


@pytest.mark.parametrize("toml,typed,says", [
    ('[buyer_type]\nb2b_value_currency = "ZAR"\nb2b_value = 9000\n', BY_UNITS, "the orders name no currency"),
    ('currency = "ZAR"\n', BY_UNITS, "the orders are in ZAR and no USD rate"),
    ('currency = "ZAR"\n[buyer_type]\nb2b_value_currency = "ZAR"\nb2b_value = 9000\n', BY_UNITS + BY_VALUE, None),
])
def test_tiercli_toml_on_orders_naming_no_currency(tmp_path, toml, typed, says):
    """A threshold in ZAR says what the threshold is in, not what the orders are in: that is ``currency``."""
    orders, _ = write(tmp_path, None)
    (tmp_path / "tiercli.toml").write_text(toml, encoding="utf-8")
    out = tmp_path / "tiers.csv"
    result = tiercli_run("score", orders, "-o", out, "--segmenters", "buyer_type")
    assert result.exit_code == 0, (result.stdout, result.stderr)
    text = " ".join((result.stdout + result.stderr).split())
    assert ("note buyer_type" in text) is (says is not None) and (says is None or says in text)
    got = pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig").set_index("customer_id")
    assert b2b(got["buyer_type"]) == set(typed)
