"""Dataset + as-of date -> the customers frame: one row per customer key, every number segmenters need.

Built once, vectorized (group-bys over the orders table, no per-customer
loops).  Segmenters only read this frame, so every threshold-dependent window
is computed here from the config.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import countries
from .config import Config
from .errors import InputError
from .i18n import _
from .schema.dataset import Dataset
from .signals import event_profile, timeline_days

ID = "customer_id"
_ORDER_DTYPES = {"date": "datetime64[ns]", "paid": "bool", "is_sample": "bool", "value": "float64",
                 "net_value": "float64", "cost": "float64", "profit": "float64", "units": "float64"}


def resolve_as_of(value: str | None, dataset: Dataset) -> pd.Timestamp:
    """--as-of: a date, 'today', or (default) the latest date found in the inputs."""
    if value in (None, ""):
        last = dataset.last_date
        if last is None:
            raise InputError(_("no dated rows in the inputs, so there is no as-of date."),
                             hint=_("Pass --as-of YYYY-MM-DD."))
        return pd.Timestamp(last).normalize()
    if str(value).lower() == "today":
        return pd.Timestamp.today().normalize()
    try:
        return pd.Timestamp(str(value)).normalize()
    except (ValueError, TypeError):
        raise InputError(_("--as-of {value} is not a date.").format(value=repr(value)),
                         hint=_("Use YYYY-MM-DD or 'today'.")) from None


def _windows(config: Config) -> list[int]:
    return sorted({int(config["tier.upgrade_days"]), int(config["lifecycle.window_days"])})


def build_customers(dataset: Dataset, as_of: pd.Timestamp, config: Config) -> pd.DataFrame:
    """One row per customer seen in any input (orders, inquiries, events, customers file, after-sales).

    ``attrs`` carries the base currency the amounts are in (``currency``, "" when unknown) and the
    ``rates`` the run was given (currency -> base units per 1 unit)."""
    end = as_of + pd.Timedelta(days=1)  # the as-of day itself counts
    orders = dataset.orders
    if not len(orders):  # no orders file (inquiries or visitors only): an empty table still needs its dtypes
        orders = orders.astype({c: t for c, t in _ORDER_DTYPES.items() if c in orders})
    orders = orders[orders["date"] < end] if len(orders) else orders
    keys = known_keys(dataset, end)
    cust = pd.DataFrame(index=pd.Index(keys, name=ID, dtype="str"))
    cust = cust.join(_contact_details(dataset, end))

    paid, deal, credit = split_orders(orders)
    cust = _order_figures(cust, paid, deal, credit, as_of, dataset.cost_known)
    cust = _spend_windows(cust, deal, end, _windows(config))
    cust = cust.join(_rhythm(deal))
    cust = cust.join(_b2b_signals(dataset, as_of, cust.index))
    cust = _value_window(cust, deal, end, int(config["abc.window_days"]), dataset.cost_known)
    cust = cust.sort_index()
    # what the run knows of the amounts as a whole (see segmenters/base.py): buyer_type converts its threshold
    cust.attrs["currency"] = dataset.currency or ""
    cust.attrs["rates"] = dict(dataset.rates)
    return cust


def _order_figures(cust: pd.DataFrame, paid: pd.DataFrame, deal: pd.DataFrame, credit: pd.DataFrame,
                   as_of: pd.Timestamp, cost_known: bool) -> pd.DataFrame:
    """Each customer's orders in figures: first and last, frequency, revenue, net value (credits netted),
    profit, units, order value, recency, tenure, value a year; sample and paid orders."""
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
    if cost_known:
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
    return cust


def _spend_windows(cust: pd.DataFrame, deal: pd.DataFrame, end: pd.Timestamp, windows) -> pd.DataFrame:
    """Spend in the last N days and in the N days before, for each window N the settings use."""
    for n in windows:
        recent = deal[deal["date"] >= end - pd.Timedelta(days=n)]
        before = deal[(deal["date"] < end - pd.Timedelta(days=n)) & (deal["date"] >= end - pd.Timedelta(days=2 * n))]
        cust[f"spend_last_{n}d"] = recent.groupby("customer")["net_value"].sum().reindex(cust.index).fillna(0.0)
        cust[f"spend_prev_{n}d"] = before.groupby("customer")["net_value"].sum().reindex(cust.index).fillna(0.0)
    return cust


def _value_window(cust: pd.DataFrame, deal: pd.DataFrame, end: pd.Timestamp, window: int,
                  cost_known: bool) -> pd.DataFrame:
    """abc's value (and profit) over its window of days before the as-of date (abc.window_days; 0: none)."""
    if window > 0:
        recent = deal[deal["date"] >= end - pd.Timedelta(days=window)]
        cust["value_window"] = recent.groupby("customer")["net_value"].sum().reindex(cust.index).fillna(0.0)
        if cost_known:
            cust["profit_window"] = recent.groupby("customer")["profit"].sum(min_count=1).reindex(cust.index)
    return cust


