"""The customers frame: recency, frequency and monetary against an independent pandas computation on the
real UCI Online Retail file, plus the as-of date and the order rules of SEGMENTERS.md "Conventions"."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from tiercli.cli import cli
from tiercli.config import load_config
from tiercli.errors import InputError
from tiercli.features import resolve_as_of
from tiercli.scoring import score
from tiercli.segmenters.abc import pareto
from tiercli.segmenters.base import segment_summary

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
RETAIL = SHARED / "online_retail.csv.gz"
ORDERS_XLSX = Path(__file__).resolve().parents[1] / "examples" / "alibaba" / "orders.xlsx"
CONFIG = load_config(None, env={})

needs_retail = pytest.mark.skipif(not RETAIL.is_file(), reason=f"{RETAIL} not found")


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    """The file read the plain way: text, CustomerID present, exact duplicate rows once."""
    frame = pd.read_csv(RETAIL, dtype=str)
    latest = pd.to_datetime(frame["InvoiceDate"]).max().normalize()
    frame = frame[frame["CustomerID"].notna()].drop_duplicates()
    frame = frame.assign(value=frame["Quantity"].astype(float) * frame["UnitPrice"].astype(float),
                         when=pd.to_datetime(frame["InvoiceDate"]),
                         credit=frame["InvoiceNo"].str.startswith("C"))
    frame.attrs["latest"] = latest
    return frame


def expected_rfm(raw: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    upto = raw[raw["when"] < as_of + pd.Timedelta(days=1)]
    orders = upto[~upto["credit"]]
    out = pd.DataFrame({
        "frequency": orders.groupby("CustomerID")["InvoiceNo"].nunique(),
        "monetary": upto.groupby("CustomerID")["value"].sum(),
        "recency_days": (as_of - orders.groupby("CustomerID")["when"].max().dt.normalize()).dt.days,
    })
    out["frequency"] = out["frequency"].fillna(0).astype("int64")
    out.index = out.index.astype(str)
    return out.sort_index()


@pytest.fixture(scope="module")
def retail():
    if not RETAIL.is_file():
        pytest.skip(f"{RETAIL} not found")
    return score([RETAIL], config=CONFIG, segmenters=["rfm", "abc"])


def _compare(customers: pd.DataFrame, expected: pd.DataFrame) -> None:
    got = customers[["frequency", "monetary", "recency_days"]]
    assert got.index.tolist() == expected.index.tolist()
    assert got["frequency"].tolist() == expected["frequency"].tolist()
    pd.testing.assert_series_equal(got["monetary"].astype(float), expected["monetary"], check_names=False,
                                   rtol=0, atol=1e-6)
    pd.testing.assert_series_equal(got["recency_days"].astype("Float64"), expected["recency_days"].astype("Float64"),
                                   check_names=False)


@needs_retail
def test_one_row_per_customer(retail, raw):
    c = retail.customers
    assert len(c) == 4372 and c.index.is_unique
    assert set(c.index) == set(raw["CustomerID"])
    assert retail.as_of == raw.attrs["latest"] == pd.Timestamp("2011-12-09")


@needs_retail
def test_recency_frequency_monetary_match_plain_pandas(retail, raw):
    _compare(retail.customers, expected_rfm(raw, retail.as_of))


@needs_retail
def test_customers_with_only_cancellations_have_no_orders_and_negative_value(retail, raw):
    c = retail.customers
    only_credits = c[c["frequency"] == 0]
    assert len(only_credits) > 0
    assert (only_credits["monetary"] <= 0).all() and only_credits["recency_days"].isna().all()
    assert (only_credits["abc"] == "other").all() and only_credits["rfm"].isna().all()


@needs_retail
def test_abc_shares_sum_to_100_percent(retail):
    table = segment_summary(retail, "abc")
    assert table["share"].sum() == pytest.approx(1.0)
    assert table["revenue_share"].sum() == pytest.approx(1.0)
    assert set(table["code"]) == {"A", "B", "C", "other"}
    deal = retail.customers["frequency"] > 0
    cum = retail.customers.loc[deal, "abc_cum_share"]
    assert cum.max() == pytest.approx(1.0) and cum.min() > 0
    curve = pareto(retail)
    assert curve["cum_value_share"].iloc[-1] == pytest.approx(1.0)
    assert curve["value_share"].sum() == pytest.approx(1.0)
    assert curve["cum_value_share"].is_monotonic_increasing
    # A customers make most of the value of a wholesaler's book
    a = retail.customers["abc"] == "A"
    assert retail.customers.loc[a, "abc_value"].sum() / retail.customers.loc[deal, "abc_value"].clip(lower=0).sum() \
        == pytest.approx(0.6, abs=0.01)
    # and key customers (A and B: repeat buyers only) are a minority a sales team can serve
    key = retail.customers["abc"].isin(["A", "B"])
    assert key.sum() / deal.sum() <= 0.30 and (retail.customers.loc[key, "frequency"] >= 2).all()


@needs_retail
def test_as_of_in_the_past_leaves_later_orders_out(raw):
    result = score([RETAIL], config=CONFIG, segmenters=["rfm"], as_of="2011-06-30")
    as_of = pd.Timestamp("2011-06-30")
    assert result.as_of == as_of
    expected = expected_rfm(raw, as_of)
    # customers first seen after the as-of date did not exist yet
    expected = expected.loc[sorted(set(raw.loc[raw["when"] < as_of + pd.Timedelta(days=1), "CustomerID"]))]
    _compare(result.customers, expected)
    assert result.customers["last_order"].max() < as_of + pd.Timedelta(days=1)
    assert result.customers["recency_days"].min() == 0


# ---------------------------------------------------------------- as-of on a small file

def test_as_of_defaults_to_the_latest_date_in_the_inputs():
    result = score([ORDERS_XLSX], config=CONFIG, segmenters=["rfm"])
    assert result.as_of == pd.Timestamp("2026-10-31")  # an unpaid order that day: the latest date all the same
    assert result.customers["recency_days"].min() >= 0


def test_as_of_today():
    result = score([ORDERS_XLSX], config=CONFIG, segmenters=["rfm"], as_of="today")
    today = pd.Timestamp.today().normalize()
    assert result.as_of == today
    c = result.customers.dropna(subset=["last_order"])
    assert ((today - c["last_order"].dt.normalize()).dt.days == c["recency_days"].astype(int)).all()


def test_as_of_before_every_order_gives_no_customers():
    result = score([ORDERS_XLSX], config=CONFIG, as_of="2020-01-01")
    assert len(result.customers) == 0


@pytest.mark.parametrize("value", ["soon", "2026-13-45", "31/31/2026"])
def test_a_bad_as_of_is_an_input_error(value):
    with pytest.raises(InputError, match="is not a date"):
        resolve_as_of(value, None)


def test_a_bad_as_of_on_the_command_line_exits_2(tmp_path):
    result = CliRunner().invoke(cli, ["score", str(ORDERS_XLSX), "-o", str(tmp_path / "x.csv"), "--as-of", "soon"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.strip() == "tiercli: error: --as-of 'soon' is not a date. Use YYYY-MM-DD or 'today'."
    assert not (tmp_path / "x.csv").exists()


# ---------------------------------------------------------------- order rules on a hand-written export

ORDERS_CSV = """Order ID,Order Date,Customer ID,Status,Order Type,Quantity,Unit Price
A1,2026-01-10,007,paid,normal,2,10
A2,2026-03-01,007,shipped,normal,1,30
A2,2026-03-01,007,shipped,normal,1,5
A3,2026-03-05,007,paid,sample,1,3
A4,2026-03-06,007,cancelled,normal,1,99
C5,2026-03-07,007,refunded,normal,-1,10
B1,2026-02-01,0042,paid,sample,1,8
B2,2026-03-09,0042,pending,normal,4,8
D1,2026-03-10,9,paid,normal,1,100
"""


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    path = tmp_path_factory.mktemp("orders") / "orders.csv"
    path.write_text(ORDERS_CSV, encoding="utf-8")
    return score([path], config=CONFIG).customers


def test_ids_stay_text(small):
    assert small.index.tolist() == ["0042", "007", "9"]


def test_valid_orders_samples_and_cancellations(small):
    c = small.loc["007"]
    assert c["frequency"] == 2  # A1 and A2 (two lines, one order); not the sample, the cancellation or C5
    assert c["revenue"] == pytest.approx(55.0)
    assert c["monetary"] == pytest.approx(45.0)  # the credit note nets against value
    assert c["sample_orders"] == 1
    assert c["recency_days"] == 9 and c["tenure_days"] == 59
    assert c["last_order"] == pd.Timestamp("2026-03-01")


def test_sample_and_pending_orders_are_not_deals(small):
    c = small.loc["0042"]
    assert c["frequency"] == 0 and c["monetary"] == 0 and c["sample_orders"] == 1
    assert c["abc"] == "other" and c["tier"] == "potential"
    assert pd.isna(c["rfm"]) and pd.isna(c["lifecycle"])


def test_an_export_without_orders_is_scored_with_notes(tmp_path):
    path = Path(__file__).resolve().parents[1] / "examples" / "alibaba" / "inquiries.xlsx"
    result = score([path], config=CONFIG)
    assert [c.name for c in result.ran] == ["deal_stage", "process", "stars"]  # what inquiries alone can tell
    assert result.skipped["rfm"] == "needs orders data"
    assert result.skipped["aipl"] == "needs events data"
    assert len(result.customers) > 0 and (result.customers["frequency"] == 0).all()
