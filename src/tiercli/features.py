"""Dataset + as-of date -> the customers frame: one row per customer key, every number segmenters need.

Built once, vectorized (group-bys over the orders table, no per-customer
loops).  Segmenters only read this frame, so every threshold-dependent window
is computed here from the config.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .config import Config
from .errors import InputError
from .schema.dataset import Dataset

ID = "customer_id"
_ORDER_DTYPES = {"date": "datetime64[ns]", "paid": "bool", "is_sample": "bool", "value": "float64",
                 "net_value": "float64", "cost": "float64", "profit": "float64", "units": "float64"}


def resolve_as_of(value: str | None, dataset: Dataset) -> pd.Timestamp:
    """--as-of: a date, 'today', or (default) the latest date found in the inputs."""
    if value in (None, ""):
        last = dataset.last_date
        if last is None:
            raise InputError("no dated rows in the inputs, so there is no as-of date.",
                             hint="Pass --as-of YYYY-MM-DD.")
        return pd.Timestamp(last).normalize()
    if str(value).lower() == "today":
        return pd.Timestamp.today().normalize()
    try:
        return pd.Timestamp(str(value)).normalize()
    except (ValueError, TypeError):
        raise InputError(f"--as-of {value!r} is not a date.", hint="Use YYYY-MM-DD or 'today'.") from None


def _windows(config: Config) -> list[int]:
    return sorted({int(config["tier.upgrade_days"]), int(config["lifecycle.window_days"])})


def build_customers(dataset: Dataset, as_of: pd.Timestamp, config: Config) -> pd.DataFrame:
    """One row per customer seen in any input (orders, inquiries, events, customers file, after-sales)."""
    end = as_of + pd.Timedelta(days=1)  # the as-of day itself counts
    orders = dataset.orders
    if not len(orders):  # no orders file (inquiries or visitors only): an empty table still needs its dtypes
        orders = orders.astype({c: t for c, t in _ORDER_DTYPES.items() if c in orders})
    orders = orders[orders["date"] < end] if len(orders) else orders
    keys = _all_keys(dataset, end)
    cust = pd.DataFrame(index=pd.Index(keys, name=ID, dtype="str"))
    cust = cust.join(_contact_details(dataset, end))

    paid = orders[orders["paid"]] if len(orders) else orders
    deal = paid[~paid["is_sample"].astype(bool)] if len(paid) else paid
    # cancellations and refunds carry negative net value and never count as orders
    credit = orders[orders["status"].isin(["cancelled", "refunded"]) & ~orders["is_sample"].astype(bool)] \
        if len(orders) else orders

    g = deal.groupby("customer", sort=False)
    day = deal["date"].dt.normalize()
    stats = pd.DataFrame({
        "first_order": g["date"].min(),
        "last_order": g["date"].max(),
        "frequency": g["order_id"].nunique(),
        "revenue": g["net_value"].sum(),
        "units": g["units"].sum(min_count=1),
        "median_units": g["units"].median(),
        "median_order_value": g["net_value"].median(),
        "purchase_days": day.groupby(deal["customer"]).nunique(),
    })
    credits = credit.groupby("customer")["net_value"].sum()
    cust = cust.join(stats)
    cust["frequency"] = cust["frequency"].fillna(0).astype("int64")
    cust["revenue"] = cust["revenue"].fillna(0.0)
    cust["monetary"] = cust["revenue"] + credits.reindex(cust.index).fillna(0.0)
    if dataset.cost_known:
        prof = deal.groupby("customer")["profit"].sum(min_count=1)
        cust["profit"] = prof.reindex(cust.index)
    else:
        cust["profit"] = np.nan
    cust["aov"] = (cust["revenue"] / cust["frequency"]).where(cust["frequency"] > 0)
    cust["recency_days"] = (as_of - cust["last_order"].dt.normalize()).dt.days.astype("Int64")
    cust["tenure_days"] = (as_of - cust["first_order"].dt.normalize()).dt.days.astype("Int64")
    years = np.maximum(cust["tenure_days"].astype("float64").fillna(0) + 1, 365.0) / 365.0
    cust["annual_value"] = cust["monetary"] / years

    samples = paid[paid["is_sample"].astype(bool)] if len(paid) else paid
    cust["sample_orders"] = samples.groupby("customer")["order_id"].nunique().reindex(cust.index).fillna(0).astype("int64")
    cust["sample_value"] = samples.groupby("customer")["net_value"].sum().reindex(cust.index).fillna(0.0)
    cust["paid_orders"] = paid.groupby("customer")["order_id"].nunique().reindex(cust.index).fillna(0).astype("int64")

    for n in _windows(config):
        recent = deal[deal["date"] >= end - pd.Timedelta(days=n)]
        before = deal[(deal["date"] < end - pd.Timedelta(days=n)) & (deal["date"] >= end - pd.Timedelta(days=2 * n))]
        cust[f"spend_last_{n}d"] = recent.groupby("customer")["net_value"].sum().reindex(cust.index).fillna(0.0)
        cust[f"spend_prev_{n}d"] = before.groupby("customer")["net_value"].sum().reindex(cust.index).fillna(0.0)

    cust = cust.join(_rhythm(deal))
    window = int(config["abc.window_days"])
    if window > 0:
        recent = deal[deal["date"] >= end - pd.Timedelta(days=window)]
        cust["value_window"] = recent.groupby("customer")["net_value"].sum().reindex(cust.index).fillna(0.0)
        if dataset.cost_known:
            cust["profit_window"] = recent.groupby("customer")["profit"].sum(min_count=1).reindex(cust.index)
    return cust.sort_index()


def _all_keys(dataset: Dataset, end: pd.Timestamp) -> list[str]:
    keys: list[pd.Series] = []
    for t in (dataset.lines, dataset.inquiries, dataset.events, dataset.customers, dataset.after_sales):
        if len(t) and "customer" in t:
            if "date" in t:  # --as-of in the past: customers first seen after it did not exist yet
                t = t[~(pd.to_datetime(t["date"], errors="coerce") >= end)]
            keys.append(t["customer"].dropna())
    if not keys:
        return []
    return sorted(pd.concat(keys).astype("str").unique().tolist())


def _contact_details(dataset: Dataset, end: pd.Timestamp) -> pd.DataFrame:
    """Name, email, country, consent, blacklist: the customers file wins, then the latest order line."""
    cols = ["name", "email", "country", "company", "accepts_marketing", "business_type"]
    pieces = []
    lines = dataset.lines
    if len(lines):
        latest = lines[lines["customer"].notna()].sort_values("date", na_position="first")
        pieces.append(latest.groupby("customer")[[c for c in cols if c in latest]].last())
    if len(dataset.inquiries):
        inq = dataset.inquiries.sort_values("date", na_position="first")
        pieces.append(inq.groupby("customer")[[c for c in ("name", "email", "country") if c in inq]].last())
    if len(dataset.customers):
        pieces.append(dataset.customers.groupby("customer")[[c for c in cols if c in dataset.customers]].last())
    out = pd.DataFrame(columns=cols)
    for piece in pieces:  # later pieces (the customers file) win where they have a value
        out = piece.combine_first(out) if len(out) else piece
    for c in cols:
        if c not in out:
            out[c] = pd.NA
    out["accepts_marketing"] = out["accepts_marketing"].astype("boolean")
    black = dataset.customers.groupby("customer")["blacklisted"].any() if len(dataset.customers) else None
    out["blacklisted"] = black.reindex(out.index).fillna(False).astype(bool) if black is not None else False
    return out[cols + ["blacklisted"]]


def _rhythm(deal: pd.DataFrame) -> pd.DataFrame:
    """Per customer: median gap between order days, and AOV of the last three orders vs the earlier ones."""
    if not len(deal):
        return pd.DataFrame(columns=["median_gap_days", "aov_last3", "aov_before_last3", "repeat_day_spend"],
                            dtype="float64")
    per_order = deal.groupby(["customer", "order_id"], sort=False).agg(date=("date", "min"), value=("net_value", "sum"))
    per_order = per_order.reset_index().sort_values(["customer", "date", "order_id"])
    days = per_order[["customer"]].assign(day=per_order["date"].dt.normalize()).drop_duplicates()
    gaps = days.groupby("customer")["day"].diff().dt.days
    median_gap = gaps.groupby(days["customer"]).median()
    from_end = per_order.groupby("customer").cumcount(ascending=False)
    last3 = per_order[from_end < 3].groupby("customer")["value"].mean()
    earlier = per_order[from_end >= 3].groupby("customer")["value"].mean()
    # spend per purchase day (several orders on one day count once), for the lifetime models
    per_day = per_order.assign(day=per_order["date"].dt.normalize()).groupby(["customer", "day"])["value"].sum()
    per_day = per_day.reset_index()
    is_first = per_day.groupby("customer").cumcount() == 0
    repeat_spend = per_day[~is_first].groupby("customer")["value"].mean()
    return pd.DataFrame({"median_gap_days": median_gap, "aov_last3": last3, "aov_before_last3": earlier,
                         "repeat_day_spend": repeat_spend})