def split_orders(orders: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(paid, deal, credit): paid orders, the paid non-sample ones (what counts as an order), and the
    non-sample cancellations and refunds (negative net value, netted against value, never orders)."""
    if not len(orders):
        return orders, orders, orders
    sample = orders["is_sample"].astype(bool)
    paid = orders[orders["paid"].astype(bool)]
    deal = paid[~paid["is_sample"].astype(bool)]
    credit = orders[orders["status"].isin(["cancelled", "refunded"]) & ~sample]
    return paid, deal, credit


def known_keys(dataset: Dataset, end: pd.Timestamp, *, dated_only: bool = False) -> list[str]:
    """Customer keys seen before ``end``; ``dated_only``: only in a dated row before it (a backtest's
    customers known at its cut), so the undated customers file and rows without a date do not count."""
    keys: list[pd.Series] = []
    for t in (dataset.lines, dataset.inquiries, dataset.events, dataset.customers, dataset.after_sales):
        if len(t) and "customer" in t:
            who = t["customer"]
            if "date" in t:  # --as-of in the past: customers first seen after it did not exist yet
                when = pd.to_datetime(t["date"], errors="coerce")
                keep = (when < end) if dated_only else ~(when >= end)
                if not keep.all():
                    who = who[keep.to_numpy()]
            elif dated_only:
                continue
            keys.append(pd.Series(who.unique()).dropna())  # (unique first: a few thousand keys, not every line)
    if not keys:
        return []
    return sorted(pd.concat(keys).astype("str").unique().tolist())


def _contact_details(dataset: Dataset, end: pd.Timestamp) -> pd.DataFrame:
    """Name, email, country, consent, blacklist: the customers file wins, then the latest order line."""
    cols = ["name", "email", "country", "company", "accepts_marketing", "business_type"]
    pieces = []
    lines = dataset.lines
    if len(lines):
        # only the columns taken (the sort order depends on the dates alone): not all 26 of a million lines
        # and only those holding a value at all (most exports fill two or three of the six)
        # (no row filter: the group-by leaves out lines without a customer itself)
        keep = ["customer", "date", *(c for c in cols if c in lines and lines[c].notna().any())]
        latest = lines[keep]
        if latest["date"].max() >= end:  # --as-of in the past (a backtest's cut): what was known then
            latest = latest[~(latest["date"] >= end).to_numpy()]
        pieces.append(_latest_values(latest, keep[2:]))
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
    out["country_code"] = countries.codes(out["country"])  # the cell stays as exported; the code is the market
    return out[cols + ["country_code", "blacklisted"]]


def _latest_values(lines: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Per customer, each column's value on the latest line holding one (a missing date counts as the
    earliest; equal dates in line order): ``lines.sort_values("date", na_position="first", kind="stable")
    .groupby("customer")[columns].last()``, without taking every line of every column into date order
    (a tenth of a second on a million lines): each line's place in that order is ranked, the highest rank
    holding a value is found per customer, and only those few lines are taken."""
    when = lines["date"].to_numpy()
    in_order = lines["date"].is_monotonic_increasing  # exports usually are in date order already
    if in_order or when.dtype.kind != "M" or not columns:  # (or not plain datetimes: the plain way)
        if not in_order:
            lines = lines.sort_values("date", na_position="first", kind="stable")
        return lines.groupby("customer")[columns].last()
    order = np.argsort(when.view("int64"), kind="stable")  # NaT is the least int64: first, like na_position
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order), dtype=np.int64)
    held = pd.DataFrame({c: np.where(lines[c].notna().to_numpy(), rank, -1) for c in columns}, index=lines.index)
    top = held.groupby(lines["customer"]).max()
    out = {}
    for c in columns:
        r = top[c].to_numpy()
        out[c] = lines[c].array.take(np.where(r >= 0, order[np.maximum(r, 0)], -1), allow_fill=True)
    return pd.DataFrame(out, index=top.index)


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


# what the B2B segmenters read (deal_stage, process, aipl, stars): column -> (value when absent, dtype)
_B2B_COLUMNS = {
    "inquiries": (0, "int64"), "live_inquiries": (0, "int64"), "last_inquiry": (pd.NaT, "datetime64[ns]"),
    "inquiry_days": (pd.NA, "Int64"), "last_contact": (pd.NaT, "datetime64[ns]"), "contact_days": (pd.NA, "Int64"),
    "quoted": (False, "bool"), "replied": (False, "bool"), "sample_requested": (False, "bool"),
    "factory_audit": (False, "bool"), "requested_quantity": (np.nan, "float64"), "expected_order_days": (pd.NA, "Int64"),
    "negotiation_days": (pd.NA, "Int64"), "lost_negotiation": (False, "bool"),
    "event_count": (0, "int64"), "event_stage": (pd.NA, "str"), "event_top": (pd.NA, "str"), "event_source": (pd.NA, "str"),
    "open_cases": (0, "int64"), "case_resolved_days": (pd.NA, "Int64"),
    "orders_in_progress": (0, "int64"), "progress_state": (pd.NA, "str"), "progress_days": (pd.NA, "Int64"),
    "sample_units": (np.nan, "float64"), "sample_days": (pd.NA, "Int64"),
}


def _b2b_signals(dataset: Dataset, as_of: pd.Timestamp, index: pd.Index) -> pd.DataFrame:
    """Per customer in ``index``: what a B2B seller follows up on (seed 003), for the deal_stage, process,
    aipl and stars segmenters.  ``*_days`` count whole days back to the as-of date (forward, for
    ``expected_order_days``).  One step per table, each seeing only what happened up to the as-of date:
    ``_order_signals``, ``_inquiry_signals``, ``event_profile`` (signals.py), ``_case_signals``; customers a
    table does not mention get 0 / False / missing (``_B2B_COLUMNS``).
    """
    end = as_of + pd.Timedelta(days=1)
    parts: list[pd.DataFrame] = []
    orders, last_deal = _order_signals(dataset.orders, as_of, end)
    parts += orders
    parts += _inquiry_signals(dataset.inquiries, as_of, end, last_deal)
    events = dataset.events
    events = events[~(events["date"] >= end)] if len(events) else events
    if len(events):
        parts.append(event_profile(events, "customer"))
    parts += _case_signals(dataset.after_sales, as_of, end)
    return _joined(parts, index)


def _days_since(when: pd.Series, as_of: pd.Timestamp) -> pd.Series:
    """Whole days from each date back to the as-of date."""
    return (as_of - when.dt.normalize()).dt.days.astype("Int64")


def _order_signals(orders: pd.DataFrame, as_of: pd.Timestamp, end: pd.Timestamp
                   ) -> tuple[list[pd.DataFrame], pd.Series]:
    """Paid orders not yet received (inspection, booking, in transit): how many, the latest one's state and
    age; units of paid sample orders and days since the last.  Also each customer's last paid non-sample
    order date (for the inquiries' "no order since")."""
    paid = orders[orders["paid"].astype(bool) & (orders["date"] < end)] if len(orders) else orders
    if not len(paid):
        return [], pd.Series(dtype="datetime64[ns]")
    sample = paid["is_sample"].astype(bool)
    g = paid[sample].groupby("customer")
    moving = paid[paid["fulfillment"].isin(["inspection", "booking", "in_transit"])]
    latest = moving.sort_values(["customer", "date", "order_id"]).groupby("customer").last()
    return [pd.DataFrame({"sample_units": g["units"].sum(min_count=1),
                          "sample_days": _days_since(g["date"].max(), as_of)}),
            pd.DataFrame({"orders_in_progress": moving.groupby("customer")["order_id"].nunique(),
                          "progress_state": latest["fulfillment"],
                          "progress_days": _days_since(latest["date"], as_of)})], \
        paid[~sample].groupby("customer")["date"].max()


def _inquiry_signals(inq: pd.DataFrame, as_of: pd.Timestamp, end: pd.Timestamp, last_deal: pd.Series
                     ) -> list[pd.DataFrame]:
    """Inquiries: counts (``live_inquiries``: not lost), the latest, the last contact, quote / sample /
    factory-audit / reply flags and the largest requested quantity of inquiries not lost; days to the soonest
    expected order (expected-order date, else the inquiry date plus its purchase timeline such as "7天内"; a
    date already passed is no forecast); ``negotiation_days``: days since the last touch of an open inquiry
    with a quote, sample or audit and no paid non-sample order since; ``lost_negotiation``: such an inquiry
    lost."""
    inq = inq[inq["customer"].notna() & ~(inq["date"] >= end)] if len(inq) else inq
    if not len(inq):
        return []
    who = inq["customer"]
    status = inq["status"].astype("str")
    lost = status.eq("lost").fillna(False).astype(bool)
    is_open = ~lost & ~status.eq("won").fillna(False).astype(bool)  # no status column: open

    def flag(col: str) -> pd.Series:
        return inq[col].astype("boolean").fillna(False).astype(bool)

    def when(col: str) -> pd.Series:  # an absent column is all NA (object)
        return pd.to_datetime(inq[col], errors="coerce").astype("datetime64[ns]")

    negotiated = flag("quoted") | flag("sample_sent") | flag("factory_audit")
    quoted, sampled, audited = (flag(c) & ~lost for c in ("quoted", "sample_sent", "factory_audit"))
    contact = when("last_contact")
    contact = contact.where(contact < end)  # a contact after the as-of date was not known then
    timeline = pd.to_timedelta(timeline_days(inq["timeline"]), unit="D")
    expected = when("expected_date").fillna(inq["date"].dt.normalize() + timeline)
    ahead = (expected.dt.normalize() - as_of).dt.days
    ahead = ahead.where((ahead >= 0) & ~lost)
    touch = pd.concat([contact, inq["date"]], axis=1).max(axis=1)
    deal_before = pd.Series(last_deal.reindex(who.to_numpy()).to_numpy(), index=inq.index)
    no_order_since = ~(inq["date"] <= deal_before).fillna(False).astype(bool)
    open_talks = negotiated & is_open & no_order_since
    lost_talks = negotiated & lost & no_order_since
    g = inq.groupby(who)
    return [pd.DataFrame({
        "inquiries": g.size(),
        "live_inquiries": (~lost).groupby(who).sum(),
        "last_inquiry": g["date"].max(),
        "inquiry_days": _days_since(g["date"].max(), as_of),
        "last_contact": contact.groupby(who).max(),
        "contact_days": _days_since(contact.groupby(who).max(), as_of),
        "quoted": quoted.groupby(who).any(),
        "replied": (flag("replied") & ~lost).groupby(who).any(),
        "sample_requested": sampled.groupby(who).any(),
        "factory_audit": audited.groupby(who).any(),
        "requested_quantity": pd.to_numeric(inq["quantity"], errors="coerce").where(~lost).groupby(who).max(),
        "expected_order_days": ahead.groupby(who).min().astype("Int64"),
        "negotiation_days": _days_since(touch[open_talks].groupby(who[open_talks]).max(), as_of),
        "lost_negotiation": lost_talks.groupby(who).any(),
    })]


def _case_signals(cases: pd.DataFrame, as_of: pd.Timestamp, end: pd.Timestamp) -> list[pd.DataFrame]:
    """After-sales: cases open at the as-of date; days since the latest resolution."""
    cases = cases[cases["customer"].notna() & ~(cases["date"] >= end)] if len(cases) else cases
    if not len(cases):
        return []
    who = cases["customer"]
    done_at = cases["resolved_date"].where(cases["resolved_date"] < end)
    # a case marked resolved without a date was resolved some time after it was opened
    done = done_at.notna() | (cases["status"].astype("str").eq("resolved").fillna(False).astype(bool)
                              & cases["resolved_date"].isna())
    done_at = done_at.fillna(cases["date"]).where(done)
    return [pd.DataFrame({"open_cases": (~done).groupby(who).sum(),
                          "case_resolved_days": _days_since(done_at.groupby(who).max(), as_of)})]


def _joined(parts: list[pd.DataFrame], index: pd.Index) -> pd.DataFrame:
    """The signals on ``index`` in ``_B2B_COLUMNS``' order; a customer no table mentions: 0 / False / missing."""
    out = pd.DataFrame(index=index)
    for part in parts:
        part.index = part.index.astype("str")
        out = out.join(part)
    for col, (empty, dtype) in _B2B_COLUMNS.items():
        if col not in out:
            out[col] = pd.Series(empty, index=index, dtype=dtype)
        elif dtype in ("int64", "bool"):  # customers absent from a table: 0 / False
            out[col] = out[col].astype("object").fillna(empty).astype(dtype)
    return out[list(_B2B_COLUMNS)]
